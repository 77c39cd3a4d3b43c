package licensing

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"

	"golang.org/x/crypto/bcrypt"

	"slrportal/internal/access"
)

// ErrBadCredentials is the one answer to a failed sign-in, whatever failed.
var ErrBadCredentials = errors.New("the username or password is not correct")

// dummyHash keeps a sign-in with an unknown username as slow as one with a
// wrong password, so response times do not reveal which usernames exist.
var dummyHash, _ = bcrypt.GenerateFromPassword([]byte("not a real password"), bcrypt.DefaultCost)

// Authenticate checks a username and password and returns the user. Failed
// attempts are logged at SA level; a user's grants decide the SA.
func (s *Service) Authenticate(ctx context.Context, username, password string) (User, error) {
	if len(username) > 64 || len(password) > 72 {
		return User{}, ErrBadCredentials
	}
	u, err := s.store.UserByUsername(ctx, username)
	if errors.Is(err, ErrNotFound) {
		bcrypt.CompareHashAndPassword(dummyHash, []byte(password))
		s.logSignInFailed(ctx, username, 0)
		return User{}, ErrBadCredentials
	}
	if err != nil {
		return User{}, fmt.Errorf("authenticate: %w", err)
	}
	if bcrypt.CompareHashAndPassword(u.PasswordHash, []byte(password)) != nil {
		s.logSignInFailed(ctx, username, u.ID)
		return User{}, ErrBadCredentials
	}
	return u, nil
}

// logSignInFailed appends a SIGN_IN_FAILED event to the SA of the user. An
// unknown username belongs to no SA; it is logged in the first smart account
// (a self-hosted portal usually has one) rather than in every one.
func (s *Service) logSignInFailed(ctx context.Context, username string, userID int64) {
	var saID int64
	if userID != 0 {
		if gs, err := s.store.Grants(ctx, userID); err == nil && len(gs) > 0 {
			saID = gs[0].SmartAccountID
		}
	}
	if saID == 0 {
		if sa, err := s.store.SmartAccount(ctx, 1); err == nil {
			saID = sa.ID
		}
	}
	if saID == 0 {
		return
	}
	e := Event{At: s.now(), SAID: saID, UserID: userID, Username: username, Type: EventSignInFailed,
		Message: fmt.Sprintf("Sign-in failed for username %q", username)}
	if userID == 0 {
		// Text typed as an unknown username is often a password typed into
		// the wrong box; the permanent log keeps only a fingerprint, enough
		// to see repeated attempts.
		sum := sha256.Sum256([]byte(strings.ToLower(username)))
		e.Username = ""
		e.Message = "Sign-in failed for an unknown username (fingerprint " + hex.EncodeToString(sum[:4]) + ")"
	}
	_ = s.store.InTx(ctx, func(tx Repo) error {
		_, err := AppendEvent(ctx, tx, e)
		return err
	})
}

// LoadActor loads a user and their grants for one request. A user without
// any grant cannot use the portal (ErrForbidden).
func (s *Service) LoadActor(ctx context.Context, userID int64) (Actor, error) {
	u, err := s.store.User(ctx, userID)
	if err != nil {
		return Actor{}, fmt.Errorf("load actor: %w", err)
	}
	gs, err := s.store.Grants(ctx, userID)
	if err != nil {
		return Actor{}, fmt.Errorf("load actor: %w", err)
	}
	sas := access.SmartAccounts(gs)
	if len(sas) == 0 {
		return Actor{}, fmt.Errorf("load actor %s: no roles: %w", u.Username, ErrForbidden)
	}
	return Actor{User: u, SAID: sas[0], Grants: gs}, nil
}

// CreateAdmin creates the first SA administrator for an empty database.
func (s *Service) CreateAdmin(ctx context.Context, username, password string) error {
	f := ImportFile{
		SmartAccounts: []ImportSA{{Name: "My Smart Account", Domain: "example.com", SLREnabled: true,
			VirtualAccounts: []ImportVA{{Name: "DEFAULT", Default: true}}}},
		Users: []ImportUser{{Username: username, Password: password, DisplayName: "Administrator",
			Roles: []ImportRole{{Role: string(access.SAAdmin), SmartAccount: "My Smart Account"}}}},
	}
	_, err := s.Import(ctx, f, bcrypt.DefaultCost)
	return err
}

// SignOut ends every session of the user: cookies issued before now are
// refused from the next request on.
func (s *Service) SignOut(ctx context.Context, userID int64) error {
	if err := s.store.EndSessions(ctx, userID); err != nil {
		return fmt.Errorf("sign out: %w", err)
	}
	return nil
}
