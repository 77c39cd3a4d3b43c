package slrcode

import (
	"errors"
	"fmt"
)

// MaxInputSize bounds every parser's input. The largest legitimate input, an
// authorization code file, is a few KiB; the bound keeps a pasted or uploaded
// file from costing more than a glance.
const MaxInputSize = 64 << 10

// Names of the codes, used as the first words of a ParseError's message.
const (
	codeRequest       = "Reservation request code"
	codeAuthorization = "Authorization code"
	codeReturn        = "Reservation return code"
	codeConfirmation  = "Confirmation code"
	codePrivateKey    = "Signing key"
	codePublicKey     = "Public key"
)

// ParseError says which part of a code is wrong and why. Its message is meant
// for the user who typed or uploaded the code: it names the code and the part,
// never the internals.
type ParseError struct {
	// Part names the wrong part: "prefix", "PID", "serial", "nonce",
	// "checksum", "length", "encoding" for request codes; "structure",
	// "flag", "version", "piid", "timestamp", "tag", "count", "startDate",
	// "endDate", "licenseType", "text", "signature", "udi" for
	// authorization codes; "character" for return and confirmation codes;
	// "pem", "key" for keys.
	Part string
	// Msg completes the sentence "<code>: …", e.g. "the checksum is wrong".
	Msg string
	// Code names the code being parsed, e.g. "Reservation request code".
	Code string
}

func (e *ParseError) Error() string {
	if e.Code == "" {
		return "slrcode: " + e.Msg
	}
	return e.Code + ": " + e.Msg
}

func parseErr(code, part, format string, args ...any) *ParseError {
	return &ParseError{Code: code, Part: part, Msg: fmt.Sprintf(format, args...)}
}

// ErrUnsupportedProduct is wrapped by FamilyOf when a PID belongs to no family
// of the catalogue; the wrapping error names the PID.
var ErrUnsupportedProduct = errors.New("product does not support Specific License Reservation")

// ErrBadSignature means an authorization code is well formed but its
// signature does not verify with the given public key: it was not issued by
// that portal, or it was altered. Like a ParseError, its text is a sentence
// for the user, hence the capital.
var ErrBadSignature = errors.New("Authorization code: the signature is not valid for this portal's signing key")
