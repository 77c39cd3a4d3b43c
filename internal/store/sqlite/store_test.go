package sqlite

// These tests are in package sqlite (not sqlite_test) for one reason: the
// query-plan test reads the WHERE clause that ProductInstances really runs
// (piFilter). Everything else goes through the exported Store.

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"slrportal/internal/access"
	"slrportal/internal/demo"
	"slrportal/internal/licensing"
)

// newStore opens a new database file in the test's temporary directory.
func newStore(t *testing.T) *Store {
	t.Helper()
	s, err := Open(context.Background(), filepath.Join(t.TempDir(), "slrportal.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func newService(t *testing.T, s *Store) *licensing.Service {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return licensing.NewService(s, key)
}

// seeded is a store holding the demo smart account.
func seeded(t *testing.T) (*Store, *licensing.Service) {
	t.Helper()
	s := newStore(t)
	svc := newService(t, s)
	if _, err := svc.Import(context.Background(), demo.File(), bcrypt.MinCost); err != nil {
		t.Fatal(err)
	}
	return s, svc
}

func demoSA(t *testing.T, s *Store) licensing.SmartAccount {
	t.Helper()
	sa, err := s.SmartAccountByName(context.Background(), demo.SmartAccount)
	if err != nil {
		t.Fatal(err)
	}
	return sa
}

func vaByName(t *testing.T, s *Store, saID int64, name string) licensing.VirtualAccount {
	t.Helper()
	vas, err := s.VirtualAccounts(context.Background(), saID)
	if err != nil {
		t.Fatal(err)
	}
	for _, va := range vas {
		if va.Name == name {
			return va
		}
	}
	t.Fatalf("no virtual account %q", name)
	return licensing.VirtualAccount{}
}

// instanceBySN finds a live PI of a VA by serial number.
func instanceBySN(t *testing.T, s *Store, vaID int64, sn string) licensing.ProductInstance {
	t.Helper()
	p, err := s.ProductInstances(context.Background(), vaID, licensing.PIQuery{Prefix: sn, Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	for _, pi := range p.Instances {
		if pi.SN == sn {
			return pi
		}
	}
	t.Fatalf("no product instance %s in virtual account %d", sn, vaID)
	return licensing.ProductInstance{}
}

// tableCounts counts the rows of every table.
func tableCounts(t *testing.T, s *Store) map[string]int {
	t.Helper()
	ctx := context.Background()
	rows, err := s.DB().QueryContext(ctx, `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name`)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			t.Fatal(err)
		}
		names = append(names, n)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	out := map[string]int{}
	for _, n := range names {
		var c int
		if err := s.DB().QueryRowContext(ctx, `SELECT count(*) FROM "`+n+`"`).Scan(&c); err != nil {
			t.Fatal(err)
		}
		out[n] = c
	}
	return out
}

var schemaTables = []string{
	"authorization_codes", "events", "form_tokens", "licenses", "product_instances", "reservation_lines",
	"role_assignments", "schema_migrations", "smart_accounts", "users", "virtual_accounts",
}

func TestOpenMigratesFromEmptyAndIsIdempotent(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "slrportal.db")

	s, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	got := tableCounts(t, s)
	for _, name := range schemaTables {
		if _, ok := got[name]; !ok {
			t.Errorf("table %s missing after migration (have %v)", name, got)
		}
	}
	files, err := fs.Glob(migrations, "migrations/*.sql")
	if err != nil || len(files) == 0 {
		t.Fatalf("embedded migrations: %v %v", files, err)
	}
	if got["schema_migrations"] != len(files) {
		t.Errorf("schema_migrations has %d rows, want %d", got["schema_migrations"], len(files))
	}
	for _, trg := range []string{"events_no_update", "events_no_delete"} {
		var n int
		if err := s.DB().QueryRowContext(ctx, `SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND name = ?`, trg).Scan(&n); err != nil || n != 1 {
			t.Errorf("trigger %s: found %d (%v)", trg, n, err)
		}
	}
	sa := licensing.SmartAccount{Name: "Kept", Domain: "kept.example", SLREnabled: true}
	if err := s.CreateSmartAccount(ctx, &sa); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	// A second open applies nothing again and keeps the data.
	s2, err := Open(ctx, path)
	if err != nil {
		t.Fatalf("second open: %v", err)
	}
	defer s2.Close()
	again := tableCounts(t, s2)
	if again["schema_migrations"] != len(files) {
		t.Errorf("after reopen schema_migrations has %d rows, want %d", again["schema_migrations"], len(files))
	}
	if again["smart_accounts"] != 1 {
		t.Errorf("after reopen smart_accounts has %d rows, want 1", again["smart_accounts"])
	}
	if _, err := s2.SmartAccountByName(ctx, "Kept"); err != nil {
		t.Errorf("data lost on reopen: %v", err)
	}
}

func TestPragmasOnEveryConnection(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := newStore(t)
	// Hold two connections at once so that they are distinct: the settings
	// must come from the DSN, not from a statement run on one connection.
	c1, err := s.DB().Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer c1.Close()
	c2, err := s.DB().Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer c2.Close()
	want := []struct {
		pragma, value string
	}{
		{"foreign_keys", "1"},
		{"journal_mode", "wal"},
		{"synchronous", "2"}, // FULL
		{"busy_timeout", "10000"},
	}
	for i, c := range []*sql.Conn{c1, c2} {
		for _, w := range want {
			var v string
			if err := c.QueryRowContext(ctx, "PRAGMA "+w.pragma).Scan(&v); err != nil {
				t.Fatalf("connection %d: PRAGMA %s: %v", i+1, w.pragma, err)
			}
			if strings.ToLower(v) != w.value {
				t.Errorf("connection %d: PRAGMA %s = %s, want %s", i+1, w.pragma, v, w.value)
			}
		}
	}
}

func TestNotFound(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := newStore(t)
	const missing = 424242
	cases := []struct {
		name string
		call func() error
	}{
		{"SmartAccount", func() error { _, err := s.SmartAccount(ctx, missing); return err }},
		{"SmartAccountByName", func() error { _, err := s.SmartAccountByName(ctx, "nobody"); return err }},
		{"VirtualAccount", func() error { _, err := s.VirtualAccount(ctx, missing); return err }},
		{"ProductInstance", func() error { _, err := s.ProductInstance(ctx, missing); return err }},
		{"AuthCode", func() error { _, err := s.AuthCode(ctx, missing); return err }},
		{"User", func() error { _, err := s.User(ctx, missing); return err }},
		{"UserByUsername", func() error { _, err := s.UserByUsername(ctx, "nobody"); return err }},
		{"SetStatus", func() error { return s.SetStatus(ctx, missing, licensing.StatusFailed) }},
		{"SetRehostedTo", func() error { return s.SetRehostedTo(ctx, missing, 1) }},
		{"MarkRemoved", func() error { return s.MarkRemoved(ctx, missing, time.Now()) }},
		{"AddPurchased", func() error { return s.AddPurchased(ctx, missing, 1) }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if err := c.call(); !errors.Is(err, licensing.ErrNotFound) {
				t.Errorf("err = %v, want ErrNotFound", err)
			}
		})
	}
}

func TestAccounts(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := newStore(t)

	sa := licensing.SmartAccount{Name: "Globex", Domain: "globex.example", SLREnabled: true}
	if err := s.CreateSmartAccount(ctx, &sa); err != nil {
		t.Fatal(err)
	}
	if sa.ID == 0 {
		t.Fatal("CreateSmartAccount did not set the id")
	}
	if err := s.CreateSmartAccount(ctx, &licensing.SmartAccount{Name: "Globex"}); !errors.Is(err, licensing.ErrConflict) {
		t.Errorf("duplicate smart account name: err = %v, want ErrConflict", err)
	}
	got, err := s.SmartAccount(ctx, sa.ID)
	if err != nil || got != sa {
		t.Errorf("SmartAccount = %+v, %v; want %+v", got, err, sa)
	}
	if err := s.SetSLREnabled(ctx, sa.ID, false); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.SmartAccountByName(ctx, "Globex"); got.SLREnabled {
		t.Error("SetSLREnabled(false) did not stick")
	}

	for _, va := range []*licensing.VirtualAccount{
		{SmartAccountID: sa.ID, Name: "Zulu", Default: true, Description: "last by name"},
		{SmartAccountID: sa.ID, Name: "Alpha"},
		{SmartAccountID: sa.ID, Name: "Mike"},
	} {
		if err := s.CreateVirtualAccount(ctx, va); err != nil {
			t.Fatal(err)
		}
	}
	vas, err := s.VirtualAccounts(ctx, sa.ID)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, va := range vas {
		names = append(names, va.Name)
	}
	if !slices.Equal(names, []string{"Alpha", "Mike", "Zulu"}) {
		t.Errorf("VirtualAccounts order = %v, want by name", names)
	}
	zulu, err := s.VirtualAccount(ctx, vas[2].ID)
	if err != nil || !zulu.Default || zulu.Description != "last by name" || zulu.SmartAccountID != sa.ID {
		t.Errorf("VirtualAccount = %+v, %v", zulu, err)
	}

	conflicts := []struct {
		name string
		va   licensing.VirtualAccount
	}{
		{"same name in the smart account", licensing.VirtualAccount{SmartAccountID: sa.ID, Name: "Alpha"}},
		{"second default", licensing.VirtualAccount{SmartAccountID: sa.ID, Name: "Other", Default: true}},
	}
	for _, c := range conflicts {
		if err := s.CreateVirtualAccount(ctx, &c.va); !errors.Is(err, licensing.ErrConflict) {
			t.Errorf("%s: err = %v, want ErrConflict", c.name, err)
		}
	}
	if err := s.CreateVirtualAccount(ctx, &licensing.VirtualAccount{SmartAccountID: 999, Name: "Orphan"}); err == nil {
		t.Error("a virtual account of a missing smart account was created (foreign keys off?)")
	}
}

func TestLicensesInUseAndBalance(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, _ := seeded(t)
	sa := demoSA(t, s)
	campus := vaByName(t, s, sa.ID, "Campus")

	type want struct{ purchased, inUse int }
	check := func(step string, exp map[string]want) {
		t.Helper()
		ls, err := s.Licenses(ctx, campus.ID)
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, l := range ls {
			names = append(names, l.DisplayName)
			w, ok := exp[l.DisplayName]
			if !ok {
				t.Errorf("%s: unexpected license %q", step, l.DisplayName)
				continue
			}
			if l.Purchased != w.purchased || l.InUse != w.inUse || l.Balance() != w.purchased-w.inUse {
				t.Errorf("%s: %s purchased/in use/balance = %d/%d/%d, want %d/%d/%d", step, l.DisplayName,
					l.Purchased, l.InUse, l.Balance(), w.purchased, w.inUse, w.purchased-w.inUse)
			}
		}
		if !slices.IsSorted(names) || len(names) != len(exp) {
			t.Errorf("%s: licenses %v, want %d sorted by display name", step, names, len(exp))
		}
	}
	check("demo", map[string]want{
		"C9200 DNA Essentials":    {6, 6},
		"C9300 DNA Advantage":     {22, 24},
		"C9300 Network Advantage": {30, 24},
	})

	// A failed PI still holds its lines; a removed one does not.
	failed := instanceBySN(t, s, campus.ID, "FCW2134L0001")
	if err := s.SetStatus(ctx, failed.ID, licensing.StatusFailed); err != nil {
		t.Fatal(err)
	}
	check("after one PI failed", map[string]want{
		"C9200 DNA Essentials":    {6, 6},
		"C9300 DNA Advantage":     {22, 24},
		"C9300 Network Advantage": {30, 24},
	})
	removed := instanceBySN(t, s, campus.ID, "FCW2134L0002")
	if err := s.MarkRemoved(ctx, removed.ID, time.Now()); err != nil {
		t.Fatal(err)
	}
	if err := s.MarkRemoved(ctx, removed.ID, time.Now()); !errors.Is(err, licensing.ErrNotFound) {
		t.Errorf("removing a removed PI again: err = %v, want ErrNotFound", err)
	}
	check("after one PI removed", map[string]want{
		"C9200 DNA Essentials":    {6, 6},
		"C9300 DNA Advantage":     {22, 23},
		"C9300 Network Advantage": {30, 23},
	})

	// Purchased changes; a license nobody holds is 0 in use; lines of other
	// VAs with the same tag do not count here.
	ls, _ := s.Licenses(ctx, campus.ID)
	for _, l := range ls {
		if l.DisplayName == "C9300 DNA Advantage" {
			if err := s.AddPurchased(ctx, l.ID, 5); err != nil {
				t.Fatal(err)
			}
		}
	}
	spare := licensing.License{VAID: campus.ID, Tag: "regid.test.spare", DisplayName: "Spare", Family: "C9300", Type: licensing.Perpetual, Purchased: 3}
	if err := s.CreateLicense(ctx, &spare); err != nil {
		t.Fatal(err)
	}
	if err := s.CreateLicense(ctx, &licensing.License{VAID: campus.ID, Tag: spare.Tag, DisplayName: "Again", Family: "C9300", Type: licensing.Perpetual}); !errors.Is(err, licensing.ErrConflict) {
		t.Errorf("duplicate tag in a VA: err = %v, want ErrConflict", err)
	}
	wireless := vaByName(t, s, sa.ID, "Wireless")
	other := licensing.License{VAID: wireless.ID, Tag: demo.TagC9300DNAAdv, DisplayName: "C9300 DNA Advantage", Family: "C9300", Type: licensing.Perpetual, Purchased: 1}
	if err := s.CreateLicense(ctx, &other); err != nil {
		t.Fatalf("same tag in another VA: %v", err)
	}
	check("after deposit", map[string]want{
		"C9200 DNA Essentials":    {6, 6},
		"C9300 DNA Advantage":     {27, 23},
		"C9300 Network Advantage": {30, 23},
		"Spare":                   {3, 0},
	})
	wl, err := s.Licenses(ctx, wireless.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range wl {
		if l.Tag == demo.TagC9300DNAAdv && l.InUse != 0 {
			t.Errorf("Wireless counts Campus lines: in use %d", l.InUse)
		}
		if l.Tag == demo.TagC9800AP && (l.InUse != 90 || l.Purchased != 100) {
			t.Errorf("C9800 AP Advantage = %d/%d, want 100 purchased / 90 in use", l.Purchased, l.InUse)
		}
	}
}

func TestProductInstancesSearchAndPages(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, _ := seeded(t)
	sa := demoSA(t, s)
	campus := vaByName(t, s, sa.ID, "Campus")
	// One removed PI must never appear, whatever the search.
	gone := instanceBySN(t, s, campus.ID, "JAE2245K0006")
	if err := s.MarkRemoved(ctx, gone.ID, time.Now()); err != nil {
		t.Fatal(err)
	}
	if err := s.SetStatus(ctx, instanceBySN(t, s, campus.ID, "JAE2245K0005").ID, licensing.StatusFailed); err != nil {
		t.Fatal(err)
	}

	cases := []struct {
		name      string
		q         licensing.PIQuery
		total     int
		rows      int
		firstHost string
	}{
		{"all", licensing.PIQuery{}, 29, 25, "sw-campus-a01"},
		{"page 2", licensing.PIQuery{Offset: 25, Limit: 25}, 29, 4, "sw-campus-e02"},
		{"limit", licensing.PIQuery{Limit: 10}, 29, 10, "sw-campus-a01"},
		{"past the end", licensing.PIQuery{Offset: 100, Limit: 25}, 29, 0, ""},
		{"serial prefix", licensing.PIQuery{Prefix: "FCW2134L000"}, 9, 9, "sw-campus-a01"},
		{"serial prefix lower case", licensing.PIQuery{Prefix: "fcw2134l001"}, 10, 10, "sw-campus-a10"},
		{"whole serial", licensing.PIQuery{Prefix: "JAE2245K0003"}, 1, 1, "sw-campus-e03"},
		{"removed serial", licensing.PIQuery{Prefix: "JAE2245K0006"}, 0, 0, ""},
		{"PID prefix", licensing.PIQuery{Prefix: "C9200L"}, 5, 5, "sw-campus-e01"},
		{"PID prefix lower case", licensing.PIQuery{Prefix: "c9300-24"}, 24, 24, "sw-campus-a01"},
		{"hostname prefix", licensing.PIQuery{Prefix: "SW-CAMPUS-E"}, 5, 5, "sw-campus-e01"},
		{"hostname prefix all", licensing.PIQuery{Prefix: "sw-"}, 29, 25, "sw-campus-a01"},
		{"prefix only matches the start", licensing.PIQuery{Prefix: "campus"}, 0, 0, ""},
		{"LIKE wildcards are literal", licensing.PIQuery{Prefix: "%"}, 0, 0, ""},
		{"LIKE underscore is literal", licensing.PIQuery{Prefix: "FCW2134L_0"}, 0, 0, ""},
		{"family adds instances", licensing.PIQuery{Prefix: "Catalyst 9200", Families: []string{"C9200"}}, 5, 5, "sw-campus-e01"},
		{"two families", licensing.PIQuery{Prefix: "cat", Families: []string{"C9300", "C9200"}}, 29, 25, "sw-campus-a01"},
		{"PID and family match the same PIs once", licensing.PIQuery{Prefix: "C9300", Families: []string{"C9300"}}, 24, 24, "sw-campus-a01"},
		{"family of another VA", licensing.PIQuery{Prefix: "ASR", Families: []string{"ASR1000"}}, 0, 0, ""},
		{"status", licensing.PIQuery{Status: licensing.StatusFailed}, 1, 1, "sw-campus-e05"},
		{"status and prefix", licensing.PIQuery{Prefix: "JAE", Status: licensing.StatusReserved}, 4, 4, "sw-campus-e01"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p, err := s.ProductInstances(ctx, campus.ID, c.q)
			if err != nil {
				t.Fatal(err)
			}
			if p.Total != c.total || len(p.Instances) != c.rows {
				t.Fatalf("total %d, rows %d; want %d, %d", p.Total, len(p.Instances), c.total, c.rows)
			}
			if c.rows > 0 && p.Instances[0].Hostname != c.firstHost {
				t.Errorf("first row %s, want %s", p.Instances[0].Hostname, c.firstHost)
			}
			seen := map[int64]bool{}
			for _, pi := range p.Instances {
				if pi.VAID != campus.ID || pi.Removed || pi.ID == gone.ID {
					t.Errorf("row %+v is not a live PI of Campus", pi)
				}
				if seen[pi.ID] {
					t.Errorf("PI %d listed twice", pi.ID)
				}
				seen[pi.ID] = true
			}
			if !slices.IsSortedFunc(p.Instances, func(a, b licensing.ProductInstance) int { return strings.Compare(a.Hostname, b.Hostname) }) {
				t.Error("rows are not ordered by hostname")
			}
		})
	}

	// The alert column: every C9300 PI holds C9300 DNA Advantage, which is short.
	p, err := s.ProductInstances(ctx, campus.ID, licensing.PIQuery{Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	for _, pi := range p.Instances {
		want := 0
		if pi.Family == "C9300" {
			want = 1
		}
		if pi.FailedAlerts != want {
			t.Errorf("%s: FailedAlerts = %d, want %d", pi.SN, pi.FailedAlerts, want)
		}
	}

	// Pages cover every PI exactly once.
	var all []int64
	for off := 0; ; off += 7 {
		p, err := s.ProductInstances(ctx, campus.ID, licensing.PIQuery{Offset: off, Limit: 7})
		if err != nil {
			t.Fatal(err)
		}
		if len(p.Instances) == 0 {
			break
		}
		for _, pi := range p.Instances {
			all = append(all, pi.ID)
		}
	}
	slices.Sort(all)
	if len(all) != 29 || len(slices.Compact(all)) != 29 {
		t.Errorf("paging by 7 returned %d distinct of %d rows, want 29", len(slices.Compact(all)), len(all))
	}
}

// TestInstanceSearchUsesIndexes asks SQLite how it runs the search that
// ProductInstances builds: the prefix must narrow through an index range,
// never a walk over the table or over every PI of the virtual account.
func TestInstanceSearchUsesIndexes(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, _ := seeded(t)
	cases := []struct {
		name string
		q    licensing.PIQuery
		want []string
	}{
		{"serial", licensing.PIQuery{Prefix: "FCW2134L"}, []string{
			"SEARCH p USING INTEGER PRIMARY KEY",
			"USING INDEX product_instances_va_sn (va_id=? AND sn>? AND sn<?)",
			"USING INDEX product_instances_va_pid (va_id=? AND pid>? AND pid<?)",
			"USING INDEX product_instances_va_hostname (va_id=? AND hostname>? AND hostname<?)",
		}},
		{"serial and families", licensing.PIQuery{Prefix: "cat", Families: []string{"C9300", "C9200"}}, []string{
			"USING INDEX product_instances_va_sn (va_id=? AND sn>? AND sn<?)",
			"USING INDEX product_instances_va_family (va_id=? AND family=?)",
		}},
		{"list", licensing.PIQuery{}, []string{"USING INDEX product_instances_va_"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cond, args := piFilter(1, c.q)
			for _, query := range []string{
				`SELECT count(*) FROM product_instances p WHERE ` + cond,
				`SELECT p.id FROM product_instances p WHERE ` + cond + ` ORDER BY p.hostname = '', p.hostname, p.sn, p.id LIMIT 25`,
			} {
				plan := explain(t, s, query, args...)
				for _, w := range c.want {
					if !strings.Contains(plan, w) {
						t.Errorf("plan lacks %q:\n%s", w, plan)
					}
				}
				if strings.Contains(plan, "SCAN p") || strings.Contains(plan, "SCAN product_instances") {
					t.Errorf("plan scans product_instances:\n%s", plan)
				}
			}
		})
	}
	// And the statement with those arguments finds what the plan promises.
	p, err := s.ProductInstances(ctx, 1, licensing.PIQuery{Prefix: "FCW2134L"})
	if err != nil || p.Total != 24 {
		t.Errorf("search FCW2134L in VA 1: total %d, %v; want 24", p.Total, err)
	}
}

func explain(t *testing.T, s *Store, query string, args ...any) string {
	t.Helper()
	rows, err := s.DB().QueryContext(context.Background(), "EXPLAIN QUERY PLAN "+query, args...)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var b strings.Builder
	for rows.Next() {
		var id, parent, notused int
		var detail string
		if err := rows.Scan(&id, &parent, &notused, &detail); err != nil {
			t.Fatal(err)
		}
		fmt.Fprintln(&b, detail)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func TestStatusCounts(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, _ := seeded(t)
	sa := demoSA(t, s)
	campus := vaByName(t, s, sa.ID, "Campus")
	dc := vaByName(t, s, sa.ID, "Data Center")

	counts, err := s.StatusCounts(ctx, campus.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(counts) != 1 || counts[licensing.StatusReserved] != 30 {
		t.Errorf("demo Campus counts = %v, want 30 Reserved", counts)
	}
	steps := []struct {
		sn     string
		status licensing.Status
		remove bool
	}{
		{"FCW2134L0001", licensing.StatusFailed, false},
		{"FCW2134L0002", licensing.StatusFailed, false},
		{"FCW2134L0003", licensing.StatusUpdatePending, false},
		{"FCW2134L0004", "", true},
		{"FCW2134L0002", "", true}, // a removed failed PI no longer counts
	}
	for _, st := range steps {
		pi := instanceBySN(t, s, campus.ID, st.sn)
		if st.remove {
			err = s.MarkRemoved(ctx, pi.ID, time.Now())
		} else {
			err = s.SetStatus(ctx, pi.ID, st.status)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	counts, err = s.StatusCounts(ctx, campus.ID)
	if err != nil {
		t.Fatal(err)
	}
	want := map[licensing.Status]int{licensing.StatusReserved: 26, licensing.StatusFailed: 1, licensing.StatusUpdatePending: 1}
	for st, n := range want {
		if counts[st] != n {
			t.Errorf("Campus %s = %d, want %d (all: %v)", st, counts[st], n, counts)
		}
	}
	if len(counts) != len(want) {
		t.Errorf("Campus counts = %v, want %v", counts, want)
	}
	if dcCounts, err := s.StatusCounts(ctx, dc.ID); err != nil || dcCounts[licensing.StatusReserved] != 12 || len(dcCounts) != 1 {
		t.Errorf("Data Center counts = %v, %v; want 12 Reserved", dcCounts, err)
	}
	if none, err := s.StatusCounts(ctx, 9999); err != nil || len(none) != 0 {
		t.Errorf("missing VA counts = %v, %v; want empty", none, err)
	}
}

func TestLiveUDIIsUniqueUntilRemoved(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, _ := seeded(t)
	sa := demoSA(t, s)
	campus := vaByName(t, s, sa.ID, "Campus")
	wireless := vaByName(t, s, sa.ID, "Wireless")
	pi := instanceBySN(t, s, campus.ID, "FCW2134L0007")

	id, err := s.LiveUDI(ctx, sa.ID, "C9300-24UX", "FCW2134L0007")
	if err != nil || id != pi.ID {
		t.Fatalf("LiveUDI = %d, %v; want %d", id, err, pi.ID)
	}
	if id, err := s.LiveUDI(ctx, sa.ID, "C9300-48P", "FCW2134L0007"); err != nil || id != 0 {
		t.Errorf("LiveUDI of another PID = %d, %v; want 0", id, err)
	}

	now := time.Now().UTC()
	dup := func(vaID, saID int64) *licensing.ProductInstance {
		return &licensing.ProductInstance{VAID: vaID, SAID: saID, PIID: fmt.Sprintf("test-%d-%d", vaID, now.UnixNano()), PID: "C9300-24UX", SN: "FCW2134L0007",
			Family: "C9300", Status: licensing.StatusReserved, CreatedAt: now, LastContact: now}
	}
	// Live anywhere in the SA blocks the UDI, even in another VA.
	if err := s.CreateInstance(ctx, dup(wireless.ID, sa.ID)); !errors.Is(err, licensing.ErrConflict) {
		t.Fatalf("second live PI with the same UDI: err = %v, want ErrConflict", err)
	}
	// A failed PI still blocks it.
	if err := s.SetStatus(ctx, pi.ID, licensing.StatusFailed); err != nil {
		t.Fatal(err)
	}
	if err := s.CreateInstance(ctx, dup(campus.ID, sa.ID)); !errors.Is(err, licensing.ErrConflict) {
		t.Fatalf("UDI of a failed PI: err = %v, want ErrConflict", err)
	}
	// Another smart account may hold the same UDI.
	other := licensing.SmartAccount{Name: "Other SA"}
	if err := s.CreateSmartAccount(ctx, &other); err != nil {
		t.Fatal(err)
	}
	ova := licensing.VirtualAccount{SmartAccountID: other.ID, Name: "Default", Default: true}
	if err := s.CreateVirtualAccount(ctx, &ova); err != nil {
		t.Fatal(err)
	}
	if err := s.CreateInstance(ctx, dup(ova.ID, other.ID)); err != nil {
		t.Fatalf("same UDI in another smart account: %v", err)
	}

	// Once removed, the UDI is free again and the old row stays for history.
	if err := s.MarkRemoved(ctx, pi.ID, now); err != nil {
		t.Fatal(err)
	}
	if id, err := s.LiveUDI(ctx, sa.ID, "C9300-24UX", "FCW2134L0007"); err != nil || id != 0 {
		t.Fatalf("LiveUDI after removal = %d, %v; want 0", id, err)
	}
	again := dup(wireless.ID, sa.ID)
	again.Lines = []licensing.Line{{Tag: demo.TagC9800AP, Count: 2}, {Tag: "regid.test.other", Count: 1}}
	if err := s.CreateInstance(ctx, again); err != nil {
		t.Fatalf("UDI after removal: %v", err)
	}
	if id, _ := s.LiveUDI(ctx, sa.ID, "C9300-24UX", "FCW2134L0007"); id != again.ID {
		t.Errorf("LiveUDI = %d, want the new PI %d", id, again.ID)
	}
	old, err := s.ProductInstance(ctx, pi.ID)
	if err != nil || !old.Removed || old.Status != licensing.StatusFailed || len(old.Lines) != 2 {
		t.Errorf("removed PI = %+v, %v; want it kept, removed, with its lines", old, err)
	}
	got, err := s.ProductInstance(ctx, again.ID)
	if err != nil {
		t.Fatal(err)
	}
	wantLines := []licensing.Line{{Tag: demo.TagC9800AP, Count: 2}, {Tag: "regid.test.other", Count: 1}}
	slices.SortFunc(wantLines, func(a, b licensing.Line) int { return strings.Compare(a.Tag, b.Tag) })
	if !slices.Equal(got.Lines, wantLines) || got.PIID != again.PIID || got.Removed || !got.CreatedAt.Equal(now) {
		t.Errorf("ProductInstance = %+v; want lines %v, piid %s, created %v", got, wantLines, again.PIID, now)
	}
	if err := s.SetRehostedTo(ctx, pi.ID, again.ID); err != nil {
		t.Fatal(err)
	}
	if old, _ := s.ProductInstance(ctx, pi.ID); old.RehostedToID != again.ID {
		t.Errorf("RehostedToID = %d, want %d", old.RehostedToID, again.ID)
	}
}

func TestAuthCodesNewestFirst(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, _ := seeded(t)
	campus := vaByName(t, s, demoSA(t, s).ID, "Campus")
	pi := instanceBySN(t, s, campus.ID, "FCW2134L0010")

	imported, err := s.AuthCodes(ctx, pi.ID)
	if err != nil || len(imported) != 1 || imported[0].Kind != "import" {
		t.Fatalf("imported codes = %+v, %v; want one import code", imported, err)
	}
	base := time.Date(2026, 1, 2, 3, 4, 5, 600_000_000, time.UTC)
	var ids []int64
	for i := range 3 {
		c := licensing.AuthCode{PIID: pi.ID, Kind: "update", File: fmt.Appendf(nil, "<file %d>\n", i), Signature: fmt.Sprintf("sig%d", i),
			CreatedAt: base.Add(time.Duration(i) * time.Minute), Username: "tester"}
		if err := s.InsertAuthCode(ctx, &c); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, c.ID)
	}
	codes, err := s.AuthCodes(ctx, pi.ID)
	if err != nil {
		t.Fatal(err)
	}
	var got []int64
	for _, c := range codes {
		got = append(got, c.ID)
	}
	want := []int64{ids[2], ids[1], ids[0], imported[0].ID}
	if !slices.Equal(got, want) {
		t.Errorf("AuthCodes ids = %v, want newest first %v", got, want)
	}
	c, err := s.AuthCode(ctx, ids[1])
	if err != nil {
		t.Fatal(err)
	}
	if string(c.File) != "<file 1>\n" || c.Signature != "sig1" || c.Username != "tester" || c.PIID != pi.ID || !c.CreatedAt.Equal(base.Add(time.Minute)) {
		t.Errorf("AuthCode = %+v", c)
	}
	if other, err := s.AuthCodes(ctx, 999999); err != nil || len(other) != 0 {
		t.Errorf("codes of a missing PI = %v, %v; want none", other, err)
	}
}

func TestFormTokens(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := newStore(t)
	if id, err := s.TokenResult(ctx, "unused"); err != nil || id != 0 {
		t.Fatalf("TokenResult(unused) = %d, %v; want 0", id, err)
	}
	if err := s.SaveToken(ctx, "tok-1", 7, 42); err != nil {
		t.Fatal(err)
	}
	if id, err := s.TokenResult(ctx, "tok-1"); err != nil || id != 42 {
		t.Errorf("TokenResult(tok-1) = %d, %v; want 42", id, err)
	}
	if err := s.SaveToken(ctx, "tok-1", 7, 43); !errors.Is(err, licensing.ErrConflict) {
		t.Errorf("reusing a token: err = %v, want ErrConflict", err)
	}
	if id, _ := s.TokenResult(ctx, "tok-1"); id != 42 {
		t.Errorf("a refused reuse changed the result to %d", id)
	}
}

func TestUsersAndGrants(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := newStore(t)
	sa := licensing.SmartAccount{Name: "Initech"}
	if err := s.CreateSmartAccount(ctx, &sa); err != nil {
		t.Fatal(err)
	}
	va := licensing.VirtualAccount{SmartAccountID: sa.ID, Name: "Default", Default: true}
	if err := s.CreateVirtualAccount(ctx, &va); err != nil {
		t.Fatal(err)
	}
	u := licensing.User{Username: "peter", DisplayName: "Peter", PasswordHash: []byte("$2a$hash")}
	if err := s.CreateUser(ctx, &u); err != nil {
		t.Fatal(err)
	}
	if err := s.CreateUser(ctx, &licensing.User{Username: "peter", PasswordHash: []byte("x")}); !errors.Is(err, licensing.ErrConflict) {
		t.Errorf("duplicate username: err = %v, want ErrConflict", err)
	}
	for _, got := range []func() (licensing.User, error){
		func() (licensing.User, error) { return s.User(ctx, u.ID) },
		func() (licensing.User, error) { return s.UserByUsername(ctx, "peter") },
	} {
		g, err := got()
		if err != nil || g.ID != u.ID || g.Username != "peter" || g.DisplayName != "Peter" || string(g.PasswordHash) != "$2a$hash" {
			t.Errorf("user = %+v, %v", g, err)
		}
	}
	if gs, err := s.Grants(ctx, u.ID); err != nil || len(gs) != 0 {
		t.Errorf("grants of a new user = %v, %v; want none", gs, err)
	}
	grants := []access.Grant{
		{Role: access.VAViewer, SmartAccountID: sa.ID, VirtualAccountID: va.ID},
		{Role: access.SAUser, SmartAccountID: sa.ID},
	}
	for _, g := range grants {
		if err := s.AddGrant(ctx, u.ID, g); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.AddGrant(ctx, u.ID, grants[0]); !errors.Is(err, licensing.ErrConflict) {
		t.Errorf("duplicate grant: err = %v, want ErrConflict", err)
	}
	if err := s.AddGrant(ctx, u.ID, access.Grant{Role: "SUPERUSER", SmartAccountID: sa.ID}); err == nil {
		t.Error("a grant with an unknown role was stored")
	}
	gs, err := s.Grants(ctx, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	want := []access.Grant{grants[1], grants[0]} // by SA, then role
	if !slices.Equal(gs, want) {
		t.Errorf("Grants = %+v, want %+v", gs, want)
	}
}

// appendEvents appends n events, one transaction each, the way use cases do.
func appendEvents(t *testing.T, s *Store, saID, vaID int64, n int) {
	t.Helper()
	ctx := context.Background()
	for i := range n {
		err := s.InTx(ctx, func(tx licensing.Repo) error {
			_, err := licensing.AppendEvent(ctx, tx, licensing.Event{At: time.Now(), SAID: saID, VAID: vaID, UserID: 3, Username: "tester",
				Type: licensing.EventReserve, UDI: fmt.Sprintf("PID:C9300-24UX,SN:TST%04d", i), Hostname: fmt.Sprintf("host-%d", i),
				Message: fmt.Sprintf("event %d", i), Details: "details"})
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
}

func TestEventChain(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, svc := seeded(t)
	sa := demoSA(t, s)
	campus := vaByName(t, s, sa.ID, "Campus")
	_, before, _ := s.LastEvent(ctx)
	imported := tableCounts(t, s)["events"] // one IMPORT event per VA
	if imported != 4 {
		t.Fatalf("demo import wrote %d events, want 4", imported)
	}
	appendEvents(t, s, sa.ID, campus.ID, 5)

	lastID, lastHash, err := s.LastEvent(ctx)
	if err != nil || lastID != int64(imported+5) || lastHash == "" || lastHash == before {
		t.Fatalf("LastEvent = %d, %q, %v", lastID, lastHash, err)
	}
	var v licensing.ChainVerifier
	var seen []licensing.Event
	if err := s.EachEvent(ctx, func(e licensing.Event) error { seen = append(seen, e); return v.Check(e) }); err != nil {
		t.Fatalf("chain does not verify: %v", err)
	}
	if v.Count != lastID || len(seen) != int(lastID) {
		t.Errorf("verified %d of %d events", v.Count, lastID)
	}
	e := seen[len(seen)-1]
	if e.Message != "event 4" || e.UDI != "PID:C9300-24UX,SN:TST0004" || e.VAName != "Campus" || e.Hostname != "host-4" || e.Hash != lastHash || e.At.IsZero() {
		t.Errorf("last event = %+v", e)
	}
	if n, err := svc.VerifyEvents(ctx); err != nil || n != lastID {
		t.Errorf("VerifyEvents = %d, %v; want %d, nil", n, err, lastID)
	}

	// The query side: newest first, filters, keyset pages.
	cases := []struct {
		name string
		q    licensing.EventQuery
		ids  []int64
	}{
		{"VA, newest first", licensing.EventQuery{SAID: sa.ID, VAIDs: []int64{campus.ID}}, []int64{9, 8, 7, 6, 5, 1}},
		{"limit", licensing.EventQuery{SAID: sa.ID, Limit: 2}, []int64{9, 8}},
		{"before", licensing.EventQuery{SAID: sa.ID, BeforeID: 8, Limit: 2}, []int64{7, 6}},
		{"type", licensing.EventQuery{SAID: sa.ID, Type: licensing.EventImport}, []int64{4, 3, 2, 1}},
		{"serial prefix", licensing.EventQuery{SAID: sa.ID, Product: "tst0003"}, []int64{8}},
		{"hostname prefix", licensing.EventQuery{SAID: sa.ID, Product: "host-1"}, []int64{6}},
		{"username", licensing.EventQuery{SAID: sa.ID, Username: "tester"}, []int64{9, 8, 7, 6, 5}},
		{"no VAs", licensing.EventQuery{SAID: sa.ID, VAIDs: []int64{}}, nil},
		{"other SA", licensing.EventQuery{SAID: sa.ID + 1}, nil},
		{"from the future", licensing.EventQuery{SAID: sa.ID, From: time.Now().Add(time.Hour)}, nil},
	}
	for _, c := range cases {
		evs, err := s.Events(ctx, c.q)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		var ids []int64
		for _, e := range evs {
			ids = append(ids, e.ID)
		}
		if !slices.Equal(ids, c.ids) {
			t.Errorf("%s: ids %v, want %v", c.name, ids, c.ids)
		}
	}
}

func TestEventsAreAppendOnly(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, svc := seeded(t)
	for _, stmt := range []string{
		`UPDATE events SET message = 'rewritten' WHERE id = 2`,
		`UPDATE events SET hash = '' WHERE id = 2`,
		`DELETE FROM events WHERE id = 2`,
		`DELETE FROM events`,
	} {
		_, err := s.DB().ExecContext(ctx, stmt)
		if err == nil || !strings.Contains(err.Error(), "append-only") {
			t.Errorf("%s: err = %v, want the trigger's refusal", stmt, err)
		}
	}
	if n := tableCounts(t, s)["events"]; n != 4 {
		t.Errorf("events after refused changes = %d, want 4", n)
	}
	if _, err := svc.VerifyEvents(ctx); err != nil {
		t.Errorf("chain broken by refused changes: %v", err)
	}
}

func TestEventTamperingIsDetected(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name   string
		tamper []string // run after the triggers are dropped
		wantID int64    // the event the error names
		good   int64    // events verified before it
	}{
		{"message changed", []string{`UPDATE events SET message = 'nothing happened' WHERE id = 6`}, 6, 5},
		{"time changed", []string{`UPDATE events SET at = '2020-01-01T00:00:00Z' WHERE id = 3`}, 3, 2},
		{"user changed", []string{`UPDATE events SET username = 'mallory' WHERE id = 7`}, 7, 6},
		{"hash replaced", []string{`UPDATE events SET hash = 'ffff' WHERE id = 5`}, 5, 4},
		{"event deleted", []string{`DELETE FROM event_licenses WHERE event_id = 4`, `DELETE FROM events WHERE id = 4`}, 5, 3},
		{"license of an event removed", []string{`DELETE FROM event_licenses WHERE event_id = 2`}, 2, 1},
		{"last event replaced by a copy of the one before", []string{`DELETE FROM events WHERE id = 8`,
			`INSERT INTO events (id, at, sa_id, type, message, prev_hash, hash) SELECT 8, at, sa_id, type, 'forged', prev_hash, hash FROM events WHERE id = 7`}, 8, 7},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			s, svc := seeded(t)
			sa := demoSA(t, s)
			appendEvents(t, s, sa.ID, vaByName(t, s, sa.ID, "Campus").ID, 4) // events 5..8
			if n, err := svc.VerifyEvents(ctx); err != nil || n != 8 {
				t.Fatalf("before tampering: %d, %v", n, err)
			}
			for _, stmt := range append([]string{`DROP TRIGGER events_no_update`, `DROP TRIGGER events_no_delete`, `DROP TRIGGER event_licenses_no_delete`}, c.tamper...) {
				if _, err := s.DB().ExecContext(ctx, stmt); err != nil {
					t.Fatalf("%s: %v", stmt, err)
				}
			}
			n, err := svc.VerifyEvents(ctx)
			var ce *licensing.ChainError
			if !errors.As(err, &ce) {
				t.Fatalf("VerifyEvents = %d, %v; want a *ChainError", n, err)
			}
			if ce.ID != c.wantID || n != c.good {
				t.Errorf("ChainError names event %d after %d good ones; want event %d after %d", ce.ID, n, c.wantID, c.good)
			}
			if !strings.Contains(err.Error(), fmt.Sprintf("event %d", c.wantID)) {
				t.Errorf("message %q does not name event %d", err, c.wantID)
			}
			var v licensing.ChainVerifier
			if err := s.EachEvent(ctx, v.Check); !errors.As(err, &ce) || ce.ID != c.wantID {
				t.Errorf("ChainVerifier over EachEvent = %v, want event %d", err, c.wantID)
			}
		})
	}
}

func TestInTxRollsBackOnError(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, svc := seeded(t)
	before := tableCounts(t, s)
	lastID, lastHash, _ := s.LastEvent(ctx)
	campus := vaByName(t, s, demoSA(t, s).ID, "Campus")
	pi := instanceBySN(t, s, campus.ID, "FCW2134L0011")
	boom := errors.New("boom")

	err := s.InTx(ctx, func(tx licensing.Repo) error {
		sa := licensing.SmartAccount{Name: "Doomed"}
		if err := tx.CreateSmartAccount(ctx, &sa); err != nil {
			return err
		}
		va := licensing.VirtualAccount{SmartAccountID: sa.ID, Name: "Doomed VA", Default: true}
		if err := tx.CreateVirtualAccount(ctx, &va); err != nil {
			return err
		}
		u := licensing.User{Username: "doomed", PasswordHash: []byte("x")}
		if err := tx.CreateUser(ctx, &u); err != nil {
			return err
		}
		if err := tx.AddGrant(ctx, u.ID, access.Grant{Role: access.SAAdmin, SmartAccountID: sa.ID}); err != nil {
			return err
		}
		if err := tx.SetStatus(ctx, pi.ID, licensing.StatusFailed); err != nil {
			return err
		}
		if err := tx.MarkRemoved(ctx, pi.ID, time.Now()); err != nil {
			return err
		}
		if err := tx.SaveToken(ctx, "doomed-token", u.ID, 1); err != nil {
			return err
		}
		if _, err := licensing.AppendEvent(ctx, tx, licensing.Event{SAID: sa.ID, Type: licensing.EventSettings, Message: "doomed"}); err != nil {
			return err
		}
		// Inside the transaction the writes are visible...
		if _, err := tx.SmartAccountByName(ctx, "Doomed"); err != nil {
			return fmt.Errorf("not visible inside the transaction: %w", err)
		}
		// ...and a nested InTx on the transaction joins it.
		return tx.(licensing.Store).InTx(ctx, func(licensing.Repo) error { return boom })
	})
	if !errors.Is(err, boom) {
		t.Fatalf("InTx = %v, want the function's error", err)
	}
	if after := tableCounts(t, s); !maps.Equal(before, after) {
		t.Errorf("rows changed by a rolled-back transaction:\nbefore %v\nafter  %v", before, after)
	}
	if id, hash, _ := s.LastEvent(ctx); id != lastID || hash != lastHash {
		t.Errorf("LastEvent moved to %d", id)
	}
	if got, err := s.ProductInstance(ctx, pi.ID); err != nil || got.Removed || got.Status != licensing.StatusReserved {
		t.Errorf("PI after rollback = %+v, %v; want live and Reserved", got, err)
	}
	if id, _ := s.TokenResult(ctx, "doomed-token"); id != 0 {
		t.Error("token of a rolled-back transaction was kept")
	}
	if _, err := svc.VerifyEvents(ctx); err != nil {
		t.Errorf("chain after rollback: %v", err)
	}
	// The store is usable afterwards (no connection left inside a transaction).
	appendEvents(t, s, 1, campus.ID, 1)
}

// TestConcurrentAppendsKeepTheChain appends from many goroutines at once:
// BEGIN IMMEDIATE must queue the writers so that no two events take the
// same id and the chain stays whole.
func TestConcurrentAppendsKeepTheChain(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, svc := seeded(t)
	const workers, each = 12, 5
	var wg sync.WaitGroup
	errs := make(chan error, workers*each)
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				errs <- s.InTx(ctx, func(tx licensing.Repo) error {
					_, err := licensing.AppendEvent(ctx, tx, licensing.Event{SAID: 1, Type: licensing.EventSettings, Message: fmt.Sprintf("w%d-%d", w, i)})
					return err
				})
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	n, err := svc.VerifyEvents(ctx)
	if err != nil || n != 4+workers*each {
		t.Errorf("VerifyEvents = %d, %v; want %d, nil", n, err, 4+workers*each)
	}
}
