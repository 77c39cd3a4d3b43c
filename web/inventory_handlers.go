package web

import (
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"slrportal/internal/licensing"
	"slrportal/web/views"
)

// inventoryHome sends the user to their default VA.
func (s *Server) inventoryHome(c echo.Context) error {
	_, def, err := s.svc.VisibleVAs(c.Request().Context(), actor(c))
	if err != nil {
		return err
	}
	if def == 0 {
		return echo.NewHTTPError(http.StatusForbidden, "You have no virtual account to look at. Ask a Smart Account Administrator for access.")
	}
	return c.Redirect(http.StatusSeeOther, "/inventory/"+strconv.FormatInt(def, 10)+"/general")
}

// selectVA is the target of the VA selector form (works without JS).
func (s *Server) selectVA(c echo.Context) error {
	id, err := strconv.ParseInt(c.QueryParam("va"), 10, 64)
	if err != nil || id <= 0 {
		return echo.ErrNotFound
	}
	if _, err := s.svc.Workspace(c.Request().Context(), actor(c), id); err != nil {
		return err
	}
	tab := c.QueryParam("tab")
	switch tab {
	case "general", "licenses", "instances", "events":
	default:
		tab = "general"
	}
	return c.Redirect(http.StatusSeeOther, "/inventory/"+strconv.FormatInt(id, 10)+"/"+tab)
}

func (s *Server) general(c echo.Context) error {
	w, err := s.workspace(c)
	if err != nil {
		return err
	}
	ctx, a := c.Request().Context(), actor(c)
	facts, err := s.svc.Facts(ctx, a, w.VA.ID)
	if err != nil {
		return err
	}
	alerts, err := s.svc.VAAlerts(ctx, a, w.VA.ID)
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, views.General(views.GeneralProps{
		Inventory: s.inventoryHeader(c, "General", "general", w), Description: w.VA.Description,
		SLREnabled: w.SmartAccount.SLREnabled, Facts: facts, Alerts: alerts}))
}

func (s *Server) licenses(c echo.Context) error {
	w, err := s.workspace(c)
	if err != nil {
		return err
	}
	rows, err := s.svc.LicenseRows(c.Request().Context(), actor(c), w.VA.ID)
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, views.Licenses(views.LicensesProps{Inventory: s.inventoryHeader(c, "Licenses", "licenses", w), Rows: rows}))
}

func (s *Server) instances(c echo.Context) error {
	w, err := s.workspace(c)
	if err != nil {
		return err
	}
	q := c.QueryParam("q")
	// A page number that is not one (strconv.Atoi gives MaxInt for an
	// overlong one) shows the first page.
	page, err := strconv.Atoi(c.QueryParam("page"))
	if err != nil || page < 1 {
		page = 1
	}
	props := views.InstancesProps{Inventory: s.inventoryHeader(c, "Product Instances", "instances", w), Query: q, Page: page, PageSize: licensing.PageSize}
	res, err := s.svc.Instances(c.Request().Context(), actor(c), w.VA.ID, q, page)
	if msg, ok := userError(err); err != nil && ok {
		props.Error = msg
		if len(q) > licensing.MaxSearchLen {
			props.Query = q[:licensing.MaxSearchLen]
		}
		return s.render(c, http.StatusUnprocessableEntity, views.Instances(props))
	}
	if err != nil {
		return err
	}
	props.Instances, props.Total = res.Instances, res.Total
	return s.render(c, http.StatusOK, views.Instances(props))
}

func (s *Server) instance(c echo.Context) error {
	w, err := s.workspace(c)
	if err != nil {
		return err
	}
	piID, err := idParam(c, "pi")
	if err != nil {
		return err
	}
	d, err := s.svc.Instance(c.Request().Context(), actor(c), w.VA.ID, piID)
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, views.Instance(views.InstanceProps{Inventory: s.inventoryHeader(c, d.PI.Name(), "instances", w), Detail: d}))
}
