package sqlite

import (
	"context"

	"slrportal/internal/licensing"
)

// SavePreviousLines records the lines a PI held before an update, replacing
// any recorded earlier.
func (s *Store) SavePreviousLines(ctx context.Context, piID int64, lines []licensing.Line) error {
	if err := s.DeletePreviousLines(ctx, piID); err != nil {
		return err
	}
	for _, l := range lines {
		if _, err := s.q.ExecContext(ctx, `INSERT INTO previous_reservation_lines (pi_id, tag, count) VALUES (?, ?, ?)`, piID, l.Tag, l.Count); err != nil {
			return wrap("save previous lines", err)
		}
	}
	return nil
}

// PreviousLines returns the lines recorded before a pending update, by tag.
func (s *Store) PreviousLines(ctx context.Context, piID int64) ([]licensing.Line, error) {
	rows, err := s.q.QueryContext(ctx, `SELECT tag, count FROM previous_reservation_lines WHERE pi_id = ? ORDER BY tag`, piID)
	if err != nil {
		return nil, wrap("previous lines", err)
	}
	defer rows.Close()
	var out []licensing.Line
	for rows.Next() {
		var l licensing.Line
		if err := rows.Scan(&l.Tag, &l.Count); err != nil {
			return nil, wrap("previous lines", err)
		}
		out = append(out, l)
	}
	return out, wrap("previous lines", rows.Err())
}

// DeletePreviousLines forgets the lines recorded before an update.
func (s *Store) DeletePreviousLines(ctx context.Context, piID int64) error {
	_, err := s.q.ExecContext(ctx, `DELETE FROM previous_reservation_lines WHERE pi_id = ?`, piID)
	return wrap("delete previous lines", err)
}

// MoveInstance puts a live PI into another virtual account.
func (s *Store) MoveInstance(ctx context.Context, piID, vaID int64) error {
	return s.exec1(ctx, "move instance", `UPDATE product_instances SET va_id = ? WHERE id = ? AND removed_at IS NULL`, vaID, piID)
}
