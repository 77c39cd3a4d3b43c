package licensing

import (
	"context"
	"fmt"
	"strings"
	"time"

	"slrportal/internal/access"
)

// EventFilter is what the event log's search form asks for.
type EventFilter struct {
	Product  string // prefix of serial, PID or hostname
	Type     EventType
	Username string
	License  string
	From, To time.Time // To is exclusive
	Before   int64     // keyset cursor: events older than this id
	Limit    int
}

// EventPage is one page of the log, newest first; Next is the cursor of the
// following page, 0 on the last.
type EventPage struct {
	Events []Event
	Next   int64
}

// VAEvents is a VA's Event Log tab.
func (s *Service) VAEvents(ctx context.Context, a Actor, vaID int64, f EventFilter) (EventPage, error) {
	if !a.Can(access.View, vaID) {
		return EventPage{}, fmt.Errorf("events: %w", ErrNotFound)
	}
	return s.events(ctx, a, []int64{vaID}, f)
}

// SAEvents is Activity → Event Log: SA administrators see every event,
// other users the events of the VAs they may see.
func (s *Service) SAEvents(ctx context.Context, a Actor, f EventFilter) (EventPage, error) {
	var vaIDs []int64
	if !a.Can(access.ViewSmartAccountLog, 0) {
		vas, _, err := s.VisibleVAs(ctx, a)
		if err != nil {
			return EventPage{}, err
		}
		vaIDs = make([]int64, 0, len(vas))
		for _, va := range vas {
			vaIDs = append(vaIDs, va.ID)
		}
	}
	return s.events(ctx, a, vaIDs, f)
}

func (s *Service) events(ctx context.Context, a Actor, vaIDs []int64, f EventFilter) (EventPage, error) {
	if err := validateFilter(&f); err != nil {
		return EventPage{}, err
	}
	limit := f.Limit
	if limit <= 0 || limit > 1000 {
		limit = PageSize
	}
	tags, err := s.licenseTags(ctx, a, f.License)
	if err != nil {
		return EventPage{}, err
	}
	evs, err := s.store.Events(ctx, EventQuery{SAID: a.SAID, VAIDs: vaIDs, Product: f.Product, Type: f.Type, Username: f.Username,
		LicenseTags: tags, From: f.From, To: f.To, BeforeID: f.Before, Limit: limit + 1})
	if err != nil {
		return EventPage{}, fmt.Errorf("events: %w", err)
	}
	p := EventPage{Events: evs}
	if len(evs) > limit {
		p.Events = evs[:limit]
		p.Next = p.Events[limit-1].ID
	}
	return p, nil
}

// VerifyEvents checks the whole hash chain and returns the number of good
// events; the error names the first bad event (*ChainError).
func (s *Service) VerifyEvents(ctx context.Context) (int64, error) {
	var v ChainVerifier
	err := s.store.EachEvent(ctx, v.Check)
	return v.Count, err
}

// ExportEvents streams every event that matches f (no page limit) to fn,
// newest first, with the same visibility rules as the log pages. vaID 0
// exports the SA-level log.
func (s *Service) ExportEvents(ctx context.Context, a Actor, vaID int64, f EventFilter, fn func(Event) error) error {
	var vaIDs []int64
	switch {
	case vaID != 0:
		if !a.Can(access.View, vaID) {
			return fmt.Errorf("export: %w", ErrNotFound)
		}
		vaIDs = []int64{vaID}
	case !a.Can(access.ViewSmartAccountLog, 0):
		vas, _, err := s.VisibleVAs(ctx, a)
		if err != nil {
			return err
		}
		vaIDs = make([]int64, 0, len(vas))
		for _, va := range vas {
			vaIDs = append(vaIDs, va.ID)
		}
	}
	if err := validateFilter(&f); err != nil {
		return err
	}
	tags, err := s.licenseTags(ctx, a, f.License)
	if err != nil {
		return err
	}
	return s.store.EventsEach(ctx, EventQuery{SAID: a.SAID, VAIDs: vaIDs, Product: f.Product, Type: f.Type, Username: f.Username,
		LicenseTags: tags, From: f.From, To: f.To}, fn)
}

// VerifyEventsFor lets an SA administrator check the chain from the portal.
func (s *Service) VerifyEventsFor(ctx context.Context, a Actor) (int64, error) {
	if !a.Can(access.ManageSmartAccount, 0) {
		return 0, fmt.Errorf("verify events: %w", ErrNotFound)
	}
	return s.VerifyEvents(ctx)
}

func validateFilter(f *EventFilter) error {
	f.Product, f.Username, f.License = strings.TrimSpace(f.Product), strings.TrimSpace(f.Username), strings.TrimSpace(f.License)
	for _, v := range []struct{ field, val string }{{"q", f.Product}, {"user", f.Username}, {"license", f.License}} {
		if len(v.val) > MaxSearchLen {
			return Invalid(v.field, "The search text is too long: use at most %d characters.", MaxSearchLen)
		}
	}
	// To is exclusive: To == From is already an empty range (the web's
	// "to" day before its "from" day).
	if !f.From.IsZero() && !f.To.IsZero() && !f.To.After(f.From) {
		return Invalid("to", "The end date is before the start date.")
	}
	return nil
}

// licenseTags resolves the license filter's text to the tags of the SA's
// licenses whose name or tag contains it; nil when there is no filter.
func (s *Service) licenseTags(ctx context.Context, a Actor, text string) ([]string, error) {
	if text == "" {
		return nil, nil
	}
	tags, err := s.store.LicenseTagsMatching(ctx, a.SAID, text)
	if err != nil {
		return nil, fmt.Errorf("events: %w", err)
	}
	if tags == nil {
		tags = []string{}
	}
	return tags, nil
}
