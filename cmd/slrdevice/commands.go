package main

import (
	"context"
	"crypto/ecdsa"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"strings"
	"time"

	"slrportal/internal/slrcode"
)

// msgMismatch is what a device says when an authorization code was issued
// for another device (DESIGN §4.5).
const msgMismatch = "The Reservation Authorization Code does not match the Reservation Request Code"

func (a *app) cmdInit(_ context.Context, o *options) error {
	if o.pid == "" || o.sn == "" {
		return usagef("init needs --pid and --sn")
	}
	s := &deviceState{Version: stateVersion, PID: o.pid, SN: o.sn}
	if err := s.udi().Validate(); err != nil {
		return usagef("init: %v", err)
	}
	path := a.path(defaultStateName(o.sn))
	if o.state != "" {
		path = a.path(o.state)
	}
	if !o.force {
		if _, err := os.Stat(path); err == nil {
			return &consoleError{msg: fmt.Sprintf("%s already exists: use --force to replace it", path)}
		} else if !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("init: %w", err)
		}
	}
	if err := saveState(path, s); err != nil {
		return err
	}
	fmt.Fprintf(a.stdout, "Device %s initialized, state in %s\n", s.udi(), path)
	return nil
}

func (a *app) cmdRequest(_ context.Context, o *options) error {
	path, s, err := a.loadDevice(o)
	if err != nil {
		return err
	}
	if s.AuthorizationCode != "" {
		return &consoleError{msg: "A reservation is already installed: return it (slrdevice return) before requesting a new one"}
	}
	if s.RequestNonce == "" {
		if s.RequestNonce, err = slrcode.NewNonce(); err != nil {
			return err
		}
		if err := saveState(path, s); err != nil {
			return err
		}
	}
	code, err := slrcode.FormatRequestCode(s.PID, s.SN, s.RequestNonce)
	if err != nil {
		return fmt.Errorf("request: %w", err)
	}
	fmt.Fprintln(a.stdout, code)
	return nil
}

// cmdInstall installs an authorization code after the checks a device makes:
// the portal's signature over the exact bytes, and the device's own UDI.
// It does not require a pending request: a code for this UDI is valid
// whether it answers a request, updates the reservation, or was issued at
// import (DESIGN §7.2).
func (a *app) cmdInstall(ctx context.Context, o *options) error {
	if o.key == "" {
		return usagef("install needs --key PEM|URL")
	}
	path, s, err := a.loadDevice(o)
	if err != nil {
		return err
	}
	data, err := a.readInput(o.file)
	if err != nil {
		return err
	}
	pub, err := a.loadKey(ctx, o.key)
	if err != nil {
		return err
	}
	code, err := slrcode.VerifyAuthorizationCode(data, pub)
	if errors.Is(err, slrcode.ErrBadSignature) {
		return &consoleError{msg: "The Reservation Authorization Code signature is not valid: it was not issued by the portal whose key was given, or it was altered"}
	}
	if err != nil {
		return &consoleError{msg: "The Reservation Authorization Code is not valid: " + err.Error()}
	}
	if code.UDI != s.udi() {
		return &consoleError{msg: msgMismatch}
	}
	s.AuthorizationCode = string(data)
	s.InstalledAt = a.now().UTC()
	s.RequestNonce = ""
	s.LastConfirmationCode = slrcode.ConfirmationCode(code.Signature)
	if err := saveState(path, s); err != nil {
		return err
	}
	fmt.Fprintln(a.stdout, "Reservation install file successful")
	fmt.Fprintln(a.stdout, "Last Confirmation code "+s.LastConfirmationCode)
	return nil
}

func (a *app) cmdReturn(_ context.Context, o *options) error {
	path, s, err := a.loadDevice(o)
	if err != nil {
		return err
	}
	code, err := s.installed()
	if err != nil {
		return err
	}
	if code == nil {
		return &consoleError{msg: "No reservation is installed: there is nothing to return"}
	}
	rc := slrcode.ReturnCode(code.PIID, code.Signature)
	s.unregister(rc)
	if err := saveState(path, s); err != nil {
		return err
	}
	fmt.Fprintln(a.stdout, rc)
	return nil
}

// unregister forgets the installed reservation after a return.
func (s *deviceState) unregister(returnCode string) {
	s.AuthorizationCode = ""
	s.InstalledAt = time.Time{}
	s.LastReturnCode = returnCode
}

// cmdReturnAuthorization prints the return code of an authorization code the
// device was given but never installed, so that the portal can take the
// reservation back. The file must be for this device; with --key its
// signature is checked too.
func (a *app) cmdReturnAuthorization(ctx context.Context, o *options) error {
	path, s, err := a.loadDevice(o)
	if err != nil {
		return err
	}
	data, err := a.readInput(o.file)
	if err != nil {
		return err
	}
	var code *slrcode.AuthorizationCode
	if o.key != "" {
		pub, err := a.loadKey(ctx, o.key)
		if err != nil {
			return err
		}
		code, err = slrcode.VerifyAuthorizationCode(data, pub)
		if errors.Is(err, slrcode.ErrBadSignature) {
			return &consoleError{msg: "The Reservation Authorization Code signature is not valid"}
		}
	} else {
		code, err = slrcode.ParseAuthorizationCode(data)
	}
	if err != nil {
		return &consoleError{msg: "The Reservation Authorization Code is not valid: " + err.Error()}
	}
	if code.UDI != s.udi() {
		return &consoleError{msg: fmt.Sprintf("The Reservation Authorization Code is for %s, not for this device (%s)", code.UDI, s.udi())}
	}
	rc := slrcode.ReturnCode(code.PIID, code.Signature)
	// Returning the very code that is installed is a return.
	if installed, err := s.installed(); err == nil && installed != nil && installed.Signature == code.Signature {
		s.unregister(rc)
	} else {
		s.LastReturnCode = rc
	}
	if err := saveState(path, s); err != nil {
		return err
	}
	fmt.Fprintln(a.stdout, rc)
	return nil
}

func (a *app) cmdCancel(_ context.Context, o *options) error {
	path, s, err := a.loadDevice(o)
	if err != nil {
		return err
	}
	if s.RequestNonce == "" {
		return &consoleError{msg: "No reservation request is in progress"}
	}
	s.RequestNonce = ""
	if err := saveState(path, s); err != nil {
		return err
	}
	fmt.Fprintln(a.stdout, "Reservation request cancelled")
	return nil
}

// readInput reads a FILE argument ("-" is standard input), refusing anything
// larger than any code can be.
func (a *app) readInput(name string) ([]byte, error) {
	var r io.Reader = a.stdin
	if name != "-" {
		f, err := os.Open(a.path(name))
		if err != nil {
			return nil, err
		}
		defer f.Close()
		r = f
	}
	data, err := readLimited(r, slrcode.MaxInputSize)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", name, err)
	}
	return data, nil
}

// loadKey reads the portal's public key from a PEM file or from a portal's
// /signing-key.pem URL.
func (a *app) loadKey(ctx context.Context, src string) (*ecdsa.PublicKey, error) {
	var data []byte
	if strings.HasPrefix(src, "http://") || strings.HasPrefix(src, "https://") {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, src, nil)
		if err != nil {
			return nil, fmt.Errorf("key: %w", err)
		}
		resp, err := a.client.Do(req)
		if err != nil {
			return nil, fmt.Errorf("key: %w", err)
		}
		defer resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return nil, fmt.Errorf("key: GET %s: %s", src, resp.Status)
		}
		if data, err = readLimited(resp.Body, slrcode.MaxInputSize); err != nil {
			return nil, fmt.Errorf("key: GET %s: %w", src, err)
		}
	} else {
		var err error
		if data, err = a.readInput(src); err != nil {
			return nil, fmt.Errorf("key: %w", err)
		}
	}
	pub, err := slrcode.ParsePublicKeyPEM(data)
	if err != nil {
		return nil, fmt.Errorf("key %s: %w", src, err)
	}
	return pub, nil
}
