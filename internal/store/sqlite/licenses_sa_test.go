package sqlite

import (
	"fmt"
	"testing"

	"slrportal/internal/licensing"
)

// TestLicensesOfSAMatchesEachVA: the one-query list of an SA's licenses is
// the union of every VA's list, with the same In Use.
func TestLicensesOfSAMatchesEachVA(t *testing.T) {
	t.Parallel()
	s, _ := seeded(t)
	ctx := t.Context()
	sa := demoSA(t, s)
	vas, err := s.VirtualAccounts(ctx, sa.ID)
	if err != nil {
		t.Fatal(err)
	}
	var want []licensing.License
	for _, va := range vas {
		ls, err := s.Licenses(ctx, va.ID)
		if err != nil {
			t.Fatal(err)
		}
		want = append(want, ls...)
	}
	got, err := s.LicensesOfSA(ctx, sa.ID)
	if err != nil {
		t.Fatal(err)
	}
	key := func(ls []licensing.License) map[int64]string {
		m := map[int64]string{}
		for _, l := range ls {
			m[l.ID] = fmt.Sprintf("%d %s %d/%d", l.VAID, l.Tag, l.Purchased, l.InUse)
		}
		return m
	}
	if len(got) != len(want) || len(want) == 0 || fmt.Sprint(key(got)) != fmt.Sprint(key(want)) {
		t.Fatalf("LicensesOfSA = %v\nwant %v", key(got), key(want))
	}
	if other, err := s.LicensesOfSA(ctx, sa.ID+100); err != nil || len(other) != 0 {
		t.Fatalf("another SA: %d licenses, %v", len(other), err)
	}
}
