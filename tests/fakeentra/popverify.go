package fakeentra

import (
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"time"
)

// ErrNotBound is returned (wrapped) by VerifyPoP for a signed request whose key is not the one
// its access token is bound to, or whose access token is bound to none.
var ErrNotBound = errors.New("the signed request's key is not the access token's")

// popRequestSkew is how far a signed request's ts may be from the resource's clock.
const popRequestSkew = 5 * time.Minute

// SignedRequest is what a verified proof-of-possession request carries besides its token.
type SignedRequest struct {
	// Token are the claims of the access token the request presents.
	Token *Claims
	// KeyID is the RFC 7638 thumbprint of the key that signed the request.
	KeyID     string
	Host      string
	Timestamp time.Time
	Nonce     string
}

// IsSignedRequest reports whether token looks like a proof-of-possession signed request (a JWT
// of type "pop") rather than a bearer access token.
func IsSignedRequest(token string) bool {
	t, err := parseJWT(token)
	return err == nil && t.header.Typ == tokenTypePoP
}

// VerifyPoP checks a signed HTTP request (SHR) as an Azure Arc cluster does: its RS256 signature
// against the public key it carries (cnf.jwk), that the key's thumbprint is the header's kid and
// the one the access token inside (at) is bound to (its cnf.kid), that the access token verifies
// for audience, that u is host, and that ts is within five minutes of now.
func (v *Verifier) VerifyPoP(shr, audience, host string) (*SignedRequest, error) {
	tok, err := parseJWT(shr)
	if err != nil {
		return nil, fmt.Errorf("parsing the signed request: %w", err)
	}
	if tok.header.Typ != tokenTypePoP || tok.header.Alg != "RS256" {
		return nil, fmt.Errorf("the signed request is of type %q signed %q, want pop signed RS256", tok.header.Typ, tok.header.Alg)
	}
	key, kid, err := cnfKey(tok.claims)
	if err != nil {
		return nil, err
	}
	if err := tok.verifySignature(key); err != nil {
		return nil, fmt.Errorf("%w: the signed request does not verify with its cnf key", ErrBadSignature)
	}
	if tok.header.Kid != kid {
		return nil, fmt.Errorf("%w: the header's kid %q is not the cnf key's thumbprint %q", ErrNotBound, tok.header.Kid, kid)
	}
	claims, err := v.Verify(tok.claims.str("at"), audience)
	if err != nil {
		return nil, fmt.Errorf("the signed request's access token: %w", err)
	}
	bound, _ := claims.Raw["cnf"].(map[string]any)
	if boundKid, _ := bound["kid"].(string); boundKid != kid {
		return nil, fmt.Errorf("%w: the access token is bound to %q, the request is signed by %q", ErrNotBound, boundKid, kid)
	}
	if u := tok.claims.str("u"); u != host {
		return nil, fmt.Errorf("the signed request is for %q, this resource is %q", u, host)
	}
	ts, ok := tok.claims.numericDate("ts")
	now := time.Now()
	if v.Now != nil {
		now = v.Now()
	}
	if !ok || ts.Before(now.Add(-popRequestSkew)) || ts.After(now.Add(popRequestSkew)) {
		return nil, fmt.Errorf("the signed request's ts is missing or more than %s from now", popRequestSkew)
	}
	nonce := tok.claims.str("nonce")
	if nonce == "" {
		return nil, errors.New("the signed request has no nonce")
	}
	return &SignedRequest{Token: claims, KeyID: kid, Host: host, Timestamp: ts, Nonce: nonce}, nil
}

// cnfKey reads the RSA public key a signed request carries in cnf.jwk, and its thumbprint.
func cnfKey(c jwtClaims) (*rsa.PublicKey, string, error) {
	cnf, _ := c["cnf"].(map[string]any)
	raw, err := json.Marshal(cnf["jwk"])
	var jwk struct{ Kty, E, N string }
	if err != nil || json.Unmarshal(raw, &jwk) != nil || jwk.Kty != "RSA" || jwk.E == "" || jwk.N == "" {
		return nil, "", errors.New("the signed request carries no RSA key in cnf.jwk")
	}
	n, errN := base64.RawURLEncoding.DecodeString(jwk.N)
	e, errE := base64.RawURLEncoding.DecodeString(jwk.E)
	if errN != nil || errE != nil || len(n) < 256 || len(e) == 0 || len(e) > 4 {
		return nil, "", errors.New("the signed request's cnf.jwk is not a 2048-bit or larger RSA key")
	}
	sum := sha256.Sum256([]byte(fmt.Sprintf(`{"e":"%s","kty":"RSA","n":"%s"}`, jwk.E, jwk.N)))
	key := &rsa.PublicKey{N: new(big.Int).SetBytes(n), E: int(new(big.Int).SetBytes(e).Int64())}
	return key, base64.RawURLEncoding.EncodeToString(sum[:]), nil
}
