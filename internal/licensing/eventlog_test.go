package licensing_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"slrportal/internal/licensing"
	"slrportal/internal/store/sqlite"
)

// The licenses of the event log's smart account, by tag.
const (
	logTagDNA = "regid.2017-03.com.cisco.C9300_DNA_Advantage,1.0_log"
	logTagISR = "regid.2017-03.com.cisco.ISR4K_Security,1.0_log"
	logTagNW  = "regid.2017-03.com.cisco.C9300_NW_Advantage,1.0_log"
)

// logLicenseNames is the same list for the test's own filter (the oracle).
var logLicenseNames = map[string]string{logTagDNA: "C9300 DNA Advantage", logTagISR: "ISR 4000 Security", logTagNW: "C9300 Network Advantage"}

// eventLog is a small smart account (VAs Alpha and Beta) whose log holds a
// known set of events, for the event log's filters.
type eventLog struct {
	svc          *licensing.Service
	st           *sqlite.Store
	admin, vaOne licensing.Actor // SA admin; VA user of Alpha only
	alpha, beta  int64
}

func newEventLog(t *testing.T) *eventLog {
	t.Helper()
	ctx := t.Context()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "events.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	svc := licensing.NewService(st, key)
	// The import's own events fall on a day the date filters never ask for.
	svc.SetClock(func() time.Time { return time.Date(2026, 2, 1, 12, 0, 0, 0, time.UTC) })
	f := licensing.ImportFile{
		SmartAccounts: []licensing.ImportSA{{Name: "Log SA", Domain: "log.example", SLREnabled: true,
			VirtualAccounts: []licensing.ImportVA{
				{Name: "Alpha", Default: true, Licenses: []licensing.ImportLicense{
					{Tag: logTagDNA, DisplayName: "C9300 DNA Advantage", Family: "C9300", Type: "PERPETUAL", Purchased: 1},
					{Tag: logTagISR, DisplayName: "ISR 4000 Security", Family: "ISR4000", Type: "PERPETUAL", Purchased: 1}}},
				{Name: "Beta", Licenses: []licensing.ImportLicense{
					{Tag: logTagNW, DisplayName: "C9300 Network Advantage", Family: "C9300", Type: "PERPETUAL", Purchased: 1}}}}}},
		Users: []licensing.ImportUser{
			{Username: "admin", Password: "pw-admin-123", DisplayName: "A", Roles: []licensing.ImportRole{{Role: "SA_ADMIN", SmartAccount: "Log SA"}}},
			{Username: "vaone", Password: "pw-vaone-123", DisplayName: "V", Roles: []licensing.ImportRole{{Role: "VA_USER", SmartAccount: "Log SA", VirtualAccount: "Alpha"}}},
		},
	}
	if _, err := svc.Import(ctx, f, bcrypt.MinCost); err != nil {
		t.Fatal(err)
	}
	l := &eventLog{svc: svc, st: st, admin: loadActor(t, svc, st, "admin"), vaOne: loadActor(t, svc, st, "vaone")}
	vas, _, err := svc.VisibleVAs(ctx, l.admin)
	if err != nil {
		t.Fatal(err)
	}
	for _, va := range vas {
		switch va.Name {
		case "Alpha":
			l.alpha = va.ID
		case "Beta":
			l.beta = va.ID
		}
	}
	if l.alpha == 0 || l.beta == 0 {
		t.Fatalf("VAs not found: %+v", vas)
	}
	return l
}

func loadActor(t *testing.T, svc *licensing.Service, st *sqlite.Store, username string) licensing.Actor {
	t.Helper()
	u, err := st.UserByUsername(t.Context(), username)
	if err != nil {
		t.Fatal(err)
	}
	a, err := svc.LoadActor(t.Context(), u.ID)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// appendEvents chains events into the log as the use cases do.
func appendEvents(t testing.TB, st *sqlite.Store, evs ...licensing.Event) []licensing.Event {
	t.Helper()
	out := make([]licensing.Event, 0, len(evs))
	err := st.InTx(context.Background(), func(tx licensing.Repo) error {
		for _, e := range evs {
			e, err := licensing.AppendEvent(context.Background(), tx, e)
			if err != nil {
				return err
			}
			out = append(out, e)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// seed appends 90 varied events to Alpha, Beta and the SA level, plus a few
// on the edges of 2026-03-05 and 2026-03-06.
func (l *eventLog) seed(t *testing.T) {
	t.Helper()
	base := time.Date(2026, 3, 1, 6, 0, 0, 0, time.UTC)
	types := []licensing.EventType{licensing.EventReserve, licensing.EventRehost, licensing.EventRemove, licensing.EventDownload, licensing.EventRehostRefused}
	users := []string{"alice", "bob", "carol", "Alice"}
	var evs []licensing.Event
	for i := range 90 {
		e := licensing.Event{At: base.Add(time.Duration(i) * 127 * time.Minute), SAID: l.admin.SAID, Username: users[i%len(users)],
			Type: types[i%len(types)]}
		switch i % 3 {
		case 0:
			e.VAID = l.alpha
		case 1:
			e.VAID = l.beta
		}
		if i%2 == 0 {
			e.UDI = fmt.Sprintf("PID:C9300-24UX,SN:FCW21%04d", i)
			e.Hostname = fmt.Sprintf("sw-Core-%02d", i)
			e.Details = "Licenses: C9300 DNA Advantage (1)"
			e.Licenses = []string{logTagDNA}
		} else {
			e.UDI = fmt.Sprintf("PID:ISR4331/K9,SN:FLM20%04d", i)
			e.Hostname = fmt.Sprintf("br_%02d", i)
			e.Details = "Licenses: ISR 4000 Security (1)"
			e.Licenses = []string{logTagISR}
		}
		if i%7 == 0 {
			e.Hostname = ""
		}
		e.Message = fmt.Sprintf("Event number %d for %s", i, e.UDI)
		if i%11 == 0 {
			e.Message += " (Network Advantage mentioned in the message)"
			e.Licenses = append(e.Licenses, logTagNW)
		}
		evs = append(evs, e)
	}
	// Edges: RFC 3339 with trimmed fractions does not sort like time.
	edge := func(at time.Time, msg string) licensing.Event {
		return licensing.Event{At: at, SAID: l.admin.SAID, VAID: l.alpha, Username: "edge", Type: licensing.EventConfirm,
			UDI: "PID:C9500-48Y4C,SN:FDO0001", Message: msg}
	}
	evs = append(evs,
		edge(time.Date(2026, 3, 5, 0, 0, 0, 0, time.UTC), "edge: first instant of the 5th"),
		edge(time.Date(2026, 3, 5, 0, 0, 0, 500_000_000, time.UTC), "edge: half a second into the 5th"),
		edge(time.Date(2026, 3, 4, 23, 59, 59, 999_000_000, time.UTC), "edge: last millisecond of the 4th"),
		edge(time.Date(2026, 3, 6, 23, 59, 59, 999_999_999, time.UTC), "edge: last nanosecond of the 6th"),
		edge(time.Date(2026, 3, 7, 0, 0, 0, 0, time.UTC), "edge: first instant of the 7th"),
		edge(time.Date(2026, 3, 7, 0, 0, 0, 250_000_000, time.UTC), "edge: a quarter second into the 7th"),
	)
	appendEvents(t, l.st, evs...)
}

// all returns every stored event, newest first.
func (l *eventLog) all(t *testing.T) []licensing.Event {
	t.Helper()
	var out []licensing.Event
	if err := l.st.EachEvent(t.Context(), func(e licensing.Event) error { out = append(out, e); return nil }); err != nil {
		t.Fatal(err)
	}
	slices.Reverse(out)
	return out
}

func udiParts(udi string) (pid, sn string) {
	rest, _ := strings.CutPrefix(udi, "PID:")
	pid, sn, _ = strings.Cut(rest, ",SN:")
	return pid, sn
}

func hasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix)
}

// matches is the filter's meaning, written independently of the SQL.
func matches(e licensing.Event, f licensing.EventFilter) bool {
	if f.Product != "" {
		pid, sn := udiParts(e.UDI)
		if !hasPrefixFold(sn, f.Product) && !hasPrefixFold(pid, f.Product) && !hasPrefixFold(e.Hostname, f.Product) {
			return false
		}
	}
	if f.Type != "" && e.Type != f.Type {
		return false
	}
	if f.Username != "" && e.Username != f.Username {
		return false
	}
	if f.License != "" {
		// The filter names licenses by display name or tag; an event
		// matches when it concerns one of them.
		lic := strings.ToLower(strings.TrimSpace(f.License))
		hit := false
		for _, tag := range e.Licenses {
			if strings.Contains(strings.ToLower(tag), lic) || strings.Contains(strings.ToLower(logLicenseNames[tag]), lic) {
				hit = true
			}
		}
		if !hit {
			return false
		}
	}
	if !f.From.IsZero() && e.At.Before(f.From) {
		return false
	}
	if !f.To.IsZero() && !e.At.Before(f.To) {
		return false
	}
	return true
}

func ids(evs []licensing.Event) []int64 {
	out := make([]int64, len(evs))
	for i, e := range evs {
		out[i] = e.ID
	}
	return out
}

func day(s string) time.Time {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return t
}

func TestEventFilters(t *testing.T) {
	t.Parallel()
	l := newEventLog(t)
	l.seed(t)
	all := l.all(t)

	cases := []struct {
		name string
		f    licensing.EventFilter
		min  int // the case must select at least this many events
	}{
		{"no filter", licensing.EventFilter{}, 90},
		{"exact serial", licensing.EventFilter{Product: "FCW210004"}, 1},
		{"serial prefix, lower case", licensing.EventFilter{Product: "fcw2100"}, 5},
		{"PID prefix", licensing.EventFilter{Product: "isr4331/"}, 40},
		{"hostname prefix, other case", licensing.EventFilter{Product: "SW-CORE-1"}, 3},
		{"hostname with underscore", licensing.EventFilter{Product: "br_1"}, 3},
		{"LIKE wildcards are literal", licensing.EventFilter{Product: "FCW%"}, 0},
		{"underscore is literal", licensing.EventFilter{Product: "F_W"}, 0},
		{"not a prefix", licensing.EventFilter{Product: "0004"}, 0},
		{"surrounding space ignored", licensing.EventFilter{Product: "  FLM200001 "}, 1},
		{"type", licensing.EventFilter{Type: licensing.EventRemove}, 15},
		{"user is exact", licensing.EventFilter{Username: "alice"}, 20},
		{"user other case", licensing.EventFilter{Username: "Alice"}, 20},
		{"license by display name, any case", licensing.EventFilter{License: "dna advantage"}, 40},
		{"license of another VA, by name", licensing.EventFilter{License: "network ADVANTAGE"}, 5},
		{"license by tag", licensing.EventFilter{License: "ISR4K_Security"}, 40},
		{"two licenses match the text", licensing.EventFilter{License: "C9300"}, 45},
		{"no license has this name", licensing.EventFilter{License: "no such license"}, 0},
		{"one day", licensing.EventFilter{From: day("2026-03-05"), To: day("2026-03-06")}, 10},
		{"two days", licensing.EventFilter{From: day("2026-03-05"), To: day("2026-03-07")}, 20},
		{"from only", licensing.EventFilter{From: day("2026-03-07")}, 20},
		{"to only", licensing.EventFilter{To: day("2026-03-03")}, 10},
		{"product and type", licensing.EventFilter{Product: "FCW", Type: licensing.EventRehost}, 5},
		{"user and date", licensing.EventFilter{Username: "bob", From: day("2026-03-02"), To: day("2026-03-06")}, 5},
		{"everything", licensing.EventFilter{Product: "isr", Type: licensing.EventRehost, Username: "bob", License: "security",
			From: day("2026-03-01"), To: day("2026-03-09")}, 1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			var want []int64
			norm := c.f
			norm.Product = strings.TrimSpace(norm.Product)
			for _, e := range all {
				if matches(e, norm) {
					want = append(want, e.ID)
				}
			}
			if len(want) < c.min {
				t.Fatalf("the oracle selects %d events, the case needs at least %d: fix the test data", len(want), c.min)
			}
			// Service level, SA log, big page: exactly the oracle, newest first.
			f := c.f
			f.Limit = 1000
			p, err := l.svc.SAEvents(t.Context(), l.admin, f)
			if err != nil {
				t.Fatal(err)
			}
			if got := ids(p.Events); !slices.Equal(got, want) {
				t.Errorf("SAEvents = %v\nwant        %v", got, want)
			}
			// Export: the same rows, no page limit.
			var exported []int64
			if err := l.svc.ExportEvents(t.Context(), l.admin, 0, c.f, func(e licensing.Event) error {
				exported = append(exported, e.ID)
				return nil
			}); err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(exported, want) {
				t.Errorf("ExportEvents = %v\nwant         %v", exported, want)
			}
			// The VA tab: the same filter restricted to Alpha.
			var wantAlpha []int64
			for _, e := range all {
				if e.VAID == l.alpha && matches(e, norm) {
					wantAlpha = append(wantAlpha, e.ID)
				}
			}
			p, err = l.svc.VAEvents(t.Context(), l.vaOne, l.alpha, f)
			if err != nil {
				t.Fatal(err)
			}
			if got := ids(p.Events); !slices.Equal(got, wantAlpha) {
				t.Errorf("VAEvents(Alpha) = %v\nwant             %v", got, wantAlpha)
			}
		})
	}
}

func TestEventDateEdges(t *testing.T) {
	t.Parallel()
	l := newEventLog(t)
	l.seed(t)
	// The 5th and the 6th, as the web handler asks: To is the next midnight.
	p, err := l.svc.VAEvents(t.Context(), l.admin, l.alpha, licensing.EventFilter{Username: "edge", From: day("2026-03-05"), To: day("2026-03-07")})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range p.Events {
		got = append(got, e.Message)
	}
	want := []string{"edge: last nanosecond of the 6th", "edge: half a second into the 5th", "edge: first instant of the 5th"}
	if !slices.Equal(got, want) {
		t.Errorf("events of the 5th and 6th:\n got %q\nwant %q", got, want)
	}
}

func TestEventFilterValidation(t *testing.T) {
	t.Parallel()
	l := newEventLog(t)
	for _, f := range []licensing.EventFilter{
		{Product: strings.Repeat("x", licensing.MaxSearchLen+1)},
		{Username: strings.Repeat("x", licensing.MaxSearchLen+1)},
		{License: strings.Repeat("x", licensing.MaxSearchLen+1)},
		{From: day("2026-03-05"), To: day("2026-03-04")},
		{From: day("2026-03-05"), To: day("2026-03-05")}, // To is exclusive: the web's to=4th from=5th
	} {
		if _, err := l.svc.SAEvents(t.Context(), l.admin, f); !errors.Is(err, licensing.ErrInvalid) {
			t.Errorf("SAEvents(%+v) = %v, want ErrInvalid", f, err)
		}
		if err := l.svc.ExportEvents(t.Context(), l.admin, 0, f, func(licensing.Event) error { return nil }); !errors.Is(err, licensing.ErrInvalid) {
			t.Errorf("ExportEvents(%+v) = %v, want ErrInvalid", f, err)
		}
	}
}

func TestEventVisibility(t *testing.T) {
	t.Parallel()
	l := newEventLog(t)
	l.seed(t)
	appendEvents(t, l.st, licensing.Event{SAID: l.admin.SAID, Username: "mallory", Type: licensing.EventSignInFailed, Message: "Sign-in failed"})

	p, err := l.svc.SAEvents(t.Context(), l.vaOne, licensing.EventFilter{Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Events) == 0 {
		t.Fatal("a VA user sees no events of their VA")
	}
	for _, e := range p.Events {
		if e.VAID != l.alpha {
			t.Fatalf("VA user of Alpha sees event %d of VA %d (%s)", e.ID, e.VAID, e.Message)
		}
	}
	err = l.svc.ExportEvents(t.Context(), l.vaOne, 0, licensing.EventFilter{}, func(e licensing.Event) error {
		if e.VAID != l.alpha {
			return fmt.Errorf("export shows event %d of VA %d", e.ID, e.VAID)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := l.svc.VAEvents(t.Context(), l.vaOne, l.beta, licensing.EventFilter{}); !errors.Is(err, licensing.ErrNotFound) {
		t.Errorf("VAEvents(Beta) for Alpha's user = %v, want ErrNotFound", err)
	}
	if err := l.svc.ExportEvents(t.Context(), l.vaOne, l.beta, licensing.EventFilter{}, func(licensing.Event) error { return nil }); !errors.Is(err, licensing.ErrNotFound) {
		t.Errorf("ExportEvents(Beta) for Alpha's user = %v, want ErrNotFound", err)
	}
	p, err = l.svc.SAEvents(t.Context(), l.admin, licensing.EventFilter{Type: licensing.EventSignInFailed})
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Events) != 1 || p.Events[0].Username != "mallory" || p.Events[0].VAID != 0 {
		t.Errorf("admin's SA log: failed sign-ins = %+v", p.Events)
	}
	if _, err := l.svc.VerifyEventsFor(t.Context(), l.vaOne); !errors.Is(err, licensing.ErrNotFound) {
		t.Errorf("VerifyEventsFor(VA user) = %v, want ErrNotFound", err)
	}
}

// TestEventPagination pages through the log while new events arrive
// between pages: the keyset cursor neither repeats nor skips an event.
func TestEventPagination(t *testing.T) {
	t.Parallel()
	l := newEventLog(t)
	l.seed(t)
	for _, filtered := range []bool{false, true} {
		t.Run(fmt.Sprintf("filtered=%v", filtered), func(t *testing.T) {
			f := licensing.EventFilter{}
			if filtered {
				f.Product = "fcw"
			}
			var want []int64
			for _, e := range l.all(t) {
				if matches(e, f) {
					want = append(want, e.ID)
				}
			}
			var got []int64
			seen := map[int64]bool{}
			for page := 0; ; page++ {
				p, err := l.svc.SAEvents(t.Context(), l.admin, f)
				if err != nil {
					t.Fatal(err)
				}
				if len(p.Events) > licensing.PageSize {
					t.Fatalf("page %d has %d events", page, len(p.Events))
				}
				if p.Next != 0 && len(p.Events) != licensing.PageSize {
					t.Fatalf("page %d has %d events and a next page", page, len(p.Events))
				}
				for _, e := range p.Events {
					if seen[e.ID] {
						t.Fatalf("event %d shown twice (page %d)", e.ID, page)
					}
					seen[e.ID] = true
					got = append(got, e.ID)
				}
				// New events, matching the filter, arrive before the next page.
				appendEvents(t, l.st, licensing.Event{SAID: l.admin.SAID, VAID: l.alpha, Username: "late", Type: licensing.EventReserve,
					UDI: fmt.Sprintf("PID:C9300-24UX,SN:FCW99%04d", page), Message: "arrived later"})
				if p.Next == 0 {
					break
				}
				f.Before = p.Next
			}
			if !slices.Equal(got, want) {
				t.Errorf("paged ids = %v\nwant        %v", got, want)
			}
		})
	}
}

func TestEventChain(t *testing.T) {
	t.Parallel()
	l := newEventLog(t)
	l.seed(t)
	ctx := t.Context()
	n, err := l.svc.VerifyEvents(ctx)
	if err != nil || n != int64(len(l.all(t))) {
		t.Fatalf("VerifyEvents = %d, %v; want %d, nil", n, err, len(l.all(t)))
	}
	if n2, err := l.svc.VerifyEventsFor(ctx, l.admin); err != nil || n2 != n {
		t.Fatalf("VerifyEventsFor(admin) = %d, %v", n2, err)
	}
	db := l.st.DB()
	if _, err := db.ExecContext(ctx, `UPDATE events SET message = 'x' WHERE id = 5`); err == nil || !strings.Contains(err.Error(), "append-only") {
		t.Errorf("UPDATE events: %v, want the trigger's refusal", err)
	}
	if _, err := db.ExecContext(ctx, `DELETE FROM events WHERE id = 5`); err == nil || !strings.Contains(err.Error(), "append-only") {
		t.Errorf("DELETE events: %v, want the trigger's refusal", err)
	}
	if _, err := db.ExecContext(ctx, `DROP TRIGGER events_no_update`); err != nil {
		t.Fatal(err)
	}
	if _, err := db.ExecContext(ctx, `UPDATE events SET message = message || '!' WHERE id = 17`); err != nil {
		t.Fatal(err)
	}
	n, err = l.svc.VerifyEvents(ctx)
	var ce *licensing.ChainError
	if !errors.As(err, &ce) || ce.ID != 17 || n != 16 {
		t.Fatalf("VerifyEvents after tampering = %d, %v; want 16 good and a ChainError at 17", n, err)
	}
}

func TestChainVerifier(t *testing.T) {
	t.Parallel()
	mk := func(n int) []licensing.Event {
		var evs []licensing.Event
		prev := ""
		for i := 1; i <= n; i++ {
			e := licensing.Event{ID: int64(i), At: time.Date(2026, 1, 1, 0, 0, i, 0, time.UTC), SAID: 1, Type: licensing.EventReserve,
				Message: fmt.Sprintf("m%d", i), PrevHash: prev}
			e.Hash = e.ComputeHash()
			prev = e.Hash
			evs = append(evs, e)
		}
		return evs
	}
	cases := []struct {
		name   string
		mutate func([]licensing.Event) []licensing.Event
		badID  int64 // 0: intact
	}{
		{"intact", func(e []licensing.Event) []licensing.Event { return e }, 0},
		{"message changed", func(e []licensing.Event) []licensing.Event { e[2].Message = "m3!"; return e }, 3},
		{"user changed", func(e []licensing.Event) []licensing.Event { e[0].Username = "x"; return e }, 1},
		{"time changed", func(e []licensing.Event) []licensing.Event { e[4].At = e[4].At.Add(time.Nanosecond); return e }, 5},
		{"hash recomputed after change", func(e []licensing.Event) []licensing.Event {
			e[1].Details = "forged"
			e[1].Hash = e[1].ComputeHash()
			return e
		}, 3},
		{"event missing", func(e []licensing.Event) []licensing.Event { return append(e[:3], e[4:]...) }, 5},
		{"first event missing", func(e []licensing.Event) []licensing.Event { return e[1:] }, 2},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var v licensing.ChainVerifier
			var err error
			for _, e := range c.mutate(mk(6)) {
				if err = v.Check(e); err != nil {
					break
				}
			}
			var ce *licensing.ChainError
			switch {
			case c.badID == 0 && err != nil:
				t.Fatalf("intact chain: %v", err)
			case c.badID != 0 && (!errors.As(err, &ce) || ce.ID != c.badID):
				t.Fatalf("got %v, want a ChainError at event %d", err, c.badID)
			}
		})
	}
}
