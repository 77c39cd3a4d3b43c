package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"slrportal/internal/demo"
	"slrportal/internal/slrcode"
)

func TestRemoveReservedWithReturnCode(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	c := env.login("vaadmin")
	const pi = 8 // a Reserved C9300 of Campus, imported with its authorization code
	before := licenseOf(t, env, 1, demo.TagC9300NWAdv)
	p := piStatus(t, env, pi)
	codes, err := env.Portal.Store.AuthCodes(t.Context(), pi)
	if err != nil || len(codes) == 0 {
		t.Fatalf("codes: %v", err)
	}
	frag := c.get("/inventory/1/instances/8/remove", "HX-Request", "true", "HX-Target", "modal-content")
	if frag.Code != http.StatusOK || strings.Contains(frag.Body, "<html") || !strings.Contains(frag.Body, `name="return_code"`) {
		t.Fatalf("remove dialog: %d", frag.Code)
	}
	// Wrong codes: a code of another PI, garbage, nothing at all.
	other := slrcode.ReturnCode(piStatus(t, env, 9).PIID, codes[0].Signature)
	for _, wrong := range []string{other, "not-a-code", ""} {
		r := c.post("/inventory/1/instances/8/remove", url.Values{"return_code": {wrong}})
		if r.Code != http.StatusUnprocessableEntity || !strings.Contains(r.Body, `role="alert"`) {
			t.Errorf("return code %q: %d, want 422", wrong, r.Code)
		}
	}
	if got := piStatus(t, env, pi); got.Removed || licenseOf(t, env, 1, demo.TagC9300NWAdv).InUse != before.InUse {
		t.Fatal("a wrong return code changed something")
	}
	// The right code, lower case with spaces instead of hyphens, removes it.
	right := strings.ToLower(strings.ReplaceAll(slrcode.ReturnCode(p.PIID, codes[0].Signature), "-", " "))
	r := c.post("/inventory/1/instances/8/remove", url.Values{"return_code": {right}})
	if r.Code != http.StatusSeeOther {
		t.Fatalf("remove: %d\n%s", r.Code, r.Body)
	}
	if !piStatus(t, env, pi).Removed {
		t.Fatal("not removed")
	}
	if l := licenseOf(t, env, 1, demo.TagC9300NWAdv); l.InUse != before.InUse-1 {
		t.Fatalf("in use %d, want %d", l.InUse, before.InUse-1)
	}
	if ev := c.get("/inventory/1/events?type=REMOVE"); !strings.Contains(ev.Body, "Product instance PID:C9300-24UX,SN:FCW2134L0008 removed") {
		t.Error("no remove event")
	}
}
