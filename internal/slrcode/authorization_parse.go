package slrcode

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"strconv"
	"strings"
	"unicode/utf8"
)

// ParseAuthorizationCode parses an authorization code file without checking
// its signature (use VerifyAuthorizationCode for that). It accepts exactly
// the bytes that SignAuthorizationCode produces, with or without the final
// line ending ("\n", or "\r\n" from a file that passed through Windows), and
// reports anything else as a *ParseError.
func ParseAuthorizationCode(data []byte) (*AuthorizationCode, error) {
	a, _, err := parseAuthorization(data)
	return a, err
}

// VerifyAuthorizationCode parses an authorization code file and verifies its
// signature with pub over the exact input bytes that DESIGN §4.2 names. A
// well-formed file with a wrong signature gives ErrBadSignature.
func VerifyAuthorizationCode(data []byte, pub *ecdsa.PublicKey) (*AuthorizationCode, error) {
	if !isP256Public(pub) {
		return nil, errors.New("slrcode: verify: the key is not an ECDSA P-256 public key")
	}
	a, signed, err := parseAuthorization(data)
	if err != nil {
		return nil, err
	}
	der, err := base64.StdEncoding.Strict().DecodeString(a.Signature)
	if err != nil {
		// parseAuthorization has checked the encoding already.
		return nil, ErrBadSignature
	}
	digest := sha256.Sum256(signed)
	if !ecdsa.VerifyASN1(pub, digest[:], der) {
		return nil, ErrBadSignature
	}
	return a, nil
}

// parseAuthorization returns the parsed code and the bytes its signature
// covers, sliced from data itself rather than rebuilt.
func parseAuthorization(data []byte) (*AuthorizationCode, []byte, error) {
	if len(data) > MaxInputSize {
		return nil, nil, parseErr(codeAuthorization, "length", "the file is longer than 64 KiB")
	}
	if !utf8.Valid(data) {
		return nil, nil, parseErr(codeAuthorization, "encoding", "the file is not valid UTF-8 text")
	}
	body := data
	if b, ok := bytes.CutSuffix(body, []byte("\n")); ok {
		body, _ = bytes.CutSuffix(b, []byte("\r"))
	}
	if len(body) == 0 {
		return nil, nil, parseErr(codeAuthorization, "length", "the file is empty")
	}

	p := &xmlReader{s: string(body)}
	a := &AuthorizationCode{}
	p.expect("<specificPLR>")
	authStart := p.pos
	p.expect("<authorizationCode>")
	a.Flag = p.text("flag", "flag")
	a.Version = p.text("version", "version")
	a.PIID = p.text("piid", "piid")
	a.Timestamp = p.number("timestamp", "timestamp", 63)
	p.expect("<entitlements>")
	for p.err == nil && p.peek("<entitlement>") {
		p.expect("<entitlement>")
		var e Entitlement
		e.Tag = p.text("tag", "tag")
		e.Count = int(p.number("count", "count", 31))
		e.StartDate = p.text("startDate", "startDate")
		e.EndDate = p.text("endDate", "endDate")
		e.LicenseType = p.text("licenseType", "licenseType")
		e.DisplayName = p.text("displayName", "text")
		e.TagDescription = p.text("tagDescription", "text")
		e.SubscriptionID = p.text("subscriptionID", "text")
		p.expect("</entitlement>")
		a.Entitlements = append(a.Entitlements, e)
	}
	p.expect("</entitlements>")
	p.expect("</authorizationCode>")
	authEnd := p.pos
	a.Signature = p.text("signature", "signature")
	udiStart := p.pos
	udiText := p.text("udi", "udi")
	udiEnd := p.pos
	p.expect("</specificPLR>")
	if p.err == nil && p.pos != len(p.s) {
		p.fail("structure", "unexpected text after </specificPLR> at byte %d", p.pos)
	}
	if p.err != nil {
		return nil, nil, p.err
	}

	udi, ok := parseUDIText(udiText)
	if !ok {
		return nil, nil, parseErr(codeAuthorization, "udi", "the UDI must be P:<PID>,S:<serial number>")
	}
	a.UDI = udi
	if err := validateAuthorization(a); err != nil {
		return nil, nil, err
	}
	if err := checkSignatureText(a.Signature); err != nil {
		return nil, nil, err
	}
	// The element-by-element checks above should leave nothing for this to
	// find; it is the guarantee that we accept only what we would write.
	if canonical := marshalFile(a); !bytes.Equal(canonical, body) {
		return nil, nil, parseErr(codeAuthorization, "structure",
			"the file is not in the exact form of DESIGN §4.2 (first difference at byte %d)", firstDifference(canonical, body))
	}
	signed := make([]byte, 0, authEnd-authStart+udiEnd-udiStart)
	signed = append(signed, body[authStart:authEnd]...)
	signed = append(signed, body[udiStart:udiEnd]...)
	return a, signed, nil
}

// maxSignatureText bounds the base64 text of a DER P-256 signature (at most
// 72 bytes) with room to spare.
const maxSignatureText = 128

func checkSignatureText(sig string) error {
	if sig == "" {
		return parseErr(codeAuthorization, "signature", "the signature is missing")
	}
	if len(sig) > maxSignatureText {
		return parseErr(codeAuthorization, "signature", "the signature is too long")
	}
	der, err := base64.StdEncoding.Strict().DecodeString(sig)
	// The decoder skips '\r' and '\n'; re-encoding catches those and any
	// other second spelling of the same bytes.
	if err != nil || base64.StdEncoding.EncodeToString(der) != sig {
		return parseErr(codeAuthorization, "signature", "the signature is not standard base64")
	}
	return nil
}

// parseUDIText parses "P:<PID>,S:<SN>". A PID cannot contain ',', so the
// first ",S:" ends it.
func parseUDIText(s string) (UDI, bool) {
	rest, ok := strings.CutPrefix(s, "P:")
	if !ok {
		return UDI{}, false
	}
	pid, sn, ok := strings.Cut(rest, ",S:")
	if !ok {
		return UDI{}, false
	}
	return UDI{PID: pid, SN: sn}, true
}

// xmlReader walks the fixed element sequence of the file. The first error
// sticks and later calls do nothing, so the parser reads as the format does.
type xmlReader struct {
	s   string
	pos int
	err *ParseError
}

func (r *xmlReader) fail(part, format string, args ...any) {
	if r.err == nil {
		r.err = parseErr(codeAuthorization, part, format, args...)
	}
}

func (r *xmlReader) peek(lit string) bool { return strings.HasPrefix(r.s[r.pos:], lit) }

func (r *xmlReader) expect(lit string) {
	if r.err != nil {
		return
	}
	if !r.peek(lit) {
		r.fail("structure", "expected %s at byte %d", lit, r.pos)
		return
	}
	r.pos += len(lit)
}

// text reads <name>TEXT</name> and returns TEXT unescaped; part names the
// ParseError part for bad text.
func (r *xmlReader) text(name, part string) string {
	r.expect("<" + name + ">")
	if r.err != nil {
		return ""
	}
	start := r.pos
	end := strings.IndexByte(r.s[start:], '<')
	if end < 0 {
		r.fail("structure", "expected </%s> after byte %d", name, start)
		return ""
	}
	raw := r.s[start : start+end]
	r.pos = start + end
	r.expect("</" + name + ">")
	if r.err != nil {
		return ""
	}
	text, ok := unescapeText(raw)
	if !ok || escapeText(text) != raw {
		r.fail(part, "the text of <%s> at byte %d is not escaped as DESIGN §4.2 requires", name, start)
		return ""
	}
	if !validText(text) {
		r.fail(part, "the text of <%s> at byte %d contains a control character", name, start)
		return ""
	}
	return text
}

// number reads <name>DIGITS</name>: a non-negative decimal without leading
// zeros that fits in a signed integer of bits+1 bits.
func (r *xmlReader) number(name, part string, bits int) int64 {
	start := r.pos + len(name) + 2
	s := r.text(name, part)
	if r.err != nil {
		return 0
	}
	ok := s != "" && (s == "0" || s[0] != '0')
	for i := 0; ok && i < len(s); i++ {
		ok = '0' <= s[i] && s[i] <= '9'
	}
	if !ok {
		r.fail(part, "<%s> at byte %d must be a decimal number without leading zeros", name, start)
		return 0
	}
	n, err := strconv.ParseInt(s, 10, bits+1)
	if err != nil {
		r.fail(part, "<%s> at byte %d is too large", name, start)
		return 0
	}
	return n
}

// firstDifference returns the offset of the first byte where a and b differ.
func firstDifference(a, b []byte) int {
	n := min(len(a), len(b))
	for i := range n {
		if a[i] != b[i] {
			return i
		}
	}
	return n
}
