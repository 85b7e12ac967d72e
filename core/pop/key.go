// Package pop makes proof-of-possession (PoP) tokens as Microsoft Entra ID and MSAL define them.
// A client keeps an RSA key and names its thumbprint in the token request (token_type=pop and
// req_cnf); Entra binds the access token to that key (its cnf claim). The client then presents
// not the access token but a signed HTTP request (SHR): a JWT signed with the key, carrying the
// access token, the time, the resource it is for and the key itself, which the resource checks
// against the access token's binding. Azure Arc-enabled Kubernetes clusters ask for these.
package pop

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"time"
)

// RotationInterval is how long a key is used before a new one is made, as MSAL rotates its PoP
// keys: a key that leaked stops being worth anything within hours.
const RotationInterval = 8 * time.Hour

// keyBits is the size of the RSA keys, as MSAL's.
const keyBits = 2048

// Key is a PoP key: an RSA key pair and when it was made.
type Key struct {
	private    *rsa.PrivateKey
	created    time.Time
	thumbprint string
}

// NewKey makes a fresh key, dated now.
func NewKey(now time.Time) (*Key, error) {
	private, err := rsa.GenerateKey(rand.Reader, keyBits)
	if err != nil {
		return nil, fmt.Errorf("making a proof-of-possession key: %w", err)
	}
	return newKey(private, now), nil
}

func newKey(private *rsa.PrivateKey, created time.Time) *Key {
	k := &Key{private: private, created: created.UTC()}
	// RFC 7638: the SHA-256 of the required members in lexicographic order, without spaces.
	canonical := fmt.Sprintf(`{"e":"%s","kty":"RSA","n":"%s"}`, k.exponent(), k.modulus())
	sum := sha256.Sum256([]byte(canonical))
	k.thumbprint = base64.RawURLEncoding.EncodeToString(sum[:])
	return k
}

// Created is when the key was made.
func (k *Key) Created() time.Time { return k.created }

// Due reports whether the key has served its RotationInterval and a new one should be made.
func (k *Key) Due(now time.Time) bool { return !now.Before(k.created.Add(RotationInterval)) }

// Thumbprint is the key's RFC 7638 JWK thumbprint: its ID in req_cnf, in the access token's cnf
// claim and in the SHR's header.
func (k *Key) Thumbprint() string { return k.thumbprint }

// ReqCnf is the req_cnf parameter of a token request for a token bound to this key: base64url
// of {"kid":<thumbprint>,"xms_ksl":"sw"} ("sw": the key lives in software, not in a TPM).
func (k *Key) ReqCnf() string {
	b, _ := json.Marshal(struct {
		Kid    string `json:"kid"`
		KeyLoc string `json:"xms_ksl"`
	}{k.thumbprint, "sw"})
	return base64.RawURLEncoding.EncodeToString(b)
}

// JWK is the public key as the SHR's cnf claim carries it (RFC 7800).
type JWK struct {
	Kty string `json:"kty"`
	E   string `json:"e"`
	N   string `json:"n"`
	Alg string `json:"alg"`
	Kid string `json:"kid"`
}

// PublicJWK returns the public half of the key as a JWK.
func (k *Key) PublicJWK() JWK {
	return JWK{Kty: "RSA", E: k.exponent(), N: k.modulus(), Alg: "RS256", Kid: k.thumbprint}
}

func (k *Key) exponent() string {
	return base64.RawURLEncoding.EncodeToString(big.NewInt(int64(k.private.E)).Bytes())
}

func (k *Key) modulus() string {
	return base64.RawURLEncoding.EncodeToString(k.private.N.Bytes())
}

// stored is a key at rest. The private key is PKCS #8; the store it is written to seals it.
type stored struct {
	Created time.Time `json:"created"`
	PKCS8   []byte    `json:"pkcs8"`
}

// MarshalBinary encodes the key, private half included, for a store that keeps secrets.
func (k *Key) MarshalBinary() ([]byte, error) {
	der, err := x509.MarshalPKCS8PrivateKey(k.private)
	if err != nil {
		return nil, fmt.Errorf("encoding the proof-of-possession key: %w", err)
	}
	return json.Marshal(stored{Created: k.created, PKCS8: der})
}

// ParseKey decodes what MarshalBinary wrote. Anything else is an error that quotes nothing.
func ParseKey(data []byte) (*Key, error) {
	var s stored
	if err := json.Unmarshal(data, &s); err != nil {
		return nil, errors.New("the proof-of-possession key at rest is not what this program writes")
	}
	parsed, err := x509.ParsePKCS8PrivateKey(s.PKCS8)
	if err != nil {
		return nil, errors.New("the proof-of-possession key at rest is not a PKCS #8 key")
	}
	private, ok := parsed.(*rsa.PrivateKey)
	if !ok || private.N.BitLen() < keyBits || s.Created.IsZero() {
		return nil, errors.New("the proof-of-possession key at rest is not a dated 2048-bit RSA key")
	}
	return newKey(private, s.Created), nil
}
