package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"slrportal/internal/demo"
)

func TestSettingsAccess(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	for _, u := range []string{"sauser", "saviewer", "vaadmin", "vauser", "vaviewer"} {
		c := env.login(u)
		if r := c.get("/admin/settings"); r.Code != http.StatusNotFound {
			t.Errorf("%s GET /admin/settings: %d, want 404", u, r.Code)
		}
		if r := c.post("/admin/settings", url.Values{}); r.Code != http.StatusNotFound {
			t.Errorf("%s POST /admin/settings: %d, want 404", u, r.Code)
		}
		if r := c.post("/admin/settings/deposit", url.Values{"va": {"1"}, "license": {"1"}, "quantity": {"5"}, "token": {"t-" + u}}); r.Code != http.StatusNotFound {
			t.Errorf("%s POST deposit: %d, want 404", u, r.Code)
		}
		if strings.Contains(c.get("/inventory/1/general").Body, `href="/admin/settings"`) && u != "admin" {
			t.Errorf("%s sees the Admin tab", u)
		}
	}
	sa, _ := env.Portal.Store.SmartAccount(t.Context(), 1)
	if !sa.SLREnabled {
		t.Fatal("a refused POST disabled SLR")
	}
	ls, _ := env.Portal.Store.Licenses(t.Context(), 1)
	for _, l := range ls {
		if l.Tag == demo.TagC9300DNAAdv && l.Purchased != 22 {
			t.Fatalf("a refused deposit changed purchased to %d", l.Purchased)
		}
	}
}

func TestSettingsToggleAndDeposit(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	c := env.login("admin")
	if r := c.get("/inventory/1/general"); !strings.Contains(r.Body, `href="/admin/settings"`) {
		t.Fatal("admin has no Admin tab")
	}
	page := c.get("/admin/settings")
	for _, want := range []string{"Products that support SLR", "Catalyst 9300", "C9300X-", "NCS 540", "Deposit Licenses", `id="slr-state">Enabled`} {
		if !strings.Contains(page.Body, want) {
			t.Errorf("settings page lacks %q", want)
		}
	}
	// Disable: the General tab says so and the event is logged at SA level.
	if r := c.post("/admin/settings", url.Values{}); r.Code != http.StatusSeeOther || r.Location != "/admin/settings" {
		t.Fatalf("disable: %d %q", r.Code, r.Location)
	}
	if r := c.get("/admin/settings"); !strings.Contains(r.Body, `id="slr-state">Disabled`) || !strings.Contains(r.Body, "is disabled for this Smart Account") {
		t.Fatal("settings page does not show SLR disabled")
	}
	if r := c.get("/inventory/1/general"); !strings.Contains(r.Body, "Reserve, rehost and update are refused") {
		t.Error("General tab does not say SLR is disabled")
	}
	if r := c.get("/activity/events?type=SETTINGS"); !strings.Contains(r.Body, "Specific License Reservation disabled") {
		t.Error("no settings event")
	}
	// Rehost is refused while disabled, with the message on Step 1.
	r, token := rehostStep2(t, c, 1, 2, newRequestCode(t, "C9300-24UX", "FCW2999S0001"))
	if r.Code != http.StatusUnprocessableEntity || token != "" || !strings.Contains(r.Body, "not enabled for this Smart Account") {
		t.Fatalf("rehost with SLR off: %d", r.Code)
	}
	if r := c.post("/admin/settings", url.Values{"slr_enabled": {"1"}}); r.Code != http.StatusSeeOther {
		t.Fatalf("enable: %d", r.Code)
	}
	if sa, _ := env.Portal.Store.SmartAccount(t.Context(), 1); !sa.SLREnabled {
		t.Fatal("SLR not enabled again")
	}

	// Deposit into an existing license; a resubmit with the same token changes nothing.
	form := url.Values{"va": {"1"}, "license": {"1"}, "quantity": {"5"}, "token": {tokenRe.FindStringSubmatch(c.get("/admin/settings").Body)[1]}}
	for range 2 {
		if r := c.post("/admin/settings/deposit", form); r.Code != http.StatusSeeOther {
			t.Fatalf("deposit: %d\n%s", r.Code, r.Body)
		}
	}
	lic := c.get("/inventory/1/licenses")
	if !strings.Contains(lic.Body, `<td class="num">27</td>`) {
		t.Errorf("Licenses tab does not show 27 purchased after depositing 5 into 22")
	}
	// A new TERM license into Branch Offices.
	form = url.Values{"va": {"3"}, "license": {"new"}, "tag": {"regid.2026-01.com.cisco.ISR4K_UC,1.0_x"}, "display_name": {"ISR 4000 Unified Communications"},
		"family": {"ISR4000"}, "type": {"TERM"}, "end_date": {"2029-06-30"}, "quantity": {"12"}, "token": {"new-lic"}}
	if r := c.post("/admin/settings/deposit", form); r.Code != http.StatusSeeOther {
		t.Fatalf("deposit new: %d\n%s", r.Code, r.Body)
	}
	if r := c.get("/inventory/3/licenses"); !strings.Contains(r.Body, "ISR 4000 Unified Communications") || !strings.Contains(r.Body, "Expires 2029-06-30") {
		t.Error("new license not on the Licenses tab")
	}
	if r := c.get("/inventory/3/events?type=DEPOSIT"); !strings.Contains(r.Body, "12 × ISR 4000 Unified Communications deposited into virtual account Branch Offices") {
		t.Error("no deposit event in the VA")
	}
	// Bad input: 422 with the message, nothing changed.
	bad := []struct {
		form url.Values
		want string
	}{
		{url.Values{"va": {"1"}, "license": {"1"}, "quantity": {"0"}, "token": {"b1"}}, "quantity between"},
		{url.Values{"va": {"1"}, "license": {"1"}, "quantity": {"lots"}, "token": {"b2"}}, "quantity between"},
		{url.Values{"va": {"2"}, "license": {"1"}, "quantity": {"1"}, "token": {"b3"}}, "Choose a license of virtual account Data Center"},
		{url.Values{"va": {"1"}, "license": {"new"}, "tag": {"x"}, "display_name": {"X"}, "family": {"C9300"}, "type": {"TERM"}, "quantity": {"1"}, "token": {"b4"}}, "end date"},
	}
	for _, b := range bad {
		r := c.post("/admin/settings/deposit", b.form)
		if r.Code != http.StatusUnprocessableEntity || !strings.Contains(r.Body, `role="alert"`) || !strings.Contains(r.Body, b.want) {
			t.Errorf("deposit %v: %d, want 422 with %q", b.form, r.Code, b.want)
		}
	}
	if r := c.get("/inventory/1/licenses"); !strings.Contains(r.Body, `<td class="num">27</td>`) {
		t.Error("a refused deposit changed the Licenses tab")
	}
}
