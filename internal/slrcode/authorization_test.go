package slrcode

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"errors"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"
)

const goldenFile = "testdata/AuthorizationCode_SN_FCW2134L0RN.txt"

// Expected values printed by testdata/mkgolden.py, computed without Go.
const (
	goldenPIID         = "3f2a9c1e-7b4d-4e8a-9c2f-1d6e5b4a3c21"
	goldenReturnCode   = "2YMSV3-GYRNQH-HT5LHF-KOCNXF-W6FNS2-67LGFB-BEQ4KC-O3SF72"
	goldenConfirmation = "ed73fc92"
	goldenSignature    = "MEQCIGGehRW222fXU0tU7doWWRBC6QRt+PDoN2dWDAIsrYzJAiByaRY32CTp6mzTULEUjNoXEkxX1k45/r8BnGJHZDQUNQ=="
)

var goldenTime = time.Date(2026, 1, 1, 0, 0, 0, 123_000_000, time.UTC)

func goldenEntitlements() []Entitlement {
	return []Entitlement{
		{
			Tag:            "regid.2017-03.com.cisco.C9300_DNA_Advantage,1.0_1b5e5c2c-8f1e-4f7a-9d0b-3f3c2d1e0a11",
			Count:          3,
			LicenseType:    "PERPETUAL",
			DisplayName:    "C9300 DNA Advantage",
			TagDescription: `Cisco Catalyst 9300 DNA Advantage <Perpetual> & "more"`,
		},
		{
			Tag:            "regid.2017-03.com.cisco.C9300_DNA_Essentials,1.0_6a1e7d3b-2c4f-4b8e-8f1a-0e9d8c7b6a55",
			Count:          2,
			StartDate:      "2026-01-01",
			EndDate:        "2028-12-31",
			LicenseType:    "TERM",
			DisplayName:    "C9300 DNA Essentials (3Y)",
			TagDescription: "Bob's term license",
			SubscriptionID: "Sub-100200",
		},
		{
			Tag:         "regid.2017-03.com.cisco.c9300_network_stack,1.0_ffee",
			Count:       1,
			EndDate:     "2027-06-30",
			LicenseType: "TERM",
			DisplayName: "Ünïcødé — name",
		},
	}
}

func readGolden(t testing.TB) []byte {
	t.Helper()
	data, err := os.ReadFile(goldenFile)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func testKey(t testing.TB) *ecdsa.PrivateKey {
	t.Helper()
	data, err := os.ReadFile("testdata/signing-key.pem")
	if err != nil {
		t.Fatal(err)
	}
	key, err := ParsePrivateKeyPEM(data)
	if err != nil {
		t.Fatal(err)
	}
	return key
}

func testPublicKey(t testing.TB) *ecdsa.PublicKey {
	t.Helper()
	data, err := os.ReadFile("testdata/signing-key.pub.pem")
	if err != nil {
		t.Fatal(err)
	}
	pub, err := ParsePublicKeyPEM(data)
	if err != nil {
		t.Fatal(err)
	}
	return pub
}

func TestVerifyGoldenFile(t *testing.T) {
	t.Parallel()
	data := readGolden(t)
	want := &AuthorizationCode{
		Flag:         "A",
		Version:      "C",
		PIID:         goldenPIID,
		Timestamp:    goldenTime.UnixMilli(),
		Entitlements: goldenEntitlements(),
		Signature:    goldenSignature,
		UDI:          UDI{PID: "C9300-24UX", SN: "FCW2134L0RN"},
	}
	// Verifiers ignore the final line ending, whatever system wrote it.
	body := bytes.TrimSuffix(data, []byte("\n"))
	for name, in := range map[string][]byte{
		"as written": data,
		"no newline": body,
		"CRLF":       append(bytes.Clone(body), "\r\n"...),
	} {
		got, err := VerifyAuthorizationCode(in, testPublicKey(t))
		if err != nil {
			t.Fatalf("%s: VerifyAuthorizationCode: %v", name, err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s: got %+v\nwant %+v", name, got, want)
		}
	}
	if got := want.Time(); !got.Equal(goldenTime) {
		t.Errorf("Time() = %v, want %v", got, goldenTime)
	}
}

func TestReturnAndConfirmationVectors(t *testing.T) {
	t.Parallel()
	if got := ReturnCode(goldenPIID, goldenSignature); got != goldenReturnCode {
		t.Errorf("ReturnCode = %q, want %q", got, goldenReturnCode)
	}
	if got := ConfirmationCode(goldenSignature); got != goldenConfirmation {
		t.Errorf("ConfirmationCode = %q, want %q", got, goldenConfirmation)
	}
}

// TestSignMatchesGolden checks the signer byte for byte against the file
// written without Go: everything but the (randomized) signature must agree.
func TestSignMatchesGolden(t *testing.T) {
	t.Parallel()
	golden := readGolden(t)
	ents := goldenEntitlements()
	// Unsorted, with the first line split in two, and without an explicit
	// PERPETUAL: the signer sorts, merges and defaults.
	adv := ents[0]
	adv.Count = 1
	adv.LicenseType = ""
	adv2 := adv
	adv2.Count = 2
	input := []Entitlement{ents[2], adv, ents[1], adv2}

	file, sig, err := SignAuthorizationCode(testKey(t), goldenPIID, goldenTime, UDI{PID: "C9300-24UX", SN: "FCW2134L0RN"}, input)
	if err != nil {
		t.Fatal(err)
	}
	wantFile := bytes.Replace(golden, []byte(goldenSignature), []byte(sig), 1)
	if !bytes.Equal(file, wantFile) {
		t.Errorf("signed file differs from golden at byte %d:\n got %s\nwant %s", firstDifference(file, wantFile), file, wantFile)
	}
	if !bytes.HasSuffix(file, []byte("</specificPLR>\n")) || bytes.Count(file, []byte("\n")) != 1 {
		t.Errorf("file is not one line ending in a newline")
	}
	a, err := VerifyAuthorizationCode(file, testPublicKey(t))
	if err != nil {
		t.Fatalf("VerifyAuthorizationCode(signed file): %v", err)
	}
	if a.Signature != sig {
		t.Errorf("parsed signature %q, Sign returned %q", a.Signature, sig)
	}
	if input[1].Count != 1 || input[1].LicenseType != "" {
		t.Errorf("Sign changed its input: %+v", input[1])
	}
}

func TestSignRoundTrip(t *testing.T) {
	t.Parallel()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	udi := UDI{PID: "ISR4331/K9", SN: "FDO1234X0YZ"}
	tests := map[string][]Entitlement{
		"none": nil,
		"one":  {{Tag: "t", Count: 1}},
		"escapes everywhere": {{
			Tag: `a&b<c>d"e'f`, Count: MaxCount, LicenseType: LicenseTypeTerm, StartDate: "2024-02-29", EndDate: "2024-02-29",
			DisplayName: "&amp;", TagDescription: "<x/>", SubscriptionID: "'\"",
		}},
	}
	for name, ents := range tests {
		file, sig, err := SignAuthorizationCode(key, "00000000-0000-4000-8000-000000000000", time.UnixMilli(0), udi, ents)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		a, err := VerifyAuthorizationCode(file, &key.PublicKey)
		if err != nil {
			t.Fatalf("%s: verify: %v\n%s", name, err, file)
		}
		if a.Signature != sig || a.UDI != udi || a.Timestamp != 0 || len(a.Entitlements) != len(ents) {
			t.Errorf("%s: round trip gave %+v", name, a)
		}
		for i, e := range ents {
			if e.LicenseType == "" {
				e.LicenseType = LicenseTypePerpetual
			}
			if a.Entitlements[i] != e {
				t.Errorf("%s: entitlement %d = %+v, want %+v", name, i, a.Entitlements[i], e)
			}
		}
		if _, err := VerifyAuthorizationCode(file, &testKey(t).PublicKey); !errors.Is(err, ErrBadSignature) {
			t.Errorf("%s: verify with another key: %v, want ErrBadSignature", name, err)
		}
	}
}

// TestTamperedFilesFail flips bits of every byte of a signed file: each
// change must be refused, by the parser or by the signature check.
func TestTamperedFilesFail(t *testing.T) {
	t.Parallel()
	golden := readGolden(t)
	pub := testPublicKey(t)
	for i := range golden {
		for _, mask := range []byte{0x01, 0x20, 0x80} {
			data := bytes.Clone(golden)
			data[i] ^= mask
			if _, err := VerifyAuthorizationCode(data, pub); err == nil {
				t.Errorf("byte %d ^ %#x (%q → %q) verified", i, mask, golden[i], data[i])
			}
		}
	}
}

func TestTruncatedFilesFail(t *testing.T) {
	t.Parallel()
	golden := readGolden(t)
	body := bytes.TrimSuffix(golden, []byte("\n"))
	for n := range len(body) {
		var pe *ParseError
		if _, err := ParseAuthorizationCode(golden[:n]); !errors.As(err, &pe) {
			t.Fatalf("truncated to %d bytes: error %v, want a *ParseError", n, err)
		}
	}
}

func TestParseAuthorizationCodeErrors(t *testing.T) {
	t.Parallel()
	golden := string(readGolden(t))
	replace := func(old, new string) string {
		if !strings.Contains(golden, old) {
			t.Fatalf("golden file lacks %q", old)
		}
		return strings.Replace(golden, old, new, 1)
	}
	firstEnt := golden[strings.Index(golden, "<entitlement>") : strings.Index(golden, "</entitlement>")+len("</entitlement>")]
	tests := []struct{ name, in, part string }{
		{"empty", "", "length"},
		{"newline only", "\n", "length"},
		{"over-long", golden + strings.Repeat(" ", MaxInputSize), "length"},
		{"not UTF-8", replace("Ünïcødé", "\xc3\x28"), "encoding"},
		{"garbage", "hello, world", "structure"},
		{"XML declaration", `<?xml version="1.0"?>` + golden, "structure"},
		{"BOM", "\uFEFF" + golden, "structure"},
		{"two newlines", golden + "\n", "structure"},
		{"trailing space", strings.TrimSuffix(golden, "\n") + " \n", "structure"},
		{"space between elements", replace("</flag><version>", "</flag> <version>"), "structure"},
		{"newline between elements", replace("</flag><version>", "</flag>\n<version>"), "structure"},
		{"elements swapped", replace("<flag>A</flag><version>C</version>", "<version>C</version><flag>A</flag>"), "structure"},
		{"attribute", replace("<flag>", `<flag x="1">`), "structure"},
		{"self-closing", replace("<startDate></startDate>", "<startDate/>"), "structure"},
		{"missing subscriptionID", replace("<subscriptionID></subscriptionID></entitlement>", "</entitlement>"), "structure"},
		{"trailing text", strings.TrimSuffix(golden, "\n") + "x", "structure"},
		{"CDATA", replace("<displayName>C9300 DNA Advantage", "<displayName><![CDATA[C9300 DNA Advantage]]>"), "structure"},
		{"flag", replace("<flag>A</flag>", "<flag>B</flag>"), "flag"},
		{"version", replace("<version>C</version>", "<version>D</version>"), "version"},
		{"uppercase piid", replace(goldenPIID, strings.ToUpper(goldenPIID)), "piid"},
		{"piid braces", replace(goldenPIID, "{"+goldenPIID+"}"), "piid"},
		{"timestamp leading zero", replace("<timestamp>1767", "<timestamp>01767"), "timestamp"},
		{"timestamp sign", replace("<timestamp>1767", "<timestamp>+1767"), "timestamp"},
		{"timestamp negative", replace("<timestamp>1767", "<timestamp>-1767"), "timestamp"},
		{"timestamp overflow", replace("<timestamp>1767225600123", "<timestamp>99999999999999999999"), "timestamp"},
		{"count zero", replace("<count>3</count>", "<count>0</count>"), "count"},
		{"count leading zero", replace("<count>3</count>", "<count>03</count>"), "count"},
		{"count too large", replace("<count>3</count>", "<count>2147483648</count>"), "count"},
		{"count empty", replace("<count>3</count>", "<count></count>"), "count"},
		{"empty tag", replace("<tag>regid.2017-03.com.cisco.c9300_network_stack,1.0_ffee</tag>", "<tag></tag>"), "tag"},
		{"unsorted", strings.Replace(replace("<entitlements>"+firstEnt, "<entitlements>"), "</entitlements>", firstEnt+"</entitlements>", 1), "tag"},
		{"duplicate tag", replace("<entitlements>"+firstEnt, "<entitlements>"+firstEnt+firstEnt), "tag"},
		{"license type case", replace("<licenseType>PERPETUAL", "<licenseType>Perpetual"), "licenseType"},
		{"perpetual with end date", replace("<endDate></endDate><licenseType>PERPETUAL", "<endDate>2030-01-01</endDate><licenseType>PERPETUAL"), "endDate"},
		{"perpetual with start date", replace("<startDate></startDate><endDate></endDate><licenseType>PERPETUAL", "<startDate>2030-01-01</startDate><endDate></endDate><licenseType>PERPETUAL"), "startDate"},
		{"term without end date", replace("<endDate>2027-06-30</endDate>", "<endDate></endDate>"), "endDate"},
		{"impossible date", replace("<endDate>2027-06-30</endDate>", "<endDate>2027-02-30</endDate>"), "endDate"},
		{"short date", replace("<endDate>2027-06-30</endDate>", "<endDate>2027-6-30</endDate>"), "endDate"},
		{"start after end", replace("<startDate>2026-01-01</startDate>", "<startDate>2029-01-01</startDate>"), "startDate"},
		{"raw apostrophe", replace("Bob&apos;s", "Bob's"), "text"},
		{"raw greater-than", replace("&lt;Perpetual&gt;", "&lt;Perpetual>"), "text"},
		{"numeric reference", replace("Bob&apos;s", "Bob&#39;s"), "text"},
		{"unknown entity", replace("Bob&apos;s", "Bob&rsquo;s"), "text"},
		{"bare ampersand", replace("Bob&apos;s", "Bob&s"), "text"},
		{"tab in text", replace("C9300 DNA Advantage</displayName>", "C9300\tDNA Advantage</displayName>"), "text"},
		{"escaped newline in tag", replace("network_stack", "network\u0085stack"), "tag"},
		{"signature missing", replace(goldenSignature, ""), "signature"},
		{"signature not base64", replace(goldenSignature, "!!!!"), "signature"},
		{"signature line break", replace(goldenSignature, goldenSignature[:40]+"\n"+goldenSignature[40:]), "signature"},
		{"signature no padding", replace(goldenSignature, strings.TrimRight(goldenSignature, "=")), "signature"},
		{"signature URL alphabet", replace(goldenSignature, strings.NewReplacer("+", "-", "/", "_").Replace(goldenSignature)), "signature"},
		{"udi no prefix", replace("P:C9300-24UX,S:FCW2134L0RN", "C9300-24UX,S:FCW2134L0RN"), "udi"},
		{"udi long form", replace("P:C9300-24UX,S:FCW2134L0RN", "PID:C9300-24UX,SN:FCW2134L0RN"), "udi"},
		{"udi lowercase serial", replace("P:C9300-24UX,S:FCW2134L0RN", "P:C9300-24UX,S:fcw2134l0rn"), "udi"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := ParseAuthorizationCode([]byte(tt.in))
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("error = %v, want a *ParseError", err)
			}
			if pe.Part != tt.part {
				t.Errorf("part = %q (%v), want %q", pe.Part, err, tt.part)
			}
			if !strings.HasPrefix(err.Error(), "Authorization code: ") {
				t.Errorf("message %q does not name the code", err)
			}
		})
	}
}

func TestSignErrors(t *testing.T) {
	t.Parallel()
	key := testKey(t)
	p384, err := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	udi := UDI{PID: "C9300-24UX", SN: "FCW2134L0RN"}
	ok := Entitlement{Tag: "t", Count: 1}
	tests := []struct {
		name string
		key  *ecdsa.PrivateKey
		piid string
		ts   time.Time
		udi  UDI
		ents []Entitlement
	}{
		{"nil key", nil, goldenPIID, goldenTime, udi, nil},
		{"P-384 key", p384, goldenPIID, goldenTime, udi, nil},
		{"uppercase piid", key, strings.ToUpper(goldenPIID), goldenTime, udi, nil},
		{"empty piid", key, "", goldenTime, udi, nil},
		{"before 1970", key, goldenPIID, time.Unix(-1, 0), udi, nil},
		{"bad PID", key, goldenPIID, goldenTime, UDI{PID: "c9300", SN: "X"}, nil},
		{"bad SN", key, goldenPIID, goldenTime, UDI{PID: "C9300", SN: ""}, nil},
		{"zero count", key, goldenPIID, goldenTime, udi, []Entitlement{{Tag: "t"}}},
		{"negative count", key, goldenPIID, goldenTime, udi, []Entitlement{{Tag: "t", Count: -1}}},
		{"merged count too large", key, goldenPIID, goldenTime, udi, []Entitlement{{Tag: "t", Count: MaxCount}, ok}},
		{"conflicting lines", key, goldenPIID, goldenTime, udi, []Entitlement{ok, {Tag: "t", Count: 1, DisplayName: "other"}}},
		{"empty tag", key, goldenPIID, goldenTime, udi, []Entitlement{{Count: 1}}},
		{"newline in text", key, goldenPIID, goldenTime, udi, []Entitlement{{Tag: "t", Count: 1, DisplayName: "a\nb"}}},
		{"bad type", key, goldenPIID, goldenTime, udi, []Entitlement{{Tag: "t", Count: 1, LicenseType: "EVAL"}}},
		{"term without end", key, goldenPIID, goldenTime, udi, []Entitlement{{Tag: "t", Count: 1, LicenseType: "TERM"}}},
		{"too big", key, goldenPIID, goldenTime, udi, []Entitlement{{Tag: "t", Count: 1, DisplayName: strings.Repeat("&", MaxInputSize/5)}}},
	}
	for _, tt := range tests {
		if _, _, err := SignAuthorizationCode(tt.key, tt.piid, tt.ts, tt.udi, tt.ents); err == nil {
			t.Errorf("%s: SignAuthorizationCode succeeded", tt.name)
		} else if !strings.HasPrefix(err.Error(), "slrcode: sign: ") {
			t.Errorf("%s: error %q lacks the package prefix", tt.name, err)
		}
	}
}

func TestVerifyRejectsBadKeys(t *testing.T) {
	t.Parallel()
	golden := readGolden(t)
	p384, err := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	for name, pub := range map[string]*ecdsa.PublicKey{
		"nil":         nil,
		"P-384":       &p384.PublicKey,
		"no curve":    {},
		"no point":    {Curve: elliptic.P256()},
		"another key": &p384.PublicKey,
	} {
		if _, err := VerifyAuthorizationCode(golden, pub); err == nil {
			t.Errorf("%s: verified", name)
		}
	}
}

func TestAuthorizationFileName(t *testing.T) {
	t.Parallel()
	if got, want := AuthorizationFileName("FCW2134L0RN"), "AuthorizationCode_SN_FCW2134L0RN.txt"; got != want {
		t.Errorf("AuthorizationFileName = %q, want %q", got, want)
	}
}
