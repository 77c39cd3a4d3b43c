package sqlite

import (
	"context"
	"database/sql"
	"strings"
	"time"

	"slrportal/internal/licensing"
)

func (s *Store) Licenses(ctx context.Context, vaID int64) ([]licensing.License, error) {
	return s.licenses(ctx, "va_id = ?", vaID)
}

func (s *Store) LicensesOfSA(ctx context.Context, saID int64) ([]licensing.License, error) {
	return s.licenses(ctx, "va_id IN (SELECT id FROM virtual_accounts WHERE sa_id = ?)", saID)
}

// licenses lists licenses of the VAs that vaCond selects, with In Use
// aggregated once per VA and tag (no query per license).
func (s *Store) licenses(ctx context.Context, vaCond string, arg int64) ([]licensing.License, error) {
	rows, err := s.q.QueryContext(ctx, `
		SELECT l.id, l.va_id, l.tag, l.display_name, l.description, l.family, l.type, l.start_date, l.end_date, l.purchased,
		       COALESCE(u.in_use, 0)
		FROM licenses l
		LEFT JOIN (
			SELECT p.va_id AS va_id, rl.tag AS tag, SUM(rl.count) AS in_use
			FROM product_instances p JOIN reservation_lines rl ON rl.pi_id = p.id
			WHERE p.`+vaCond+` AND p.removed_at IS NULL
			GROUP BY p.va_id, rl.tag
		) u ON u.va_id = l.va_id AND u.tag = l.tag
		WHERE l.`+vaCond+`
		ORDER BY l.va_id, l.display_name, l.tag`, arg, arg)
	if err != nil {
		return nil, wrap("licenses", err)
	}
	defer rows.Close()
	var out []licensing.License
	for rows.Next() {
		var l licensing.License
		var typ string
		if err := rows.Scan(&l.ID, &l.VAID, &l.Tag, &l.DisplayName, &l.Description, &l.Family, &typ, &l.StartDate, &l.EndDate, &l.Purchased, &l.InUse); err != nil {
			return nil, wrap("licenses", err)
		}
		l.Type = licensing.LicenseType(typ)
		out = append(out, l)
	}
	return out, wrap("licenses", rows.Err())
}

func (s *Store) CreateLicense(ctx context.Context, l *licensing.License) error {
	res, err := s.q.ExecContext(ctx, `INSERT INTO licenses (va_id, tag, display_name, description, family, type, start_date, end_date, purchased)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		l.VAID, l.Tag, l.DisplayName, l.Description, l.Family, string(l.Type), l.StartDate, l.EndDate, l.Purchased)
	if err != nil {
		return wrap("create license", err)
	}
	l.ID, err = res.LastInsertId()
	return wrap("create license", err)
}

func (s *Store) AddPurchased(ctx context.Context, licenseID int64, delta int) error {
	res, err := s.q.ExecContext(ctx, `UPDATE licenses SET purchased = purchased + ? WHERE id = ?`, delta, licenseID)
	if err != nil {
		return wrap("add purchased", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return wrap("add purchased", sql.ErrNoRows)
	}
	return nil
}

const piColumns = `p.id, p.va_id, p.sa_id, p.piid, p.pid, p.sn, p.family, p.hostname, p.status,
	COALESCE(p.rehosted_from_id, 0), COALESCE(p.rehosted_to_id, 0), p.created_at, p.last_contact, p.removed_at IS NOT NULL`

type scanner interface{ Scan(dest ...any) error }

func scanPI(r scanner, extra ...any) (licensing.ProductInstance, error) {
	var p licensing.ProductInstance
	var status, created, contact string
	dest := append([]any{&p.ID, &p.VAID, &p.SAID, &p.PIID, &p.PID, &p.SN, &p.Family, &p.Hostname, &status,
		&p.RehostedFromID, &p.RehostedToID, &created, &contact, &p.Removed}, extra...)
	if err := r.Scan(dest...); err != nil {
		return p, err
	}
	p.Status = licensing.Status(status)
	p.CreatedAt, _ = time.Parse(time.RFC3339Nano, created)
	p.LastContact, _ = time.Parse(time.RFC3339Nano, contact)
	return p, nil
}

// piFilter builds the WHERE clause of the Product Instances tab. The prefix
// search is a union of index ranges, one per column, and the only condition
// on p, so that the matches drive the query: written as one OR beside
// p.va_id = ?, SQLite's planner (it has no ANALYZE statistics) walks every
// PI of the VA through product_instances_va_status instead.
func piFilter(vaID int64, q licensing.PIQuery) (string, []any) {
	where := []string{"p.va_id = ?", "p.removed_at IS NULL"}
	args := []any{vaID}
	if q.Prefix != "" {
		where, args = nil, nil
		like := likePrefix(q.Prefix)
		const live = `SELECT id FROM product_instances WHERE va_id = ? AND removed_at IS NULL AND `
		branches := []string{live + `sn LIKE ? ESCAPE '\'`, live + `pid LIKE ? ESCAPE '\'`, live + `hostname LIKE ? ESCAPE '\'`}
		args = append(args, vaID, like, vaID, like, vaID, like)
		if len(q.Families) > 0 {
			branches = append(branches, live+"family IN ("+strings.Repeat("?,", len(q.Families)-1)+"?)")
			args = append(args, vaID)
			for _, f := range q.Families {
				args = append(args, f)
			}
		}
		where = append(where, "p.id IN ("+strings.Join(branches, " UNION ALL ")+")")
	}
	if q.Status != "" {
		where = append(where, "p.status = ?")
		args = append(args, string(q.Status))
	}
	return strings.Join(where, " AND "), args
}

func (s *Store) ProductInstances(ctx context.Context, vaID int64, q licensing.PIQuery) (licensing.PIPage, error) {
	cond, args := piFilter(vaID, q)
	var page licensing.PIPage
	if err := s.q.QueryRowContext(ctx, `SELECT count(*) FROM product_instances p WHERE `+cond, args...).Scan(&page.Total); err != nil {
		return page, wrap("product instances: count", err)
	}
	limit := q.Limit
	if limit <= 0 {
		limit = licensing.PageSize
	}
	// The alert column needs to know whether a PI holds a license whose
	// balance is negative; one grouped sub-query serves the whole page.
	rows, err := s.q.QueryContext(ctx, `
		WITH short AS (
			SELECT l.tag FROM licenses l
			LEFT JOIN (SELECT rl.tag, SUM(rl.count) AS n FROM product_instances x JOIN reservation_lines rl ON rl.pi_id = x.id
			           WHERE x.va_id = ? AND x.removed_at IS NULL GROUP BY rl.tag) u ON u.tag = l.tag
			WHERE l.va_id = ? AND l.purchased < COALESCE(u.n, 0)
		)
		SELECT `+piColumns+`,
		       EXISTS (SELECT 1 FROM reservation_lines rl WHERE rl.pi_id = p.id AND rl.tag IN (SELECT tag FROM short))
		FROM product_instances p WHERE `+cond+`
		ORDER BY p.hostname = '', p.hostname, p.sn, p.id
		LIMIT ? OFFSET ?`, append(append([]any{vaID, vaID}, args...), limit, q.Offset)...)
	if err != nil {
		return page, wrap("product instances", err)
	}
	defer rows.Close()
	for rows.Next() {
		var short bool
		p, err := scanPI(rows, &short)
		if err != nil {
			return page, wrap("product instances", err)
		}
		if short {
			p.FailedAlerts = 1
		}
		page.Instances = append(page.Instances, p)
	}
	return page, wrap("product instances", rows.Err())
}

func (s *Store) ProductInstance(ctx context.Context, id int64) (licensing.ProductInstance, error) {
	p, err := scanPI(s.q.QueryRowContext(ctx, `SELECT `+piColumns+` FROM product_instances p WHERE p.id = ?`, id))
	if err != nil {
		return p, wrap("product instance", err)
	}
	rows, err := s.q.QueryContext(ctx, `SELECT tag, count FROM reservation_lines WHERE pi_id = ? ORDER BY tag`, id)
	if err != nil {
		return p, wrap("product instance: lines", err)
	}
	defer rows.Close()
	for rows.Next() {
		var l licensing.Line
		if err := rows.Scan(&l.Tag, &l.Count); err != nil {
			return p, wrap("product instance: lines", err)
		}
		p.Lines = append(p.Lines, l)
	}
	return p, wrap("product instance: lines", rows.Err())
}

func (s *Store) StatusCounts(ctx context.Context, vaID int64) (map[licensing.Status]int, error) {
	rows, err := s.q.QueryContext(ctx, `SELECT status, count(*) FROM product_instances WHERE va_id = ? AND removed_at IS NULL GROUP BY status`, vaID)
	if err != nil {
		return nil, wrap("status counts", err)
	}
	defer rows.Close()
	out := map[licensing.Status]int{}
	for rows.Next() {
		var st string
		var n int
		if err := rows.Scan(&st, &n); err != nil {
			return nil, wrap("status counts", err)
		}
		out[licensing.Status(st)] = n
	}
	return out, wrap("status counts", rows.Err())
}

func (s *Store) LiveUDI(ctx context.Context, saID int64, pid, sn string) (int64, error) {
	var id int64
	err := s.q.QueryRowContext(ctx, `SELECT id FROM product_instances WHERE sa_id = ? AND pid = ? AND sn = ? AND removed_at IS NULL`, saID, pid, sn).Scan(&id)
	if err == sql.ErrNoRows {
		return 0, nil
	}
	return id, wrap("live UDI", err)
}

func (s *Store) CreateInstance(ctx context.Context, p *licensing.ProductInstance) error {
	var from any
	if p.RehostedFromID != 0 {
		from = p.RehostedFromID
	}
	res, err := s.q.ExecContext(ctx, `INSERT INTO product_instances
		(va_id, sa_id, piid, pid, sn, family, hostname, status, rehosted_from_id, created_at, last_contact)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		p.VAID, p.SAID, p.PIID, p.PID, p.SN, p.Family, p.Hostname, string(p.Status), from,
		p.CreatedAt.UTC().Format(time.RFC3339Nano), p.LastContact.UTC().Format(time.RFC3339Nano))
	if err != nil {
		return wrap("create instance", err)
	}
	if p.ID, err = res.LastInsertId(); err != nil {
		return wrap("create instance", err)
	}
	return s.SetLines(ctx, p.ID, p.Lines)
}

// SetLines replaces a PI's reservation lines.
func (s *Store) SetLines(ctx context.Context, piID int64, lines []licensing.Line) error {
	if _, err := s.q.ExecContext(ctx, `DELETE FROM reservation_lines WHERE pi_id = ?`, piID); err != nil {
		return wrap("set lines", err)
	}
	for _, l := range lines {
		if _, err := s.q.ExecContext(ctx, `INSERT INTO reservation_lines (pi_id, tag, count) VALUES (?, ?, ?)`, piID, l.Tag, l.Count); err != nil {
			return wrap("set lines", err)
		}
	}
	return nil
}

func (s *Store) SetStatus(ctx context.Context, piID int64, st licensing.Status) error {
	return s.exec1(ctx, "set status", `UPDATE product_instances SET status = ? WHERE id = ?`, string(st), piID)
}

func (s *Store) SetRehostedTo(ctx context.Context, piID, toID int64) error {
	return s.exec1(ctx, "set rehosted to", `UPDATE product_instances SET rehosted_to_id = ? WHERE id = ?`, toID, piID)
}

func (s *Store) MarkRemoved(ctx context.Context, piID int64, at time.Time) error {
	return s.exec1(ctx, "mark removed", `UPDATE product_instances SET removed_at = ? WHERE id = ? AND removed_at IS NULL`,
		at.UTC().Format(time.RFC3339Nano), piID)
}

// exec1 runs a statement that must change exactly one row.
func (s *Store) exec1(ctx context.Context, op, query string, args ...any) error {
	res, err := s.q.ExecContext(ctx, query, args...)
	if err != nil {
		return wrap(op, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return wrap(op, err)
	}
	if n != 1 {
		return wrap(op, sql.ErrNoRows)
	}
	return nil
}

func (s *Store) InsertAuthCode(ctx context.Context, c *licensing.AuthCode) error {
	res, err := s.q.ExecContext(ctx, `INSERT INTO authorization_codes (pi_id, kind, file, signature, created_at, username) VALUES (?, ?, ?, ?, ?, ?)`,
		c.PIID, c.Kind, c.File, c.Signature, c.CreatedAt.UTC().Format(time.RFC3339Nano), c.Username)
	if err != nil {
		return wrap("insert code", err)
	}
	c.ID, err = res.LastInsertId()
	return wrap("insert code", err)
}

func scanCode(r scanner) (licensing.AuthCode, error) {
	var c licensing.AuthCode
	var created string
	if err := r.Scan(&c.ID, &c.PIID, &c.Kind, &c.File, &c.Signature, &created, &c.Username); err != nil {
		return c, err
	}
	c.CreatedAt, _ = time.Parse(time.RFC3339Nano, created)
	return c, nil
}

func (s *Store) AuthCodes(ctx context.Context, piID int64) ([]licensing.AuthCode, error) {
	rows, err := s.q.QueryContext(ctx, `SELECT id, pi_id, kind, file, signature, created_at, username FROM authorization_codes WHERE pi_id = ? ORDER BY id DESC`, piID)
	if err != nil {
		return nil, wrap("codes", err)
	}
	defer rows.Close()
	var out []licensing.AuthCode
	for rows.Next() {
		c, err := scanCode(rows)
		if err != nil {
			return nil, wrap("codes", err)
		}
		out = append(out, c)
	}
	return out, wrap("codes", rows.Err())
}

func (s *Store) AuthCode(ctx context.Context, id int64) (licensing.AuthCode, error) {
	c, err := scanCode(s.q.QueryRowContext(ctx, `SELECT id, pi_id, kind, file, signature, created_at, username FROM authorization_codes WHERE id = ?`, id))
	return c, wrap("code", err)
}

func (s *Store) TokenResult(ctx context.Context, token string) (int64, error) {
	var id int64
	err := s.q.QueryRowContext(ctx, `SELECT result_id FROM form_tokens WHERE token = ?`, token).Scan(&id)
	if err == sql.ErrNoRows {
		return 0, nil
	}
	return id, wrap("token", err)
}

func (s *Store) SaveToken(ctx context.Context, token string, userID, resultID int64) error {
	_, err := s.q.ExecContext(ctx, `INSERT INTO form_tokens (token, user_id, result_id, created_at) VALUES (?, ?, ?, ?)`,
		token, userID, resultID, time.Now().UTC().Format(time.RFC3339Nano))
	return wrap("save token", err)
}

func (s *Store) LicenseTagsMatching(ctx context.Context, saID int64, text string) ([]string, error) {
	rows, err := s.q.QueryContext(ctx, `SELECT DISTINCT l.tag FROM licenses l JOIN virtual_accounts v ON v.id = l.va_id
		WHERE v.sa_id = ? AND (instr(lower(l.display_name), lower(?)) > 0 OR instr(lower(l.tag), lower(?)) > 0)
		ORDER BY l.tag`, saID, text, text)
	if err != nil {
		return nil, wrap("license tags", err)
	}
	defer rows.Close()
	out := []string{}
	for rows.Next() {
		var t string
		if err := rows.Scan(&t); err != nil {
			return nil, wrap("license tags", err)
		}
		out = append(out, t)
	}
	return out, wrap("license tags", rows.Err())
}
