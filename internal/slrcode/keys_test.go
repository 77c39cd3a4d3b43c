package slrcode

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"os"
	"strings"
	"testing"
)

func TestKeyPEMRoundTrip(t *testing.T) {
	t.Parallel()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	privPEM, err := MarshalPrivateKeyPEM(key)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(privPEM), "-----BEGIN PRIVATE KEY-----\n") {
		t.Errorf("private key PEM is not PKCS#8:\n%s", privPEM)
	}
	back, err := ParsePrivateKeyPEM(privPEM)
	if err != nil || !back.Equal(key) {
		t.Fatalf("ParsePrivateKeyPEM: %v", err)
	}
	pubPEM, err := MarshalPublicKeyPEM(&key.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(pubPEM), "-----BEGIN PUBLIC KEY-----\n") {
		t.Errorf("public key PEM is not PKIX:\n%s", pubPEM)
	}
	pub, err := ParsePublicKeyPEM(pubPEM)
	if err != nil || !pub.Equal(&key.PublicKey) {
		t.Fatalf("ParsePublicKeyPEM: %v", err)
	}
}

// TestTestdataKeys reads keys written by openssl, and writes the public key
// as openssl did.
func TestTestdataKeys(t *testing.T) {
	t.Parallel()
	key := testKey(t)
	pub := testPublicKey(t)
	if !key.PublicKey.Equal(pub) {
		t.Fatal("testdata keys do not form a pair")
	}
	want, err := os.ReadFile("testdata/signing-key.pub.pem")
	if err != nil {
		t.Fatal(err)
	}
	got, err := MarshalPublicKeyPEM(pub)
	if err != nil || string(got) != string(want) {
		t.Errorf("MarshalPublicKeyPEM = %s, %v; want %s", got, err, want)
	}
}

func TestParseKeyPEMErrors(t *testing.T) {
	t.Parallel()
	p384, err := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	_, edKey, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	der := func(b []byte, err error) []byte {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	encode := func(typ string, der []byte) string {
		return string(pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}))
	}
	p256 := testKey(t)
	privPEM, _ := MarshalPrivateKeyPEM(p256)
	pubPEM, _ := MarshalPublicKeyPEM(&p256.PublicKey)
	sec1 := der(x509.MarshalECPrivateKey(p256))

	privTests := []struct{ name, in, part string }{
		{"empty", "", "pem"},
		{"garbage", "not a key", "pem"},
		{"public key", string(pubPEM), "pem"},
		{"SEC1", encode("EC PRIVATE KEY", sec1), "pem"},
		{"P-384", encode("PRIVATE KEY", der(x509.MarshalPKCS8PrivateKey(p384))), "key"},
		{"Ed25519", encode("PRIVATE KEY", der(x509.MarshalPKCS8PrivateKey(edKey))), "key"},
		{"bad DER", encode("PRIVATE KEY", []byte{0x30, 0x03, 0x02, 0x01}), "key"},
		{"text before", "hello\n" + string(privPEM), "pem"},
		{"text after", string(privPEM) + "hello\n", "pem"},
		{"two keys", string(privPEM) + string(privPEM), "pem"},
		{"truncated", string(privPEM[:len(privPEM)/2]), "pem"},
		{"not UTF-8", string(privPEM) + "\xff", "encoding"},
		{"over-long", strings.Repeat("\n", MaxInputSize) + string(privPEM), "length"},
	}
	for _, tt := range privTests {
		_, err := ParsePrivateKeyPEM([]byte(tt.in))
		var pe *ParseError
		if !errors.As(err, &pe) || pe.Part != tt.part {
			t.Errorf("ParsePrivateKeyPEM(%s) error = %v, want part %q", tt.name, err, tt.part)
		}
	}
	if _, err := ParsePrivateKeyPEM([]byte("\n  " + string(privPEM) + "\n\n")); err != nil {
		t.Errorf("ParsePrivateKeyPEM with surrounding white space: %v", err)
	}

	pubTests := []struct{ name, in, part string }{
		{"empty", "", "pem"},
		{"private key", string(privPEM), "pem"},
		{"P-384", encode("PUBLIC KEY", der(x509.MarshalPKIXPublicKey(&p384.PublicKey))), "key"},
		{"Ed25519", encode("PUBLIC KEY", der(x509.MarshalPKIXPublicKey(edKey.Public()))), "key"},
		{"bad DER", encode("PUBLIC KEY", []byte{1, 2, 3}), "key"},
		{"text after", string(pubPEM) + "x", "pem"},
	}
	for _, tt := range pubTests {
		_, err := ParsePublicKeyPEM([]byte(tt.in))
		var pe *ParseError
		if !errors.As(err, &pe) || pe.Part != tt.part {
			t.Errorf("ParsePublicKeyPEM(%s) error = %v, want part %q", tt.name, err, tt.part)
		}
	}
}

func TestMarshalKeyErrors(t *testing.T) {
	t.Parallel()
	p384, err := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := MarshalPrivateKeyPEM(nil); err == nil {
		t.Error("MarshalPrivateKeyPEM(nil) succeeded")
	}
	if _, err := MarshalPrivateKeyPEM(p384); err == nil {
		t.Error("MarshalPrivateKeyPEM(P-384) succeeded")
	}
	if _, err := MarshalPrivateKeyPEM(&ecdsa.PrivateKey{}); err == nil {
		t.Error("MarshalPrivateKeyPEM(zero key) succeeded")
	}
	if _, err := MarshalPublicKeyPEM(nil); err == nil {
		t.Error("MarshalPublicKeyPEM(nil) succeeded")
	}
	if _, err := MarshalPublicKeyPEM(&ecdsa.PublicKey{Curve: elliptic.P256()}); err == nil {
		t.Error("MarshalPublicKeyPEM(zero point) succeeded")
	}
}
