package sqlite

import (
	"context"

	"slrportal/internal/access"
	"slrportal/internal/licensing"
)

func (s *Store) SmartAccount(ctx context.Context, id int64) (licensing.SmartAccount, error) {
	var sa licensing.SmartAccount
	err := s.q.QueryRowContext(ctx, `SELECT id, name, domain, slr_enabled FROM smart_accounts WHERE id = ?`, id).
		Scan(&sa.ID, &sa.Name, &sa.Domain, &sa.SLREnabled)
	return sa, wrap("smart account", err)
}

func (s *Store) SmartAccountByName(ctx context.Context, name string) (licensing.SmartAccount, error) {
	var sa licensing.SmartAccount
	err := s.q.QueryRowContext(ctx, `SELECT id, name, domain, slr_enabled FROM smart_accounts WHERE name = ?`, name).
		Scan(&sa.ID, &sa.Name, &sa.Domain, &sa.SLREnabled)
	return sa, wrap("smart account", err)
}

func (s *Store) CreateSmartAccount(ctx context.Context, sa *licensing.SmartAccount) error {
	res, err := s.q.ExecContext(ctx, `INSERT INTO smart_accounts (name, domain, slr_enabled) VALUES (?, ?, ?)`,
		sa.Name, sa.Domain, boolInt(sa.SLREnabled))
	if err != nil {
		return wrap("create smart account", err)
	}
	sa.ID, err = res.LastInsertId()
	return wrap("create smart account", err)
}

func (s *Store) SetSLREnabled(ctx context.Context, saID int64, enabled bool) error {
	_, err := s.q.ExecContext(ctx, `UPDATE smart_accounts SET slr_enabled = ? WHERE id = ?`, boolInt(enabled), saID)
	return wrap("set SLR enabled", err)
}

func (s *Store) VirtualAccounts(ctx context.Context, saID int64) ([]licensing.VirtualAccount, error) {
	rows, err := s.q.QueryContext(ctx, `SELECT id, sa_id, name, description, is_default FROM virtual_accounts WHERE sa_id = ? ORDER BY name`, saID)
	if err != nil {
		return nil, wrap("virtual accounts", err)
	}
	defer rows.Close()
	var out []licensing.VirtualAccount
	for rows.Next() {
		var va licensing.VirtualAccount
		if err := rows.Scan(&va.ID, &va.SmartAccountID, &va.Name, &va.Description, &va.Default); err != nil {
			return nil, wrap("virtual accounts", err)
		}
		out = append(out, va)
	}
	return out, wrap("virtual accounts", rows.Err())
}

func (s *Store) VirtualAccount(ctx context.Context, id int64) (licensing.VirtualAccount, error) {
	var va licensing.VirtualAccount
	err := s.q.QueryRowContext(ctx, `SELECT id, sa_id, name, description, is_default FROM virtual_accounts WHERE id = ?`, id).
		Scan(&va.ID, &va.SmartAccountID, &va.Name, &va.Description, &va.Default)
	return va, wrap("virtual account", err)
}

func (s *Store) CreateVirtualAccount(ctx context.Context, va *licensing.VirtualAccount) error {
	res, err := s.q.ExecContext(ctx, `INSERT INTO virtual_accounts (sa_id, name, description, is_default) VALUES (?, ?, ?, ?)`,
		va.SmartAccountID, va.Name, va.Description, boolInt(va.Default))
	if err != nil {
		return wrap("create virtual account", err)
	}
	va.ID, err = res.LastInsertId()
	return wrap("create virtual account", err)
}

func (s *Store) UserByUsername(ctx context.Context, username string) (licensing.User, error) {
	var u licensing.User
	err := s.q.QueryRowContext(ctx, `SELECT id, username, display_name, password_hash, session_epoch FROM users WHERE username = ?`, username).
		Scan(&u.ID, &u.Username, &u.DisplayName, &u.PasswordHash, &u.SessionEpoch)
	return u, wrap("user", err)
}

func (s *Store) User(ctx context.Context, id int64) (licensing.User, error) {
	var u licensing.User
	err := s.q.QueryRowContext(ctx, `SELECT id, username, display_name, password_hash, session_epoch FROM users WHERE id = ?`, id).
		Scan(&u.ID, &u.Username, &u.DisplayName, &u.PasswordHash, &u.SessionEpoch)
	return u, wrap("user", err)
}

func (s *Store) CreateUser(ctx context.Context, u *licensing.User) error {
	res, err := s.q.ExecContext(ctx, `INSERT INTO users (username, display_name, password_hash) VALUES (?, ?, ?)`,
		u.Username, u.DisplayName, u.PasswordHash)
	if err != nil {
		return wrap("create user", err)
	}
	u.ID, err = res.LastInsertId()
	return wrap("create user", err)
}

func (s *Store) Grants(ctx context.Context, userID int64) ([]access.Grant, error) {
	rows, err := s.q.QueryContext(ctx, `SELECT role, sa_id, va_id FROM role_assignments WHERE user_id = ? ORDER BY sa_id, role, va_id`, userID)
	if err != nil {
		return nil, wrap("grants", err)
	}
	defer rows.Close()
	var out []access.Grant
	for rows.Next() {
		var g access.Grant
		var role string
		if err := rows.Scan(&role, &g.SmartAccountID, &g.VirtualAccountID); err != nil {
			return nil, wrap("grants", err)
		}
		g.Role = access.Role(role)
		out = append(out, g)
	}
	return out, wrap("grants", rows.Err())
}

func (s *Store) AddGrant(ctx context.Context, userID int64, g access.Grant) error {
	_, err := s.q.ExecContext(ctx, `INSERT INTO role_assignments (user_id, role, sa_id, va_id) VALUES (?, ?, ?, ?)`,
		userID, string(g.Role), g.SmartAccountID, g.VirtualAccountID)
	return wrap("add grant", err)
}

func (s *Store) EndSessions(ctx context.Context, userID int64) error {
	return s.exec1(ctx, "end sessions", `UPDATE users SET session_epoch = session_epoch + 1 WHERE id = ?`, userID)
}
