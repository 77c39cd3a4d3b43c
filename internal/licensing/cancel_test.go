package licensing_test

import (
	"errors"
	"testing"

	"slrportal/internal/licensing"
	"slrportal/internal/slrcode"
	"slrportal/internal/store/sqlite"
)

// TestCancelUpdateNeverDrivesABalanceNegative: licenses an update released
// and someone else reserved since cannot be taken back by Cancel Update.
func TestCancelUpdateNeverDrivesABalanceNegative(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	svc, st, a, ids := fleet(t, 2, 4) // 2 in use, 4 purchased: balance 2
	const lic = 1
	balance := func() int {
		ls, err := st.Licenses(ctx, 1)
		if err != nil {
			t.Fatal(err)
		}
		return ls[0].Balance()
	}
	// Raise PI 0 to 3 and confirm it: balance 0.
	if _, err := svc.Update(ctx, a, 1, ids[0], map[int64]int{lic: 3}, "up"); err != nil {
		t.Fatal(err)
	}
	codes, _ := st.AuthCodes(ctx, ids[0])
	if _, err := svc.Confirm(ctx, a, 1, ids[0], slrcode.ConfirmationCode(codes[0].Signature)); err != nil {
		t.Fatal(err)
	}
	// Lower it to 1 (pending): balance 2; reserve those 2 elsewhere: 0.
	if _, err := svc.Update(ctx, a, 1, ids[0], map[int64]int{lic: 1}, "down"); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Reserve(ctx, a, 1, requestCode(t, "OTHER0001"), map[int64]int{lic: 2}, "res"); err != nil {
		t.Fatal(err)
	}
	if b := balance(); b != 0 {
		t.Fatalf("balance before cancel = %d, want 0", b)
	}
	_, err := svc.CancelUpdate(ctx, a, 1, ids[0])
	msg, ok := licensing.Message(err)
	if !errors.Is(err, licensing.ErrInvalid) || !ok || msg == "" {
		t.Fatalf("CancelUpdate = %v, want a refusal with a message", err)
	}
	if b := balance(); b != 0 {
		t.Fatalf("balance after a refused cancel = %d, want 0", b)
	}
	pi, _ := st.ProductInstance(ctx, ids[0])
	if pi.Status != licensing.StatusUpdatePending || pi.Total() != 1 {
		t.Fatalf("PI after a refused cancel: %s with %d, want Update Pending with 1", pi.Status, pi.Total())
	}
	// Once licenses are free again, the cancel goes through.
	other, err := st.LiveUDI(ctx, a.SAID, "C9300-24UX", "OTHER0001")
	if err != nil || other == 0 {
		t.Fatalf("reserved device: %d, %v", other, err)
	}
	if _, err := svc.Remove(ctx, a, 1, other, slrcode.ReturnCode(mustPIID(t, st, other), latestSig(t, st, other))); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.CancelUpdate(ctx, a, 1, ids[0]); err != nil {
		t.Fatalf("cancel with licenses free: %v", err)
	}
	if b := balance(); b < 0 {
		t.Fatalf("balance %d after cancel", b)
	}
}

func mustPIID(t *testing.T, st *sqlite.Store, id int64) string {
	t.Helper()
	pi, err := st.ProductInstance(t.Context(), id)
	if err != nil {
		t.Fatal(err)
	}
	return pi.PIID
}

func latestSig(t *testing.T, st *sqlite.Store, id int64) string {
	t.Helper()
	codes, err := st.AuthCodes(t.Context(), id)
	if err != nil || len(codes) == 0 {
		t.Fatalf("codes of PI %d: %v", id, err)
	}
	return codes[0].Signature
}

// TestPendingUpdateEndsWithTheDevice: rehosting or removing an Update
// Pending PI leaves no lines behind for a Cancel Update.
func TestPendingUpdateEndsWithTheDevice(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	svc, st, a, ids := fleet(t, 3, 10)
	for _, id := range ids[:2] {
		if _, err := svc.Update(ctx, a, 1, id, map[int64]int{1: 2}, "up"+string(rune('a'+id))); err != nil {
			t.Fatal(err)
		}
		if prev, err := st.PreviousLines(ctx, id); err != nil || len(prev) != 1 {
			t.Fatalf("previous lines of PI %d while pending: %v, %v", id, prev, err)
		}
	}
	if _, err := svc.Rehost(ctx, a, 1, ids[0], requestCode(t, "PEND0001"), "", "rehost"); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Remove(ctx, a, 1, ids[1], slrcode.ReturnCode(mustPIID(t, st, ids[1]), latestSig(t, st, ids[1]))); err != nil {
		t.Fatal(err)
	}
	for _, id := range ids[:2] {
		if prev, err := st.PreviousLines(ctx, id); err != nil || len(prev) != 0 {
			t.Errorf("previous lines of PI %d after it left: %v, %v", id, prev, err)
		}
	}
}
