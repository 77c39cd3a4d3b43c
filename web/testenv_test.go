package web_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"golang.org/x/crypto/bcrypt"

	"slrportal/internal/demo"
	"slrportal/internal/portal"
)

// testEnv is the real portal (demo data, SQLite file in t.TempDir) served
// through the real router by httptest.
type testEnv struct {
	t      *testing.T
	Portal *portal.Portal
	Server *httptest.Server
}

func newEnv(t *testing.T) *testEnv {
	t.Helper()
	p, err := portal.Open(context.Background(), portal.Options{DataDir: t.TempDir(), Seed: portal.SeedDemo,
		BcryptCost: bcrypt.MinCost, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	h, err := p.Handler()
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(func() { srv.Close(); p.Close() })
	return &testEnv{t: t, Portal: p, Server: srv}
}

// client is a browser stand-in: a cookie jar, no redirects followed
// automatically so tests can see PRG redirects.
type client struct {
	t    *testing.T
	base string
	http *http.Client
	csrf string
}

func (e *testEnv) anon() *client {
	jar, _ := cookiejar.New(nil)
	return &client{t: e.t, base: e.Server.URL, http: &http.Client{Jar: jar,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// login signs a demo user in and returns their client.
func (e *testEnv) login(username string) *client {
	c := e.anon()
	resp := c.post("/login", url.Values{"username": {username}, "password": {demo.Password}})
	if resp.Code != http.StatusSeeOther {
		e.t.Fatalf("login %s: status %d", username, resp.Code)
	}
	return c
}

type response struct {
	Code     int
	Body     string
	Header   http.Header
	Location string
}

var csrfRe = regexp.MustCompile(`name="csrf-token" content="([^"]+)"|name="_csrf" value="([^"]+)"`)

func (c *client) do(req *http.Request) response {
	c.t.Helper()
	resp, err := c.http.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		c.t.Fatal(err)
	}
	r := response{Code: resp.StatusCode, Body: string(b), Header: resp.Header, Location: resp.Header.Get("Location")}
	if m := csrfRe.FindStringSubmatch(r.Body); m != nil {
		c.csrf = m[1] + m[2]
	}
	return r
}

func (c *client) get(path string, headers ...string) response {
	c.t.Helper()
	req, err := http.NewRequest(http.MethodGet, c.base+path, nil)
	if err != nil {
		c.t.Fatal(err)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	return c.do(req)
}

// post sends a form with the CSRF token of the last page (fetching /login
// first when the client has none yet).
func (c *client) post(path string, form url.Values) response {
	c.t.Helper()
	if c.csrf == "" {
		c.get("/login")
	}
	if form == nil {
		form = url.Values{}
	}
	if _, ok := form["_csrf"]; !ok {
		form.Set("_csrf", c.csrf)
	}
	return c.postRaw(path, form)
}

// postRaw sends the form as it is (no token added).
func (c *client) postRaw(path string, form url.Values) response {
	c.t.Helper()
	req, err := http.NewRequest(http.MethodPost, c.base+path, strings.NewReader(form.Encode()))
	if err != nil {
		c.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return c.do(req)
}
