package e2e

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"slrportal/internal/slrcode"
)

const (
	rehostEntry  = "Rehost Licenses from a Failed Product"
	failedSN     = "FCW2134L0003" // sw-campus-a03, a C9300-24UX in Campus
	replacePID   = "C9300-24UX"
	pendingState = "Failed - Pending Removal"
	eventMessage = "reserved licenses from a failed device"
)

// The seed's journey in a browser with JavaScript: the wizard runs in the
// htmx dialog over the Product Instances list.
func TestRehostInDialog(t *testing.T) {
	b := newTab(t, tabOptions{})
	repl := newDevice(t, replacePID, "FCW2201R0001")
	dir := t.TempDir()
	b.downloads(dir)

	b.login("vauser")
	b.shot("general")
	b.pickVA("Branch Offices")
	b.pickVA("Campus")

	b.subtab("Licenses")
	b.a11y("licenses")
	b.shot("licenses")
	b.subtab("Product Instances")
	b.a11y("instances")
	b.shot("instances")

	// Step 3 of the seed: search by device, press Enter.
	b.search(failedSN)
	if got := b.status(failedSN); got != "Reserved" {
		t.Fatalf("%s is %q before the rehost", failedSN, got)
	}
	b.contains("#instances tbody", "sw-campus-a03")

	// Step 4: Actions → Rehost Licenses from a Failed Product opens the dialog.
	b.openActions(failedSN, rehostEntry)
	b.do("dialog opens", chromedp.WaitVisible(chromedp.CSS("#modal #request_code")))
	b.settled("dialog opens")
	b.contains("#modal h2", rehostTitle)
	b.contains(`#modal [aria-current="step"]`, "Step 1: Reservation Request Code")
	if !eval[bool](b, `document.getElementById('modal').open && document.getElementById('modal').contains(document.activeElement)`) {
		t.Errorf("focus is not inside the open dialog: it is on %s", eval[string](b, `document.activeElement.outerHTML.slice(0, 100)`))
	}
	b.a11y("rehost step 1 in the dialog")
	b.shot("rehost-step1")

	// Step 5: the replacement's request code, Next.
	b.do("enter the request code", chromedp.SendKeys(chromedp.CSS("#modal #request_code"), repl.requestCode()))
	b.do("Next", chromedp.Click(chromedp.CSS(`#modal form button[type=submit].btn-primary`)))
	b.waitText(`#modal [aria-current="step"]`, "Step 2")

	// Step 6: review, Generate Authorization Code.
	b.contains("#modal", "Reserved Licenses to be Rehosted", "C9300 DNA Advantage", "C9300 Network Advantage",
		"PID:C9300-24UX,SN:"+repl.SN, "uses 1 of 3 allowed rehosts")
	if n := eval[int](b, `document.querySelectorAll('#modal table tbody tr').length`); n != 2 {
		t.Errorf("Step 2 lists %d license lines, want 2", n)
	}
	b.a11y("rehost step 2 in the dialog")
	b.shot("rehost-step2")
	b.do("Generate Authorization Code", chromedp.Click(chromedp.Search(`//dialog[@id="modal"]//button[normalize-space()="Generate Authorization Code"]`)))
	b.waitText(`#modal [aria-current="step"]`, "Step 3")

	// Step 7: the code, Download as File, the notification, Close.
	b.contains("#modal", "The Authorization Code was generated for the replacement product", "PID:C9300-24UX,SN:"+repl.SN)
	if code := run(b, "authorization code", chromedp.Value(chromedp.CSS("#modal #auth-code"))); !strings.HasPrefix(code, "<specificPLR>") {
		t.Errorf("Step 3 shows %.60q, want the authorization code", code)
	}
	b.contains("#modal a[download]", "Download as File")
	b.a11y("rehost step 3 in the dialog")
	b.shot("rehost-step3")

	name := slrcode.AuthorizationFileName(repl.SN)
	b.download(`#modal a[download]`, dir, name)
	repl.install(filepath.Join(dir, name), b.base)
	b.do("download notification", chromedp.WaitVisible(chromedp.CSS(`#download-notice[role="status"]`)))
	b.contains("#download-notice", name, "was downloaded")
	b.shot("rehost-downloaded")

	b.follow("Close reloads the list", chromedp.Click(chromedp.CSS(`#modal .form-actions [data-close-modal]`)))
	if got := b.status(failedSN); got != pendingState {
		t.Errorf("after the rehost %s is %q, want %q", failedSN, got, pendingState)
	}
	b.a11y("instances after the rehost")
	b.shot("instances-after")

	// Option 2 of Verify: both products show.
	b.search(repl.SN)
	if got := b.status(repl.SN); got != "Reserved" {
		t.Errorf("the replacement %s is %q, want Reserved", repl.SN, got)
	}

	// Option 1 of Verify: the Event Log, searched by the replacement.
	b.checkEventLog(repl.SN)
}

// The same journey with JavaScript off: every step is a page of its own, and
// the download's notification shows on the next page.
func TestRehostWithoutJavaScript(t *testing.T) {
	b := newTab(t, tabOptions{noJS: true})
	repl := newDevice(t, replacePID, "FCW2201R0002")
	dir := t.TempDir()
	b.downloads(dir)

	b.login("vauser")
	if eval[bool](b, `typeof htmx !== 'undefined'`) {
		t.Fatal("the page's scripts ran although JavaScript is disabled")
	}
	b.pickVA("Branch Offices")
	b.pickVA("Campus")
	b.subtab("Product Instances")
	b.search(failedSN)

	b.openActions(failedSN, rehostEntry)
	if p := b.path(); !strings.HasSuffix(p, "/rehost") {
		t.Fatalf("the rehost entry led to %s", p)
	}
	b.wantH1("Inventory: Campus")
	b.contains("main h2", rehostTitle)
	b.contains(`[aria-current="step"]`, "Step 1")
	b.a11y("rehost step 1 page")
	b.shot("rehost-step1")

	b.do("enter the request code", chromedp.SendKeys(chromedp.ID("request_code"), repl.requestCode()))
	b.follow("Next", chromedp.Click(chromedp.CSS(`main form button[type=submit].btn-primary`)))
	b.contains(`[aria-current="step"]`, "Step 2")
	b.contains("main", "Reserved Licenses to be Rehosted", "C9300 DNA Advantage", "C9300 Network Advantage", "uses 1 of 3 allowed rehosts")
	b.a11y("rehost step 2 page")
	b.shot("rehost-step2")

	b.follow("Generate Authorization Code", chromedp.Click(chromedp.Search(`//main//button[normalize-space()="Generate Authorization Code"]`)))
	if p := b.path(); !strings.Contains(p, "/rehost/done?code=") {
		t.Errorf("Step 3 is at %s, want the PRG target /rehost/done", p)
	}
	b.contains(`[aria-current="step"]`, "Step 3")
	b.contains("main", "The Authorization Code was generated for the replacement product")
	b.contains("main a[download]", "Download as File")
	b.a11y("rehost step 3 page")
	b.shot("rehost-step3")

	// Reloading Step 3 (a GET) must not rehost again.
	b.follow("reload Step 3", chromedp.Reload())
	b.contains(`[aria-current="step"]`, "Step 3")

	name := slrcode.AuthorizationFileName(repl.SN)
	b.download(`main a[download]`, dir, name)
	repl.install(filepath.Join(dir, name), b.base)

	b.follow("Close", chromedp.Click(chromedp.Search(`//main//div[contains(@class,"form-actions")]//a[normalize-space()="Close"]`)))
	if p := b.path(); p != b.vaPath("/instances") {
		t.Errorf("Close led to %s", p)
	}
	b.contains(`main > [role="status"]`, name, "was downloaded")
	b.shot("instances-after")
	b.search(failedSN)
	if got := b.status(failedSN); got != pendingState {
		t.Errorf("after the rehost %s is %q, want %q", failedSN, got, pendingState)
	}
	b.checkEventLog(repl.SN)
}

// Campus has 30 product instances and is short of C9300 DNA Advantage, so
// three rehosts may be pending removal (ceil(30 × 10 %)); the fourth is
// refused inside the dialog and changes nothing.
func TestRehostThresholdRefusedInDialog(t *testing.T) {
	b := newTab(t, tabOptions{timeout: 3 * time.Minute})
	b.login("vauser")

	for i := 1; i <= 3; i++ {
		failed := fmt.Sprintf("FCW2134L%04d", i)
		repl := newDevice(t, replacePID, fmt.Sprintf("FCW2201R%04d", 10+i))
		b.openRehostDialog(failed)
		b.dialogNext(repl.requestCode())
		b.waitText(`#modal [aria-current="step"]`, "Step 2")
		b.contains("#modal", fmt.Sprintf("uses %d of 3 allowed rehosts", i))
		b.do("Generate Authorization Code", chromedp.Click(chromedp.Search(`//dialog[@id="modal"]//button[normalize-space()="Generate Authorization Code"]`)))
		b.waitText(`#modal [aria-current="step"]`, "Step 3")
		b.follow("Close", chromedp.Click(chromedp.CSS(`#modal .form-actions [data-close-modal]`)))
		if got := b.status(failed); got != pendingState {
			t.Fatalf("rehost %d: %s is %q, want %q", i, failed, got, pendingState)
		}
	}

	fourth := "FCW2134L0004"
	repl := newDevice(t, replacePID, "FCW2201R0014")
	b.openRehostDialog(fourth)
	b.dialogNext(repl.requestCode())
	b.waitText(`#modal [role="alert"]`, "Previous Product Return Pending")
	b.contains(`#modal [role="alert"]`, "too many other failed products are still pending removal")
	b.contains(`#modal [aria-current="step"]`, "Step 1")
	if v := run(b, "aria-invalid", chromedp.AttributeValue(chromedp.CSS("#modal #request_code"), "aria-invalid")); v.Value != "true" {
		t.Errorf("the request code box is not marked aria-invalid after the refusal")
	}
	b.a11y("refused rehost in the dialog")
	b.shot("rehost-refused")

	// Escape closes the dialog; nothing changed.
	b.do("Escape", chromedp.KeyEvent(kb.Escape), chromedp.WaitNotVisible(chromedp.ID("modal")))
	b.open(b.vaPath("/instances?q=" + fourth))
	if got := b.status(fourth); got != "Reserved" {
		t.Errorf("after the refusal %s is %q, want Reserved", fourth, got)
	}
	b.open(b.vaPath("/instances?q=" + repl.SN))
	b.contains("#instances tbody", "No product instances found")
}

// pickVA chooses a VA in the selector and submits it (the selector works
// without JavaScript: a GET form).
func (b *tab) pickVA(name string) {
	b.t.Helper()
	id := eval[string](b, fmt.Sprintf(`(() => {
		const o = [...document.querySelectorAll('#va-select option')].find(o => o.textContent.trim().replace(/\s*\(default\)$/, '') === %q);
		return o ? o.value : '';
	})()`, name))
	if id == "" {
		b.t.Fatalf("the VA selector has no %q", name)
	}
	b.do("select "+name, chromedp.SetValue(chromedp.ID("va-select"), id))
	b.follow("Go to "+name, chromedp.Click(chromedp.CSS(`form.va-selector button[type=submit]`)))
	b.wantH1("Inventory: " + name)
	if !strings.HasPrefix(b.path(), "/inventory/"+id+"/") {
		b.t.Errorf("after choosing %s the page is %s", name, b.path())
	}
	b.a11y("VA " + name)
}

// openRehostDialog opens the rehost dialog of a product instance of Campus
// from the Product Instances list.
func (b *tab) openRehostDialog(sn string) {
	b.t.Helper()
	b.open(b.vaPath("/instances?q=" + sn))
	b.openActions(sn, rehostEntry)
	b.do("dialog opens", chromedp.WaitVisible(chromedp.CSS("#modal #request_code")))
	b.settled("dialog opens")
}

// dialogNext enters a request code in Step 1 and presses Next.
func (b *tab) dialogNext(code string) {
	b.t.Helper()
	b.do("Step 1", chromedp.SendKeys(chromedp.CSS("#modal #request_code"), code),
		chromedp.Click(chromedp.CSS(`#modal form button[type=submit].btn-primary`)))
}

// checkEventLog searches the Inventory Event Log by the replacement's serial.
func (b *tab) checkEventLog(replSN string) {
	b.t.Helper()
	b.subtab("Event Log")
	b.a11y("event log")
	b.shot("event-log")
	b.search(replSN)
	b.contains("#events tbody", eventMessage, "SN:"+replSN, "SN:"+failedSN)
	b.shot("event-log-search")
}

const rehostTitle = "Rehost Licenses from a Failed Product"
