package web_test

import (
	"context"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"

	"slrportal/internal/access"
	"slrportal/internal/demo"
	"slrportal/internal/licensing"
	"slrportal/internal/slrcode"
)

// The foundation of the portal over real HTTP: sign-in and out, CSRF,
// who sees which virtual account, malformed URLs, the Product Instances
// search and pages, the Licenses tab, the public endpoints, cookies, and
// role changes.

const badCredentials = "The username or password is not correct."

// fndVAs returns the demo VAs' ids by name, read from the database.
func fndVAs(t *testing.T, env *testEnv) map[string]int64 {
	t.Helper()
	ctx := context.Background()
	sa, err := env.Portal.Store.SmartAccountByName(ctx, demo.SmartAccount)
	if err != nil {
		t.Fatal(err)
	}
	vas, err := env.Portal.Store.VirtualAccounts(ctx, sa.ID)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]int64{}
	for _, va := range vas {
		out[va.Name] = va.ID
	}
	if len(out) != 4 {
		t.Fatalf("demo VAs = %v, want 4", out)
	}
	return out
}

// fndPI returns the live PI of a VA with this serial number.
func fndPI(t *testing.T, env *testEnv, vaID int64, sn string) licensing.ProductInstance {
	t.Helper()
	p, err := env.Portal.Store.ProductInstances(context.Background(), vaID, licensing.PIQuery{Prefix: sn})
	if err != nil {
		t.Fatal(err)
	}
	for _, pi := range p.Instances {
		if pi.SN == sn {
			return pi
		}
	}
	t.Fatalf("no live PI %s in VA %d", sn, vaID)
	return licensing.ProductInstance{}
}

// fndAnyPI returns some live PI of a VA.
func fndAnyPI(t *testing.T, env *testEnv, vaID int64) licensing.ProductInstance {
	t.Helper()
	p, err := env.Portal.Store.ProductInstances(context.Background(), vaID, licensing.PIQuery{Limit: 1})
	if err != nil || len(p.Instances) == 0 {
		t.Fatalf("VA %d has no PI: %v", vaID, err)
	}
	return p.Instances[0]
}

// fndReturnCode is the code the device of pi would print on return.
func fndReturnCode(t *testing.T, env *testEnv, pi licensing.ProductInstance) string {
	t.Helper()
	codes, err := env.Portal.Store.AuthCodes(context.Background(), pi.ID)
	if err != nil || len(codes) == 0 {
		t.Fatalf("codes of %d: %v", pi.ID, err)
	}
	return slrcode.ReturnCode(pi.PIID, codes[0].Signature)
}

// fndState is what a refused request must not change: every live PI of
// the SA by id, and the number of events.
type fndState struct {
	Live   []int64
	Events int
}

func fndSnapshot(t *testing.T, env *testEnv) fndState {
	t.Helper()
	ctx := context.Background()
	var st fndState
	for _, id := range fndVAs(t, env) {
		p, err := env.Portal.Store.ProductInstances(ctx, id, licensing.PIQuery{Limit: 1000})
		if err != nil {
			t.Fatal(err)
		}
		for _, pi := range p.Instances {
			st.Live = append(st.Live, pi.ID)
		}
	}
	slices.Sort(st.Live)
	if err := env.Portal.Store.EachEvent(ctx, func(licensing.Event) error { st.Events++; return nil }); err != nil {
		t.Fatal(err)
	}
	return st
}

func (s fndState) equal(o fndState) bool { return slices.Equal(s.Live, o.Live) && s.Events == o.Events }

func fndEvents(t *testing.T, env *testEnv, typ licensing.EventType) []licensing.Event {
	t.Helper()
	evs, err := env.Portal.Store.Events(context.Background(), licensing.EventQuery{SAID: 1, Type: typ, Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	return evs
}

var (
	fndSelectRe = regexp.MustCompile(`(?s)<select id="va-select"[^>]*>(.*?)</select>`)
	fndOptionRe = regexp.MustCompile(`<option value="(\d+)"[^>]*>([^<]*)</option>`)
	fndRowRe    = regexp.MustCompile(`<tr><td><a href="/inventory/\d+/instances/(\d+)">([^<]*)</a></td><td>([^<]*)</td>`)
	fndTotalRe  = regexp.MustCompile(`<p class="hint">(\d+) product instances?`)
	fndSerialRe = regexp.MustCompile(`^[A-Z0-9]{1,20}$`)
)

// fndSelector reads the Virtual Account selector: name → id.
func fndSelector(t *testing.T, body string) map[string]int64 {
	t.Helper()
	m := fndSelectRe.FindStringSubmatch(body)
	if m == nil {
		t.Fatal("page has no Virtual Account selector")
	}
	out := map[string]int64{}
	for _, o := range fndOptionRe.FindAllStringSubmatch(m[1], -1) {
		var id int64
		fmt.Sscan(o[1], &id)
		out[strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(o[2]), "(default)"))] = id
	}
	return out
}

type fndRow struct{ ID, Name, SN string }

// fndRows reads the rows of the Product Instances table.
func fndRows(body string) []fndRow {
	var out []fndRow
	for _, m := range fndRowRe.FindAllStringSubmatch(body, -1) {
		out = append(out, fndRow{ID: m[1], Name: m[2], SN: m[3]})
	}
	return out
}

func fndTotal(t *testing.T, body string) int {
	t.Helper()
	m := fndTotalRe.FindStringSubmatch(body)
	if m == nil {
		t.Fatal("page does not say how many product instances match")
	}
	var n int
	fmt.Sscan(m[1], &n)
	return n
}

// fndSignedIn reports whether the client's session opens the inventory.
func fndSignedIn(c *client) bool {
	r := c.get("/inventory")
	return r.Code == http.StatusSeeOther && strings.HasPrefix(r.Location, "/inventory/")
}

func TestSignIn(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	vas := fndVAs(t, env)

	t.Run("right", func(t *testing.T) {
		c := env.anon()
		if r := c.get("/inventory"); r.Code != http.StatusSeeOther || !strings.HasPrefix(r.Location, "/login") {
			t.Fatalf("anonymous GET /inventory: %d %q, want a redirect to /login", r.Code, r.Location)
		}
		r := c.post("/login", url.Values{"username": {"admin"}, "password": {demo.Password}})
		if r.Code != http.StatusSeeOther || r.Location != "/inventory" {
			t.Fatalf("sign-in: %d %q, want 303 /inventory", r.Code, r.Location)
		}
		r = c.get("/inventory")
		if want := fmt.Sprintf("/inventory/%d/general", vas["Campus"]); r.Code != http.StatusSeeOther || r.Location != want {
			t.Fatalf("GET /inventory: %d %q, want 303 %s (the default VA)", r.Code, r.Location, want)
		}
		r = c.get(r.Location)
		if r.Code != http.StatusOK || !strings.Contains(r.Body, "Inventory: Campus") || !strings.Contains(r.Body, "Ada Admin") {
			t.Errorf("General tab after sign-in: %d", r.Code)
		}
	})

	t.Run("next stays on this site", func(t *testing.T) {
		cases := []struct{ next, want string }{
			{fmt.Sprintf("/inventory/%d/licenses", vas["Wireless"]), fmt.Sprintf("/inventory/%d/licenses", vas["Wireless"])},
			{"//evil.example/", "/inventory"},
			{"https://evil.example/", "/inventory"},
			{`/\evil.example`, "/inventory"},
		}
		for _, tc := range cases {
			c := env.anon()
			r := c.post("/login", url.Values{"username": {"sauser"}, "password": {demo.Password}, "next": {tc.next}})
			if r.Code != http.StatusSeeOther || r.Location != tc.want {
				t.Errorf("next=%q: %d %q, want %q", tc.next, r.Code, r.Location, tc.want)
			}
		}
	})

	cases := []struct {
		name, username, password string
		logged                   bool // a SIGN_IN_FAILED event is recorded
	}{
		{"unknown user", "mallory", demo.Password, true},
		{"wrong password", "admin", "not-the-password", true},
		{"empty password", "vauser", "", true},
		{"password of another user's length", "saviewer", demo.Password + "x", true},
		{"over-long username", strings.Repeat("u", 65), demo.Password, false},
	}
	var bodies []string
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			before := len(fndEvents(t, env, licensing.EventSignInFailed))
			c := env.anon()
			r := c.post("/login", url.Values{"username": {tc.username}, "password": {tc.password}})
			if r.Code != http.StatusUnauthorized {
				t.Fatalf("status %d, want 401", r.Code)
			}
			if n := strings.Count(r.Body, badCredentials); n != 1 {
				t.Errorf("the message appears %d times, want once", n)
			}
			if !regexp.MustCompile(`role="alert"[^>]*><p>` + regexp.QuoteMeta(badCredentials)).MatchString(r.Body) {
				t.Error("the message is not in a role=alert element")
			}
			for _, leak := range []string{"unknown user", "no such user", "wrong password", "does not exist"} {
				if strings.Contains(strings.ToLower(r.Body), leak) {
					t.Errorf("the page says %q", leak)
				}
			}
			if fndSignedIn(c) {
				t.Error("a failed sign-in opened a session")
			}
			evs := fndEvents(t, env, licensing.EventSignInFailed)
			if got := len(evs) - before; tc.logged && got != 1 || !tc.logged && got != 0 {
				t.Errorf("%d SIGN_IN_FAILED events recorded, want logged=%v", got, tc.logged)
			}
			if tc.logged && tc.name != "unknown user" && evs[0].Username != tc.username {
				t.Errorf("newest SIGN_IN_FAILED event = %+v, want username %q", evs[0], tc.username)
			}
			if tc.logged && tc.name == "unknown user" && (evs[0].Username != "" || strings.Contains(evs[0].Message, tc.username) ||
				!strings.Contains(evs[0].Message, "unknown username (fingerprint ")) {
				t.Errorf("unknown username logged as %+v, want only a fingerprint", evs[0])
			}
			// The page differs only by the username typed back.
			bodies = append(bodies, strings.ReplaceAll(csrfRe.ReplaceAllString(r.Body, ""), `value="`+tc.username+`"`, `value=""`))
		})
	}
	for i := 1; i < len(bodies); i++ {
		if bodies[i] != bodies[0] {
			t.Errorf("failed sign-in page %q differs from %q", cases[i].name, cases[0].name)
		}
	}
}

func TestSignOut(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	c := env.login("vauser")
	if r := c.get("/inventory/1/general"); r.Code != http.StatusOK {
		t.Fatalf("signed in: %d", r.Code)
	}
	r := c.post("/logout", nil)
	if r.Code != http.StatusSeeOther || r.Location != "/login" {
		t.Fatalf("POST /logout: %d %q, want 303 /login", r.Code, r.Location)
	}
	ended := false
	for _, sc := range r.Header.Values("Set-Cookie") {
		if ck, err := http.ParseSetCookie(sc); err == nil && ck.Name == "slr_session" && ck.MaxAge < 0 {
			ended = true
		}
	}
	if !ended {
		t.Errorf("logout does not expire the session cookie: %v", r.Header.Values("Set-Cookie"))
	}
	for _, path := range []string{"/inventory", "/inventory/1/general", "/inventory/1/instances"} {
		r := c.get(path)
		if r.Code != http.StatusSeeOther || !strings.HasPrefix(r.Location, "/login") {
			t.Errorf("GET %s after sign-out: %d %q, want a redirect to /login", path, r.Code, r.Location)
		}
	}
}

func TestPostWithoutCSRFTokenIsRefused(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	vas := fndVAs(t, env)
	campus := vas["Campus"]
	pi := fndPI(t, env, campus, "FCW2134L0005")
	returnCode := fndReturnCode(t, env, pi)
	requestCode, err := slrcode.FormatRequestCode("C9300-24UX", "FCW2999C0001", "AAAAAAAAA")
	if err != nil {
		t.Fatal(err)
	}
	removePath := fmt.Sprintf("/inventory/%d/instances/%d/remove", campus, pi.ID)
	rehostPath := fmt.Sprintf("/inventory/%d/instances/%d/rehost/generate", campus, pi.ID)
	admin := env.login("admin")
	admin.get("/inventory/1/general") // holds a valid token now

	refused := func(t *testing.T, r response) {
		t.Helper()
		if r.Code != http.StatusForbidden && r.Code != http.StatusBadRequest {
			t.Errorf("status %d, want 400 or 403", r.Code)
		}
	}
	t.Run("sign-in", func(t *testing.T) {
		c := env.anon()
		c.get("/login") // the CSRF cookie exists; the form field is left out
		refused(t, c.postRaw("/login", url.Values{"username": {"admin"}, "password": {demo.Password}}))
		refused(t, c.postRaw("/login", url.Values{"username": {"admin"}, "password": {demo.Password}, "_csrf": {"forged-token"}}))
		if fndSignedIn(c) {
			t.Error("a sign-in without the token opened a session")
		}
	})

	before := fndSnapshot(t, env)
	forms := []struct {
		name string
		path string
		form url.Values
	}{
		{"remove", removePath, url.Values{"return_code": {returnCode}}},
		{"rehost", rehostPath, url.Values{"request_code": {requestCode}, "token": {"csrf-test"}}},
		{"logout", "/logout", url.Values{}},
	}
	for _, f := range forms {
		t.Run(f.name, func(t *testing.T) {
			refused(t, admin.postRaw(f.path, f.form))
			wrong := url.Values{"_csrf": {"0123456789abcdef0123456789abcdef"}}
			for k, v := range f.form {
				wrong[k] = v
			}
			refused(t, admin.postRaw(f.path, wrong))
			// The token in a header from another site's page does not help either.
			req, err := http.NewRequest(http.MethodPost, admin.base+f.path, strings.NewReader(f.form.Encode()))
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.Header.Set("Sec-Fetch-Site", "cross-site")
			refused(t, admin.do(req))
		})
	}
	if after := fndSnapshot(t, env); !after.equal(before) {
		t.Errorf("refused POSTs changed the data: before %+v, after %+v", before, after)
	}
	if !fndSignedIn(admin) {
		t.Error("a logout without the token signed the user out")
	}
	if id, _ := env.Portal.Store.LiveUDI(context.Background(), 1, "C9300-24UX", "FCW2999C0001"); id != 0 {
		t.Error("the replacement of a refused rehost exists")
	}

	// The same remove with the token goes through: the refusals above were
	// the token's doing, not a wrong form.
	if r := admin.post(removePath, url.Values{"return_code": {returnCode}}); r.Code != http.StatusSeeOther {
		t.Fatalf("remove with the token: %d", r.Code)
	}
	if got, _ := env.Portal.Store.ProductInstance(context.Background(), pi.ID); !got.Removed {
		t.Error("remove with the token did not remove")
	}
}

// TestVAVisibilityPerRole signs in every demo user: the selector lists
// exactly their VAs, and every URL under a VA they may not see is 404.
func TestVAVisibilityPerRole(t *testing.T) {
	t.Parallel()
	all := []string{"Branch Offices", "Campus", "Data Center", "Wireless"}
	cases := []struct {
		username string
		visible  []string // by name, as the selector sorts them
		home     string
	}{
		{"admin", all, "Campus"},
		{"sauser", all, "Campus"},
		{"saviewer", all, "Campus"},
		{"vaadmin", []string{"Campus"}, "Campus"},
		{"vauser", []string{"Branch Offices", "Campus"}, "Campus"},
		{"vaviewer", []string{"Data Center"}, "Data Center"},
	}
	if len(cases) != len(demo.Logins) {
		t.Fatalf("%d cases for %d demo logins", len(cases), len(demo.Logins))
	}
	for _, tc := range cases {
		t.Run(tc.username, func(t *testing.T) {
			t.Parallel()
			env := newEnv(t)
			vas := fndVAs(t, env)
			for name, id := range map[string]int64{"Campus": 1, "Data Center": 2, "Branch Offices": 3, "Wireless": 4} {
				if vas[name] != id {
					t.Errorf("VA %s has id %d; the import order gives %d", name, vas[name], id)
				}
			}
			c := env.login(tc.username)
			home := fmt.Sprintf("/inventory/%d/general", vas[tc.home])
			if r := c.get("/inventory"); r.Location != home {
				t.Errorf("GET /inventory → %q, want %q", r.Location, home)
			}
			for _, name := range all {
				va := vas[name]
				pi := fndAnyPI(t, env, va)
				paths := []string{
					fmt.Sprintf("/inventory/%d/general", va),
					fmt.Sprintf("/inventory/%d/licenses", va),
					fmt.Sprintf("/inventory/%d/instances", va),
					fmt.Sprintf("/inventory/%d/instances?q=a", va),
					fmt.Sprintf("/inventory/%d/instances/%d", va, pi.ID),
					fmt.Sprintf("/inventory/%d/events", va),
					fmt.Sprintf("/inventory/%d/instances/%d/rehost", va, pi.ID),
					fmt.Sprintf("/inventory/%d/instances/%d/remove", va, pi.ID),
					fmt.Sprintf("/inventory/select?va=%d&tab=licenses", va),
				}
				if !slices.Contains(tc.visible, name) {
					for _, p := range paths {
						if r := c.get(p); r.Code != http.StatusNotFound {
							t.Errorf("GET %s (%s, hidden): %d, want 404", p, name, r.Code)
						} else if strings.Contains(r.Body, name) {
							t.Errorf("the 404 of %s names the VA %q", p, name)
						}
					}
					before := fndSnapshot(t, env)
					for _, p := range []string{
						fmt.Sprintf("/inventory/%d/instances/%d/remove", va, pi.ID),
						fmt.Sprintf("/inventory/%d/instances/%d/rehost", va, pi.ID),
						fmt.Sprintf("/inventory/%d/instances/%d/rehost/generate", va, pi.ID),
					} {
						if r := c.post(p, url.Values{"return_code": {fndReturnCode(t, env, pi)}, "token": {"t"}}); r.Code != http.StatusNotFound {
							t.Errorf("POST %s (%s, hidden): %d, want 404", p, name, r.Code)
						}
					}
					if after := fndSnapshot(t, env); !after.equal(before) {
						t.Errorf("POSTs to a hidden VA changed the data")
					}
					continue
				}
				r := c.get(paths[0])
				if r.Code != http.StatusOK {
					t.Errorf("GET %s (%s, visible): %d", paths[0], name, r.Code)
					continue
				}
				sel := fndSelector(t, r.Body)
				want := map[string]int64{}
				for _, v := range tc.visible {
					want[v] = vas[v]
				}
				if !maps.Equal(sel, want) {
					t.Errorf("selector on %s = %v, want %v", name, sel, want)
				}
				for _, p := range paths[1:6] {
					if r := c.get(p); r.Code != http.StatusOK {
						t.Errorf("GET %s (%s, visible): %d", p, name, r.Code)
					}
				}
			}
		})
	}
}

func TestViewersCannotManage(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	vas := fndVAs(t, env)
	cases := []struct {
		username string
		va       string
		sn       string
	}{
		{"saviewer", "Campus", "FCW2134L0003"},
		{"vaviewer", "Data Center", "FDO2201C0001"},
	}
	for _, tc := range cases {
		t.Run(tc.username, func(t *testing.T) {
			va := vas[tc.va]
			pi := fndPI(t, env, va, tc.sn)
			c := env.login(tc.username)
			list := c.get(fmt.Sprintf("/inventory/%d/instances", va))
			detail := c.get(fmt.Sprintf("/inventory/%d/instances/%d", va, pi.ID))
			for name, r := range map[string]response{"list": list, "detail": detail} {
				if r.Code != http.StatusOK {
					t.Fatalf("%s: %d", name, r.Code)
				}
				for _, hidden := range []string{"actions-menu", "/rehost", "/remove", "/codes/"} {
					if strings.Contains(r.Body, hidden) {
						t.Errorf("%s page shows %q to a viewer", name, hidden)
					}
				}
			}
			if !strings.Contains(detail.Body, pi.SN) {
				t.Error("the detail page does not show the PI")
			}
			base := fmt.Sprintf("/inventory/%d/instances/%d", va, pi.ID)
			for _, p := range []string{base + "/rehost", base + "/remove"} {
				if r := c.get(p); r.Code != http.StatusForbidden {
					t.Errorf("GET %s: %d, want 403", p, r.Code)
				}
			}
			requestCode, err := slrcode.FormatRequestCode(pi.PID, "VIEW0001", "AAAAAAAAA")
			if err != nil {
				t.Fatal(err)
			}
			before := fndSnapshot(t, env)
			for _, p := range []struct {
				path string
				form url.Values
			}{
				{base + "/remove", url.Values{"return_code": {fndReturnCode(t, env, pi)}}},
				{base + "/rehost", url.Values{"request_code": {requestCode}}},
				{base + "/rehost/generate", url.Values{"request_code": {requestCode}, "token": {"viewer-token"}}},
			} {
				r := c.post(p.path, p.form)
				if r.Code != http.StatusForbidden {
					t.Errorf("POST %s: %d, want 403", p.path, r.Code)
				}
				if strings.Contains(r.Body, "Step 2") {
					t.Errorf("POST %s rendered the next step", p.path)
				}
			}
			if after := fndSnapshot(t, env); !after.equal(before) {
				t.Errorf("a viewer's POSTs changed the data: before %+v, after %+v", before, after)
			}
		})
	}
	// A manager of the same VA does see the menu (the check above can fail).
	if r := env.login("sauser").get(fmt.Sprintf("/inventory/%d/instances", vas["Campus"])); !strings.Contains(r.Body, "actions-menu") {
		t.Error("a Smart Account User sees no Actions menu")
	}
}

func TestMalformedIDsAre404(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	c := env.login("admin")
	paths := []string{
		"/inventory/abc/general",
		"/inventory/abc/licenses",
		"/inventory/0/general",
		"/inventory/-1/instances",
		"/inventory/1.5/general",
		"/inventory/99/general",
		"/inventory/99999999999999999999/general",
		"/inventory/1/instances/0",
		"/inventory/1/instances/-3",
		"/inventory/1/instances/abc",
		"/inventory/1/instances/1e3",
		"/inventory/1/instances/99999999999999999999",
		"/inventory/1/instances/999999",
		"/inventory/1/instances/31", // a PI of Data Center under Campus
		"/inventory/1/instances/abc/rehost",
		"/inventory/1/instances/0/remove",
		"/inventory/1/instances/99999999999999999999/rehost",
		"/inventory/abc/events",
		"/inventory/1/codes/abc/download",
		"/inventory/1/codes/99999999999999999999/download",
		"/inventory/select?va=abc",
		"/inventory/select?va=99999999999999999999",
	}
	for _, p := range paths {
		if r := c.get(p); r.Code != http.StatusNotFound {
			t.Errorf("GET %s: %d, want 404", p, r.Code)
		}
	}
	for _, p := range []string{"/inventory/abc/instances/1/remove", "/inventory/1/instances/abc/remove",
		"/inventory/1/instances/99999999999999999999/rehost", "/inventory/1/instances/0/rehost/generate"} {
		if r := c.post(p, url.Values{"return_code": {"x"}}); r.Code != http.StatusNotFound {
			t.Errorf("POST %s: %d, want 404", p, r.Code)
		}
	}
}

func TestInstanceSearch(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	vas := fndVAs(t, env)
	c := env.login("admin")
	cases := []struct {
		va    string
		q     string
		total int
	}{
		{"Campus", "FCW2134L0001", 1},
		{"Campus", "FCW2134L001", 10},
		{"Campus", "jae2245k", 6},
		{"Campus", "C9300", 24},
		{"Campus", "C9300-24UX", 24},
		{"Campus", "C9200L", 6},
		{"Campus", "sw-campus-e", 6},
		{"Campus", "SW-CAMPUS-A0", 9},
		{"Campus", "Catalyst 9300", 24},
		{"Campus", "catalyst 9200", 6},
		{"Campus", "cat", 30},
		{"Campus", "  C9300  ", 24},
		{"Campus", "ASR", 0},
		{"Campus", "FCW2134L0001%", 0},
		{"Campus", "<script>", 0},
		{"Data Center", "ASR", 4},
		{"Data Center", "ASR 1000", 4},
		{"Data Center", "core-", 8},
		{"Data Center", "Catalyst", 8},
		{"Wireless", "TTM", 6},
		{"Wireless", "Catalyst 9800", 6},
		{"Branch Offices", "ISR4331/K9", 14},
	}
	for _, tc := range cases {
		va := vas[tc.va]
		r := c.get(fmt.Sprintf("/inventory/%d/instances?q=%s", va, url.QueryEscape(tc.q)))
		if r.Code != http.StatusOK {
			t.Errorf("%s q=%q: %d", tc.va, tc.q, r.Code)
			continue
		}
		rows := fndRows(r.Body)
		if got := fndTotal(t, r.Body); got != tc.total {
			t.Errorf("%s q=%q: %d product instances, want %d", tc.va, tc.q, got, tc.total)
		}
		if want := min(tc.total, licensing.PageSize); len(rows) != want {
			t.Errorf("%s q=%q: %d rows, want %d", tc.va, tc.q, len(rows), want)
		}
		if tc.total == 0 && !strings.Contains(r.Body, "No product instances found.") {
			t.Errorf("%s q=%q: no empty-table message", tc.va, tc.q)
		}
		if strings.Contains(r.Body, "<script>") {
			t.Errorf("%s q=%q: the query is not escaped", tc.va, tc.q)
		}
		for _, row := range rows {
			if !fndSerialRe.MatchString(row.SN) {
				t.Errorf("%s q=%q: row %+v shows no serial number", tc.va, tc.q, row)
			}
		}
	}
	// Wireless PIs have no hostname: Name is the UDI in the portal's spelling.
	r := c.get(fmt.Sprintf("/inventory/%d/instances?q=TTM2301Z0001", vas["Wireless"]))
	if rows := fndRows(r.Body); len(rows) != 1 || rows[0].Name != "UDI_PID:C9800-40-K9; UDI_SN:TTM2301Z0001" || rows[0].SN != "TTM2301Z0001" {
		t.Errorf("Wireless row = %+v", rows)
	}
}

func TestOverLongSearch(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	c := env.login("vauser")
	cases := []struct {
		q      string
		status int
		alert  bool
	}{
		{strings.Repeat("a", licensing.MaxSearchLen), http.StatusOK, false},
		{strings.Repeat("a", licensing.MaxSearchLen+1), http.StatusUnprocessableEntity, true},
		{strings.Repeat("FCW2134L", 500), http.StatusUnprocessableEntity, true},
	}
	for _, tc := range cases {
		r := c.get("/inventory/1/instances?q=" + url.QueryEscape(tc.q))
		if r.Code != tc.status {
			t.Errorf("len %d: status %d, want %d", len(tc.q), r.Code, tc.status)
		}
		if got := strings.Contains(r.Body, `role="alert"`); got != tc.alert {
			t.Errorf("len %d: role=alert shown %v, want %v", len(tc.q), got, tc.alert)
		}
		if tc.alert && !strings.Contains(r.Body, "too long") {
			t.Errorf("len %d: the message does not say the search is too long", len(tc.q))
		}
		if tc.alert && !strings.Contains(r.Body, `id="q"`) {
			t.Errorf("len %d: the search form is not shown again", len(tc.q))
		}
	}
}

func TestInstancePages(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	vas := fndVAs(t, env)
	c := env.login("vaadmin")
	base := fmt.Sprintf("/inventory/%d/instances", vas["Campus"])
	cases := []struct {
		query string
		rows  int
		label string // "Page x of y"; "" for no pager; "-" to not check
		total int
	}{
		{"", 25, "Page 1 of 2", 30},
		{"?page=1", 25, "Page 1 of 2", 30},
		{"?page=2", 5, "Page 2 of 2", 30},
		{"?page=0", 25, "Page 1 of 2", 30},
		{"?page=-4", 25, "Page 1 of 2", 30},
		{"?page=abc", 25, "Page 1 of 2", 30},
		{"?page=99999999999999999999", 25, "Page 1 of 2", 30},
		{"?page=3", 0, "-", 30},
		{"?q=FCW&page=1", 24, "", 24},
		{"?q=sw-campus-e&page=2", 0, "", 6},
	}
	seen := map[string]bool{}
	for _, tc := range cases {
		r := c.get(base + tc.query)
		if r.Code != http.StatusOK {
			t.Errorf("%s: status %d", tc.query, r.Code)
			continue
		}
		rows := fndRows(r.Body)
		if len(rows) != tc.rows {
			t.Errorf("%s: %d rows, want %d", tc.query, len(rows), tc.rows)
		}
		switch tc.label {
		case "-":
		case "":
			if strings.Contains(r.Body, `class="pagination"`) {
				t.Errorf("%s: one page of results has a pager", tc.query)
			}
		default:
			if !strings.Contains(r.Body, tc.label) {
				t.Errorf("%s: page does not say %q", tc.query, tc.label)
			}
		}
		if got := fndTotal(t, r.Body); got != tc.total {
			t.Errorf("%s: total %d, want %d", tc.query, got, tc.total)
		}
		if tc.query == "" || tc.query == "?page=2" {
			for _, row := range rows {
				if seen[row.ID] {
					t.Errorf("PI %s on both pages", row.ID)
				}
				seen[row.ID] = true
			}
		}
	}
	if len(seen) != 30 {
		t.Errorf("pages 1 and 2 show %d distinct PIs, want 30", len(seen))
	}
	if r := c.get(base); !strings.Contains(r.Body, `href="`+base+`?page=2" rel="next"`) {
		t.Error("page 1 has no link to page 2")
	}
}

func TestLicensesTab(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	vas := fndVAs(t, env)
	c := env.login("saviewer")
	r := c.get(fmt.Sprintf("/inventory/%d/licenses", vas["Campus"]))
	if r.Code != http.StatusOK {
		t.Fatalf("status %d", r.Code)
	}
	for _, h := range []string{">Purchased<", ">In Use<", ">Balance<"} {
		if !strings.Contains(r.Body, h) {
			t.Errorf("no %s column", h)
		}
	}
	rowRe := regexp.MustCompile(`<tr><td>([^<]+)<div class="hint">[^<]*</div></td><td>[^<]*</td><td class="num">(-?\d+)</td><td class="num">(-?\d+)</td><td class="num">(-?\d+)</td><td>(.*?)</td></tr>`)
	type row struct {
		purchased, inUse, balance string
		short                     bool
	}
	got := map[string]row{}
	for _, m := range rowRe.FindAllStringSubmatch(r.Body, -1) {
		got[m[1]] = row{m[2], m[3], m[4], strings.Contains(m[5], "Insufficient Licenses")}
	}
	want := map[string]row{
		"C9300 DNA Advantage":     {"22", "24", "-2", true},
		"C9300 Network Advantage": {"30", "24", "6", false},
		"C9200 DNA Essentials":    {"6", "6", "0", false},
	}
	if len(got) != len(want) {
		t.Errorf("rows = %v, want %v", got, want)
	}
	for name, w := range want {
		if got[name] != w {
			t.Errorf("%s = %+v, want %+v", name, got[name], w)
		}
	}
	if n := strings.Count(r.Body, "Insufficient Licenses"); n != 1 {
		t.Errorf("Insufficient Licenses appears %d times, want once", n)
	}
	general := c.get(fmt.Sprintf("/inventory/%d/general", vas["Campus"]))
	if !strings.Contains(general.Body, "Insufficient Licenses") || !strings.Contains(general.Body, "24 in use, 22 purchased") {
		t.Error("the General tab does not raise the alert")
	}
	if w := c.get(fmt.Sprintf("/inventory/%d/licenses", vas["Wireless"])); strings.Contains(w.Body, "Insufficient Licenses") {
		t.Error("Wireless has enough licenses but shows the alert")
	}
}

func TestPublicEndpoints(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	c := env.anon()
	r := c.get("/healthz")
	if r.Code != http.StatusOK || strings.TrimSpace(r.Body) != "ok" {
		t.Errorf("GET /healthz: %d %q", r.Code, r.Body)
	}
	r = c.get("/signing-key.pem")
	if r.Code != http.StatusOK {
		t.Fatalf("GET /signing-key.pem: %d", r.Code)
	}
	pub, err := slrcode.ParsePublicKeyPEM([]byte(r.Body))
	if err != nil {
		t.Fatalf("the published key does not parse: %v", err)
	}
	if !pub.Equal(env.Portal.Service.PublicKey()) {
		t.Error("the published key is not the portal's signing key")
	}
	if strings.Contains(r.Body, "PRIVATE") {
		t.Error("the published PEM holds a private key")
	}
}

func TestCookieFlags(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	c := env.anon()
	c.get("/login")
	r := c.post("/login", url.Values{"username": {"admin"}, "password": {demo.Password}})
	if r.Code != http.StatusSeeOther {
		t.Fatalf("sign-in: %d", r.Code)
	}
	var session *http.Cookie
	for _, sc := range r.Header.Values("Set-Cookie") {
		ck, err := http.ParseSetCookie(sc)
		if err != nil {
			t.Fatalf("Set-Cookie %q: %v", sc, err)
		}
		if ck.Name == "slr_session" {
			session = ck
		}
	}
	if session == nil {
		t.Fatalf("no session cookie set at sign-in: %v", r.Header.Values("Set-Cookie"))
	}
	if !session.HttpOnly || session.SameSite != http.SameSiteLaxMode || session.Path != "/" || session.MaxAge <= 0 {
		t.Errorf("session cookie = %+v; want HttpOnly, SameSite=Lax, Path=/, a MaxAge", session)
	}
	if session.Secure {
		t.Error("session cookie is Secure over plain HTTP: the browser would drop it")
	}
	if strings.Contains(session.Value, "admin") {
		t.Error("the session cookie shows its content")
	}
	// Over TLS (as a proxy reports it) the cookie is Secure.
	req, err := http.NewRequest(http.MethodPost, c.base+"/login", strings.NewReader(url.Values{"username": {"admin"}, "password": {demo.Password}, "_csrf": {c.csrf}}.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("X-Forwarded-Proto", "https")
	r = c.do(req)
	for _, sc := range r.Header.Values("Set-Cookie") {
		if ck, err := http.ParseSetCookie(sc); err == nil && ck.Name == "slr_session" && !ck.Secure {
			t.Errorf("session cookie over TLS is not Secure: %q", sc)
		}
	}
	// The CSRF cookie is not readable by scripts either.
	for _, sc := range c.get("/login").Header.Values("Set-Cookie") {
		if ck, err := http.ParseSetCookie(sc); err == nil && ck.Name == "_csrf" && (!ck.HttpOnly || ck.SameSite != http.SameSiteLaxMode) {
			t.Errorf("CSRF cookie = %+v", ck)
		}
	}
}

func TestRoleChangeTakesEffectOnNextRequest(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	ctx := context.Background()
	vas := fndVAs(t, env)
	campus := fmt.Sprintf("/inventory/%d", vas["Campus"])
	c := env.login("vaviewer")
	if r := c.get(campus + "/general"); r.Code != http.StatusNotFound {
		t.Fatalf("before the grant: %d, want 404", r.Code)
	}
	dc := c.get(fmt.Sprintf("/inventory/%d/general", vas["Data Center"]))
	if _, ok := fndSelector(t, dc.Body)["Campus"]; ok {
		t.Fatal("Campus in the selector before the grant")
	}

	u, err := env.Portal.Store.UserByUsername(ctx, "vaviewer")
	if err != nil {
		t.Fatal(err)
	}
	if err := env.Portal.Store.AddGrant(ctx, u.ID, access.Grant{Role: access.VAUser, SmartAccountID: 1, VirtualAccountID: vas["Campus"]}); err != nil {
		t.Fatal(err)
	}

	// Same session, no new sign-in.
	r := c.get(campus + "/general")
	if r.Code != http.StatusOK {
		t.Fatalf("after the grant: %d, want 200", r.Code)
	}
	if sel := fndSelector(t, r.Body); sel["Campus"] != vas["Campus"] || sel["Data Center"] != vas["Data Center"] || len(sel) != 2 {
		t.Errorf("selector after the grant = %v", sel)
	}
	if !strings.Contains(c.get(campus+"/instances").Body, "actions-menu") {
		t.Error("the new Virtual Account User role does not show the Actions menu")
	}
	if r := c.get(fmt.Sprintf("/inventory/%d/instances", vas["Data Center"])); strings.Contains(r.Body, "actions-menu") {
		t.Error("the grant in Campus made the user a manager in Data Center")
	}
	if r := c.get("/inventory"); r.Location != campus+"/general" {
		t.Errorf("default VA after the grant: %q, want Campus (the SA's default)", r.Location)
	}
}
