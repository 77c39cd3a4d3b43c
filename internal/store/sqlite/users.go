package sqlite

import (
	"context"

	"slrportal/internal/access"
	"slrportal/internal/licensing"
)

// UsersOfSA lists, by username, the users with a role in the smart account
// and the users left without any role (so an administrator can give them
// one again).
func (s *Store) UsersOfSA(ctx context.Context, saID int64) ([]licensing.User, error) {
	rows, err := s.q.QueryContext(ctx, `SELECT id, username, display_name, password_hash, session_epoch FROM users u
		WHERE EXISTS (SELECT 1 FROM role_assignments r WHERE r.user_id = u.id AND r.sa_id = ?)
		   OR NOT EXISTS (SELECT 1 FROM role_assignments r WHERE r.user_id = u.id)
		ORDER BY username`, saID)
	if err != nil {
		return nil, wrap("users of smart account", err)
	}
	defer rows.Close()
	var out []licensing.User
	for rows.Next() {
		var u licensing.User
		if err := rows.Scan(&u.ID, &u.Username, &u.DisplayName, &u.PasswordHash, &u.SessionEpoch); err != nil {
			return nil, wrap("users of smart account", err)
		}
		out = append(out, u)
	}
	return out, wrap("users of smart account", rows.Err())
}

// RemoveGrant deletes one role assignment; ErrNotFound when there is none.
func (s *Store) RemoveGrant(ctx context.Context, userID int64, g access.Grant) error {
	return s.exec1(ctx, "remove grant", `DELETE FROM role_assignments WHERE user_id = ? AND role = ? AND sa_id = ? AND va_id = ?`,
		userID, string(g.Role), g.SmartAccountID, g.VirtualAccountID)
}
