package licensing

import (
	"errors"
	"fmt"
)

// Sentinel errors. The store translates driver errors into these with %w; the
// web layer maps them to pages with errors.Is.
var (
	// ErrNotFound: the thing does not exist, or the user may not see it
	// (so that its existence does not leak).
	ErrNotFound = errors.New("not found")
	// ErrForbidden: the user may see the thing but not do this to it.
	ErrForbidden = errors.New("forbidden")
	// ErrConflict: a uniqueness rule was broken (e.g. a live UDI).
	ErrConflict = errors.New("conflict")
	// ErrInvalid: bad input; the error's text is safe to show.
	ErrInvalid = errors.New("invalid input")
	// ErrSLRDisabled: the smart account does not allow SLR operations.
	ErrSLRDisabled = errors.New("specific license reservation is not enabled for this smart account")
	// ErrReturnPending: the 10 % rule refused a rehost.
	ErrReturnPending = errors.New("previous product return pending")
)

// ReturnPendingMessage is the seed article's text for a refused rehost.
const ReturnPendingMessage = "Previous Product Return Pending: The licenses on this product cannot be moved to another product because there are no replacement licenses available in your inventory, and too many other failed products are still pending removal. The licenses will be returned to your inventory when the failed product is removed."

// UserError carries a message that is safe to show on the page the request
// came from. Kind is one of the sentinels above, so errors.Is still works.
type UserError struct {
	Kind  error
	Field string // form field the message belongs to, if any
	Msg   string
}

func (e *UserError) Error() string { return e.Msg }
func (e *UserError) Unwrap() error { return e.Kind }

// Invalid returns a UserError of kind ErrInvalid.
func Invalid(field, format string, args ...any) error {
	return &UserError{Kind: ErrInvalid, Field: field, Msg: fmt.Sprintf(format, args...)}
}

// Message returns the text to show a user for err, and whether err carries
// one. Internal errors have none: the caller shows a generic page.
func Message(err error) (string, bool) {
	var ue *UserError
	if errors.As(err, &ue) {
		return ue.Msg, true
	}
	switch {
	case errors.Is(err, ErrReturnPending):
		return ReturnPendingMessage, true
	case errors.Is(err, ErrSLRDisabled):
		return "Specific License Reservation is not enabled for this Smart Account. A Smart Account Administrator can enable it under Admin → Settings.", true
	case errors.Is(err, ErrForbidden):
		return "You do not have permission to do this in this Virtual Account.", true
	}
	return "", false
}
