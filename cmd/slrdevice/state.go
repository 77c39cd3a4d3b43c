package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"slrportal/internal/slrcode"
)

const stateVersion = 1

// deviceState is what a device remembers across commands.
type deviceState struct {
	Version int    `json:"version"`
	PID     string `json:"pid"`
	SN      string `json:"sn"`
	// RequestNonce is the nonce of the pending reservation request, so that
	// request prints the same code until install or cancel; "" when none.
	RequestNonce string `json:"requestNonce,omitempty"`
	// AuthorizationCode is the installed file, verbatim; "" when the device
	// is unregistered. Keeping the bytes rather than a digest of them lets
	// show and return work from exactly what was verified.
	AuthorizationCode    string    `json:"authorizationCode,omitempty"`
	InstalledAt          time.Time `json:"installedAt,omitzero"`
	LastConfirmationCode string    `json:"lastConfirmationCode,omitempty"`
	LastReturnCode       string    `json:"lastReturnCode,omitempty"`
}

func (s *deviceState) udi() slrcode.UDI { return slrcode.UDI{PID: s.PID, SN: s.SN} }

// installed returns the installed authorization code, or nil.
func (s *deviceState) installed() (*slrcode.AuthorizationCode, error) {
	if s.AuthorizationCode == "" {
		return nil, nil
	}
	code, err := slrcode.ParseAuthorizationCode([]byte(s.AuthorizationCode))
	if err != nil {
		return nil, fmt.Errorf("installed authorization code: %w", err)
	}
	return code, nil
}

const maxStateSize = 1 << 20

func readLimited(r io.Reader, limit int64) ([]byte, error) {
	data, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > limit {
		return nil, fmt.Errorf("longer than %d bytes", limit)
	}
	return data, nil
}

func loadState(path string) (*deviceState, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("load state: %w", err)
	}
	defer f.Close()
	data, err := readLimited(f, maxStateSize)
	if err != nil {
		return nil, fmt.Errorf("load state %s: %w", path, err)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var s deviceState
	if err := dec.Decode(&s); err != nil {
		return nil, fmt.Errorf("load state %s: %w", path, err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, fmt.Errorf("load state %s: unexpected data after the JSON object", path)
	}
	if s.Version != stateVersion {
		return nil, fmt.Errorf("load state %s: unknown version %d", path, s.Version)
	}
	if err := s.udi().Validate(); err != nil {
		return nil, fmt.Errorf("load state %s: %w", path, err)
	}
	if s.RequestNonce != "" {
		if _, err := slrcode.FormatRequestCode(s.PID, s.SN, s.RequestNonce); err != nil {
			return nil, fmt.Errorf("load state %s: %w", path, err)
		}
	}
	if code, err := s.installed(); err != nil {
		return nil, fmt.Errorf("load state %s: %w", path, err)
	} else if code != nil && code.UDI != s.udi() {
		return nil, fmt.Errorf("load state %s: the installed authorization code is for %s", path, code.UDI)
	}
	return &s, nil
}

// saveState replaces the state file atomically: a crash leaves either the
// old state or the new one, never a torn file that loses a reservation.
func saveState(path string, s *deviceState) error {
	data, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return fmt.Errorf("save state: %w", err)
	}
	data = append(data, '\n')
	dir := filepath.Dir(path)
	// The temporary name does not match slrdevice-*.json, so a crash cannot
	// make the state file lookup ambiguous.
	f, err := os.CreateTemp(dir, ".slrdevice-state-*.tmp")
	if err != nil {
		return fmt.Errorf("save state: %w", err)
	}
	tmp := f.Name()
	defer os.Remove(tmp) // fails harmlessly after the rename
	err = f.Chmod(0o644)
	if err == nil {
		_, err = f.Write(data)
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err == nil {
		err = syncDir(dir)
	}
	if err != nil {
		return fmt.Errorf("save state: %w", err)
	}
	return nil
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	err = d.Sync()
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	return err
}

func defaultStateName(sn string) string { return "slrdevice-" + sn + ".json" }

// statePath is --state, or else the one slrdevice-*.json in the directory:
// a device simulator run from a scratch directory should not need the flag.
func (a *app) statePath(o *options) (string, error) {
	if o.state != "" {
		return a.path(o.state), nil
	}
	dir := a.dir
	if dir == "" {
		dir = "."
	}
	matches, err := filepath.Glob(filepath.Join(dir, "slrdevice-*.json"))
	if err != nil {
		return "", err
	}
	matches = slices.DeleteFunc(matches, func(m string) bool {
		info, err := os.Stat(m)
		return err != nil || !info.Mode().IsRegular()
	})
	switch len(matches) {
	case 1:
		return matches[0], nil
	case 0:
		return "", usagef("no device state file (slrdevice-*.json) here: run slrdevice init --pid PID --sn SN, or pass --state FILE")
	default:
		names := make([]string, len(matches))
		for i, m := range matches {
			names[i] = filepath.Base(m)
		}
		return "", usagef("several device state files here (%s): pass --state FILE", strings.Join(names, ", "))
	}
}

// loadDevice resolves and loads the state of the device a command acts on.
func (a *app) loadDevice(o *options) (string, *deviceState, error) {
	path, err := a.statePath(o)
	if err != nil {
		return "", nil, err
	}
	s, err := loadState(path)
	if errors.Is(err, fs.ErrNotExist) {
		return "", nil, &consoleError{msg: fmt.Sprintf("No device state in %s: run slrdevice init --pid PID --sn SN first", path)}
	}
	return path, s, err
}
