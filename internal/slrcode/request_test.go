package slrcode

import (
	"errors"
	"strings"
	"testing"
)

// The example of DESIGN §4.1.
const (
	exampleRequestCode = "CB-ZC9300-24UX:FCW2134L0RN-AK9A6sMTr-B2"
	examplePID         = "C9300-24UX"
	exampleSN          = "FCW2134L0RN"
	exampleNonce       = "AK9A6sMTr"
)

func TestParseRequestCodeDesignExample(t *testing.T) {
	t.Parallel()
	for _, in := range []string{exampleRequestCode, "  " + exampleRequestCode + "\r\n", "\t" + exampleRequestCode} {
		got, err := ParseRequestCode(in)
		if err != nil {
			t.Fatalf("ParseRequestCode(%q): %v", in, err)
		}
		want := RequestCode{UDI: UDI{PID: examplePID, SN: exampleSN}, Nonce: exampleNonce}
		if got != want {
			t.Errorf("ParseRequestCode(%q) = %+v, want %+v", in, got, want)
		}
	}
	got, err := FormatRequestCode(examplePID, exampleSN, exampleNonce)
	if err != nil || got != exampleRequestCode {
		t.Errorf("FormatRequestCode = %q, %v; want %q", got, err, exampleRequestCode)
	}
}

func TestRequestCodeVectors(t *testing.T) {
	t.Parallel()
	// Checksums computed with: printf %s BODY | sha256sum | cut -c1-2
	tests := []struct{ pid, sn, nonce, want string }{
		{"C9300-24UX", "FCW2134L0RN", "AK9A6sMTr", "CB-ZC9300-24UX:FCW2134L0RN-AK9A6sMTr-B2"},
		{"ASR1001-X", "JAE12345678", "000000000", "CB-ZASR1001-X:JAE12345678-000000000-0A"},
		{"C9300X-48HX/A+B.C", "1", "zzzzzzzzz", "CB-ZC9300X-48HX/A+B.C:1-zzzzzzzzz-BB"},
	}
	for _, tt := range tests {
		got, err := FormatRequestCode(tt.pid, tt.sn, tt.nonce)
		if err != nil || got != tt.want {
			t.Errorf("FormatRequestCode(%q, %q, %q) = %q, %v; want %q", tt.pid, tt.sn, tt.nonce, got, err, tt.want)
		}
		rc, err := ParseRequestCode(tt.want)
		if err != nil || rc.UDI.PID != tt.pid || rc.UDI.SN != tt.sn || rc.Nonce != tt.nonce {
			t.Errorf("ParseRequestCode(%q) = %+v, %v", tt.want, rc, err)
		}
	}
}

func TestParseRequestCodeErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, in, part string
	}{
		{"empty", "", "length"},
		{"only space", " \n\t ", "length"},
		{"over-long", strings.Repeat("A", MaxInputSize+1), "length"},
		{"not UTF-8", "CB-ZC9300-24UX:FCW2134L0RN-AK9A6sMT\xff-B2", "encoding"},
		{"no prefix", "C9300-24UX:FCW2134L0RN-AK9A6sMTr-B2", "prefix"},
		{"lowercase prefix", "cb-zC9300-24UX:FCW2134L0RN-AK9A6sMTr-B2", "prefix"},
		{"prefix only", "CB-Z", "PID"},
		{"no colon", "CB-ZC9300-24UX-FCW2134L0RN-AK9A6sMTr-B2", "PID"},
		{"empty PID", "CB-Z:FCW2134L0RN-AK9A6sMTr-B2", "PID"},
		{"lowercase PID", "CB-Zc9300-24ux:FCW2134L0RN-AK9A6sMTr-B2", "PID"},
		{"PID starts with hyphen", "CB-Z-C9300:FCW2134L0RN-AK9A6sMTr-B2", "PID"},
		{"PID too long", "CB-Z" + strings.Repeat("A", 41) + ":FCW2134L0RN-AK9A6sMTr-B2", "PID"},
		{"inner space", "CB-ZC9300 24UX:FCW2134L0RN-AK9A6sMTr-B2", "PID"},
		{"empty serial", "CB-ZC9300-24UX:-AK9A6sMTr-B2", "serial"},
		{"lowercase serial", "CB-ZC9300-24UX:fcw2134l0rn-AK9A6sMTr-B2", "serial"},
		{"serial with hyphen", "CB-ZC9300-24UX:FCW-2134L0RN-AK9A6sMTr-B2", "serial"},
		{"serial too long", "CB-ZC9300-24UX:" + strings.Repeat("1", 21) + "-AK9A6sMTr-B2", "serial"},
		{"second colon", "CB-ZC9300-24UX:FCW:2134L0RN-AK9A6sMTr-B2", "serial"},
		{"serial only", "CB-ZC9300-24UX:FCW2134L0RN", "nonce"},
		{"no checksum", "CB-ZC9300-24UX:FCW2134L0RN-AK9A6sMTr", "checksum"},
		{"no nonce", "CB-ZC9300-24UX:FCW2134L0RN-B2", "nonce"},
		{"empty nonce", "CB-ZC9300-24UX:FCW2134L0RN--B2", "nonce"},
		{"short nonce", "CB-ZC9300-24UX:FCW2134L0RN-AK9A6sMT-B2", "nonce"},
		{"long nonce", "CB-ZC9300-24UX:FCW2134L0RN-AK9A6sMTrr-B2", "nonce"},
		{"nonce symbol", "CB-ZC9300-24UX:FCW2134L0RN-AK9A6sMT_-B2", "nonce"},
		{"empty checksum", "CB-ZC9300-24UX:FCW2134L0RN-AK9A6sMTr-", "checksum"},
		{"lowercase checksum", "CB-ZC9300-24UX:FCW2134L0RN-AK9A6sMTr-b2", "checksum"},
		{"long checksum", "CB-ZC9300-24UX:FCW2134L0RN-AK9A6sMTr-B20", "checksum"},
		{"wrong checksum", "CB-ZC9300-24UX:FCW2134L0RN-AK9A6sMTr-B3", "checksum"},
		{"typo in nonce", "CB-ZC9300-24UX:FCW2134L0RN-AK9A6sMTR-B2", "checksum"},
		{"typo in serial", "CB-ZC9300-24UX:FCW2134L0RM-AK9A6sMTr-B2", "checksum"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := ParseRequestCode(tt.in)
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("ParseRequestCode(%.60q) error = %v, want a *ParseError", tt.in, err)
			}
			if pe.Part != tt.part {
				t.Errorf("ParseRequestCode(%.60q) part = %q (%v), want %q", tt.in, pe.Part, err, tt.part)
			}
			if !strings.HasPrefix(err.Error(), "Reservation request code: ") {
				t.Errorf("message %q does not name the code", err)
			}
		})
	}
}

func TestParseErrorMessage(t *testing.T) {
	t.Parallel()
	_, err := ParseRequestCode("CB-ZC9300-24UX:FCW2134L0RN-AK9A6sMTr-B3")
	if got, want := err.Error(), "Reservation request code: the checksum is wrong"; got != want {
		t.Errorf("error = %q, want %q", got, want)
	}
}

func TestFormatRequestCodeErrors(t *testing.T) {
	t.Parallel()
	tests := []struct{ pid, sn, nonce, part string }{
		{"", "SN1", "AAAAAAAAA", "PID"},
		{"c9300", "SN1", "AAAAAAAAA", "PID"},
		{"C9300", "", "AAAAAAAAA", "serial"},
		{"C9300", "sn1", "AAAAAAAAA", "serial"},
		{"C9300", "SN1", "AAAAAAAA", "nonce"},
		{"C9300", "SN1", "AAAAAAAA-", "nonce"},
	}
	for _, tt := range tests {
		_, err := FormatRequestCode(tt.pid, tt.sn, tt.nonce)
		var pe *ParseError
		if !errors.As(err, &pe) || pe.Part != tt.part {
			t.Errorf("FormatRequestCode(%q, %q, %q) error = %v, want part %q", tt.pid, tt.sn, tt.nonce, err, tt.part)
		}
	}
}

func TestNewNonceRoundTrip(t *testing.T) {
	t.Parallel()
	seen := map[string]bool{}
	for range 200 {
		n, err := NewNonce()
		if err != nil {
			t.Fatal(err)
		}
		if !validNonce(n) {
			t.Fatalf("NewNonce() = %q, not 9 characters of [A-Za-z0-9]", n)
		}
		if seen[n] {
			t.Fatalf("NewNonce() repeated %q", n)
		}
		seen[n] = true
		code, err := FormatRequestCode("C9200L-48P-4X", "JAD2233445X", n)
		if err != nil {
			t.Fatal(err)
		}
		got, err := ParseRequestCode(code)
		if err != nil || got.Nonce != n || got.String() != code {
			t.Fatalf("round trip of %q: %+v, %v", code, got, err)
		}
	}
}

func TestUDIForms(t *testing.T) {
	t.Parallel()
	u := UDI{PID: examplePID, SN: exampleSN}
	if got, want := u.String(), "PID:C9300-24UX,SN:FCW2134L0RN"; got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
	if got, want := u.XMLText(), "P:C9300-24UX,S:FCW2134L0RN"; got != want {
		t.Errorf("XMLText() = %q, want %q", got, want)
	}
	if err := u.Validate(); err != nil {
		t.Errorf("Validate() = %v", err)
	}
	if err := (UDI{PID: examplePID, SN: "fcw"}).Validate(); err == nil {
		t.Error("Validate() accepted a lowercase serial number")
	}
}
