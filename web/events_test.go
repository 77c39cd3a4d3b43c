package web_test

import (
	"context"
	"encoding/csv"
	"fmt"
	"html"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"slrportal/internal/demo"
	"slrportal/internal/licensing"
)

// demoIDs returns the demo smart account's id and its VAs' ids by name.
func demoIDs(t *testing.T, env *testEnv) (int64, map[string]int64) {
	t.Helper()
	sa, err := env.Portal.Store.SmartAccountByName(t.Context(), demo.SmartAccount)
	if err != nil {
		t.Fatal(err)
	}
	vas, err := env.Portal.Store.VirtualAccounts(t.Context(), sa.ID)
	if err != nil {
		t.Fatal(err)
	}
	ids := map[string]int64{}
	for _, va := range vas {
		ids[va.Name] = va.ID
	}
	return sa.ID, ids
}

// demoLicenseTags names the demo licenses the test events mention.
var demoLicenseTags = map[string]string{"C9300 DNA Advantage": demo.TagC9300DNAAdv, "C9200 DNA Essentials": demo.TagC9200DNAEss}

// addEvents chains events into the portal's log as the use cases do; an
// event whose details name a demo license concerns that license, as the
// use cases record it.
func addEvents(t testing.TB, env *testEnv, evs ...licensing.Event) {
	t.Helper()
	err := env.Portal.Store.InTx(context.Background(), func(tx licensing.Repo) error {
		for _, e := range evs {
			for name, tag := range demoLicenseTags {
				if e.Licenses == nil && strings.Contains(e.Details, name) {
					e.Licenses = []string{tag}
				}
			}
			if _, err := licensing.AppendEvent(context.Background(), tx, e); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

var (
	nextLinkRe = regexp.MustCompile(`<a href="([^"]+)" rel="next">`)
	eventMsgRe = regexp.MustCompile(`logged event (\d+)\b`)
)

// nextLink returns the "Older" link of an event log page, unescaped.
func nextLink(body string) string {
	m := nextLinkRe.FindStringSubmatch(body)
	if m == nil {
		return ""
	}
	return html.UnescapeString(m[1])
}

func TestEventLogFiltersOverHTTP(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	saID, va := demoIDs(t, env)
	campus := va["Campus"]
	at := time.Date(2026, 3, 5, 10, 0, 0, 0, time.UTC)
	ev := func(msg, user string, typ licensing.EventType, udi, host, details string, at time.Time) licensing.Event {
		return licensing.Event{At: at, SAID: saID, VAID: campus, Username: user, Type: typ, UDI: udi, Hostname: host, Message: msg, Details: details}
	}
	addEvents(t, env,
		ev("filter[one]", "vauser", licensing.EventRehost, "PID:C9300-24UX,SN:FCW7777A0001", "sw-Lab-01", "Licenses: C9300 DNA Advantage (1)", at),
		ev("filter[type]", "vauser", licensing.EventRemove, "PID:C9300-24UX,SN:FCW7777A0002", "sw-lab-02", "Licenses: C9300 DNA Advantage (1)", at),
		ev("filter[user]", "vaadmin", licensing.EventRehost, "PID:C9300-24UX,SN:FCW7777A0003", "sw-lab-03", "Licenses: C9300 DNA Advantage (1)", at),
		ev("filter[license]", "vauser", licensing.EventRehost, "PID:C9300-24UX,SN:FCW7777A0004", "sw-lab-04", "Licenses: C9200 DNA Essentials (1)", at),
		ev("filter[day]", "vauser", licensing.EventRehost, "PID:C9300-24UX,SN:FCW7777A0005", "sw-lab-05", "Licenses: C9300 DNA Advantage (1)", at.AddDate(0, 0, 3)),
		ev("filter[product]", "vauser", licensing.EventRehost, "PID:C9200L-48P-4X,SN:JAE7777A0006", "ap-lab-06", "Licenses: C9300 DNA Advantage (1)", at),
	)
	c := env.login("vauser")
	base := fmt.Sprintf("/inventory/%d/events", campus)
	cases := []struct {
		name  string
		query url.Values
		want  []string // every filter-* message that must show; the others must not
	}{
		{"serial prefix", url.Values{"q": {"FCW7777A000"}}, []string{"one", "type", "user", "license", "day"}},
		{"serial, lower case", url.Values{"q": {"fcw7777a0001"}}, []string{"one"}},
		{"PID", url.Values{"q": {"c9200l"}}, []string{"product"}},
		{"hostname, any case", url.Values{"q": {"SW-LAB-0"}}, []string{"one", "type", "user", "license", "day"}},
		{"type", url.Values{"q": {"fcw7777"}, "type": {"REMOVE"}}, []string{"type"}},
		{"user", url.Values{"q": {"fcw7777"}, "user": {"vaadmin"}}, []string{"user"}},
		{"license", url.Values{"q": {"fcw7777"}, "license": {"dna essentials"}}, []string{"license"}},
		{"date range", url.Values{"from": {"2026-03-08"}, "to": {"2026-03-08"}}, []string{"day"}},
		{"from and to are whole days", url.Values{"q": {"fcw7777"}, "from": {"2026-03-05"}, "to": {"2026-03-05"}}, []string{"one", "type", "user", "license"}},
		{"all combined", url.Values{"q": {"sw-lab"}, "type": {"REHOST"}, "user": {"vauser"}, "license": {"C9300 DNA"},
			"from": {"2026-03-05"}, "to": {"2026-03-05"}}, []string{"one"}},
	}
	all := []string{"one", "type", "user", "license", "day", "product"}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			for _, path := range []string{base, "/activity/events"} {
				r := c.get(path + "?" + tc.query.Encode())
				if r.Code != http.StatusOK {
					t.Fatalf("GET %s?%s: %d", path, tc.query.Encode(), r.Code)
				}
				for _, m := range all {
					shown := strings.Contains(r.Body, "filter["+m+"]")
					if want := slices.Contains(tc.want, m); shown != want {
						t.Errorf("%s: event %q shown=%v, want %v", path, m, shown, want)
					}
				}
				// The form shows the filters back.
				for k, v := range tc.query {
					if !strings.Contains(r.Body, `name="`+k+`" value="`+html.EscapeString(v[0])+`"`) && k != "type" {
						t.Errorf("%s: the form lost %s=%q", path, k, v[0])
					}
				}
			}
		})
	}

	for _, bad := range []string{"from=2026-13-01", "to=yesterday", "type=NOPE", "before=-3", "from=2026-03-06&to=2026-03-05",
		"q=" + strings.Repeat("x", licensing.MaxSearchLen+1)} {
		if r := c.get(base + "?" + bad); r.Code != http.StatusUnprocessableEntity || !strings.Contains(r.Body, `role="alert"`) {
			t.Errorf("GET ?%s: %d, want 422 with a message", bad, r.Code)
		}
	}
}

// TestEventPagesOverHTTP follows the "Older" links, newest first, while
// new events arrive between page loads; the links keep the filters.
func TestEventPagesOverHTTP(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	saID, va := demoIDs(t, env)
	campus := va["Campus"]
	const n = 60
	mk := func(i int, user string) licensing.Event {
		return licensing.Event{At: time.Date(2026, 3, 5, 10, 0, 0, 0, time.UTC), SAID: saID, VAID: campus, Username: user,
			Type: licensing.EventReserve, UDI: fmt.Sprintf("PID:C9300-24UX,SN:PGN%04d", i), Details: "Licenses: C9300 DNA Advantage (1)",
			Message: fmt.Sprintf("logged event %d", i)}
	}
	for i := 1; i <= n; i++ {
		user := "pager"
		if i%4 == 0 {
			user = "someone-else" // filtered out
		}
		addEvents(t, env, mk(i, user))
	}
	var want []string
	for i := n; i >= 1; i-- {
		if i%4 != 0 {
			want = append(want, fmt.Sprint(i))
		}
	}
	c := env.login("vauser")
	filters := url.Values{"q": {"pgn"}, "type": {"RESERVE"}, "user": {"pager"}, "license": {"dna advantage"}, "from": {"2026-03-05"}, "to": {"2026-03-06"}}
	path := fmt.Sprintf("/inventory/%d/events?%s", campus, filters.Encode())
	var got []string
	late := 1000
	for pages := 1; ; pages++ {
		if pages > 5 {
			t.Fatal("too many pages")
		}
		r := c.get(path)
		if r.Code != http.StatusOK {
			t.Fatalf("GET %s: %d", path, r.Code)
		}
		rows := eventMsgRe.FindAllStringSubmatch(r.Body, -1)
		if len(rows) > licensing.PageSize {
			t.Fatalf("page %d shows %d events", pages, len(rows))
		}
		for _, m := range rows {
			got = append(got, m[1])
		}
		// Matching events arrive between page loads.
		for range 3 {
			late++
			addEvents(t, env, mk(late, "pager"))
		}
		next := nextLink(r.Body)
		if next == "" {
			break
		}
		u, err := url.Parse(next)
		if err != nil {
			t.Fatal(err)
		}
		if u.Path != fmt.Sprintf("/inventory/%d/events", campus) || u.Query().Get("before") == "" {
			t.Fatalf("next link %q", next)
		}
		for k, v := range filters {
			if u.Query().Get(k) != v[0] {
				t.Fatalf("next link %q lost %s=%q", next, k, v[0])
			}
		}
		if len(rows) != licensing.PageSize {
			t.Fatalf("page %d has %d events and an Older link", pages, len(rows))
		}
		// Export CSV exports what the filters select, not the page.
		m := regexp.MustCompile(`href="(/inventory/\d+/events\.csv[^"]*)"`).FindStringSubmatch(r.Body)
		if m == nil {
			t.Fatal("no Export CSV link")
		}
		cu, err := url.Parse(html.UnescapeString(m[1]))
		if err != nil {
			t.Fatal(err)
		}
		for k, v := range filters {
			if cu.Query().Get(k) != v[0] {
				t.Fatalf("CSV link %q lost %s=%q", m[1], k, v[0])
			}
		}
		if cu.Query().Has("before") {
			t.Errorf("CSV link %q carries the page cursor", m[1])
		}
		path = next
	}
	if !slices.Equal(got, want) {
		t.Errorf("pages showed %v\nwant %v", got, want)
	}
}

func readCSV(t *testing.T, body string) [][]string {
	t.Helper()
	recs, err := csv.NewReader(strings.NewReader(body)).ReadAll()
	if err != nil {
		t.Fatalf("CSV does not parse: %v\n%s", err, body)
	}
	if len(recs) == 0 || !slices.Equal(recs[0], []string{"Time (UTC)", "Virtual Account", "User", "Type", "Product", "Hostname", "Message", "Details"}) {
		t.Fatalf("CSV header: %q", recs)
	}
	return recs[1:]
}

func TestEventCSVExport(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	saID, va := demoIDs(t, env)
	campus, dc := va["Campus"], va["Data Center"]
	at := time.Date(2026, 3, 5, 10, 0, 0, 0, time.UTC)
	var evs []licensing.Event
	for i := range 40 { // more than a page
		evs = append(evs, licensing.Event{At: at.Add(time.Duration(i) * time.Minute), SAID: saID, VAID: campus, Username: "exporter",
			Type: licensing.EventReserve, UDI: fmt.Sprintf("PID:C9300-24UX,SN:CSV%04d", i), Hostname: fmt.Sprintf("sw-%d", i),
			Message: fmt.Sprintf("plain export row %d", i), Details: "Licenses: C9300 DNA Advantage (1)"})
	}
	tricky := []licensing.Event{
		{Username: "=cmd|' /C calc'!A0", Hostname: "+hosty", Message: "@SUM(1+1)", Details: "-2+3"},
		{Username: "@admin", Hostname: "-sw", Message: "=HYPERLINK(\"http://evil\")", Details: "+1"},
		{Username: "exporter", Hostname: "\tsw", Message: "comma, \"quotes\" and\nnew line", Details: "Notes: line 1\r\nline 2"},
	}
	for i, e := range tricky {
		e.At, e.SAID, e.VAID, e.Type, e.UDI = at.Add(time.Hour), saID, campus, licensing.EventRehost, fmt.Sprintf("PID:C9300-24UX,SN:CSVX%d", i)
		evs = append(evs, e)
	}
	evs = append(evs, licensing.Event{At: at, SAID: saID, VAID: dc, Username: "exporter", Type: licensing.EventReserve,
		UDI: "PID:C9500-48Y4C,SN:CSVDC1", Message: "data center row"})
	addEvents(t, env, evs...)

	admin := env.login("admin")
	r := admin.get(fmt.Sprintf("/inventory/%d/events.csv?q=csv0&user=exporter&from=2026-03-05&to=2026-03-05", campus))
	if r.Code != http.StatusOK {
		t.Fatalf("VA CSV: %d\n%s", r.Code, r.Body)
	}
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/csv") {
		t.Errorf("Content-Type %q", ct)
	}
	if cd := r.Header.Get("Content-Disposition"); !regexp.MustCompile(`^attachment; filename="events-campus-\d{8}-\d{6}\.csv"$`).MatchString(cd) {
		t.Errorf("Content-Disposition %q", cd)
	}
	rows := readCSV(t, r.Body)
	if len(rows) != 40 {
		t.Fatalf("VA CSV has %d rows, want every one of the 40 matching events", len(rows))
	}
	for i, row := range rows { // newest first
		if want := fmt.Sprintf("plain export row %d", 39-i); row[6] != want || row[1] != "Campus" || row[3] != "RESERVE" {
			t.Fatalf("row %d = %q, want message %q in Campus", i, row, want)
		}
		if _, err := time.Parse(time.RFC3339, row[0]); err != nil {
			t.Errorf("row %d time %q: %v", i, row[0], err)
		}
	}

	r = admin.get("/activity/events.csv?q=csvx")
	if cd := r.Header.Get("Content-Disposition"); !regexp.MustCompile(`^attachment; filename="events-smart-account-\d{8}-\d{6}\.csv"$`).MatchString(cd) {
		t.Errorf("Content-Disposition %q", cd)
	}
	rows = readCSV(t, r.Body)
	if len(rows) != 3 {
		t.Fatalf("SA CSV has %d rows, want 3:\n%s", len(rows), r.Body)
	}
	wantRows := [][]string{ // newest first
		{"exporter", "CSVX2", "'\tsw", "comma, \"quotes\" and\nnew line", "Notes: line 1\r\nline 2"},
		{"'@admin", "CSVX1", "'-sw", "'=HYPERLINK(\"http://evil\")", "'+1"},
		{"'=cmd|' /C calc'!A0", "CSVX0", "'+hosty", "'@SUM(1+1)", "'-2+3"},
	}
	for i, row := range rows {
		w := wantRows[i]
		// encoding/csv turns \r\n inside a quoted field into \n.
		wantDetails := strings.ReplaceAll(w[4], "\r\n", "\n")
		if row[2] != w[0] || !strings.HasSuffix(row[4], w[1]) || row[5] != w[2] || row[6] != w[3] || row[7] != wantDetails {
			t.Errorf("row %d = %q\nwant user %q product …%s hostname %q message %q details %q", i, row, w[0], w[1], w[2], w[3], wantDetails)
		}
	}

	// The SA export honours the same filters and every VA.
	rows = readCSV(t, admin.get("/activity/events.csv?user=exporter&type=RESERVE").Body)
	if len(rows) != 41 {
		t.Errorf("SA CSV for exporter's reservations: %d rows, want 41", len(rows))
	}
	// No match: just the header.
	if rows := readCSV(t, admin.get("/activity/events.csv?q=nothing-matches-this").Body); len(rows) != 0 {
		t.Errorf("empty export has %d rows", len(rows))
	}
	// A bad filter is refused before anything is written.
	if r := admin.get("/activity/events.csv?from=not-a-date"); r.Code != http.StatusUnprocessableEntity {
		t.Errorf("CSV with a bad date: %d, want 422", r.Code)
	}
}

// TestEventCSVFailedSignInUsername: text typed as an unknown username on
// the sign-in page never reaches the log or the CSV, only a fingerprint.
func TestEventCSVFailedSignInUsername(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	if r := env.anon().post("/login", url.Values{"username": {"=1+2"}, "password": {"x"}}); r.Code == http.StatusSeeOther {
		t.Fatalf("sign-in with a bad password succeeded")
	}
	rows := readCSV(t, env.login("admin").get("/activity/events.csv?type=SIGN_IN_FAILED").Body)
	if len(rows) != 1 || rows[0][2] != "" || rows[0][1] != "" || strings.Contains(strings.Join(rows[0], ","), "1+2") ||
		!strings.Contains(rows[0][6], "unknown username (fingerprint ") {
		t.Fatalf("failed sign-in rows: %q", rows)
	}
}

// heapWriter is a ResponseWriter that keeps no body: it counts bytes and
// samples the heap at every write, so the test sees the export's peak.
type heapWriter struct {
	header   http.Header
	code     int
	bytes    int64
	writes   int
	maxWrite int
	base     uint64
	peak     uint64
}

func (w *heapWriter) Header() http.Header { return w.header }
func (w *heapWriter) WriteHeader(code int) {
	if w.code == 0 {
		w.code = code
	}
}

func (w *heapWriter) Write(b []byte) (int, error) {
	w.WriteHeader(http.StatusOK)
	w.bytes += int64(len(b))
	w.writes++
	w.maxWrite = max(w.maxWrite, len(b))
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	w.peak = max(w.peak, ms.HeapInuse)
	return len(b), nil
}

// TestEventCSVStreams exports 10,000 events whose CSV is far bigger than
// the heap growth allowed: the handler must stream rows, not buffer them.
// Not parallel: it measures the process's heap.
func TestEventCSVStreams(t *testing.T) {
	if testing.Short() {
		t.Skip("10,000 events")
	}
	env := newEnv(t)
	saID, va := demoIDs(t, env)
	const n = 10_000
	details := "Notes: " + strings.Repeat("x", 4000)
	var evs []licensing.Event
	for i := range n {
		evs = append(evs, licensing.Event{At: time.Date(2026, 3, 5, 10, 0, 0, i, time.UTC), SAID: saID, VAID: va["Campus"], Username: "bulk",
			Type: licensing.EventReserve, UDI: fmt.Sprintf("PID:C9300-24UX,SN:BLK%06d", i), Message: fmt.Sprintf("bulk event %d", i), Details: details})
	}
	addEvents(t, env, evs...)
	evs = nil

	c := env.login("vauser")
	h, err := env.Portal.Handler()
	if err != nil {
		t.Fatal(err)
	}
	req := httptest.NewRequest(http.MethodGet, fmt.Sprintf("/inventory/%d/events.csv?user=bulk", va["Campus"]), nil)
	u, _ := url.Parse(env.Server.URL)
	for _, ck := range c.http.Jar.Cookies(u) {
		req.AddCookie(ck)
	}
	w := &heapWriter{header: http.Header{}}
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	w.base, w.peak = ms.HeapInuse, ms.HeapInuse
	h.ServeHTTP(w, req)

	const limit = 20 << 20
	growth := int64(w.peak) - int64(w.base)
	t.Logf("CSV %d bytes in %d writes (largest %d); heap in use grew by at most %.1f MB", w.bytes, w.writes, w.maxWrite, float64(growth)/(1<<20))
	if w.code != http.StatusOK {
		t.Fatalf("status %d", w.code)
	}
	if w.bytes < int64(n)*4000 {
		t.Fatalf("CSV is %d bytes, want all %d rows", w.bytes, n)
	}
	if w.maxWrite > 1<<20 || w.writes < 100 {
		t.Errorf("%d writes, the largest %d bytes: the export is buffered, not streamed", w.writes, w.maxWrite)
	}
	if growth > limit {
		t.Errorf("heap in use grew by %d bytes while exporting %d bytes of CSV (limit %d)", growth, w.bytes, limit)
	}
}

func TestEventIntegrityOverHTTP(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	admin := env.login("admin")
	page := admin.get("/activity/events")
	if !strings.Contains(page.Body, `action="/activity/events/verify"`) {
		t.Fatal("admin's Event Log has no Verify integrity button")
	}
	r := admin.post("/activity/events/verify", nil)
	if r.Code != http.StatusSeeOther || r.Location != "/activity/events" {
		t.Fatalf("verify: %d %q", r.Code, r.Location)
	}
	if b := admin.get(r.Location).Body; !regexp.MustCompile(`Event log integrity verified: all \d+ events are intact\.`).MatchString(b) {
		t.Fatalf("no success flash after verify:\n%s", b)
	}

	vauser := env.login("vauser")
	if strings.Contains(vauser.get("/activity/events").Body, `action="/activity/events/verify"`) {
		t.Error("a VA user sees the Verify integrity button")
	}
	if r := vauser.post("/activity/events/verify", nil); r.Code != http.StatusNotFound {
		t.Errorf("VA user verify: %d, want 404", r.Code)
	}

	db := env.Portal.Store.DB()
	if _, err := db.ExecContext(t.Context(), `UPDATE events SET message = 'changed' WHERE id = 2`); err == nil {
		t.Fatal("UPDATE of an event was allowed")
	}
	if _, err := db.ExecContext(t.Context(), `DELETE FROM events WHERE id = 2`); err == nil {
		t.Fatal("DELETE of an event was allowed")
	}
	if _, err := db.ExecContext(t.Context(), `DROP TRIGGER events_no_update`); err != nil {
		t.Fatal(err)
	}
	if _, err := db.ExecContext(t.Context(), `UPDATE events SET message = 'changed' WHERE id = 2`); err != nil {
		t.Fatal(err)
	}
	r = admin.post("/activity/events/verify", nil)
	if r.Code != http.StatusSeeOther {
		t.Fatalf("verify after tampering: %d", r.Code)
	}
	if b := admin.get(r.Location).Body; !strings.Contains(b, "Event log integrity check FAILED at event 2") {
		t.Fatalf("no failure flash naming event 2:\n%s", b)
	}
}

// TestEventLogVisibility: a VA user of Campus and Branch Offices sees only
// those VAs' events, never SA-level ones; the admin sees failed sign-ins.
func TestEventLogVisibility(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	saID, va := demoIDs(t, env)
	if r := env.anon().post("/login", url.Values{"username": {"vauser"}, "password": {"wrong password"}}); r.Code == http.StatusSeeOther {
		t.Fatal("sign-in with a wrong password succeeded")
	}
	for name, id := range va {
		addEvents(t, env, licensing.Event{SAID: saID, VAID: id, Username: "marker", Type: licensing.EventReserve,
			UDI: "PID:C9300-24UX,SN:MRK" + fmt.Sprint(id), Message: "marker event in " + name})
	}
	visible := map[string]bool{"Campus": true, "Branch Offices": true}

	c := env.login("vauser")
	page := c.get("/activity/events?user=marker")
	for name := range va {
		if got := strings.Contains(page.Body, "marker event in "+name); got != visible[name] {
			t.Errorf("vauser's Activity log shows %s's event: %v", name, got)
		}
	}
	if r := c.get("/activity/events?type=SIGN_IN_FAILED"); strings.Contains(r.Body, "Sign-in failed for") || !strings.Contains(r.Body, "No events found.") {
		t.Error("vauser sees failed sign-ins")
	}
	rows := readCSV(t, c.get("/activity/events.csv").Body)
	if len(rows) == 0 {
		t.Fatal("vauser's CSV is empty")
	}
	for _, row := range rows {
		if !visible[row[1]] || row[3] == string(licensing.EventSignInFailed) {
			t.Errorf("vauser's CSV has a row of %q: %q", row[1], row)
		}
	}
	for _, name := range []string{"Data Center", "Wireless"} {
		for _, suffix := range []string{"/events", "/events.csv"} {
			if r := c.get(fmt.Sprintf("/inventory/%d%s", va[name], suffix)); r.Code != http.StatusNotFound {
				t.Errorf("vauser GET %s%s: %d, want 404", name, suffix, r.Code)
			}
		}
	}
	if r := c.get(fmt.Sprintf("/inventory/%d/events?user=marker", va["Branch Offices"])); r.Code != http.StatusOK ||
		!strings.Contains(r.Body, "marker event in Branch Offices") || strings.Contains(r.Body, "marker event in Campus") {
		t.Errorf("vauser's Branch Offices tab: %d", r.Code)
	}

	admin := env.login("admin")
	if b := admin.get("/activity/events?type=SIGN_IN_FAILED").Body; !strings.Contains(b, "Sign-in failed for username &#34;vauser&#34;") &&
		!strings.Contains(b, "Sign-in failed for username &quot;vauser&quot;") {
		t.Errorf("admin does not see the failed sign-in:\n%s", b)
	}
	rows = readCSV(t, admin.get("/activity/events.csv?user=marker").Body)
	if len(rows) != len(va) {
		t.Errorf("admin's CSV has %d marker rows, want %d", len(rows), len(va))
	}
}
