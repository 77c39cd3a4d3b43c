package web_test

import (
	"net/http"
	"net/http/cookiejar"
	"net/url"
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
