package slrcode

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"unicode/utf8"
)

const (
	pemPrivateKey = "PRIVATE KEY"
	pemPublicKey  = "PUBLIC KEY"
)

// MarshalPrivateKeyPEM encodes a P-256 signing key as a PKCS#8 "PRIVATE KEY"
// PEM block, the form the portal keeps on disk.
func MarshalPrivateKeyPEM(key *ecdsa.PrivateKey) ([]byte, error) {
	if !isP256Private(key) {
		return nil, errors.New("slrcode: marshal private key: not an ECDSA P-256 key")
	}
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, fmt.Errorf("slrcode: marshal private key: %w", err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: pemPrivateKey, Bytes: der}), nil
}

// MarshalPublicKeyPEM encodes a P-256 public key as a PKIX "PUBLIC KEY" PEM
// block, the form served at /signing-key.pem.
func MarshalPublicKeyPEM(pub *ecdsa.PublicKey) ([]byte, error) {
	if !isP256Public(pub) {
		return nil, errors.New("slrcode: marshal public key: not an ECDSA P-256 key")
	}
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		return nil, fmt.Errorf("slrcode: marshal public key: %w", err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: pemPublicKey, Bytes: der}), nil
}

// ParsePrivateKeyPEM decodes a PKCS#8 "PRIVATE KEY" PEM block holding an
// ECDSA P-256 key. Anything else, including text around the block, is a
// *ParseError: a key file with surprises in it is not one we wrote.
func ParsePrivateKeyPEM(data []byte) (*ecdsa.PrivateKey, error) {
	der, err := decodePEM(codePrivateKey, pemPrivateKey, data)
	if err != nil {
		return nil, err
	}
	k, err := x509.ParsePKCS8PrivateKey(der)
	if err != nil {
		return nil, parseErr(codePrivateKey, "key", "the PEM block is not a PKCS#8 private key")
	}
	key, ok := k.(*ecdsa.PrivateKey)
	if !ok || key.Curve != elliptic.P256() {
		return nil, parseErr(codePrivateKey, "key", "the key is not an ECDSA P-256 key")
	}
	return key, nil
}

// ParsePublicKeyPEM decodes a PKIX "PUBLIC KEY" PEM block holding an ECDSA
// P-256 key, such as a portal's /signing-key.pem.
func ParsePublicKeyPEM(data []byte) (*ecdsa.PublicKey, error) {
	der, err := decodePEM(codePublicKey, pemPublicKey, data)
	if err != nil {
		return nil, err
	}
	k, err := x509.ParsePKIXPublicKey(der)
	if err != nil {
		return nil, parseErr(codePublicKey, "key", "the PEM block is not a PKIX public key")
	}
	pub, ok := k.(*ecdsa.PublicKey)
	if !ok || pub.Curve != elliptic.P256() {
		return nil, parseErr(codePublicKey, "key", "the key is not an ECDSA P-256 key")
	}
	return pub, nil
}

// decodePEM returns the bytes of the one PEM block of type typ in data, which
// may have white space around it but nothing else.
func decodePEM(code, typ string, data []byte) ([]byte, error) {
	if len(data) > MaxInputSize {
		return nil, parseErr(code, "length", "the file is longer than 64 KiB")
	}
	if !utf8.Valid(data) {
		return nil, parseErr(code, "encoding", "the file is not valid UTF-8 text")
	}
	data = bytes.TrimSpace(data)
	if len(data) > 0 && !bytes.HasPrefix(data, []byte("-----BEGIN ")) {
		if bytes.Contains(data, []byte("-----BEGIN ")) {
			return nil, parseErr(code, "pem", "unexpected text before the PEM block")
		}
		return nil, parseErr(code, "pem", "no PEM block found")
	}
	block, rest := pem.Decode(data)
	if block == nil {
		return nil, parseErr(code, "pem", "no PEM block found")
	}
	if block.Type != typ {
		return nil, parseErr(code, "pem", "the PEM block is %.40q, not %q", block.Type, typ)
	}
	if len(block.Headers) != 0 {
		return nil, parseErr(code, "pem", "the PEM block has headers; encrypted keys are not supported")
	}
	if len(rest) != 0 {
		return nil, parseErr(code, "pem", "unexpected text after the PEM block")
	}
	return block.Bytes, nil
}

// isP256Public reports whether pub is a usable P-256 key. crypto/ecdsa
// panics on a key without coordinates, and such a key can only come from a
// caller's zero value, so it is refused up front.
func isP256Public(pub *ecdsa.PublicKey) bool {
	if pub == nil || pub.Curve != elliptic.P256() || pub.X == nil || pub.Y == nil {
		return false
	}
	_, err := pub.Bytes()
	return err == nil
}

func isP256Private(key *ecdsa.PrivateKey) bool {
	return key != nil && key.D != nil && isP256Public(&key.PublicKey)
}
