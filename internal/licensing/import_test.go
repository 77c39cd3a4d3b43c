package licensing_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/json"
	"errors"
	"maps"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"golang.org/x/crypto/bcrypt"

	"slrportal/internal/demo"
	"slrportal/internal/licensing"
	"slrportal/internal/slrcode"
	"slrportal/internal/store/sqlite"
)

// impEnv is an empty portal database with a service over it.
type impEnv struct {
	st  *sqlite.Store
	svc *licensing.Service
	key *ecdsa.PrivateKey
}

func newImpEnv(t *testing.T) *impEnv {
	t.Helper()
	st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "import.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return &impEnv{st: st, svc: licensing.NewService(st, key), key: key}
}

// snapshot is the row count of every table plus the newest event's hash,
// so that "nothing changed" can be checked table by table.
func (e *impEnv) snapshot(t *testing.T) map[string]int {
	t.Helper()
	ctx := context.Background()
	db := e.st.DB()
	rows, err := db.QueryContext(ctx, `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'`)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			t.Fatal(err)
		}
		names = append(names, n)
	}
	rows.Close()
	if len(names) < 10 {
		t.Fatalf("only %d tables: %v", len(names), names)
	}
	out := map[string]int{}
	for _, n := range names {
		var c int
		if err := db.QueryRowContext(ctx, `SELECT count(*) FROM "`+n+`"`).Scan(&c); err != nil {
			t.Fatal(err)
		}
		out[n] = c
	}
	id, _, err := e.st.LastEvent(ctx)
	if err != nil {
		t.Fatal(err)
	}
	out["(last event id)"] = int(id)
	return out
}

func (e *impEnv) actor(t *testing.T, username string) licensing.Actor {
	t.Helper()
	ctx := context.Background()
	u, err := e.st.UserByUsername(ctx, username)
	if err != nil {
		t.Fatal(err)
	}
	a, err := e.svc.LoadActor(ctx, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// instances returns every live PI of every VA of the SA, with its lines.
func (e *impEnv) instances(t *testing.T, saName string) []licensing.ProductInstance {
	t.Helper()
	ctx := context.Background()
	sa, err := e.st.SmartAccountByName(ctx, saName)
	if err != nil {
		t.Fatal(err)
	}
	vas, err := e.st.VirtualAccounts(ctx, sa.ID)
	if err != nil {
		t.Fatal(err)
	}
	var out []licensing.ProductInstance
	for _, va := range vas {
		p, err := e.st.ProductInstances(ctx, va.ID, licensing.PIQuery{Limit: 1000})
		if err != nil {
			t.Fatal(err)
		}
		for _, pi := range p.Instances {
			full, err := e.st.ProductInstance(ctx, pi.ID)
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, full)
		}
	}
	return out
}

// checkCodes verifies that every PI with a reservation has exactly one
// authorization code that a device would accept for exactly its lines.
func (e *impEnv) checkCodes(t *testing.T, pis []licensing.ProductInstance) {
	t.Helper()
	ctx := context.Background()
	for _, pi := range pis {
		codes, err := e.st.AuthCodes(ctx, pi.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(pi.Lines) == 0 {
			if len(codes) != 0 {
				t.Errorf("%s: no reservation but %d codes", pi.UDIString(), len(codes))
			}
			continue
		}
		if pi.Status != licensing.StatusReserved || len(codes) != 1 {
			t.Errorf("%s: status %s with %d codes, want Reserved with 1", pi.UDIString(), pi.Status, len(codes))
			continue
		}
		ac, err := slrcode.VerifyAuthorizationCode(codes[0].File, e.svc.PublicKey())
		if err != nil {
			t.Errorf("%s: code does not verify: %v", pi.UDIString(), err)
			continue
		}
		if ac.PIID != pi.PIID || ac.UDI != (slrcode.UDI{PID: pi.PID, SN: pi.SN}) || ac.Signature != codes[0].Signature {
			t.Errorf("%s: code is for piid %s udi %v", pi.UDIString(), ac.PIID, ac.UDI)
		}
		var got []licensing.Line
		for _, en := range ac.Entitlements {
			got = append(got, licensing.Line{Tag: en.Tag, Count: en.Count})
		}
		if !slices.Equal(got, pi.Lines) {
			t.Errorf("%s: code entitles %v, the PI holds %v", pi.UDIString(), got, pi.Lines)
		}
	}
}

func TestImportDemo(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newImpEnv(t)
	stats, err := e.svc.Import(ctx, demo.File(), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	want := licensing.ImportStats{SmartAccounts: 1, VirtualAccounts: 4, Licenses: 8, Instances: 62, Users: 6}
	if stats != want {
		t.Errorf("stats = %+v, want %+v", stats, want)
	}
	rows := e.snapshot(t)
	for table, n := range map[string]int{
		"smart_accounts": 1, "virtual_accounts": 4, "licenses": 8, "product_instances": 62,
		// Campus 24×2 + 6, Data Center 8 + 4×2, Branch 14, Wireless 6.
		"reservation_lines": 90, "authorization_codes": 62, "users": 6, "role_assignments": 7,
		"events": 4, "form_tokens": 0,
	} {
		if rows[table] != n {
			t.Errorf("%s has %d rows, want %d", table, rows[table], n)
		}
	}

	pis := e.instances(t, demo.SmartAccount)
	if len(pis) != 62 {
		t.Fatalf("%d live PIs, want 62", len(pis))
	}
	e.checkCodes(t, pis)
	piids := map[string]bool{}
	for _, pi := range pis {
		if piids[pi.PIID] || len(pi.PIID) != 36 || strings.ToLower(pi.PIID) != pi.PIID {
			t.Errorf("piid %q is not a fresh lowercase UUID", pi.PIID)
		}
		piids[pi.PIID] = true
	}

	// The TERM license carries its dates into the code.
	for _, pi := range pis {
		if pi.PID != "ASR1002-HX" {
			continue
		}
		codes, _ := e.st.AuthCodes(ctx, pi.ID)
		ac, err := slrcode.VerifyAuthorizationCode(codes[0].File, e.svc.PublicKey())
		if err != nil {
			t.Fatal(err)
		}
		var term *slrcode.Entitlement
		for i := range ac.Entitlements {
			if ac.Entitlements[i].Tag == demo.TagASR1KThrough {
				term = &ac.Entitlements[i]
			}
		}
		if term == nil || term.LicenseType != "TERM" || term.StartDate != "2024-01-01" || term.EndDate != "2027-01-31" {
			t.Errorf("%s: TERM entitlement = %+v", pi.UDIString(), term)
		}
		break
	}

	// Every demo user can sign in with the demo password.
	for _, l := range demo.Logins {
		if _, err := e.svc.Authenticate(ctx, l.Username, demo.Password); err != nil {
			t.Errorf("sign in as %s: %v", l.Username, err)
		}
	}
	if n, err := e.svc.VerifyEvents(ctx); err != nil || n != 4 {
		t.Errorf("VerifyEvents = %d, %v", n, err)
	}

	// The return code of an imported code is what Remove accepts.
	admin := e.actor(t, "admin")
	for _, sn := range []string{"FCW2134L0001", "FOX2311W0002", "TTM2301Z0006"} {
		var pi licensing.ProductInstance
		for _, p := range pis {
			if p.SN == sn {
				pi = p
			}
		}
		codes, _ := e.st.AuthCodes(ctx, pi.ID)
		rc := slrcode.ReturnCode(pi.PIID, codes[0].Signature)
		if _, err := e.svc.Remove(ctx, admin, pi.VAID, pi.ID, slrcode.ReturnCode(pi.PIID, "not-the-signature")); !errors.Is(err, licensing.ErrInvalid) {
			t.Errorf("%s: a wrong return code: err = %v, want ErrInvalid", sn, err)
		}
		if _, err := e.svc.Remove(ctx, admin, pi.VAID, pi.ID, rc); err != nil {
			t.Errorf("%s: Remove with the return code %s: %v", sn, rc, err)
		}
		if got, _ := e.st.ProductInstance(ctx, pi.ID); !got.Removed {
			t.Errorf("%s: still live after Remove", sn)
		}
	}
}

// handWritten is the example of DESIGN §7.2, as an operator would write it.
const handWritten = `{"smartAccounts": [{"name": "Acme Networks", "domain": "acme.example", "slrEnabled": true,
   "virtualAccounts": [{"name": "Campus", "default": true,
     "licenses": [{"tag": "regid.2017-03.com.cisco.C9300_DNA_Advantage,1.0_1b5e5c2c-8f1e-4f7a-9d0b-3f3c2d1e0a11",
                   "displayName": "C9300 DNA Advantage", "family": "C9300", "type": "PERPETUAL", "purchased": 10}],
     "productInstances": [{"pid": "C9300-24UX", "sn": "FCW2134L0RN", "hostname": "sw-a1",
                           "reservation": [{"tag": "regid.2017-03.com.cisco.C9300_DNA_Advantage,1.0_1b5e5c2c-8f1e-4f7a-9d0b-3f3c2d1e0a11", "count": 1}]}]}]}],
 "users": [{"username": "alice", "password": "correct horse battery", "displayName": "Alice",
            "roles": [{"role": "SA_ADMIN", "smartAccount": "Acme Networks"},
                      {"role": "VA_USER", "smartAccount": "Acme Networks", "virtualAccount": "Campus"}]}]}`

// handWrittenTerm adds what the example leaves out: a TERM license, a PI
// without hostname or reservation, a reservation above Purchased and a
// second VA.
const handWrittenTerm = `{"smartAccounts": [{"name": "Globex", "domain": "globex.example", "slrEnabled": false,
   "virtualAccounts": [
     {"name": "Edge", "default": true, "description": "WAN edge",
      "licenses": [
        {"tag": "regid.test.asr_adv", "displayName": "ASR Advanced", "family": "ASR1000", "type": "PERPETUAL", "purchased": 1},
        {"tag": "regid.test.asr_10g", "displayName": "ASR 10G", "family": "ASR1000", "type": "TERM", "startDate": "2025-01-01", "endDate": "2026-12-31", "purchased": 2}],
      "productInstances": [
        {"pid": "ASR1002-HX", "sn": "FOX1", "reservation": [{"tag": "regid.test.asr_10g", "count": 1}, {"tag": "regid.test.asr_adv", "count": 2}]},
        {"pid": "ASR1001-X", "sn": "FOX2", "hostname": "spare", "reservation": []}]},
     {"name": "Lab", "licenses": [], "productInstances": []}]}],
 "users": []}`

func TestImportHandWritten(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name  string
		doc   string
		stats licensing.ImportStats
		sa    string
		check func(t *testing.T, e *impEnv, pis []licensing.ProductInstance)
	}{
		{"DESIGN example", handWritten, licensing.ImportStats{SmartAccounts: 1, VirtualAccounts: 1, Licenses: 1, Instances: 1, Users: 1}, "Acme Networks",
			func(t *testing.T, e *impEnv, pis []licensing.ProductInstance) {
				ctx := context.Background()
				pi := pis[0]
				if pi.Hostname != "sw-a1" || pi.Family != "C9300" || pi.SN != "FCW2134L0RN" {
					t.Errorf("PI = %+v", pi)
				}
				alice := e.actor(t, "alice")
				if len(alice.Grants) != 2 {
					t.Errorf("alice has grants %+v, want 2", alice.Grants)
				}
				if _, err := e.svc.Authenticate(ctx, "alice", "correct horse battery"); err != nil {
					t.Errorf("alice cannot sign in: %v", err)
				}
				codes, _ := e.st.AuthCodes(ctx, pi.ID)
				// The device may type it in lower case with spaces.
				rc := strings.ToLower(strings.ReplaceAll(slrcode.ReturnCode(pi.PIID, codes[0].Signature), "-", " "))
				if _, err := e.svc.Remove(ctx, alice, pi.VAID, pi.ID, rc); err != nil {
					t.Errorf("Remove with the return code: %v", err)
				}
			}},
		{"TERM license and a second VA", handWrittenTerm, licensing.ImportStats{SmartAccounts: 1, VirtualAccounts: 2, Licenses: 2, Instances: 2}, "Globex",
			func(t *testing.T, e *impEnv, pis []licensing.ProductInstance) {
				ctx := context.Background()
				sa, _ := e.st.SmartAccountByName(ctx, "Globex")
				if sa.SLREnabled || sa.Domain != "globex.example" {
					t.Errorf("SA = %+v", sa)
				}
				vas, _ := e.st.VirtualAccounts(ctx, sa.ID)
				if len(vas) != 2 || !vas[0].Default || vas[0].Description != "WAN edge" || vas[1].Default {
					t.Errorf("VAs = %+v", vas)
				}
				ls, _ := e.st.Licenses(ctx, vas[0].ID)
				for _, l := range ls {
					switch l.Tag {
					case "regid.test.asr_10g":
						if l.Type != licensing.Term || l.EndDate != "2026-12-31" || l.StartDate != "2025-01-01" || l.InUse != 1 {
							t.Errorf("TERM license = %+v", l)
						}
					case "regid.test.asr_adv":
						if l.Balance() != -1 {
							t.Errorf("reservation above Purchased: balance %d, want -1", l.Balance())
						}
					}
				}
				for _, pi := range pis {
					if pi.SN != "FOX1" {
						continue
					}
					codes, _ := e.st.AuthCodes(ctx, pi.ID)
					ac, err := slrcode.VerifyAuthorizationCode(codes[0].File, e.svc.PublicKey())
					if err != nil {
						t.Fatal(err)
					}
					if len(ac.Entitlements) != 2 || ac.Entitlements[0].Tag != "regid.test.asr_10g" || ac.Entitlements[0].EndDate != "2026-12-31" ||
						ac.Entitlements[0].LicenseType != "TERM" || ac.Entitlements[1].LicenseType != "PERPETUAL" {
						t.Errorf("entitlements = %+v", ac.Entitlements)
					}
				}
			}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			e := newImpEnv(t)
			f, err := licensing.DecodeImport(strings.NewReader(c.doc))
			if err != nil {
				t.Fatalf("DecodeImport: %v", err)
			}
			stats, err := e.svc.Import(context.Background(), f, bcrypt.MinCost)
			if err != nil {
				t.Fatalf("Import: %v", err)
			}
			if stats != c.stats {
				t.Errorf("stats = %+v, want %+v", stats, c.stats)
			}
			pis := e.instances(t, c.sa)
			if len(pis) != c.stats.Instances {
				t.Fatalf("%d PIs in the database, want %d", len(pis), c.stats.Instances)
			}
			e.checkCodes(t, pis)
			c.check(t, e, pis)
		})
	}
}

// goodFile is a valid import file that bad cases change one thing in.
func goodFile() licensing.ImportFile {
	lic := func(tag, family string) licensing.ImportLicense {
		return licensing.ImportLicense{Tag: tag, DisplayName: tag, Family: family, Type: "PERPETUAL", Purchased: 5}
	}
	return licensing.ImportFile{
		SmartAccounts: []licensing.ImportSA{{Name: "Globex", Domain: "globex.example", SLREnabled: true, VirtualAccounts: []licensing.ImportVA{
			{Name: "North", Default: true, Licenses: []licensing.ImportLicense{lic("regid.test.c9300", "C9300")},
				ProductInstances: []licensing.ImportPI{
					{PID: "C9300-48P", SN: "NORTH0001", Reservation: []licensing.ImportLine{{Tag: "regid.test.c9300", Count: 1}}},
					{PID: "C9300-48P", SN: "NORTH0002", Reservation: []licensing.ImportLine{{Tag: "regid.test.c9300", Count: 1}}},
				}},
			{Name: "South", Licenses: []licensing.ImportLicense{lic("regid.test.isr", "ISR4000")},
				ProductInstances: []licensing.ImportPI{{PID: "ISR4331/K9", SN: "SOUTH0001", Reservation: []licensing.ImportLine{{Tag: "regid.test.isr", Count: 1}}}}},
		}}},
		Users: []licensing.ImportUser{{Username: "gina", Password: "globex-password", Roles: []licensing.ImportRole{
			{Role: "SA_USER", SmartAccount: "Globex"},
			{Role: "VA_VIEWER", SmartAccount: "Globex", VirtualAccount: "South"},
		}}},
	}
}

// goodJSON is goodFile as JSON, changed by edit.
func goodJSON(t *testing.T, edit func(*licensing.ImportFile)) string {
	t.Helper()
	f := goodFile()
	if edit != nil {
		edit(&f)
	}
	b, err := json.Marshal(f)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestImportRefusesBadFiles imports each bad file into a database that
// already holds the demo and checks the error's JSON path and that no table
// changed: an import is all or nothing.
func TestImportRefusesBadFiles(t *testing.T) {
	t.Parallel()
	const va0 = "$.smartAccounts[0].virtualAccounts[0]"
	cases := []struct {
		name    string
		doc     func(t *testing.T) string
		path    string
		msgHas  string
		decodes bool // DecodeImport accepts it; Import refuses it
	}{
		{"good file as a control", func(t *testing.T) string { return goodJSON(t, nil) }, "", "", true},
		{"syntax error", func(*testing.T) string { return "{\"smartAccounts\": [\n  {\"name\": \"Globex\",}\n]}" }, "$", "line 2", false},
		{"truncated", func(t *testing.T) string { s := goodJSON(t, nil); return s[:len(s)/2] }, "$", "ends too early", false},
		{"two documents", func(t *testing.T) string { return goodJSON(t, nil) + " {}" }, "$", "more than one", false},
		{"not an object", func(*testing.T) string { return `[]` }, "$", "expected an object", false},
		{"wrong type", func(t *testing.T) string {
			return strings.Replace(goodJSON(t, nil), `"purchased":5`, `"purchased":"five"`, 1)
		}, va0 + ".licenses[0].purchased", "whole number", false},
		{"wrong type in a later element", func(t *testing.T) string {
			return strings.Replace(goodJSON(t, nil), `"sn":"SOUTH0001"`, `"sn":12`, 1)
		}, "$.smartAccounts[0].virtualAccounts[1].productInstances[0].sn", "expected a string", false},
		{"fraction for a count", func(t *testing.T) string {
			return strings.Replace(goodJSON(t, nil), `"count":1}`, `"count":1.5}`, 1)
		}, va0 + ".productInstances[0].reservation[0].count", "whole number", false},
		{"unknown field", func(t *testing.T) string {
			return strings.Replace(goodJSON(t, nil), `"name":"South"`, `"name":"South","colour":"blue"`, 1)
		}, "$.smartAccounts[0].virtualAccounts[1].colour", "unknown field", false},
		{"unknown top-level field", func(t *testing.T) string {
			return strings.Replace(goodJSON(t, nil), `{"smartAccounts"`, `{"version":2,"smartAccounts"`, 1)
		}, "$.version", "unknown field", false},
		{"unknown license family", func(t *testing.T) string {
			return goodJSON(t, func(f *licensing.ImportFile) { f.SmartAccounts[0].VirtualAccounts[0].Licenses[0].Family = "C9999" })
		}, va0 + ".licenses[0].family", "unknown family", true},
		{"device of an unknown family", func(t *testing.T) string {
			return goodJSON(t, func(f *licensing.ImportFile) {
				f.SmartAccounts[0].VirtualAccounts[0].ProductInstances[1].PID = "WS-C3850-24T"
			})
		}, va0 + ".productInstances[1].pid", "does not support SLR", true},
		{"duplicate serial in a VA", func(t *testing.T) string {
			return goodJSON(t, func(f *licensing.ImportFile) {
				f.SmartAccounts[0].VirtualAccounts[0].ProductInstances[1].SN = "NORTH0001"
			})
		}, va0 + ".productInstances[1].sn", "duplicate serial", true},
		{"duplicate serial across VAs", func(t *testing.T) string {
			return goodJSON(t, func(f *licensing.ImportFile) {
				f.SmartAccounts[0].VirtualAccounts[1].ProductInstances = append(f.SmartAccounts[0].VirtualAccounts[1].ProductInstances,
					licensing.ImportPI{PID: "C9300-48P", SN: "NORTH0002"})
			})
		}, "$.smartAccounts[0].virtualAccounts[1].productInstances[1].sn", "duplicate serial", true},
		{"role on an unknown VA", func(t *testing.T) string {
			return goodJSON(t, func(f *licensing.ImportFile) { f.Users[0].Roles[1].VirtualAccount = "East" })
		}, "$.users[0].roles[1].virtualAccount", `unknown virtual account "East"`, true},
		{"unknown role", func(t *testing.T) string {
			return goodJSON(t, func(f *licensing.ImportFile) { f.Users[0].Roles[0].Role = "ROOT" })
		}, "$.users[0].roles[0].role", "unknown role", true},
		{"TERM without end date", func(t *testing.T) string {
			return goodJSON(t, func(f *licensing.ImportFile) { f.SmartAccounts[0].VirtualAccounts[1].Licenses[0].Type = "TERM" })
		}, "$.smartAccounts[0].virtualAccounts[1].licenses[0].endDate", "end date", true},
		{"reservation of a license not in the VA", func(t *testing.T) string {
			return goodJSON(t, func(f *licensing.ImportFile) {
				f.SmartAccounts[0].VirtualAccounts[1].ProductInstances[0].Reservation[0].Tag = "regid.test.c9300"
			})
		}, "$.smartAccounts[0].virtualAccounts[1].productInstances[0].reservation[0].tag", "not in this virtual account", true},
		{"two default VAs", func(t *testing.T) string {
			return goodJSON(t, func(f *licensing.ImportFile) { f.SmartAccounts[0].VirtualAccounts[1].Default = true })
		}, "$.smartAccounts[0].virtualAccounts", "exactly one", true},
		{"short password", func(t *testing.T) string {
			return goodJSON(t, func(f *licensing.ImportFile) { f.Users[0].Password = "short" })
		}, "$.users[0].password", "8 to 72", true},
		// Only the database knows these; the transaction has written the
		// new smart account (and more) when they are found.
		{"smart account already in the database", func(t *testing.T) string {
			return goodJSON(t, func(f *licensing.ImportFile) { f.SmartAccounts[0].Name = demo.SmartAccount; f.Users[0].Roles = nil })
		}, "$.smartAccounts[0].name", "already exists", true},
		{"user already in the database", func(t *testing.T) string {
			return goodJSON(t, func(f *licensing.ImportFile) { f.Users[0].Username = "admin" })
		}, "$.users[0].username", "already exists", true},
		{"role on a smart account that exists nowhere", func(t *testing.T) string {
			return goodJSON(t, func(f *licensing.ImportFile) { f.Users[0].Roles[0].SmartAccount = "Umbrella" })
		}, "$.users[0].roles[0].smartAccount", "unknown smart account", true},
		{"VA role in a smart account of the database that lacks the VA", func(t *testing.T) string {
			return goodJSON(t, func(f *licensing.ImportFile) {
				f.Users[0].Roles = append(f.Users[0].Roles, licensing.ImportRole{Role: "VA_USER", SmartAccount: demo.SmartAccount, VirtualAccount: "North"})
			})
		}, "$.users[0].roles[2].virtualAccount", "unknown virtual account", true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			e := newImpEnv(t)
			if _, err := e.svc.Import(ctx, demo.File(), bcrypt.MinCost); err != nil {
				t.Fatal(err)
			}
			before := e.snapshot(t)

			f, err := licensing.DecodeImport(strings.NewReader(c.doc(t)))
			if (err == nil) != c.decodes {
				t.Fatalf("DecodeImport error = %v, want decodes=%v", err, c.decodes)
			}
			if err == nil {
				_, err = e.svc.Import(ctx, f, bcrypt.MinCost)
			}
			if c.path == "" { // the control
				if err != nil {
					t.Fatalf("the good file was refused: %v", err)
				}
				if after := e.snapshot(t); after["product_instances"] != before["product_instances"]+3 {
					t.Errorf("the good file added %d PIs, want 3", after["product_instances"]-before["product_instances"])
				}
				return
			}
			var ie *licensing.ImportError
			if !errors.As(err, &ie) {
				t.Fatalf("err = %v (%T), want an *ImportError", err, err)
			}
			if ie.Path != c.path {
				t.Errorf("Path = %q, want %q (msg %q)", ie.Path, c.path, ie.Msg)
			}
			if !strings.Contains(ie.Msg, c.msgHas) {
				t.Errorf("Msg = %q, want it to contain %q", ie.Msg, c.msgHas)
			}
			if !strings.HasPrefix(err.Error(), "import: "+c.path) && !strings.HasPrefix(err.Error(), c.path) {
				t.Errorf("Error() = %q does not start with the path", err)
			}
			if after := e.snapshot(t); !maps.Equal(before, after) {
				t.Errorf("database changed by a refused import:\nbefore %v\nafter  %v", before, after)
			}
			if _, err := e.svc.VerifyEvents(ctx); err != nil {
				t.Errorf("event chain after a refused import: %v", err)
			}
		})
	}
}

// TestImportSameSmartAccountTwice: the second import of one file is
// refused by what only the database knows, and leaves it as it was.
func TestImportSameSmartAccountTwice(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newImpEnv(t)
	f, err := licensing.DecodeImport(strings.NewReader(handWritten))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.Import(ctx, f, bcrypt.MinCost); err != nil {
		t.Fatal(err)
	}
	before := e.snapshot(t)
	stats, err := e.svc.Import(ctx, f, bcrypt.MinCost)
	var ie *licensing.ImportError
	if !errors.As(err, &ie) || ie.Path != "$.smartAccounts[0].name" || !strings.Contains(ie.Msg, "already exists") {
		t.Fatalf("second import: %+v, %v; want an ImportError at $.smartAccounts[0].name", stats, err)
	}
	if stats != (licensing.ImportStats{}) {
		t.Errorf("a refused import reports stats %+v", stats)
	}
	if after := e.snapshot(t); !maps.Equal(before, after) {
		t.Errorf("database changed:\nbefore %v\nafter  %v", before, after)
	}
	// Users alone (no smart account) into the existing one still work.
	users := licensing.ImportFile{Users: []licensing.ImportUser{{Username: "bob", Password: "bob-password", Roles: []licensing.ImportRole{
		{Role: "VA_VIEWER", SmartAccount: "Acme Networks", VirtualAccount: "Campus"}}}}}
	if st, err := e.svc.Import(ctx, users, bcrypt.MinCost); err != nil || st.Users != 1 {
		t.Fatalf("users-only import: %+v, %v", st, err)
	}
	if bob := e.actor(t, "bob"); len(bob.Grants) != 1 || bob.Grants[0].VirtualAccountID == 0 {
		t.Errorf("bob's grants = %+v", bob.Grants)
	}
}
