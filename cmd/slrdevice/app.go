package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"time"
)

// app is one invocation of slrdevice, with its surroundings made explicit so
// that tests can run it in process.
type app struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	// dir is where the default state file lives and is looked for; "" is
	// the working directory.
	dir    string
	client *http.Client
	now    func() time.Time
}

const usage = `usage: slrdevice COMMAND [FLAGS]

Commands:
  init --pid PID --sn SN           create the device's state file
  request                          print the reservation request code
                                   (the same one until install or cancel)
  install FILE --key PEM|URL       verify and install an authorization code
  show                             show the license status
  return                           return the installed reservation and
                                   print the reservation return code
  return-authorization FILE        print the return code of an authorization
                                   code that was never installed
  cancel                           cancel the pending reservation request

Flags:
  --state FILE   the device's state file (default: ./slrdevice-<SN>.json for
                 init; otherwise the only slrdevice-*.json in this directory)
  --key PEM|URL  the portal's public key: a PEM file, or the URL of a
                 portal's /signing-key.pem
  --force        (init) replace an existing state file

FILE may be "-" for standard input. Flags may stand before or after FILE.
`

// usageError is a mistake in the command line: exit status 2 and a hint.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error {
	return &usageError{msg: fmt.Sprintf(format, args...)}
}

// consoleError is a refusal that a device prints as it is, in the device's
// own words (e.g. "The Reservation Authorization Code does not match the
// Reservation Request Code"), without a program name in front.
type consoleError struct{ msg string }

func (e *consoleError) Error() string { return e.msg }

type command struct {
	name string
	// file says whether the command takes one FILE argument.
	file bool
	run  func(a *app, ctx context.Context, o *options) error
}

// options are the flags of all commands; each command declares the ones it
// takes in flagsFor.
type options struct {
	state, key, pid, sn string
	force               bool
	file                string
}

var commands = []command{
	{name: "init", run: (*app).cmdInit},
	{name: "request", run: (*app).cmdRequest},
	{name: "install", file: true, run: (*app).cmdInstall},
	{name: "show", run: (*app).cmdShow},
	{name: "return", run: (*app).cmdReturn},
	{name: "return-authorization", file: true, run: (*app).cmdReturnAuthorization},
	{name: "cancel", run: (*app).cmdCancel},
}

func (a *app) run(ctx context.Context, args []string) int {
	err := a.dispatch(ctx, args)
	var ue *usageError
	var ce *consoleError
	switch {
	case err == nil:
		return 0
	case errors.Is(err, flag.ErrHelp):
		fmt.Fprint(a.stdout, usage)
		return 0
	case errors.As(err, &ue):
		fmt.Fprintf(a.stderr, "slrdevice: %s\n\n%s", ue.msg, usage)
		return 2
	case errors.As(err, &ce):
		fmt.Fprintln(a.stderr, ce.msg)
		return 1
	default:
		fmt.Fprintf(a.stderr, "slrdevice: %v\n", err)
		return 1
	}
}

func (a *app) dispatch(ctx context.Context, args []string) error {
	if len(args) == 0 {
		return usagef("no command given")
	}
	name := args[0]
	if name == "help" || name == "-h" || name == "-help" || name == "--help" {
		return flag.ErrHelp
	}
	var cmd *command
	for i := range commands {
		if commands[i].name == name {
			cmd = &commands[i]
		}
	}
	if cmd == nil {
		return usagef("unknown command %q", name)
	}
	o := &options{}
	fs := newFlagSet(name, o)
	positional, err := parseInterspersed(fs, args[1:])
	if errors.Is(err, flag.ErrHelp) {
		return err
	}
	if err != nil {
		return usagef("%s: %v", name, err)
	}
	switch {
	case cmd.file && len(positional) != 1:
		return usagef("%s takes one FILE argument", name)
	case !cmd.file && len(positional) != 0:
		return usagef("%s takes no arguments, got %q", name, strings.Join(positional, " "))
	}
	if cmd.file {
		o.file = positional[0]
	}
	return cmd.run(a, ctx, o)
}

// newFlagSet declares the flags that command name takes.
func newFlagSet(name string, o *options) *flag.FlagSet {
	fs := flag.NewFlagSet("slrdevice "+name, flag.ContinueOnError)
	fs.SetOutput(io.Discard) // run prints the one usage text
	fs.StringVar(&o.state, "state", "", "")
	switch name {
	case "init":
		fs.StringVar(&o.pid, "pid", "", "")
		fs.StringVar(&o.sn, "sn", "", "")
		fs.BoolVar(&o.force, "force", false, "")
	case "install", "return-authorization":
		fs.StringVar(&o.key, "key", "", "")
	}
	return fs
}

// parseInterspersed parses flags wherever they stand among the positional
// arguments (the flag package stops at the first positional one), so that
// "install FILE --key K" and "install --key K FILE" mean the same. After
// "--" everything is positional.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		rest := fs.Args()
		if consumed := len(args) - len(rest); consumed > 0 && args[consumed-1] == "--" {
			return append(positional, rest...), nil
		}
		if len(rest) == 0 {
			return positional, nil
		}
		positional = append(positional, rest[0])
		args = rest[1:]
	}
}

// path resolves a name relative to the app's directory.
func (a *app) path(name string) string {
	if a.dir == "" || filepath.IsAbs(name) {
		return name
	}
	return filepath.Join(a.dir, name)
}
