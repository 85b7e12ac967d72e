package fakeentra

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"fmt"
	"math/big"
	"time"
)

// signingKey is an RSA token-signing key with the self-signed certificate Entra publishes
// beside each key in its JWKS.
type signingKey struct {
	private *rsa.PrivateKey
	cert    *x509.Certificate
	kid     string // base64url SHA-1 of the certificate, as Entra's kid and x5t are
}

// newSigningKey wraps key, or a new key when it is nil, with a certificate named cn.
func newSigningKey(cn string, key *rsa.PrivateKey) (*signingKey, error) {
	if key == nil {
		var err error
		if key, err = rsa.GenerateKey(rand.Reader, 2048); err != nil {
			return nil, fmt.Errorf("generating signing key: %w", err)
		}
	}
	now := time.Now()
	template := &x509.Certificate{
		SerialNumber: randomSerial(),
		Subject:      pkix.Name{CommonName: cn},
		NotBefore:    now.Add(-time.Hour),
		NotAfter:     now.Add(365 * 24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
	}
	der, err := x509.CreateCertificate(rand.Reader, template, template, &key.PublicKey, key)
	if err != nil {
		return nil, fmt.Errorf("creating signing certificate: %w", err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, fmt.Errorf("parsing signing certificate: %w", err)
	}
	thumb := sha1.Sum(der)
	return &signingKey{private: key, cert: cert, kid: base64.RawURLEncoding.EncodeToString(thumb[:])}, nil
}

// sign signs claims as an RS256 JWT carrying this key's kid.
func (k *signingKey) sign(claims any) (string, error) {
	return signJWT(k.private, jwtHeader{Typ: "JWT", Kid: k.kid, X5t: k.kid}, claims)
}

// jsonWebKey is one entry of a JWKS, in the shape Entra publishes.
type jsonWebKey struct {
	Kty    string   `json:"kty"`
	Use    string   `json:"use"`
	Kid    string   `json:"kid"`
	X5t    string   `json:"x5t,omitempty"`
	N      string   `json:"n"`
	E      string   `json:"e"`
	X5c    []string `json:"x5c,omitempty"`
	Issuer string   `json:"issuer,omitempty"`
}

// jsonWebKeySet is a JWKS document.
type jsonWebKeySet struct {
	Keys []jsonWebKey `json:"keys"`
}

// jwk describes the public half of k.
func (k *signingKey) jwk(issuer string) jsonWebKey {
	return jsonWebKey{
		Kty:    "RSA",
		Use:    "sig",
		Kid:    k.kid,
		X5t:    k.kid,
		N:      base64.RawURLEncoding.EncodeToString(k.private.N.Bytes()),
		E:      base64.RawURLEncoding.EncodeToString(big.NewInt(int64(k.private.E)).Bytes()),
		X5c:    []string{base64.StdEncoding.EncodeToString(k.cert.Raw)},
		Issuer: issuer,
	}
}
