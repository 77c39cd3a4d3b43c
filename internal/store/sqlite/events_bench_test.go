package sqlite

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"slrportal/internal/licensing"
)

// benchEvents is the size of the benchmark's event log.
const benchEvents = 1_000_000

// benchDataVersion names the generator below: change it when the data
// changes. Schema changes need no bump: Open migrates the cached file.
const benchDataVersion = "v3"

var (
	benchOnce  sync.Once
	benchPath  string
	benchError error
)

// benchDB returns a file holding benchEvents events in smart account 1,
// spread over VAs 1 to 4 and the SA level. Building it takes a while, so
// the file is cached in the system temp directory across runs.
func benchDB(b *testing.B) string {
	b.Helper()
	if testing.Short() {
		b.Skip("builds a 1,000,000-event database")
	}
	benchOnce.Do(func() {
		benchPath = filepath.Join(os.TempDir(), fmt.Sprintf("slrportal-bench-events-%s-%d.db", benchDataVersion, benchEvents))
		if _, err := os.Stat(benchPath); err == nil {
			return
		}
		tmp := fmt.Sprintf("%s.%d.tmp", benchPath, os.Getpid())
		if benchError = buildBenchDB(tmp); benchError != nil {
			os.Remove(tmp)
			return
		}
		benchError = os.Rename(tmp, benchPath)
	})
	if benchError != nil {
		b.Fatal(benchError)
	}
	return benchPath
}

var (
	benchTypes = []licensing.EventType{licensing.EventReserve, licensing.EventReserve, licensing.EventReserve, licensing.EventDownload,
		licensing.EventDownload, licensing.EventConfirm, licensing.EventUpdate, licensing.EventRehost, licensing.EventRehostFailed,
		licensing.EventRemove, licensing.EventTransfer, licensing.EventRehostRefused}
	benchPIDs = []string{"C9300-24UX", "C9200L-48P-4X", "C9500-48Y4C", "ASR1002-HX", "ISR4331/K9", "C9800-40-K9"}
)

const benchDevices = 20_000

// benchTag is the license tag of a device's family; benchRareTag is a
// license few events concern.
func benchTag(pid string) string { return "regid.2017-03.com.cisco." + pid + ",1.0_bench" }

const benchRareTag = "regid.2017-03.com.cisco.RARE,1.0_bench"

func benchSerial(dev int) string { return fmt.Sprintf("FCW%07d", dev) }

func buildBenchDB(path string) error {
	st, err := Open(context.Background(), path)
	if err != nil {
		return err
	}
	defer st.Close()
	return fillEvents(st, benchEvents)
}

// benchDevice returns the device of event id: a cheap deterministic
// scramble so that neighbours differ.
func benchDevice(id int) (dev int, r uint64) {
	r = uint64(id) * 0x9E3779B97F4A7C15
	return int(r>>20) % benchDevices, r
}

// fillEvents writes n events over 347 days with raw SQL in one transaction
// (the hashes are dummies: the benchmark measures queries, not the chain).
func fillEvents(st *Store, n int) error {
	ctx := context.Background()
	db := st.DB()
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `INSERT INTO smart_accounts (id, name) VALUES (1, 'Bench SA')`); err != nil {
		return err
	}
	for i, name := range []string{"Campus", "Data Center", "Branch Offices", "Wireless"} {
		if _, err := tx.ExecContext(ctx, `INSERT INTO virtual_accounts (id, sa_id, name, is_default) VALUES (?, 1, ?, ?)`,
			i+1, name, i == 0); err != nil {
			return err
		}
	}
	insLic, err := tx.PrepareContext(ctx, `INSERT INTO event_licenses (event_id, tag) VALUES (?, ?)`)
	if err != nil {
		return err
	}
	defer insLic.Close()
	ins, err := tx.PrepareContext(ctx, `INSERT INTO events
		(id, at, sa_id, va_id, user_id, username, type, pi_id, udi, pid, sn, hostname, message, details, prev_hash, hash)
		VALUES (?, ?, 1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
	if err != nil {
		return err
	}
	defer ins.Close()
	start := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	step := 347 * 24 * time.Hour / time.Duration(n)
	for id := 1; id <= n; id++ {
		dev, r := benchDevice(id)
		va := 1 + dev%4 // a device stays in its VA
		user := fmt.Sprintf("user%02d", int(r>>40)%50)
		typ := benchTypes[int(r>>50)%len(benchTypes)]
		if int(r>>8)%100 == 0 { // 1 % SA-level failed sign-ins
			va, typ = 0, licensing.EventSignInFailed
		}
		pid, sn, host := benchPIDs[dev%len(benchPIDs)], benchSerial(dev), fmt.Sprintf("sw-%05d", dev)
		udi := "PID:" + pid + ",SN:" + sn
		if va == 0 {
			pid, sn, host, udi = "", "", "", ""
		}
		at := start.Add(time.Duration(id) * step).Format(time.RFC3339Nano)
		msg := fmt.Sprintf("Product instance %s: %s by %s", udi, typ, user)
		if _, err := ins.ExecContext(ctx, id, at, va, 1+int(r>>40)%50, user, string(typ), dev+1, udi, pid, sn, host, msg,
			"Licenses: C9300 DNA Advantage (1)", "prev", "hash"); err != nil {
			return err
		}
		if va != 0 { // each device's family license, and a rare one on 1 event in 1,000
			if _, err := insLic.ExecContext(ctx, id, benchTag(pid)); err != nil {
				return err
			}
			if int(r>>20)%1000 == 0 {
				if _, err := insLic.ExecContext(ctx, id, benchRareTag); err != nil {
					return err
				}
			}
		}
	}
	// No ANALYZE: the portal never runs it, so the planner works without
	// statistics here too.
	return tx.Commit()
}

// TestEventPlansAgree checks that whichever condition planEvents lets
// drive a query, the rows are the same.
func TestEventPlansAgree(t *testing.T) {
	t.Parallel()
	st, err := Open(t.Context(), filepath.Join(t.TempDir(), "plans.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if err := fillEvents(st, 600); err != nil {
		t.Fatal(err)
	}
	dev, _ := benchDevice(77)
	day := func(m, d int) time.Time { return time.Date(2024, time.Month(m), d, 0, 0, 0, 0, time.UTC) }
	products := []string{"", benchSerial(dev), "FCW", "c9300", "SW-0", "zzz"}
	dates := [][2]time.Time{{}, {day(3, 1), day(3, 20)}, {day(6, 1), {}}, {{}, day(2, 1)}}
	vas := [][]int64{nil, {1, 3}, {}}
	types := []licensing.EventType{"", licensing.EventReserve}
	befores := []int64{0, 300}
	var plans []eventPlan
	for i := range 8 {
		plans = append(plans, eventPlan{product: i&1 != 0, dates: i&2 != 0, licenses: i&4 != 0})
	}
	licenses := [][]string{nil, {benchTag("C9300-24UX")}, {benchRareTag, benchTag("ASR1002-HX")}, {}}
	nonEmpty := 0
	for _, product := range products {
		for _, d := range dates {
			for _, va := range vas {
				for _, typ := range types {
					for k, before := range befores {
						q := licensing.EventQuery{SAID: 1, VAIDs: va, Product: product, Type: typ, From: d[0], To: d[1], BeforeID: before, Limit: 1000,
							LicenseTags: licenses[(len(product)+k)%len(licenses)]}
						var want []int64
						for i, p := range plans {
							evs, err := st.events(t.Context(), q, p)
							if err != nil {
								t.Fatal(err)
							}
							var got []int64
							for _, e := range evs {
								got = append(got, e.ID)
							}
							if i == 0 {
								want = got
								if len(got) > 0 {
									nonEmpty++
								}
							} else if fmt.Sprint(got) != fmt.Sprint(want) {
								t.Fatalf("%+v with plan %+v: %v\nwith plan %+v: %v", q, p, got, plans[0], want)
							}
						}
						// And the planned query is one of them.
						evs, err := st.Events(t.Context(), q)
						if err != nil {
							t.Fatal(err)
						}
						if len(evs) != len(want) {
							t.Fatalf("%+v: Events returns %d rows, want %d", q, len(evs), len(want))
						}
					}
				}
			}
		}
	}
	if nonEmpty < 80 {
		t.Errorf("only %d queries select anything: the test data is too thin", nonEmpty)
	}
}

func benchStore(b *testing.B) *Store {
	b.Helper()
	st, err := Open(b.Context(), benchDB(b))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { st.Close() })
	return st
}

func runEventQuery(b *testing.B, st *Store, q licensing.EventQuery, atLeast int) {
	b.Helper()
	ctx := context.Background()
	// One untimed run checks that the query selects what it should.
	evs, err := st.Events(ctx, q)
	if err != nil {
		b.Fatal(err)
	}
	if len(evs) < atLeast {
		b.Fatalf("query returned %d events, want at least %d", len(evs), atLeast)
	}
	b.ResetTimer()
	for b.Loop() {
		if _, err := st.Events(ctx, q); err != nil {
			b.Fatal(err)
		}
	}
}

// The service asks for one row more than a page to know whether a next
// page exists.
const benchLimit = licensing.PageSize + 1

func BenchmarkEvents(b *testing.B) {
	st := benchStore(b)
	admin := licensing.EventQuery{SAID: 1, Limit: benchLimit}
	vaUser := licensing.EventQuery{SAID: 1, VAIDs: []int64{1, 3}, Limit: benchLimit}
	with := func(q licensing.EventQuery, f func(*licensing.EventQuery)) licensing.EventQuery {
		f(&q)
		return q
	}
	serial := benchSerial(12345)
	cases := []struct {
		name    string
		q       licensing.EventQuery
		atLeast int
	}{
		{"Page1/SA", admin, benchLimit},
		{"Page1/VAUser", vaUser, benchLimit},
		{"DeepPage/SA", with(admin, func(q *licensing.EventQuery) { q.BeforeID = 2000 }), benchLimit},
		{"DeepPage/VAUser", with(vaUser, func(q *licensing.EventQuery) { q.BeforeID = 2000 }), benchLimit},
		{"Serial/SA", with(admin, func(q *licensing.EventQuery) { q.Product = serial }), 20},
		{"Serial/VA", with(admin, func(q *licensing.EventQuery) { q.VAIDs = []int64{2}; q.Product = serial }), 20},
		{"SerialPrefix/SA", with(admin, func(q *licensing.EventQuery) { q.Product = "FCW00123" }), benchLimit},
		{"PIDPrefix/SA", with(admin, func(q *licensing.EventQuery) { q.Product = "C9300" }), benchLimit},
		{"PIDPrefix/VAUser", with(vaUser, func(q *licensing.EventQuery) { q.Product = "C9300" }), benchLimit},
		{"PrefixOfEverySerial/SA", with(admin, func(q *licensing.EventQuery) { q.Product = "FCW" }), benchLimit},
		{"NoMatch/SA", with(admin, func(q *licensing.EventQuery) { q.Product = "ZZZ" }), 0},
		{"Hostname/SA", with(admin, func(q *licensing.EventQuery) { q.Product = "sw-12345" }), 20},
		{"TypeAndVA/common", with(admin, func(q *licensing.EventQuery) { q.VAIDs = []int64{2}; q.Type = licensing.EventReserve }), benchLimit},
		{"TypeAndVA/rare", with(admin, func(q *licensing.EventQuery) { q.VAIDs = []int64{2}; q.Type = licensing.EventRehostRefused }), benchLimit},
		{"TypeAndVAs/VAUser", with(vaUser, func(q *licensing.EventQuery) { q.Type = licensing.EventRehostRefused }), benchLimit},
		{"Type/SA", with(admin, func(q *licensing.EventQuery) { q.Type = licensing.EventSignInFailed }), benchLimit},
		{"TypeAndVA/DeepPage", with(admin, func(q *licensing.EventQuery) {
			q.VAIDs = []int64{2}
			q.Type = licensing.EventRehostRefused
			q.BeforeID = 20_000
		}), 5},
		{"DateRange/Year", with(admin, func(q *licensing.EventQuery) {
			q.From = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
			q.To = time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
		}), benchLimit},
		{"DateRange/OldMonth", with(admin, func(q *licensing.EventQuery) {
			q.From = time.Date(2024, 2, 1, 0, 0, 0, 0, time.UTC)
			q.To = time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC)
		}), benchLimit},
		{"DateRange/MostOfTheLog", with(admin, func(q *licensing.EventQuery) {
			q.From = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
			q.To = time.Date(2024, 12, 1, 0, 0, 0, 0, time.UTC)
		}), benchLimit},
		{"License/SA", with(admin, func(q *licensing.EventQuery) { q.LicenseTags = []string{benchTag("C9300-24UX")} }), benchLimit},
		{"License/Rare", with(admin, func(q *licensing.EventQuery) { q.LicenseTags = []string{benchRareTag} }), benchLimit},
		{"License/NoEvent", with(admin, func(q *licensing.EventQuery) { q.LicenseTags = []string{"regid.no-event-names-it"} }), 0},
		{"User/SA", with(admin, func(q *licensing.EventQuery) { q.Username = "user07" }), benchLimit},
		{"DateRange/SA", with(admin, func(q *licensing.EventQuery) {
			q.From = time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC)
			q.To = time.Date(2024, 3, 2, 0, 0, 0, 0, time.UTC)
		}), benchLimit},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) { runEventQuery(b, st, c.q, c.atLeast) })
	}
}
