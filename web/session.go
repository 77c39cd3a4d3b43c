package web

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/gorilla/sessions"
	"github.com/labstack/echo/v4"

	"slrportal/internal/licensing"
)

const (
	sessionName = "slr_session"
	keyUserID   = "uid"
	keySession  = "sid"
	keyEpoch    = "epoch"
	ctxActor    = "actor"
)

// actor returns the signed-in user of the request (set by requireUser).
func actor(c echo.Context) licensing.Actor {
	a, _ := c.Get(ctxActor).(licensing.Actor)
	return a
}

// requireUser loads the user and their grants on every request, so a role
// change takes effect on the next request; anonymous users go to /login.
func (s *Server) requireUser(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		sess := s.session(c)
		uid, _ := sess.Values[keyUserID].(int64)
		if uid == 0 {
			return s.toLogin(c)
		}
		a, err := s.svc.LoadActor(c.Request().Context(), uid)
		if epoch, _ := sess.Values[keyEpoch].(int64); err == nil && epoch != a.User.SessionEpoch {
			err = licensing.ErrNotFound // signed out since this cookie was issued
		}
		if errors.Is(err, licensing.ErrNotFound) || errors.Is(err, licensing.ErrForbidden) {
			sess.Options.MaxAge = -1
			_ = sess.Save(c.Request(), c.Response())
			return s.toLogin(c)
		}
		if err != nil {
			return err
		}
		c.Set(ctxActor, a)
		return next(c)
	}
}

func (s *Server) toLogin(c echo.Context) error {
	next := c.Request().URL.RequestURI()
	if c.Request().Method != http.MethodGet {
		next = ""
	}
	if c.Request().Header.Get("HX-Request") == "true" {
		c.Response().Header().Set("HX-Redirect", "/login")
		return c.NoContent(http.StatusUnauthorized)
	}
	return c.Redirect(http.StatusSeeOther, "/login?next="+url.QueryEscape(next))
}

// readForm parses a POST's form once, up front, so that a body no browser
// would send (a multipart without boundary, a cut-off upload) is answered
// with a message instead of failing deep inside a handler.
func (s *Server) readForm(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if c.Request().Method == http.MethodPost {
			if _, err := c.FormParams(); err != nil {
				return echo.NewHTTPError(http.StatusBadRequest, "The form could not be read. Reload the page and try again.")
			}
		}
		return next(c)
	}
}

// safeNext keeps a post-login redirect on this site.
func safeNext(next string) string {
	const home = "/inventory"
	// Browsers drop tabs and newlines and read a backslash as "/", so
	// "/<tab>/evil.example" would leave the site: refuse any of them outright.
	for _, r := range next {
		if r <= ' ' || r == 0x7f || r == '\\' {
			return home
		}
	}
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || !strings.HasPrefix(u.Path, "/") || strings.HasPrefix(next, "//") {
		return home
	}
	return next
}

// flash stores a one-time notification for the next page.
func (s *Server) flash(c echo.Context, msg string) {
	sess := s.session(c)
	sess.AddFlash(msg)
	if err := sess.Save(c.Request(), c.Response()); err != nil {
		s.log.Error("save session", "err", err)
	}
}

// flashes takes the pending notifications.
func (s *Server) flashes(c echo.Context) []string {
	sess := s.session(c)
	fs := sess.Flashes()
	if len(fs) == 0 {
		return nil
	}
	if err := sess.Save(c.Request(), c.Response()); err != nil {
		s.log.Error("save session", "err", err)
	}
	out := make([]string, 0, len(fs))
	for _, f := range fs {
		if m, ok := f.(string); ok {
			out = append(out, m)
		}
	}
	return out
}

func randomToken() string {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		panic(fmt.Sprintf("crypto/rand: %v", err))
	}
	return hex.EncodeToString(b)
}

// session returns the request's session; its cookie is Secure when the
// request came over TLS (directly or through a proxy that says so).
func (s *Server) session(c echo.Context) *sessions.Session {
	sess, _ := s.sessions.Get(c.Request(), sessionName) // a bad cookie yields a new session
	s.secureFor(c, sess)
	return sess
}

// newSession starts a fresh session, ignoring the request's cookie, so a
// sign-in never reuses a session that existed before it.
func (s *Server) newSession(c echo.Context) *sessions.Session {
	sess := sessions.NewSession(s.sessions, sessionName)
	opts := *s.sessions.Options
	sess.Options = &opts
	sess.IsNew = true
	s.secureFor(c, sess)
	return sess
}

func (s *Server) secureFor(c echo.Context, sess *sessions.Session) {
	if s.secure || c.Request().TLS != nil || c.Request().Header.Get(echo.HeaderXForwardedProto) == "https" {
		sess.Options.Secure = true
	}
}
