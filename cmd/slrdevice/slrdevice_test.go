package main

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"slrportal/internal/slrcode"
)

const (
	testPID  = "C9300-24UX"
	testSN   = "FCW2134L0RN"
	testPIID = "3f2a9c1e-7b4d-4e8a-9c2f-1d6e5b4a3c21"
)

var testInstallTime = time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)

// portal is the part of a portal that a device sees: a signing key whose
// public half is a PEM file, and the codes it issues.
type portal struct {
	key    *ecdsa.PrivateKey
	pubPEM []byte
	pubKey string // path of the public key file
}

func newPortal(t *testing.T) *portal {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	pubPEM, err := slrcode.MarshalPublicKeyPEM(&key.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "signing-key.pem")
	if err := os.WriteFile(path, pubPEM, 0o644); err != nil {
		t.Fatal(err)
	}
	return &portal{key: key, pubPEM: pubPEM, pubKey: path}
}

var testEntitlements = []slrcode.Entitlement{
	{Tag: "regid.2017-03.com.cisco.C9300_DNA_Advantage,1.0_1b5e5c2c", Count: 3, DisplayName: "C9300 DNA Advantage"},
	{Tag: "regid.2017-03.com.cisco.C9300_DNA_Essentials,1.0_6a1e7d3b", Count: 2, LicenseType: "TERM", EndDate: "2028-12-31", DisplayName: "C9300 DNA Essentials"},
}

// issue signs an authorization code for udi and writes it to a file named
// as the portal's download is; it returns the path and the signature.
func (p *portal) issue(t *testing.T, udi slrcode.UDI, ents []slrcode.Entitlement) (string, string) {
	t.Helper()
	file, sig, err := slrcode.SignAuthorizationCode(p.key, testPIID, time.Now(), udi, ents)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), slrcode.AuthorizationFileName(udi.SN))
	if err := os.WriteFile(path, file, 0o644); err != nil {
		t.Fatal(err)
	}
	return path, sig
}

type result struct {
	stdout, stderr string
	code           int
}

// device runs slrdevice in process, in its own directory.
type device struct {
	t   *testing.T
	dir string
}

func newDevice(t *testing.T) *device { return &device{t: t, dir: t.TempDir()} }

func (d *device) runInput(stdin string, args ...string) result {
	d.t.Helper()
	var stdout, stderr bytes.Buffer
	a := &app{
		stdin:  strings.NewReader(stdin),
		stdout: &stdout,
		stderr: &stderr,
		dir:    d.dir,
		client: http.DefaultClient,
		now:    func() time.Time { return testInstallTime },
	}
	code := a.run(context.Background(), args)
	return result{stdout: stdout.String(), stderr: stderr.String(), code: code}
}

func (d *device) run(args ...string) result {
	d.t.Helper()
	return d.runInput("", args...)
}

// ok runs a command that must succeed and returns its standard output.
func (d *device) ok(args ...string) string {
	d.t.Helper()
	r := d.run(args...)
	if r.code != 0 {
		d.t.Fatalf("slrdevice %s: exit %d\nstdout: %s\nstderr: %s", strings.Join(args, " "), r.code, r.stdout, r.stderr)
	}
	return r.stdout
}

// fails runs a command that must fail with the given exit status and
// returns its standard error.
func (d *device) fails(code int, args ...string) string {
	d.t.Helper()
	r := d.run(args...)
	if r.code != code {
		d.t.Fatalf("slrdevice %s: exit %d, want %d\nstdout: %s\nstderr: %s", strings.Join(args, " "), r.code, code, r.stdout, r.stderr)
	}
	return r.stderr
}

func (d *device) state() *deviceState {
	d.t.Helper()
	s, err := loadState(filepath.Join(d.dir, defaultStateName(testSN)))
	if err != nil {
		d.t.Fatal(err)
	}
	return s
}

func testUDI() slrcode.UDI { return slrcode.UDI{PID: testPID, SN: testSN} }

func TestReserveInstallShowReturn(t *testing.T) {
	t.Parallel()
	p := newPortal(t)
	d := newDevice(t)
	d.ok("init", "--pid", testPID, "--sn", testSN)

	code := strings.TrimSpace(d.ok("request"))
	rc, err := slrcode.ParseRequestCode(code)
	if err != nil || rc.UDI != testUDI() {
		t.Fatalf("request printed %q: %+v, %v", code, rc, err)
	}
	if again := strings.TrimSpace(d.ok("request")); again != code {
		t.Errorf("second request printed %q, want the same %q", again, code)
	}

	file, sig := p.issue(t, testUDI(), testEntitlements)
	out := d.ok("install", file, "--key", p.pubKey)
	want := "Reservation install file successful\nLast Confirmation code " + slrcode.ConfirmationCode(sig) + "\n"
	if out != want {
		t.Errorf("install printed %q, want %q", out, want)
	}

	show := d.ok("show")
	for _, line := range []string{
		"UDI: PID:C9300-24UX,SN:FCW2134L0RN",
		"  Status: REGISTERED - SPECIFIC LICENSE RESERVATION\n",
		"  Last Confirmation code: " + slrcode.ConfirmationCode(sig),
		"  C9300 DNA Advantage (regid.2017-03.com.cisco.C9300_DNA_Advantage,1.0_1b5e5c2c):\n    Total reserved count: 3\n    License type: PERPETUAL\n",
		"  C9300 DNA Essentials (regid.2017-03.com.cisco.C9300_DNA_Essentials,1.0_6a1e7d3b):\n    Total reserved count: 2\n    License type: TERM\n      End Date: 2028-12-31 UTC\n",
		"AUTHORIZED - RESERVED on Mar 04 05:06:07 2026 UTC",
	} {
		if !strings.Contains(show, line) {
			t.Errorf("show lacks %q:\n%s", line, show)
		}
	}

	// The pending request ended with the install: a new request is refused
	// while registered, and a later one after the return gets a new nonce.
	d.fails(1, "request")

	ret := strings.TrimSpace(d.ok("return"))
	if want := slrcode.ReturnCode(testPIID, sig); ret != want {
		t.Errorf("return printed %q, want %q", ret, want)
	}
	show = d.ok("show")
	if !strings.Contains(show, "  Status: UNREGISTERED\n") || strings.Contains(show, "REGISTERED - SPECIFIC") {
		t.Errorf("show after return:\n%s", show)
	}
	if !strings.Contains(show, "Last return code: "+ret) {
		t.Errorf("show after return lacks the return code:\n%s", show)
	}
	d.fails(1, "return")
	if next := strings.TrimSpace(d.ok("request")); next == code {
		t.Errorf("request after the return repeated the installed request's code %q", code)
	}
}

func TestInstallRefusesAnotherDevicesCode(t *testing.T) {
	t.Parallel()
	p := newPortal(t)
	d := newDevice(t)
	d.ok("init", "--pid", testPID, "--sn", testSN)
	d.ok("request")
	for _, udi := range []slrcode.UDI{{PID: testPID, SN: "FCW2101A0AA"}, {PID: "C9300-48UXM", SN: testSN}} {
		file, _ := p.issue(t, udi, testEntitlements)
		stderr := d.fails(1, "install", "--key", p.pubKey, file)
		if stderr != msgMismatch+"\n" {
			t.Errorf("install of a code for %s printed %q, want %q", udi, stderr, msgMismatch)
		}
	}
	if s := d.state(); s.AuthorizationCode != "" || s.RequestNonce == "" {
		t.Errorf("a refused install changed the state: %+v", s)
	}
}

func TestInstallRefusesForgedAndTamperedCodes(t *testing.T) {
	t.Parallel()
	p := newPortal(t)
	other := newPortal(t)
	d := newDevice(t)
	d.ok("init", "--pid", testPID, "--sn", testSN)

	forged, _ := other.issue(t, testUDI(), testEntitlements)
	if stderr := d.fails(1, "install", forged, "--key", p.pubKey); !strings.Contains(stderr, "signature is not valid") {
		t.Errorf("forged code: %q", stderr)
	}

	file, _ := p.issue(t, testUDI(), testEntitlements)
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	tampered := filepath.Join(t.TempDir(), "tampered.txt")
	if err := os.WriteFile(tampered, bytes.Replace(data, []byte("<count>3<"), []byte("<count>9<"), 1), 0o644); err != nil {
		t.Fatal(err)
	}
	if stderr := d.fails(1, "install", tampered, "--key", p.pubKey); !strings.Contains(stderr, "signature is not valid") {
		t.Errorf("tampered code: %q", stderr)
	}
	garbage := filepath.Join(t.TempDir(), "garbage.txt")
	if err := os.WriteFile(garbage, []byte("<specificPLR>"), 0o644); err != nil {
		t.Fatal(err)
	}
	if stderr := d.fails(1, "install", garbage, "--key", p.pubKey); !strings.Contains(stderr, "Authorization code: ") {
		t.Errorf("garbage code: %q", stderr)
	}
	if s := d.state(); s.AuthorizationCode != "" {
		t.Error("a refused install was installed")
	}
}

func TestInstallKeyFromURL(t *testing.T) {
	t.Parallel()
	p := newPortal(t)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/signing-key.pem" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/x-pem-file")
		w.Write(p.pubPEM)
	}))
	defer srv.Close()

	d := newDevice(t)
	d.ok("init", "--pid", testPID, "--sn", testSN)
	file, _ := p.issue(t, testUDI(), testEntitlements)
	if stderr := d.fails(1, "install", file, "--key", srv.URL+"/missing.pem"); !strings.Contains(stderr, "404") {
		t.Errorf("missing key URL: %q", stderr)
	}
	d.ok("install", "--key", srv.URL+"/signing-key.pem", file)
}

func TestInstallUpdateReplacesReservation(t *testing.T) {
	t.Parallel()
	p := newPortal(t)
	d := newDevice(t)
	d.ok("init", "--pid", testPID, "--sn", testSN)
	// No request first: a code issued at import installs as it is.
	first, _ := p.issue(t, testUDI(), testEntitlements)
	d.ok("install", first, "--key", p.pubKey)
	update, sig := p.issue(t, testUDI(), []slrcode.Entitlement{{Tag: "only", Count: 7}})
	out := d.ok("install", update, "--key", p.pubKey)
	if !strings.Contains(out, "Last Confirmation code "+slrcode.ConfirmationCode(sig)) {
		t.Errorf("install of the update printed %q", out)
	}
	show := d.ok("show")
	if !strings.Contains(show, "  only (only):\n    Total reserved count: 7\n") || strings.Contains(show, "DNA Advantage") {
		t.Errorf("show after the update:\n%s", show)
	}
	if ret := strings.TrimSpace(d.ok("return")); ret != slrcode.ReturnCode(testPIID, sig) {
		t.Errorf("return after the update printed %q, want the code of the update", ret)
	}
}

func TestInstallFromStdin(t *testing.T) {
	t.Parallel()
	p := newPortal(t)
	d := newDevice(t)
	d.ok("init", "--pid", testPID, "--sn", testSN)
	file, _ := p.issue(t, testUDI(), testEntitlements)
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if r := d.runInput(string(data), "install", "-", "--key", p.pubKey); r.code != 0 {
		t.Fatalf("install -: %+v", r)
	}
}

func TestCancel(t *testing.T) {
	t.Parallel()
	d := newDevice(t)
	d.ok("init", "--pid", testPID, "--sn", testSN)
	if stderr := d.fails(1, "cancel"); stderr != "No reservation request is in progress\n" {
		t.Errorf("cancel without request: %q", stderr)
	}
	code := d.ok("request")
	if !strings.Contains(d.ok("show"), "Reservation request in progress: "+strings.TrimSpace(code)) {
		t.Error("show does not show the pending request")
	}
	d.ok("cancel")
	if again := d.ok("request"); again == code {
		t.Errorf("request after cancel repeated %q", code)
	}
}

func TestReturnAuthorization(t *testing.T) {
	t.Parallel()
	p := newPortal(t)
	d := newDevice(t)
	d.ok("init", "--pid", testPID, "--sn", testSN)
	code := d.ok("request")

	// A code the device never installed: its return code, state unchanged.
	file, sig := p.issue(t, testUDI(), testEntitlements)
	out := d.ok("return-authorization", "--key", p.pubKey, file)
	if strings.TrimSpace(out) != slrcode.ReturnCode(testPIID, sig) {
		t.Errorf("return-authorization printed %q", out)
	}
	if s := d.state(); s.RequestNonce == "" || s.AuthorizationCode != "" {
		t.Errorf("state after return-authorization: %+v", s)
	}
	if again := d.ok("request"); again != code {
		t.Errorf("request after return-authorization printed %q, want %q", again, code)
	}

	// Without --key it is only parsed; another device's code is refused.
	d.ok("return-authorization", file)
	otherFile, _ := p.issue(t, slrcode.UDI{PID: testPID, SN: "FCW2101A0AA"}, testEntitlements)
	if stderr := d.fails(1, "return-authorization", otherFile); !strings.Contains(stderr, "not for this device") {
		t.Errorf("return-authorization of another device's code: %q", stderr)
	}
	forged, _ := newPortal(t).issue(t, testUDI(), testEntitlements)
	d.fails(1, "return-authorization", forged, "--key", p.pubKey)

	// Returning the installed code is a return.
	d.ok("install", file, "--key", p.pubKey)
	d.ok("return-authorization", file)
	if s := d.state(); s.AuthorizationCode != "" {
		t.Error("return-authorization of the installed code left it installed")
	}
}

func TestStateFileSelection(t *testing.T) {
	t.Parallel()
	d := newDevice(t)
	if stderr := d.fails(2, "show"); !strings.Contains(stderr, "no device state file") {
		t.Errorf("show without state: %q", stderr)
	}
	d.ok("init", "--pid", testPID, "--sn", testSN)
	if _, err := os.Stat(filepath.Join(d.dir, "slrdevice-FCW2134L0RN.json")); err != nil {
		t.Fatalf("init did not write the default state file: %v", err)
	}
	if stderr := d.fails(1, "init", "--pid", testPID, "--sn", testSN); !strings.Contains(stderr, "already exists") {
		t.Errorf("second init: %q", stderr)
	}
	d.ok("init", "--pid", testPID, "--sn", testSN, "--force")
	d.ok("show")

	d.ok("init", "--pid", "C9200L-24P-4G", "--sn", "JAD1")
	if stderr := d.fails(2, "show"); !strings.Contains(stderr, "several device state files") {
		t.Errorf("show with two states: %q", stderr)
	}
	if out := d.ok("show", "--state", filepath.Join(d.dir, "slrdevice-JAD1.json")); !strings.Contains(out, "PID:C9200L-24P-4G,SN:JAD1") {
		t.Errorf("show --state:\n%s", out)
	}

	custom := filepath.Join(t.TempDir(), "dev.json")
	d.ok("init", "--pid", testPID, "--sn", "X1", "--state", custom)
	if out := d.ok("request", "--state", custom); !strings.HasPrefix(out, "CB-ZC9300-24UX:X1-") {
		t.Errorf("request --state: %q", out)
	}
	if stderr := d.fails(1, "show", "--state", filepath.Join(t.TempDir(), "none.json")); !strings.Contains(stderr, "init") {
		t.Errorf("show with a missing --state: %q", stderr)
	}
}

func TestStateFileIsCheckedOnLoad(t *testing.T) {
	t.Parallel()
	d := newDevice(t)
	path := filepath.Join(d.dir, "slrdevice-BAD.json")
	for name, content := range map[string]string{
		"not JSON":       "{",
		"unknown field":  `{"version":1,"pid":"C9300-24UX","sn":"BAD","extra":1}`,
		"wrong version":  `{"version":2,"pid":"C9300-24UX","sn":"BAD"}`,
		"bad serial":     `{"version":1,"pid":"C9300-24UX","sn":"bad"}`,
		"bad nonce":      `{"version":1,"pid":"C9300-24UX","sn":"BAD","requestNonce":"x"}`,
		"bad code":       `{"version":1,"pid":"C9300-24UX","sn":"BAD","authorizationCode":"<x>"}`,
		"trailing value": `{"version":1,"pid":"C9300-24UX","sn":"BAD"} {}`,
	} {
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		r := d.run("show")
		if r.code != 1 || !strings.Contains(r.stderr, "load state") {
			t.Errorf("%s: show gave %+v", name, r)
		}
	}
}

func TestCommandLine(t *testing.T) {
	t.Parallel()
	d := newDevice(t)
	for _, args := range [][]string{
		{},
		{"frobnicate"},
		{"init"},
		{"init", "--pid", testPID},
		{"init", "--pid", "c9300", "--sn", testSN},
		{"init", "--pid", testPID, "--sn", testSN, "extra"},
		{"install"},
		{"install", "a", "b", "--key", "k"},
		{"show", "--key", "k"},
		{"show", "--bogus"},
	} {
		if stderr := d.fails(2, args...); !strings.Contains(stderr, "usage: slrdevice") {
			t.Errorf("slrdevice %q: stderr %q lacks the usage", args, stderr)
		}
	}
	for _, args := range [][]string{{"help"}, {"--help"}, {"show", "-h"}} {
		if out := d.ok(args...); !strings.Contains(out, "usage: slrdevice") {
			t.Errorf("slrdevice %q printed %q", args, out)
		}
	}
	d.ok("init", "--pid", testPID, "--sn", testSN)
	d.fails(2, "install", "file.txt") // --key is required
	if stderr := d.fails(1, "install", "--key", "k.pem", "--", "missing.txt"); !strings.Contains(stderr, "missing.txt") {
		t.Errorf("install -- FILE: %q", stderr)
	}
}

func TestParseInterspersed(t *testing.T) {
	t.Parallel()
	tests := []struct {
		args       []string
		key, state string
		positional []string
	}{
		{[]string{"f", "--key", "k"}, "k", "", []string{"f"}},
		{[]string{"--key", "k", "f"}, "k", "", []string{"f"}},
		{[]string{"--key=k", "f", "--state", "s"}, "k", "s", []string{"f"}},
		{[]string{"-state", "s", "f", "g"}, "", "s", []string{"f", "g"}},
		{[]string{"--", "--key", "k"}, "", "", []string{"--key", "k"}},
		{[]string{"f", "--", "-g"}, "", "", []string{"f", "-g"}},
		{[]string{"-"}, "", "", []string{"-"}},
	}
	for _, tt := range tests {
		o := &options{}
		fs := newFlagSet("install", o)
		pos, err := parseInterspersed(fs, tt.args)
		if err != nil || o.key != tt.key || o.state != tt.state || strings.Join(pos, "|") != strings.Join(tt.positional, "|") {
			t.Errorf("parseInterspersed(%q) = %q, key %q, state %q, %v", tt.args, pos, o.key, o.state, err)
		}
	}
}

// TestBuiltBinary builds slrdevice and drives it as an operator would, from
// a scratch directory with no --state: init → request → install → show →
// return.
func TestBuiltBinary(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a binary")
	}
	t.Parallel()
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command on PATH")
	}
	bin := filepath.Join(t.TempDir(), "slrdevice")
	if out, err := exec.Command(goTool, "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	work := t.TempDir()
	slr := func(wantCode int, args ...string) string {
		t.Helper()
		cmd := exec.Command(bin, args...)
		cmd.Dir = work
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		err := cmd.Run()
		code := 0
		if ee, ok := err.(*exec.ExitError); ok {
			code = ee.ExitCode()
		} else if err != nil {
			t.Fatal(err)
		}
		if code != wantCode {
			t.Fatalf("slrdevice %s: exit %d, want %d\nstdout: %s\nstderr: %s", strings.Join(args, " "), code, wantCode, &stdout, &stderr)
		}
		return stdout.String() + stderr.String()
	}

	p := newPortal(t)
	slr(0, "init", "--pid", testPID, "--sn", testSN)
	code := strings.TrimSpace(slr(0, "request"))
	if rc, err := slrcode.ParseRequestCode(code); err != nil || rc.UDI != testUDI() {
		t.Fatalf("request printed %q (%v)", code, err)
	}
	if again := strings.TrimSpace(slr(0, "request")); again != code {
		t.Fatalf("request changed from %q to %q", code, again)
	}

	wrong, _ := p.issue(t, slrcode.UDI{PID: testPID, SN: "FCW2101A0AA"}, testEntitlements)
	if out := slr(1, "install", wrong, "--key", p.pubKey); !strings.Contains(out, msgMismatch) {
		t.Errorf("install of another device's code printed %q", out)
	}

	file, sig := p.issue(t, testUDI(), testEntitlements)
	out := slr(0, "install", file, "--key", p.pubKey)
	if !strings.Contains(out, "Reservation install file successful\n") ||
		!strings.Contains(out, "Last Confirmation code "+slrcode.ConfirmationCode(sig)+"\n") {
		t.Errorf("install printed %q", out)
	}
	out = slr(0, "show")
	if !strings.Contains(out, "Status: REGISTERED - SPECIFIC LICENSE RESERVATION") || !strings.Contains(out, "Total reserved count: 3") {
		t.Errorf("show printed:\n%s", out)
	}
	if ret := strings.TrimSpace(slr(0, "return")); ret != slrcode.ReturnCode(testPIID, sig) {
		t.Errorf("return printed %q, want %q", ret, slrcode.ReturnCode(testPIID, sig))
	}
	if out := slr(0, "show"); !strings.Contains(out, "Status: UNREGISTERED") {
		t.Errorf("show after return printed:\n%s", out)
	}

	// The state file is plain JSON, rewritten whole, with no temporary
	// files left behind.
	entries, err := os.ReadDir(work)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 || entries[0].Name() != "slrdevice-FCW2134L0RN.json" {
		t.Errorf("work directory holds %v", entries)
	}
	data, err := os.ReadFile(filepath.Join(work, "slrdevice-FCW2134L0RN.json"))
	if err != nil {
		t.Fatal(err)
	}
	var s deviceState
	if err := json.Unmarshal(data, &s); err != nil || s.AuthorizationCode != "" || s.PID != testPID {
		t.Errorf("state after return: %+v, %v", s, err)
	}
}
