package clientcert

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// assertionLifetime matches MSAL's; Entra ID does not cap it, and a short life
// limits what a leaked assertion is worth.
const assertionLifetime = 10 * time.Minute

// Assertion returns a signed client-assertion JWT that proves possession of
// the credential's key to Entra ID's token endpoint.
//
// audience is the exact token endpoint URL the assertion will be posted to;
// clientID is the application's client ID and becomes both iss and sub. The
// assertion is valid from now for ten minutes and carries a fresh random jti.
// RSA keys sign with PS256 and P-256 keys with ES256. With sendChain the header
// also carries x5c (leaf first, then the chain), which applications registered
// by subject name and issuer need.
func (c *Credential) Assertion(clientID, audience string, now time.Time, sendChain bool) (string, error) {
	switch {
	case c == nil || c.Signer == nil || c.Leaf == nil:
		return "", errors.New("credential has no key or certificate")
	case clientID == "":
		return "", errors.New("client ID is empty")
	case audience == "":
		return "", errors.New("assertion audience is empty")
	}
	method, err := signingMethod(c.Signer)
	if err != nil {
		return "", err
	}

	token := jwt.NewWithClaims(method, jwt.MapClaims{
		// A plain string, not jwt.ClaimStrings: the token endpoint compares
		// aud with its own URL.
		"aud": audience,
		"iss": clientID,
		"sub": clientID,
		"jti": newUUID(),
		"nbf": now.Unix(),
		"iat": now.Unix(),
		"exp": now.Add(assertionLifetime).Unix(),
	})
	sha1Sum := sha1.Sum(c.Leaf.Raw)
	sha256Sum := sha256.Sum256(c.Leaf.Raw)
	token.Header["x5t"] = base64.RawURLEncoding.EncodeToString(sha1Sum[:])
	token.Header["x5t#S256"] = base64.RawURLEncoding.EncodeToString(sha256Sum[:])
	if sendChain {
		x5c := make([]string, 0, 1+len(c.Chain))
		x5c = append(x5c, base64.StdEncoding.EncodeToString(c.Leaf.Raw))
		for _, cert := range c.Chain {
			x5c = append(x5c, base64.StdEncoding.EncodeToString(cert.Raw))
		}
		token.Header["x5c"] = x5c
	}

	signed, err := token.SignedString(c.Signer)
	if err != nil {
		return "", fmt.Errorf("signing JWT: %w", err)
	}
	return signed, nil
}

// signingMethod picks the JWS algorithm for the key. jwt's signers need the
// concrete key types, so these are the only ones Parse accepts.
func signingMethod(signer any) (jwt.SigningMethod, error) {
	switch k := signer.(type) {
	case *rsa.PrivateKey:
		return jwt.SigningMethodPS256, nil
	case *ecdsa.PrivateKey:
		if k.Curve == elliptic.P256() {
			return jwt.SigningMethodES256, nil
		}
		return nil, fmt.Errorf("unsupported EC private key on curve %s: want P-256", k.Curve.Params().Name)
	default:
		return nil, fmt.Errorf("unsupported private key type %T: want RSA or ECDSA P-256", signer)
	}
}

// newUUID returns a random (version 4) UUID in its canonical text form.
func newUUID() string {
	var b [16]byte
	rand.Read(b[:])         // crypto/rand.Read never fails; it crashes the program instead.
	b[6] = b[6]&0x0f | 0x40 // version 4
	b[8] = b[8]&0x3f | 0x80 // RFC 9562 variant
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}
