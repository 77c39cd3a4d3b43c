package licensing

import (
	"context"
	"fmt"

	"slrportal/internal/access"
)

// TransferTargets lists the other VAs of the SA that the actor may manage,
// by name: where a transfer from vaID may go.
func (s *Service) TransferTargets(ctx context.Context, a Actor, vaID int64) ([]VirtualAccount, error) {
	vas, _, err := s.VisibleVAs(ctx, a)
	if err != nil {
		return nil, err
	}
	var out []VirtualAccount
	for _, va := range vas {
		if va.ID != vaID && a.Can(access.ManageAssets, va.ID) {
			out = append(out, va)
		}
	}
	return out, nil
}

// transferTarget loads the target VA of a transfer. Whether it does not
// exist, is of another SA, or the actor may not manage it, the answer is the
// same message, so that its existence does not leak.
func transferTarget(ctx context.Context, r Repo, a Actor, from, to int64) (VirtualAccount, error) {
	if to == from && to != 0 {
		return VirtualAccount{}, Invalid("target_va", "Choose a virtual account other than the one the transfer comes from.")
	}
	bad := Invalid("target_va", "Choose a virtual account that you may manage.")
	if to <= 0 || !a.Can(access.ManageAssets, to) {
		return VirtualAccount{}, bad
	}
	va, err := r.VirtualAccount(ctx, to)
	if err != nil || va.SmartAccountID != a.SAID {
		return VirtualAccount{}, bad
	}
	return va, nil
}

// moveLicenses moves n purchased licenses of src (a license of VA from) to
// the license with the same tag in VA to, creating it there if missing
// (even when n is 0: a PI's lines need their license in its VA).
func moveLicenses(ctx context.Context, tx Repo, src License, to int64, n int) error {
	dst, err := licenseByTag(ctx, tx, to, src.Tag)
	if err != nil {
		dst = License{VAID: to, Tag: src.Tag, DisplayName: src.DisplayName, Description: src.Description, Family: src.Family,
			Type: src.Type, StartDate: src.StartDate, EndDate: src.EndDate}
		if err := tx.CreateLicense(ctx, &dst); err != nil {
			return fmt.Errorf("transfer: %w", err)
		}
	}
	if n == 0 {
		return nil // the license still exists in the target, for the lines that move
	}
	if err := tx.AddPurchased(ctx, src.ID, -n); err != nil {
		return fmt.Errorf("transfer: %w", err)
	}
	if err := tx.AddPurchased(ctx, dst.ID, n); err != nil {
		return fmt.Errorf("transfer: %w", err)
	}
	return nil
}

// TransferResult names what moved.
type TransferResult struct {
	PI     ProductInstance
	Target VirtualAccount
}

// TransferInstance moves a Reserved PI to another VA of the SA that the
// actor may also manage. Its reservation moves with it, and so do the
// purchased licenses that back it (at most what the source has purchased:
// a reservation beyond it was already short). Both VAs log the transfer.
func (s *Service) TransferInstance(ctx context.Context, a Actor, vaID, piID, targetVA int64) (TransferResult, error) {
	var res TransferResult
	err := s.store.InTx(ctx, func(tx Repo) error {
		pi, err := s.instance(ctx, tx, a, vaID, piID, access.ManageAssets)
		if err != nil {
			return err
		}
		if pi.Status != StatusReserved {
			return Invalid("", "Only a product instance in status Reserved can be transferred; %s is %s.", pi.UDIString(), pi.Status)
		}
		target, err := transferTarget(ctx, tx, a, vaID, targetVA)
		if err != nil {
			return err
		}
		source, err := tx.VirtualAccount(ctx, vaID)
		if err != nil {
			return fmt.Errorf("transfer: %w", err)
		}
		lic, err := licensesByTag(ctx, tx, vaID)
		if err != nil {
			return err
		}
		for _, ln := range pi.Lines {
			src, ok := lic[ln.Tag]
			if !ok {
				return fmt.Errorf("transfer: license %q: %w", ln.Tag, ErrNotFound)
			}
			if err := moveLicenses(ctx, tx, src, target.ID, min(ln.Count, src.Purchased)); err != nil {
				return err
			}
		}
		if err := tx.MoveInstance(ctx, pi.ID, target.ID); err != nil {
			return fmt.Errorf("transfer: %w", err)
		}
		lines := DescribeLines(pi.Lines, lic)
		base := Event{At: s.now(), SAID: a.SAID, UserID: a.User.ID, Username: a.User.Username, Type: EventTransfer,
			PIID: pi.ID, UDI: pi.UDIString(), Hostname: pi.Hostname, Details: "Licenses moved with it: " + lines,
			Licenses: LineTags(pi.Lines)}
		out, in := base, base
		out.VAID = vaID
		out.Message = fmt.Sprintf("Product instance %s transferred to virtual account %s with its reserved licenses", pi.UDIString(), target.Name)
		in.VAID = target.ID
		in.Message = fmt.Sprintf("Product instance %s transferred from virtual account %s with its reserved licenses", pi.UDIString(), source.Name)
		for _, e := range []Event{out, in} {
			if _, err := AppendEvent(ctx, tx, e); err != nil {
				return err
			}
		}
		pi.VAID = target.ID
		res = TransferResult{PI: pi, Target: target}
		return nil
	})
	return res, err
}

// LicenseTransferResult names what moved.
type LicenseTransferResult struct {
	License  License
	Target   VirtualAccount
	Quantity int
}

// TransferLicenseForm loads a license of vaID for the transfer form.
func (s *Service) TransferLicenseForm(ctx context.Context, a Actor, vaID, licenseID int64) (License, error) {
	if !a.Can(access.View, vaID) {
		return License{}, fmt.Errorf("license transfer: %w", ErrNotFound)
	}
	if !a.Can(access.ManageAssets, vaID) {
		return License{}, fmt.Errorf("license transfer: %w", ErrForbidden)
	}
	return licenseByID(ctx, s.store, vaID, licenseID)
}

// TransferLicenses moves purchased licenses between two VAs the actor may
// manage; the quantity may not exceed the source balance (checked inside
// the transaction). token makes a second submit change nothing.
func (s *Service) TransferLicenses(ctx context.Context, a Actor, vaID, licenseID, targetVA int64, qty int, token string) (LicenseTransferResult, error) {
	if token == "" {
		return LicenseTransferResult{}, Invalid("", "The form has expired. Start the transfer again.")
	}
	var res LicenseTransferResult
	err := s.store.InTx(ctx, func(tx Repo) error {
		if !a.Can(access.View, vaID) {
			return fmt.Errorf("license transfer: %w", ErrNotFound)
		}
		if !a.Can(access.ManageAssets, vaID) {
			return fmt.Errorf("license transfer: %w", ErrForbidden)
		}
		src, err := licenseByID(ctx, tx, vaID, licenseID)
		if err != nil {
			return err
		}
		res.License = src
		if id, err := tx.TokenResult(ctx, token); err != nil {
			return fmt.Errorf("license transfer: %w", err)
		} else if id != 0 {
			if id != licenseID {
				return fmt.Errorf("license transfer: token of another license: %w", ErrNotFound)
			}
			res.Quantity = -1 // already done
			return nil
		}
		target, err := transferTarget(ctx, tx, a, vaID, targetVA)
		if err != nil {
			return err
		}
		if qty < 1 {
			return Invalid("quantity", "Enter a quantity of 1 or more.")
		}
		if qty > src.Balance() {
			return Invalid("quantity", "The quantity (%d) is more than the balance of %s (%d): only licenses that are not in use can be transferred.",
				qty, src.DisplayName, max(src.Balance(), 0))
		}
		if err := moveLicenses(ctx, tx, src, target.ID, qty); err != nil {
			return err
		}
		source, err := tx.VirtualAccount(ctx, vaID)
		if err != nil {
			return fmt.Errorf("license transfer: %w", err)
		}
		base := Event{At: s.now(), SAID: a.SAID, UserID: a.User.ID, Username: a.User.Username, Type: EventLicenseTransfer, Details: "License: " + src.Tag,
			Licenses: []string{src.Tag}}
		out, in := base, base
		out.VAID = vaID
		out.Message = fmt.Sprintf("%d × %s transferred to virtual account %s", qty, src.DisplayName, target.Name)
		in.VAID = target.ID
		in.Message = fmt.Sprintf("%d × %s transferred from virtual account %s", qty, src.DisplayName, source.Name)
		for _, e := range []Event{out, in} {
			if _, err := AppendEvent(ctx, tx, e); err != nil {
				return err
			}
		}
		if err := tx.SaveToken(ctx, token, a.User.ID, licenseID); err != nil {
			return fmt.Errorf("license transfer: %w", err)
		}
		res.Target, res.Quantity = target, qty
		return nil
	})
	if err != nil {
		return LicenseTransferResult{}, err
	}
	return res, nil
}
