package web

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"slrportal/internal/licensing"
	"slrportal/web/views"
)

func (s *Server) removeProps(c echo.Context) (views.RemoveProps, error) {
	_, pi, inv, err := s.piActionProps(c, "Remove Product Instance")
	if err != nil {
		return views.RemoveProps{}, err
	}
	return views.RemoveProps{Inventory: inv, Modal: isModal(c), PI: pi}, nil
}

func (s *Server) removeForm(c echo.Context) error {
	p, err := s.removeProps(c)
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, views.Remove(p))
}

func (s *Server) remove(c echo.Context) error {
	p, err := s.removeProps(c)
	if err != nil {
		return s.alreadyDone(c, err)
	}
	p.ReturnCode = strings.TrimSpace(c.FormValue("return_code"))
	pi, err := s.svc.Remove(c.Request().Context(), actor(c), p.VAID, p.PI.ID, p.ReturnCode)
	if err != nil {
		msg, ok := userError(err)
		if !ok {
			return err
		}
		p.Error = msg
		return s.render(c, http.StatusUnprocessableEntity, views.Remove(p))
	}
	s.flash(c, "Product instance "+pi.UDIString()+" was removed; its licenses were returned to the virtual account.")
	return s.seeOther(c, "/inventory/"+strconv.FormatInt(p.VAID, 10)+"/instances")
}

// seeOther redirects after a successful POST; inside the htmx dialog it asks
// htmx to load the page in full instead of swapping it into the dialog.
func (s *Server) seeOther(c echo.Context, to string) error {
	if c.Request().Header.Get("HX-Request") == "true" {
		c.Response().Header().Set("HX-Redirect", to)
		return c.NoContent(http.StatusOK)
	}
	return c.Redirect(http.StatusSeeOther, to)
}

// alreadyDone answers a repeated Remove or Transfer of a PI that has left
// this VA with where it went, on the list page; other errors pass through.
func (s *Server) alreadyDone(c echo.Context, err error) error {
	if !errors.Is(err, licensing.ErrNotFound) {
		return err
	}
	vaID, perr := idParam(c, "va")
	if perr != nil {
		return err
	}
	piID, perr := idParam(c, "pi")
	if perr != nil {
		return err
	}
	msg, ok := s.svc.Whereabouts(c.Request().Context(), actor(c), vaID, piID)
	if !ok {
		return err
	}
	s.flash(c, msg)
	return s.seeOther(c, "/inventory/"+strconv.FormatInt(vaID, 10)+"/instances")
}
