package slrcode

import (
	"cmp"
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"time"
)

// Fixed values of an authorization code (DESIGN §4.2).
const (
	AuthorizationFlag    = "A"
	AuthorizationVersion = "C"
	LicenseTypePerpetual = "PERPETUAL"
	LicenseTypeTerm      = "TERM"
	// MaxCount bounds an entitlement's count so that it fits every
	// verifier's integers.
	MaxCount = math.MaxInt32
)

// Entitlement is one reservation line of an authorization code.
type Entitlement struct {
	Tag   string
	Count int
	// StartDate and EndDate are YYYY-MM-DD for TERM licenses (EndDate
	// required) and empty for PERPETUAL ones.
	StartDate, EndDate string
	// LicenseType is LicenseTypePerpetual or LicenseTypeTerm; Sign reads ""
	// as PERPETUAL.
	LicenseType                                 string
	DisplayName, TagDescription, SubscriptionID string
}

// AuthorizationCode is a parsed authorization code file.
type AuthorizationCode struct {
	Flag, Version, PIID string
	// Timestamp is Unix time in milliseconds.
	Timestamp    int64
	Entitlements []Entitlement
	// Signature is the standard base64 text of the ASN.1 DER signature, as
	// it stands in the file; return and confirmation codes are computed
	// from this text.
	Signature string
	UDI       UDI
}

// Time returns the timestamp as a UTC time.
func (a *AuthorizationCode) Time() time.Time { return time.UnixMilli(a.Timestamp).UTC() }

// AuthorizationFileName is the download name of a device's authorization
// code file.
func AuthorizationFileName(sn string) string { return "AuthorizationCode_SN_" + sn + ".txt" }

func appendElement(b []byte, name, text string) []byte {
	b = append(b, '<')
	b = append(b, name...)
	b = append(b, '>')
	b = append(b, escapeText(text)...)
	b = append(b, "</"...)
	b = append(b, name...)
	return append(b, '>')
}

// appendAuthorizationXML appends the <authorizationCode> element, the first
// of the two signed parts.
func appendAuthorizationXML(b []byte, a *AuthorizationCode) []byte {
	b = append(b, "<authorizationCode>"...)
	b = appendElement(b, "flag", a.Flag)
	b = appendElement(b, "version", a.Version)
	b = appendElement(b, "piid", a.PIID)
	b = appendElement(b, "timestamp", strconv.FormatInt(a.Timestamp, 10))
	b = append(b, "<entitlements>"...)
	for _, e := range a.Entitlements {
		b = append(b, "<entitlement>"...)
		b = appendElement(b, "tag", e.Tag)
		b = appendElement(b, "count", strconv.Itoa(e.Count))
		b = appendElement(b, "startDate", e.StartDate)
		b = appendElement(b, "endDate", e.EndDate)
		b = appendElement(b, "licenseType", e.LicenseType)
		b = appendElement(b, "displayName", e.DisplayName)
		b = appendElement(b, "tagDescription", e.TagDescription)
		b = appendElement(b, "subscriptionID", e.SubscriptionID)
		b = append(b, "</entitlement>"...)
	}
	b = append(b, "</entitlements>"...)
	return append(b, "</authorizationCode>"...)
}

// appendUDIXML appends the <udi> element, the second signed part.
func appendUDIXML(b []byte, u UDI) []byte { return appendElement(b, "udi", u.XMLText()) }

// signedBytes is what the signature covers: the exact bytes of
// <authorizationCode>…</authorizationCode> followed by those of <udi>…</udi>.
func signedBytes(a *AuthorizationCode) []byte {
	return appendUDIXML(appendAuthorizationXML(nil, a), a.UDI)
}

// marshalFile returns the whole file, without its trailing newline.
func marshalFile(a *AuthorizationCode) []byte {
	b := append([]byte(nil), "<specificPLR>"...)
	b = appendAuthorizationXML(b, a)
	b = appendElement(b, "signature", a.Signature)
	b = appendUDIXML(b, a.UDI)
	return append(b, "</specificPLR>"...)
}

// SignAuthorizationCode builds and signs the authorization code file for a
// product instance. Entitlements are sorted by tag and lines with the same
// tag merged (their counts added; their other fields must agree), as DESIGN
// §4.2 wants one line per tag. It returns the one-line file, ending in "\n",
// and the signature text from which return and confirmation codes derive.
func SignAuthorizationCode(key *ecdsa.PrivateKey, piid string, ts time.Time, udi UDI, ents []Entitlement) (file []byte, signature string, err error) {
	if !isP256Private(key) {
		return nil, "", errors.New("slrcode: sign: the key is not an ECDSA P-256 key")
	}
	merged, err := mergeEntitlements(ents)
	if err != nil {
		return nil, "", fmt.Errorf("slrcode: sign: %w", err)
	}
	a := &AuthorizationCode{
		Flag:         AuthorizationFlag,
		Version:      AuthorizationVersion,
		PIID:         piid,
		Timestamp:    ts.UnixMilli(),
		Entitlements: merged,
		UDI:          udi,
	}
	if err := validateAuthorization(a); err != nil {
		return nil, "", fmt.Errorf("slrcode: sign: %w", err)
	}
	digest := sha256.Sum256(signedBytes(a))
	der, err := ecdsa.SignASN1(rand.Reader, key, digest[:])
	if err != nil {
		return nil, "", fmt.Errorf("slrcode: sign: %w", err)
	}
	a.Signature = base64.StdEncoding.EncodeToString(der)
	file = append(marshalFile(a), '\n')
	if len(file) > MaxInputSize {
		// Verifiers refuse such a file; better to fail here, where the
		// caller can still say why.
		return nil, "", fmt.Errorf("slrcode: sign: the file would be %d bytes, more than 64 KiB", len(file))
	}
	return file, a.Signature, nil
}

// mergeEntitlements returns a sorted copy of ents with one line per tag.
func mergeEntitlements(ents []Entitlement) ([]Entitlement, error) {
	out := slices.Clone(ents)
	for i := range out {
		if out[i].LicenseType == "" {
			out[i].LicenseType = LicenseTypePerpetual
		}
		if out[i].Count < 1 {
			return nil, entitlementErr(out[i].Tag, "count", "the count must be between 1 and %d", MaxCount)
		}
	}
	// Byte order of the unescaped text, as DESIGN §4.2 says; a stable sort
	// keeps the merge below independent of the input order.
	slices.SortStableFunc(out, func(a, b Entitlement) int { return cmp.Compare(a.Tag, b.Tag) })
	merged := out[:0]
	for _, e := range out {
		n := len(merged)
		if n == 0 || merged[n-1].Tag != e.Tag {
			merged = append(merged, e)
			continue
		}
		prev := &merged[n-1]
		sum := prev.Count + e.Count
		e.Count = prev.Count
		if e != *prev {
			return nil, entitlementErr(e.Tag, "tag", "two lines for this tag disagree on more than the count")
		}
		if sum > MaxCount {
			return nil, entitlementErr(e.Tag, "count", "the count must be between 1 and %d", MaxCount)
		}
		prev.Count = sum
	}
	return merged, nil
}

func entitlementErr(tag, part, format string, args ...any) *ParseError {
	e := parseErr(codeAuthorization, part, format, args...)
	e.Msg = fmt.Sprintf("entitlement %.80q: %s", tag, e.Msg)
	return e
}

// validateAuthorization checks everything but the signature: the rules that
// both the signer and the parser enforce.
func validateAuthorization(a *AuthorizationCode) error {
	if a.Flag != AuthorizationFlag {
		return parseErr(codeAuthorization, "flag", "the flag must be %s", AuthorizationFlag)
	}
	if a.Version != AuthorizationVersion {
		return parseErr(codeAuthorization, "version", "the version must be %s", AuthorizationVersion)
	}
	if !validPIID(a.PIID) {
		return parseErr(codeAuthorization, "piid", "the piid must be a lowercase UUID")
	}
	if a.Timestamp < 0 {
		return parseErr(codeAuthorization, "timestamp", "the timestamp must not be before 1970")
	}
	if !validPID(a.UDI.PID) {
		return parseErr(codeAuthorization, "udi", "the UDI's %s", pidMessage[len("the "):])
	}
	if !validSN(a.UDI.SN) {
		return parseErr(codeAuthorization, "udi", "the UDI's %s", snMessage[len("the "):])
	}
	for i, e := range a.Entitlements {
		if i > 0 && a.Entitlements[i-1].Tag >= e.Tag {
			return entitlementErr(e.Tag, "tag", "entitlements must be sorted by tag, one per tag")
		}
		if err := validateEntitlement(e); err != nil {
			return err
		}
	}
	return nil
}

func validateEntitlement(e Entitlement) error {
	if e.Tag == "" {
		return parseErr(codeAuthorization, "tag", "an entitlement has an empty tag")
	}
	for _, f := range []struct{ part, text string }{
		{"tag", e.Tag},
		{"text", e.DisplayName},
		{"text", e.TagDescription},
		{"text", e.SubscriptionID},
	} {
		if !validText(f.text) {
			return entitlementErr(e.Tag, f.part, "the text contains a control character")
		}
	}
	if e.Count < 1 || e.Count > MaxCount {
		return entitlementErr(e.Tag, "count", "the count must be between 1 and %d", MaxCount)
	}
	switch e.LicenseType {
	case LicenseTypePerpetual:
		if e.StartDate != "" {
			return entitlementErr(e.Tag, "startDate", "a PERPETUAL license has no start date")
		}
		if e.EndDate != "" {
			return entitlementErr(e.Tag, "endDate", "a PERPETUAL license has no end date")
		}
	case LicenseTypeTerm:
		end, ok := parseDate(e.EndDate)
		if !ok {
			return entitlementErr(e.Tag, "endDate", "a TERM license needs an end date YYYY-MM-DD")
		}
		if e.StartDate != "" {
			start, ok := parseDate(e.StartDate)
			if !ok {
				return entitlementErr(e.Tag, "startDate", "the start date must be YYYY-MM-DD")
			}
			if start.After(end) {
				return entitlementErr(e.Tag, "startDate", "the start date is after the end date")
			}
		}
	default:
		return entitlementErr(e.Tag, "licenseType", "the license type must be %s or %s", LicenseTypePerpetual, LicenseTypeTerm)
	}
	return nil
}

// parseDate accepts exactly YYYY-MM-DD naming a real day.
func parseDate(s string) (time.Time, bool) {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil || t.Format(time.DateOnly) != s {
		return time.Time{}, false
	}
	return t, true
}

// validPIID reports whether s is a UUID in canonical lowercase form.
func validPIID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return false
			}
		default:
			if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
				return false
			}
		}
	}
	return true
}
