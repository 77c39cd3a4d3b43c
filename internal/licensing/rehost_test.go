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

func TestEvaluateRehostRule(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name       string
		sufficient bool
		fleet      int
		pending    int
		wantLimit  int
		wantOK     bool
	}{
		{"N=1 none pending", false, 1, 0, 1, true},
		{"N=10 none pending", false, 10, 0, 1, true},
		{"N=10 one pending (at limit)", false, 10, 1, 1, false},
		{"N=11 one pending (below limit)", false, 11, 1, 2, true},
		{"N=11 two pending (at limit)", false, 11, 2, 2, false},
		{"N=20 one pending", false, 20, 1, 2, true},
		{"N=20 two pending", false, 20, 2, 2, false},
		{"N=21 two pending", false, 21, 2, 3, true},
		{"N=21 three pending", false, 21, 3, 3, false},
		{"N=30 two pending", false, 30, 2, 3, true},
		{"N=30 three pending", false, 30, 3, 3, false},
		{"N=31 three pending", false, 31, 3, 4, true},
		{"N=31 four pending", false, 31, 4, 4, false},
		{"sufficient, pending far above limit", true, 10, 7, 1, true},
		{"sufficient, N=1 pending 1", true, 1, 1, 1, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := licensing.EvaluateRehostRule(c.sufficient, c.fleet, c.pending)
			if r.Limit != c.wantLimit || r.Allowed != c.wantOK {
				t.Fatalf("EvaluateRehostRule(%v, %d, %d) = limit %d allowed %v, want limit %d allowed %v",
					c.sufficient, c.fleet, c.pending, r.Limit, r.Allowed, c.wantLimit, c.wantOK)
			}
		})
	}
}

const testTag = "regid.2017-03.com.cisco.C9300_DNA_Advantage,1.0_test"

// fleet builds a VA of n C9300 devices holding one license each, with
// purchased licenses, and returns the service, the store, an actor who may
// manage the VA and the PIs' ids.
func fleet(t *testing.T, n, purchased int) (*licensing.Service, *sqlite.Store, licensing.Actor, []int64) {
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
	va := licensing.ImportVA{Name: "Campus", Default: true,
		Licenses: []licensing.ImportLicense{{Tag: testTag, DisplayName: "C9300 DNA Advantage", Family: "C9300", Type: "PERPETUAL", Purchased: purchased}}}
	for i := range n {
		va.ProductInstances = append(va.ProductInstances, licensing.ImportPI{PID: "C9300-24UX", SN: fmt.Sprintf("FCW%08d", i+1),
			Reservation: []licensing.ImportLine{{Tag: testTag, Count: 1}}})
	}
	f := licensing.ImportFile{
		SmartAccounts: []licensing.ImportSA{{Name: "Acme", Domain: "acme.example", SLREnabled: true, VirtualAccounts: []licensing.ImportVA{va}}},
		Users: []licensing.ImportUser{{Username: "u", Password: "password-1", Roles: []licensing.ImportRole{
			{Role: "VA_USER", SmartAccount: "Acme", VirtualAccount: "Campus"}}}},
	}
	if _, err := svc.Import(ctx, f, bcrypt.MinCost); err != nil {
		t.Fatal(err)
	}
	u, err := st.UserByUsername(ctx, "u")
	if err != nil {
		t.Fatal(err)
	}
	a, err := svc.LoadActor(ctx, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	page, err := st.ProductInstances(ctx, 1, licensing.PIQuery{Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	ids := make([]int64, len(page.Instances))
	for i, p := range page.Instances {
		ids[i] = p.ID
	}
	return svc, st, a, ids
}

func requestCode(t *testing.T, sn string) string {
	t.Helper()
	nonce, err := slrcode.NewNonce()
	if err != nil {
		t.Fatal(err)
	}
	code, err := slrcode.FormatRequestCode("C9300-24UX", sn, nonce)
	if err != nil {
		t.Fatal(err)
	}
	return code
}

// TestRehostWorkedExamples follows DESIGN §3.3: with 10 devices short of
// licenses the first rehost is allowed and the second refused until the
// failed device is removed; with 11 devices two are allowed.
func TestRehostWorkedExamples(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ devices, allowed int }{{10, 1}, {11, 2}, {21, 3}} {
		t.Run(fmt.Sprintf("N=%d", c.devices), func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			svc, _, a, ids := fleet(t, c.devices, c.devices) // balance 0: short
			for i := 0; i <= c.allowed; i++ {
				_, err := svc.Rehost(ctx, a, 1, ids[i], requestCode(t, fmt.Sprintf("NEW%04d", i)), "", fmt.Sprintf("tok-%d", i))
				if i < c.allowed && err != nil {
					t.Fatalf("rehost %d: %v", i+1, err)
				}
				if i == c.allowed && !errors.Is(err, licensing.ErrReturnPending) {
					t.Fatalf("rehost %d: got %v, want ErrReturnPending", i+1, err)
				}
			}
			// Removing one failed device frees a slot.
			if _, err := svc.Remove(ctx, a, 1, ids[0], ""); err != nil {
				t.Fatalf("remove failed PI: %v", err)
			}
			if _, err := svc.Rehost(ctx, a, 1, ids[c.allowed], requestCode(t, "NEWAFTER"), "", "tok-after"); err != nil {
				t.Fatalf("rehost after removal: %v", err)
			}
		})
	}
}

func TestRehostEffectsAndIdempotency(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	svc, st, a, ids := fleet(t, 5, 5)
	code := requestCode(t, "REPL0001")
	res, err := svc.Rehost(ctx, a, 1, ids[0], code, "PSU failure", "tok")
	if err != nil {
		t.Fatal(err)
	}
	again, err := svc.Rehost(ctx, a, 1, ids[0], code, "PSU failure", "tok")
	if err != nil {
		t.Fatalf("second submit: %v", err)
	}
	if again.Code.ID != res.Code.ID || again.Replacement.ID != res.Replacement.ID {
		t.Fatalf("second submit made a new code %d / PI %d, want %d / %d", again.Code.ID, again.Replacement.ID, res.Code.ID, res.Replacement.ID)
	}
	failed, err := st.ProductInstance(ctx, ids[0])
	if err != nil {
		t.Fatal(err)
	}
	if failed.Status != licensing.StatusFailed || failed.RehostedToID != res.Replacement.ID || len(failed.Lines) != 1 {
		t.Fatalf("failed PI = %+v", failed)
	}
	repl, err := st.ProductInstance(ctx, res.Replacement.ID)
	if err != nil {
		t.Fatal(err)
	}
	if repl.Status != licensing.StatusReserved || repl.RehostedFromID != ids[0] || repl.SN != "REPL0001" || fmt.Sprint(repl.Lines) != fmt.Sprint(failed.Lines) {
		t.Fatalf("replacement PI = %+v", repl)
	}
	// In Use counts both until removal: 6 in use, 5 purchased.
	ls, err := st.Licenses(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	if ls[0].InUse != 6 || ls[0].Balance() != -1 {
		t.Fatalf("in use %d balance %d, want 6 and -1", ls[0].InUse, ls[0].Balance())
	}
	ac, err := slrcode.VerifyAuthorizationCode(res.Code.File, svc.PublicKey())
	if err != nil {
		t.Fatalf("issued code does not verify: %v", err)
	}
	if ac.UDI.SN != "REPL0001" || ac.PIID != repl.PIID {
		t.Fatalf("code is for %v / %s", ac.UDI, ac.PIID)
	}
	evs, err := st.Events(ctx, licensing.EventQuery{SAID: a.SAID, Product: "REPL0001"})
	if err != nil {
		t.Fatal(err)
	}
	want := "Product instance PID:C9300-24UX,SN:REPL0001 reserved licenses from a failed device PID:C9300-24UX,SN:FCW00000001"
	if len(evs) != 1 || evs[0].Message != want || evs[0].Username != "u" {
		t.Fatalf("events for replacement = %+v, want one with %q", evs, want)
	}
	if n, err := svc.VerifyEvents(ctx); err != nil || n == 0 {
		t.Fatalf("event chain: %d, %v", n, err)
	}
	// Removing the failed PI restores the balance.
	if _, err := svc.Remove(ctx, a, 1, ids[0], ""); err != nil {
		t.Fatal(err)
	}
	ls, _ = st.Licenses(ctx, 1)
	if ls[0].Balance() != 0 {
		t.Fatalf("balance after removal %d, want 0", ls[0].Balance())
	}
}

func TestRehostRefusals(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	svc, st, a, ids := fleet(t, 3, 10)
	other, _ := st.ProductInstance(ctx, ids[1])
	cases := []struct {
		name string
		code string
		want string
	}{
		{"empty", "", "Enter the Reservation Request Code"},
		{"garbage", "hello", "Reservation request code"},
		{"bad checksum", "CB-ZC9300-24UX:FCW2134L0RN-AK9A6sMTr-B3", "checksum"},
		{"other family", func() string {
			n, _ := slrcode.NewNonce()
			c, _ := slrcode.FormatRequestCode("C9500-48Y4C", "X1", n)
			return c
		}(), "same family"},
		{"unsupported product", func() string {
			n, _ := slrcode.NewNonce()
			c, _ := slrcode.FormatRequestCode("WS-C3850-24T", "X1", n)
			return c
		}(), "does not support"},
		{"live UDI", requestCode(t, other.SN), "already a product instance"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := svc.RehostCheck(ctx, a, 1, ids[0], c.code)
			msg, ok := licensing.Message(err)
			if err == nil || !ok || !strings.Contains(msg, c.want) {
				t.Fatalf("RehostCheck(%q) = %v, want a message containing %q", c.code, err, c.want)
			}
		})
	}
	// Nothing changed.
	page, _ := st.ProductInstances(ctx, 1, licensing.PIQuery{})
	if page.Total != 3 {
		t.Fatalf("instances = %d, want 3", page.Total)
	}
}

// TestConcurrentRehostsRespectTheLimit: 50 goroutines rehost 50 different
// PIs of a VA that is short of licenses; exactly the limit succeed.
func TestConcurrentRehostsRespectTheLimit(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	const n = 50
	svc, st, a, ids := fleet(t, n, n) // balance 0: short; limit = ceil(50/10) = 5
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = svc.Rehost(ctx, a, 1, ids[i], requestCode(t, fmt.Sprintf("CONC%04d", i)), "", fmt.Sprintf("tok-%d", i))
		}()
	}
	wg.Wait()
	ok, refused := 0, 0
	for i, err := range errs {
		switch {
		case err == nil:
			ok++
		case errors.Is(err, licensing.ErrReturnPending):
			refused++
		default:
			t.Errorf("rehost %d: unexpected error %v", i, err)
		}
	}
	if ok != 5 || refused != n-5 {
		t.Fatalf("%d succeeded and %d refused, want 5 and %d", ok, refused, n-5)
	}
	counts, _ := st.StatusCounts(ctx, 1)
	if counts[licensing.StatusFailed] != 5 {
		t.Fatalf("failed PIs = %d, want 5", counts[licensing.StatusFailed])
	}
	ls, _ := st.Licenses(ctx, 1)
	if ls[0].InUse != n+5 {
		t.Fatalf("in use = %d, want %d (the sum of live lines)", ls[0].InUse, n+5)
	}
	evs, _ := st.Events(ctx, licensing.EventQuery{SAID: a.SAID, Type: licensing.EventRehostRefused, Limit: 1000})
	if len(evs) != n-5 {
		t.Fatalf("refused-rehost events = %d, want %d", len(evs), n-5)
	}
	if _, err := svc.VerifyEvents(ctx); err != nil {
		t.Fatalf("event chain after concurrent writes: %v", err)
	}
}
