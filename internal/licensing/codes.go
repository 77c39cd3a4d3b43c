package licensing

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/google/uuid"

	"slrportal/internal/slrcode"
)

// issueCode signs an authorization code for pi's lines and stores it. lic
// holds the VA's licenses by tag; the caller has loaded them already.
func (s *Service) issueCode(ctx context.Context, tx Repo, pi ProductInstance, lines []Line, lic map[string]License, kind, username string) (AuthCode, error) {
	ents := make([]slrcode.Entitlement, 0, len(lines))
	for _, ln := range lines {
		l, ok := lic[ln.Tag]
		if !ok {
			return AuthCode{}, fmt.Errorf("issue code: license %q not in virtual account %d: %w", ln.Tag, pi.VAID, ErrNotFound)
		}
		ents = append(ents, slrcode.Entitlement{
			Tag: l.Tag, Count: ln.Count, StartDate: l.StartDate, EndDate: l.EndDate,
			LicenseType: string(l.Type), DisplayName: l.DisplayName, TagDescription: l.Description,
		})
	}
	now := s.now()
	file, sig, err := slrcode.SignAuthorizationCode(s.key, pi.PIID, now, slrcode.UDI{PID: pi.PID, SN: pi.SN}, ents)
	if err != nil {
		return AuthCode{}, fmt.Errorf("issue code: %w", err)
	}
	c := AuthCode{PIID: pi.ID, Kind: kind, File: file, Signature: sig, CreatedAt: now.UTC(), Username: username}
	if err := tx.InsertAuthCode(ctx, &c); err != nil {
		return AuthCode{}, fmt.Errorf("issue code: %w", err)
	}
	return c, nil
}

func newPIID() string { return uuid.NewString() }

// normalizeLines merges lines per tag, drops zero counts and sorts by tag.
func normalizeLines(lines []Line) []Line {
	m := map[string]int{}
	for _, l := range lines {
		m[l.Tag] += l.Count
	}
	out := make([]Line, 0, len(m))
	for tag, n := range m {
		if n > 0 {
			out = append(out, Line{Tag: tag, Count: n})
		}
	}
	slices.SortFunc(out, func(a, b Line) int { return strings.Compare(a.Tag, b.Tag) })
	return out
}

// DescribeLines writes lines as "2 × C9300 DNA Advantage, 1 × …".
func DescribeLines(lines []Line, lic map[string]License) string {
	parts := make([]string, len(lines))
	for i, l := range lines {
		name := l.Tag
		if x, ok := lic[l.Tag]; ok {
			name = x.DisplayName
		}
		parts[i] = fmt.Sprintf("%d × %s", l.Count, name)
	}
	return strings.Join(parts, ", ")
}
