package licensing

import (
	"context"
	"fmt"
	"strings"

	"slrportal/internal/access"
	"slrportal/internal/slrcode"
)

// Remove removes a product instance and releases its lines. A failed PI
// (Failed - Pending Removal) needs no code: the device is dead. A live one
// needs the reservation return code of its latest authorization code, or,
// while an update is pending, of the code before it.
func (s *Service) Remove(ctx context.Context, a Actor, vaID, piID int64, returnCode string) (ProductInstance, error) {
	var removed ProductInstance
	err := s.store.InTx(ctx, func(tx Repo) error {
		pi, err := s.instance(ctx, tx, a, vaID, piID, access.ManageAssets)
		if err != nil {
			return err
		}
		msg := fmt.Sprintf("Product instance %s removed; its reserved licenses were returned to the virtual account", pi.UDIString())
		if pi.Status == StatusFailed {
			msg = fmt.Sprintf("Failed product instance %s removed; its reserved licenses were returned to the virtual account", pi.UDIString())
		} else {
			if strings.TrimSpace(returnCode) == "" {
				return Invalid("return_code", "Enter the Reservation Return Code from the device.")
			}
			codes, err := tx.AuthCodes(ctx, pi.ID)
			if err != nil {
				return fmt.Errorf("remove: %w", err)
			}
			accepted := 1
			if pi.Status == StatusUpdatePending {
				accepted = 2
			}
			ok := false
			for i := 0; i < len(codes) && i < accepted; i++ {
				if slrcode.MatchReturnCode(returnCode, slrcode.ReturnCode(pi.PIID, codes[i].Signature)) {
					ok = true
				}
			}
			if !ok {
				return Invalid("return_code", "The Reservation Return Code does not match this product instance's authorization code. Generate it on the device with 'license smart reservation return local' and try again.")
			}
		}
		if err := tx.MarkRemoved(ctx, pi.ID, s.now()); err != nil {
			return fmt.Errorf("remove: %w", err)
		}
		// A pending update ends with the device: nothing is left to cancel.
		if err := tx.DeletePreviousLines(ctx, pi.ID); err != nil {
			return fmt.Errorf("remove: %w", err)
		}
		lic, err := licensesByTag(ctx, tx, vaID)
		if err != nil {
			return err
		}
		if _, err := AppendEvent(ctx, tx, Event{At: s.now(), SAID: a.SAID, VAID: vaID, UserID: a.User.ID, Username: a.User.Username,
			Type: EventRemove, PIID: pi.ID, UDI: pi.UDIString(), Hostname: pi.Hostname, Message: msg,
			Details: "Licenses returned: " + DescribeLines(pi.Lines, lic), Licenses: LineTags(pi.Lines)}); err != nil {
			return err
		}
		removed = pi
		removed.Removed = true
		return nil
	})
	if err != nil {
		return ProductInstance{}, err
	}
	return removed, nil
}

// Whereabouts says what became of a product instance that is no longer in
// vaID, so that a second submit of Remove or Transfer (a double click, a
// retry) gets an answer instead of "not found". ok is false when the PI
// never was there or the user may not know where it went.
func (s *Service) Whereabouts(ctx context.Context, a Actor, vaID, piID int64) (msg string, ok bool) {
	if !a.Can(access.View, vaID) {
		return "", false
	}
	pi, err := s.store.ProductInstance(ctx, piID)
	if err != nil {
		return "", false
	}
	switch {
	case pi.Removed && pi.VAID == vaID:
		return fmt.Sprintf("Product instance %s was already removed.", pi.UDIString()), true
	case !pi.Removed && pi.VAID != vaID && a.Can(access.View, pi.VAID):
		va, err := s.store.VirtualAccount(ctx, pi.VAID)
		if err != nil {
			return "", false
		}
		return fmt.Sprintf("Product instance %s is already in virtual account %s.", pi.UDIString(), va.Name), true
	}
	return "", false
}
