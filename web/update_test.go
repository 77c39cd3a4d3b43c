package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"slrportal/internal/demo"
	"slrportal/internal/licensing"
	"slrportal/internal/slrcode"
)

// device drives one real slrdevice simulator with its own state file.
type device struct {
	t          *testing.T
	bin, dir   string
	state, key string
}

func newDevice(t *testing.T, env *testEnv, pid, sn string) *device {
	t.Helper()
	dir := t.TempDir()
	d := &device{t: t, bin: filepath.Join(dir, "slrdevice"), dir: dir, state: filepath.Join(dir, "dev.json"), key: env.Server.URL + "/signing-key.pem"}
	if out, err := exec.Command("go", "build", "-o", d.bin, "slrportal/cmd/slrdevice").CombinedOutput(); err != nil {
		t.Fatalf("build slrdevice: %v\n%s", err, out)
	}
	d.run("init", "--pid", pid, "--sn", sn)
	return d
}

func (d *device) run(args ...string) string {
	d.t.Helper()
	out, err := exec.Command(d.bin, append(args, "--state", d.state)...).CombinedOutput()
	if err != nil {
		d.t.Fatalf("slrdevice %v: %v\n%s", args, err, out)
	}
	return string(out)
}

// request returns the device's reservation request code.
func (d *device) request() string { return strings.TrimSpace(d.run("request")) }

var confirmRe = regexp.MustCompile(`Last Confirmation code ([0-9a-f]{8})`)

// install installs an authorization code file and returns the confirmation code.
func (d *device) install(file string) string {
	d.t.Helper()
	path := filepath.Join(d.dir, fmt.Sprintf("code-%d.txt", len(file)))
	if err := os.WriteFile(path, []byte(file), 0o600); err != nil {
		d.t.Fatal(err)
	}
	out := d.run("install", path, "--key", d.key)
	m := confirmRe.FindStringSubmatch(out)
	if !strings.Contains(out, "Reservation install file successful") || m == nil {
		d.t.Fatalf("install printed %q", out)
	}
	return m[1]
}

var downloadRe = regexp.MustCompile(`href="(/inventory/\d+/codes/\d+/download)"`)

// download fetches the code file linked from a Step page.
func download(t *testing.T, c *client, page response) string {
	t.Helper()
	m := downloadRe.FindStringSubmatch(page.Body)
	if m == nil {
		t.Fatalf("no download link on\n%s", page.Body)
	}
	r := c.get(m[1])
	if r.Code != http.StatusOK {
		t.Fatalf("download: %d", r.Code)
	}
	return r.Body
}

// updateThrough posts the update form and returns the review page and token.
func updateThrough(t *testing.T, c *client, va, pi int64, qty url.Values) (response, string) {
	t.Helper()
	base := fmt.Sprintf("/inventory/%d/instances/%d/update", va, pi)
	if r := c.get(base); r.Code != http.StatusOK || !strings.Contains(r.Body, "Step 1: Select Quantities") {
		t.Fatalf("GET update: %d\n%s", r.Code, r.Body)
	}
	r := c.post(base, qty)
	m := tokenRe.FindStringSubmatch(r.Body)
	if m == nil {
		return r, ""
	}
	return r, m[1]
}

func piStatus(t *testing.T, env *testEnv, id int64) licensing.ProductInstance {
	t.Helper()
	pi, err := env.Portal.Store.ProductInstance(t.Context(), id)
	if err != nil {
		t.Fatal(err)
	}
	return pi
}

// TestDeviceRoundTrip: reserve → install → update → install → confirm →
// return → remove, with the real slrdevice.
func TestDeviceRoundTrip(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	c := env.login("vauser")
	dev := newDevice(t, env, "C9300-24UX", "FCW3100R0001")
	nw := licenseOf(t, env, 1, demo.TagC9300NWAdv) // balance 6

	// Reserve 1 and install it.
	_, token := reserveThrough(t, c, 1, dev.request(), url.Values{qtyField(nw): {"1"}})
	gen := c.post("/inventory/1/reserve/generate", url.Values{"request_code": {dev.request()}, qtyField(nw): {"1"}, "token": {token}})
	if gen.Code != http.StatusSeeOther {
		t.Fatalf("reserve: %d\n%s", gen.Code, gen.Body)
	}
	dev.install(download(t, c, c.get(gen.Location)))
	piID, _ := env.Portal.Store.LiveUDI(t.Context(), 1, "C9300-24UX", "FCW3100R0001")
	if piID == 0 {
		t.Fatal("no PI after reserve")
	}
	if r := c.get("/inventory/1/instances?q=FCW3100R0001"); !strings.Contains(r.Body, fmt.Sprintf("/instances/%d/update", piID)) {
		t.Error("Actions menu lacks Update Reserved Licenses")
	}

	// Update to 4: review, generate (twice: same code), the PI is Update Pending.
	review, token := updateThrough(t, c, 1, piID, url.Values{qtyField(nw): {"4"}})
	if token == "" || !strings.Contains(review.Body, "C9300 Network Advantage 1 → 4") {
		t.Fatalf("update review: %d\n%s", review.Code, review.Body)
	}
	form := url.Values{qtyField(nw): {"4"}, "token": {token}}
	up := c.post(fmt.Sprintf("/inventory/1/instances/%d/update/generate", piID), form)
	if up.Code != http.StatusSeeOther {
		t.Fatalf("update generate: %d\n%s", up.Code, up.Body)
	}
	if again := c.post(fmt.Sprintf("/inventory/1/instances/%d/update/generate", piID), form); again.Location != up.Location {
		t.Fatalf("double submit went to %q, want %q", again.Location, up.Location)
	}
	if pi := piStatus(t, env, piID); pi.Status != licensing.StatusUpdatePending || pi.Lines[0].Count != 4 {
		t.Fatalf("after update: %s %+v", pi.Status, pi.Lines)
	}
	if l := licenseOf(t, env, 1, demo.TagC9300NWAdv); l.Balance() != nw.Balance()-4 {
		t.Fatalf("balance %d, want %d", l.Balance(), nw.Balance()-4)
	}
	done := c.get(up.Location)
	if !strings.Contains(done.Body, "Step 3: Authorization Code") {
		t.Fatalf("update step 3:\n%s", done.Body)
	}
	confirmation := dev.install(download(t, c, done))

	// A wrong confirmation code is refused and nothing changes.
	confirmURL := fmt.Sprintf("/inventory/1/instances/%d/confirm", piID)
	if r := c.get(confirmURL); r.Code != http.StatusOK {
		t.Fatalf("GET confirm: %d", r.Code)
	}
	wrong := c.post(confirmURL, url.Values{"confirmation_code": {"0badc0de"}})
	if wrong.Code != http.StatusUnprocessableEntity || !strings.Contains(wrong.Body, `role="alert"`) || !strings.Contains(wrong.Body, "does not match") {
		t.Fatalf("wrong confirmation: %d", wrong.Code)
	}
	if pi := piStatus(t, env, piID); pi.Status != licensing.StatusUpdatePending {
		t.Fatal("a wrong confirmation changed the status")
	}
	if r := c.post(confirmURL, url.Values{"confirmation_code": {confirmation}}); r.Code != http.StatusSeeOther {
		t.Fatalf("confirm: %d\n%s", r.Code, r.Body)
	}
	if pi := piStatus(t, env, piID); pi.Status != licensing.StatusReserved || pi.Lines[0].Count != 4 {
		t.Fatalf("after confirm: %s %+v", pi.Status, pi.Lines)
	}
	ev := c.get("/inventory/1/events?q=FCW3100R0001")
	for _, want := range []string{"updated: increased C9300 Network Advantage 1 → 4", "Confirmation code entered"} {
		if !strings.Contains(ev.Body, want) {
			t.Errorf("event log lacks %q", want)
		}
	}

	// Return on the device; a wrong return code is refused, the right one removes it.
	returnCode := strings.TrimSpace(dev.run("return"))
	removeURL := fmt.Sprintf("/inventory/1/instances/%d/remove", piID)
	if r := c.post(removeURL, url.Values{"return_code": {strings.Repeat("AAAAAA-", 7) + "AAAAAA"}}); r.Code != http.StatusUnprocessableEntity || !strings.Contains(r.Body, "does not match") {
		t.Fatalf("wrong return code: %d", r.Code)
	}
	if pi := piStatus(t, env, piID); pi.Removed {
		t.Fatal("a wrong return code removed the PI")
	}
	if r := c.post(removeURL, url.Values{"return_code": {returnCode}}); r.Code != http.StatusSeeOther {
		t.Fatalf("remove: %d\n%s", r.Code, r.Body)
	}
	if pi := piStatus(t, env, piID); !pi.Removed {
		t.Fatal("the PI was not removed")
	}
	if l := licenseOf(t, env, 1, demo.TagC9300NWAdv); l.Balance() != nw.Balance() {
		t.Fatalf("balance %d after removal, want %d", l.Balance(), nw.Balance())
	}
}

func TestUpdateRefusalsAndCancel(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	c := env.login("sauser")
	nw, dna := licenseOf(t, env, 1, demo.TagC9300NWAdv), licenseOf(t, env, 1, demo.TagC9300DNAAdv)
	const pi = 5 // a C9300 of Campus holding 1 DNA Advantage and 1 Network Advantage
	cases := []struct {
		name string
		qty  url.Values
		want string
	}{
		{"over balance", url.Values{qtyField(nw): {"8"}}, "at most 7"},
		{"increase of a short license", url.Values{qtyField(dna): {"2"}}, "more than is available"},
		{"no change", url.Values{qtyField(nw): {"1"}}, "same as the current reservation"},
		{"release everything", url.Values{qtyField(nw): {"0"}, qtyField(dna): {"0"}}, "remove the product instance"},
		{"negative", url.Values{qtyField(nw): {"-1"}}, "0 or more"},
	}
	for _, tc := range cases {
		r, token := updateThrough(t, c, 1, pi, tc.qty)
		if r.Code != http.StatusUnprocessableEntity || token != "" || !strings.Contains(r.Body, `role="alert"`) || !strings.Contains(r.Body, tc.want) {
			t.Errorf("%s: %d, want 422 with %q", tc.name, r.Code, tc.want)
		}
	}
	if r := c.post("/inventory/1/instances/5/update/generate", url.Values{qtyField(nw): {"8"}, "token": {"forged"}}); r.Code != http.StatusUnprocessableEntity {
		t.Errorf("generate over balance: %d", r.Code)
	}
	if p := piStatus(t, env, pi); p.Status != licensing.StatusReserved || p.Total() != 2 {
		t.Fatalf("refusals changed the PI: %s %+v", p.Status, p.Lines)
	}
	before, _ := env.Portal.Store.AuthCodes(t.Context(), pi)

	// Decrease: releases at once; Cancel Update restores the lines and the status.
	_, token := updateThrough(t, c, 1, pi, url.Values{qtyField(nw): {"0"}})
	if r := c.post("/inventory/1/instances/5/update/generate", url.Values{qtyField(nw): {"0"}, qtyField(dna): {"1"}, "token": {token}}); r.Code != http.StatusSeeOther {
		t.Fatalf("decrease: %d\n%s", r.Code, r.Body)
	}
	if l := licenseOf(t, env, 1, demo.TagC9300NWAdv); l.InUse != nw.InUse-1 {
		t.Fatalf("decrease did not release: in use %d", l.InUse)
	}
	list := c.get("/inventory/1/instances?q=FCW2134L0005")
	if !strings.Contains(list.Body, "Update Pending") || !strings.Contains(list.Body, "/instances/5/cancel-update") || !strings.Contains(list.Body, "/instances/5/confirm") {
		t.Error("Update Pending PI lacks Confirm / Cancel Update actions")
	}
	if r := c.post("/inventory/1/instances/5/update", url.Values{qtyField(nw): {"1"}}); r.Code != http.StatusUnprocessableEntity || !strings.Contains(r.Body, "already pending") {
		t.Error("a second update while pending was not refused")
	}
	if r := c.get("/inventory/1/instances/5/cancel-update"); r.Code != http.StatusOK {
		t.Fatalf("GET cancel-update: %d", r.Code)
	}
	if r := c.post("/inventory/1/instances/5/cancel-update", nil); r.Code != http.StatusSeeOther {
		t.Fatalf("cancel update: %d\n%s", r.Code, r.Body)
	}
	if p := piStatus(t, env, pi); p.Status != licensing.StatusReserved || p.Total() != 2 {
		t.Fatalf("after cancel: %s %+v", p.Status, p.Lines)
	}
	if l := licenseOf(t, env, 1, demo.TagC9300NWAdv); l.InUse != nw.InUse {
		t.Fatalf("after cancel in use %d, want %d", l.InUse, nw.InUse)
	}
	// The device still holds the code from before the update: its return code removes the PI.
	after, _ := env.Portal.Store.AuthCodes(t.Context(), pi)
	if after[0].Signature != before[0].Signature {
		t.Fatal("after cancel the latest code is not the one the device holds")
	}
	if r := c.post("/inventory/1/instances/5/cancel-update", nil); r.Code != http.StatusUnprocessableEntity {
		t.Errorf("cancel without a pending update: %d", r.Code)
	}
	if ev := c.get("/inventory/1/events?type=UPDATE_CANCELLED"); !strings.Contains(ev.Body, "cancelled; its previous reservation was restored") {
		t.Error("no cancel event")
	}
	retCode := slrcode.ReturnCode(piStatus(t, env, pi).PIID, before[0].Signature)
	if r := c.post("/inventory/1/instances/5/remove", url.Values{"return_code": {retCode}}); r.Code != http.StatusSeeOther {
		t.Fatalf("remove after cancel: %d", r.Code)
	}

	// SLR disabled: update refused, nothing changes.
	if err := env.Portal.Service.SetSLREnabled(t.Context(), actorOf(t, env, "admin"), false); err != nil {
		t.Fatal(err)
	}
	r := c.post("/inventory/1/instances/6/update/generate", url.Values{qtyField(nw): {"2"}, "token": {"off"}})
	if r.Code != http.StatusUnprocessableEntity || !strings.Contains(r.Body, "not enabled for this Smart Account") {
		t.Errorf("update with SLR off: %d", r.Code)
	}
	if p := piStatus(t, env, 6); p.Status != licensing.StatusReserved || p.Total() != 2 {
		t.Fatal("update with SLR off changed the PI")
	}
	// Viewer and hidden VA.
	viewer := env.login("saviewer")
	if r := viewer.post("/inventory/1/instances/6/confirm", url.Values{"confirmation_code": {"12345678"}}); r.Code != http.StatusForbidden {
		t.Errorf("viewer confirm: %d", r.Code)
	}
	if r := env.login("vauser").get("/inventory/2/instances/31/update"); r.Code != http.StatusNotFound {
		t.Errorf("update in a hidden VA: %d", r.Code)
	}
	off := c.get("/inventory/1/instances/7/update", "HX-Request", "true", "HX-Target", "modal-content")
	if off.Code != http.StatusUnprocessableEntity || strings.Contains(off.Body, "<html") || !strings.Contains(off.Body, "not enabled for this Smart Account") {
		t.Errorf("update dialog with SLR off: %d", off.Code)
	}
	if err := env.Portal.Service.SetSLREnabled(t.Context(), actorOf(t, env, "admin"), true); err != nil {
		t.Fatal(err)
	}
	frag := c.get("/inventory/1/instances/7/update", "HX-Request", "true", "HX-Target", "modal-content")
	if strings.Contains(frag.Body, "<html") || !strings.Contains(frag.Body, `hx-post="/inventory/1/instances/7/update"`) {
		t.Errorf("update dialog fragment:\n%s", frag.Body)
	}
}
