package web

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"slrportal/internal/licensing"
	"slrportal/web/views"
)

// piActionProps loads the VA and a PI it holds for an action; a PI of
// another VA, or a VA the user may not see, is 404, and a viewer is refused.
func (s *Server) piActionProps(c echo.Context, title string) (licensing.Workspace, licensing.ProductInstance, views.Inventory, error) {
	w, err := s.workspace(c)
	if err != nil {
		return w, licensing.ProductInstance{}, views.Inventory{}, err
	}
	piID, err := idParam(c, "pi")
	if err != nil {
		return w, licensing.ProductInstance{}, views.Inventory{}, err
	}
	d, err := s.svc.Instance(c.Request().Context(), actor(c), w.VA.ID, piID)
	if err != nil {
		return w, licensing.ProductInstance{}, views.Inventory{}, err
	}
	if !w.CanManage {
		return w, licensing.ProductInstance{}, views.Inventory{}, licensing.ErrForbidden
	}
	return w, d.PI, s.inventoryHeader(c, title, "instances", w), nil
}

func (s *Server) updateProps(c echo.Context) (views.UpdateProps, error) {
	_, pi, inv, err := s.piActionProps(c, "Update Reserved Licenses")
	if err != nil {
		return views.UpdateProps{}, err
	}
	return views.UpdateProps{Inventory: inv, Modal: isModal(c), Step: 1, PI: pi}, nil
}

// updateForm is Step 1: the new quantities.
func (s *Server) updateForm(c echo.Context) error {
	p, err := s.updateProps(c)
	if err != nil {
		return err
	}
	p.Plan, err = s.svc.UpdateForm(c.Request().Context(), actor(c), p.VAID, p.PI.ID)
	if err != nil {
		msg, ok := userError(err)
		if !ok {
			return err
		}
		p.Error = msg
		return s.render(c, http.StatusUnprocessableEntity, views.Update(p))
	}
	return s.render(c, http.StatusOK, views.Update(p))
}

// updateReview takes Step 1 and shows Step 2; Back from Step 2 lands here
// and shows Step 1 with the quantities kept.
func (s *Server) updateReview(c echo.Context) error {
	p, err := s.updateProps(c)
	if err != nil {
		return err
	}
	ctx, a := c.Request().Context(), actor(c)
	if p.Plan, err = s.svc.UpdateForm(ctx, a, p.VAID, p.PI.ID); err != nil {
		return s.updateError(c, p, err)
	}
	qty, raw, err := quantities(c)
	p.Qty = raw
	if c.FormValue("back") != "" {
		return s.render(c, http.StatusOK, views.Update(p))
	}
	if err == nil {
		p.Plan, err = s.svc.UpdateCheck(ctx, a, p.VAID, p.PI.ID, qty)
	}
	if err != nil {
		return s.updateError(c, p, err)
	}
	p.Step, p.Token = 2, randomToken()
	return s.render(c, http.StatusOK, views.Update(p))
}

func (s *Server) updateError(c echo.Context, p views.UpdateProps, err error) error {
	msg, ok := userError(err)
	if !ok {
		return err
	}
	p.Step, p.Error = 1, msg
	return s.render(c, http.StatusUnprocessableEntity, views.Update(p))
}

// updateGenerate issues the updated code (one transaction, idempotent
// through the token) and redirects to Step 3.
func (s *Server) updateGenerate(c echo.Context) error {
	p, err := s.updateProps(c)
	if err != nil {
		return err
	}
	ctx, a := c.Request().Context(), actor(c)
	qty, raw, err := quantities(c)
	p.Qty = raw
	if err == nil {
		var res licensing.UpdateResult
		if res, err = s.svc.Update(ctx, a, p.VAID, p.PI.ID, qty, c.FormValue("token")); err == nil {
			return c.Redirect(http.StatusSeeOther, "/inventory/"+strconv.FormatInt(p.VAID, 10)+"/instances/"+strconv.FormatInt(p.PI.ID, 10)+
				"/update/done?code="+strconv.FormatInt(res.Code.ID, 10))
		}
	}
	p.Plan, _ = s.svc.UpdateForm(ctx, a, p.VAID, p.PI.ID)
	return s.updateError(c, p, err)
}

// updateDone is Step 3, reached by a GET after the redirect.
func (s *Server) updateDone(c echo.Context) error {
	p, err := s.updateProps(c)
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
	if p.Code.PI.ID != p.PI.ID {
		return echo.ErrNotFound
	}
	p.Step = 3
	return s.render(c, http.StatusOK, views.Update(p))
}

func (s *Server) confirmForm(c echo.Context) error {
	_, pi, inv, err := s.piActionProps(c, "Enter Confirmation Code")
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, views.Confirm(views.PIActionProps{Inventory: inv, Modal: isModal(c), PI: pi}))
}

func (s *Server) confirm(c echo.Context) error {
	_, pi, inv, err := s.piActionProps(c, "Enter Confirmation Code")
	if err != nil {
		return err
	}
	p := views.PIActionProps{Inventory: inv, Modal: isModal(c), PI: pi, Value: strings.TrimSpace(c.FormValue("confirmation_code"))}
	if _, err := s.svc.Confirm(c.Request().Context(), actor(c), p.VAID, pi.ID, p.Value); err != nil {
		msg, ok := userError(err)
		if !ok {
			return err
		}
		p.Error = msg
		return s.render(c, http.StatusUnprocessableEntity, views.Confirm(p))
	}
	s.flash(c, "The confirmation code was accepted: product instance "+pi.UDIString()+" is Reserved with its updated licenses.")
	return s.seeOther(c, "/inventory/"+strconv.FormatInt(p.VAID, 10)+"/instances")
}

func (s *Server) cancelUpdateForm(c echo.Context) error {
	_, pi, inv, err := s.piActionProps(c, "Cancel Update")
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, views.CancelUpdate(views.PIActionProps{Inventory: inv, Modal: isModal(c), PI: pi}))
}

func (s *Server) cancelUpdate(c echo.Context) error {
	_, pi, inv, err := s.piActionProps(c, "Cancel Update")
	if err != nil {
		return err
	}
	p := views.PIActionProps{Inventory: inv, Modal: isModal(c), PI: pi}
	if _, err := s.svc.CancelUpdate(c.Request().Context(), actor(c), p.VAID, pi.ID); err != nil {
		msg, ok := userError(err)
		if !ok {
			return err
		}
		p.Error = msg
		return s.render(c, http.StatusUnprocessableEntity, views.CancelUpdate(p))
	}
	s.flash(c, "The update of product instance "+pi.UDIString()+" was cancelled; its previous reservation was restored.")
	return s.seeOther(c, "/inventory/"+strconv.FormatInt(p.VAID, 10)+"/instances")
}
