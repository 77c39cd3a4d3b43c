package signkey

import (
	"bytes"
	"crypto/ecdsa"
	"errors"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"slrportal/internal/slrcode"
)

func TestLoadOrCreateCreatesThenLoads(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "data", "nested")
	path := filepath.Join(dir, "signing-key.pem")

	key, err := LoadOrCreate(path)
	if err != nil {
		t.Fatal(err)
	}
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if mode := info.Mode().Perm(); mode != 0o600 {
		t.Errorf("key file mode = %o, want 600", mode)
	}
	if info, err := os.Stat(dir); err != nil || info.Mode().Perm() != 0o700 {
		t.Errorf("key directory: %v, %v; want mode 700", info, err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(data, []byte("-----BEGIN PRIVATE KEY-----\n")) {
		t.Errorf("key file is not PKCS#8 PEM:\n%s", data)
	}
	if onDisk, err := slrcode.ParsePrivateKeyPEM(data); err != nil || !onDisk.Equal(key) {
		t.Errorf("key file does not hold the returned key: %v", err)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("directory holds %d entries, want only the key", len(entries))
	}

	again, err := LoadOrCreate(path)
	if err != nil || !again.Equal(key) {
		t.Fatalf("second LoadOrCreate gave another key (%v)", err)
	}
	data2, _ := os.ReadFile(path)
	if !bytes.Equal(data, data2) {
		t.Error("second LoadOrCreate rewrote the key file")
	}
}

func TestLoadOrCreateKeepsABadFile(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "signing-key.pem")
	if err := os.WriteFile(path, []byte("not a key"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := LoadOrCreate(path)
	var pe *slrcode.ParseError
	if !errors.As(err, &pe) {
		t.Fatalf("LoadOrCreate(bad file) error = %v, want a *slrcode.ParseError", err)
	}
	if data, _ := os.ReadFile(path); string(data) != "not a key" {
		t.Error("LoadOrCreate replaced a bad key file")
	}
}

func TestLoadOrCreateLoadsWiderPermissions(t *testing.T) {
	t.Parallel()
	src, err := os.ReadFile("../slrcode/testdata/signing-key.pem")
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "signing-key.pem")
	if err := os.WriteFile(path, src, 0o644); err != nil {
		t.Fatal(err)
	}
	key, err := LoadOrCreate(path)
	if err != nil {
		t.Fatal(err)
	}
	want, _ := slrcode.ParsePrivateKeyPEM(src)
	if !key.Equal(want) {
		t.Error("LoadOrCreate did not load the existing key")
	}
}

func TestLoadOrCreateConcurrentStartsAgree(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "signing-key.pem")
	const n = 16
	keys := make([]*ecdsa.PrivateKey, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { keys[i], errs[i] = LoadOrCreate(path) })
	}
	wg.Wait()
	for i := range n {
		if errs[i] != nil {
			t.Fatalf("LoadOrCreate %d: %v", i, errs[i])
		}
		if !keys[i].Equal(keys[0]) {
			t.Fatalf("LoadOrCreate %d returned a different key than 0", i)
		}
	}
	onDisk, err := LoadOrCreate(path)
	if err != nil || !onDisk.Equal(keys[0]) {
		t.Fatalf("the key on disk is not the one handed out (%v)", err)
	}
}

func TestLoadOrCreateUnwritableDir(t *testing.T) {
	t.Parallel()
	parent := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(parent, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadOrCreate(filepath.Join(parent, "signing-key.pem")); err == nil {
		t.Fatal("LoadOrCreate under a regular file succeeded")
	}
}

func TestPublicKeyPEMVerifiesSignedCodes(t *testing.T) {
	t.Parallel()
	key, err := LoadOrCreate(filepath.Join(t.TempDir(), "k.pem"))
	if err != nil {
		t.Fatal(err)
	}
	pubPEM, err := PublicKeyPEM(key)
	if err != nil {
		t.Fatal(err)
	}
	pub, err := slrcode.ParsePublicKeyPEM(pubPEM)
	if err != nil {
		t.Fatal(err)
	}
	file, _, err := slrcode.SignAuthorizationCode(key, "00000000-0000-4000-8000-000000000000", time.Now(),
		slrcode.UDI{PID: "C9300-24UX", SN: "FCW2134L0RN"}, []slrcode.Entitlement{{Tag: "t", Count: 1}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := slrcode.VerifyAuthorizationCode(file, pub); err != nil {
		t.Fatalf("a code signed with the key does not verify with its exported public key: %v", err)
	}
	if _, err := PublicKeyPEM(nil); err == nil {
		t.Error("PublicKeyPEM(nil) succeeded")
	}
}
