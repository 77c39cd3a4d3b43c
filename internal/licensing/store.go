package licensing

import (
	"context"
	"time"

	"slrportal/internal/access"
)

// PIQuery selects product instances of one virtual account.
type PIQuery struct {
	// Prefix matches case-insensitively the start of the serial number,
	// PID or hostname; Families adds instances of these family IDs (the
	// caller resolves family names from the catalogue).
	Prefix   string
	Families []string
	Status   Status // "" for every status
	Offset   int
	Limit    int
}

// PIPage is one page of product instances and the number that match.
type PIPage struct {
	Instances []ProductInstance
	Total     int
}

// EventQuery selects events, newest first, with keyset pagination.
type EventQuery struct {
	SAID     int64
	VAIDs    []int64 // nil: every VA and SA-level events; non-nil: only these VAs
	Product  string  // prefix of serial, PID or hostname
	Type     EventType
	Username string
	// LicenseTags keeps events that concern one of these licenses; nil
	// means no license filter, empty means the filter matched no license.
	LicenseTags []string
	From, To    time.Time
	BeforeID    int64 // keyset: only events with a smaller id; 0 for the newest
	Limit       int
}

// Repo is what the domain reads and writes. Outside a transaction each call
// stands alone; inside Store.InTx all calls share one transaction.
type Repo interface {
	EventAppender

	SmartAccount(ctx context.Context, id int64) (SmartAccount, error)
	SmartAccountByName(ctx context.Context, name string) (SmartAccount, error)
	CreateSmartAccount(ctx context.Context, sa *SmartAccount) error
	SetSLREnabled(ctx context.Context, saID int64, enabled bool) error

	VirtualAccounts(ctx context.Context, saID int64) ([]VirtualAccount, error)
	VirtualAccount(ctx context.Context, id int64) (VirtualAccount, error)
	CreateVirtualAccount(ctx context.Context, va *VirtualAccount) error

	// Licenses returns the VA's licenses with In Use filled, by display name.
	Licenses(ctx context.Context, vaID int64) ([]License, error)
	// LicensesOfSA returns every VA's licenses of an SA in one query.
	LicensesOfSA(ctx context.Context, saID int64) ([]License, error)
	CreateLicense(ctx context.Context, l *License) error
	// LicenseTagsMatching returns the tags of the SA's licenses whose tag or
	// display name contains text, case-insensitively.
	LicenseTagsMatching(ctx context.Context, saID int64, text string) ([]string, error)
	AddPurchased(ctx context.Context, licenseID int64, delta int) error

	ProductInstances(ctx context.Context, vaID int64, q PIQuery) (PIPage, error)
	// ProductInstance returns one PI with its lines, removed ones included.
	ProductInstance(ctx context.Context, id int64) (ProductInstance, error)
	// StatusCounts counts the VA's live PIs per status.
	StatusCounts(ctx context.Context, vaID int64) (map[Status]int, error)
	// LiveUDI returns the id of the live PI with this UDI in the SA, or 0.
	LiveUDI(ctx context.Context, saID int64, pid, sn string) (int64, error)
	CreateInstance(ctx context.Context, pi *ProductInstance) error
	SetStatus(ctx context.Context, piID int64, s Status) error
	SetRehostedTo(ctx context.Context, piID, toID int64) error
	MarkRemoved(ctx context.Context, piID int64, at time.Time) error
	// SetLines replaces a PI's reservation lines.
	SetLines(ctx context.Context, piID int64, lines []Line) error
	// MoveInstance puts a live PI into another VA (a transfer).
	MoveInstance(ctx context.Context, piID, vaID int64) error
	// SavePreviousLines, PreviousLines and DeletePreviousLines keep the
	// lines a PI held before a pending update, for Cancel Update.
	SavePreviousLines(ctx context.Context, piID int64, lines []Line) error
	PreviousLines(ctx context.Context, piID int64) ([]Line, error)
	DeletePreviousLines(ctx context.Context, piID int64) error

	InsertAuthCode(ctx context.Context, c *AuthCode) error
	// AuthCodes lists a PI's codes, newest first.
	AuthCodes(ctx context.Context, piID int64) ([]AuthCode, error)
	AuthCode(ctx context.Context, id int64) (AuthCode, error)

	// TokenResult returns the result recorded for a one-time form token, or
	// 0 when the token has not been used.
	TokenResult(ctx context.Context, token string) (int64, error)
	SaveToken(ctx context.Context, token string, userID, resultID int64) error

	UserByUsername(ctx context.Context, username string) (User, error)
	User(ctx context.Context, id int64) (User, error)
	CreateUser(ctx context.Context, u *User) error
	// EndSessions invalidates every session of the user (sign-out).
	EndSessions(ctx context.Context, userID int64) error
	Grants(ctx context.Context, userID int64) ([]access.Grant, error)
	AddGrant(ctx context.Context, userID int64, g access.Grant) error
	// UsersOfSA lists, by username, the users with a role in the SA and
	// the users without any role.
	UsersOfSA(ctx context.Context, saID int64) ([]User, error)
	// RemoveGrant deletes one role assignment; ErrNotFound when absent.
	RemoveGrant(ctx context.Context, userID int64, g access.Grant) error

	Events(ctx context.Context, q EventQuery) ([]Event, error)
	// EventsEach calls fn for every event that matches q (Limit ignored),
	// newest first, streaming rows instead of loading them all.
	EventsEach(ctx context.Context, q EventQuery, fn func(Event) error) error
	// EachEvent calls fn for every event in id order (for verification).
	EachEvent(ctx context.Context, fn func(Event) error) error
}

// Store is a Repo that can also run a use case in one transaction
// (BEGIN IMMEDIATE: writers queue up instead of failing with SQLITE_BUSY).
type Store interface {
	Repo
	InTx(ctx context.Context, fn func(tx Repo) error) error
}
