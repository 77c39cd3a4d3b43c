package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"slrportal/internal/demo"
	"slrportal/internal/licensing"
	"slrportal/internal/slrcode"
)

// licenseOf returns the license with tag in vaID, read from the store.
func licenseOf(t *testing.T, env *testEnv, vaID int64, tag string) licensing.License {
	t.Helper()
	ls, err := env.Portal.Store.Licenses(t.Context(), vaID)
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range ls {
		if l.Tag == tag {
			return l
		}
	}
	return licensing.License{}
}

func qtyField(l licensing.License) string { return fmt.Sprintf("qty_%d", l.ID) }

// reserveThrough posts Steps 1–3 of the reserve wizard and returns Step 3's
// one-time token ("" when a step refused).
func reserveThrough(t *testing.T, c *client, va int64, code string, qty url.Values) (response, string) {
	t.Helper()
	base := fmt.Sprintf("/inventory/%d/reserve", va)
	if r := c.get(base); r.Code != http.StatusOK || !strings.Contains(r.Body, "Step 1: Enter Request Code") {
		t.Fatalf("GET step 1: %d", r.Code)
	}
	r := c.post(base, url.Values{"request_code": {code}})
	if r.Code != http.StatusOK {
		return r, ""
	}
	form := url.Values{"request_code": {code}}
	for k, v := range qty {
		form[k] = v
	}
	r = c.post(base+"/review", form)
	m := tokenRe.FindStringSubmatch(r.Body)
	if m == nil {
		return r, ""
	}
	return r, m[1]
}

func TestReserveWizardOverHTTP(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	c := env.login("vauser")
	if r := c.get("/inventory/1/licenses"); !strings.Contains(r.Body, "License Reservation") {
		t.Fatal("no License Reservation button for a manager")
	}
	code := newRequestCode(t, "C9300-48P", "FCW3000A0001")
	nw, dna := licenseOf(t, env, 1, demo.TagC9300NWAdv), licenseOf(t, env, 1, demo.TagC9300DNAAdv)

	step2 := c.post("/inventory/1/reserve", url.Values{"request_code": {code}})
	if step2.Code != http.StatusOK || !strings.Contains(step2.Body, "Step 2: Select Licenses") || !strings.Contains(step2.Body, `name="`+qtyField(nw)+`"`) ||
		strings.Contains(step2.Body, "C9200 DNA Essentials") {
		t.Fatalf("step 2: %d (want only C9300 licenses)\n%s", step2.Code, step2.Body)
	}
	step3, token := reserveThrough(t, c, 1, code, url.Values{qtyField(nw): {"2"}, qtyField(dna): {""}})
	if token == "" || !strings.Contains(step3.Body, "Step 3: Review and Confirm") || !strings.Contains(step3.Body, "C9300 Network Advantage") {
		t.Fatalf("step 3: %d\n%s", step3.Code, step3.Body)
	}
	// Back from Step 3 keeps the quantities.
	back := c.post("/inventory/1/reserve/review", url.Values{"request_code": {code}, qtyField(nw): {"2"}, "back": {"1"}})
	if !strings.Contains(back.Body, "Step 2: Select Licenses") || !strings.Contains(back.Body, `value="2"`) {
		t.Error("Back from Step 3 lost the quantities")
	}
	form := url.Values{"request_code": {code}, qtyField(nw): {"2"}, "token": {token}}
	gen := c.post("/inventory/1/reserve/generate", form)
	if gen.Code != http.StatusSeeOther || !strings.Contains(gen.Location, "/inventory/1/reserve/done?code=") {
		t.Fatalf("generate: %d %q\n%s", gen.Code, gen.Location, gen.Body)
	}
	if again := c.post("/inventory/1/reserve/generate", form); again.Code != http.StatusSeeOther || again.Location != gen.Location {
		t.Fatalf("double submit: %d %q, want %q", again.Code, again.Location, gen.Location)
	}
	step4 := c.get(gen.Location)
	if step4.Code != http.StatusOK || !strings.Contains(step4.Body, "Step 4: Authorization Code") || !strings.Contains(step4.Body, "Download as File") {
		t.Fatalf("step 4: %d\n%s", step4.Code, step4.Body)
	}
	dl := regexp.MustCompile(`href="(/inventory/1/codes/\d+/download)"`).FindStringSubmatch(step4.Body)
	if dl == nil {
		t.Fatal("no download link")
	}
	file := c.get(dl[1])
	ac, err := slrcode.VerifyAuthorizationCode([]byte(file.Body), env.Portal.Service.PublicKey())
	if err != nil || ac.UDI.SN != "FCW3000A0001" || len(ac.Entitlements) != 1 || ac.Entitlements[0].Count != 2 {
		t.Fatalf("downloaded code: %+v, %v", ac, err)
	}
	if l := licenseOf(t, env, 1, demo.TagC9300NWAdv); l.InUse != nw.InUse+2 {
		t.Fatalf("in use %d, want %d", l.InUse, nw.InUse+2)
	}
	list := c.get("/inventory/1/instances?q=FCW3000A0001")
	if !strings.Contains(list.Body, "FCW3000A0001") || !strings.Contains(list.Body, ">Reserved<") {
		t.Error("the new PI is not listed as Reserved")
	}
	if ev := c.get("/inventory/1/events?q=FCW3000A0001"); !strings.Contains(ev.Body, "Product instance PID:C9300-48P,SN:FCW3000A0001 reserved 2 × C9300 Network Advantage") {
		t.Error("no reserve event")
	}
	installOnDevice(t, env, "C9300-48P", "FCW3000A0001", file.Body)
}

func TestReserveRefusalsOverHTTP(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	c := env.login("sauser")
	nw := licenseOf(t, env, 1, demo.TagC9300NWAdv) // balance 6
	c9200 := licenseOf(t, env, 1, demo.TagC9200DNAEss)
	fresh := newRequestCode(t, "C9300-24UX", "FCW3000B0001")
	cases := []struct {
		name, code string
		qty        url.Values
		step, want string
	}{
		{"malformed", "CB-ZC9300-24UX:FCW2134L0RN-AK9A6sMTr-B3", nil, "Step 1", "checksum"},
		{"unsupported family", newRequestCode(t, "WS-C3850-24T", "FOC1"), nil, "Step 1", "does not support Specific License Reservation"},
		{"UDI live in the SA", newRequestCode(t, "C9500-48Y4C", "FDO2201C0001"), nil, "Step 1", "already a product instance"},
		{"over balance", fresh, url.Values{qtyField(nw): {"7"}}, "Step 2", "more than is available (6)"},
		{"nothing selected", fresh, url.Values{qtyField(nw): {"0"}}, "Step 2", "Select at least one license"},
		{"not a number", fresh, url.Values{qtyField(nw): {"two"}}, "Step 2", "whole number"},
		{"license of another family", fresh, url.Values{qtyField(c9200): {"1"}}, "Step 2", "only licenses from the list"},
	}
	for _, tc := range cases {
		r, token := reserveThrough(t, c, 1, tc.code, tc.qty)
		if r.Code != http.StatusUnprocessableEntity || token != "" || !strings.Contains(r.Body, `role="alert"`) || !strings.Contains(r.Body, tc.want) ||
			!strings.Contains(r.Body, `aria-current="step">`+tc.step) {
			t.Errorf("%s: %d, want 422 on %s with %q", tc.name, r.Code, tc.step, tc.want)
		}
	}
	// Generate itself refuses over balance (e.g. a forged or stale form).
	r := c.post("/inventory/1/reserve/generate", url.Values{"request_code": {fresh}, qtyField(nw): {"7"}, "token": {"forged"}})
	if r.Code != http.StatusUnprocessableEntity || !strings.Contains(r.Body, "more than is available") {
		t.Errorf("generate over balance: %d", r.Code)
	}
	// SLR disabled.
	if err := env.Portal.Service.SetSLREnabled(t.Context(), actorOf(t, env, "admin"), false); err != nil {
		t.Fatal(err)
	}
	r = c.post("/inventory/1/reserve/generate", url.Values{"request_code": {fresh}, qtyField(nw): {"1"}, "token": {"off"}})
	if r.Code != http.StatusUnprocessableEntity || !strings.Contains(r.Body, "not enabled for this Smart Account") || !strings.Contains(r.Body, `aria-current="step">Step 1`) {
		t.Errorf("generate with SLR off: %d", r.Code)
	}
	if r := c.get("/inventory/1/reserve"); r.Code != http.StatusUnprocessableEntity || !strings.Contains(r.Body, "not enabled for this Smart Account") {
		t.Errorf("GET Step 1 with SLR off: %d, want 422 with the message", r.Code)
	}
	// Nothing changed.
	if id, _ := env.Portal.Store.LiveUDI(t.Context(), 1, "C9300-24UX", "FCW3000B0001"); id != 0 {
		t.Error("a refused reserve created the PI")
	}
	if l := licenseOf(t, env, 1, demo.TagC9300NWAdv); l.InUse != nw.InUse {
		t.Errorf("in use changed to %d", l.InUse)
	}
	evs, _ := env.Portal.Store.Events(t.Context(), licensing.EventQuery{SAID: 1, Type: licensing.EventReserve, Limit: 10})
	if len(evs) != 0 {
		t.Errorf("%d reserve events after refusals", len(evs))
	}
}

func TestReserveAccessAndDialog(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	viewer := env.login("saviewer")
	if r := viewer.get("/inventory/1/reserve"); r.Code != http.StatusForbidden {
		t.Errorf("viewer GET: %d, want 403", r.Code)
	}
	if r := viewer.post("/inventory/1/reserve/generate", url.Values{"request_code": {newRequestCode(t, "C9300-24UX", "V1")}, "token": {"v"}}); r.Code != http.StatusForbidden {
		t.Errorf("viewer POST: %d, want 403", r.Code)
	}
	if strings.Contains(viewer.get("/inventory/1/licenses").Body, "License Reservation") {
		t.Error("viewer sees the License Reservation button")
	}
	user := env.login("vauser") // not Data Center (VA 2)
	if r := user.get("/inventory/2/reserve"); r.Code != http.StatusNotFound {
		t.Errorf("GET in a hidden VA: %d, want 404", r.Code)
	}
	frag := user.get("/inventory/1/reserve", "HX-Request", "true", "HX-Target", "modal-content")
	if frag.Code != http.StatusOK || strings.Contains(frag.Body, "<html") || !strings.Contains(frag.Body, `hx-post="/inventory/1/reserve"`) {
		t.Fatalf("dialog fragment: %d\n%s", frag.Code, frag.Body)
	}
	if full := user.get("/inventory/1/reserve"); !strings.Contains(full.Body, "<html") || strings.Contains(full.Body, "hx-post=") {
		t.Error("the full page should be a plain form")
	}
}

// TestConcurrentReservesOverHTTP: 12 devices ask at once for 2 licenses of a
// license with balance 6; exactly 3 get a code and the balance ends at 0.
func TestConcurrentReservesOverHTTP(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	c := env.login("vauser")
	c.get("/inventory/1/reserve") // a fresh CSRF token
	nw := licenseOf(t, env, 1, demo.TagC9300NWAdv)
	if nw.Balance() != 6 {
		t.Fatalf("balance %d, want 6", nw.Balance())
	}
	const n = 12
	codes := make([]int, n)
	errs := make(chan error, n)
	done := make(chan struct{})
	for i := range n {
		form := url.Values{"_csrf": {c.csrf}, "request_code": {newRequestCode(t, "C9300-24UX", fmt.Sprintf("FCW3200C%04d", i))},
			qtyField(nw): {"2"}, "token": {fmt.Sprintf("race-%d", i)}}
		go func() {
			defer func() { done <- struct{}{} }()
			req, err := http.NewRequest(http.MethodPost, c.base+"/inventory/1/reserve/generate", strings.NewReader(form.Encode()))
			if err != nil {
				errs <- err
				return
			}
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			resp, err := c.http.Do(req)
			if err != nil {
				errs <- err
				return
			}
			resp.Body.Close()
			codes[i] = resp.StatusCode
		}()
	}
	for range n {
		<-done
	}
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	won, refused := 0, 0
	for _, code := range codes {
		switch code {
		case http.StatusSeeOther:
			won++
		case http.StatusUnprocessableEntity:
			refused++
		}
	}
	if won != 3 || refused != n-3 {
		t.Fatalf("%d reserved and %d refused (statuses %v), want 3 and %d", won, refused, codes, n-3)
	}
	if l := licenseOf(t, env, 1, demo.TagC9300NWAdv); l.Balance() != 0 {
		t.Fatalf("balance %d, want 0", l.Balance())
	}
}
