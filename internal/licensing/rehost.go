package licensing

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"slrportal/internal/access"
	"slrportal/internal/slrcode"
)

// RehostRule is the outcome of the 10 % rule of DESIGN §3.3.
type RehostRule struct {
	Sufficient bool // the VA's balance covers every line of the failed PI
	Fleet      int  // N: PIs of the VA not Failed - Pending Removal
	Limit      int  // ceil(N × 10 / 100)
	Pending    int  // PIs of the VA in Failed - Pending Removal
	Allowed    bool
}

// Outcome says in words what the check found, for Step 2.
func (r RehostRule) Outcome() string {
	if r.Sufficient {
		return "Sufficient licenses are available in the virtual account: the rehost needs no replacement allowance."
	}
	return fmt.Sprintf("Licenses are short in the virtual account: this rehost uses %d of %d allowed rehosts pending removal (10 %% of %d product instances).",
		r.Pending+1, r.Limit, r.Fleet)
}

// EvaluateRehostRule applies the 10 % rule: with sufficient licenses a
// rehost is always allowed; otherwise only while fewer than
// ceil(fleet × 10 / 100) failed products await removal.
func EvaluateRehostRule(sufficient bool, fleet, pending int) RehostRule {
	r := RehostRule{Sufficient: sufficient, Fleet: fleet, Pending: pending}
	r.Limit = (fleet*10 + 99) / 100
	r.Allowed = sufficient || pending < r.Limit
	return r
}

// RehostPlan is what Step 2 shows: the lines that move and the rule.
type RehostPlan struct {
	Failed      ProductInstance
	Replacement slrcode.UDI
	Lines       []Line
	Licenses    map[string]License
	Rule        RehostRule
}

// RehostResult is what Step 3 shows.
type RehostResult struct {
	Failed      ProductInstance
	Replacement ProductInstance
	Code        AuthCode
}

// RehostCheck runs the system check between Step 1 and Step 2. It changes
// nothing, except that a refusal by the 10 % rule is logged as an event.
func (s *Service) RehostCheck(ctx context.Context, a Actor, vaID, piID int64, requestCode string) (RehostPlan, error) {
	plan, err := s.planRehost(ctx, s.store, a, vaID, piID, requestCode)
	if err != nil {
		return plan, err
	}
	if !plan.Rule.Allowed {
		if lerr := s.store.InTx(ctx, func(tx Repo) error { return s.logRefusal(ctx, tx, a, plan, "") }); lerr != nil {
			return plan, fmt.Errorf("rehost check: %w", lerr)
		}
		return plan, fmt.Errorf("rehost check: %w", ErrReturnPending)
	}
	return plan, nil
}

// planRehost validates the request code against the failed PI and applies
// the rule, reading through r (the store, or the write transaction).
func (s *Service) planRehost(ctx context.Context, r Repo, a Actor, vaID, piID int64, requestCode string) (RehostPlan, error) {
	failed, err := s.instance(ctx, r, a, vaID, piID, access.ManageAssets)
	if err != nil {
		return RehostPlan{}, err
	}
	plan := RehostPlan{Failed: failed}
	if failed.Status != StatusReserved && failed.Status != StatusUpdatePending {
		return plan, Invalid("", "Only a product instance in status Reserved or Update Pending can be rehosted; %s is %s.", failed.Name(), failed.Status)
	}
	sa, err := r.SmartAccount(ctx, a.SAID)
	if err != nil {
		return plan, fmt.Errorf("rehost: %w", err)
	}
	if !sa.SLREnabled {
		return plan, ErrSLRDisabled
	}
	rc, err := ParseRequest(requestCode)
	if err != nil {
		return plan, err
	}
	plan.Replacement = rc.UDI
	fam, err := slrcode.FamilyOf(rc.UDI.PID)
	if err != nil {
		return plan, Invalid("request_code", "The replacement product %s does not support Specific License Reservation.", rc.UDI.PID)
	}
	if fam.ID != failed.Family {
		return plan, Invalid("request_code", "The replacement product %s is a %s; the failed product is a %s. Licenses can only be rehosted to a product of the same family.",
			rc.UDI.PID, fam.Name, FamilyName(failed.Family))
	}
	if live, err := r.LiveUDI(ctx, a.SAID, rc.UDI.PID, rc.UDI.SN); err != nil {
		return plan, fmt.Errorf("rehost: %w", err)
	} else if live != 0 {
		return plan, &UserError{Kind: ErrConflict, Field: "request_code",
			Msg: fmt.Sprintf("The replacement product %s is already a product instance in this Smart Account. Use the request code of a device that holds no reservation.", rc.UDI.String())}
	}
	if plan.Licenses, err = licensesByTag(ctx, r, vaID); err != nil {
		return plan, err
	}
	plan.Lines = failed.Lines
	sufficient := true
	for _, ln := range failed.Lines {
		if plan.Licenses[ln.Tag].Balance() < ln.Count {
			sufficient = false
		}
	}
	counts, err := r.StatusCounts(ctx, vaID)
	if err != nil {
		return plan, fmt.Errorf("rehost: %w", err)
	}
	fleet := 0
	for st, n := range counts {
		if st != StatusFailed {
			fleet += n
		}
	}
	plan.Rule = EvaluateRehostRule(sufficient, fleet, counts[StatusFailed])
	return plan, nil
}

// ParseRequest parses a pasted request code into a user-facing error.
func ParseRequest(code string) (slrcode.RequestCode, error) {
	code = strings.TrimSpace(code)
	if code == "" {
		return slrcode.RequestCode{}, Invalid("request_code", "Enter the Reservation Request Code from the device.")
	}
	rc, err := slrcode.ParseRequestCode(code)
	if err != nil {
		var pe *slrcode.ParseError
		if errors.As(err, &pe) {
			return rc, Invalid("request_code", "%s", pe.Error())
		}
		return rc, Invalid("request_code", "The Reservation Request Code is not valid.")
	}
	return rc, nil
}

func (s *Service) logRefusal(ctx context.Context, tx Repo, a Actor, plan RehostPlan, notes string) error {
	_, err := AppendEvent(ctx, tx, Event{
		At: s.now(), SAID: a.SAID, VAID: plan.Failed.VAID, UserID: a.User.ID, Username: a.User.Username,
		Type: EventRehostRefused, PIID: plan.Failed.ID, UDI: plan.Failed.UDIString(), Hostname: plan.Failed.Hostname,
		Message: fmt.Sprintf("Rehost of licenses from failed device %s to %s refused: previous product return pending (%d of %d allowed rehosts pending removal)",
			plan.Failed.UDIString(), plan.Replacement.String(), plan.Rule.Pending, plan.Rule.Limit),
		Details:  notesDetail(notes),
		Licenses: LineTags(plan.Failed.Lines),
	})
	return err
}

func notesDetail(notes string) string {
	if notes == "" {
		return ""
	}
	return "Notes: " + notes
}

// MaxNotesLen bounds the optional notes of a wizard.
const MaxNotesLen = 1000

// Rehost generates the authorization code for the replacement device. The
// check runs again inside the write transaction, so concurrent rehosts can
// never exceed the limit. token makes it idempotent: a second submit with the
// same token returns the first result and changes nothing.
func (s *Service) Rehost(ctx context.Context, a Actor, vaID, piID int64, requestCode, notes, token string) (RehostResult, error) {
	notes = strings.TrimSpace(notes)
	if len(notes) > MaxNotesLen {
		return RehostResult{}, Invalid("notes", "Notes may be at most %d characters long.", MaxNotesLen)
	}
	if token == "" {
		return RehostResult{}, Invalid("", "The form has expired. Start the rehost again.")
	}
	var res RehostResult
	refused := false
	err := s.store.InTx(ctx, func(tx Repo) error {
		if done, err := s.tokenResult(ctx, tx, a, vaID, token); err != nil || done.Code.ID != 0 {
			res = done
			return err
		}
		plan, err := s.planRehost(ctx, tx, a, vaID, piID, requestCode)
		if err != nil {
			return err
		}
		if !plan.Rule.Allowed {
			refused = true
			return s.logRefusal(ctx, tx, a, plan, notes)
		}
		now := s.now().UTC()
		failed := plan.Failed
		repl := ProductInstance{VAID: vaID, SAID: a.SAID, PIID: newPIID(), PID: plan.Replacement.PID, SN: plan.Replacement.SN,
			Family: failed.Family, Status: StatusReserved, RehostedFromID: failed.ID, CreatedAt: now, LastContact: now, Lines: failed.Lines}
		if err := tx.CreateInstance(ctx, &repl); err != nil {
			return fmt.Errorf("rehost: %w", err)
		}
		if err := tx.SetStatus(ctx, failed.ID, StatusFailed); err != nil {
			return fmt.Errorf("rehost: %w", err)
		}
		// A failed device's pending update can no longer be cancelled.
		if err := tx.DeletePreviousLines(ctx, failed.ID); err != nil {
			return fmt.Errorf("rehost: %w", err)
		}
		if err := tx.SetRehostedTo(ctx, failed.ID, repl.ID); err != nil {
			return fmt.Errorf("rehost: %w", err)
		}
		code, err := s.issueCode(ctx, tx, repl, repl.Lines, plan.Licenses, "rehost", a.User.Username)
		if err != nil {
			return err
		}
		lines := DescribeLines(failed.Lines, plan.Licenses)
		details := "Licenses: " + lines
		if notes != "" {
			details += "\n" + notesDetail(notes)
		}
		base := Event{At: now, SAID: a.SAID, VAID: vaID, UserID: a.User.ID, Username: a.User.Username, Details: details,
			Licenses: LineTags(failed.Lines)}
		e1 := base
		e1.Type, e1.PIID, e1.UDI = EventRehost, repl.ID, repl.UDIString()
		e1.Message = fmt.Sprintf("Product instance %s reserved licenses from a failed device %s", repl.UDIString(), failed.UDIString())
		e2 := base
		e2.Type, e2.PIID, e2.UDI, e2.Hostname = EventRehostFailed, failed.ID, failed.UDIString(), failed.Hostname
		e2.Message = fmt.Sprintf("Product instance %s failed; its reserved licenses were rehosted to %s and it is Failed - Pending Removal", failed.UDIString(), repl.UDIString())
		for _, e := range []Event{e1, e2} {
			if _, err := AppendEvent(ctx, tx, e); err != nil {
				return err
			}
		}
		if err := tx.SaveToken(ctx, token, a.User.ID, code.ID); err != nil {
			return fmt.Errorf("rehost: %w", err)
		}
		failed.Status = StatusFailed
		failed.RehostedToID = repl.ID
		res = RehostResult{Failed: failed, Replacement: repl, Code: code}
		return nil
	})
	if err != nil {
		return RehostResult{}, err
	}
	if refused {
		return RehostResult{}, fmt.Errorf("rehost: %w", ErrReturnPending)
	}
	return res, nil
}

// tokenResult returns the earlier result of a used one-time token.
func (s *Service) tokenResult(ctx context.Context, tx Repo, a Actor, vaID int64, token string) (RehostResult, error) {
	codeID, err := tx.TokenResult(ctx, token)
	if err != nil || codeID == 0 {
		return RehostResult{}, err
	}
	code, err := tx.AuthCode(ctx, codeID)
	if err != nil {
		return RehostResult{}, fmt.Errorf("token: %w", err)
	}
	pi, err := tx.ProductInstance(ctx, code.PIID)
	if err != nil {
		return RehostResult{}, fmt.Errorf("token: %w", err)
	}
	if pi.VAID != vaID {
		return RehostResult{}, fmt.Errorf("token: %w", ErrNotFound)
	}
	res := RehostResult{Replacement: pi, Code: code}
	if pi.RehostedFromID != 0 {
		if res.Failed, err = tx.ProductInstance(ctx, pi.RehostedFromID); err != nil {
			return RehostResult{}, fmt.Errorf("token: %w", err)
		}
	}
	return res, nil
}

// CodeView is an issued code with its product instance, for Step 3 and the
// download.
type CodeView struct {
	Code AuthCode
	PI   ProductInstance
	From *ProductInstance // the failed device, when the code came from a rehost
}

// Code loads an issued code of a PI in vaID that the actor may manage.
func (s *Service) Code(ctx context.Context, a Actor, vaID, codeID int64) (CodeView, error) {
	if !a.Can(access.View, vaID) {
		return CodeView{}, fmt.Errorf("code: %w", ErrNotFound)
	}
	if !a.Can(access.ManageAssets, vaID) {
		return CodeView{}, fmt.Errorf("code: %w", ErrForbidden)
	}
	c, err := s.store.AuthCode(ctx, codeID)
	if err != nil {
		return CodeView{}, fmt.Errorf("code: %w", err)
	}
	pi, err := s.store.ProductInstance(ctx, c.PIID)
	if err != nil {
		return CodeView{}, fmt.Errorf("code: %w", err)
	}
	if pi.VAID != vaID {
		return CodeView{}, fmt.Errorf("code: %w", ErrNotFound)
	}
	v := CodeView{Code: c, PI: pi}
	if pi.RehostedFromID != 0 {
		if from, err := s.store.ProductInstance(ctx, pi.RehostedFromID); err == nil {
			v.From = &from
		}
	}
	return v, nil
}

// DownloadCode returns a code for download and logs the download.
func (s *Service) DownloadCode(ctx context.Context, a Actor, vaID, codeID int64) (CodeView, error) {
	v, err := s.Code(ctx, a, vaID, codeID)
	if err != nil {
		return v, err
	}
	err = s.store.InTx(ctx, func(tx Repo) error {
		_, err := AppendEvent(ctx, tx, Event{At: s.now(), SAID: a.SAID, VAID: vaID, UserID: a.User.ID, Username: a.User.Username,
			Type: EventDownload, PIID: v.PI.ID, UDI: v.PI.UDIString(), Hostname: v.PI.Hostname,
			Message: fmt.Sprintf("Authorization code for product instance %s downloaded as %s", v.PI.UDIString(), slrcode.AuthorizationFileName(v.PI.SN))})
		return err
	})
	if err != nil {
		return CodeView{}, fmt.Errorf("download: %w", err)
	}
	return v, nil
}
