// Package demo builds the demo smart account that a new database is seeded
// with, as an import file, so the demo goes through the same import path as
// real data. Tests of other packages reuse it.
package demo

import (
	"fmt"

	"slrportal/internal/licensing"
)

// SmartAccount is the demo smart account's name.
const SmartAccount = "Acme Networks"

// Password is every demo user's password.
const Password = "slr-demo-pass"

// Login is one demo user.
type Login struct{ Username, Role, Scope string }

// Logins lists the demo users, one per role.
var Logins = []Login{
	{"admin", "SA_ADMIN", "Smart Account Administrator"},
	{"sauser", "SA_USER", "Smart Account User"},
	{"saviewer", "SA_VIEWER", "Smart Account Viewer"},
	{"vaadmin", "VA_ADMIN", "Virtual Account Administrator of Campus"},
	{"vauser", "VA_USER", "Virtual Account User of Campus and Branch Offices"},
	{"vaviewer", "VA_VIEWER", "Virtual Account Viewer of Data Center"},
}

func tag(name, uuid string) string { return "regid.2017-03.com.cisco." + name + ",1.0_" + uuid }

// Tags of the demo licenses, exported for tests.
var (
	TagC9300DNAAdv  = tag("C9300_DNA_Advantage", "1b5e5c2c-8f1e-4f7a-9d0b-3f3c2d1e0a11")
	TagC9300NWAdv   = tag("C9300_NW_Advantage", "2c6f6d3d-9a2f-4a8b-8e1c-4a4d3e2f1b22")
	TagC9200DNAEss  = tag("C9200_DNA_Essentials", "3d7a7e4e-ab3a-4b9c-9f2d-5b5e4f3a2c33")
	TagC9500DNAAdv  = tag("C9500_DNA_Advantage", "4e8b8f5f-bc4b-4cad-a03e-6c6f5a4b3d44")
	TagASR1KAdvEnt  = tag("ASR1K_Advanced_Enterprise", "5f9c9a6a-cd5c-4dbe-b14f-7d7a6b5c4e55")
	TagASR1KThrough = tag("ASR1K_Throughput_10G", "6a0dab7b-de6d-4ecf-c25a-8e8b7c6d5f66")
	TagISR4KSec     = tag("ISR4K_Security", "7b1ebc8c-ef7e-4fd0-d36b-9f9c8d7e6a77")
	TagC9800AP      = tag("C9800_AP_Advantage", "8c2fcd9d-fa8f-4ae1-e47c-a0ad9e8f7b88")
)

func lic(t, name, family string, purchased int) licensing.ImportLicense {
	return licensing.ImportLicense{Tag: t, DisplayName: name, Family: family, Type: "PERPETUAL", Purchased: purchased,
		Description: name + " (Specific License Reservation)"}
}

func pis(n int, pid, snPrefix, hostPrefix string, lines ...licensing.ImportLine) []licensing.ImportPI {
	out := make([]licensing.ImportPI, n)
	for i := range out {
		out[i] = licensing.ImportPI{PID: pid, SN: fmt.Sprintf("%s%04d", snPrefix, i+1), Reservation: lines}
		if hostPrefix != "" {
			out[i].Hostname = fmt.Sprintf("%s%02d", hostPrefix, i+1)
		}
	}
	return out
}

func line(t string, n int) licensing.ImportLine { return licensing.ImportLine{Tag: t, Count: n} }

// File returns the demo import file: four virtual accounts, 62 product
// instances of six families, licenses short in Campus so that the
// Insufficient Licenses alert shows, a TERM license that is expiring, and
// one user per role.
func File() licensing.ImportFile {
	campus := licensing.ImportVA{Name: "Campus", Default: true, Description: "Campus access and distribution switches",
		Licenses: []licensing.ImportLicense{
			lic(TagC9300DNAAdv, "C9300 DNA Advantage", "C9300", 22),
			lic(TagC9300NWAdv, "C9300 Network Advantage", "C9300", 30),
			lic(TagC9200DNAEss, "C9200 DNA Essentials", "C9200", 6),
		}}
	campus.ProductInstances = append(campus.ProductInstances, pis(24, "C9300-24UX", "FCW2134L", "sw-campus-a", line(TagC9300DNAAdv, 1), line(TagC9300NWAdv, 1))...)
	campus.ProductInstances = append(campus.ProductInstances, pis(6, "C9200L-48P-4X", "JAE2245K", "sw-campus-e", line(TagC9200DNAEss, 1))...)

	dc := licensing.ImportVA{Name: "Data Center", Description: "Core and WAN edge",
		Licenses: []licensing.ImportLicense{
			lic(TagC9500DNAAdv, "C9500 DNA Advantage", "C9500", 10),
			lic(TagASR1KAdvEnt, "ASR 1000 Advanced Enterprise", "ASR1000", 6),
			{Tag: TagASR1KThrough, DisplayName: "ASR 1000 Throughput 10G", Family: "ASR1000", Type: "TERM", StartDate: "2024-01-01", EndDate: "2027-01-31", Purchased: 4,
				Description: "ASR 1000 10 Gbps throughput (term)"},
		}}
	dc.ProductInstances = append(dc.ProductInstances, pis(8, "C9500-48Y4C", "FDO2201C", "core-", line(TagC9500DNAAdv, 1))...)
	dc.ProductInstances = append(dc.ProductInstances, pis(4, "ASR1002-HX", "FOX2311W", "wan-", line(TagASR1KAdvEnt, 1), line(TagASR1KThrough, 1))...)

	branch := licensing.ImportVA{Name: "Branch Offices", Description: "Branch routers",
		Licenses: []licensing.ImportLicense{lic(TagISR4KSec, "ISR 4000 Security", "ISR4000", 14)}}
	branch.ProductInstances = pis(14, "ISR4331/K9", "FLM2044B", "br-", line(TagISR4KSec, 1))

	wireless := licensing.ImportVA{Name: "Wireless", Description: "Wireless LAN controllers",
		Licenses: []licensing.ImportLicense{lic(TagC9800AP, "C9800 AP Advantage", "C9800", 100)}}
	wireless.ProductInstances = pis(6, "C9800-40-K9", "TTM2301Z", "", line(TagC9800AP, 15))

	users := []licensing.ImportUser{
		{Username: "admin", DisplayName: "Ada Admin", Roles: []licensing.ImportRole{{Role: "SA_ADMIN", SmartAccount: SmartAccount}}},
		{Username: "sauser", DisplayName: "Sam User", Roles: []licensing.ImportRole{{Role: "SA_USER", SmartAccount: SmartAccount}}},
		{Username: "saviewer", DisplayName: "Sue Viewer", Roles: []licensing.ImportRole{{Role: "SA_VIEWER", SmartAccount: SmartAccount}}},
		{Username: "vaadmin", DisplayName: "Val Admin", Roles: []licensing.ImportRole{{Role: "VA_ADMIN", SmartAccount: SmartAccount, VirtualAccount: "Campus"}}},
		{Username: "vauser", DisplayName: "Vic User", Roles: []licensing.ImportRole{
			{Role: "VA_USER", SmartAccount: SmartAccount, VirtualAccount: "Campus"},
			{Role: "VA_USER", SmartAccount: SmartAccount, VirtualAccount: "Branch Offices"}}},
		{Username: "vaviewer", DisplayName: "Vera Viewer", Roles: []licensing.ImportRole{{Role: "VA_VIEWER", SmartAccount: SmartAccount, VirtualAccount: "Data Center"}}},
	}
	for i := range users {
		users[i].Password = Password
	}
	return licensing.ImportFile{
		SmartAccounts: []licensing.ImportSA{{Name: SmartAccount, Domain: "acme.example", SLREnabled: true,
			VirtualAccounts: []licensing.ImportVA{campus, dc, branch, wireless}}},
		Users: users,
	}
}
