package licensing

import (
	"context"
	"fmt"
	"slices"

	"slrportal/internal/access"
	"slrportal/internal/slrcode"
)

// ReservePlan is what the reserve wizard shows after Step 1: the device and
// the licenses of its family it may choose from (Available = Balance).
type ReservePlan struct {
	Device   slrcode.UDI
	Family   slrcode.Family
	Licenses []License // of the device's family, by display name
	Lines    []Line    // the selection, once quantities were given
}

// License returns the plan's license with this tag.
func (p ReservePlan) License(tag string) License {
	for _, l := range p.Licenses {
		if l.Tag == tag {
			return l
		}
	}
	return License{Tag: tag, DisplayName: tag}
}

// ReserveResult is what Step 4 shows.
type ReserveResult struct {
	PI   ProductInstance
	Code AuthCode
}

// ReserveCheck validates the request code (Step 1) and lists the licenses
// the device may reserve. It changes nothing.
func (s *Service) ReserveCheck(ctx context.Context, a Actor, vaID int64, requestCode string) (ReservePlan, error) {
	return s.planReserve(ctx, s.store, a, vaID, requestCode)
}

// ReserveSelect validates the quantities of Step 2 against the balances
// (Step 3 shows the result). It changes nothing; Reserve checks again.
func (s *Service) ReserveSelect(ctx context.Context, a Actor, vaID int64, requestCode string, qty map[int64]int) (ReservePlan, error) {
	plan, err := s.planReserve(ctx, s.store, a, vaID, requestCode)
	if err != nil {
		return plan, err
	}
	plan.Lines, err = selectLines(plan.Licenses, qty)
	return plan, err
}

func (s *Service) planReserve(ctx context.Context, r Repo, a Actor, vaID int64, requestCode string) (ReservePlan, error) {
	if !a.Can(access.View, vaID) {
		return ReservePlan{}, fmt.Errorf("reserve: %w", ErrNotFound)
	}
	if !a.Can(access.ManageAssets, vaID) {
		return ReservePlan{}, fmt.Errorf("reserve: %w", ErrForbidden)
	}
	if _, err := r.VirtualAccount(ctx, vaID); err != nil {
		return ReservePlan{}, fmt.Errorf("reserve: %w", err)
	}
	sa, err := r.SmartAccount(ctx, a.SAID)
	if err != nil {
		return ReservePlan{}, fmt.Errorf("reserve: %w", err)
	}
	if !sa.SLREnabled {
		return ReservePlan{}, ErrSLRDisabled
	}
	rc, err := ParseRequest(requestCode)
	if err != nil {
		return ReservePlan{}, err
	}
	plan := ReservePlan{Device: rc.UDI}
	if plan.Family, err = slrcode.FamilyOf(rc.UDI.PID); err != nil {
		return plan, Invalid("request_code", "The product %s does not support Specific License Reservation: it is not in the catalogue of products that support SLR.", rc.UDI.PID)
	}
	if live, err := r.LiveUDI(ctx, a.SAID, rc.UDI.PID, rc.UDI.SN); err != nil {
		return plan, fmt.Errorf("reserve: %w", err)
	} else if live != 0 {
		return plan, &UserError{Kind: ErrConflict, Field: "request_code",
			Msg: fmt.Sprintf("The product %s is already a product instance in this Smart Account. Remove it (with its return code) before reserving licenses for it again.", rc.UDI.String())}
	}
	all, err := r.Licenses(ctx, vaID)
	if err != nil {
		return plan, fmt.Errorf("reserve: %w", err)
	}
	for _, l := range all {
		if l.Family == plan.Family.ID {
			plan.Licenses = append(plan.Licenses, l)
		}
	}
	if len(plan.Licenses) == 0 {
		return plan, Invalid("request_code", "This virtual account has no %s licenses to reserve for %s.", plan.Family.Name, rc.UDI.String())
	}
	return plan, nil
}

// selectLines turns quantities per license id into lines, refusing a
// quantity above the balance, a license outside the list, and an empty
// selection.
func selectLines(ls []License, qty map[int64]int) ([]Line, error) {
	var lines []Line
	for id, n := range qty {
		if n == 0 {
			continue
		}
		i := slices.IndexFunc(ls, func(l License) bool { return l.ID == id })
		if i < 0 {
			return nil, Invalid("", "Choose only licenses from the list.")
		}
		l := ls[i]
		if n < 0 {
			return nil, Invalid(fmt.Sprintf("qty_%d", id), "The quantity of %s must be a whole number of 0 or more.", l.DisplayName)
		}
		if n > l.Balance() {
			return nil, Invalid(fmt.Sprintf("qty_%d", id), "The quantity of %s (%d) is more than is available (%d).", l.DisplayName, n, max(l.Balance(), 0))
		}
		lines = append(lines, Line{Tag: l.Tag, Count: n})
	}
	if len(lines) == 0 {
		return nil, Invalid("", "Select at least one license: enter a quantity for the licenses to reserve.")
	}
	return normalizeLines(lines), nil
}

// Reserve creates the product instance with its reservation and issues its
// authorization code, in one transaction that checks the balances again, so
// concurrent reserves never drive a balance below zero. token makes a
// second submit return the first result.
func (s *Service) Reserve(ctx context.Context, a Actor, vaID int64, requestCode string, qty map[int64]int, token string) (ReserveResult, error) {
	if token == "" {
		return ReserveResult{}, Invalid("", "The form has expired. Start the reservation again.")
	}
	var res ReserveResult
	err := s.store.InTx(ctx, func(tx Repo) error {
		if done, err := s.reserveTokenResult(ctx, tx, vaID, token); err != nil || done.Code.ID != 0 {
			res = done
			return err
		}
		plan, err := s.planReserve(ctx, tx, a, vaID, requestCode)
		if err != nil {
			return err
		}
		lines, err := selectLines(plan.Licenses, qty)
		if err != nil {
			return err
		}
		now := s.now().UTC()
		pi := ProductInstance{VAID: vaID, SAID: a.SAID, PIID: newPIID(), PID: plan.Device.PID, SN: plan.Device.SN,
			Family: plan.Family.ID, Status: StatusReserved, CreatedAt: now, LastContact: now, Lines: lines}
		if err := tx.CreateInstance(ctx, &pi); err != nil {
			return fmt.Errorf("reserve: %w", err)
		}
		lic := make(map[string]License, len(plan.Licenses))
		for _, l := range plan.Licenses {
			lic[l.Tag] = l
		}
		code, err := s.issueCode(ctx, tx, pi, lines, lic, "reserve", a.User.Username)
		if err != nil {
			return err
		}
		if _, err := AppendEvent(ctx, tx, Event{At: now, SAID: a.SAID, VAID: vaID, UserID: a.User.ID, Username: a.User.Username,
			Type: EventReserve, PIID: pi.ID, UDI: pi.UDIString(),
			Message: fmt.Sprintf("Product instance %s reserved %s", pi.UDIString(), DescribeLines(lines, lic)),
			Details: "Licenses: " + DescribeLines(lines, lic), Licenses: LineTags(lines)}); err != nil {
			return err
		}
		if err := tx.SaveToken(ctx, token, a.User.ID, code.ID); err != nil {
			return fmt.Errorf("reserve: %w", err)
		}
		res = ReserveResult{PI: pi, Code: code}
		return nil
	})
	if err != nil {
		return ReserveResult{}, err
	}
	return res, nil
}

// reserveTokenResult returns the earlier result of a used one-time token.
func (s *Service) reserveTokenResult(ctx context.Context, tx Repo, vaID int64, token string) (ReserveResult, error) {
	codeID, err := tx.TokenResult(ctx, token)
	if err != nil || codeID == 0 {
		return ReserveResult{}, err
	}
	code, err := tx.AuthCode(ctx, codeID)
	if err != nil {
		return ReserveResult{}, fmt.Errorf("token: %w", err)
	}
	pi, err := tx.ProductInstance(ctx, code.PIID)
	if err != nil {
		return ReserveResult{}, fmt.Errorf("token: %w", err)
	}
	if pi.VAID != vaID {
		return ReserveResult{}, fmt.Errorf("token: %w", ErrNotFound)
	}
	return ReserveResult{PI: pi, Code: code}, nil
}
