package web

import (
	"bytes"
	"errors"
	"net/http"
	"strconv"

	"github.com/a-h/templ"
	"github.com/labstack/echo/v4"

	"slrportal/internal/licensing"
	"slrportal/web/views"
)

// render writes a component; it renders into a buffer first so that a
// render error still becomes a clean 500.
func (s *Server) render(c echo.Context, status int, comp templ.Component) error {
	var buf bytes.Buffer
	if err := comp.Render(c.Request().Context(), &buf); err != nil {
		return err
	}
	return c.HTMLBlob(status, buf.Bytes())
}

// isModal reports whether htmx asked for the dialog fragment only.
func isModal(c echo.Context) bool {
	return c.Request().Header.Get("HX-Request") == "true" && c.Request().Header.Get("HX-Target") == "modal-content"
}

func csrfToken(c echo.Context) string {
	t, _ := c.Get("csrf").(string)
	return t
}

// layout builds the frame of a signed-in page.
func (s *Server) layout(c echo.Context, title, tab string, w licensing.Workspace) views.Layout {
	a := actor(c)
	name := a.User.DisplayName
	if name == "" {
		name = a.User.Username
	}
	return views.Layout{Title: title, User: name, SmartAccount: w.SmartAccount.Name, CSRF: csrfToken(c), MainTab: tab,
		CanAdmin: w.CanAdmin, CanUsers: a.CanManageUsers(), Flash: s.flashes(c), Assets: s.assets}
}

func (s *Server) inventoryHeader(c echo.Context, title, sub string, w licensing.Workspace) views.Inventory {
	opts := make([]views.VAOption, len(w.VAs))
	for i, va := range w.VAs {
		opts[i] = views.VAOption{ID: va.ID, Name: va.Name, Default: va.Default}
	}
	return views.Inventory{Layout: s.layout(c, title, "inventory", w), VAs: opts, VAID: w.VA.ID, VAName: w.VA.Name,
		SubTab: sub, CanManage: w.CanManage}
}

// idParam parses a positive id from the path; anything else is 404.
func idParam(c echo.Context, name string) (int64, error) {
	id, err := strconv.ParseInt(c.Param(name), 10, 64)
	if err != nil || id <= 0 {
		return 0, echo.ErrNotFound
	}
	return id, nil
}

// workspace loads the VA of the path for the signed-in user.
func (s *Server) workspace(c echo.Context) (licensing.Workspace, error) {
	vaID, err := idParam(c, "va")
	if err != nil {
		return licensing.Workspace{}, err
	}
	return s.svc.Workspace(c.Request().Context(), actor(c), vaID)
}

// handleError is the one place errors become pages.
func (s *Server) handleError(err error, c echo.Context) {
	if c.Response().Committed {
		return
	}
	status, title, msg := http.StatusInternalServerError, "Something went wrong", "The portal could not complete the request. Try again; if it keeps failing, tell your administrator."
	var he *echo.HTTPError
	switch {
	case errors.Is(err, licensing.ErrNotFound) || errors.As(err, &he) && he.Code == http.StatusNotFound:
		status, title, msg = http.StatusNotFound, "Not found", "The page does not exist, or you do not have access to it."
	case errors.Is(err, licensing.ErrForbidden):
		status, title = http.StatusForbidden, "Not allowed"
		msg, _ = licensing.Message(err)
	case errors.As(err, &he) && he.Code < 500:
		status, title = he.Code, http.StatusText(he.Code)
		msg = "The request could not be handled."
		if m, ok := he.Message.(string); ok && he.Code != http.StatusNotFound {
			msg = m
		}
	default:
		if m, ok := licensing.Message(err); ok {
			status, title, msg = http.StatusUnprocessableEntity, "Cannot do that", m
		} else {
			s.log.Error("request failed", "id", c.Response().Header().Get(echo.HeaderXRequestID), "path", c.Request().URL.Path, "err", err)
		}
	}
	if c.Request().Method == http.MethodHead {
		_ = c.NoContent(status)
		return
	}
	a := actor(c)
	l := views.Layout{Title: title, CSRF: csrfToken(c), Assets: s.assets, User: a.User.Username}
	if isModal(c) {
		_ = s.render(c, status, views.ModalError(title, msg))
		return
	}
	if rerr := s.render(c, status, views.ErrorPage(l, status, title, msg)); rerr != nil {
		s.log.Error("render error page", "err", rerr)
		_ = c.String(status, msg)
	}
}

// csrfError answers a POST without a valid token.
func (s *Server) csrfError(err error, c echo.Context) error {
	return echo.NewHTTPError(http.StatusForbidden, "The form was stale or did not come from this portal. Reload the page and try again.")
}

func asChain(err error, target **licensing.ChainError) bool { return errors.As(err, target) }

// userError returns the message a form shows for err on its own page (422).
// Not found and forbidden never re-render a form: they are the 404 and 403
// pages, whatever text the domain attached.
func userError(err error) (string, bool) {
	if errors.Is(err, licensing.ErrNotFound) || errors.Is(err, licensing.ErrForbidden) {
		return "", false
	}
	return licensing.Message(err)
}
