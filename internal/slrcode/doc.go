// Package slrcode owns the byte-exact formats of the four codes that the
// portal and devices exchange (DESIGN §4): the reservation request code, the
// signed authorization code file, the reservation return code and the
// confirmation code. It also holds the built-in catalogue of products that
// support Specific License Reservation (DESIGN §7.1) and the PEM encodings of
// the portal's signing key.
//
// The package is pure: it does no I/O beyond its arguments (randomness comes
// from crypto/rand), so the portal, the slrdevice simulator and tests share
// one implementation of every format.
//
// # Strictness
//
// Devices and third-party verifiers follow DESIGN §4 to the letter, so this
// package accepts exactly what it produces and nothing else. Every parser
// rejects input longer than [MaxInputSize] and input that is not valid UTF-8
// before looking at it, and reports what is wrong with a [*ParseError] that
// names the offending part. The authorization code parser re-serializes what
// it parsed and compares the result with the input bytes, so any deviation in
// element order, white space, escaping or number formatting is an error, and
// the signature is verified over the exact input bytes.
//
// # XML escaping
//
// The authorization code is XML, and XML allows several spellings of the same
// text (&#38; or &amp;, a raw or an escaped '>'). A signature covers bytes, not
// an infoset, so we pick one spelling and require it: the five characters
// & < > " ' are always written as &amp; &lt; &gt; &quot; &apos;, every other
// character is written as itself, and no other entity or character reference
// is accepted. Text may not contain control characters (which would break the
// one-line file or are not allowed in XML at all) nor U+FFFE and U+FFFF.
package slrcode
