package slrcode

import (
	"bytes"
	"errors"
	"os"
	"strings"
	"testing"
)

// The fuzz targets check two things for every parser: it never panics, and
// whatever it accepts it would also write, byte for byte. Under plain
// `go test` they run their seed corpus only; .ci/fuzz.sh runs them for real.

func FuzzParseRequestCode(f *testing.F) {
	for _, s := range []string{
		exampleRequestCode,
		" " + exampleRequestCode + "\n",
		"CB-ZASR1001-X:JAE12345678-000000000-0A",
		"CB-ZC9300X-48HX/A+B.C:1-zzzzzzzzz-BB",
		"CB-Z",
		"CB-Z:-",
		"CB-ZA:B--",
		"CB-ZC9300-24UX:FCW2134L0RN-AK9A6sMTr-B3",
		"CB-ZC9300-24UX:FCW-2134L0RN-AK9A6sMTr-B2",
		"\xff",
		"",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		rc, err := ParseRequestCode(s)
		if err != nil {
			var pe *ParseError
			if !errors.As(err, &pe) || pe.Part == "" || pe.Msg == "" {
				t.Fatalf("ParseRequestCode(%q) error %v is not a complete *ParseError", s, err)
			}
			return
		}
		formatted, err := FormatRequestCode(rc.UDI.PID, rc.UDI.SN, rc.Nonce)
		if err != nil {
			t.Fatalf("FormatRequestCode of parsed %q: %v", s, err)
		}
		if formatted != strings.TrimSpace(s) {
			t.Fatalf("ParseRequestCode(%q) accepted a form FormatRequestCode writes as %q", s, formatted)
		}
	})
}

func FuzzParseAuthorizationCode(f *testing.F) {
	golden, err := os.ReadFile(goldenFile)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(golden)
	f.Add(bytes.TrimSuffix(golden, []byte("\n")))
	f.Add(golden[:len(golden)/2])
	f.Add([]byte("<specificPLR><authorizationCode><flag>A</flag><version>C</version><piid>00000000-0000-4000-8000-000000000000</piid><timestamp>0</timestamp><entitlements></entitlements></authorizationCode><signature>AAAA</signature><udi>P:A,S:B</udi></specificPLR>\n"))
	f.Add([]byte("<specificPLR>"))
	f.Add([]byte("&amp;&lt;&#39;"))
	f.Add([]byte{})
	pub := testPublicKey(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		a, err := ParseAuthorizationCode(data)
		if err != nil {
			var pe *ParseError
			if !errors.As(err, &pe) || pe.Part == "" || pe.Msg == "" {
				t.Fatalf("ParseAuthorizationCode error %v is not a complete *ParseError", err)
			}
			if _, verr := VerifyAuthorizationCode(data, pub); verr == nil {
				t.Fatal("VerifyAuthorizationCode accepted what ParseAuthorizationCode refused")
			}
			return
		}
		body := bytes.TrimSuffix(bytes.TrimSuffix(data, []byte("\n")), []byte("\r"))
		if got := marshalFile(a); !bytes.Equal(got, body) {
			t.Fatalf("accepted %q, which re-serializes as %q", data, got)
		}
		if _, err := VerifyAuthorizationCode(data, pub); err != nil && !errors.Is(err, ErrBadSignature) {
			t.Fatalf("parsed, but VerifyAuthorizationCode: %v", err)
		}
	})
}

func FuzzMatchReturnCode(f *testing.F) {
	for _, s := range []string{
		goldenReturnCode,
		strings.ToLower(goldenReturnCode),
		strings.ReplaceAll(goldenReturnCode, "-", " "),
		"ı" + goldenReturnCode[1:],
		"",
		"-",
		"\xff\xfe",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		norm, err := NormalizeReturnCode(s)
		match := MatchReturnCode(s, goldenReturnCode)
		if err != nil {
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("NormalizeReturnCode(%q) error %v is not a *ParseError", s, err)
			}
			if match {
				t.Fatalf("MatchReturnCode accepted %q, which NormalizeReturnCode refuses", s)
			}
		} else {
			if !MatchReturnCode(s, norm) || !MatchReturnCode(norm, s) {
				t.Fatalf("%q does not match its normal form %q", s, norm)
			}
			if match != (norm == goldenReturnCode) {
				t.Fatalf("MatchReturnCode(%q) = %v, but its normal form is %q", s, match, norm)
			}
		}
		// The same rules, in lower case, for confirmation codes.
		if cn, err := NormalizeConfirmationCode(s); err == nil && !MatchConfirmationCode(s, cn) {
			t.Fatalf("%q does not match its normal form %q", s, cn)
		}
	})
}

func FuzzParsePrivateKeyPEM(f *testing.F) {
	key, err := os.ReadFile("testdata/signing-key.pem")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(key)
	f.Add(key[:len(key)-10])
	f.Add([]byte("-----BEGIN PRIVATE KEY-----\n-----END PRIVATE KEY-----\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		k, err := ParsePrivateKeyPEM(data)
		if err != nil {
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("error %v is not a *ParseError", err)
			}
			return
		}
		if _, err := MarshalPrivateKeyPEM(k); err != nil {
			t.Fatalf("parsed key does not marshal: %v", err)
		}
	})
}

func FuzzParsePublicKeyPEM(f *testing.F) {
	key, err := os.ReadFile("testdata/signing-key.pub.pem")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(key)
	f.Add(key[:len(key)-10])
	f.Add([]byte("-----BEGIN PUBLIC KEY-----\n-----END PUBLIC KEY-----\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		pub, err := ParsePublicKeyPEM(data)
		if err != nil {
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("error %v is not a *ParseError", err)
			}
			return
		}
		if _, err := MarshalPublicKeyPEM(pub); err != nil {
			t.Fatalf("parsed key does not marshal: %v", err)
		}
	})
}
