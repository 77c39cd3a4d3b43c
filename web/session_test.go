package web_test

import (
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"testing"
)

// TestSignOutEndsTheSessionOnTheServer: a copy of the session cookie taken
// before sign-out is refused afterwards, not only dropped by the browser.
func TestSignOutEndsTheSessionOnTheServer(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	c := env.login("sauser")
	u, _ := url.Parse(env.Server.URL)
	stolen := c.http.Jar.Cookies(u)

	copyJar, _ := cookiejar.New(nil)
	copyJar.SetCookies(u, stolen)
	thief := &client{t: t, base: env.Server.URL, http: &http.Client{Jar: copyJar,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
	if r := thief.get("/inventory/1/general"); r.Code != http.StatusOK {
		t.Fatalf("copied cookie before sign-out: %d, want 200", r.Code)
	}

	c.get("/inventory/1/general")
	if r := c.post("/logout", nil); r.Code != http.StatusSeeOther {
		t.Fatalf("logout: %d", r.Code)
	}
	if r := thief.get("/inventory/1/general"); r.Code != http.StatusSeeOther || r.Location == "" {
		t.Fatalf("copied cookie after sign-out: %d %q, want a redirect to /login", r.Code, r.Location)
	}
	// Signing in again works.
	if r := env.login("sauser").get("/inventory/1/general"); r.Code != http.StatusOK {
		t.Fatalf("after a new sign-in: %d", r.Code)
	}
}

// TestSignInRedirectStaysOnSite: the next parameter can only name a path
// of this portal, whatever a browser would make of it.
func TestSignInRedirectStaysOnSite(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	cases := map[string]string{
		"/inventory/1/licenses":     "/inventory/1/licenses",
		"/inventory/1/events?q=FCW": "/inventory/1/events?q=FCW",
		"//evil.example/":           "/inventory",
		"/\\evil.example":           "/inventory",
		"/\t/evil.example":          "/inventory",
		"/\n/evil.example":          "/inventory",
		"https://evil.example/":     "/inventory",
		"evil.example":              "/inventory",
		"javascript:alert(1)":       "/inventory",
		"/%09/evil.example":         "/%09/evil.example", // escaped: a path on this site
		"":                          "/inventory",
	}
	for next, want := range cases {
		c := env.anon()
		r := c.post("/login", url.Values{"username": {"sauser"}, "password": {"slr-demo-pass"}, "next": {next}})
		if r.Code != http.StatusSeeOther || r.Location != want {
			t.Errorf("next=%q: %d %q, want a redirect to %q", next, r.Code, r.Location, want)
		}
	}
}

// TestUnreadableFormIsAMessage: a body no browser would send gets a 400
// with a message, never a 500, and changes nothing.
func TestUnreadableFormIsAMessage(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	c := env.login("sauser")
	c.get("/inventory/1/reserve")
	for _, path := range []string{"/inventory/1/reserve/generate", "/inventory/1/instances/23/update", "/inventory/1/instances/3/remove"} {
		for _, body := range []struct{ ctype, data string }{
			{"multipart/form-data", "x"},
			{"multipart/form-data; boundary=XYZ", "--XYZ\r\nContent-Disposition: form-data; name=\"qty_1\"\r\n\r\n1"},
		} {
			req, err := http.NewRequest(http.MethodPost, c.base+path, strings.NewReader(body.data))
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("Content-Type", body.ctype)
			req.Header.Set("X-CSRF-Token", c.csrf)
			r := c.do(req)
			if r.Code != http.StatusBadRequest || !strings.Contains(r.Body, "The form could not be read") {
				t.Errorf("POST %s (%s): %d, want 400 with a message", path, body.ctype, r.Code)
			}
		}
	}
	if id, _ := env.Portal.Store.LiveUDI(t.Context(), 1, "C9300-24UX", "FCW2134L0003"); id == 0 {
		t.Error("a refused POST removed PI 3")
	}
}
