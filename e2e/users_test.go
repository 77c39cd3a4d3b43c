package e2e

import (
	"strconv"
	"testing"

	"github.com/chromedp/chromedp"
)

// selectByText picks the option of a select whose text is want.
func (b *tab) selectByText(id, want string) {
	b.t.Helper()
	got := eval[string](b, `(() => { const s = document.getElementById(`+strconv.Quote(id)+`);
		for (const o of s.options) if (o.text.trim() === `+strconv.Quote(want)+`) { s.value = o.value; return o.text.trim(); }
		return ''; })()`)
	if got != want {
		b.t.Fatalf("#%s has no option %q", id, want)
	}
}

// TestUserAccessJourney: an SA administrator reaches User Access from the
// Admin tab, adds a user with a VA role and is told when a username is
// taken; the new user signs in and sees that VA only.
func TestUserAccessJourney(t *testing.T) {
	b := newTab(t, tabOptions{})
	b.login("admin")
	b.follow("Admin tab", chromedp.Click(chromedp.Search(`//nav[@aria-label="Main"]//a[normalize-space()="Admin"]`)))
	b.wantH1("Admin: Smart Account Settings")
	b.follow("Users", chromedp.Click(chromedp.Search(`//nav[@aria-label="Admin"]//a[normalize-space()="Users"]`)))
	b.wantH1("Admin: User Access")
	b.a11y("user access")
	b.contains("#users", "vaviewer", "Virtual Account Viewer", "Data Center")
	b.shot("users")

	add := func(username string) {
		b.do("fill Add User",
			chromedp.SendKeys(chromedp.ID("new-username"), username),
			chromedp.SendKeys(chromedp.ID("new-display-name"), "Carol Net"),
			chromedp.SendKeys(chromedp.ID("new-password"), "carol-secret"))
		b.selectByText("new-role", "Virtual Account User")
		b.selectByText("new-va", "Data Center")
	}
	add("carol")
	b.follow("Add User", chromedp.Click(chromedp.CSS(`form[action="/admin/users"] button[type=submit]`)))
	b.wantH1("Admin: User Access")
	b.contains("[role=status]", "User carol was added with the role Virtual Account User in virtual account Data Center")
	b.contains("#users", "Carol Net")

	add("carol")
	b.followStatus("Add User again", 422, chromedp.Click(chromedp.CSS(`form[action="/admin/users"] button[type=submit]`)))
	b.contains("[role=alert]", "A user named carol already exists")
	b.a11y("user access with an error")
	b.shot("duplicate")

	// The same browser signs out and in as carol (a new tab would be a
	// new portal).
	b.follow("sign out", chromedp.Click(chromedp.CSS(`form[action="/logout"] button[type=submit]`)))
	c := b
	c.open("/login")
	c.do("sign in as carol",
		chromedp.SendKeys(chromedp.ID("username"), "carol"),
		chromedp.SendKeys(chromedp.ID("password"), "carol-secret"))
	c.follow("sign in", chromedp.Click(chromedp.CSS(`form[action="/login"] button[type=submit]`)))
	c.wantH1("Inventory: Data Center")
	if n := eval[int](c, `document.querySelectorAll('#va-select option').length`); n != 1 {
		t.Errorf("carol's VA selector has %d entries, want 1", n)
	}
}

// TestVAAdministratorReachesUsers: the Admin tab of a VA administrator
// opens User Access for their VA, without Settings.
func TestVAAdministratorReachesUsers(t *testing.T) {
	b := newTab(t, tabOptions{noJS: true})
	b.login("vaadmin")
	b.follow("Admin tab", chromedp.Click(chromedp.Search(`//nav[@aria-label="Main"]//a[normalize-space()="Admin"]`)))
	b.wantH1("Admin: User Access")
	b.a11y("user access (VA admin)")
	if n := eval[int](b, `document.querySelectorAll('nav[aria-label="Admin"] a[href="/admin/settings"]').length`); n != 0 {
		t.Error("a VA administrator sees the Settings link")
	}
	b.contains("#users", "vauser", "Campus")
	b.shot("va-admin")
}
