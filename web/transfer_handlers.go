package web

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"slrportal/internal/licensing"
	"slrportal/web/views"
)

func (s *Server) transferProps(c echo.Context) (views.PIActionProps, error) {
	w, pi, inv, err := s.piActionProps(c, "Transfer Product Instance")
	if err != nil {
		return views.PIActionProps{}, err
	}
	targets, err := s.svc.TransferTargets(c.Request().Context(), actor(c), w.VA.ID)
	if err != nil {
		return views.PIActionProps{}, err
	}
	return views.PIActionProps{Inventory: inv, Modal: isModal(c), PI: pi, Targets: targets}, nil
}

func (s *Server) transferForm(c echo.Context) error {
	p, err := s.transferProps(c)
	if err != nil {
		return err
	}
	if p.PI.Status != licensing.StatusReserved {
		p.Error = "Only a product instance in status Reserved can be transferred; this one is " + string(p.PI.Status) + "."
		p.Targets = nil
		return s.render(c, http.StatusUnprocessableEntity, views.TransferInstance(p))
	}
	return s.render(c, http.StatusOK, views.TransferInstance(p))
}

// transfer moves the PI; the service checks manage rights in both VAs.
func (s *Server) transfer(c echo.Context) error {
	p, err := s.transferProps(c)
	if err != nil {
		return s.alreadyDone(c, err)
	}
	p.Value = strings.TrimSpace(c.FormValue("target_va"))
	target, _ := strconv.ParseInt(p.Value, 10, 64)
	res, err := s.svc.TransferInstance(c.Request().Context(), actor(c), p.VAID, p.PI.ID, target)
	if err != nil {
		msg, ok := userError(err)
		if !ok {
			return err
		}
		p.Error = msg
		return s.render(c, http.StatusUnprocessableEntity, views.TransferInstance(p))
	}
	s.flash(c, "Product instance "+res.PI.UDIString()+" was transferred to virtual account "+res.Target.Name+" with its reserved licenses.")
	return s.seeOther(c, "/inventory/"+strconv.FormatInt(p.VAID, 10)+"/instances")
}

func (s *Server) licenseTransferProps(c echo.Context) (views.LicenseTransferProps, error) {
	w, err := s.workspace(c)
	if err != nil {
		return views.LicenseTransferProps{}, err
	}
	id, err := idParam(c, "license")
	if err != nil {
		return views.LicenseTransferProps{}, err
	}
	ctx, a := c.Request().Context(), actor(c)
	l, err := s.svc.TransferLicenseForm(ctx, a, w.VA.ID, id)
	if err != nil {
		return views.LicenseTransferProps{}, err
	}
	targets, err := s.svc.TransferTargets(ctx, a, w.VA.ID)
	if err != nil {
		return views.LicenseTransferProps{}, err
	}
	return views.LicenseTransferProps{Inventory: s.inventoryHeader(c, "Transfer Licenses", "licenses", w), Modal: isModal(c),
		License: l, Targets: targets, Quantity: "1", Token: randomToken()}, nil
}

func (s *Server) licenseTransferForm(c echo.Context) error {
	p, err := s.licenseTransferProps(c)
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, views.TransferLicenses(p))
}

func (s *Server) licenseTransfer(c echo.Context) error {
	p, err := s.licenseTransferProps(c)
	if err != nil {
		return err
	}
	p.TargetVA, p.Quantity = strings.TrimSpace(c.FormValue("target_va")), strings.TrimSpace(c.FormValue("quantity"))
	if t := c.FormValue("token"); t != "" {
		p.Token = t
	}
	target, _ := strconv.ParseInt(p.TargetVA, 10, 64)
	qty, err := strconv.Atoi(p.Quantity)
	if err != nil {
		qty = 0 // refused by the service with a message
	}
	res, err := s.svc.TransferLicenses(c.Request().Context(), actor(c), p.VAID, p.License.ID, target, qty, p.Token)
	if err != nil {
		msg, ok := userError(err)
		if !ok {
			return err
		}
		p.Error = msg
		return s.render(c, http.StatusUnprocessableEntity, views.TransferLicenses(p))
	}
	if res.Quantity > 0 {
		s.flash(c, strconv.Itoa(res.Quantity)+" × "+res.License.DisplayName+" transferred to virtual account "+res.Target.Name+".")
	}
	return s.seeOther(c, "/inventory/"+strconv.FormatInt(p.VAID, 10)+"/licenses")
}
