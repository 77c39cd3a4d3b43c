package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"slrportal/internal/demo"
)

func TestTransferInstanceOverHTTP(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	c := env.login("vauser") // manages Campus (1) and Branch Offices (3), not Data Center (2)
	dna, nw := licenseOf(t, env, 1, demo.TagC9300DNAAdv), licenseOf(t, env, 1, demo.TagC9300NWAdv)
	form := c.get("/inventory/1/instances/5/transfer")
	if form.Code != http.StatusOK || !strings.Contains(form.Body, `<option value="3"`) || strings.Contains(form.Body, `<option value="2"`) {
		t.Fatalf("transfer form: %d, want only Branch Offices as target\n%s", form.Code, form.Body)
	}
	// Refused: a VA without rights, an unknown VA, the same VA. Nothing changes.
	for _, target := range []string{"2", "999", "1", "x"} {
		r := c.post("/inventory/1/instances/5/transfer", url.Values{"target_va": {target}})
		if r.Code != http.StatusUnprocessableEntity || !strings.Contains(r.Body, `role="alert"`) {
			t.Errorf("transfer to %s: %d, want 422", target, r.Code)
		}
	}
	if p := piStatus(t, env, 5); p.VAID != 1 || licenseOf(t, env, 1, demo.TagC9300DNAAdv).Purchased != dna.Purchased {
		t.Fatal("a refused transfer changed something")
	}
	r := c.post("/inventory/1/instances/5/transfer", url.Values{"target_va": {"3"}})
	if r.Code != http.StatusSeeOther {
		t.Fatalf("transfer: %d\n%s", r.Code, r.Body)
	}
	if p := piStatus(t, env, 5); p.VAID != 3 || p.Total() != 2 {
		t.Fatalf("after transfer the PI is in VA %d with %+v", p.VAID, p.Lines)
	}
	for _, x := range []struct {
		tag                 string
		src                 int
		srcUse              int
		wantDstP, wantDstIU int
	}{{demo.TagC9300DNAAdv, dna.Purchased, dna.InUse, 1, 1}, {demo.TagC9300NWAdv, nw.Purchased, nw.InUse, 1, 1}} {
		s, d := licenseOf(t, env, 1, x.tag), licenseOf(t, env, 3, x.tag)
		if s.Purchased != x.src-1 || s.InUse != x.srcUse-1 || d.Purchased != x.wantDstP || d.InUse != x.wantDstIU {
			t.Errorf("%s: source %d/%d, target %d/%d", x.tag, s.Purchased, s.InUse, d.Purchased, d.InUse)
		}
	}
	if r := c.get("/inventory/1/instances/5"); r.Code != http.StatusNotFound {
		t.Errorf("the PI still answers under Campus: %d", r.Code)
	}
	if r := c.get("/inventory/3/instances/5"); r.Code != http.StatusOK {
		t.Errorf("the PI does not answer under Branch Offices: %d", r.Code)
	}
	for va, want := range map[int]string{1: "transferred to virtual account Branch Offices", 3: "transferred from virtual account Campus"} {
		if ev := c.get(fmt.Sprintf("/inventory/%d/events?type=TRANSFER", va)); !strings.Contains(ev.Body, want) {
			t.Errorf("VA %d event log lacks %q", va, want)
		}
	}
	// Its return code still works in the new VA.
	if r := c.get("/inventory/3/instances/5/remove"); r.Code != http.StatusOK {
		t.Errorf("remove form in the new VA: %d", r.Code)
	}
	// A VA admin of Campus only has nowhere to transfer to.
	if r := env.login("vaadmin").get("/inventory/1/instances/6/transfer"); !strings.Contains(r.Body, "no other virtual account that you may manage") {
		t.Error("vaadmin was offered a target")
	}
	frag := c.get("/inventory/1/instances/6/transfer", "HX-Request", "true", "HX-Target", "modal-content")
	if strings.Contains(frag.Body, "<html") || !strings.Contains(frag.Body, `hx-post="/inventory/1/instances/6/transfer"`) {
		t.Errorf("transfer dialog fragment:\n%s", frag.Body)
	}
	if r := env.login("saviewer").post("/inventory/1/instances/6/transfer", url.Values{"target_va": {"3"}}); r.Code != http.StatusForbidden {
		t.Errorf("viewer transfer: %d", r.Code)
	}
}

func TestTransferLicensesOverHTTP(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	c := env.login("vauser")
	nw := licenseOf(t, env, 1, demo.TagC9300NWAdv) // balance 6
	path := fmt.Sprintf("/inventory/1/licenses/%d/transfer", nw.ID)
	if r := c.get("/inventory/1/licenses"); !strings.Contains(r.Body, `href="`+path+`"`) {
		t.Fatal("the Licenses tab has no Transfer action")
	}
	form := c.get(path)
	token := tokenRe.FindStringSubmatch(form.Body)
	if form.Code != http.StatusOK || token == nil {
		t.Fatalf("form: %d", form.Code)
	}
	for _, bad := range []struct {
		target, qty, want string
	}{
		{"3", "7", "more than the balance"},
		{"3", "0", "1 or more"},
		{"3", "many", "1 or more"},
		{"2", "1", "may manage"},
		{"999", "1", "may manage"},
	} {
		r := c.post(path, url.Values{"target_va": {bad.target}, "quantity": {bad.qty}, "token": {"bad-" + bad.target + bad.qty}})
		if r.Code != http.StatusUnprocessableEntity || !strings.Contains(r.Body, bad.want) {
			t.Errorf("transfer %s to %s: %d, want 422 with %q", bad.qty, bad.target, r.Code, bad.want)
		}
	}
	if l := licenseOf(t, env, 1, demo.TagC9300NWAdv); l.Purchased != nw.Purchased {
		t.Fatal("a refused transfer changed purchased")
	}
	ok := url.Values{"target_va": {"3"}, "quantity": {"4"}, "token": {token[1]}}
	for range 2 { // a double submit transfers once
		if r := c.post(path, ok); r.Code != http.StatusSeeOther {
			t.Fatalf("transfer: %d\n%s", r.Code, r.Body)
		}
	}
	if s, d := licenseOf(t, env, 1, demo.TagC9300NWAdv), licenseOf(t, env, 3, demo.TagC9300NWAdv); s.Purchased != nw.Purchased-4 || d.Purchased != 4 {
		t.Fatalf("after transfer: source %d, target %d", s.Purchased, d.Purchased)
	}
	if r := c.get("/inventory/3/licenses"); !strings.Contains(r.Body, "C9300 Network Advantage") {
		t.Error("the target's Licenses tab lacks the license")
	}
	for va, want := range map[int]string{1: "4 × C9300 Network Advantage transferred to virtual account Branch Offices", 3: "4 × C9300 Network Advantage transferred from virtual account Campus"} {
		if ev := c.get(fmt.Sprintf("/inventory/%d/events?type=LICENSE_TRANSFER", va)); !strings.Contains(ev.Body, want) {
			t.Errorf("VA %d event log lacks %q", va, want)
		}
	}
	frag := c.get(path, "HX-Request", "true", "HX-Target", "modal-content")
	if strings.Contains(frag.Body, "<html") || !strings.Contains(frag.Body, `hx-post="`+path+`"`) {
		t.Errorf("dialog fragment:\n%s", frag.Body)
	}
	if r := env.login("vaviewer").get("/inventory/1/licenses/1/transfer"); r.Code != http.StatusNotFound {
		t.Errorf("hidden VA: %d", r.Code)
	}
}
