package slrcode

import (
	"crypto/rand"
	"crypto/sha256"
	"fmt"
	"strings"
	"unicode/utf8"
)

const requestPrefix = "CB-Z"

// RequestCode is a parsed reservation request code (DESIGN §4.1).
type RequestCode struct {
	UDI   UDI
	Nonce string
}

// String formats the code with its checksum. It assumes a valid code; use
// FormatRequestCode to check the parts.
func (r RequestCode) String() string {
	body := requestPrefix + r.UDI.PID + ":" + r.UDI.SN + "-" + r.Nonce
	return body + "-" + requestChecksum(body)
}

// requestChecksum is the first byte of SHA-256 of body as two uppercase hex
// digits.
func requestChecksum(body string) string {
	sum := sha256.Sum256([]byte(body))
	return fmt.Sprintf("%02X", sum[0])
}

// FormatRequestCode returns the request code for a device, or a *ParseError
// naming the part that does not have the format of DESIGN §4.1.
func FormatRequestCode(pid, sn, nonce string) (string, error) {
	if err := checkPID(codeRequest, pid); err != nil {
		return "", err
	}
	if err := checkSN(codeRequest, sn); err != nil {
		return "", err
	}
	if !validNonce(nonce) {
		return "", parseErr(codeRequest, "nonce", nonceMessage)
	}
	return RequestCode{UDI: UDI{PID: pid, SN: sn}, Nonce: nonce}.String(), nil
}

// ParseRequestCode parses a reservation request code. Surrounding white
// space is ignored; any other deviation from DESIGN §4.1 is a *ParseError
// that says which part is wrong.
//
// The code is split from the right: the checksum follows the last '-', the
// nonce the one before, and the PID ends at the first ':'. Splitting this way
// lets PIDs contain '-' and blames a stray '-' in a serial number on the
// serial number rather than on the nonce.
func ParseRequestCode(s string) (RequestCode, error) {
	if len(s) > MaxInputSize {
		return RequestCode{}, parseErr(codeRequest, "length", "the code is longer than 64 KiB")
	}
	if !utf8.ValidString(s) {
		return RequestCode{}, parseErr(codeRequest, "encoding", "the code is not valid UTF-8 text")
	}
	s = strings.TrimSpace(s)
	if s == "" {
		return RequestCode{}, parseErr(codeRequest, "length", "the code is empty")
	}
	rest, ok := strings.CutPrefix(s, requestPrefix)
	if !ok {
		return RequestCode{}, parseErr(codeRequest, "prefix", "the code must start with %s", requestPrefix)
	}
	colon := strings.IndexByte(rest, ':')
	if colon < 0 {
		if rest == "" {
			return RequestCode{}, parseErr(codeRequest, "PID", "the PID is missing")
		}
		return RequestCode{}, parseErr(codeRequest, "PID", "the PID must be followed by ':' and the serial number")
	}
	pid, tail := rest[:colon], rest[colon+1:]
	if err := checkPID(codeRequest, pid); err != nil {
		return RequestCode{}, err
	}
	lastDash := strings.LastIndexByte(tail, '-')
	if lastDash < 0 {
		if err := checkSN(codeRequest, tail); err != nil {
			return RequestCode{}, err
		}
		return RequestCode{}, parseErr(codeRequest, "nonce", "the nonce is missing")
	}
	ck := tail[lastDash+1:]
	head := tail[:lastDash]
	nonceDash := strings.LastIndexByte(head, '-')
	if nonceDash < 0 {
		// Only one '-' after the serial number: tell apart a missing nonce
		// from a missing checksum by what follows the '-'.
		if err := checkSN(codeRequest, head); err != nil {
			return RequestCode{}, err
		}
		if validNonce(ck) {
			return RequestCode{}, parseErr(codeRequest, "checksum", "the checksum is missing")
		}
		return RequestCode{}, parseErr(codeRequest, "nonce", "the nonce is missing")
	}
	sn, nonce := head[:nonceDash], head[nonceDash+1:]
	if err := checkSN(codeRequest, sn); err != nil {
		return RequestCode{}, err
	}
	if nonce == "" {
		return RequestCode{}, parseErr(codeRequest, "nonce", "the nonce is missing")
	}
	if !validNonce(nonce) {
		return RequestCode{}, parseErr(codeRequest, "nonce", nonceMessage)
	}
	if ck == "" {
		return RequestCode{}, parseErr(codeRequest, "checksum", "the checksum is missing")
	}
	if len(ck) != 2 || !isUpperHex(ck[0]) || !isUpperHex(ck[1]) {
		return RequestCode{}, parseErr(codeRequest, "checksum", "the checksum must be 2 hex digits 0-9, A-F")
	}
	if want := requestChecksum(s[:len(s)-len(ck)-1]); ck != want {
		return RequestCode{}, parseErr(codeRequest, "checksum", "the checksum is wrong")
	}
	return RequestCode{UDI: UDI{PID: pid, SN: sn}, Nonce: nonce}, nil
}

func isUpperHex(c byte) bool { return '0' <= c && c <= '9' || 'A' <= c && c <= 'F' }

// NewNonce returns a fresh request nonce: 9 characters of [A-Za-z0-9] drawn
// uniformly from crypto/rand.
func NewNonce() (string, error) {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	// Rejection sampling: bytes ≥ 248 (= 4×62) would favour the first
	// characters of the alphabet.
	const limit = 256 - 256%len(alphabet)
	out := make([]byte, 0, nonceLen)
	var buf [16]byte
	for len(out) < nonceLen {
		if _, err := rand.Read(buf[:]); err != nil {
			return "", fmt.Errorf("slrcode: nonce: %w", err)
		}
		for _, b := range buf {
			if int(b) < limit && len(out) < nonceLen {
				out = append(out, alphabet[int(b)%len(alphabet)])
			}
		}
	}
	return string(out), nil
}
