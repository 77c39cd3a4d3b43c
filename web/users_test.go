package web_test

import (
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"slrportal/internal/access"
	"slrportal/internal/licensing"
)

// userState is what a refused user-access request must leave alone.
type userState struct {
	Users  []string
	Grants map[string][]access.Grant
	VAs    []string
	Events int
}

func usersSnapshot(t *testing.T, env *testEnv) userState {
	t.Helper()
	ctx := t.Context()
	us, err := env.Portal.Store.UsersOfSA(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	st := userState{Grants: map[string][]access.Grant{}}
	for _, u := range us {
		st.Users = append(st.Users, u.Username)
		if st.Grants[u.Username], err = env.Portal.Store.Grants(ctx, u.ID); err != nil {
			t.Fatal(err)
		}
	}
	vas, err := env.Portal.Store.VirtualAccounts(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	for _, va := range vas {
		st.VAs = append(st.VAs, va.Name)
	}
	id, _, err := env.Portal.Store.LastEvent(ctx)
	if err != nil {
		t.Fatal(err)
	}
	st.Events = int(id)
	return st
}

func (s userState) equal(o userState) bool {
	if !slices.Equal(s.Users, o.Users) || !slices.Equal(s.VAs, o.VAs) || s.Events != o.Events || len(s.Grants) != len(o.Grants) {
		return false
	}
	for u, gs := range s.Grants {
		if !slices.Equal(gs, o.Grants[u]) {
			return false
		}
	}
	return true
}

func userID(t *testing.T, env *testEnv, username string) int64 {
	t.Helper()
	u, err := env.Portal.Store.UserByUsername(t.Context(), username)
	if err != nil {
		t.Fatalf("user %s: %v", username, err)
	}
	return u.ID
}

// loginWith signs in with a password other than the demo one.
func (e *testEnv) loginWith(username, password string) *client {
	c := e.anon()
	if r := c.post("/login", url.Values{"username": {username}, "password": {password}}); r.Code != http.StatusSeeOther {
		e.t.Fatalf("login %s: status %d", username, r.Code)
	}
	return c
}

func lastEvent(t *testing.T, env *testEnv, typ licensing.EventType) licensing.Event {
	t.Helper()
	evs := fndEvents(t, env, typ)
	if len(evs) == 0 {
		t.Fatalf("no %s event", typ)
	}
	return evs[0]
}

func TestUsersPageRefusedToNonAdministrators(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	before := usersSnapshot(t, env)
	target := userID(t, env, "vauser")
	paths := []struct {
		path string
		form url.Values
	}{
		{"/admin/users", url.Values{"username": {"mallory"}, "display_name": {"M"}, "password": {"long-enough-pw"}, "role": {"VA_ADMIN"}, "va": {"1"}}},
		{fmt.Sprintf("/admin/users/%d/roles", target), url.Values{"role": {"VA_ADMIN"}, "va": {"1"}}},
		{fmt.Sprintf("/admin/users/%d/roles/revoke", target), url.Values{"role": {"VA_USER"}, "va": {"1"}}},
		{"/admin/users/1/roles", url.Values{"role": {"SA_ADMIN"}}},
		{"/admin/settings/virtual-accounts", url.Values{"name": {"Rogue"}}},
	}
	for _, u := range []string{"sauser", "saviewer", "vauser", "vaviewer"} {
		c := env.login(u)
		if r := c.get("/admin/users"); r.Code != http.StatusNotFound {
			t.Errorf("%s GET /admin/users: %d, want 404", u, r.Code)
		}
		for _, p := range paths {
			if r := c.get(p.path); r.Code != http.StatusNotFound && r.Code != http.StatusMethodNotAllowed {
				t.Errorf("%s GET %s: %d, want 404 or 405", u, p.path, r.Code)
			}
			// post adds the client's token to the form: send a copy.
			if r := c.post(p.path, maps.Clone(p.form)); r.Code != http.StatusNotFound {
				t.Errorf("%s POST %s: %d, want 404", u, p.path, r.Code)
			}
		}
		if body := c.get("/inventory").Body + c.get("/activity/events").Body; strings.Contains(body, `href="/admin/users"`) {
			t.Errorf("%s sees a link to /admin/users", u)
		}
	}
	// A VA administrator reaches /admin/users but may not create VAs.
	c := env.login("vaadmin")
	if r := c.post("/admin/settings/virtual-accounts", url.Values{"name": {"Rogue"}}); r.Code != http.StatusNotFound {
		t.Errorf("vaadmin POST virtual-accounts: %d, want 404", r.Code)
	}
	if after := usersSnapshot(t, env); !after.equal(before) {
		t.Fatalf("refused requests changed something:\nbefore %+v\nafter  %+v", before, after)
	}
}

func TestAddUserWithVARoleSignsInToThatVA(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	_, vas := demoIDs(t, env)
	admin := env.login("admin")
	if r := admin.get("/inventory/1/general"); !strings.Contains(r.Body, `href="/admin/settings"`) {
		t.Fatal("admin has no Admin tab")
	}
	if r := admin.get("/admin/settings"); !strings.Contains(r.Body, `href="/admin/users"`) {
		t.Error("settings page has no link to Users")
	}
	page := admin.get("/admin/users")
	if page.Code != http.StatusOK {
		t.Fatalf("GET /admin/users: %d", page.Code)
	}
	for _, want := range []string{"sauser", "Sam User", "Smart Account Administrator", "Virtual Account Viewer", "Data Center", "Branch Offices", `href="/admin/settings"`, "Create Virtual Account"} {
		if !strings.Contains(page.Body, want) {
			t.Errorf("users page lacks %q", want)
		}
	}

	r := admin.post("/admin/users", url.Values{"username": {"carol"}, "display_name": {"Carol Net"}, "password": {"carol-secret"},
		"role": {"VA_USER"}, "va": {fmt.Sprint(vas["Data Center"])}})
	if r.Code != http.StatusSeeOther || r.Location != "/admin/users" {
		t.Fatalf("add user: %d %q\n%s", r.Code, r.Location, r.Body)
	}
	page = admin.get("/admin/users")
	if !strings.Contains(page.Body, "User carol was added with the role Virtual Account User in virtual account Data Center") {
		t.Error("no flash after adding a user")
	}
	if !strings.Contains(page.Body, "Carol Net") {
		t.Error("the new user is not listed")
	}
	e := lastEvent(t, env, licensing.EventUserCreated)
	if e.Message != "User carol (Carol Net) created with the role Virtual Account User in virtual account Data Center" || e.VAID != vas["Data Center"] || e.Username != "admin" {
		t.Errorf("event = %q in VA %d by %s", e.Message, e.VAID, e.Username)
	}

	carol := env.loginWith("carol", "carol-secret")
	home := fmt.Sprintf("/inventory/%d/general", vas["Data Center"])
	if r := carol.get("/inventory"); r.Location != home {
		t.Fatalf("carol's home = %q, want %q", r.Location, home)
	}
	g := carol.get(home)
	if sel := fndSelector(t, g.Body); len(sel) != 1 || sel["Data Center"] != vas["Data Center"] {
		t.Errorf("carol's selector = %v, want only Data Center", sel)
	}
	if strings.Contains(g.Body, `href="/admin/`) {
		t.Error("a VA user sees the Admin tab")
	}
	for name, id := range vas {
		if name == "Data Center" {
			continue
		}
		if r := carol.get(fmt.Sprintf("/inventory/%d/general", id)); r.Code != http.StatusNotFound {
			t.Errorf("carol GET %s: %d, want 404", name, r.Code)
		}
	}
	// The new user can manage assets there (VA_USER): the rehost wizard opens.
	pi := fndAnyPI(t, env, vas["Data Center"])
	if r := carol.get(fmt.Sprintf("/inventory/%d/instances/%d/rehost", vas["Data Center"], pi.ID)); r.Code != http.StatusOK {
		t.Errorf("carol rehost wizard: %d", r.Code)
	}
}

func TestGrantAndRevokeTakeEffectOnNextRequest(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	_, vas := demoIDs(t, env)
	admin := env.login("admin")
	viewer := env.login("vaviewer")
	id := userID(t, env, "vaviewer")
	wireless := fmt.Sprintf("/inventory/%d/general", vas["Wireless"])
	if r := viewer.get(wireless); r.Code != http.StatusNotFound {
		t.Fatalf("before the grant: %d", r.Code)
	}
	grant := url.Values{"role": {"VA_USER"}, "va": {fmt.Sprint(vas["Wireless"])}}
	if r := admin.post(fmt.Sprintf("/admin/users/%d/roles", id), grant); r.Code != http.StatusSeeOther {
		t.Fatalf("grant: %d\n%s", r.Code, r.Body)
	}
	if r := admin.get("/admin/users"); !strings.Contains(r.Body, "was granted to user vaviewer") {
		t.Error("no flash after the grant")
	}
	if r := viewer.get(wireless); r.Code != http.StatusOK {
		t.Fatalf("after the grant: %d, want 200", r.Code)
	}
	if e := lastEvent(t, env, licensing.EventRoleGranted); e.Message != "Role Virtual Account User in virtual account Wireless granted to user vaviewer" || e.VAID != vas["Wireless"] {
		t.Errorf("grant event = %q (VA %d)", e.Message, e.VAID)
	}
	// Granting it again changes nothing and says so.
	before := usersSnapshot(t, env)
	if r := admin.post(fmt.Sprintf("/admin/users/%d/roles", id), grant); r.Code != http.StatusUnprocessableEntity || !strings.Contains(r.Body, "already has the role") {
		t.Errorf("second grant: %d", r.Code)
	}
	if !usersSnapshot(t, env).equal(before) {
		t.Error("a repeated grant changed something")
	}

	if r := admin.post(fmt.Sprintf("/admin/users/%d/roles/revoke", id), grant); r.Code != http.StatusSeeOther {
		t.Fatalf("revoke: %d\n%s", r.Code, r.Body)
	}
	if r := viewer.get(wireless); r.Code != http.StatusNotFound {
		t.Fatalf("after the revoke: %d, want 404", r.Code)
	}
	if e := lastEvent(t, env, licensing.EventRoleRevoked); e.Message != "Role Virtual Account User in virtual account Wireless revoked from user vaviewer" {
		t.Errorf("revoke event = %q", e.Message)
	}
	if r := admin.get(fmt.Sprintf("/inventory/%d/events?type=ROLE_GRANTED", vas["Wireless"])); !strings.Contains(r.Body, "Role Virtual Account User in virtual account Wireless granted to user vaviewer") {
		t.Error("the Wireless event log does not show the grant")
	}
	if r := admin.get("/activity/events?type=ROLE_REVOKED"); !strings.Contains(r.Body, "revoked from user vaviewer") || !strings.Contains(r.Body, "Role revoked") {
		t.Error("the SA event log does not show the revoke, or its type in the filter")
	}

	// An SA role makes a VA viewer see every VA; revoking the user's last
	// role locks them out, and the SA admin still sees them to give one back.
	if r := admin.post(fmt.Sprintf("/admin/users/%d/roles", id), url.Values{"role": {"SA_VIEWER"}}); r.Code != http.StatusSeeOther {
		t.Fatalf("grant SA_VIEWER: %d\n%s", r.Code, r.Body)
	}
	if sel := fndSelector(t, viewer.get(wireless).Body); len(sel) != 4 {
		t.Errorf("with SA_VIEWER the selector has %v", sel)
	}
	for _, g := range []url.Values{{"role": {"SA_VIEWER"}, "va": {"0"}}, {"role": {"VA_VIEWER"}, "va": {fmt.Sprint(vas["Data Center"])}}} {
		if r := admin.post(fmt.Sprintf("/admin/users/%d/roles/revoke", id), g); r.Code != http.StatusSeeOther {
			t.Fatalf("revoke %v: %d\n%s", g, r.Code, r.Body)
		}
	}
	if fndSignedIn(viewer) {
		t.Error("a user without roles still reaches the inventory")
	}
	if r := admin.get("/admin/users"); !strings.Contains(r.Body, "No roles: cannot sign in") {
		t.Error("the user without roles is not listed")
	}
}

func TestVAAdministratorScope(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	_, vas := demoIDs(t, env)
	c := env.login("vaadmin")
	if r := c.get("/inventory/1/general"); !strings.Contains(r.Body, `href="/admin/users"`) || strings.Contains(r.Body, `href="/admin/settings"`) {
		t.Error("a VA administrator should see the Admin tab to Users only")
	}
	page := c.get("/admin/users")
	if page.Code != http.StatusOK {
		t.Fatalf("vaadmin GET /admin/users: %d", page.Code)
	}
	for _, want := range []string{"vauser", "vaadmin", "Campus"} {
		if !strings.Contains(page.Body, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	for _, hidden := range []string{"saviewer", "vaviewer", "sauser", "Branch Offices", "Data Center", "Smart Account Administrator", "Create Virtual Account", `href="/admin/settings"`} {
		if strings.Contains(page.Body, hidden) {
			t.Errorf("vaadmin's page shows %q", hidden)
		}
	}

	vauser, vaviewer, admin := userID(t, env, "vauser"), userID(t, env, "vaviewer"), userID(t, env, "admin")
	before := usersSnapshot(t, env)
	refused := []struct {
		name, path string
		form       url.Values
		code       int
		msg        string
	}{
		{"grant in another VA", fmt.Sprintf("/admin/users/%d/roles", vauser), url.Values{"role": {"VA_VIEWER"}, "va": {fmt.Sprint(vas["Data Center"])}}, 422, "that you administer"},
		{"grant an SA role", fmt.Sprintf("/admin/users/%d/roles", vauser), url.Values{"role": {"SA_VIEWER"}}, 422, "Only a Smart Account Administrator"},
		{"grant SA_ADMIN to self", fmt.Sprintf("/admin/users/%d/roles", userID(t, env, "vaadmin")), url.Values{"role": {"SA_ADMIN"}}, 422, "Only a Smart Account Administrator"},
		{"revoke in another VA", fmt.Sprintf("/admin/users/%d/roles/revoke", vauser), url.Values{"role": {"VA_USER"}, "va": {fmt.Sprint(vas["Branch Offices"])}}, 422, "that you administer"},
		{"user outside my VAs", fmt.Sprintf("/admin/users/%d/roles", vaviewer), url.Values{"role": {"VA_VIEWER"}, "va": {fmt.Sprint(vas["Campus"])}}, 404, ""},
		{"revoke the SA admin", fmt.Sprintf("/admin/users/%d/roles/revoke", admin), url.Values{"role": {"SA_ADMIN"}}, 404, ""},
		{"add with an SA role", "/admin/users", url.Values{"username": {"dave"}, "password": {"dave-secret"}, "role": {"SA_USER"}}, 422, "Only a Smart Account Administrator"},
		{"add in another VA", "/admin/users", url.Values{"username": {"dave"}, "password": {"dave-secret"}, "role": {"VA_USER"}, "va": {fmt.Sprint(vas["Wireless"])}}, 422, "that you administer"},
	}
	for _, tc := range refused {
		r := c.post(tc.path, tc.form)
		if r.Code != tc.code || !strings.Contains(r.Body, tc.msg) {
			t.Errorf("%s: %d, want %d with %q", tc.name, r.Code, tc.code, tc.msg)
		}
		if tc.code == 422 && !strings.Contains(r.Body, `role="alert"`) {
			t.Errorf("%s: no alert", tc.name)
		}
	}
	if after := usersSnapshot(t, env); !after.equal(before) {
		t.Fatalf("refused requests changed something:\nbefore %+v\nafter  %+v", before, after)
	}

	// Within Campus the VA administrator manages users.
	if r := c.post(fmt.Sprintf("/admin/users/%d/roles", vauser), url.Values{"role": {"VA_ADMIN"}, "va": {fmt.Sprint(vas["Campus"])}}); r.Code != http.StatusSeeOther {
		t.Fatalf("grant VA_ADMIN in Campus: %d\n%s", r.Code, r.Body)
	}
	if r := c.post("/admin/users", url.Values{"username": {"dave"}, "password": {"dave-secret"}, "role": {"VA_VIEWER"}, "va": {fmt.Sprint(vas["Campus"])}}); r.Code != http.StatusSeeOther {
		t.Fatalf("add dave: %d\n%s", r.Code, r.Body)
	}
	if sel := fndSelector(t, env.loginWith("dave", "dave-secret").get(fmt.Sprintf("/inventory/%d/general", vas["Campus"])).Body); len(sel) != 1 || sel["Campus"] == 0 {
		t.Errorf("dave sees %v, want Campus only", sel)
	}
	if r := c.post(fmt.Sprintf("/admin/users/%d/roles/revoke", vauser), url.Values{"role": {"VA_USER"}, "va": {fmt.Sprint(vas["Campus"])}}); r.Code != http.StatusSeeOther {
		t.Fatalf("revoke VA_USER in Campus: %d\n%s", r.Code, r.Body)
	}
	gs, _ := env.Portal.Store.Grants(t.Context(), vauser)
	want := []access.Grant{{Role: access.VAAdmin, SmartAccountID: 1, VirtualAccountID: vas["Campus"]}, {Role: access.VAUser, SmartAccountID: 1, VirtualAccountID: vas["Branch Offices"]}}
	if !slices.Equal(gs, want) {
		t.Errorf("vauser's grants = %v, want %v", gs, want)
	}
}

func TestUserFormsRefuseBadInput(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	_, vas := demoIDs(t, env)
	c := env.login("admin")
	campus := fmt.Sprint(vas["Campus"])
	add := func(username, password, role, va string) url.Values {
		return url.Values{"username": {username}, "display_name": {"X"}, "password": {password}, "role": {role}, "va": {va}}
	}
	before := usersSnapshot(t, env)
	cases := []struct {
		name, path string
		form       url.Values
		msg        string
	}{
		{"duplicate username", "/admin/users", add("sauser", "long-enough", "VA_USER", campus), "A user named sauser already exists"},
		{"bad username", "/admin/users", add("bad name!", "long-enough", "VA_USER", campus), "Enter a username of 1 to 64 characters"},
		{"empty username", "/admin/users", add("", "long-enough", "VA_USER", campus), "Enter a username"},
		{"long username", "/admin/users", add(strings.Repeat("a", 65), "long-enough", "VA_USER", campus), "Enter a username"},
		{"short password", "/admin/users", add("erin", "short", "VA_USER", campus), "8 to 72 bytes"},
		{"long password", "/admin/users", add("erin", strings.Repeat("p", 73), "VA_USER", campus), "8 to 72 bytes"},
		{"unknown role", "/admin/users", add("erin", "long-enough", "ROOT", campus), "Choose a role"},
		{"VA role without VA", "/admin/users", add("erin", "long-enough", "VA_USER", "0"), "Choose the virtual account"},
		{"VA role in unknown VA", "/admin/users", add("erin", "long-enough", "VA_USER", "999"), "Choose the virtual account"},
		{"revoke own SA admin", fmt.Sprintf("/admin/users/%d/roles/revoke", userID(t, env, "admin")), url.Values{"role": {"SA_ADMIN"}, "va": {"0"}}, "You cannot revoke your own Smart Account Administrator role"},
		{"revoke a role not held", fmt.Sprintf("/admin/users/%d/roles/revoke", userID(t, env, "sauser")), url.Values{"role": {"SA_VIEWER"}}, "does not have the role"},
	}
	for _, tc := range cases {
		r := c.post(tc.path, tc.form)
		if r.Code != http.StatusUnprocessableEntity || !strings.Contains(r.Body, `role="alert"`) || !strings.Contains(r.Body, tc.msg) {
			t.Errorf("%s: %d, want 422 with an alert %q", tc.name, r.Code, tc.msg)
		}
	}
	// The form keeps what was typed, never the password.
	r := c.post("/admin/users", add("sauser", "keep-it-secret", "VA_USER", campus))
	if !strings.Contains(r.Body, `value="sauser"`) || strings.Contains(r.Body, "keep-it-secret") {
		t.Error("the refused form does not keep the username, or shows the password")
	}
	if r := c.post("/admin/users/999/roles", url.Values{"role": {"SA_VIEWER"}}); r.Code != http.StatusNotFound {
		t.Errorf("grant to an unknown user: %d, want 404", r.Code)
	}
	if after := usersSnapshot(t, env); !after.equal(before) {
		t.Fatalf("refused requests changed something:\nbefore %+v\nafter  %+v", before, after)
	}
	// Another SA administrator may revoke it.
	if r := c.post(fmt.Sprintf("/admin/users/%d/roles", userID(t, env, "sauser")), url.Values{"role": {"SA_ADMIN"}}); r.Code != http.StatusSeeOther {
		t.Fatalf("grant SA_ADMIN: %d", r.Code)
	}
	if r := c.post(fmt.Sprintf("/admin/users/%d/roles", userID(t, env, "admin")), url.Values{"role": {"VA_VIEWER"}, "va": {campus}}); r.Code != http.StatusSeeOther {
		t.Fatalf("admin grants self VA_VIEWER: %d", r.Code)
	}
	if r := env.login("sauser").post(fmt.Sprintf("/admin/users/%d/roles/revoke", userID(t, env, "admin")), url.Values{"role": {"SA_ADMIN"}}); r.Code != http.StatusSeeOther {
		t.Fatalf("sauser revokes admin's SA_ADMIN: %d", r.Code)
	}
	if r := c.get("/admin/users"); r.Code != http.StatusNotFound {
		t.Errorf("admin after losing SA_ADMIN: %d, want 404", r.Code)
	}
}

func TestCreateVirtualAccount(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	c := env.login("admin")
	r := c.post("/admin/settings/virtual-accounts", url.Values{"name": {" Lab "}, "description": {"Test lab switches"}})
	if r.Code != http.StatusSeeOther || r.Location != "/admin/users" {
		t.Fatalf("create VA: %d %q\n%s", r.Code, r.Location, r.Body)
	}
	_, vas := demoIDs(t, env)
	lab, ok := vas["Lab"]
	if !ok {
		t.Fatalf("VAs = %v, want Lab", vas)
	}
	page := c.get("/admin/users")
	if !strings.Contains(page.Body, "Virtual account Lab was created") || !strings.Contains(page.Body, "Test lab switches") {
		t.Error("users page does not show the new VA")
	}
	if r := c.get(fmt.Sprintf("/inventory/%d/general", lab)); r.Code != http.StatusOK {
		t.Errorf("the new VA's General tab: %d", r.Code)
	}
	if e := lastEvent(t, env, licensing.EventVACreated); e.Message != "Virtual account Lab created" || e.VAID != lab || e.Username != "admin" {
		t.Errorf("event = %q (VA %d, by %s)", e.Message, e.VAID, e.Username)
	}
	// A VA user of the new VA sees it and nothing else.
	if r := c.post("/admin/users", url.Values{"username": {"frank"}, "password": {"frank-secret"}, "role": {"VA_ADMIN"}, "va": {fmt.Sprint(lab)}}); r.Code != http.StatusSeeOther {
		t.Fatalf("add frank: %d", r.Code)
	}
	if sel := fndSelector(t, env.loginWith("frank", "frank-secret").get(fmt.Sprintf("/inventory/%d/general", lab)).Body); len(sel) != 1 || sel["Lab"] != lab {
		t.Errorf("frank sees %v", sel)
	}

	before := usersSnapshot(t, env)
	for _, tc := range []struct{ name, msg string }{
		{"lab", "already exists"},
		{"Campus", "already exists"},
		{"  ", "1 to 80 characters"},
		{strings.Repeat("v", 81), "1 to 80 characters"},
	} {
		r := c.post("/admin/settings/virtual-accounts", url.Values{"name": {tc.name}})
		if r.Code != http.StatusUnprocessableEntity || !strings.Contains(r.Body, `role="alert"`) || !strings.Contains(r.Body, tc.msg) {
			t.Errorf("name %q: %d, want 422 with %q", tc.name, r.Code, tc.msg)
		}
	}
	if !usersSnapshot(t, env).equal(before) {
		t.Fatal("a refused VA changed something")
	}
	// 80 characters is still fine.
	if r := c.post("/admin/settings/virtual-accounts", url.Values{"name": {strings.Repeat("v", 80)}}); r.Code != http.StatusSeeOther {
		t.Errorf("80-character name: %d", r.Code)
	}
}
