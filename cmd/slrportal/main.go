// Command slrportal serves the SLR Portal and runs its maintenance commands:
//
//	slrportal [serve] [--data DIR] [--addr :8080] [--demo=false]
//	slrportal import FILE.json [--data DIR]
//	slrportal verify-events [--data DIR]
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"syscall"
	"time"

	"slrportal/internal/demo"
	"slrportal/internal/licensing"
	"slrportal/internal/portal"
)

func main() {
	log := slog.New(slog.NewTextHandler(os.Stderr, nil))
	if err := run(context.Background(), os.Args[1:], os.Stdout, log); err != nil {
		fmt.Fprintln(os.Stderr, "slrportal:", err)
		os.Exit(1)
	}
}

func env(name, def string) string {
	if v, ok := os.LookupEnv(name); ok {
		return v
	}
	return def
}

// parseInterleaved parses flags that may stand before or after positional
// arguments ("import FILE --data DIR" and "import --data DIR FILE").
func parseInterleaved(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		args = fs.Args()
		if len(args) == 0 {
			return pos, nil
		}
		if args[0] == "--" {
			return append(pos, args[1:]...), nil
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
}

func run(ctx context.Context, args []string, out io.Writer, log *slog.Logger) error {
	cmd := "serve"
	if len(args) > 0 && args[0] != "" && args[0][0] != '-' {
		cmd, args = args[0], args[1:]
	}
	fs := flag.NewFlagSet("slrportal "+cmd, flag.ContinueOnError)
	fs.SetOutput(out)
	dataDir := fs.String("data", env("SLRPORTAL_DATA", "./data"), "data directory (env SLRPORTAL_DATA)")
	switch cmd {
	case "serve":
		addr := fs.String("addr", env("SLRPORTAL_ADDR", ":8080"), "listen address (env SLRPORTAL_ADDR)")
		demoDefault, _ := strconv.ParseBool(env("SLRPORTAL_DEMO", "true"))
		withDemo := fs.Bool("demo", demoDefault, "seed a new database with the demo smart account (env SLRPORTAL_DEMO)")
		pos, err := parseInterleaved(fs, args)
		if err != nil {
			return err
		}
		if len(pos) > 0 {
			return fmt.Errorf("serve takes no arguments, got %q", pos)
		}
		return serve(ctx, *dataDir, *addr, *withDemo, out, log)
	case "import":
		pos, err := parseInterleaved(fs, args)
		if err != nil {
			return err
		}
		if len(pos) != 1 {
			return errors.New("usage: slrportal import FILE.json [--data DIR]")
		}
		return importFile(ctx, *dataDir, pos[0], out, log)
	case "verify-events":
		pos, err := parseInterleaved(fs, args)
		if err != nil {
			return err
		}
		if len(pos) != 0 {
			return errors.New("usage: slrportal verify-events [--data DIR]")
		}
		return verifyEvents(ctx, *dataDir, out, log)
	}
	return fmt.Errorf("unknown command %q (want serve, import or verify-events)", cmd)
}

func serve(ctx context.Context, dataDir, addr string, withDemo bool, out io.Writer, log *slog.Logger) error {
	seed := portal.SeedDemo
	if !withDemo {
		seed = portal.SeedAdmin
	}
	p, err := portal.Open(ctx, portal.Options{DataDir: dataDir, Seed: seed, AdminPassword: os.Getenv("SLRPORTAL_ADMIN_PASSWORD"), Logger: log})
	if err != nil {
		return err
	}
	defer p.Close()
	h, err := p.Handler()
	if err != nil {
		return err
	}
	srv := &http.Server{Addr: addr, Handler: h, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 60 * time.Second, WriteTimeout: 60 * time.Second}
	url := "http://localhost" + addr
	if len(addr) > 0 && addr[0] != ':' {
		url = "http://" + addr
	}
	fmt.Fprintf(out, "SLR Portal listening on %s (data in %s)\n", url, dataDir)
	if p.Seeded && p.AdminPassword != "" {
		fmt.Fprintf(out, "New database: sign in as admin with password %s\n", p.AdminPassword)
	} else if p.Seeded && withDemo {
		fmt.Fprintf(out, "New database seeded with the demo smart account %q. Demo logins (password %q):\n", demo.SmartAccount, demo.Password)
		for _, l := range demo.Logins {
			fmt.Fprintf(out, "  %-9s %s\n", l.Username, l.Scope)
		}
	}
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	errc := make(chan error, 1)
	go func() { errc <- srv.ListenAndServe() }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	return srv.Shutdown(sctx)
}

func importFile(ctx context.Context, dataDir, path string, out io.Writer, log *slog.Logger) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	file, err := licensing.DecodeImport(f)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	p, err := portal.Open(ctx, portal.Options{DataDir: dataDir, Seed: portal.SeedNothing, Logger: log})
	if err != nil {
		return err
	}
	defer p.Close()
	st, err := p.Service.Import(ctx, file, 0)
	if err != nil {
		return fmt.Errorf("%s: %w (nothing was imported)", path, err)
	}
	fmt.Fprintf(out, "Imported %d smart account(s), %d virtual account(s), %d license(s), %d product instance(s), %d user(s).\n",
		st.SmartAccounts, st.VirtualAccounts, st.Licenses, st.Instances, st.Users)
	return nil
}

func verifyEvents(ctx context.Context, dataDir string, out io.Writer, log *slog.Logger) error {
	p, err := portal.Open(ctx, portal.Options{DataDir: dataDir, Seed: portal.SeedNothing, Logger: log})
	if err != nil {
		return err
	}
	defer p.Close()
	n, err := p.Service.VerifyEvents(ctx)
	if err != nil {
		return fmt.Errorf("event log integrity check failed after %d good events: %w", n, err)
	}
	fmt.Fprintf(out, "Event log intact: %d events verified.\n", n)
	return nil
}
