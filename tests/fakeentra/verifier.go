package fakeentra

import (
	"context"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"strings"
	"sync"
	"time"
)

// Errors a Verifier returns (wrapped) for tokens that are well formed but not acceptable.
var (
	ErrTokenExpired  = errors.New("token has expired")
	ErrTokenNotYet   = errors.New("token is not valid yet")
	ErrWrongAudience = errors.New("token is for another audience")
	ErrBadSignature  = errors.New("token signature does not verify")
)

// verifierLeeway is the clock skew a Verifier allows on exp and nbf.
const verifierLeeway = 30 * time.Second

// Claims are the parts of a verified access token that fake resource servers look at.
type Claims struct {
	TenantID string
	ObjectID string
	// UPN is upn, preferred_username or unique_name, whichever the token has (empty for app-only).
	UPN string
	// AppID is appid (v1) or azp (v2): the client the token was issued to.
	AppID    string
	Scopes   []string
	Roles    []string
	Audience string
	Issuer   string
	// Version is the ver claim, "1.0" or "2.0".
	Version string
	// IdentityType is idtyp: "user" or "app".
	IdentityType string
	Expiry       time.Time
	// Raw holds every claim; numbers are json.Number.
	Raw map[string]any
}

// Verifier checks access tokens against a JWKS, as a resource server does. It is safe for
// concurrent use and may live in another process than the Server.
type Verifier struct {
	jwksURL string
	client  *http.Client
	// Now is the clock used for exp and nbf; time.Now when nil.
	Now func() time.Time

	mu   sync.Mutex
	keys map[string]*rsa.PublicKey // by kid
}

// NewVerifier returns a Verifier that fetches keys from jwksURL with client (which must trust
// the fake's CA; http.DefaultClient does when SSL_CERT_FILE is the fake's CAFile).
func NewVerifier(jwksURL string, client *http.Client) *Verifier {
	if client == nil {
		client = http.DefaultClient
	}
	return &Verifier{jwksURL: jwksURL, client: client}
}

// Verifier returns a Verifier for this server's tokens, on the server's clock.
func (s *Server) Verifier() *Verifier {
	v := NewVerifier(s.URL()+"/common/discovery/keys", s.client)
	v.Now = s.now
	return v
}

// Verify is VerifyContext with a 30-second budget for fetching keys.
func (v *Verifier) Verify(token, audience string) (*Claims, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	return v.VerifyContext(ctx, token, audience)
}

// VerifyContext checks token's RS256 signature against the JWKS (fetched again when the kid
// is unknown), its exp and nbf with a small leeway, and that its aud is audience.
func (v *Verifier) VerifyContext(ctx context.Context, token, audience string) (*Claims, error) {
	tok, err := parseJWT(token)
	if err != nil {
		return nil, fmt.Errorf("parsing token: %w", err)
	}
	if tok.header.Alg != "RS256" {
		return nil, fmt.Errorf("token is signed with %q, want RS256", tok.header.Alg)
	}
	if tok.header.Kid == "" {
		return nil, errors.New("token header has no kid")
	}
	key, err := v.key(ctx, tok.header.Kid)
	if err != nil {
		return nil, err
	}
	if err := tok.verifySignature(key); err != nil {
		return nil, ErrBadSignature
	}
	c := tok.claims
	now := time.Now()
	if v.Now != nil {
		now = v.Now()
	}
	exp, ok := c.numericDate("exp")
	if !ok {
		return nil, errors.New("token has no exp")
	}
	if now.After(exp.Add(verifierLeeway)) {
		return nil, fmt.Errorf("%w at %s", ErrTokenExpired, exp.UTC().Format(time.RFC3339))
	}
	if nbf, ok := c.numericDate("nbf"); ok && now.Add(verifierLeeway).Before(nbf) {
		return nil, fmt.Errorf("%w: nbf is %s", ErrTokenNotYet, nbf.UTC().Format(time.RFC3339))
	}
	aud := c.str("aud")
	if audience == "" || aud != audience {
		return nil, fmt.Errorf("%w: aud is %q, want %q", ErrWrongAudience, aud, audience)
	}
	claims := &Claims{
		TenantID:     c.str("tid"),
		ObjectID:     c.str("oid"),
		UPN:          firstNonEmpty(c.str("upn"), c.str("preferred_username"), c.str("unique_name")),
		AppID:        firstNonEmpty(c.str("appid"), c.str("azp")),
		Scopes:       strings.Fields(c.str("scp")),
		Roles:        c.strs("roles"),
		Audience:     aud,
		Issuer:       c.str("iss"),
		Version:      c.str("ver"),
		IdentityType: c.str("idtyp"),
		Expiry:       exp,
		Raw:          c,
	}
	return claims, nil
}

// key returns the key with kid, fetching the JWKS when it is not known yet.
func (v *Verifier) key(ctx context.Context, kid string) (*rsa.PublicKey, error) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if k, ok := v.keys[kid]; ok {
		return k, nil
	}
	keys, err := v.fetch(ctx)
	if err != nil {
		return nil, err
	}
	v.keys = keys
	if k, ok := keys[kid]; ok {
		return k, nil
	}
	return nil, fmt.Errorf("no key with kid %q in %s", kid, v.jwksURL)
}

// fetch downloads and decodes the JWKS.
func (v *Verifier) fetch(ctx context.Context) (map[string]*rsa.PublicKey, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, v.jwksURL, nil)
	if err != nil {
		return nil, fmt.Errorf("building JWKS request: %w", err)
	}
	resp, err := v.client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("fetching JWKS: %w", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return nil, fmt.Errorf("reading JWKS: %w", err)
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("fetching JWKS: %s answered %s", v.jwksURL, resp.Status)
	}
	return parseJWKS(body)
}

// parseJWKS decodes the RSA signing keys of a JWKS document.
func parseJWKS(body []byte) (map[string]*rsa.PublicKey, error) {
	var set jsonWebKeySet
	if err := json.Unmarshal(body, &set); err != nil {
		return nil, fmt.Errorf("decoding JWKS: %w", err)
	}
	keys := map[string]*rsa.PublicKey{}
	for _, k := range set.Keys {
		if k.Kty != "RSA" || k.Kid == "" || (k.Use != "" && k.Use != "sig") {
			continue
		}
		n, err := base64.RawURLEncoding.DecodeString(k.N)
		if err != nil || len(n) < 256 {
			return nil, fmt.Errorf("JWKS key %q: modulus is not base64url or shorter than 2048 bits", k.Kid)
		}
		e, err := base64.RawURLEncoding.DecodeString(k.E)
		if err != nil || len(e) == 0 || len(e) > 4 {
			return nil, fmt.Errorf("JWKS key %q: exponent is not a small base64url integer", k.Kid)
		}
		exp := new(big.Int).SetBytes(e)
		keys[k.Kid] = &rsa.PublicKey{N: new(big.Int).SetBytes(n), E: int(exp.Int64())}
	}
	if len(keys) == 0 {
		return nil, errors.New("JWKS holds no RSA signing key")
	}
	return keys, nil
}

func firstNonEmpty(values ...string) string {
	for _, v := range values {
		if v != "" {
			return v
		}
	}
	return ""
}
