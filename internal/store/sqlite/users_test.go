package sqlite

import (
	"context"
	"errors"
	"slices"
	"testing"

	"slrportal/internal/access"
	"slrportal/internal/licensing"
)

func TestUsersOfSAAndRemoveGrant(t *testing.T) {
	t.Parallel()
	s, _ := seeded(t)
	ctx := context.Background()
	sa := demoSA(t, s)
	other := licensing.SmartAccount{Name: "Other", Domain: "other.example"}
	if err := s.CreateSmartAccount(ctx, &other); err != nil {
		t.Fatal(err)
	}
	outsider := licensing.User{Username: "outsider", PasswordHash: []byte("x")}
	orphan := licensing.User{Username: "orphan", PasswordHash: []byte("x")}
	for _, u := range []*licensing.User{&outsider, &orphan} {
		if err := s.CreateUser(ctx, u); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.AddGrant(ctx, outsider.ID, access.Grant{Role: access.SAUser, SmartAccountID: other.ID}); err != nil {
		t.Fatal(err)
	}
	names := func(saID int64) []string {
		us, err := s.UsersOfSA(ctx, saID)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, u := range us {
			out = append(out, u.Username)
		}
		return out
	}
	if got, want := names(sa.ID), []string{"admin", "orphan", "sauser", "saviewer", "vaadmin", "vauser", "vaviewer"}; !slices.Equal(got, want) {
		t.Errorf("users of the demo SA = %v, want %v", got, want)
	}
	if got, want := names(other.ID), []string{"orphan", "outsider"}; !slices.Equal(got, want) {
		t.Errorf("users of the other SA = %v, want %v", got, want)
	}

	g := access.Grant{Role: access.SAUser, SmartAccountID: other.ID}
	if err := s.RemoveGrant(ctx, outsider.ID, g); err != nil {
		t.Fatal(err)
	}
	if err := s.RemoveGrant(ctx, outsider.ID, g); !errors.Is(err, licensing.ErrNotFound) {
		t.Errorf("removing a missing grant: %v, want ErrNotFound", err)
	}
	if gs, _ := s.Grants(ctx, outsider.ID); len(gs) != 0 {
		t.Errorf("grants left: %v", gs)
	}
}
