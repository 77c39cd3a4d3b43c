package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// TestRepeatedRemoveAndTransferSayWhatHappened: a second submit (double
// click, retry, back button) of an action that already happened answers
// with what became of the product instance, not with "not found".
func TestRepeatedRemoveAndTransferSayWhatHappened(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	c := env.login("sauser")
	// Transfer PI 5 from Campus (1) to Branch Offices (3), twice.
	form := url.Values{"target_va": {"3"}}
	if r := c.post("/inventory/1/instances/5/transfer", form); r.Code != http.StatusSeeOther {
		t.Fatalf("transfer: %d\n%s", r.Code, r.Body)
	}
	c.get("/inventory/1/instances") // takes the first notice
	r := c.post("/inventory/1/instances/5/transfer", form)
	if r.Code != http.StatusSeeOther || r.Location != "/inventory/1/instances" {
		t.Fatalf("second transfer: %d %q, want a redirect to the list", r.Code, r.Location)
	}
	if !strings.Contains(c.get(r.Location).Body, "is already in virtual account Branch Offices") {
		t.Error("the list does not say where the PI went")
	}
	// Rehost PI 1, remove the failed device, twice.
	code := newRequestCode(t, "C9300-24UX", "FCW2999W0001")
	_, token := rehostStep2(t, c, 1, 1, code)
	if r := c.post("/inventory/1/instances/1/rehost/generate", url.Values{"request_code": {code}, "token": {token}}); r.Code != http.StatusSeeOther {
		t.Fatalf("rehost: %d", r.Code)
	}
	if r := c.post("/inventory/1/instances/1/remove", nil); r.Code != http.StatusSeeOther {
		t.Fatalf("remove: %d", r.Code)
	}
	c.get("/inventory/1/instances")
	r = c.post("/inventory/1/instances/1/remove", nil)
	if r.Code != http.StatusSeeOther || !strings.Contains(c.get(r.Location).Body, "was already removed") {
		t.Fatalf("second remove: %d %q, want a redirect and a notice", r.Code, r.Location)
	}
	// For a user who may not see where a PI is, it is still 404.
	if r := env.login("vauser").post("/inventory/1/instances/31/remove", nil); r.Code != http.StatusNotFound {
		t.Errorf("remove of a PI in a VA the user may not see: %d, want 404", r.Code)
	}
}

// TestRehostHistoryHidesInvisibleVAs: the "Rehosted to" line of a failed PI
// does not show a replacement that moved to a VA the user may not see.
func TestRehostHistoryHidesInvisibleVAs(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	admin := env.login("admin")
	code := newRequestCode(t, "C9300-24UX", "FCW2999H0001")
	_, token := rehostStep2(t, admin, 1, 2, code)
	if r := admin.post("/inventory/1/instances/2/rehost/generate", url.Values{"request_code": {code}, "token": {token}}); r.Code != http.StatusSeeOther {
		t.Fatalf("rehost: %d", r.Code)
	}
	repl, err := env.Portal.Store.LiveUDI(t.Context(), 1, "C9300-24UX", "FCW2999H0001")
	if err != nil || repl == 0 {
		t.Fatal("no replacement")
	}
	campusAdmin := env.login("vaadmin")
	if b := campusAdmin.get("/inventory/1/instances/2").Body; !strings.Contains(b, "FCW2999H0001") {
		t.Fatal("the replacement in the same VA is not shown")
	}
	if r := admin.post(fmt.Sprintf("/inventory/1/instances/%d/transfer", repl), url.Values{"target_va": {"2"}}); r.Code != http.StatusSeeOther {
		t.Fatalf("transfer of the replacement: %d\n%s", r.Code, r.Body)
	}
	if b := campusAdmin.get("/inventory/1/instances/2").Body; strings.Contains(b, "FCW2999H0001") {
		t.Error("a Campus-only user sees a device in Data Center")
	}
	if b := admin.get("/inventory/1/instances/2").Body; !strings.Contains(b, fmt.Sprintf(`href="/inventory/2/instances/%d"`, repl)) {
		t.Error("the SA admin's link does not point into the replacement's own VA")
	}
}
