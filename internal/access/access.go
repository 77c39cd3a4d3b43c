// Package access holds the six roles of a smart account and the permission
// policy. It is pure: callers load a user's grants and ask here whether an
// action in a virtual account is allowed. The web layer asks on every request,
// so a role change takes effect on the next one.
package access

import (
	"fmt"
	"slices"
)

// Role is one of the six roles of DESIGN §3.1.
type Role string

const (
	SAAdmin  Role = "SA_ADMIN"
	SAUser   Role = "SA_USER"
	SAViewer Role = "SA_VIEWER"
	VAAdmin  Role = "VA_ADMIN"
	VAUser   Role = "VA_USER"
	VAViewer Role = "VA_VIEWER"
)

// Roles lists every role, strongest first.
var Roles = []Role{SAAdmin, SAUser, SAViewer, VAAdmin, VAUser, VAViewer}

// ParseRole accepts the import-file spelling of a role.
func ParseRole(s string) (Role, error) {
	r := Role(s)
	if slices.Contains(Roles, r) {
		return r, nil
	}
	return "", fmt.Errorf("unknown role %q (want one of SA_ADMIN, SA_USER, SA_VIEWER, VA_ADMIN, VA_USER, VA_VIEWER)", s)
}

// Title is the role's name as the portal shows it.
func (r Role) Title() string {
	switch r {
	case SAAdmin:
		return "Smart Account Administrator"
	case SAUser:
		return "Smart Account User"
	case SAViewer:
		return "Smart Account Viewer"
	case VAAdmin:
		return "Virtual Account Administrator"
	case VAUser:
		return "Virtual Account User"
	case VAViewer:
		return "Virtual Account Viewer"
	}
	return string(r)
}

// SAScoped reports whether the role covers a whole smart account.
func (r Role) SAScoped() bool { return r == SAAdmin || r == SAUser || r == SAViewer }

// Grant is one role assignment. VirtualAccountID is zero for SA-scoped roles.
type Grant struct {
	Role             Role
	SmartAccountID   int64
	VirtualAccountID int64
}

// Action is something a user may try to do.
type Action int

const (
	// View lets a user see a virtual account and everything in it.
	View Action = iota
	// ManageAssets covers reserve, rehost, update, confirm, remove,
	// transfer and downloading authorization codes.
	ManageAssets
	// ManageVAUsers is user access within a virtual account.
	ManageVAUsers
	// ManageSmartAccount is SA settings, creating VAs, depositing licenses
	// and SA-wide user access; only SA administrators have it.
	ManageSmartAccount
	// ViewSmartAccountLog is the SA-level activity (failed sign-ins,
	// settings changes, integrity check).
	ViewSmartAccountLog
)

func (a Action) String() string {
	switch a {
	case View:
		return "view"
	case ManageAssets:
		return "manage assets"
	case ManageVAUsers:
		return "manage virtual account users"
	case ManageSmartAccount:
		return "manage smart account"
	case ViewSmartAccountLog:
		return "view smart account log"
	}
	return fmt.Sprintf("action(%d)", int(a))
}

// roleAllows is the table of DESIGN §3.1.
func roleAllows(r Role, a Action) bool {
	switch a {
	case View:
		return true
	case ManageAssets:
		return r == SAAdmin || r == SAUser || r == VAAdmin || r == VAUser
	case ManageVAUsers:
		return r == SAAdmin || r == VAAdmin
	case ManageSmartAccount, ViewSmartAccountLog:
		return r == SAAdmin
	}
	return false
}

// Can reports whether grants allow action in virtual account vaID of smart
// account saID. For SA-level actions pass vaID 0.
func Can(grants []Grant, action Action, saID, vaID int64) bool {
	for _, g := range grants {
		if g.SmartAccountID != saID {
			continue
		}
		if g.Role.SAScoped() {
			if roleAllows(g.Role, action) {
				return true
			}
			continue
		}
		// VA roles never grant SA-level actions, and only in their VA.
		if vaID == 0 || g.VirtualAccountID != vaID || action == ManageSmartAccount || action == ViewSmartAccountLog {
			continue
		}
		if roleAllows(g.Role, action) {
			return true
		}
	}
	return false
}

// CanSeeAllVAs reports whether the user has an SA-scoped role in saID.
func CanSeeAllVAs(grants []Grant, saID int64) bool {
	for _, g := range grants {
		if g.SmartAccountID == saID && g.Role.SAScoped() {
			return true
		}
	}
	return false
}

// Visible filters vaIDs of smart account saID down to those the user may see.
func Visible(grants []Grant, saID int64, vaIDs []int64) []int64 {
	out := make([]int64, 0, len(vaIDs))
	for _, id := range vaIDs {
		if Can(grants, View, saID, id) {
			out = append(out, id)
		}
	}
	return out
}

// SmartAccounts lists the smart accounts the grants touch, in grant order
// without repeats.
func SmartAccounts(grants []Grant) []int64 {
	var out []int64
	for _, g := range grants {
		if !slices.Contains(out, g.SmartAccountID) {
			out = append(out, g.SmartAccountID)
		}
	}
	return out
}
