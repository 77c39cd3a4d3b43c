package licensing

import (
	"cmp"
	"context"
	"crypto/ecdsa"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"slrportal/internal/access"
	"slrportal/internal/slrcode"
)

// PageSize is the number of rows on one list page.
const PageSize = 25

// MaxSearchLen bounds search input; longer input is refused with a message.
const MaxSearchLen = 100

// Actor is the signed-in user of one request, with the grants loaded for
// that request.
type Actor struct {
	User   User
	SAID   int64
	Grants []access.Grant
}

// Can reports whether the actor may do action in vaID.
func (a Actor) Can(action access.Action, vaID int64) bool {
	return access.Can(a.Grants, action, a.SAID, vaID)
}

// Service runs the use cases.
type Service struct {
	store Store
	key   *ecdsa.PrivateKey
	now   func() time.Time
}

// NewService wires the domain to a store and the portal's signing key.
func NewService(store Store, key *ecdsa.PrivateKey) *Service {
	return &Service{store: store, key: key, now: time.Now}
}

// SetClock replaces the clock (tests).
func (s *Service) SetClock(now func() time.Time) { s.now = now }

// Store returns the underlying store (for commands such as verify-events).
func (s *Service) Store() Store { return s.store }

// PublicKey is the key that verifies issued authorization codes.
func (s *Service) PublicKey() *ecdsa.PublicKey { return &s.key.PublicKey }

// Workspace is what every inventory page needs: the SA, the VAs the user may
// see and the one in view.
type Workspace struct {
	SmartAccount SmartAccount
	VAs          []VirtualAccount
	DefaultVAID  int64
	VA           VirtualAccount
	CanManage    bool
	CanAdmin     bool
}

// VisibleVAs returns the VAs of the actor's SA that the actor may see, by
// name, and the user's default VA: the SA's default if visible, else the
// first by name.
func (s *Service) VisibleVAs(ctx context.Context, a Actor) ([]VirtualAccount, int64, error) {
	all, err := s.store.VirtualAccounts(ctx, a.SAID)
	if err != nil {
		return nil, 0, fmt.Errorf("visible VAs: %w", err)
	}
	var out []VirtualAccount
	for _, va := range all {
		if a.Can(access.View, va.ID) {
			out = append(out, va)
		}
	}
	slices.SortFunc(out, func(x, y VirtualAccount) int { return cmp.Compare(x.Name, y.Name) })
	var def int64
	for _, va := range out {
		if va.Default {
			def = va.ID
		}
	}
	if def == 0 && len(out) > 0 {
		def = out[0].ID
	}
	return out, def, nil
}

// Workspace loads the SA and VA for a page under /inventory/{va}; a VA the
// user may not see is ErrNotFound.
func (s *Service) Workspace(ctx context.Context, a Actor, vaID int64) (Workspace, error) {
	vas, def, err := s.VisibleVAs(ctx, a)
	if err != nil {
		return Workspace{}, err
	}
	w := Workspace{VAs: vas, DefaultVAID: def}
	for _, va := range vas {
		if va.ID == vaID {
			w.VA = va
		}
	}
	if w.VA.ID == 0 {
		return Workspace{}, fmt.Errorf("workspace: virtual account %d: %w", vaID, ErrNotFound)
	}
	if w.SmartAccount, err = s.store.SmartAccount(ctx, a.SAID); err != nil {
		return Workspace{}, fmt.Errorf("workspace: %w", err)
	}
	w.CanManage = a.Can(access.ManageAssets, vaID)
	w.CanAdmin = a.Can(access.ManageSmartAccount, 0)
	return w, nil
}

// LicenseRow is one row of the Licenses tab.
type LicenseRow struct {
	License
	Alerts []Alert
}

// LicenseRows returns the Licenses tab of a VA the actor may see.
func (s *Service) LicenseRows(ctx context.Context, a Actor, vaID int64) ([]LicenseRow, error) {
	if !a.Can(access.View, vaID) {
		return nil, fmt.Errorf("licenses: %w", ErrNotFound)
	}
	ls, err := s.store.Licenses(ctx, vaID)
	if err != nil {
		return nil, fmt.Errorf("licenses: %w", err)
	}
	today := s.now().UTC()
	rows := make([]LicenseRow, len(ls))
	for i, l := range ls {
		rows[i] = LicenseRow{License: l, Alerts: licenseAlerts(l, today)}
	}
	return rows, nil
}

func licenseAlerts(l License, today time.Time) []Alert {
	var out []Alert
	if l.Balance() < 0 {
		out = append(out, Alert{Severity: "Major", Name: "Insufficient Licenses",
			Detail: fmt.Sprintf("%s: %d in use, %d purchased (short by %d)", l.DisplayName, l.InUse, l.Purchased, -l.Balance())})
	}
	if l.Type == Term && l.EndDate != "" {
		if end, err := time.Parse(time.DateOnly, l.EndDate); err == nil {
			switch {
			case !today.Before(end.AddDate(0, 0, 1)):
				out = append(out, Alert{Severity: "Major", Name: "Licenses Expired", Detail: fmt.Sprintf("%s expired on %s", l.DisplayName, l.EndDate)})
			case end.Sub(today) <= 90*24*time.Hour:
				out = append(out, Alert{Severity: "Minor", Name: "Licenses Expiring", Detail: fmt.Sprintf("%s expires on %s", l.DisplayName, l.EndDate)})
			}
		}
	}
	return out
}

// VAAlerts returns the alerts of a VA: its licenses' alerts and Previous
// Product Return Pending while failed PIs await removal.
func (s *Service) VAAlerts(ctx context.Context, a Actor, vaID int64) ([]Alert, error) {
	rows, err := s.LicenseRows(ctx, a, vaID)
	if err != nil {
		return nil, err
	}
	var out []Alert
	for _, r := range rows {
		out = append(out, r.Alerts...)
	}
	counts, err := s.store.StatusCounts(ctx, vaID)
	if err != nil {
		return nil, fmt.Errorf("alerts: %w", err)
	}
	if n := counts[StatusFailed]; n > 0 {
		out = append(out, Alert{Severity: "Minor", Name: "Previous Product Return Pending",
			Detail: fmt.Sprintf("%d failed product instance(s) awaiting removal", n)})
	}
	return out, nil
}

// VAFacts are the numbers on the General tab.
type VAFacts struct {
	Licenses  int
	Instances int
	ByStatus  map[Status]int
}

// Facts counts a VA's licenses and product instances.
func (s *Service) Facts(ctx context.Context, a Actor, vaID int64) (VAFacts, error) {
	if !a.Can(access.View, vaID) {
		return VAFacts{}, fmt.Errorf("facts: %w", ErrNotFound)
	}
	ls, err := s.store.Licenses(ctx, vaID)
	if err != nil {
		return VAFacts{}, fmt.Errorf("facts: %w", err)
	}
	counts, err := s.store.StatusCounts(ctx, vaID)
	if err != nil {
		return VAFacts{}, fmt.Errorf("facts: %w", err)
	}
	f := VAFacts{Licenses: len(ls), ByStatus: counts}
	for _, n := range counts {
		f.Instances += n
	}
	return f, nil
}

// Instances searches a VA's live product instances. page counts from 1.
func (s *Service) Instances(ctx context.Context, a Actor, vaID int64, search string, page int) (PIPage, error) {
	if !a.Can(access.View, vaID) {
		return PIPage{}, fmt.Errorf("instances: %w", ErrNotFound)
	}
	search = strings.TrimSpace(search)
	if len(search) > MaxSearchLen {
		return PIPage{}, Invalid("q", "The search text is too long: use at most %d characters.", MaxSearchLen)
	}
	if page < 1 {
		page = 1
	}
	q := PIQuery{Prefix: search, Offset: (page - 1) * PageSize, Limit: PageSize}
	if search != "" {
		q.Families = familiesMatching(search)
	}
	p, err := s.store.ProductInstances(ctx, vaID, q)
	if err != nil {
		return PIPage{}, fmt.Errorf("instances: %w", err)
	}
	return p, nil
}

// familiesMatching returns the catalogue families whose ID or name starts
// with prefix, case-insensitively ("cat" finds every Catalyst family).
func familiesMatching(prefix string) []string {
	p := strings.ToLower(prefix)
	var out []string
	for _, f := range slrcode.Families() {
		if strings.HasPrefix(strings.ToLower(f.ID), p) || strings.HasPrefix(strings.ToLower(f.Name), p) {
			out = append(out, f.ID)
		}
	}
	return out
}

// FamilyName is the product type shown for a family ID.
func FamilyName(id string) string {
	if f, ok := slrcode.FamilyByID(id); ok {
		return f.Name
	}
	return id
}

// InstanceDetail is the page of one PI.
type InstanceDetail struct {
	PI           ProductInstance
	Licenses     map[string]License // by tag, for display names
	Codes        []AuthCode
	RehostedFrom *ProductInstance
	RehostedTo   *ProductInstance
}

// Instance loads one PI of a VA the actor may see. A PI of another VA, or a
// removed one, is ErrNotFound.
func (s *Service) Instance(ctx context.Context, a Actor, vaID, piID int64) (InstanceDetail, error) {
	pi, err := s.instance(ctx, s.store, a, vaID, piID, access.View)
	if err != nil {
		return InstanceDetail{}, err
	}
	d := InstanceDetail{PI: pi}
	if d.Codes, err = s.store.AuthCodes(ctx, pi.ID); err != nil {
		return InstanceDetail{}, fmt.Errorf("instance: %w", err)
	}
	if d.Licenses, err = licensesByTag(ctx, s.store, vaID); err != nil {
		return InstanceDetail{}, err
	}
	for _, link := range []struct {
		id  int64
		dst **ProductInstance
	}{{pi.RehostedFromID, &d.RehostedFrom}, {pi.RehostedToID, &d.RehostedTo}} {
		if link.id == 0 {
			continue
		}
		other, err := s.store.ProductInstance(ctx, link.id)
		if err != nil && !errors.Is(err, ErrNotFound) {
			return InstanceDetail{}, fmt.Errorf("instance: history: %w", err)
		}
		// A device transferred since to a VA the user may not see stays
		// out of the page, like everything else in that VA.
		if err == nil && a.Can(access.View, other.VAID) {
			*link.dst = &other
		}
	}
	return d, nil
}

// instance loads a live PI that belongs to vaID after checking action.
func (s *Service) instance(ctx context.Context, r Repo, a Actor, vaID, piID int64, action access.Action) (ProductInstance, error) {
	if !a.Can(access.View, vaID) {
		return ProductInstance{}, fmt.Errorf("instance %d: %w", piID, ErrNotFound)
	}
	if action != access.View && !a.Can(action, vaID) {
		return ProductInstance{}, fmt.Errorf("instance %d: %w", piID, ErrForbidden)
	}
	pi, err := r.ProductInstance(ctx, piID)
	if err != nil {
		return ProductInstance{}, fmt.Errorf("instance %d: %w", piID, err)
	}
	if pi.VAID != vaID || pi.Removed {
		return ProductInstance{}, fmt.Errorf("instance %d: %w", piID, ErrNotFound)
	}
	return pi, nil
}

func licensesByTag(ctx context.Context, r Repo, vaID int64) (map[string]License, error) {
	ls, err := r.Licenses(ctx, vaID)
	if err != nil {
		return nil, fmt.Errorf("licenses: %w", err)
	}
	m := make(map[string]License, len(ls))
	for _, l := range ls {
		m[l.Tag] = l
	}
	return m, nil
}
