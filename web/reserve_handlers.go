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

// reserveProps loads the VA for every step; a VA the user may not see is
// 404 and a viewer is refused, on GET and POST alike.
func (s *Server) reserveProps(c echo.Context) (views.ReserveProps, error) {
	p, _, err := s.reserveWorkspace(c)
	return p, err
}

func (s *Server) reserveWorkspace(c echo.Context) (views.ReserveProps, licensing.Workspace, error) {
	w, err := s.workspace(c)
	if err != nil {
		return views.ReserveProps{}, w, err
	}
	if !w.CanManage {
		return views.ReserveProps{}, w, licensing.ErrForbidden
	}
	return views.ReserveProps{Inventory: s.inventoryHeader(c, "Reserve Licenses", "licenses", w), Modal: isModal(c), Step: 1}, w, nil
}

// quantities reads the qty_<licenseID> fields. An empty field is 0; anything
// but a whole number is refused with a message.
func quantities(c echo.Context) (map[int64]int, map[int64]string, error) {
	form, err := c.FormParams()
	if err != nil {
		return nil, nil, err
	}
	qty, raw := map[int64]int{}, map[int64]string{}
	var bad error
	for key, vals := range form {
		rest, ok := strings.CutPrefix(key, "qty_")
		if !ok || len(vals) == 0 {
			continue
		}
		id, err := strconv.ParseInt(rest, 10, 64)
		if err != nil || id <= 0 {
			bad = licensing.Invalid("", "Choose only licenses from the list.")
			continue
		}
		v := strings.TrimSpace(vals[0])
		raw[id] = v
		if v == "" {
			continue
		}
		n, err := strconv.Atoi(v)
		if err != nil || n > 1_000_000_000 || n < -1_000_000_000 {
			bad = licensing.Invalid(key, "Enter each quantity as a whole number.")
			continue
		}
		qty[id] = n
	}
	return qty, raw, bad
}

func (s *Server) reserveStep1(c echo.Context) error {
	p, w, err := s.reserveWorkspace(c)
	if err != nil {
		return err
	}
	if !w.SmartAccount.SLREnabled {
		p.Error, _ = licensing.Message(licensing.ErrSLRDisabled)
		return s.render(c, http.StatusUnprocessableEntity, views.Reserve(p))
	}
	return s.render(c, http.StatusOK, views.Reserve(p))
}

// reserveCheck takes Step 1 and shows Step 2 (Select Licenses).
func (s *Server) reserveCheck(c echo.Context) error {
	p, err := s.reserveProps(c)
	if err != nil {
		return err
	}
	code, err := requestCodeInput(c)
	if err == nil {
		p.RequestCode = code
		if c.FormValue("back") != "" {
			return s.render(c, http.StatusOK, views.Reserve(p))
		}
		p.Plan, err = s.svc.ReserveCheck(c.Request().Context(), actor(c), p.VAID, code)
	}
	if err != nil {
		return s.reserveError(c, p, err, 1)
	}
	p.Step = 2
	return s.render(c, http.StatusOK, views.Reserve(p))
}

// reserveReview takes Step 2 and shows Step 3 (Review and Confirm); Back
// from Step 3 lands here too and shows Step 2 with the quantities kept.
func (s *Server) reserveReview(c echo.Context) error {
	p, err := s.reserveProps(c)
	if err != nil {
		return err
	}
	ctx, a := c.Request().Context(), actor(c)
	p.RequestCode = strings.TrimSpace(c.FormValue("request_code"))
	if p.Plan, err = s.svc.ReserveCheck(ctx, a, p.VAID, p.RequestCode); err != nil {
		return s.reserveError(c, p, err, 1)
	}
	qty, raw, err := quantities(c)
	p.Qty = raw
	if c.FormValue("back") != "" {
		p.Step = 2
		return s.render(c, http.StatusOK, views.Reserve(p))
	}
	if err == nil {
		p.Plan, err = s.svc.ReserveSelect(ctx, a, p.VAID, p.RequestCode, qty)
	}
	if err != nil {
		return s.reserveError(c, p, err, 2)
	}
	p.Step, p.Token = 3, randomToken()
	return s.render(c, http.StatusOK, views.Reserve(p))
}

// reserveGenerate is Step 3's Generate Authorization Code: one transaction
// that checks the balances again, idempotent through the one-time token,
// then a redirect to Step 4.
func (s *Server) reserveGenerate(c echo.Context) error {
	p, err := s.reserveProps(c)
	if err != nil {
		return err
	}
	ctx, a := c.Request().Context(), actor(c)
	p.RequestCode = strings.TrimSpace(c.FormValue("request_code"))
	qty, raw, err := quantities(c)
	p.Qty = raw
	if err == nil {
		var res licensing.ReserveResult
		res, err = s.svc.Reserve(ctx, a, p.VAID, p.RequestCode, qty, c.FormValue("token"))
		if err == nil {
			return c.Redirect(http.StatusSeeOther, "/inventory/"+strconv.FormatInt(p.VAID, 10)+"/reserve/done?code="+strconv.FormatInt(res.Code.ID, 10))
		}
	}
	// Show the step the problem belongs to, with balances as they are now.
	if p.Plan, _ = s.svc.ReserveCheck(ctx, a, p.VAID, p.RequestCode); p.Plan.Family.ID == "" {
		return s.reserveError(c, p, err, 1)
	}
	return s.reserveError(c, p, err, 2)
}

// reserveError shows a user error on the step it belongs to (a problem with
// the request code always on Step 1); anything else is an error page.
func (s *Server) reserveError(c echo.Context, p views.ReserveProps, err error, step int) error {
	msg, ok := userError(err)
	if !ok {
		return err
	}
	var ue *licensing.UserError
	if errors.As(err, &ue) && ue.Field == "request_code" || errors.Is(err, licensing.ErrSLRDisabled) || len(p.Plan.Licenses) == 0 {
		step = 1
	}
	p.Step, p.Error = step, msg
	return s.render(c, http.StatusUnprocessableEntity, views.Reserve(p))
}

// reserveDone is Step 4, reached by a GET after the redirect.
func (s *Server) reserveDone(c echo.Context) error {
	p, err := s.reserveProps(c)
	if err != nil {
		return err
	}
	codeID, err := strconv.ParseInt(c.QueryParam("code"), 10, 64)
	if err != nil || codeID <= 0 {
		return echo.ErrNotFound
	}
	if p.Code, err = s.svc.Code(c.Request().Context(), actor(c), p.VAID, codeID); err != nil {
		return err
	}
	p.Step = 4
	return s.render(c, http.StatusOK, views.Reserve(p))
}
