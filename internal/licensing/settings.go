package licensing

import (
	"context"
	"fmt"
	"strings"
	"time"

	"slrportal/internal/access"
	"slrportal/internal/slrcode"
)

// SettingsView is the SA settings page: the SLR flag, the catalogue and
// what a deposit can go into.
type SettingsView struct {
	SmartAccount SmartAccount
	Families     []slrcode.Family
	VAs          []VirtualAccount
	Licenses     map[int64][]License // by VA id
}

// requireSAAdmin refuses everyone but SA administrators. The page does not
// exist for them (404), like a VA they may not see.
func requireSAAdmin(a Actor) error {
	if !a.Can(access.ManageSmartAccount, 0) {
		return fmt.Errorf("settings: %w", ErrNotFound)
	}
	return nil
}

// Settings loads the SA settings page for an SA administrator.
func (s *Service) Settings(ctx context.Context, a Actor) (SettingsView, error) {
	if err := requireSAAdmin(a); err != nil {
		return SettingsView{}, err
	}
	var v SettingsView
	var err error
	if v.SmartAccount, err = s.store.SmartAccount(ctx, a.SAID); err != nil {
		return v, fmt.Errorf("settings: %w", err)
	}
	if v.VAs, err = s.store.VirtualAccounts(ctx, a.SAID); err != nil {
		return v, fmt.Errorf("settings: %w", err)
	}
	v.Families = slrcode.Families()
	v.Licenses = make(map[int64][]License, len(v.VAs))
	all, err := s.store.LicensesOfSA(ctx, a.SAID)
	if err != nil {
		return v, fmt.Errorf("settings: %w", err)
	}
	for _, l := range all {
		v.Licenses[l.VAID] = append(v.Licenses[l.VAID], l)
	}
	return v, nil
}

// SetSLREnabled turns Specific License Reservation on or off for the actor's
// SA and logs the change. Setting the value it already has changes nothing.
func (s *Service) SetSLREnabled(ctx context.Context, a Actor, enabled bool) error {
	if err := requireSAAdmin(a); err != nil {
		return err
	}
	return s.store.InTx(ctx, func(tx Repo) error {
		sa, err := tx.SmartAccount(ctx, a.SAID)
		if err != nil {
			return fmt.Errorf("settings: %w", err)
		}
		if sa.SLREnabled == enabled {
			return nil
		}
		if err := tx.SetSLREnabled(ctx, a.SAID, enabled); err != nil {
			return fmt.Errorf("settings: %w", err)
		}
		word := "disabled"
		if enabled {
			word = "enabled"
		}
		_, err = AppendEvent(ctx, tx, Event{At: s.now(), SAID: a.SAID, UserID: a.User.ID, Username: a.User.Username, Type: EventSettings,
			Message: fmt.Sprintf("Specific License Reservation %s for smart account %s", word, sa.Name)})
		return err
	})
}

// MaxDeposit bounds one deposit.
const MaxDeposit = 100000

// DepositInput is the deposit form: either an existing license (LicenseID)
// or a new one described by the other fields.
type DepositInput struct {
	VAID        int64
	LicenseID   int64 // 0: a new license
	Tag         string
	DisplayName string
	Family      string
	Type        LicenseType
	EndDate     string
	Quantity    int
}

// Deposit adds purchased licenses to a VA (our stand-in for an order) and
// logs a DEPOSIT event in that VA. token makes a resubmit change nothing.
func (s *Service) Deposit(ctx context.Context, a Actor, in DepositInput, token string) (License, error) {
	if err := requireSAAdmin(a); err != nil {
		return License{}, err
	}
	if token == "" {
		return License{}, Invalid("", "The form has expired. Reload the page and deposit again.")
	}
	if in.Quantity < 1 || in.Quantity > MaxDeposit {
		return License{}, Invalid("quantity", "Enter a quantity between 1 and %d.", MaxDeposit)
	}
	in.Tag, in.DisplayName, in.EndDate = strings.TrimSpace(in.Tag), strings.TrimSpace(in.DisplayName), strings.TrimSpace(in.EndDate)
	var out License
	err := s.store.InTx(ctx, func(tx Repo) error {
		if id, err := tx.TokenResult(ctx, token); err != nil {
			return fmt.Errorf("deposit: %w", err)
		} else if id != 0 {
			out, err = licenseByID(ctx, tx, in.VAID, id)
			return err
		}
		va, err := tx.VirtualAccount(ctx, in.VAID)
		if err != nil || va.SmartAccountID != a.SAID {
			return Invalid("va", "Choose the virtual account to deposit into.")
		}
		var lic License
		if in.LicenseID != 0 {
			if lic, err = licenseByID(ctx, tx, va.ID, in.LicenseID); err != nil {
				return Invalid("license", "Choose a license of virtual account %s, or describe a new one.", va.Name)
			}
		} else {
			lic = License{VAID: va.ID, Tag: in.Tag, DisplayName: in.DisplayName, Family: in.Family, Type: in.Type, EndDate: in.EndDate}
			if err := validateNewLicense(lic); err != nil {
				return err
			}
			if _, err := licenseByTag(ctx, tx, va.ID, lic.Tag); err == nil {
				return Invalid("tag", "Virtual account %s already has a license with this tag: choose it from the list instead.", va.Name)
			}
			if err := tx.CreateLicense(ctx, &lic); err != nil {
				return fmt.Errorf("deposit: %w", err)
			}
		}
		if err := tx.AddPurchased(ctx, lic.ID, in.Quantity); err != nil {
			return fmt.Errorf("deposit: %w", err)
		}
		if _, err := AppendEvent(ctx, tx, Event{At: s.now(), SAID: a.SAID, VAID: va.ID, UserID: a.User.ID, Username: a.User.Username, Type: EventDeposit,
			Message: fmt.Sprintf("%d × %s deposited into virtual account %s", in.Quantity, lic.DisplayName, va.Name),
			Details: "License: " + lic.Tag, Licenses: []string{lic.Tag}}); err != nil {
			return err
		}
		if err := tx.SaveToken(ctx, token, a.User.ID, lic.ID); err != nil {
			return fmt.Errorf("deposit: %w", err)
		}
		out, err = licenseByID(ctx, tx, va.ID, lic.ID)
		return err
	})
	if err != nil {
		return License{}, err
	}
	return out, nil
}

func validateNewLicense(l License) error {
	if l.Tag == "" || len(l.Tag) > 300 || !printable(l.Tag) || strings.ContainsAny(l.Tag, " \t") {
		return Invalid("tag", "Enter the license tag (at most 300 characters, no spaces), e.g. regid.2017-03.com.cisco.C9300_DNA_Advantage,1.0_….")
	}
	if l.DisplayName == "" || len(l.DisplayName) > 200 || !printable(l.DisplayName) {
		return Invalid("display_name", "Enter a display name of at most 200 characters.")
	}
	if _, ok := slrcode.FamilyByID(l.Family); !ok {
		return Invalid("family", "Choose a product family from the catalogue.")
	}
	switch l.Type {
	case Perpetual:
		if l.EndDate != "" {
			return Invalid("end_date", "A perpetual license has no end date; leave it empty or choose Term.")
		}
	case Term:
		end, err := time.Parse(time.DateOnly, l.EndDate)
		if err != nil || end.Format(time.DateOnly) != l.EndDate {
			return Invalid("end_date", "A term license needs an end date YYYY-MM-DD.")
		}
	default:
		return Invalid("type", "Choose Perpetual or Term.")
	}
	return nil
}

// printable rejects control characters, which cannot stand in a code file.
func printable(s string) bool {
	for _, r := range s {
		if r < 0x20 || r == 0x7f || r == 0xFFFE || r == 0xFFFF || (r >= 0x80 && r < 0xa0) {
			return false
		}
	}
	return true
}

// licenseByID returns a license of vaID with In Use filled.
func licenseByID(ctx context.Context, r Repo, vaID, id int64) (License, error) {
	ls, err := r.Licenses(ctx, vaID)
	if err != nil {
		return License{}, fmt.Errorf("license: %w", err)
	}
	for _, l := range ls {
		if l.ID == id {
			return l, nil
		}
	}
	return License{}, fmt.Errorf("license %d: %w", id, ErrNotFound)
}

// licenseByTag returns the license of vaID with this tag, In Use filled.
func licenseByTag(ctx context.Context, r Repo, vaID int64, tag string) (License, error) {
	m, err := licensesByTag(ctx, r, vaID)
	if err != nil {
		return License{}, err
	}
	l, ok := m[tag]
	if !ok {
		return License{}, fmt.Errorf("license %q: %w", tag, ErrNotFound)
	}
	return l, nil
}
