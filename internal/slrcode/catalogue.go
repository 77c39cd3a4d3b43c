package slrcode

import (
	"fmt"
	"slices"
	"strings"
)

// Family is a product family of the catalogue of products that support SLR
// (DESIGN §7.1): a PID belongs to the family when it starts with one of the
// prefixes.
type Family struct {
	ID       string
	Name     string
	Prefixes []string
}

// catalogue is DESIGN §7.1, in its order. No prefix of one family is a prefix
// of another's, so the first match is the only match (a test checks this).
var catalogue = []Family{
	{ID: "C9200", Name: "Catalyst 9200", Prefixes: []string{"C9200-", "C9200L-"}},
	{ID: "C9300", Name: "Catalyst 9300", Prefixes: []string{"C9300-", "C9300L-", "C9300X-"}},
	{ID: "C9400", Name: "Catalyst 9400", Prefixes: []string{"C9400-", "C9404R", "C9407R", "C9410R"}},
	{ID: "C9500", Name: "Catalyst 9500", Prefixes: []string{"C9500-"}},
	{ID: "C9800", Name: "Catalyst 9800 WLC", Prefixes: []string{"C9800-"}},
	{ID: "ASR1000", Name: "ASR 1000", Prefixes: []string{"ASR1001-", "ASR1002-", "ASR1004", "ASR1006", "ASR1009"}},
	{ID: "ISR4000", Name: "ISR 4000", Prefixes: []string{"ISR4321", "ISR4331", "ISR4351", "ISR4431", "ISR4451"}},
	{ID: "C8000", Name: "Catalyst 8000 edge", Prefixes: []string{"C8200-", "C8300-", "C8500-", "C8000V"}},
	{ID: "NCS540", Name: "NCS 540", Prefixes: []string{"N540-", "N540X-"}},
}

func (f Family) clone() Family {
	f.Prefixes = slices.Clone(f.Prefixes)
	return f
}

// Families returns the catalogue in the order of DESIGN §7.1. The result is
// a copy: callers may change it.
func Families() []Family {
	out := make([]Family, len(catalogue))
	for i, f := range catalogue {
		out[i] = f.clone()
	}
	return out
}

// FamilyByID returns the family with the given ID ("C9300").
func FamilyByID(id string) (Family, bool) {
	for _, f := range catalogue {
		if f.ID == id {
			return f.clone(), true
		}
	}
	return Family{}, false
}

// UnsupportedProductError names a PID that belongs to no family of the
// catalogue. It wraps ErrUnsupportedProduct.
type UnsupportedProductError struct{ PID string }

func (e *UnsupportedProductError) Error() string {
	pid := e.PID
	if !validPID(pid) {
		// Quote what did not come from a well-formed code so that the
		// message stays one readable line.
		pid = fmt.Sprintf("%.60q", pid)
	}
	return "product " + pid + " does not support Specific License Reservation"
}

func (e *UnsupportedProductError) Unwrap() error { return ErrUnsupportedProduct }

// FamilyOf returns the family of a PID, or an *UnsupportedProductError
// (wrapping ErrUnsupportedProduct) that names the PID.
func FamilyOf(pid string) (Family, error) {
	for _, f := range catalogue {
		for _, p := range f.Prefixes {
			if strings.HasPrefix(pid, p) {
				return f.clone(), nil
			}
		}
	}
	return Family{}, &UnsupportedProductError{PID: pid}
}
