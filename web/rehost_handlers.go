package web

import (
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"slrportal/internal/licensing"
	"slrportal/web/views"
)

// rehostProps loads the VA and the failed PI for every step; a PI of another
// VA, or a VA the user may not see, is 404, and a viewer is refused.
func (s *Server) rehostProps(c echo.Context) (views.RehostProps, error) {
	_, pi, inv, err := s.piActionProps(c, "Rehost Licenses from a Failed Product")
	if err != nil {
		return views.RehostProps{}, err
	}
	return views.RehostProps{Inventory: inv, Modal: isModal(c), Step: 1, PI: pi}, nil
}

// requestCodeInput takes the request code from the text box or, when a file
// was uploaded, from the file.
func requestCodeInput(c echo.Context) (string, error) {
	code := c.FormValue("request_code")
	fh, err := c.FormFile("request_file")
	if err != nil || fh == nil || fh.Size == 0 {
		return strings.TrimSpace(code), nil
	}
	if fh.Size > 4096 {
		return "", licensing.Invalid("request_code", "The uploaded file is too large to be a request code file.")
	}
	f, err := fh.Open()
	if err != nil {
		return "", err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, 4096))
	if err != nil {
		return "", err
	}
	return strings.TrimSpace(string(b)), nil
}

// rehostStep1 shows Step 1 (also the target of Back, with the code kept).
func (s *Server) rehostStep1(c echo.Context) error {
	p, err := s.rehostProps(c)
	if err != nil {
		return err
	}
	if p.PI.Status != licensing.StatusReserved && p.PI.Status != licensing.StatusUpdatePending {
		p.Error = "Only a product instance in status Reserved or Update Pending can be rehosted; this one is " + string(p.PI.Status) + "."
		p.Step = 1
		return s.render(c, http.StatusUnprocessableEntity, views.Rehost(p))
	}
	return s.render(c, http.StatusOK, views.Rehost(p))
}

// rehostCheck runs the system check after Step 1 and renders Step 2, or
// Step 1 again with the message.
func (s *Server) rehostCheck(c echo.Context) error {
	p, err := s.rehostProps(c)
	if err != nil {
		return err
	}
	p.Notes = strings.TrimSpace(c.FormValue("notes"))
	code, err := requestCodeInput(c)
	if err == nil {
		p.RequestCode = code
		if c.FormValue("back") != "" {
			return s.render(c, http.StatusOK, views.Rehost(p))
		}
		if len(p.Notes) > licensing.MaxNotesLen {
			err = licensing.Invalid("notes", "Notes may be at most %d characters long.", licensing.MaxNotesLen)
		} else {
			p.Plan, err = s.svc.RehostCheck(c.Request().Context(), actor(c), p.VAID, p.PI.ID, code)
		}
	}
	if err != nil {
		return s.stepError(c, p, err)
	}
	p.Step, p.Token = 2, randomToken()
	return s.render(c, http.StatusOK, views.Rehost(p))
}

// stepError shows a user error on Step 1; anything else goes to the error page.
func (s *Server) stepError(c echo.Context, p views.RehostProps, err error) error {
	msg, ok := userError(err)
	if !ok {
		return err
	}
	p.Step, p.Error = 1, msg
	return s.render(c, http.StatusUnprocessableEntity, views.Rehost(p))
}

// rehostGenerate is Step 2's Generate Authorization Code: one transaction,
// idempotent through the form's one-time token, then a redirect to Step 3.
func (s *Server) rehostGenerate(c echo.Context) error {
	p, err := s.rehostProps(c)
	if err != nil {
		return err
	}
	p.RequestCode, p.Notes = strings.TrimSpace(c.FormValue("request_code")), c.FormValue("notes")
	res, err := s.svc.Rehost(c.Request().Context(), actor(c), p.VAID, p.PI.ID, p.RequestCode, p.Notes, c.FormValue("token"))
	if err != nil {
		// A resubmit after the PI already failed over lands here with the
		// same token only if the token was never used; show Step 1.
		return s.stepError(c, p, err)
	}
	if res.Failed.ID != p.PI.ID {
		return echo.ErrNotFound
	}
	return c.Redirect(http.StatusSeeOther, "/inventory/"+strconv.FormatInt(p.VAID, 10)+"/instances/"+strconv.FormatInt(p.PI.ID, 10)+
		"/rehost/done?code="+strconv.FormatInt(res.Code.ID, 10))
}

// rehostDone is Step 3, reached by a GET after the redirect.
func (s *Server) rehostDone(c echo.Context) error {
	w, err := s.workspace(c)
	if err != nil {
		return err
	}
	piID, err := idParam(c, "pi")
	if err != nil {
		return err
	}
	codeID, err := strconv.ParseInt(c.QueryParam("code"), 10, 64)
	if err != nil || codeID <= 0 {
		return echo.ErrNotFound
	}
	v, err := s.svc.Code(c.Request().Context(), actor(c), w.VA.ID, codeID)
	if err != nil {
		return err
	}
	if v.From == nil || v.From.ID != piID {
		return echo.ErrNotFound
	}
	p := views.RehostProps{Inventory: s.inventoryHeader(c, "Rehost Licenses from a Failed Product", "instances", w),
		Modal: isModal(c), Step: 3, PI: *v.From, Code: v}
	return s.render(c, http.StatusOK, views.Rehost(p))
}
