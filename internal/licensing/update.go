package licensing

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"slrportal/internal/access"
	"slrportal/internal/slrcode"
)

// UpdateRow is one license of the PI's family on the update form.
type UpdateRow struct {
	License
	Current int // reserved by the PI now
	New     int // the quantity asked for
}

// Max is the most the PI may hold of this license: what it holds plus the
// balance (a negative balance allows no increase).
func (r UpdateRow) Max() int { return r.Current + max(r.Balance(), 0) }

// UpdatePlan is the update form and its review.
type UpdatePlan struct {
	PI    ProductInstance
	Rows  []UpdateRow
	Lines []Line // the new reservation
}

// Changes describes the differences, e.g. "C9300 DNA Advantage 1 → 3".
func (p UpdatePlan) Changes() []string {
	var out []string
	for _, r := range p.Rows {
		if r.New != r.Current {
			out = append(out, fmt.Sprintf("%s %d → %d", r.DisplayName, r.Current, r.New))
		}
	}
	return out
}

// UpdateForm loads the update form of a Reserved PI: every license of its
// family with what the PI holds. It changes nothing.
func (s *Service) UpdateForm(ctx context.Context, a Actor, vaID, piID int64) (UpdatePlan, error) {
	return s.planUpdate(ctx, s.store, a, vaID, piID, nil)
}

// UpdateCheck validates new quantities for the review step.
func (s *Service) UpdateCheck(ctx context.Context, a Actor, vaID, piID int64, qty map[int64]int) (UpdatePlan, error) {
	return s.planUpdate(ctx, s.store, a, vaID, piID, qty)
}

// planUpdate loads the form; with qty (quantity per license id, absent =
// unchanged) it validates the new reservation: an increase must fit the
// balance, a decrease releases, something must change, and something must
// remain (releasing everything is Remove).
func (s *Service) planUpdate(ctx context.Context, r Repo, a Actor, vaID, piID int64, qty map[int64]int) (UpdatePlan, error) {
	pi, err := s.instance(ctx, r, a, vaID, piID, access.ManageAssets)
	if err != nil {
		return UpdatePlan{}, err
	}
	plan := UpdatePlan{PI: pi}
	if pi.Status != StatusReserved {
		if pi.Status == StatusUpdatePending {
			return plan, Invalid("", "An update of %s is already pending: enter its confirmation code, or cancel the update, before updating again.", pi.UDIString())
		}
		return plan, Invalid("", "Only a product instance in status Reserved can be updated; %s is %s.", pi.UDIString(), pi.Status)
	}
	sa, err := r.SmartAccount(ctx, a.SAID)
	if err != nil {
		return plan, fmt.Errorf("update: %w", err)
	}
	if !sa.SLREnabled {
		return plan, ErrSLRDisabled
	}
	ls, err := r.Licenses(ctx, vaID)
	if err != nil {
		return plan, fmt.Errorf("update: %w", err)
	}
	held := map[string]int{}
	for _, l := range pi.Lines {
		held[l.Tag] = l.Count
	}
	for _, l := range ls {
		if l.Family == pi.Family || held[l.Tag] > 0 {
			plan.Rows = append(plan.Rows, UpdateRow{License: l, Current: held[l.Tag], New: held[l.Tag]})
		}
	}
	if qty == nil {
		return plan, nil
	}
	for id := range qty {
		if !slices.ContainsFunc(plan.Rows, func(r UpdateRow) bool { return r.ID == id }) {
			return plan, Invalid("", "Choose only licenses from the list.")
		}
	}
	changed := false
	for i := range plan.Rows {
		row := &plan.Rows[i]
		n, ok := qty[row.ID]
		if !ok {
			continue
		}
		row.New = n
		field := fmt.Sprintf("qty_%d", row.ID)
		if n < 0 {
			return plan, Invalid(field, "The quantity of %s must be a whole number of 0 or more.", row.DisplayName)
		}
		if n > row.Current && n-row.Current > row.Balance() {
			return plan, Invalid(field, "The quantity of %s (%d) is more than is available: it can be at most %d (%d reserved now, %d available).",
				row.DisplayName, n, row.Max(), row.Current, max(row.Balance(), 0))
		}
		if n != row.Current {
			changed = true
		}
	}
	if !changed {
		return plan, Invalid("", "The quantities are the same as the current reservation: change at least one.")
	}
	for _, row := range plan.Rows {
		if row.New > 0 {
			plan.Lines = append(plan.Lines, Line{Tag: row.Tag, Count: row.New})
		}
	}
	if len(plan.Lines) == 0 {
		return plan, Invalid("", "A reservation needs at least one license. To release every license, remove the product instance.")
	}
	plan.Lines = normalizeLines(plan.Lines)
	return plan, nil
}

// UpdateResult is what the last step of the update shows.
type UpdateResult struct {
	PI   ProductInstance
	Code AuthCode
}

// Update changes a PI's reservation and issues a new authorization code; the
// PI is Update Pending until its confirmation code is entered. The previous
// lines are kept for Cancel Update. The balances are checked again inside
// the transaction; token makes a second submit return the first result.
func (s *Service) Update(ctx context.Context, a Actor, vaID, piID int64, qty map[int64]int, token string) (UpdateResult, error) {
	if token == "" {
		return UpdateResult{}, Invalid("", "The form has expired. Start the update again.")
	}
	var res UpdateResult
	err := s.store.InTx(ctx, func(tx Repo) error {
		if done, err := s.reserveTokenResult(ctx, tx, vaID, token); err != nil || done.Code.ID != 0 {
			if err == nil && done.PI.ID != piID {
				return fmt.Errorf("update: token of another product instance: %w", ErrNotFound)
			}
			res = UpdateResult(done)
			return err
		}
		plan, err := s.planUpdate(ctx, tx, a, vaID, piID, qty)
		if err != nil {
			return err
		}
		pi := plan.PI
		if err := tx.SavePreviousLines(ctx, pi.ID, pi.Lines); err != nil {
			return fmt.Errorf("update: %w", err)
		}
		if err := tx.SetLines(ctx, pi.ID, plan.Lines); err != nil {
			return fmt.Errorf("update: %w", err)
		}
		if err := tx.SetStatus(ctx, pi.ID, StatusUpdatePending); err != nil {
			return fmt.Errorf("update: %w", err)
		}
		lic := make(map[string]License, len(plan.Rows))
		for _, r := range plan.Rows {
			lic[r.Tag] = r.License
		}
		code, err := s.issueCode(ctx, tx, pi, plan.Lines, lic, "update", a.User.Username)
		if err != nil {
			return err
		}
		var inc, dec []string
		for _, r := range plan.Rows {
			switch {
			case r.New > r.Current:
				inc = append(inc, fmt.Sprintf("%s %d → %d", r.DisplayName, r.Current, r.New))
			case r.New < r.Current:
				dec = append(dec, fmt.Sprintf("%s %d → %d", r.DisplayName, r.Current, r.New))
			}
		}
		var what []string
		if len(inc) > 0 {
			what = append(what, "increased "+strings.Join(inc, ", "))
		}
		if len(dec) > 0 {
			what = append(what, "decreased (released) "+strings.Join(dec, ", "))
		}
		if _, err := AppendEvent(ctx, tx, Event{At: s.now(), SAID: a.SAID, VAID: vaID, UserID: a.User.ID, Username: a.User.Username,
			Type: EventUpdate, PIID: pi.ID, UDI: pi.UDIString(), Hostname: pi.Hostname,
			Message: fmt.Sprintf("Reserved licenses of product instance %s updated: %s; confirmation code pending", pi.UDIString(), strings.Join(what, "; ")),
			Details: "Licenses: " + describeRows(plan.Rows), Licenses: rowTags(plan.Rows)}); err != nil {
			return err
		}
		if err := tx.SaveToken(ctx, token, a.User.ID, code.ID); err != nil {
			return fmt.Errorf("update: %w", err)
		}
		pi.Status, pi.Lines = StatusUpdatePending, plan.Lines
		res = UpdateResult{PI: pi, Code: code}
		return nil
	})
	if err != nil {
		return UpdateResult{}, err
	}
	return res, nil
}

func describeRows(rows []UpdateRow) string {
	var parts []string
	for _, r := range rows {
		if r.New > 0 {
			parts = append(parts, fmt.Sprintf("%d × %s", r.New, r.DisplayName))
		}
	}
	return strings.Join(parts, ", ")
}

// pendingPI loads a PI the actor may manage that has an update pending.
func (s *Service) pendingPI(ctx context.Context, tx Repo, a Actor, vaID, piID int64) (ProductInstance, error) {
	pi, err := s.instance(ctx, tx, a, vaID, piID, access.ManageAssets)
	if err != nil {
		return pi, err
	}
	if pi.Status != StatusUpdatePending {
		return pi, Invalid("", "Product instance %s has no update pending (it is %s).", pi.UDIString(), pi.Status)
	}
	return pi, nil
}

// Confirm completes a pending update with the confirmation code the device
// printed after installing the updated authorization code. A wrong code is
// refused and nothing changes.
func (s *Service) Confirm(ctx context.Context, a Actor, vaID, piID int64, confirmation string) (ProductInstance, error) {
	var out ProductInstance
	err := s.store.InTx(ctx, func(tx Repo) error {
		pi, err := s.pendingPI(ctx, tx, a, vaID, piID)
		if err != nil {
			return err
		}
		if strings.TrimSpace(confirmation) == "" {
			return Invalid("confirmation_code", "Enter the Confirmation Code that the device printed after installing the authorization code.")
		}
		codes, err := tx.AuthCodes(ctx, pi.ID)
		if err != nil {
			return fmt.Errorf("confirm: %w", err)
		}
		if len(codes) == 0 || !slrcode.MatchConfirmationCode(confirmation, slrcode.ConfirmationCode(codes[0].Signature)) {
			return Invalid("confirmation_code", "The Confirmation Code does not match the updated authorization code of this product instance. Install the latest authorization code on the device and enter the code it prints.")
		}
		if err := tx.SetStatus(ctx, pi.ID, StatusReserved); err != nil {
			return fmt.Errorf("confirm: %w", err)
		}
		if err := tx.DeletePreviousLines(ctx, pi.ID); err != nil {
			return fmt.Errorf("confirm: %w", err)
		}
		lic, err := licensesByTag(ctx, tx, vaID)
		if err != nil {
			return err
		}
		if _, err := AppendEvent(ctx, tx, Event{At: s.now(), SAID: a.SAID, VAID: vaID, UserID: a.User.ID, Username: a.User.Username,
			Type: EventConfirm, PIID: pi.ID, UDI: pi.UDIString(), Hostname: pi.Hostname,
			Message: fmt.Sprintf("Confirmation code entered for product instance %s; its updated reservation is Reserved", pi.UDIString()),
			Details: "Licenses: " + DescribeLines(pi.Lines, lic), Licenses: LineTags(pi.Lines)}); err != nil {
			return err
		}
		pi.Status = StatusReserved
		out = pi
		return nil
	})
	return out, err
}

// CancelUpdate restores the lines a PI held before its pending update. The
// authorization code the device still holds is issued again as the PI's
// latest code, so its return code keeps working.
func (s *Service) CancelUpdate(ctx context.Context, a Actor, vaID, piID int64) (ProductInstance, error) {
	var out ProductInstance
	err := s.store.InTx(ctx, func(tx Repo) error {
		pi, err := s.pendingPI(ctx, tx, a, vaID, piID)
		if err != nil {
			return err
		}
		prev, err := tx.PreviousLines(ctx, pi.ID)
		if err != nil {
			return fmt.Errorf("cancel update: %w", err)
		}
		if len(prev) == 0 {
			return Invalid("", "The reservation before the update of %s is not known, so the update cannot be cancelled.", pi.UDIString())
		}
		// Licenses the update released may have been reserved or moved
		// since; restoring must not take more than is free.
		lic, err := licensesByTag(ctx, tx, vaID)
		if err != nil {
			return err
		}
		now := map[string]int{}
		for _, l := range pi.Lines {
			now[l.Tag] = l.Count
		}
		for _, l := range prev {
			if grow := l.Count - now[l.Tag]; grow > 0 && grow > lic[l.Tag].Balance() {
				return Invalid("", "The update of %s cannot be cancelled: %d × %s would have to be reserved again, and only %d are available now. Deposit or transfer licenses into this virtual account first, or confirm the update.",
					pi.UDIString(), grow, lic[l.Tag].DisplayName, max(lic[l.Tag].Balance(), 0))
			}
		}
		codes, err := tx.AuthCodes(ctx, pi.ID)
		if err != nil {
			return fmt.Errorf("cancel update: %w", err)
		}
		if err := tx.SetLines(ctx, pi.ID, prev); err != nil {
			return fmt.Errorf("cancel update: %w", err)
		}
		if err := tx.SetStatus(ctx, pi.ID, StatusReserved); err != nil {
			return fmt.Errorf("cancel update: %w", err)
		}
		if err := tx.DeletePreviousLines(ctx, pi.ID); err != nil {
			return fmt.Errorf("cancel update: %w", err)
		}
		if len(codes) > 1 {
			again := codes[1]
			again.ID, again.Kind, again.CreatedAt, again.Username = 0, "update cancelled", s.now().UTC(), a.User.Username
			if err := tx.InsertAuthCode(ctx, &again); err != nil {
				return fmt.Errorf("cancel update: %w", err)
			}
		}
		if _, err := AppendEvent(ctx, tx, Event{At: s.now(), SAID: a.SAID, VAID: vaID, UserID: a.User.ID, Username: a.User.Username,
			Type: EventUpdateCancelled, PIID: pi.ID, UDI: pi.UDIString(), Hostname: pi.Hostname,
			Message: fmt.Sprintf("Update of product instance %s cancelled; its previous reservation was restored", pi.UDIString()),
			Details: "Licenses: " + DescribeLines(prev, lic), Licenses: LineTags(prev)}); err != nil {
			return err
		}
		pi.Status, pi.Lines = StatusReserved, prev
		out = pi
		return nil
	})
	return out, err
}

// rowTags names the licenses an update touches: every row whose quantity
// changes or stays reserved.
func rowTags(rows []UpdateRow) []string {
	var out []string
	for _, r := range rows {
		if r.New > 0 || r.Current > 0 {
			out = append(out, r.Tag)
		}
	}
	return out
}
