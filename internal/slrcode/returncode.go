package slrcode

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base32"
	"encoding/hex"
	"strings"
	"unicode"
	"unicode/utf8"
)

const (
	returnCodeLen       = 48 // base32 of 30 bytes, no padding
	returnGroupLen      = 6
	confirmationCodeLen = 8
)

var returnEncoding = base32.StdEncoding.WithPadding(base32.NoPadding)

// ReturnCode is the reservation return code of an authorization code
// (DESIGN §4.3): SHA-256 of "return:<piid>:<signature>", its first 30 bytes
// in base32, as 8 groups of 6 characters joined by '-'.
func ReturnCode(piid, signature string) string {
	sum := sha256.Sum256([]byte("return:" + piid + ":" + signature))
	return groupReturnCode(returnEncoding.EncodeToString(sum[:30]))
}

func groupReturnCode(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i += returnGroupLen {
		if i > 0 {
			b.WriteByte('-')
		}
		b.WriteString(s[i:min(i+returnGroupLen, len(s))])
	}
	return b.String()
}

// ConfirmationCode is the code a device prints after installing an
// authorization code (DESIGN §4.4): the first 4 bytes of SHA-256 of
// "confirm:<signature>" as 8 lowercase hex digits.
func ConfirmationCode(signature string) string {
	sum := sha256.Sum256([]byte("confirm:" + signature))
	return hex.EncodeToString(sum[:4])
}

// squeeze drops white space and hyphens, which people add or lose when they
// copy a code, and maps ASCII letters with fold. Non-ASCII letters are kept
// as they are so that no Unicode case rule can turn them into a code
// character.
func squeeze(s string, fold func(byte) byte) string {
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		switch {
		case r == '-' || unicode.IsSpace(r):
		case r < utf8.RuneSelf:
			b.WriteByte(fold(byte(r)))
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

func upperASCII(c byte) byte {
	if 'a' <= c && c <= 'z' {
		return c - 'a' + 'A'
	}
	return c
}

func lowerASCII(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c - 'A' + 'a'
	}
	return c
}

// matchCode compares two codes after normalizing both, in time that does not
// depend on where they differ, so that a wrong guess tells nothing about the
// right code. An empty want matches nothing.
func matchCode(input, want string, fold func(byte) byte) bool {
	if len(input) > MaxInputSize {
		return false
	}
	in, w := squeeze(input, fold), squeeze(want, fold)
	if w == "" {
		return false
	}
	return subtle.ConstantTimeCompare([]byte(in), []byte(w)) == 1
}

// MatchReturnCode reports whether a return code typed by a user equals want,
// ignoring case, white space and hyphens.
func MatchReturnCode(input, want string) bool { return matchCode(input, want, upperASCII) }

// MatchConfirmationCode reports whether a confirmation code typed by a user
// equals want, ignoring case, white space and hyphens.
func MatchConfirmationCode(input, want string) bool { return matchCode(input, want, lowerASCII) }

// NormalizeReturnCode checks that s is a well-formed return code (in any
// case, with any white space and hyphens) and returns it in canonical form,
// so that a caller can tell a mistyped code from a wrong one.
func NormalizeReturnCode(s string) (string, error) {
	if len(s) > MaxInputSize {
		return "", parseErr(codeReturn, "length", "the code is longer than 64 KiB")
	}
	if !utf8.ValidString(s) {
		return "", parseErr(codeReturn, "encoding", "the code is not valid UTF-8 text")
	}
	c := squeeze(s, upperASCII)
	for i := 0; i < len(c); i++ {
		if !('A' <= c[i] && c[i] <= 'Z' || '2' <= c[i] && c[i] <= '7') {
			return "", parseErr(codeReturn, "character", "the code may contain only letters A-Z, digits 2-7, hyphens and spaces")
		}
	}
	if len(c) != returnCodeLen {
		return "", parseErr(codeReturn, "length", "the code must have %d letters and digits, not %d", returnCodeLen, len(c))
	}
	return groupReturnCode(c), nil
}

// NormalizeConfirmationCode checks that s is a well-formed confirmation code
// (in any case, with any white space and hyphens) and returns it in
// canonical form.
func NormalizeConfirmationCode(s string) (string, error) {
	if len(s) > MaxInputSize {
		return "", parseErr(codeConfirmation, "length", "the code is longer than 64 KiB")
	}
	if !utf8.ValidString(s) {
		return "", parseErr(codeConfirmation, "encoding", "the code is not valid UTF-8 text")
	}
	c := squeeze(s, lowerASCII)
	for i := 0; i < len(c); i++ {
		if !('0' <= c[i] && c[i] <= '9' || 'a' <= c[i] && c[i] <= 'f') {
			return "", parseErr(codeConfirmation, "character", "the code may contain only hex digits 0-9 and a-f")
		}
	}
	if len(c) != confirmationCodeLen {
		return "", parseErr(codeConfirmation, "length", "the code must have %d hex digits, not %d", confirmationCodeLen, len(c))
	}
	return c, nil
}
