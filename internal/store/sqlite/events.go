package sqlite

import (
	"context"
	"database/sql"
	"strings"
	"time"

	"slrportal/internal/licensing"
)

func (s *Store) LastEvent(ctx context.Context) (int64, string, error) {
	var id int64
	var hash string
	err := s.q.QueryRowContext(ctx, `SELECT id, hash FROM events ORDER BY id DESC LIMIT 1`).Scan(&id, &hash)
	if err == sql.ErrNoRows {
		return 0, "", nil
	}
	return id, hash, wrap("last event", err)
}

// splitUDI takes "PID:X,SN:Y" apart for the search columns.
func splitUDI(udi string) (pid, sn string) {
	rest, ok := strings.CutPrefix(udi, "PID:")
	if !ok {
		return "", ""
	}
	pid, sn, _ = strings.Cut(rest, ",SN:")
	return pid, sn
}

func (s *Store) InsertEvent(ctx context.Context, e licensing.Event) error {
	pid, sn := splitUDI(e.UDI)
	_, err := s.q.ExecContext(ctx, `INSERT INTO events
		(id, at, sa_id, va_id, user_id, username, type, pi_id, udi, pid, sn, hostname, message, details, prev_hash, hash)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		e.ID, e.TimeText(), e.SAID, e.VAID, e.UserID, e.Username, string(e.Type), e.PIID, e.UDI, pid, sn, e.Hostname,
		e.Message, e.Details, e.PrevHash, e.Hash)
	if err != nil {
		return wrap("insert event", err)
	}
	for _, tag := range e.Licenses {
		if _, err := s.q.ExecContext(ctx, `INSERT INTO event_licenses (event_id, tag) VALUES (?, ?)`, e.ID, tag); err != nil {
			return wrap("insert event: license", err)
		}
	}
	return nil
}

const eventColumns = `e.id, e.at, e.sa_id, e.va_id, COALESCE(v.name, ''), e.user_id, e.username, e.type, e.pi_id, e.udi, e.hostname, e.message, e.details, e.prev_hash, e.hash,
	COALESCE((SELECT group_concat(el.tag, char(31) ORDER BY el.tag) FROM event_licenses el WHERE el.event_id = e.id), '')`

func scanEvent(r scanner) (licensing.Event, error) {
	var e licensing.Event
	var at, typ, tags string
	if err := r.Scan(&e.ID, &at, &e.SAID, &e.VAID, &e.VAName, &e.UserID, &e.Username, &typ, &e.PIID, &e.UDI, &e.Hostname,
		&e.Message, &e.Details, &e.PrevHash, &e.Hash, &tags); err != nil {
		return e, err
	}
	if tags != "" {
		e.Licenses = strings.Split(tags, "\x1f")
	}
	e.Type = licensing.EventType(typ)
	e.At, _ = time.Parse(time.RFC3339Nano, at)
	return e, nil
}

// Without ANALYZE statistics SQLite's planner answers an event query by
// walking the SA's or VA's events newest first and filtering. That finds a
// page at once when matches are common and recent, and walks the whole log
// when they are rare or old: a serial number, a day long ago. Driving the
// query from an index (a union of index ranges) finds rare matches at once,
// and is slow when they are many, because it collects every match before
// the first row comes out. So planEvents first counts index entries, never
// more than a bound, and picks (see events_bench_test.go):
//   - a product search drives when it matches fewer than fewMatches events;
//   - a date range drives when it holds fewer events than the log holds
//     after it (counting up to manyMatches), which is what a walk from the
//     newest event would pass before reaching the range.
const (
	fewMatches  = 5000
	manyMatches = 200_000
)

// eventPlan says which conditions select few enough events to drive.
type eventPlan struct{ product, dates, licenses bool }

func productIDs(q licensing.EventQuery) (string, []any) {
	like := likePrefix(q.Product)
	return `SELECT id FROM events WHERE sn LIKE ? ESCAPE '\'
		UNION ALL SELECT id FROM events WHERE pid LIKE ? ESCAPE '\'
		UNION ALL SELECT id FROM events WHERE hostname LIKE ? ESCAPE '\'`, []any{like, like, like}
}

func licenseIDs(q licensing.EventQuery) (string, []any) {
	args := make([]any, len(q.LicenseTags))
	for i, t := range q.LicenseTags {
		args[i] = t
	}
	return `SELECT event_id FROM event_licenses WHERE tag IN (` + strings.Repeat("?,", len(args)-1) + `?)`, args
}

func dateIDs(q licensing.EventQuery) (string, []any) {
	var where []string
	var args []any
	if !q.From.IsZero() {
		where = append(where, "at >= ?")
		args = append(args, atBound(q.From))
	}
	if !q.To.IsZero() {
		where = append(where, "at < ?")
		args = append(args, atBound(q.To))
	}
	return `SELECT id FROM events WHERE ` + strings.Join(where, " AND "), args
}

func (s *Store) planEvents(ctx context.Context, q licensing.EventQuery) (eventPlan, error) {
	count := func(sub string, args []any, limit int) (int, error) {
		var n int
		err := s.q.QueryRowContext(ctx, `SELECT count(*) FROM (`+sub+` LIMIT ?)`, append(args, limit)...).Scan(&n)
		return n, wrap("events: plan", err)
	}
	var p eventPlan
	if q.Product != "" {
		sub, args := productIDs(q)
		n, err := count(sub, args, fewMatches)
		if err != nil {
			return p, err
		}
		p.product = n < fewMatches
	}
	if len(q.LicenseTags) > 0 {
		sub, args := licenseIDs(q)
		n, err := count(sub, args, fewMatches)
		if err != nil {
			return p, err
		}
		p.licenses = n < fewMatches
	}
	if !q.To.IsZero() { // with no end, the range holds the newest events: walk
		after, err := count(`SELECT id FROM events WHERE at >= ?`, []any{atBound(q.To)}, manyMatches)
		if err != nil {
			return p, err
		}
		sub, args := dateIDs(q)
		in, err := count(sub, args, after)
		if err != nil {
			return p, err
		}
		p.dates = in < after
	}
	return p, nil
}

// eventFilter builds the WHERE clause shared by the list and the export.
func eventFilter(q licensing.EventQuery, p eventPlan) (string, []any) {
	where := []string{"e.sa_id = ?"}
	args := []any{q.SAID}
	if q.VAIDs != nil {
		if len(q.VAIDs) == 0 {
			where = append(where, "0")
		} else {
			where = append(where, "e.va_id IN ("+strings.Repeat("?,", len(q.VAIDs)-1)+"?)")
			for _, id := range q.VAIDs {
				args = append(args, id)
			}
		}
	}
	if q.Product != "" {
		if p.product {
			sub, subArgs := productIDs(q)
			where = append(where, "e.id IN ("+sub+")")
			args = append(args, subArgs...)
		} else {
			like := likePrefix(q.Product)
			where = append(where, `(e.sn LIKE ? ESCAPE '\' OR e.pid LIKE ? ESCAPE '\' OR e.hostname LIKE ? ESCAPE '\')`)
			args = append(args, like, like, like)
		}
	}
	if q.Type != "" {
		where = append(where, "e.type = ?")
		args = append(args, string(q.Type))
	}
	if q.Username != "" {
		where = append(where, "e.username = ?")
		args = append(args, q.Username)
	}
	switch {
	case q.LicenseTags == nil:
	case len(q.LicenseTags) == 0:
		where = append(where, "0") // the text named no license
	case p.licenses:
		sub, subArgs := licenseIDs(q)
		where = append(where, "e.id IN ("+sub+")")
		args = append(args, subArgs...)
	default:
		sub, subArgs := licenseIDs(q)
		where = append(where, "EXISTS ("+sub+" AND event_id = e.id)")
		args = append(args, subArgs...)
	}
	if p.dates && (!q.From.IsZero() || !q.To.IsZero()) {
		sub, subArgs := dateIDs(q)
		where = append(where, "e.id IN ("+sub+")")
		args = append(args, subArgs...)
	} else {
		if !q.From.IsZero() {
			where = append(where, "e.at >= ?")
			args = append(args, atBound(q.From))
		}
		if !q.To.IsZero() {
			where = append(where, "e.at < ?")
			args = append(args, atBound(q.To))
		}
	}
	if q.BeforeID > 0 {
		where = append(where, "e.id < ?")
		args = append(args, q.BeforeID)
	}
	return strings.Join(where, " AND "), args
}

// atBound spells a date-filter bound for comparison with the stored times.
// Stored times are RFC 3339 with trailing zeros of the fraction dropped, so
// as text "…T00:00:00.5Z" sorts before "…T00:00:00Z"; a bound without
// fraction or zone is a prefix of every time within its second and sorts
// before all of them. Bounds therefore count in whole seconds, which is
// all the date filters need.
func atBound(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05") }

func (s *Store) Events(ctx context.Context, q licensing.EventQuery) ([]licensing.Event, error) {
	plan, err := s.planEvents(ctx, q)
	if err != nil {
		return nil, err
	}
	return s.events(ctx, q, plan)
}

// events runs q with a given plan; every plan gives the same rows.
func (s *Store) events(ctx context.Context, q licensing.EventQuery, plan eventPlan) ([]licensing.Event, error) {
	cond, args := eventFilter(q, plan)
	limit := q.Limit
	if limit <= 0 {
		limit = licensing.PageSize
	}
	rows, err := s.q.QueryContext(ctx, `SELECT `+eventColumns+` FROM events e LEFT JOIN virtual_accounts v ON v.id = e.va_id
		WHERE `+cond+` ORDER BY e.id DESC LIMIT ?`, append(args, limit)...)
	if err != nil {
		return nil, wrap("events", err)
	}
	defer rows.Close()
	var out []licensing.Event
	for rows.Next() {
		e, err := scanEvent(rows)
		if err != nil {
			return nil, wrap("events", err)
		}
		out = append(out, e)
	}
	return out, wrap("events", rows.Err())
}

func (s *Store) EachEvent(ctx context.Context, fn func(licensing.Event) error) error {
	rows, err := s.q.QueryContext(ctx, `SELECT `+eventColumns+` FROM events e LEFT JOIN virtual_accounts v ON v.id = e.va_id ORDER BY e.id`)
	if err != nil {
		return wrap("each event", err)
	}
	defer rows.Close()
	for rows.Next() {
		e, err := scanEvent(rows)
		if err != nil {
			return wrap("each event", err)
		}
		if err := fn(e); err != nil {
			return err
		}
	}
	return wrap("each event", rows.Err())
}

func (s *Store) EventsEach(ctx context.Context, q licensing.EventQuery, fn func(licensing.Event) error) error {
	plan, err := s.planEvents(ctx, q)
	if err != nil {
		return err
	}
	cond, args := eventFilter(q, plan)
	rows, err := s.q.QueryContext(ctx, `SELECT `+eventColumns+` FROM events e LEFT JOIN virtual_accounts v ON v.id = e.va_id
		WHERE `+cond+` ORDER BY e.id DESC`, args...)
	if err != nil {
		return wrap("events", err)
	}
	defer rows.Close()
	for rows.Next() {
		e, err := scanEvent(rows)
		if err != nil {
			return wrap("events", err)
		}
		if err := fn(e); err != nil {
			return err
		}
	}
	return wrap("events", rows.Err())
}
