// Package signkey keeps the portal's authorization code signing key on disk
// (DESIGN §4.2): one ECDSA P-256 key in a PKCS#8 PEM file of mode 0600,
// created on first start. The formats belong to slrcode; this package does
// the file I/O that slrcode, being pure, does not.
package signkey

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"slrportal/internal/slrcode"
)

// LoadOrCreate returns the key stored at path, creating the file (and its
// directory, mode 0700) with a new key when there is none.
//
// An existing file is loaded whatever its permissions, and a file that does
// not hold a P-256 key is an error rather than something to replace: every
// authorization code ever issued depends on that key.
func LoadOrCreate(path string) (*ecdsa.PrivateKey, error) {
	key, err := load(path)
	if err == nil || !errors.Is(err, fs.ErrNotExist) {
		return key, err
	}
	return create(path)
}

// PublicKeyPEM returns the key's public half as served at /signing-key.pem.
func PublicKeyPEM(key *ecdsa.PrivateKey) ([]byte, error) {
	if key == nil {
		return nil, errors.New("signkey: public key: no key")
	}
	return slrcode.MarshalPublicKeyPEM(&key.PublicKey)
}

func load(path string) (*ecdsa.PrivateKey, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("signkey: load: %w", err)
	}
	key, err := slrcode.ParsePrivateKeyPEM(data)
	if err != nil {
		return nil, fmt.Errorf("signkey: load %s: %w", path, err)
	}
	return key, nil
}

// create writes a new key to a temporary file in the target directory and
// links it into place, so that no reader ever sees a partial key and two
// processes starting at once end up with the same key: the second link
// fails and that process loads the winner's key instead of overwriting it.
func create(path string) (*ecdsa.PrivateKey, error) {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("signkey: create: %w", err)
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("signkey: create: %w", err)
	}
	pemBytes, err := slrcode.MarshalPrivateKeyPEM(key)
	if err != nil {
		return nil, fmt.Errorf("signkey: create: %w", err)
	}
	tmp, err := writeTemp(dir, pemBytes)
	if err != nil {
		return nil, fmt.Errorf("signkey: create: %w", err)
	}
	defer os.Remove(tmp)

	if err := os.Link(tmp, path); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return load(path)
		}
		// Some file systems have no hard links. Rename is atomic too, but
		// it replaces: check first, and accept the small window.
		if _, statErr := os.Lstat(path); statErr == nil {
			return load(path)
		}
		if err := os.Rename(tmp, path); err != nil {
			return nil, fmt.Errorf("signkey: create: %w", err)
		}
	}
	if err := syncDir(dir); err != nil {
		return nil, fmt.Errorf("signkey: create: %w", err)
	}
	return key, nil
}

// writeTemp writes data to a new mode-0600 file in dir, flushed to disk, and
// returns its name.
func writeTemp(dir string, data []byte) (string, error) {
	f, err := os.CreateTemp(dir, ".signing-key-*.tmp")
	if err != nil {
		return "", err
	}
	name := f.Name()
	err = f.Chmod(0o600) // CreateTemp's default, said out loud
	if err == nil {
		_, err = f.Write(data)
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(name)
		return "", err
	}
	return name, nil
}

// syncDir makes the new directory entry durable, so that a crash right after
// start does not lose a key that codes were already signed with.
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
