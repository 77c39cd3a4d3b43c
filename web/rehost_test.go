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

	"slrportal/internal/licensing"
	"slrportal/internal/slrcode"
)

func newRequestCode(t *testing.T, pid, sn string) string {
	t.Helper()
	nonce, err := slrcode.NewNonce()
	if err != nil {
		t.Fatal(err)
	}
	code, err := slrcode.FormatRequestCode(pid, sn, nonce)
	if err != nil {
		t.Fatal(err)
	}
	return code
}

var tokenRe = regexp.MustCompile(`name="token" value="([^"]+)"`)

// rehostStep2 posts Step 1 and returns Step 2's page and one-time token.
func rehostStep2(t *testing.T, c *client, va, pi int64, code string) (response, string) {
	t.Helper()
	base := fmt.Sprintf("/inventory/%d/instances/%d/rehost", va, pi)
	if r := c.get(base); r.Code != http.StatusOK || !strings.Contains(r.Body, "Step 1: Reservation Request Code") {
		t.Fatalf("GET step 1: %d", r.Code)
	}
	r := c.post(base, url.Values{"request_code": {code}, "notes": {"replaced after PSU failure"}})
	m := tokenRe.FindStringSubmatch(r.Body)
	if m == nil {
		return r, ""
	}
	return r, m[1]
}

func TestRehostWizardOverHTTP(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	c := env.login("vauser")
	code := newRequestCode(t, "C9300-24UX", "FCW2999R0001")

	step2, token := rehostStep2(t, c, 1, 3, code)
	if step2.Code != http.StatusOK || token == "" {
		t.Fatalf("step 2: status %d, token %q\n%s", step2.Code, token, step2.Body)
	}
	for _, want := range []string{"Step 2: Review and confirm", "Reserved Licenses to be Rehosted", "C9300 DNA Advantage", "C9300 Network Advantage",
		"uses 1 of 3 allowed rehosts", "Generate Authorization Code"} {
		if !strings.Contains(step2.Body, want) {
			t.Errorf("step 2 lacks %q", want)
		}
	}
	// Back keeps the request code.
	back := c.post("/inventory/1/instances/3/rehost", url.Values{"request_code": {code}, "back": {"1"}})
	if !strings.Contains(back.Body, "Step 1: Reservation Request Code") || !strings.Contains(back.Body, code) {
		t.Errorf("Back lost the request code")
	}

	form := url.Values{"request_code": {code}, "notes": {"replaced after PSU failure"}, "token": {token}}
	gen := c.post("/inventory/1/instances/3/rehost/generate", form)
	if gen.Code != http.StatusSeeOther || !strings.Contains(gen.Location, "/rehost/done?code=") {
		t.Fatalf("generate: %d %q\n%s", gen.Code, gen.Location, gen.Body)
	}
	// A double submit redirects to the same Step 3 and changes nothing.
	again := c.post("/inventory/1/instances/3/rehost/generate", form)
	if again.Code != http.StatusSeeOther || again.Location != gen.Location {
		t.Fatalf("double submit: %d %q, want redirect to %q", again.Code, again.Location, gen.Location)
	}
	step3 := c.get(gen.Location)
	if step3.Code != http.StatusOK || !strings.Contains(step3.Body, "Step 3: Authorization Code") ||
		!strings.Contains(step3.Body, "generated for the replacement product") || !strings.Contains(step3.Body, "Download as File") {
		t.Fatalf("step 3: %d\n%s", step3.Code, step3.Body)
	}
	dl := regexp.MustCompile(`href="(/inventory/1/codes/\d+/download)"`).FindStringSubmatch(step3.Body)
	if dl == nil {
		t.Fatal("no download link on step 3")
	}
	file := c.get(dl[1])
	if file.Code != http.StatusOK || file.Header.Get("Content-Disposition") != `attachment; filename="AuthorizationCode_SN_FCW2999R0001.txt"` {
		t.Fatalf("download: %d %q", file.Code, file.Header.Get("Content-Disposition"))
	}
	if _, err := slrcode.VerifyAuthorizationCode([]byte(file.Body), env.Portal.Service.PublicKey()); err != nil {
		t.Fatalf("downloaded file does not verify: %v", err)
	}
	// The notification shows on the next page.
	list := c.get("/inventory/1/instances")
	if !strings.Contains(list.Body, "AuthorizationCode_SN_FCW2999R0001.txt with the authorization code was downloaded") {
		t.Error("no download notification after the download")
	}
	// Verify (seed): both PIs listed, the failed one Failed - Pending Removal.
	if !strings.Contains(list.Body, "Failed - Pending Removal") || !strings.Contains(list.Body, "FCW2999R0001") {
		t.Error("Product Instances does not show both PIs")
	}
	if n := strings.Count(list.Body, "Failed - Pending Removal"); n != 1 {
		t.Errorf("%d failed PIs listed, want 1", n)
	}
	// Verify (seed): the Event Log searched by the replacement's product.
	ev := c.get("/inventory/1/events?q=FCW2999R0001")
	if !strings.Contains(ev.Body, "Product instance PID:C9300-24UX,SN:FCW2999R0001 reserved licenses from a failed device PID:C9300-24UX,SN:FCW2134L0003") {
		t.Errorf("event log lacks the rehost message:\n%s", ev.Body)
	}
	// Next Steps 3: remove the failed PI without a code; the count returns.
	lic := c.get("/inventory/1/licenses")
	if !strings.Contains(lic.Body, "Insufficient Licenses") {
		t.Error("no Insufficient Licenses alert while the rehost keeps the balance negative")
	}
	rm := c.post("/inventory/1/instances/3/remove", nil)
	if rm.Code != http.StatusSeeOther {
		t.Fatalf("remove failed PI: %d\n%s", rm.Code, rm.Body)
	}
	if r := c.get("/inventory/1/instances/3"); r.Code != http.StatusNotFound {
		t.Errorf("removed PI still answers %d", r.Code)
	}
	ls, err := env.Portal.Service.LicenseRows(t.Context(), actorOf(t, env, "vauser"), 1)
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range ls {
		if l.DisplayName == "C9300 DNA Advantage" && l.InUse != 24 {
			t.Errorf("DNA Advantage in use %d after removal, want 24", l.InUse)
		}
	}

	// The file installs on slrdevice.
	installOnDevice(t, env, "C9300-24UX", "FCW2999R0001", file.Body)
}

func actorOf(t *testing.T, env *testEnv, username string) licensing.Actor {
	t.Helper()
	u, err := env.Portal.Store.UserByUsername(t.Context(), username)
	if err != nil {
		t.Fatal(err)
	}
	a, err := env.Portal.Service.LoadActor(t.Context(), u.ID)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// installOnDevice builds the real slrdevice and installs the file on it.
func installOnDevice(t *testing.T, env *testEnv, pid, sn, file string) {
	t.Helper()
	dir := t.TempDir()
	bin := filepath.Join(dir, "slrdevice")
	if out, err := exec.Command("go", "build", "-o", bin, "slrportal/cmd/slrdevice").CombinedOutput(); err != nil {
		t.Fatalf("build slrdevice: %v\n%s", err, out)
	}
	state := filepath.Join(dir, "dev.json")
	path := filepath.Join(dir, "code.txt")
	if err := os.WriteFile(path, []byte(file), 0o600); err != nil {
		t.Fatal(err)
	}
	run := func(args ...string) string {
		out, err := exec.Command(bin, append(args, "--state", state)...).CombinedOutput()
		if err != nil {
			t.Fatalf("slrdevice %v: %v\n%s", args, err, out)
		}
		return string(out)
	}
	run("init", "--pid", pid, "--sn", sn)
	out := run("install", path, "--key", env.Server.URL+"/signing-key.pem")
	if !strings.Contains(out, "Reservation install file successful") {
		t.Fatalf("install printed %q", out)
	}
}

func TestRehostStep1Refusals(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	c := env.login("sauser")
	cases := []struct {
		name, code, want string
	}{
		{"empty", "", "Enter the Reservation Request Code"},
		{"garbage", "not a code", "Reservation request code"},
		{"bad checksum", "CB-ZC9300-24UX:FCW2134L0RN-AK9A6sMTr-B3", "checksum"},
		{"device of another family, live in another VA", newRequestCode(t, "C9500-48Y4C", "FDO2201C0001"), "is a Catalyst 9500"},
		{"UDI live elsewhere in the SA", newRequestCode(t, "C9300-24UX", "FCW2134L0010"), "already a product instance"},
		{"other family", newRequestCode(t, "ISR4331/K9", "NEW1"), "same family"},
		{"unsupported product", newRequestCode(t, "WS-C3850-24T", "NEW1"), "does not support"},
	}
	for _, tc := range cases {
		r, token := rehostStep2(t, c, 1, 2, tc.code)
		if r.Code != http.StatusUnprocessableEntity || token != "" || !strings.Contains(r.Body, `role="alert"`) || !strings.Contains(r.Body, tc.want) ||
			!strings.Contains(r.Body, "Step 1: Reservation Request Code") {
			t.Errorf("%s: status %d, want 422 on Step 1 with %q", tc.name, r.Code, tc.want)
		}
	}
	page, err := env.Portal.Service.Instances(t.Context(), actorOf(t, env, "sauser"), 1, "", 1)
	if err != nil || page.Total != 30 {
		t.Fatalf("instances after refusals: %d, %v (want 30)", page.Total, err)
	}
}

func TestRehostAccess(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	code := newRequestCode(t, "C9300-24UX", "FCW2999R0002")
	viewer := env.login("saviewer")
	if r := viewer.get("/inventory/1/instances/2/rehost"); r.Code != http.StatusForbidden {
		t.Errorf("viewer GET step 1: %d, want 403", r.Code)
	}
	if r := viewer.post("/inventory/1/instances/2/rehost/generate", url.Values{"request_code": {code}, "token": {"x"}}); r.Code != http.StatusForbidden {
		t.Errorf("viewer POST generate: %d, want 403", r.Code)
	}
	if strings.Contains(viewer.get("/inventory/1/instances").Body, "actions-menu") {
		t.Error("viewer sees an Actions menu")
	}
	user := env.login("vauser")
	// PI 31 belongs to Data Center (VA 2): under Campus it is 404, and VA 2 is not vauser's.
	for _, path := range []string{"/inventory/1/instances/31/rehost", "/inventory/2/instances/31/rehost"} {
		if r := user.get(path); r.Code != http.StatusNotFound {
			t.Errorf("GET %s: %d, want 404", path, r.Code)
		}
		if r := user.post(path+"/generate", url.Values{"request_code": {code}, "token": {"y"}}); r.Code != http.StatusNotFound {
			t.Errorf("POST %s/generate: %d, want 404", path, r.Code)
		}
	}
	// A POST without the CSRF token changes nothing.
	if r := user.postRaw("/inventory/1/instances/2/rehost/generate", url.Values{"request_code": {code}, "token": {"z"}}); r.Code != http.StatusForbidden && r.Code != http.StatusBadRequest {
		t.Errorf("POST without CSRF: %d", r.Code)
	}
	if id, _ := env.Portal.Store.LiveUDI(t.Context(), 1, "C9300-24UX", "FCW2999R0002"); id != 0 {
		t.Error("a refused POST created the replacement")
	}
}

func TestRehostThresholdRefusalOverHTTP(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	c := env.login("admin")
	// Campus: 30 PIs short of DNA Advantage → limit 3.
	for i := range 3 {
		code := newRequestCode(t, "C9300-24UX", fmt.Sprintf("FCW2999T%04d", i))
		_, token := rehostStep2(t, c, 1, int64(i+1), code)
		r := c.post(fmt.Sprintf("/inventory/1/instances/%d/rehost/generate", i+1), url.Values{"request_code": {code}, "token": {token}})
		if r.Code != http.StatusSeeOther {
			t.Fatalf("rehost %d: %d", i+1, r.Code)
		}
	}
	r, token := rehostStep2(t, c, 1, 4, newRequestCode(t, "C9300-24UX", "FCW2999T0009"))
	if r.Code != http.StatusUnprocessableEntity || token != "" || !strings.Contains(r.Body, "Previous Product Return Pending: The licenses on this product cannot be moved") {
		t.Fatalf("4th rehost: %d, want the refusal on Step 1", r.Code)
	}
	ev := c.get("/inventory/1/events?type=REHOST_REFUSED")
	if !strings.Contains(ev.Body, "refused: previous product return pending") {
		t.Error("no refused-rehost event")
	}
}

func TestRehostDialogFragment(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	c := env.login("vaadmin")
	r := c.get("/inventory/1/instances/5/rehost", "HX-Request", "true", "HX-Target", "modal-content")
	if r.Code != http.StatusOK || strings.Contains(r.Body, "<html") || !strings.Contains(r.Body, `hx-post="/inventory/1/instances/5/rehost"`) ||
		!strings.Contains(r.Body, "data-close-modal") {
		t.Fatalf("dialog fragment: %d\n%s", r.Code, r.Body)
	}
	full := c.get("/inventory/1/instances/5/rehost")
	if !strings.Contains(full.Body, "<html") || strings.Contains(full.Body, `hx-post="/inventory/1/instances/5/rehost"`) {
		t.Fatal("full page should be a plain form")
	}
}

// TestDownloadNoticeOnce: without JavaScript the notice waits for the next
// page; when app.js already showed it (notice=shown) it is not repeated.
func TestDownloadNoticeOnce(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	c := env.login("vauser")
	codes, err := env.Portal.Store.AuthCodes(t.Context(), 1)
	if err != nil || len(codes) == 0 {
		t.Fatalf("codes of PI 1: %v", err)
	}
	url := fmt.Sprintf("/inventory/1/codes/%d/download", codes[0].ID)
	const notice = "with the authorization code was downloaded"
	if r := c.get(url + "?notice=shown"); r.Code != http.StatusOK {
		t.Fatalf("download: %d", r.Code)
	}
	if strings.Contains(c.get("/inventory/1/instances").Body, notice) {
		t.Error("notice repeated after the page had shown it")
	}
	c.get(url)
	if !strings.Contains(c.get("/inventory/1/instances").Body, notice) {
		t.Error("no notice after a download without JavaScript")
	}
}
