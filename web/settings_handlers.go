package web

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"slrportal/internal/licensing"
	"slrportal/web/views"
)

// settingsProps loads the settings page; anyone but an SA administrator
// gets 404 from the service, on every request.
func (s *Server) settingsProps(c echo.Context) (views.SettingsProps, error) {
	v, err := s.svc.Settings(c.Request().Context(), actor(c))
	if err != nil {
		return views.SettingsProps{}, err
	}
	w := licensing.Workspace{SmartAccount: v.SmartAccount, CanAdmin: true}
	p := views.SettingsProps{Layout: s.layout(c, "Settings", "admin", w), View: v,
		Deposit: views.DepositForm{Token: randomToken(), Quantity: "1"}}
	if len(v.VAs) > 0 {
		p.Deposit.VAID = v.VAs[0].ID
		for _, va := range v.VAs {
			if va.Default {
				p.Deposit.VAID = va.ID
			}
		}
	}
	return p, nil
}

func (s *Server) settings(c echo.Context) error {
	p, err := s.settingsProps(c)
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, views.Settings(p))
}

// saveSettings turns SLR on or off.
func (s *Server) saveSettings(c echo.Context) error {
	p, err := s.settingsProps(c)
	if err != nil {
		return err
	}
	enabled := c.FormValue("slr_enabled") != ""
	if err := s.svc.SetSLREnabled(c.Request().Context(), actor(c), enabled); err != nil {
		msg, ok := userError(err)
		if !ok {
			return err
		}
		p.Error = msg
		return s.render(c, http.StatusUnprocessableEntity, views.Settings(p))
	}
	if enabled {
		s.flash(c, "Specific License Reservation is enabled for this Smart Account.")
	} else {
		s.flash(c, "Specific License Reservation is disabled for this Smart Account: reserve, rehost and update are refused until it is enabled again.")
	}
	return s.seeOther(c, "/admin/settings")
}

// deposit adds purchased licenses to a VA.
func (s *Server) deposit(c echo.Context) error {
	p, err := s.settingsProps(c)
	if err != nil {
		return err
	}
	f := views.DepositForm{Tag: c.FormValue("tag"), DisplayName: c.FormValue("display_name"), Family: c.FormValue("family"),
		Type: c.FormValue("type"), EndDate: c.FormValue("end_date"), Quantity: strings.TrimSpace(c.FormValue("quantity")), Token: c.FormValue("token")}
	f.VAID, _ = strconv.ParseInt(c.FormValue("va"), 10, 64)
	if l := c.FormValue("license"); l != "new" && l != "" {
		f.LicenseID, _ = strconv.ParseInt(l, 10, 64)
		if f.LicenseID <= 0 {
			f.LicenseID = -1 // not a license: the service refuses it
		}
	}
	in := licensing.DepositInput{VAID: f.VAID, LicenseID: f.LicenseID, Tag: f.Tag, DisplayName: f.DisplayName, Family: f.Family,
		Type: licensing.LicenseType(f.Type), EndDate: f.EndDate}
	qty, qerr := strconv.Atoi(f.Quantity)
	if qerr != nil {
		qty = 0
	}
	in.Quantity = qty
	l, err := s.svc.Deposit(c.Request().Context(), actor(c), in, f.Token)
	if err != nil {
		msg, ok := userError(err)
		if !ok {
			return err
		}
		f.Error = msg
		p.Deposit = f
		if f.Token == "" {
			p.Deposit.Token = randomToken()
		}
		return s.render(c, http.StatusUnprocessableEntity, views.Settings(p))
	}
	s.flash(c, strconv.Itoa(qty)+" × "+l.DisplayName+" deposited; the virtual account now has "+strconv.Itoa(l.Purchased)+" purchased.")
	return s.seeOther(c, "/admin/settings")
}
