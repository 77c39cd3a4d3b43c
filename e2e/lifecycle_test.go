package e2e

import (
	"fmt"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"slrportal/internal/slrcode"
)

// The reservation's life in a browser (issue 7): reserve, update and
// confirm, remove with a return code, and reserve without JavaScript.
// Every code the portal issues is installed on the real slrdevice, and every
// code the device prints is typed into the portal.

const (
	newPID    = "C9300-24UX"
	nwAdv     = "C9300 Network Advantage" // balance 6 in Campus
	dnaAdv    = "C9300 DNA Advantage"     // short in Campus: balance 0
	updateTtl = "Update Reserved Licenses"
	removeSN  = "FCW2134L0005" // sw-campus-a05, imported with its code
)

// Reserve in the dialog over the Licenses tab: the four steps, the code
// installed on the device, the new PI Reserved, the balance and the Event Log.
func TestReserveInDialog(t *testing.T) {
	b := newTab(t, tabOptions{})
	dev := newDevice(t, newPID, "FCW3300R0001")
	b.login("vauser")
	b.a11y("general")
	b.shot("general")
	b.subtab("Product Instances")
	b.a11y("instances")
	b.shot("instances")
	b.subtab("Licenses")
	b.a11y("licenses")
	b.shot("licenses")
	if got := b.licenseBalance(nwAdv); got != "6" {
		t.Fatalf("before the reservation %s has a balance of %s, want 6", nwAdv, got)
	}
	b.reserveInDialog(dev, 2, true)

	// Close reloaded the Licenses tab behind the dialog.
	b.wantH1("Inventory: Campus")
	if got := b.licenseBalance(nwAdv); got != "4" {
		t.Errorf("after reserving 2 %s the balance is %s, want 4", nwAdv, got)
	}
	b.a11y("licenses after the reservation")
	b.shot("licenses-after")

	b.subtab("Product Instances")
	b.search(dev.SN)
	if got := b.status(dev.SN); got != "Reserved" {
		t.Errorf("the new product instance %s is %q, want Reserved", dev.SN, got)
	}
	b.contains("#instances tbody", "UDI_PID:"+newPID+"; UDI_SN:"+dev.SN)
	b.a11y("instances after the reservation")
	b.shot("instances-after")

	b.eventLogShows(dev.SN, "Product instance PID:"+newPID+",SN:"+dev.SN+" reserved 2 × "+nwAdv)
}

// Update Reserved Licenses on a device reserved in the same test, the new
// code installed, a wrong confirmation code refused, the right one accepted.
func TestUpdateAndConfirmInDialog(t *testing.T) {
	b := newTab(t, tabOptions{timeout: 90 * time.Second})
	dev := newDevice(t, newPID, "FCW3300R0002")
	b.login("vauser")
	b.subtab("Licenses")
	b.reserveInDialog(dev, 1, false)
	b.open(b.vaPath("/instances?q=" + dev.SN))
	if got := b.status(dev.SN); got != "Reserved" {
		t.Fatalf("%s is %q after the reservation", dev.SN, got)
	}

	// Step 1: raise Network Advantage from 1 to 3.
	b.openActions(dev.SN, updateTtl)
	b.do("update dialog opens", chromedp.WaitVisible(chromedp.CSS("#modal input[type=number]")))
	b.settled("update dialog opens")
	b.contains("#modal h2", updateTtl)
	b.contains(`#modal [aria-current="step"]`, "Step 1: Select Quantities")
	b.contains("#modal", "PID:"+newPID+",SN:"+dev.SN)
	qty := b.qtyInput("#modal", nwAdv)
	if v := run(b, "current quantity", chromedp.Value(chromedp.CSS(qty))); v != "1" {
		t.Errorf("Step 1 proposes %q %s, want the reserved 1", v, nwAdv)
	}
	b.focusInDialog()
	b.a11y("update step 1 in the dialog")
	b.shot("update-step1")
	b.setQty(qty, 3)
	b.do("Next", chromedp.Click(chromedp.CSS(`#modal form button[type=submit].btn-primary`)))
	b.waitText(`#modal [aria-current="step"]`, "Step 2")

	// Step 2: review.
	b.contains(`#modal [aria-current="step"]`, "Step 2: Review and Confirm")
	b.contains("#modal", nwAdv+" 1 → 3", "Update Pending until the confirmation code")
	b.a11y("update step 2 in the dialog")
	b.shot("update-step2")
	b.do("Generate Authorization Code", chromedp.Click(chromedp.Search(`//dialog[@id="modal"]//button[normalize-space()="Generate Authorization Code"]`)))
	b.waitText(`#modal [aria-current="step"]`, "Step 3")

	// Step 3: the updated code, downloaded and installed.
	b.contains("#modal", "The updated Authorization Code was generated for PID:"+newPID+",SN:"+dev.SN, "Enter Confirmation Code")
	b.contains("#modal a[download]", "Download as File")
	b.a11y("update step 3 in the dialog")
	b.shot("update-step3")
	confirmation := b.downloadAndInstall(dev, "#modal a[download]")
	b.do("download notification", chromedp.WaitVisible(chromedp.CSS(`#download-notice[role="status"]`)))
	b.shot("update-downloaded")

	b.follow("Close reloads the list", chromedp.Click(chromedp.CSS(`#modal .form-actions [data-close-modal]`)))
	if got := b.status(dev.SN); got != "Update Pending" {
		t.Fatalf("after the update %s is %q, want Update Pending", dev.SN, got)
	}
	b.a11y("instances with the update pending")
	b.shot("instances-update-pending")

	// A wrong confirmation code is refused in the dialog; nothing changes.
	b.openConfirm(dev.SN)
	b.a11y("confirmation dialog")
	b.shot("confirm")
	wrong := "0badc0de"
	if wrong == confirmation {
		wrong = "0badcafe"
	}
	b.do("enter a wrong confirmation code", chromedp.SendKeys(chromedp.CSS("#modal #confirmation_code"), wrong),
		chromedp.Click(chromedp.CSS(`#modal form button[type=submit].btn-primary`)))
	b.waitText(`#modal [role="alert"]`, "The Confirmation Code does not match")
	b.wantInvalid("#modal #confirmation_code")
	b.a11y("refused confirmation")
	b.shot("confirm-refused")
	b.do("Cancel", chromedp.Click(chromedp.Search(`//dialog[@id="modal"]//button[normalize-space()="Cancel"]`)),
		chromedp.WaitNotVisible(chromedp.ID("modal")))
	b.open(b.vaPath("/instances?q=" + dev.SN))
	if got := b.status(dev.SN); got != "Update Pending" {
		t.Fatalf("after a wrong confirmation code %s is %q, want Update Pending", dev.SN, got)
	}

	// The code the device printed completes the update.
	b.openConfirm(dev.SN)
	b.do("enter the confirmation code", chromedp.SendKeys(chromedp.CSS("#modal #confirmation_code"), confirmation))
	b.follow("Confirm", chromedp.Click(chromedp.CSS(`#modal form button[type=submit].btn-primary`)))
	if p := b.path(); p != b.vaPath("/instances") {
		t.Errorf("after the confirmation the page is %s", p)
	}
	b.contains(`main > [role="status"]`, "The confirmation code was accepted", "PID:"+newPID+",SN:"+dev.SN)
	b.search(dev.SN)
	if got := b.status(dev.SN); got != "Reserved" {
		t.Errorf("after the confirmation %s is %q, want Reserved", dev.SN, got)
	}
	b.shot("instances-confirmed")

	b.subtab("Licenses")
	if got := b.licenseBalance(nwAdv); got != "3" {
		t.Errorf("after the update to 3 the balance of %s is %s, want 3", nwAdv, got)
	}
	b.eventLogShows(dev.SN, "updated: increased "+nwAdv+" 1 → 3", "Confirmation code entered")
}

// Remove a product instance of the demo with the return code its device
// prints: the device installs the code issued at import, returns it, and a
// wrong code is refused before the right one removes the instance.
func TestRemoveWithReturnCodeInDialog(t *testing.T) {
	b := newTab(t, tabOptions{})
	dev := newDevice(t, newPID, removeSN)
	b.login("vauser")
	b.subtab("Licenses")
	if got := b.licenseBalance(nwAdv); got != "6" {
		t.Fatalf("before the removal %s has a balance of %s, want 6", nwAdv, got)
	}

	// The instance page offers the code issued at import; the device
	// installs it and then returns it.
	b.open(b.vaPath("/instances?q=" + removeSN))
	b.follow("open sw-campus-a05", chromedp.Click(chromedp.Search(rowXPath(removeSN)+"/td[1]/a")))
	b.contains("main h2", "sw-campus-a05")
	b.a11y("instance page")
	b.shot("instance")
	b.downloadAndInstall(dev, "main table a[download]")
	returnCode := strings.TrimSpace(dev.run("return"))
	if returnCode == "" {
		t.Fatal("slrdevice return printed no return code")
	}

	b.open(b.vaPath("/instances?q=" + removeSN))
	b.openActions(removeSN, "Remove")
	b.do("remove dialog opens", chromedp.WaitVisible(chromedp.CSS("#modal #return_code")))
	b.settled("remove dialog opens")
	b.contains("#modal h2", "Confirm Remove Product Instance")
	b.contains("#modal", "sw-campus-a05", "PID:"+newPID+",SN:"+removeSN, "Reservation Return Code")
	b.focusInDialog()
	if got := eval[string](b, `document.activeElement.id`); got != "return_code" {
		t.Errorf("the dialog focuses #%s first, want the return code box", got)
	}
	b.a11y("remove dialog")
	b.shot("remove")

	wrong := strings.Repeat("AAAAAA-", 7) + "AAAAAA"
	b.do("enter a wrong return code", chromedp.SendKeys(chromedp.CSS("#modal #return_code"), wrong),
		chromedp.Click(chromedp.CSS(`#modal form button[type=submit].btn-danger`)))
	b.waitText(`#modal [role="alert"]`, "The Reservation Return Code does not match")
	b.contains(`#modal h2`, "Confirm Remove Product Instance")
	b.wantInvalid("#modal #return_code")
	b.a11y("refused removal")
	b.shot("remove-refused")

	b.do("clear the return code", chromedp.Clear(chromedp.CSS("#modal #return_code")))
	b.do("enter the return code", chromedp.SendKeys(chromedp.CSS("#modal #return_code"), returnCode))
	b.follow("Remove Product Instance", chromedp.Click(chromedp.CSS(`#modal form button[type=submit].btn-danger`)))
	if p := b.path(); p != b.vaPath("/instances") {
		t.Errorf("after the removal the page is %s", p)
	}
	b.contains(`main > [role="status"]`, "Product instance PID:"+newPID+",SN:"+removeSN+" was removed")
	if n := eval[int](b, fmt.Sprintf(`document.evaluate(%q, document, null, XPathResult.ORDERED_NODE_SNAPSHOT_TYPE, null).snapshotLength`, rowXPath(removeSN))); n != 0 {
		t.Errorf("the list still shows %s after its removal", removeSN)
	}
	b.a11y("instances after the removal")
	b.shot("instances-after")
	b.search(removeSN)
	b.contains("#instances tbody", "No product instances found")

	b.subtab("Licenses")
	if got := b.licenseBalance(nwAdv); got != "7" {
		t.Errorf("after the removal the balance of %s is %s, want 7", nwAdv, got)
	}
	b.eventLogShows(removeSN, "Product instance PID:"+newPID+",SN:"+removeSN+" removed")
}

// Reserve with JavaScript off: every step is a page of its own; Back keeps
// the quantities, and reloading Step 4 reserves nothing more.
func TestReserveWithoutJavaScript(t *testing.T) {
	b := newTab(t, tabOptions{noJS: true})
	dev := newDevice(t, newPID, "FCW3300R0003")
	b.login("vauser")
	if eval[bool](b, `typeof htmx !== 'undefined'`) {
		t.Fatal("the page's scripts ran although JavaScript is disabled")
	}
	b.subtab("Licenses")
	b.follow("License Reservation", chromedp.Click(chromedp.Search(`//main//a[normalize-space()="License Reservation"]`)))
	if p := b.path(); p != b.vaPath("/reserve") {
		t.Fatalf("License Reservation led to %s", p)
	}
	b.wantH1("Inventory: Campus")
	b.contains("main h2", "Reserve Licenses")
	b.contains(`[aria-current="step"]`, "Step 1: Enter Request Code")
	b.a11y("reserve step 1 page")
	b.shot("reserve-step1")

	b.do("enter the request code", chromedp.SendKeys(chromedp.ID("request_code"), dev.requestCode()))
	b.follow("Next", chromedp.Click(chromedp.CSS(`main form button[type=submit].btn-primary`)))
	b.contains(`[aria-current="step"]`, "Step 2: Select Licenses")
	b.contains("main", "Product: PID:"+newPID+",SN:"+dev.SN, nwAdv, dnaAdv)
	b.a11y("reserve step 2 page")
	b.shot("reserve-step2")
	qty := b.qtyInput("main", nwAdv)
	b.setQty(qty, 2)
	b.follow("Next", chromedp.Click(chromedp.CSS(`main form button[type=submit].btn-primary`)))

	b.contains(`[aria-current="step"]`, "Step 3: Review and Confirm")
	b.contains("main table tbody", nwAdv, "2")
	b.a11y("reserve step 3 page")
	b.shot("reserve-step3")

	// Back to Step 2 keeps the quantity; Next returns to Step 3.
	b.follow("Back", chromedp.Click(chromedp.Search(`//main//button[normalize-space()="Back"]`)))
	b.contains(`[aria-current="step"]`, "Step 2")
	if v := run(b, "kept quantity", chromedp.Value(chromedp.CSS(b.qtyInput("main", nwAdv)))); v != "2" {
		t.Errorf("Back shows %q %s, want the 2 entered", v, nwAdv)
	}
	b.follow("Next", chromedp.Click(chromedp.CSS(`main form button[type=submit].btn-primary`)))
	b.contains(`[aria-current="step"]`, "Step 3")

	b.follow("Generate Authorization Code", chromedp.Click(chromedp.Search(`//main//button[normalize-space()="Generate Authorization Code"]`)))
	if p := b.path(); !strings.HasPrefix(p, b.vaPath("/reserve/done?code=")) {
		t.Errorf("Step 4 is at %s, want the PRG target /reserve/done", p)
	}
	b.contains(`[aria-current="step"]`, "Step 4: Authorization Code")
	b.contains("main", "The Authorization Code was generated for the product PID:"+newPID+",SN:"+dev.SN)
	b.contains("main a[download]", "Download as File")
	b.a11y("reserve step 4 page")
	b.shot("reserve-step4")

	// Reloading Step 4 (a GET) must not reserve again.
	b.follow("reload Step 4", chromedp.Reload())
	b.contains(`[aria-current="step"]`, "Step 4")

	b.downloadAndInstall(dev, "main a[download]")
	b.follow("Close", chromedp.Click(chromedp.Search(`//main//div[contains(@class,"form-actions")]//a[normalize-space()="Close"]`)))
	if p := b.path(); p != b.vaPath("/instances") {
		t.Errorf("Close led to %s", p)
	}
	b.contains(`main > [role="status"]`, slrcode.AuthorizationFileName(dev.SN), "was downloaded")
	b.shot("instances-after")
	b.search(dev.SN)
	if got := b.status(dev.SN); got != "Reserved" {
		t.Errorf("the new product instance %s is %q, want Reserved", dev.SN, got)
	}
	b.subtab("Licenses")
	if got := b.licenseBalance(nwAdv); got != "4" {
		t.Errorf("after reserving 2 (and reloading Step 4) the balance of %s is %s, want 4", nwAdv, got)
	}
}

// reserveInDialog runs the reserve wizard in the dialog from the Licenses
// tab for qty licenses of Network Advantage and installs the code on the
// device; it ends on the Licenses tab, reloaded by Close. With check it also
// looks closely at every step.
func (b *tab) reserveInDialog(dev *device, qty int, check bool) {
	b.t.Helper()
	b.do("License Reservation", chromedp.Click(chromedp.Search(`//main//a[normalize-space()="License Reservation"]`)),
		chromedp.WaitVisible(chromedp.CSS("#modal #request_code")))
	b.settled("reserve dialog opens")
	if check {
		if p := b.path(); !strings.HasSuffix(p, "/licenses") {
			b.t.Errorf("opening the dialog changed the URL to %s", p)
		}
		b.contains("#modal h2", "Reserve Licenses")
		b.contains(`#modal [aria-current="step"]`, "Step 1: Enter Request Code")
		b.focusInDialog()
		if got := eval[string](b, `document.activeElement.id`); got != "request_code" {
			b.t.Errorf("the dialog focuses #%s first, want the request code box", got)
		}
		b.a11y("reserve step 1 in the dialog")
		b.shot("reserve-step1")
	}

	b.do("Step 1", chromedp.SendKeys(chromedp.CSS("#modal #request_code"), dev.requestCode()),
		chromedp.Click(chromedp.CSS(`#modal form button[type=submit].btn-primary`)))
	b.waitText(`#modal [aria-current="step"]`, "Step 2")
	if check {
		b.contains(`#modal [aria-current="step"]`, "Step 2: Select Licenses")
		b.contains("#modal", "Product: PID:"+newPID+",SN:"+dev.SN, nwAdv, dnaAdv)
		// Only the C9300 family is offered.
		if n := eval[int](b, `document.querySelectorAll('#modal table tbody tr').length`); n != 2 {
			b.t.Errorf("Step 2 lists %d licenses, want the 2 of the C9300 family", n)
		}
		if m := run(b, "max", chromedp.AttributeValue(chromedp.CSS(b.qtyInput("#modal", nwAdv)), "max")); m.Value != "6" {
			b.t.Errorf("Step 2 allows at most %q %s, want its balance 6", m.Value, nwAdv)
		}
		b.a11y("reserve step 2 in the dialog")
		b.shot("reserve-step2")
	}
	b.setQty(b.qtyInput("#modal", nwAdv), qty)
	b.do("Next", chromedp.Click(chromedp.CSS(`#modal form button[type=submit].btn-primary`)))
	b.waitText(`#modal [aria-current="step"]`, "Step 3")
	if check {
		b.contains(`#modal [aria-current="step"]`, "Step 3: Review and Confirm")
		b.contains("#modal table tbody", nwAdv, fmt.Sprint(qty))
		if n := eval[int](b, `document.querySelectorAll('#modal table tbody tr').length`); n != 1 {
			b.t.Errorf("Step 3 lists %d license lines, want 1", n)
		}
		b.a11y("reserve step 3 in the dialog")
		b.shot("reserve-step3")
	}
	b.do("Generate Authorization Code", chromedp.Click(chromedp.Search(`//dialog[@id="modal"]//button[normalize-space()="Generate Authorization Code"]`)))
	b.waitText(`#modal [aria-current="step"]`, "Step 4")
	if check {
		b.contains(`#modal [aria-current="step"]`, "Step 4: Authorization Code")
		b.contains("#modal", "The Authorization Code was generated for the product PID:"+newPID+",SN:"+dev.SN)
		if code := run(b, "authorization code", chromedp.Value(chromedp.CSS("#modal #auth-code"))); !strings.HasPrefix(code, "<specificPLR>") || !strings.Contains(code, dev.SN) {
			b.t.Errorf("Step 4 shows %.80q, want the authorization code of %s", code, dev.SN)
		}
		b.contains("#modal a[download]", "Download as File")
		b.a11y("reserve step 4 in the dialog")
		b.shot("reserve-step4")
	}
	b.downloadAndInstall(dev, "#modal a[download]")
	b.do("download notification", chromedp.WaitVisible(chromedp.CSS(`#download-notice[role="status"]`)))
	if check {
		b.contains("#download-notice", slrcode.AuthorizationFileName(dev.SN), "was downloaded")
		b.shot("reserve-downloaded")
	}
	b.follow("Close reloads the page", chromedp.Click(chromedp.CSS(`#modal .form-actions [data-close-modal]`)))
}

var confirmationRe = regexp.MustCompile(`Last Confirmation code (\S+)`)

// downloadAndInstall downloads the authorization code a link offers into a
// fresh folder, installs it on the device and returns the confirmation code
// the device prints.
func (b *tab) downloadAndInstall(dev *device, sel string) string {
	b.t.Helper()
	dir := b.t.TempDir() // a new folder: the browser would rename a second file of the same name
	b.downloads(dir)
	name := slrcode.AuthorizationFileName(dev.SN)
	b.download(sel, dir, name)
	out := dev.run("install", filepath.Join(dir, name), "--key", b.base+"/signing-key.pem")
	m := confirmationRe.FindStringSubmatch(out)
	if !strings.Contains(out, "Reservation install file successful") || m == nil {
		b.t.Fatalf("slrdevice install: %s", out)
	}
	return m[1]
}

// qtyInput is the selector of the quantity box of a license, found by its label.
func (b *tab) qtyInput(scope, license string) string {
	b.t.Helper()
	id := eval[string](b, fmt.Sprintf(`(() => {
		const l = [...document.querySelectorAll(%q)].find(l => l.textContent.trim() === %q);
		return l ? l.htmlFor : '';
	})()`, scope+" label", license))
	if id == "" {
		b.t.Fatalf("no quantity box labelled %q in %s; it shows: %s", license, scope, b.describe(scope))
	}
	return "#" + id
}

// setQty replaces the value of a quantity box, as a user types it.
func (b *tab) setQty(sel string, n int) {
	b.t.Helper()
	b.do("quantity "+sel, chromedp.Clear(chromedp.CSS(sel)), chromedp.SendKeys(chromedp.CSS(sel), fmt.Sprint(n)))
}

// licenseBalance is the Balance cell of a license on the Licenses tab.
func (b *tab) licenseBalance(name string) string {
	b.t.Helper()
	return squash(run(b, "balance of "+name, chromedp.Text(chromedp.Search(
		fmt.Sprintf(`//main//table/tbody/tr[td[1][contains(normalize-space(), %q)]]/td[5]`, name)))))
}

// openConfirm opens Enter Confirmation Code of a row in the dialog.
func (b *tab) openConfirm(sn string) {
	b.t.Helper()
	b.openActions(sn, "Enter Confirmation Code")
	b.do("confirmation dialog opens", chromedp.WaitVisible(chromedp.CSS("#modal #confirmation_code")))
	b.settled("confirmation dialog opens")
	b.contains("#modal h2", "Enter Confirmation Code")
	b.contains("#modal", "PID:"+newPID+",SN:"+sn)
	b.focusInDialog()
}

// focusInDialog checks that the open dialog holds the focus.
func (b *tab) focusInDialog() {
	b.t.Helper()
	if !eval[bool](b, `document.getElementById('modal').open && document.getElementById('modal').contains(document.activeElement)`) {
		b.t.Errorf("focus is not inside the open dialog: it is on %s", eval[string](b, `document.activeElement.outerHTML.slice(0, 100)`))
	}
}

// wantInvalid checks that a refused field is marked aria-invalid.
func (b *tab) wantInvalid(sel string) {
	b.t.Helper()
	if v := run(b, "aria-invalid", chromedp.AttributeValue(chromedp.CSS(sel), "aria-invalid")); v.Value != "true" {
		b.t.Errorf("%s is not marked aria-invalid after the refusal", sel)
	}
}

// eventLogShows searches the Inventory Event Log by a serial number.
func (b *tab) eventLogShows(sn string, want ...string) {
	b.t.Helper()
	b.subtab("Event Log")
	b.a11y("event log")
	b.shot("event-log")
	b.search(sn)
	b.contains("#events tbody", want...)
	b.shot("event-log-search")
}
