package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"golang.org/x/crypto/bcrypt"

	"slrportal/internal/demo"
	"slrportal/internal/licensing"
	"slrportal/internal/portal"
	"slrportal/internal/store/sqlite"
)

func quietLog() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// demoDir returns a data directory seeded with the demo smart account.
func demoDir(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	p, err := portal.Open(t.Context(), portal.Options{DataDir: dir, Seed: portal.SeedDemo, BcryptCost: bcrypt.MinCost, Logger: quietLog()})
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Close(); err != nil {
		t.Fatal(err)
	}
	return dir
}

// rawSQL runs statements on the data directory's database, as someone with
// file access could.
func rawSQL(t *testing.T, dir string, stmts ...string) {
	t.Helper()
	st, err := sqlite.Open(t.Context(), filepath.Join(dir, "slrportal.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	for _, s := range stmts {
		if _, err := st.DB().ExecContext(t.Context(), s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
}

func TestVerifyEvents(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name    string
		tamper  []string
		wantErr string // "" when the log is intact
	}{
		{"intact", nil, ""},
		{"message changed", []string{`DROP TRIGGER events_no_update`, `UPDATE events SET message = message || '.' WHERE id = 3`},
			"event 3: content does not match its hash"},
		{"license of an event removed", []string{`DROP TRIGGER event_licenses_no_delete`,
			`DELETE FROM event_licenses WHERE event_id = (SELECT min(event_id) FROM event_licenses)`},
			"content does not match its hash"},
		{"event deleted", []string{`DROP TRIGGER events_no_delete`, `DROP TRIGGER event_licenses_no_delete`,
			`DELETE FROM event_licenses WHERE event_id = 2`, `DELETE FROM events WHERE id = 2`},
			"event 3: expected event 2 next"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			dir := demoDir(t)
			rawSQL(t, dir, c.tamper...)
			var out bytes.Buffer
			err := run(t.Context(), []string{"verify-events", "--data", dir}, &out, quietLog())
			if c.wantErr == "" {
				if err != nil {
					t.Fatalf("verify-events on an intact log: %v", err)
				}
				if !regexp.MustCompile(`^Event log intact: [1-9]\d* events verified\.\n$`).MatchString(out.String()) {
					t.Errorf("output %q", out.String())
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), c.wantErr) {
				t.Fatalf("verify-events = %v, want an error containing %q", err, c.wantErr)
			}
		})
	}
}

func TestEventTriggers(t *testing.T) {
	t.Parallel()
	dir := demoDir(t)
	st, err := sqlite.Open(t.Context(), filepath.Join(dir, "slrportal.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	for _, s := range []string{`UPDATE events SET message = 'x' WHERE id = 1`, `DELETE FROM events WHERE id = 1`, `DELETE FROM events`} {
		if _, err := st.DB().ExecContext(t.Context(), s); err == nil || !strings.Contains(err.Error(), "append-only") {
			t.Errorf("%s: %v, want the trigger's refusal", s, err)
		}
	}
}

func writeJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "import.json")
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// counts returns the number of rows of the tables an import fills.
func counts(t *testing.T, dir string) map[string]int {
	t.Helper()
	st, err := sqlite.Open(t.Context(), filepath.Join(dir, "slrportal.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	out := map[string]int{}
	for _, table := range []string{"smart_accounts", "virtual_accounts", "product_instances", "users", "events"} {
		var n int
		if err := st.DB().QueryRowContext(t.Context(), `SELECT count(*) FROM `+table).Scan(&n); err != nil {
			t.Fatal(err)
		}
		out[table] = n
	}
	return out
}

func smallImport(saName string) licensing.ImportFile {
	return licensing.ImportFile{SmartAccounts: []licensing.ImportSA{{Name: saName, Domain: "small.example", SLREnabled: true,
		VirtualAccounts: []licensing.ImportVA{{Name: "Only", Default: true,
			Licenses: []licensing.ImportLicense{{Tag: demo.TagC9300DNAAdv, DisplayName: "C9300 DNA Advantage", Family: "C9300", Type: "PERPETUAL", Purchased: 5}},
			ProductInstances: []licensing.ImportPI{
				{PID: "C9300-24UX", SN: "FCW0000A0001", Reservation: []licensing.ImportLine{{Tag: demo.TagC9300DNAAdv, Count: 1}}},
				{PID: "C9300-24UX", SN: "FCW0000A0002"},
			}}}}}}
}

func TestImportCommand(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "data")
	good := writeJSON(t, smallImport("Small SA"))

	// The flag after the file, as the usage line shows it.
	var out bytes.Buffer
	if err := run(t.Context(), []string{"import", good, "--data", dir}, &out, quietLog()); err != nil {
		t.Fatalf("import FILE --data DIR: %v", err)
	}
	if !strings.Contains(out.String(), "Imported 1 smart account(s), 1 virtual account(s), 1 license(s), 2 product instance(s), 0 user(s).") {
		t.Errorf("output %q", out.String())
	}
	before := counts(t, dir)
	if before["smart_accounts"] != 1 || before["product_instances"] != 2 || before["events"] == 0 {
		t.Fatalf("after import: %v", before)
	}

	// The flag before the file works too.
	out.Reset()
	if err := run(t.Context(), []string{"import", "--data", dir, writeJSON(t, smallImport("Second SA"))}, &out, quietLog()); err != nil {
		t.Fatalf("import --data DIR FILE: %v", err)
	}
	before = counts(t, dir)
	if before["smart_accounts"] != 2 {
		t.Fatalf("after the second import: %v", before)
	}

	// A bad file names the JSON path and changes nothing.
	dup := smallImport("Third SA")
	dup.SmartAccounts[0].VirtualAccounts[0].ProductInstances[1].SN = "FCW0000A0001"
	badType := `{"smartAccounts":[{"name":"X","domain":"x","slrEnabled":true,"virtualAccounts":[{"name":"V","default":true,"licenses":[{"tag":"t","displayName":"d","family":"f","type":"PERPETUAL","purchased":"five"}],"productInstances":[]}]}],"users":[]}`
	badTypePath := filepath.Join(t.TempDir(), "bad-type.json")
	if err := os.WriteFile(badTypePath, []byte(badType), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, bad := range []struct {
		name, file, want string
	}{
		{"duplicate device", writeJSON(t, dup), "$.smartAccounts[0].virtualAccounts[0].productInstances[1].sn"},
		{"wrong type", badTypePath, "purchased"},
		{"existing smart account", writeJSON(t, smallImport("Small SA")), "$.smartAccounts[0]"},
	} {
		t.Run(bad.name, func(t *testing.T) {
			err := run(t.Context(), []string{"import", bad.file, "--data", dir}, io.Discard, quietLog())
			if err == nil || !strings.Contains(err.Error(), bad.want) || !strings.Contains(err.Error(), bad.file) {
				t.Fatalf("import of a bad file = %v, want an error naming the file and %q", err, bad.want)
			}
			if after := counts(t, dir); !mapsEqual(after, before) {
				t.Errorf("a failed import changed the database: %v, was %v", after, before)
			}
		})
	}
	// The log the imports wrote is intact.
	if err := run(t.Context(), []string{"verify-events", "--data", dir}, io.Discard, quietLog()); err != nil {
		t.Errorf("verify-events after imports: %v", err)
	}
}

func mapsEqual(a, b map[string]int) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

func TestRunArguments(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"frobnicate"}, `unknown command "frobnicate"`},
		{[]string{"import", "--data", dir}, "usage: slrportal import"},
		{[]string{"import", "a.json", "b.json", "--data", dir}, "usage: slrportal import"},
		{[]string{"verify-events", "extra", "--data", dir}, "usage: slrportal verify-events"},
		{[]string{"serve", "extra", "--data", dir}, "serve takes no arguments"},
		{[]string{"import", filepath.Join(dir, "missing.json"), "--data", dir}, "missing.json"},
		{[]string{"verify-events", "--nope"}, "flag provided but not defined"},
	}
	for _, c := range cases {
		err := run(context.Background(), c.args, io.Discard, quietLog())
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("run(%q) = %v, want an error containing %q", c.args, err, c.want)
		}
	}
}
