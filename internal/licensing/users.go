package licensing

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"golang.org/x/crypto/bcrypt"

	"slrportal/internal/access"
)

// Limits of the user access forms.
const (
	MinPasswordLen    = 8
	MaxPasswordLen    = 72 // bcrypt ignores anything longer
	MaxDisplayNameLen = 100
	MaxVANameLen      = 80
	MaxVADescLen      = 300
)

// RoleAssignment is one role of a user as the user access page shows it.
type RoleAssignment struct {
	Role   access.Role
	VAID   int64 // 0 for a smart account role
	VAName string
}

// Where names the scope of the role in plain words.
func (r RoleAssignment) Where() string {
	if r.VAID == 0 {
		return "the smart account"
	}
	return "virtual account " + r.VAName
}

// UserAccess is one user on the user access page with the roles the viewing
// administrator may see (and change).
type UserAccess struct {
	User  User // PasswordHash left empty
	Roles []RoleAssignment
	Self  bool
}

// UsersView is the user access page (/admin/users).
type UsersView struct {
	SmartAccount SmartAccount
	// SAAdmin: the actor administers the whole SA (any role, VAs, settings).
	SAAdmin bool
	// VAs are the virtual accounts whose user access the actor manages,
	// by name (all of the SA for an SA administrator).
	VAs []VirtualAccount
	// Roles are the roles the actor may give.
	Roles []access.Role
	Users []UserAccess
}

// CanManageUsers reports whether the actor reaches the user access page:
// an SA administrator, or a VA administrator of any VA of the actor's SA.
// It needs only the grants, so the layout can ask it on every page.
func (a Actor) CanManageUsers() bool {
	if a.Can(access.ManageSmartAccount, 0) {
		return true
	}
	for _, g := range a.Grants {
		if g.SmartAccountID == a.SAID && g.VirtualAccountID != 0 && a.Can(access.ManageVAUsers, g.VirtualAccountID) {
			return true
		}
	}
	return false
}

// userScope is what an actor may do on the user access page.
type userScope struct {
	saAdmin bool
	vas     []VirtualAccount // administered VAs, by name
	names   map[int64]string // every VA of the SA
}

func (sc userScope) va(id int64) (VirtualAccount, bool) {
	for _, va := range sc.vas {
		if va.ID == id {
			return va, true
		}
	}
	return VirtualAccount{}, false
}

// covers reports whether the actor may see and change the grant g.
func (sc userScope) covers(g access.Grant) bool {
	if sc.saAdmin {
		return true
	}
	if g.Role.SAScoped() {
		return false
	}
	_, ok := sc.va(g.VirtualAccountID)
	return ok
}

func (sc userScope) roles() []access.Role {
	if sc.saAdmin {
		return slices.Clone(access.Roles)
	}
	return []access.Role{access.VAAdmin, access.VAUser, access.VAViewer}
}

// userScope checks access.Can on every call: anyone who manages neither the SA
// nor the users of a VA gets ErrNotFound, as for a VA they may not see.
func (s *Service) userScope(ctx context.Context, r Repo, a Actor) (userScope, error) {
	sc := userScope{saAdmin: a.Can(access.ManageSmartAccount, 0), names: map[int64]string{}}
	all, err := r.VirtualAccounts(ctx, a.SAID)
	if err != nil {
		return sc, fmt.Errorf("users: %w", err)
	}
	for _, va := range all {
		sc.names[va.ID] = va.Name
		if sc.saAdmin || a.Can(access.ManageVAUsers, va.ID) {
			sc.vas = append(sc.vas, va)
		}
	}
	slices.SortFunc(sc.vas, func(x, y VirtualAccount) int { return cmp.Compare(x.Name, y.Name) })
	if !sc.saAdmin && len(sc.vas) == 0 {
		return sc, fmt.Errorf("users: %w", ErrNotFound)
	}
	return sc, nil
}

// grantFor checks that the actor may give or take role in vaID and returns
// the grant. Bad choices are messages; nothing is changed.
func (sc userScope) grantFor(saID int64, role access.Role, vaID int64) (access.Grant, RoleAssignment, error) {
	if _, err := access.ParseRole(string(role)); err != nil {
		return access.Grant{}, RoleAssignment{}, Invalid("role", "Choose a role.")
	}
	if role.SAScoped() {
		if !sc.saAdmin {
			return access.Grant{}, RoleAssignment{}, Invalid("role", "Only a Smart Account Administrator can give or take smart account roles.")
		}
		return access.Grant{Role: role, SmartAccountID: saID}, RoleAssignment{Role: role}, nil
	}
	va, ok := sc.va(vaID)
	if !ok {
		if sc.saAdmin {
			return access.Grant{}, RoleAssignment{}, Invalid("va", "Choose the virtual account for the %s role.", role.Title())
		}
		return access.Grant{}, RoleAssignment{}, Invalid("va", "Choose a virtual account that you administer for the %s role.", role.Title())
	}
	return access.Grant{Role: role, SmartAccountID: saID, VirtualAccountID: va.ID}, RoleAssignment{Role: role, VAID: va.ID, VAName: va.Name}, nil
}

// visibleUser loads a user the actor may manage: for an SA administrator
// anyone listed on the page, for a VA administrator a user with a role in
// one of their VAs. Anyone else is ErrNotFound.
func (s *Service) visibleUser(ctx context.Context, r Repo, a Actor, sc userScope, userID int64) (User, []access.Grant, error) {
	u, err := r.User(ctx, userID)
	if err != nil {
		return User{}, nil, fmt.Errorf("user %d: %w", userID, err)
	}
	gs, err := r.Grants(ctx, userID)
	if err != nil {
		return User{}, nil, fmt.Errorf("user %d: %w", userID, err)
	}
	visible := sc.saAdmin && len(gs) == 0
	for _, g := range gs {
		if g.SmartAccountID == a.SAID && sc.covers(g) {
			visible = true
		}
	}
	if !visible {
		return User{}, nil, fmt.Errorf("user %d: %w", userID, ErrNotFound)
	}
	return u, gs, nil
}

// Users loads the user access page.
func (s *Service) Users(ctx context.Context, a Actor) (UsersView, error) {
	sc, err := s.userScope(ctx, s.store, a)
	if err != nil {
		return UsersView{}, err
	}
	v := UsersView{SAAdmin: sc.saAdmin, VAs: sc.vas, Roles: sc.roles()}
	if v.SmartAccount, err = s.store.SmartAccount(ctx, a.SAID); err != nil {
		return v, fmt.Errorf("users: %w", err)
	}
	us, err := s.store.UsersOfSA(ctx, a.SAID)
	if err != nil {
		return v, fmt.Errorf("users: %w", err)
	}
	for _, u := range us {
		gs, err := s.store.Grants(ctx, u.ID)
		if err != nil {
			return v, fmt.Errorf("users: %w", err)
		}
		ua := UserAccess{User: u, Self: u.ID == a.User.ID}
		ua.User.PasswordHash = nil
		for _, g := range gs {
			if g.SmartAccountID == a.SAID && sc.covers(g) {
				ua.Roles = append(ua.Roles, RoleAssignment{Role: g.Role, VAID: g.VirtualAccountID, VAName: sc.names[g.VirtualAccountID]})
			}
		}
		// A VA administrator sees only the users of their VAs; an SA
		// administrator also sees users left without any role.
		if len(ua.Roles) == 0 && !(sc.saAdmin && len(gs) == 0) {
			continue
		}
		slices.SortStableFunc(ua.Roles, func(x, y RoleAssignment) int {
			if c := cmp.Compare(x.VAName, y.VAName); c != 0 {
				return c
			}
			return cmp.Compare(slices.Index(access.Roles, x.Role), slices.Index(access.Roles, y.Role))
		})
		v.Users = append(v.Users, ua)
	}
	return v, nil
}

// NewUserInput is the Add User form.
type NewUserInput struct {
	Username    string
	DisplayName string
	Password    string
	Role        access.Role
	VAID        int64
}

// AddUser creates a user with a first role. SA administrators may give any
// role; VA administrators only VA roles in the VAs they administer.
func (s *Service) AddUser(ctx context.Context, a Actor, in NewUserInput) (User, RoleAssignment, error) {
	sc, err := s.userScope(ctx, s.store, a)
	if err != nil {
		return User{}, RoleAssignment{}, err
	}
	in.Username, in.DisplayName = strings.TrimSpace(in.Username), strings.TrimSpace(in.DisplayName)
	if !validUsername(in.Username) {
		return User{}, RoleAssignment{}, Invalid("username", "Enter a username of 1 to 64 characters: letters, digits, '.', '_', '-' or '@'.")
	}
	if utf8.RuneCountInString(in.DisplayName) > MaxDisplayNameLen || !printable(in.DisplayName) {
		return User{}, RoleAssignment{}, Invalid("display_name", "Enter a display name of at most %d characters.", MaxDisplayNameLen)
	}
	if len(in.Password) < MinPasswordLen || len(in.Password) > MaxPasswordLen {
		return User{}, RoleAssignment{}, Invalid("password", "Enter an initial password of %d to %d bytes.", MinPasswordLen, MaxPasswordLen)
	}
	g, ra, err := sc.grantFor(a.SAID, in.Role, in.VAID)
	if err != nil {
		return User{}, RoleAssignment{}, err
	}
	// bcrypt is slow on purpose: hash before the transaction.
	hash, err := bcrypt.GenerateFromPassword([]byte(in.Password), bcrypt.DefaultCost)
	if err != nil {
		return User{}, RoleAssignment{}, fmt.Errorf("add user: %w", err)
	}
	u := User{Username: in.Username, DisplayName: in.DisplayName, PasswordHash: hash}
	taken := Invalid("username", "A user named %s already exists. Choose another username, or grant the existing user a role.", in.Username)
	err = s.store.InTx(ctx, func(tx Repo) error {
		if _, err := tx.UserByUsername(ctx, u.Username); err == nil {
			return taken
		} else if !errors.Is(err, ErrNotFound) {
			return fmt.Errorf("add user: %w", err)
		}
		if err := tx.CreateUser(ctx, &u); errors.Is(err, ErrConflict) {
			return taken
		} else if err != nil {
			return fmt.Errorf("add user: %w", err)
		}
		if err := tx.AddGrant(ctx, u.ID, g); err != nil {
			return fmt.Errorf("add user: %w", err)
		}
		name := u.Username
		if u.DisplayName != "" {
			name += " (" + u.DisplayName + ")"
		}
		_, err := AppendEvent(ctx, tx, Event{At: s.now(), SAID: a.SAID, VAID: g.VirtualAccountID, UserID: a.User.ID, Username: a.User.Username,
			Type:    EventUserCreated,
			Message: fmt.Sprintf("User %s created with the role %s in %s", name, ra.Role.Title(), ra.Where()),
			Details: "Role: " + string(ra.Role)})
		return err
	})
	if err != nil {
		return User{}, RoleAssignment{}, err
	}
	u.PasswordHash = nil
	return u, ra, nil
}

// GrantRole gives a user one more role, within the actor's scope.
func (s *Service) GrantRole(ctx context.Context, a Actor, userID int64, role access.Role, vaID int64) (User, RoleAssignment, error) {
	var u User
	var ra RoleAssignment
	err := s.store.InTx(ctx, func(tx Repo) error {
		sc, err := s.userScope(ctx, tx, a)
		if err != nil {
			return err
		}
		var gs []access.Grant
		if u, gs, err = s.visibleUser(ctx, tx, a, sc, userID); err != nil {
			return err
		}
		var g access.Grant
		if g, ra, err = sc.grantFor(a.SAID, role, vaID); err != nil {
			return err
		}
		if slices.Contains(gs, g) {
			return Invalid("role", "User %s already has the role %s in %s.", u.Username, ra.Role.Title(), ra.Where())
		}
		if err := tx.AddGrant(ctx, u.ID, g); err != nil {
			return fmt.Errorf("grant role: %w", err)
		}
		_, err = AppendEvent(ctx, tx, Event{At: s.now(), SAID: a.SAID, VAID: g.VirtualAccountID, UserID: a.User.ID, Username: a.User.Username,
			Type:    EventRoleGranted,
			Message: fmt.Sprintf("Role %s in %s granted to user %s", ra.Role.Title(), ra.Where(), u.Username),
			Details: "Role: " + string(ra.Role)})
		return err
	})
	if err != nil {
		return User{}, RoleAssignment{}, err
	}
	u.PasswordHash = nil
	return u, ra, nil
}

// RevokeRole takes one role from a user, within the actor's scope. An
// administrator cannot take their own Smart Account Administrator role, so
// the smart account always keeps one.
func (s *Service) RevokeRole(ctx context.Context, a Actor, userID int64, role access.Role, vaID int64) (User, RoleAssignment, error) {
	var u User
	var ra RoleAssignment
	err := s.store.InTx(ctx, func(tx Repo) error {
		sc, err := s.userScope(ctx, tx, a)
		if err != nil {
			return err
		}
		var gs []access.Grant
		if u, gs, err = s.visibleUser(ctx, tx, a, sc, userID); err != nil {
			return err
		}
		var g access.Grant
		if g, ra, err = sc.grantFor(a.SAID, role, vaID); err != nil {
			return err
		}
		if !slices.Contains(gs, g) {
			return Invalid("role", "User %s does not have the role %s in %s (it may have been revoked already).", u.Username, ra.Role.Title(), ra.Where())
		}
		if u.ID == a.User.ID && g.Role == access.SAAdmin {
			return Invalid("role", "You cannot revoke your own Smart Account Administrator role: the smart account would lose you as its administrator. Ask another Smart Account Administrator to do it.")
		}
		if err := tx.RemoveGrant(ctx, u.ID, g); err != nil {
			return fmt.Errorf("revoke role: %w", err)
		}
		_, err = AppendEvent(ctx, tx, Event{At: s.now(), SAID: a.SAID, VAID: g.VirtualAccountID, UserID: a.User.ID, Username: a.User.Username,
			Type:    EventRoleRevoked,
			Message: fmt.Sprintf("Role %s in %s revoked from user %s", ra.Role.Title(), ra.Where(), u.Username),
			Details: "Role: " + string(ra.Role)})
		return err
	})
	if err != nil {
		return User{}, RoleAssignment{}, err
	}
	u.PasswordHash = nil
	return u, ra, nil
}

// CreateVirtualAccount adds a VA to the actor's SA (SA administrators only).
// Names are unique in the SA regardless of case.
func (s *Service) CreateVirtualAccount(ctx context.Context, a Actor, name, description string) (VirtualAccount, error) {
	if !a.Can(access.ManageSmartAccount, 0) {
		return VirtualAccount{}, fmt.Errorf("create virtual account: %w", ErrNotFound)
	}
	name, description = strings.TrimSpace(name), strings.TrimSpace(description)
	if name == "" || utf8.RuneCountInString(name) > MaxVANameLen || !printable(name) {
		return VirtualAccount{}, Invalid("name", "Enter a virtual account name of 1 to %d characters.", MaxVANameLen)
	}
	if utf8.RuneCountInString(description) > MaxVADescLen || !printable(description) {
		return VirtualAccount{}, Invalid("description", "Enter a description of at most %d characters on one line.", MaxVADescLen)
	}
	va := VirtualAccount{SmartAccountID: a.SAID, Name: name, Description: description}
	taken := Invalid("name", "A virtual account named %s already exists in this smart account. Choose another name.", name)
	err := s.store.InTx(ctx, func(tx Repo) error {
		vas, err := tx.VirtualAccounts(ctx, a.SAID)
		if err != nil {
			return fmt.Errorf("create virtual account: %w", err)
		}
		for _, other := range vas {
			if strings.EqualFold(other.Name, name) {
				return taken
			}
		}
		if err := tx.CreateVirtualAccount(ctx, &va); errors.Is(err, ErrConflict) {
			return taken
		} else if err != nil {
			return fmt.Errorf("create virtual account: %w", err)
		}
		msg := fmt.Sprintf("Virtual account %s created", va.Name)
		_, err = AppendEvent(ctx, tx, Event{At: s.now(), SAID: a.SAID, VAID: va.ID, UserID: a.User.ID, Username: a.User.Username,
			Type: EventVACreated, Message: msg, Details: description})
		return err
	})
	if err != nil {
		return VirtualAccount{}, err
	}
	return va, nil
}
