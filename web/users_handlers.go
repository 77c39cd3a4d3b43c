package web

import (
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"slrportal/internal/access"
	"slrportal/internal/licensing"
	"slrportal/web/views"
)

// usersProps loads the user access page; anyone who administers neither
// the SA nor a VA gets 404 from the service, on every request.
func (s *Server) usersProps(c echo.Context) (views.UsersProps, error) {
	v, err := s.svc.Users(c.Request().Context(), actor(c))
	if err != nil {
		return views.UsersProps{}, err
	}
	w := licensing.Workspace{SmartAccount: v.SmartAccount, CanAdmin: v.SAAdmin}
	p := views.UsersProps{Layout: s.layout(c, "User Access", "admin", w), View: v}
	p.Add.Role = string(access.VAUser)
	for i, va := range v.VAs {
		if i == 0 || va.Default {
			p.Add.VAID = va.ID
		}
	}
	return p, nil
}

func (s *Server) users(c echo.Context) error {
	p, err := s.usersProps(c)
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, views.Users(p))
}

// optionalID reads an optional id field; anything unparsable is -1, which no
// virtual account has, so the service refuses it with a message.
func optionalID(c echo.Context, name string) int64 {
	v := c.FormValue(name)
	if v == "" {
		return 0
	}
	id, err := strconv.ParseInt(v, 10, 64)
	if err != nil || id < 0 {
		return -1
	}
	return id
}

// usersRefused re-renders the page with a user-facing message (422), or passes
// on errors that have none (404, 500).
func (s *Server) usersRefused(c echo.Context, err error, p views.UsersProps, set func(*views.UsersProps, string)) error {
	msg, ok := userError(err)
	if !ok {
		return err
	}
	set(&p, msg)
	return s.render(c, http.StatusUnprocessableEntity, views.Users(p))
}

// addUser creates a user with a first role.
func (s *Server) addUser(c echo.Context) error {
	p, err := s.usersProps(c)
	if err != nil {
		return err
	}
	f := views.NewUserForm{Username: c.FormValue("username"), DisplayName: c.FormValue("display_name"), Role: c.FormValue("role"), VAID: optionalID(c, "va")}
	in := licensing.NewUserInput{Username: f.Username, DisplayName: f.DisplayName, Password: c.FormValue("password"),
		Role: access.Role(f.Role), VAID: f.VAID}
	u, ra, err := s.svc.AddUser(c.Request().Context(), actor(c), in)
	if err != nil {
		return s.usersRefused(c, err, p, func(p *views.UsersProps, msg string) { f.Error = msg; p.Add = f })
	}
	s.flash(c, "User "+u.Username+" was added with the role "+ra.Role.Title()+" in "+ra.Where()+".")
	return s.seeOther(c, "/admin/users")
}

// roleChange is a grant or a revoke of one role of the user in the path.
func (s *Server) roleChange(c echo.Context, revoke bool) error {
	p, err := s.usersProps(c)
	if err != nil {
		return err
	}
	userID, err := idParam(c, "id")
	if err != nil {
		return err
	}
	f := views.RoleForm{UserID: userID, Role: c.FormValue("role"), VAID: optionalID(c, "va")}
	change, done := s.svc.GrantRole, "granted to"
	if revoke {
		change, done = s.svc.RevokeRole, "revoked from"
	}
	u, ra, err := change(c.Request().Context(), actor(c), userID, access.Role(f.Role), f.VAID)
	if err != nil {
		return s.usersRefused(c, err, p, func(p *views.UsersProps, msg string) { f.Error = msg; p.Grant = f })
	}
	s.flash(c, "The role "+ra.Role.Title()+" in "+ra.Where()+" was "+done+" user "+u.Username+". It takes effect on their next request.")
	return s.seeOther(c, "/admin/users")
}

func (s *Server) grantRole(c echo.Context) error  { return s.roleChange(c, false) }
func (s *Server) revokeRole(c echo.Context) error { return s.roleChange(c, true) }

// createVA adds a virtual account (SA administrators only; the service
// answers 404 to anyone else).
func (s *Server) createVA(c echo.Context) error {
	p, err := s.usersProps(c)
	if err != nil {
		return err
	}
	f := views.NewVAForm{Name: c.FormValue("name"), Description: c.FormValue("description")}
	va, err := s.svc.CreateVirtualAccount(c.Request().Context(), actor(c), f.Name, f.Description)
	if err != nil {
		return s.usersRefused(c, err, p, func(p *views.UsersProps, msg string) { f.Error = msg; p.VA = f })
	}
	s.flash(c, "Virtual account "+va.Name+" was created. Grant users roles in it below.")
	return s.seeOther(c, "/admin/users")
}
