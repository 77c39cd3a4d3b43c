package slrcode

import (
	"strings"
	"unicode"
)

// xmlEscaper is the one spelling of text that the authorization code allows
// (see the package comment).
var xmlEscaper = strings.NewReplacer(
	"&", "&amp;",
	"<", "&lt;",
	">", "&gt;",
	`"`, "&quot;",
	"'", "&apos;",
)

func escapeText(s string) string { return xmlEscaper.Replace(s) }

var xmlEntities = map[string]byte{"amp": '&', "lt": '<', "gt": '>', "quot": '"', "apos": '\''}

// unescapeText reverses escapeText. It accepts only the five named entities;
// whether the input used the canonical spelling for everything else is left
// to the caller's comparison with the re-serialized file.
func unescapeText(s string) (string, bool) {
	if !strings.Contains(s, "&") {
		return s, true
	}
	var b strings.Builder
	b.Grow(len(s))
	for {
		i := strings.IndexByte(s, '&')
		if i < 0 {
			b.WriteString(s)
			return b.String(), true
		}
		b.WriteString(s[:i])
		s = s[i+1:]
		semi := strings.IndexByte(s, ';')
		if semi < 0 {
			return "", false
		}
		c, ok := xmlEntities[s[:semi]]
		if !ok {
			return "", false
		}
		b.WriteByte(c)
		s = s[semi+1:]
	}
}

// validText reports whether s may stand in an element of the file: control
// characters would break the one-line format (or are not XML at all), and
// U+FFFE and U+FFFF are not XML characters. s is known to be valid UTF-8.
func validText(s string) bool {
	for _, r := range s {
		if unicode.IsControl(r) || r == 0xFFFE || r == 0xFFFF {
			return false
		}
	}
	return true
}
