// Package portal is the composition root: it opens the data directory
// (database, signing key, session keys), seeds a new database and builds the
// HTTP handler. cmd/slrportal and the router-level tests both use it, so the
// tests run the same wiring as production.
package portal

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"

	"golang.org/x/crypto/bcrypt"

	"slrportal/internal/demo"
	"slrportal/internal/licensing"
	"slrportal/internal/signkey"
	"slrportal/internal/store/sqlite"
	"slrportal/web"
)

// Options configure Open.
type Options struct {
	DataDir string
	// Seed decides what a new, empty database gets: SeedDemo, SeedAdmin or
	// SeedNothing (import fills it).
	Seed          Seed
	AdminPassword string // for SeedAdmin; random when empty
	BcryptCost    int    // 0 = bcrypt.DefaultCost; tests lower it
	SecureCookies bool
	Logger        *slog.Logger
}

// Seed says how to fill a new database.
type Seed int

const (
	SeedDemo Seed = iota
	SeedAdmin
	SeedNothing
)

// Portal is an opened data directory.
type Portal struct {
	Store   *sqlite.Store
	Service *licensing.Service
	// Seeded is set when Open filled a new database; AdminPassword then holds
	// the generated password of "admin" for SeedAdmin.
	Seeded        bool
	AdminPassword string
	opts          Options
}

// Open opens or creates the data directory.
func Open(ctx context.Context, o Options) (*Portal, error) {
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.BcryptCost == 0 {
		o.BcryptCost = bcrypt.DefaultCost
	}
	if err := os.MkdirAll(o.DataDir, 0o700); err != nil {
		return nil, fmt.Errorf("data dir: %w", err)
	}
	key, err := signkey.LoadOrCreate(filepath.Join(o.DataDir, "signing-key.pem"))
	if err != nil {
		return nil, fmt.Errorf("signing key: %w", err)
	}
	st, err := sqlite.Open(ctx, filepath.Join(o.DataDir, "slrportal.db"))
	if err != nil {
		return nil, err
	}
	p := &Portal{Store: st, Service: licensing.NewService(st, key), opts: o}
	empty, err := p.empty(ctx)
	if err != nil {
		st.Close()
		return nil, err
	}
	if empty {
		if err := p.seed(ctx); err != nil {
			st.Close()
			return nil, err
		}
	}
	return p, nil
}

func (p *Portal) empty(ctx context.Context) (bool, error) {
	var n int
	err := p.Store.DB().QueryRowContext(ctx, `SELECT (SELECT count(*) FROM smart_accounts) + (SELECT count(*) FROM users)`).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("check empty: %w", err)
	}
	return n == 0, nil
}

func (p *Portal) seed(ctx context.Context) error {
	switch p.opts.Seed {
	case SeedDemo:
		if _, err := p.Service.Import(ctx, demo.File(), p.opts.BcryptCost); err != nil {
			return fmt.Errorf("seed demo: %w", err)
		}
		p.Seeded = true
	case SeedAdmin:
		pw := p.opts.AdminPassword
		if pw == "" {
			pw = rand.Text()
			p.AdminPassword = pw
		}
		if err := p.Service.CreateAdmin(ctx, "admin", pw); err != nil {
			return fmt.Errorf("create admin: %w", err)
		}
		p.Seeded = true
	}
	return nil
}

// Handler builds the web server on this portal.
func (p *Portal) Handler() (http.Handler, error) {
	hashKey, err := secret(filepath.Join(p.opts.DataDir, "session-hash.key"), 64)
	if err != nil {
		return nil, err
	}
	blockKey, err := secret(filepath.Join(p.opts.DataDir, "session-block.key"), 32)
	if err != nil {
		return nil, err
	}
	return web.New(web.Config{Service: p.Service, HashKey: hashKey, BlockKey: blockKey,
		SecureCookies: p.opts.SecureCookies, Logger: p.opts.Logger})
}

// Close closes the database.
func (p *Portal) Close() error { return p.Store.Close() }

// secret loads a random key file, creating it (mode 0600) on first start.
func secret(path string, size int) ([]byte, error) {
	b, err := os.ReadFile(path)
	if err == nil {
		if len(b) != size {
			return nil, fmt.Errorf("key file %s: want %d bytes, found %d", path, size, len(b))
		}
		return b, nil
	}
	if !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("key file: %w", err)
	}
	b = make([]byte, size)
	if _, err := rand.Read(b); err != nil {
		return nil, fmt.Errorf("key file: %w", err)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, os.ErrExist) {
		return secret(path, size) // another process created it first
	}
	if err != nil {
		return nil, fmt.Errorf("key file: %w", err)
	}
	if _, err := f.Write(b); err != nil {
		f.Close()
		return nil, fmt.Errorf("key file: %w", err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return nil, fmt.Errorf("key file: %w", err)
	}
	return b, f.Close()
}
