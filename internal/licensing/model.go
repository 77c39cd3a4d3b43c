package licensing

import (
	"time"
)

// SmartAccount is the customer's account.
type SmartAccount struct {
	ID         int64
	Name       string
	Domain     string
	SLREnabled bool
}

// VirtualAccount is a sub-account that holds licenses and product instances.
type VirtualAccount struct {
	ID             int64
	SmartAccountID int64
	Name           string
	Description    string
	Default        bool
}

// LicenseType is PERPETUAL or TERM.
type LicenseType string

const (
	Perpetual LicenseType = "PERPETUAL"
	Term      LicenseType = "TERM"
)

// License is a pool of one entitlement in one virtual account. InUse is
// filled by the store from the live reservation lines of the VA.
type License struct {
	ID          int64
	VAID        int64
	Tag         string
	DisplayName string
	Description string
	Family      string // catalogue family ID, e.g. "C9300"
	Type        LicenseType
	StartDate   string // YYYY-MM-DD or ""
	EndDate     string // YYYY-MM-DD; required for TERM
	Purchased   int
	InUse       int
}

// Balance is Purchased − In Use; negative means Insufficient Licenses.
func (l License) Balance() int { return l.Purchased - l.InUse }

// Billing is what the Licenses tab shows in its Billing column.
func (l License) Billing() string {
	if l.Type == Term {
		return "Term"
	}
	return "Perpetual"
}

// Status of a product instance.
type Status string

const (
	StatusReserved      Status = "Reserved"
	StatusUpdatePending Status = "Update Pending"
	StatusFailed        Status = "Failed - Pending Removal"
)

// Line is one reservation line: a license tag and a count.
type Line struct {
	Tag   string
	Count int
}

// ProductInstance is a device known to a virtual account.
type ProductInstance struct {
	ID             int64
	VAID           int64
	SAID           int64
	PIID           string // stable UUID
	PID            string
	SN             string
	Family         string
	Hostname       string
	Status         Status
	RehostedFromID int64 // 0 when none
	RehostedToID   int64
	CreatedAt      time.Time
	LastContact    time.Time
	Removed        bool
	Lines          []Line // filled by ProductInstance(), not by lists
	FailedAlerts   int    // filled by lists: 1 when the PI holds a short license
}

// Name is the hostname, or the UDI in the portal's spelling.
func (p ProductInstance) Name() string {
	if p.Hostname != "" {
		return p.Hostname
	}
	return "UDI_PID:" + p.PID + "; UDI_SN:" + p.SN
}

// UDIString is the UDI as event messages write it.
func (p ProductInstance) UDIString() string { return "PID:" + p.PID + ",SN:" + p.SN }

// Live reports whether the PI still blocks its UDI and counts in In Use.
func (p ProductInstance) Live() bool { return !p.Removed }

// Total is the sum of the PI's reservation counts.
func (p ProductInstance) Total() int {
	n := 0
	for _, l := range p.Lines {
		n += l.Count
	}
	return n
}

// AuthCode is an issued authorization code file. Every one is kept.
type AuthCode struct {
	ID        int64
	PIID      int64 // product instance row id
	Kind      string
	File      []byte
	Signature string
	CreatedAt time.Time
	Username  string
}

// User is a portal account.
type User struct {
	ID           int64
	Username     string
	DisplayName  string
	PasswordHash []byte
	// SessionEpoch moves on at sign-out; older session cookies are refused.
	SessionEpoch int64
}

// Alert is shown on the General and Licenses tabs.
type Alert struct {
	Severity string // Major, Minor, Info
	Name     string
	Detail   string
}
