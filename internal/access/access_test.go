package access

import (
	"fmt"
	"testing"
)

// TestCanExhaustive walks every role × action × scope and compares with the
// table of DESIGN §3.1, written out here a second time on purpose.
func TestCanExhaustive(t *testing.T) {
	const sa, otherSA, va, otherVA = 1, 2, 10, 11
	want := map[Role]map[Action]bool{
		SAAdmin:  {View: true, ManageAssets: true, ManageVAUsers: true, ManageSmartAccount: true, ViewSmartAccountLog: true},
		SAUser:   {View: true, ManageAssets: true},
		SAViewer: {View: true},
		VAAdmin:  {View: true, ManageAssets: true, ManageVAUsers: true},
		VAUser:   {View: true, ManageAssets: true},
		VAViewer: {View: true},
	}
	actions := []Action{View, ManageAssets, ManageVAUsers, ManageSmartAccount, ViewSmartAccountLog}
	for _, r := range Roles {
		g := Grant{Role: r, SmartAccountID: sa}
		if !r.SAScoped() {
			g.VirtualAccountID = va
		}
		grants := []Grant{g}
		for _, a := range actions {
			type scope struct {
				name     string
				sa, va   int64
				expected bool
			}
			saLevel := a == ManageSmartAccount || a == ViewSmartAccountLog
			scopes := []scope{
				{"own VA", sa, va, want[r][a] && (r.SAScoped() || !saLevel)},
				{"other VA", sa, otherVA, want[r][a] && r.SAScoped()},
				{"SA level", sa, 0, want[r][a] && r.SAScoped()},
				{"other SA", otherSA, va, false},
			}
			for _, s := range scopes {
				t.Run(fmt.Sprintf("%s/%s/%s", r, a, s.name), func(t *testing.T) {
					if got := Can(grants, a, s.sa, s.va); got != s.expected {
						t.Fatalf("Can(%s, %s, sa=%d, va=%d) = %v, want %v", r, a, s.sa, s.va, got, s.expected)
					}
				})
			}
		}
	}
}

func TestCanCombinesGrants(t *testing.T) {
	grants := []Grant{
		{Role: VAViewer, SmartAccountID: 1, VirtualAccountID: 10},
		{Role: VAUser, SmartAccountID: 1, VirtualAccountID: 11},
	}
	if Can(grants, ManageAssets, 1, 10) {
		t.Error("viewer grant in VA 10 must not manage")
	}
	if !Can(grants, ManageAssets, 1, 11) {
		t.Error("user grant in VA 11 must manage")
	}
	if got := Visible(grants, 1, []int64{10, 11, 12}); fmt.Sprint(got) != "[10 11]" {
		t.Errorf("Visible = %v, want [10 11]", got)
	}
	if CanSeeAllVAs(grants, 1) {
		t.Error("VA roles do not see all VAs")
	}
	if Can(nil, View, 1, 10) {
		t.Error("no grants, no access")
	}
}

func TestParseRole(t *testing.T) {
	for _, r := range Roles {
		got, err := ParseRole(string(r))
		if err != nil || got != r {
			t.Errorf("ParseRole(%q) = %q, %v", r, got, err)
		}
		if r.Title() == string(r) {
			t.Errorf("role %s has no title", r)
		}
	}
	if _, err := ParseRole("sa_admin"); err == nil {
		t.Error("ParseRole accepts lower case")
	}
}
