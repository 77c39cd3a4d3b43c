package e2e

import (
	"net/http"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// A Smart Account Viewer sees the product instances but no Actions menu,
// and the wizard's URL refuses them.
func TestViewerHasNoActions(t *testing.T) {
	b := newTab(t, tabOptions{})
	b.login("saviewer")
	b.subtab("Product Instances")
	b.a11y("instances as viewer")
	if n := eval[int](b, `document.querySelectorAll('#instances tbody tr').length`); n == 0 {
		t.Fatal("the viewer sees no product instances")
	}
	if n := eval[int](b, `document.querySelectorAll('details.actions-menu, a[href$="/rehost"], a[href$="/remove"]').length`); n != 0 {
		t.Errorf("the viewer sees %d Actions menus or action links", n)
	}
	b.shot("instances-viewer")

	// The detail page of one instance: no Actions either.
	b.follow("open sw-campus-a01", chromedp.Click(chromedp.Search(rowXPath("FCW2134L0001")+"/td[1]/a")))
	b.a11y("instance page as viewer")
	if n := eval[int](b, `document.querySelectorAll('details.actions-menu').length`); n != 0 {
		t.Errorf("the viewer sees an Actions menu on the instance page")
	}
	// Typing the wizard's URL is refused by the server, not only hidden.
	b.followStatus("open the wizard as a viewer", http.StatusForbidden, chromedp.Navigate(b.base+b.path()+"/rehost"))
	b.wantH1("Not allowed")
	b.a11y("refusal page")
}

// The basics on every page a user of Campus visits, and the dialog's
// keyboard behaviour: focus moves into it, Escape closes it and focus
// returns to the Actions menu that opened it.
func TestAccessibilityBasics(t *testing.T) {
	b := newTab(t, tabOptions{})
	b.login("vaadmin")
	b.a11y("general")
	for _, tab := range []string{"Licenses", "Product Instances", "Event Log", "General"} {
		b.subtab(tab)
		b.a11y(tab)
	}
	b.follow("Activity", chromedp.Click(chromedp.Search(`//nav[@aria-label="Main"]//a[normalize-space()="Activity"]`)))
	b.wantH1("Activity: Event Log")
	b.a11y("activity event log")

	b.open(b.vaPath("/instances?q=FCW2134L0007"))
	b.follow("open sw-campus-a07", chromedp.Click(chromedp.Search(rowXPath("FCW2134L0007")+"/td[1]/a")))
	b.a11y("instance page")

	b.openRehostDialog("FCW2134L0007")
	if !eval[bool](b, `document.getElementById('modal').contains(document.activeElement)`) {
		t.Errorf("focus is not inside the open dialog: it is on %s", eval[string](b, `document.activeElement.outerHTML.slice(0, 100)`))
	}
	if got := eval[string](b, `document.activeElement.id`); got != "request_code" {
		t.Errorf("the dialog focuses #%s first, want the request code box", got)
	}
	if !eval[bool](b, `(() => { const d = document.getElementById('modal'); const l = document.getElementById(d.getAttribute('aria-labelledby')); return !!l && d.contains(l) && l.textContent.trim() !== ''; })()`) {
		t.Errorf("the dialog is not labelled by its own title")
	}
	b.a11y("rehost dialog")

	// Tab stays inside a modal dialog (the page behind is inert).
	for range 8 {
		b.do("Tab", chromedp.KeyEvent(kb.Tab))
		if !eval[bool](b, `document.getElementById('modal').contains(document.activeElement) || document.activeElement === document.body`) {
			t.Errorf("Tab left the dialog for %s", eval[string](b, `document.activeElement.outerHTML.slice(0, 100)`))
			break
		}
	}

	// The dialog closes at once; app.js's close handler (clear the content,
	// give focus back) runs on the close event, a task later.
	b.do("Escape closes the dialog", chromedp.KeyEvent(kb.Escape), chromedp.WaitNotVisible(chromedp.ID("modal")))
	_, err := chromedp.Run(b.ctx, chromedp.Poll[bool](`!document.getElementById('modal').open && document.getElementById('modal-content').innerHTML.trim() === ''`,
		chromedp.WithPollingTimeout(waitTimeout)))
	if err != nil {
		t.Errorf("after Escape the dialog is still open or keeps its content: %v", err)
	}
	if got := eval[string](b, `document.activeElement.tagName + ' ' + document.activeElement.textContent.trim()`); !strings.HasPrefix(got, "SUMMARY Actions") {
		t.Errorf("after Escape focus is on %q, want the Actions menu that opened the dialog", got)
	}
	b.a11y("instances after the dialog")
}
