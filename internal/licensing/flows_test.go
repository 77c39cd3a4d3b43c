package licensing_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"golang.org/x/crypto/bcrypt"

	"slrportal/internal/licensing"
	"slrportal/internal/slrcode"
	"slrportal/internal/store/sqlite"
)

const tag9200 = "regid.2017-03.com.cisco.C9200_DNA_Essentials,1.0_test"

// world is an SA with two VAs: Campus (id 1: 10 C9300 licenses, 2 C9200,
// 2 devices holding one C9300 each) and Lab (id 2: empty). "admin" is SA
// admin, "user" manages Campus only, "both" manages both VAs.
type world struct {
	svc               *licensing.Service
	st                *sqlite.Store
	admin, user, both licensing.Actor
	pis               []int64
}

func newWorld(t *testing.T) *world {
	t.Helper()
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "test.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	svc := licensing.NewService(st, key)
	campus := licensing.ImportVA{Name: "Campus", Default: true, Licenses: []licensing.ImportLicense{
		{Tag: testTag, DisplayName: "C9300 DNA Advantage", Family: "C9300", Type: "PERPETUAL", Purchased: 10},
		{Tag: tag9200, DisplayName: "C9200 DNA Essentials", Family: "C9200", Type: "PERPETUAL", Purchased: 2},
	}}
	for i := range 2 {
		campus.ProductInstances = append(campus.ProductInstances, licensing.ImportPI{PID: "C9300-24UX", SN: fmt.Sprintf("FCW%08d", i+1),
			Reservation: []licensing.ImportLine{{Tag: testTag, Count: 1}}})
	}
	f := licensing.ImportFile{
		SmartAccounts: []licensing.ImportSA{{Name: "Acme", Domain: "acme.example", SLREnabled: true,
			VirtualAccounts: []licensing.ImportVA{campus, {Name: "Lab"}}}},
		Users: []licensing.ImportUser{
			{Username: "admin", Password: "password-1", Roles: []licensing.ImportRole{{Role: "SA_ADMIN", SmartAccount: "Acme"}}},
			{Username: "user", Password: "password-1", Roles: []licensing.ImportRole{{Role: "VA_USER", SmartAccount: "Acme", VirtualAccount: "Campus"}}},
			{Username: "both", Password: "password-1", Roles: []licensing.ImportRole{
				{Role: "VA_USER", SmartAccount: "Acme", VirtualAccount: "Campus"}, {Role: "VA_ADMIN", SmartAccount: "Acme", VirtualAccount: "Lab"}}},
		},
	}
	if _, err := svc.Import(ctx, f, bcrypt.MinCost); err != nil {
		t.Fatal(err)
	}
	w := &world{svc: svc, st: st}
	for _, x := range []struct {
		name string
		dst  *licensing.Actor
	}{{"admin", &w.admin}, {"user", &w.user}, {"both", &w.both}} {
		u, err := st.UserByUsername(ctx, x.name)
		if err != nil {
			t.Fatal(err)
		}
		if *x.dst, err = svc.LoadActor(ctx, u.ID); err != nil {
			t.Fatal(err)
		}
	}
	page, err := st.ProductInstances(ctx, 1, licensing.PIQuery{Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range page.Instances {
		w.pis = append(w.pis, p.ID)
	}
	return w
}

// license returns the license with tag in vaID (zero License if none).
func (w *world) license(t *testing.T, vaID int64, tag string) licensing.License {
	t.Helper()
	ls, err := w.st.Licenses(context.Background(), vaID)
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range ls {
		if l.Tag == tag {
			return l
		}
	}
	return licensing.License{}
}

func (w *world) events(t *testing.T, typ licensing.EventType) []licensing.Event {
	t.Helper()
	evs, err := w.st.Events(context.Background(), licensing.EventQuery{SAID: 1, Type: typ, Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	return evs
}

func code9300(t *testing.T, sn string) string { return requestCode(t, sn) }

func wantMessage(t *testing.T, err error, want string) {
	t.Helper()
	msg, ok := licensing.Message(err)
	if err == nil || !ok || !strings.Contains(msg, want) {
		t.Fatalf("got %v, want a message containing %q", err, want)
	}
}

func TestSettingsAndDeposit(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	w := newWorld(t)
	if _, err := w.svc.Settings(ctx, w.user); !errors.Is(err, licensing.ErrNotFound) {
		t.Fatalf("Settings as VA user: %v, want ErrNotFound", err)
	}
	if err := w.svc.SetSLREnabled(ctx, w.user, false); !errors.Is(err, licensing.ErrNotFound) {
		t.Fatalf("SetSLREnabled as VA user: %v", err)
	}
	v, err := w.svc.Settings(ctx, w.admin)
	if err != nil || len(v.Families) != len(slrcode.Families()) || len(v.VAs) != 2 {
		t.Fatalf("Settings = %+v, %v", v, err)
	}
	if err := w.svc.SetSLREnabled(ctx, w.admin, false); err != nil {
		t.Fatal(err)
	}
	if sa, _ := w.st.SmartAccount(ctx, 1); sa.SLREnabled {
		t.Fatal("SLR still enabled")
	}
	if n := len(w.events(t, licensing.EventSettings)); n != 1 {
		t.Fatalf("%d settings events, want 1", n)
	}
	// Deposit into an existing license, then a new one; a resubmit changes nothing.
	if _, err := w.svc.Deposit(ctx, w.admin, licensing.DepositInput{VAID: 1, LicenseID: w.license(t, 1, testTag).ID, Quantity: 5}, "d1"); err != nil {
		t.Fatal(err)
	}
	if _, err := w.svc.Deposit(ctx, w.admin, licensing.DepositInput{VAID: 1, LicenseID: w.license(t, 1, testTag).ID, Quantity: 5}, "d1"); err != nil {
		t.Fatal(err)
	}
	if p := w.license(t, 1, testTag).Purchased; p != 15 {
		t.Fatalf("purchased %d after deposit, want 15", p)
	}
	in := licensing.DepositInput{VAID: 2, Tag: "regid.x.C9500", DisplayName: "C9500 Term", Family: "C9500", Type: licensing.Term, EndDate: "2030-01-31", Quantity: 3}
	if _, err := w.svc.Deposit(ctx, w.admin, in, "d2"); err != nil {
		t.Fatal(err)
	}
	if l := w.license(t, 2, "regid.x.C9500"); l.Purchased != 3 || l.Type != licensing.Term || l.EndDate != "2030-01-31" {
		t.Fatalf("new license %+v", l)
	}
	bad := []struct {
		name string
		in   licensing.DepositInput
		want string
	}{
		{"zero", licensing.DepositInput{VAID: 1, LicenseID: 1, Quantity: 0}, "quantity between"},
		{"no family", licensing.DepositInput{VAID: 1, Tag: "t", DisplayName: "n", Family: "X", Type: licensing.Perpetual, Quantity: 1}, "family"},
		{"term without end", licensing.DepositInput{VAID: 1, Tag: "t", DisplayName: "n", Family: "C9300", Type: licensing.Term, Quantity: 1}, "end date"},
		{"duplicate tag", licensing.DepositInput{VAID: 1, Tag: testTag, DisplayName: "n", Family: "C9300", Type: licensing.Perpetual, Quantity: 1}, "already has"},
		{"other SA's VA", licensing.DepositInput{VAID: 99, LicenseID: 1, Quantity: 1}, "virtual account"},
		{"license of another VA", licensing.DepositInput{VAID: 2, LicenseID: 1, Quantity: 1}, "Choose a license"},
	}
	for i, b := range bad {
		_, err := w.svc.Deposit(ctx, w.admin, b.in, fmt.Sprintf("bad-%d", i))
		msg, ok := licensing.Message(err)
		if !ok || !strings.Contains(msg, b.want) {
			t.Errorf("%s: %v, want %q", b.name, err, b.want)
		}
	}
	if n := len(w.events(t, licensing.EventDeposit)); n != 2 {
		t.Fatalf("%d deposit events, want 2", n)
	}
	if _, err := w.svc.Deposit(ctx, w.user, licensing.DepositInput{VAID: 1, LicenseID: 1, Quantity: 1}, "d3"); !errors.Is(err, licensing.ErrNotFound) {
		t.Fatalf("deposit by VA user: %v", err)
	}
}

func qtyOf(w *world, t *testing.T, vaID int64, tag string, n int) map[int64]int {
	return map[int64]int{w.license(t, vaID, tag).ID: n}
}

func TestReserve(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	w := newWorld(t)
	code := code9300(t, "NEW00001")
	plan, err := w.svc.ReserveCheck(ctx, w.user, 1, code)
	if err != nil {
		t.Fatal(err)
	}
	if len(plan.Licenses) != 1 || plan.Licenses[0].Tag != testTag || plan.Licenses[0].Balance() != 8 {
		t.Fatalf("plan licenses %+v, want only the C9300 one with balance 8", plan.Licenses)
	}
	res, err := w.svc.Reserve(ctx, w.user, 1, code, qtyOf(w, t, 1, testTag, 3), "tok")
	if err != nil {
		t.Fatal(err)
	}
	again, err := w.svc.Reserve(ctx, w.user, 1, code, qtyOf(w, t, 1, testTag, 3), "tok")
	if err != nil || again.Code.ID != res.Code.ID {
		t.Fatalf("resubmit: %v, code %d want %d", err, again.Code.ID, res.Code.ID)
	}
	if b := w.license(t, 1, testTag).Balance(); b != 5 {
		t.Fatalf("balance %d after reserving 3, want 5", b)
	}
	ac, err := slrcode.VerifyAuthorizationCode(res.Code.File, w.svc.PublicKey())
	if err != nil || ac.UDI.SN != "NEW00001" || ac.Entitlements[0].Count != 3 {
		t.Fatalf("code: %+v, %v", ac, err)
	}
	if res.PI.Status != licensing.StatusReserved {
		t.Fatalf("status %s", res.PI.Status)
	}
	evs := w.events(t, licensing.EventReserve)
	if len(evs) != 1 || !strings.Contains(evs[0].Message, "PID:C9300-24UX,SN:NEW00001") || !strings.Contains(evs[0].Message, "3 × C9300 DNA Advantage") {
		t.Fatalf("reserve events %+v", evs)
	}

	cases := []struct {
		name string
		code string
		qty  map[int64]int
		want string
	}{
		{"malformed", "CB-ZC9300-24UX:FCW2134L0RN-AK9A6sMTr-B3", qtyOf(w, t, 1, testTag, 1), "checksum"},
		{"unsupported", func() string {
			n, _ := slrcode.NewNonce()
			c, _ := slrcode.FormatRequestCode("WS-C3850-24T", "X1", n)
			return c
		}(), nil, "does not support"},
		{"live UDI", code9300(t, "NEW00001"), qtyOf(w, t, 1, testTag, 1), "already a product instance"},
		{"over balance", code9300(t, "NEW00002"), qtyOf(w, t, 1, testTag, 6), "more than is available (5)"},
		{"nothing selected", code9300(t, "NEW00002"), qtyOf(w, t, 1, testTag, 0), "Select at least one"},
		{"other family's license", code9300(t, "NEW00002"), qtyOf(w, t, 1, tag9200, 1), "only licenses from the list"},
		{"negative", code9300(t, "NEW00002"), qtyOf(w, t, 1, testTag, -1), "0 or more"},
	}
	for i, c := range cases {
		_, err := w.svc.Reserve(ctx, w.user, 1, c.code, c.qty, fmt.Sprintf("bad-%d", i))
		msg, ok := licensing.Message(err)
		if !ok || !strings.Contains(msg, c.want) {
			t.Errorf("%s: %v, want %q", c.name, err, c.want)
		}
	}
	if _, err := w.svc.Reserve(ctx, w.user, 2, code9300(t, "NEW00003"), nil, "x"); !errors.Is(err, licensing.ErrNotFound) {
		t.Errorf("reserve in a VA the user cannot see: %v", err)
	}
	if err := w.svc.SetSLREnabled(ctx, w.admin, false); err != nil {
		t.Fatal(err)
	}
	_, err = w.svc.Reserve(ctx, w.user, 1, code9300(t, "NEW00004"), qtyOf(w, t, 1, testTag, 1), "off")
	if !errors.Is(err, licensing.ErrSLRDisabled) {
		t.Fatalf("reserve with SLR off: %v", err)
	}
	if b := w.license(t, 1, testTag).Balance(); b != 5 || len(w.events(t, licensing.EventReserve)) != 1 {
		t.Fatalf("a refusal changed something: balance %d", b)
	}
}

// TestConcurrentReservesNeverOverdraw: 20 goroutines each reserve 2 of a
// license with balance 8; exactly 4 succeed and the balance ends at 0.
func TestConcurrentReservesNeverOverdraw(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	w := newWorld(t)
	qty := qtyOf(w, t, 1, testTag, 2)
	const n = 20
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = w.svc.Reserve(ctx, w.user, 1, code9300(t, fmt.Sprintf("RACE%04d", i)), qty, fmt.Sprintf("race-%d", i))
		}()
	}
	wg.Wait()
	ok := 0
	for i, err := range errs {
		switch {
		case err == nil:
			ok++
		case errors.Is(err, licensing.ErrInvalid):
		default:
			t.Errorf("reserve %d: %v", i, err)
		}
	}
	if l := w.license(t, 1, testTag); ok != 4 || l.Balance() != 0 {
		t.Fatalf("%d reserves succeeded, balance %d; want 4 and 0", ok, l.Balance())
	}
	if _, err := w.svc.VerifyEvents(ctx); err != nil {
		t.Fatal(err)
	}
}

func TestUpdateConfirmCancel(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	w := newWorld(t)
	pi := w.pis[0]
	lic := w.license(t, 1, testTag)
	if _, err := w.svc.UpdateCheck(ctx, w.user, 1, pi, map[int64]int{lic.ID: 1}); err == nil {
		t.Fatal("an update without a change was accepted")
	}
	if _, err := w.svc.Update(ctx, w.user, 1, pi, map[int64]int{lic.ID: 10}, "over"); err == nil {
		t.Fatal("an increase over the balance was accepted") // 1 + 8 available = 9 at most
	}
	if _, err := w.svc.Update(ctx, w.user, 1, pi, map[int64]int{lic.ID: 0}, "zero"); err == nil {
		t.Fatal("releasing every license was accepted")
	}
	res, err := w.svc.Update(ctx, w.user, 1, pi, map[int64]int{lic.ID: 9}, "up")
	if err != nil {
		t.Fatal(err)
	}
	if l := w.license(t, 1, testTag); l.Balance() != 0 {
		t.Fatalf("balance %d after increase to 9, want 0", l.Balance())
	}
	p, _ := w.st.ProductInstance(ctx, pi)
	if p.Status != licensing.StatusUpdatePending || p.Lines[0].Count != 9 {
		t.Fatalf("after update: %+v", p)
	}
	if _, err := w.svc.Update(ctx, w.user, 1, pi, map[int64]int{lic.ID: 2}, "again"); err == nil {
		t.Fatal("a second update while pending was accepted")
	}
	// A wrong confirmation code changes nothing.
	_, err = w.svc.Confirm(ctx, w.user, 1, pi, "00000000")
	wantMessage(t, err, "does not match")
	if p, _ := w.st.ProductInstance(ctx, pi); p.Status != licensing.StatusUpdatePending {
		t.Fatal("wrong confirmation changed the status")
	}
	// Cancel restores the previous lines and the device's code as the latest.
	codesBefore, _ := w.st.AuthCodes(ctx, pi)
	if _, err := w.svc.CancelUpdate(ctx, w.user, 1, pi); err != nil {
		t.Fatal(err)
	}
	p, _ = w.st.ProductInstance(ctx, pi)
	codes, _ := w.st.AuthCodes(ctx, pi)
	if p.Status != licensing.StatusReserved || p.Lines[0].Count != 1 || codes[0].Signature != codesBefore[1].Signature {
		t.Fatalf("after cancel: %+v", p)
	}
	if b := w.license(t, 1, testTag).Balance(); b != 8 {
		t.Fatalf("balance %d after cancel, want 8", b)
	}
	// Decrease, then confirm with the right code.
	if _, err := w.svc.Update(ctx, w.user, 1, w.pis[1], map[int64]int{lic.ID: 0, w.license(t, 1, tag9200).ID: 0}, "dec"); err == nil {
		t.Fatal("releasing everything was accepted")
	}
	res, err = w.svc.Update(ctx, w.user, 1, pi, map[int64]int{lic.ID: 3}, "up2")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.svc.Confirm(ctx, w.user, 1, pi, strings.ToUpper(slrcode.ConfirmationCode(res.Code.Signature))); err != nil {
		t.Fatal(err)
	}
	if p, _ := w.st.ProductInstance(ctx, pi); p.Status != licensing.StatusReserved || p.Lines[0].Count != 3 {
		t.Fatalf("after confirm: %+v", p)
	}
	if _, err := w.svc.CancelUpdate(ctx, w.user, 1, pi); err == nil {
		t.Fatal("cancel without a pending update was accepted")
	}
	for _, typ := range []licensing.EventType{licensing.EventUpdate, licensing.EventUpdateCancelled, licensing.EventConfirm} {
		if len(w.events(t, typ)) == 0 {
			t.Errorf("no %s event", typ)
		}
	}
	if err := w.svc.SetSLREnabled(ctx, w.admin, false); err != nil {
		t.Fatal(err)
	}
	if _, err := w.svc.Update(ctx, w.user, 1, pi, map[int64]int{lic.ID: 2}, "off"); !errors.Is(err, licensing.ErrSLRDisabled) {
		t.Fatalf("update with SLR off: %v", err)
	}
}

func TestTransfers(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	w := newWorld(t)
	pi := w.pis[0]
	// "user" may not manage Lab: refused, nothing changes.
	_, err := w.svc.TransferInstance(ctx, w.user, 1, pi, 2)
	wantMessage(t, err, "may manage")
	_, err = w.svc.TransferInstance(ctx, w.user, 1, pi, 999)
	wantMessage(t, err, "may manage")
	if p, _ := w.st.ProductInstance(ctx, pi); p.VAID != 1 {
		t.Fatal("refused transfer moved the PI")
	}
	res, err := w.svc.TransferInstance(ctx, w.both, 1, pi, 2)
	if err != nil || res.Target.ID != 2 {
		t.Fatalf("transfer: %+v, %v", res, err)
	}
	src, dst := w.license(t, 1, testTag), w.license(t, 2, testTag)
	if src.Purchased != 9 || src.InUse != 1 || dst.Purchased != 1 || dst.InUse != 1 {
		t.Fatalf("after PI transfer: source %d/%d, target %d/%d", src.Purchased, src.InUse, dst.Purchased, dst.InUse)
	}
	if n := len(w.events(t, licensing.EventTransfer)); n != 2 {
		t.Fatalf("%d transfer events, want 2 (one per VA)", n)
	}
	// License transfer: at most the balance (8).
	_, err = w.svc.TransferLicenses(ctx, w.both, 1, src.ID, 2, 9, "lt0")
	wantMessage(t, err, "more than the balance")
	_, err = w.svc.TransferLicenses(ctx, w.user, 1, src.ID, 2, 1, "lt1")
	wantMessage(t, err, "may manage")
	if _, err := w.svc.TransferLicenses(ctx, w.both, 1, src.ID, 2, 8, "lt2"); err != nil {
		t.Fatal(err)
	}
	if r, err := w.svc.TransferLicenses(ctx, w.both, 1, src.ID, 2, 8, "lt2"); err != nil || r.Quantity != -1 {
		t.Fatalf("resubmit: %+v %v", r, err)
	}
	if src, dst := w.license(t, 1, testTag), w.license(t, 2, testTag); src.Balance() != 0 || dst.Purchased != 9 {
		t.Fatalf("after license transfer: source balance %d, target purchased %d", src.Balance(), dst.Purchased)
	}
	if n := len(w.events(t, licensing.EventLicenseTransfer)); n != 2 {
		t.Fatalf("%d license transfer events, want 2", n)
	}
	if _, err := w.svc.VerifyEvents(ctx); err != nil {
		t.Fatal(err)
	}
}
