package web

import (
	"errors"
	"net/http"

	"github.com/labstack/echo/v4"

	"slrportal/internal/licensing"
	"slrportal/web/views"
)

func (s *Server) loginForm(c echo.Context) error {
	l := views.Layout{Title: "Sign in", CSRF: csrfToken(c), Assets: s.assets}
	return s.render(c, http.StatusOK, views.Login(l, "", "", safeNext(c.QueryParam("next"))))
}

func (s *Server) login(c echo.Context) error {
	username, password := c.FormValue("username"), c.FormValue("password")
	next := safeNext(c.FormValue("next"))
	u, err := s.svc.Authenticate(c.Request().Context(), username, password)
	if errors.Is(err, licensing.ErrBadCredentials) {
		l := views.Layout{Title: "Sign in", CSRF: csrfToken(c), Assets: s.assets}
		if len(username) > 64 {
			username = ""
		}
		return s.render(c, http.StatusUnauthorized, views.Login(l, username, "The username or password is not correct.", next))
	}
	if err != nil {
		return err
	}
	// A new session at sign-in: drop whatever the old cookie held.
	sess := s.newSession(c)
	sess.Values = map[any]any{keyUserID: u.ID, keySession: randomToken(), keyEpoch: u.SessionEpoch}
	if err := sess.Save(c.Request(), c.Response()); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, next)
}

func (s *Server) logout(c echo.Context) error {
	sess := s.session(c)
	if uid, _ := sess.Values[keyUserID].(int64); uid != 0 {
		if err := s.svc.SignOut(c.Request().Context(), uid); err != nil {
			return err
		}
	}
	sess.Values = map[any]any{}
	sess.Options.MaxAge = -1
	if err := sess.Save(c.Request(), c.Response()); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/login")
}
