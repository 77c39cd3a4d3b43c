package licensing

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"strconv"
	"time"
)

// EventType names what happened.
type EventType string

const (
	EventSignIn          EventType = "SIGN_IN"
	EventSignInFailed    EventType = "SIGN_IN_FAILED"
	EventImport          EventType = "IMPORT"
	EventReserve         EventType = "RESERVE"
	EventRehost          EventType = "REHOST"
	EventRehostFailed    EventType = "REHOST_FAILED_DEVICE"
	EventRehostRefused   EventType = "REHOST_REFUSED"
	EventDownload        EventType = "CODE_DOWNLOADED"
	EventRemove          EventType = "REMOVE"
	EventUpdate          EventType = "UPDATE"
	EventUpdateCancelled EventType = "UPDATE_CANCELLED"
	EventConfirm         EventType = "CONFIRM"
	EventTransfer        EventType = "TRANSFER"
	EventLicenseTransfer EventType = "LICENSE_TRANSFER"
	EventDeposit         EventType = "DEPOSIT"
	EventSettings        EventType = "SETTINGS"
	EventUserCreated     EventType = "USER_CREATED"
	EventRoleGranted     EventType = "ROLE_GRANTED"
	EventRoleRevoked     EventType = "ROLE_REVOKED"
	EventVACreated       EventType = "VA_CREATED"
)

// EventTypes lists the types with the label the event log's filter shows.
var EventTypes = []struct {
	Type  EventType
	Label string
}{
	{EventReserve, "License reserved"},
	{EventRehost, "Licenses rehosted (replacement)"},
	{EventRehostFailed, "Licenses rehosted (failed device)"},
	{EventRehostRefused, "Rehost refused"},
	{EventDownload, "Authorization code downloaded"},
	{EventUpdate, "Reservation updated"},
	{EventUpdateCancelled, "Update cancelled"},
	{EventConfirm, "Confirmation code entered"},
	{EventRemove, "Product instance removed"},
	{EventTransfer, "Product instance transferred"},
	{EventLicenseTransfer, "Licenses transferred"},
	{EventDeposit, "Licenses deposited"},
	{EventSettings, "Settings changed"},
	{EventVACreated, "Virtual account created"},
	{EventUserCreated, "User created"},
	{EventRoleGranted, "Role granted"},
	{EventRoleRevoked, "Role revoked"},
	{EventImport, "Imported"},
	{EventSignIn, "Signed in"},
	{EventSignInFailed, "Sign-in failed"},
}

// Event is one append-only record. Hash chains it to the previous event.
type Event struct {
	ID       int64
	At       time.Time
	SAID     int64
	VAID     int64 // 0 for SA-level events
	VAName   string
	UserID   int64 // 0 for the system or an unknown user
	Username string
	Type     EventType
	PIID     int64  // product instance row id, 0 when none
	UDI      string // "PID:…,SN:…" of the product instance, if any
	Hostname string
	Message  string
	Details  string
	// Licenses are the tags of the licenses the event concerns (sorted,
	// no repeats); the event log's license filter finds events by them.
	Licenses []string
	PrevHash string
	Hash     string
}

// TimeText is the stored, hashed spelling of the event time.
func (e Event) TimeText() string { return e.At.UTC().Format(time.RFC3339Nano) }

// ComputeHash returns SHA-256 over the previous hash and the event's canonical
// fields, each length-prefixed so no two field lists share an encoding.
func (e Event) ComputeHash() string {
	h := sha256.New()
	fields := []string{
		e.PrevHash,
		strconv.FormatInt(e.ID, 10),
		e.TimeText(),
		strconv.FormatInt(e.SAID, 10),
		strconv.FormatInt(e.VAID, 10),
		strconv.FormatInt(e.UserID, 10),
		e.Username,
		string(e.Type),
		strconv.FormatInt(e.PIID, 10),
		e.UDI,
		e.Hostname,
		e.Message,
		e.Details,
	}
	// Events without licenses hash as they did before the field existed.
	if len(e.Licenses) > 0 {
		fields = append(fields, "licenses")
		fields = append(fields, e.Licenses...)
	}
	for _, f := range fields {
		fmt.Fprintf(h, "%d:%s;", len(f), f)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// EventAppender is the part of the store that appends events; it must be
// called inside the write transaction of the use case.
type EventAppender interface {
	// LastEvent returns the id and hash of the newest event, or 0 and "".
	LastEvent(ctx context.Context) (int64, string, error)
	InsertEvent(ctx context.Context, e Event) error
}

// AppendEvent chains e to the newest event and stores it. Call it inside the
// use case's transaction so that the event and the change land together.
func AppendEvent(ctx context.Context, tx EventAppender, e Event) (Event, error) {
	lastID, lastHash, err := tx.LastEvent(ctx)
	if err != nil {
		return Event{}, fmt.Errorf("append event: %w", err)
	}
	if e.At.IsZero() {
		e.At = time.Now()
	}
	e.At = e.At.UTC()
	e.Licenses = sortedTags(e.Licenses)
	e.ID = lastID + 1
	e.PrevHash = lastHash
	e.Hash = e.ComputeHash()
	if err := tx.InsertEvent(ctx, e); err != nil {
		return Event{}, fmt.Errorf("append event: %w", err)
	}
	return e, nil
}

// ChainError names the first event whose hash does not hold.
type ChainError struct {
	ID     int64
	Reason string
}

func (e *ChainError) Error() string {
	return fmt.Sprintf("event %d: %s", e.ID, e.Reason)
}

// ChainVerifier checks events in id order; feed it every event.
type ChainVerifier struct {
	prevHash string
	prevID   int64
	Count    int64
}

// Check verifies one event after the previous one.
func (v *ChainVerifier) Check(e Event) error {
	if e.ID != v.prevID+1 {
		return &ChainError{ID: e.ID, Reason: fmt.Sprintf("expected event %d next (an event is missing)", v.prevID+1)}
	}
	if e.PrevHash != v.prevHash {
		return &ChainError{ID: e.ID, Reason: "previous-hash link is broken"}
	}
	if e.ComputeHash() != e.Hash {
		return &ChainError{ID: e.ID, Reason: "content does not match its hash (the event was changed)"}
	}
	v.prevHash, v.prevID = e.Hash, e.ID
	v.Count++
	return nil
}

// sortedTags sorts tags and drops repeats and empty ones.
func sortedTags(tags []string) []string {
	if len(tags) == 0 {
		return nil
	}
	out := slices.Clone(tags)
	slices.Sort(out)
	out = slices.Compact(out)
	if out[0] == "" {
		out = out[1:]
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// LineTags returns the tags of reservation lines, for Event.Licenses.
func LineTags(lines []Line) []string {
	out := make([]string, len(lines))
	for i, l := range lines {
		out[i] = l.Tag
	}
	return out
}
