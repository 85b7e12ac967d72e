package fakeentra

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"net/url"
	"testing"
	"time"
)

// popClientKey is a client's PoP key as MSAL would hold it: the key, its thumbprint and req_cnf.
type popClientKey struct {
	private *rsa.PrivateKey
	kid     string
	e, n    string
}

func newPoPClientKey(t *testing.T) popClientKey {
	t.Helper()
	private, err := testSigningKey() // any 2048-bit key will do
	if err != nil {
		t.Fatal(err)
	}
	e := base64.RawURLEncoding.EncodeToString(big.NewInt(int64(private.E)).Bytes())
	n := base64.RawURLEncoding.EncodeToString(private.N.Bytes())
	sum := sha256.Sum256([]byte(fmt.Sprintf(`{"e":"%s","kty":"RSA","n":"%s"}`, e, n)))
	return popClientKey{private: private, kid: base64.RawURLEncoding.EncodeToString(sum[:]), e: e, n: n}
}

func (k popClientKey) reqCnf() string {
	return base64.RawURLEncoding.EncodeToString([]byte(`{"kid":"` + k.kid + `","xms_ksl":"sw"}`))
}

// sign makes a signed request for at, as MSAL's PoP scheme does.
func (k popClientKey) sign(t *testing.T, at, host string, ts time.Time) string {
	t.Helper()
	shr, err := signJWT(k.private, jwtHeader{Typ: "pop", Kid: k.kid}, map[string]any{
		"at": at, "ts": ts.Unix(), "u": host, "nonce": "0123456789abcdef0123456789abcdef",
		"cnf": map[string]any{"jwk": map[string]string{"kty": "RSA", "e": k.e, "n": k.n, "alg": "RS256", "kid": k.kid}},
	})
	if err != nil {
		t.Fatal(err)
	}
	return shr
}

const arcHost = "/subscriptions/00000000-0000-4000-8000-00000000005b/resourceGroups/rg/providers/Microsoft.Kubernetes/connectedClusters/arc"

func TestPoPTokenForAnApplication(t *testing.T) {
	t.Parallel()
	s := startServer(t, Options{})
	key := newPoPClientKey(t)
	clientID, secret := s.NewServicePrincipal(DefaultTenant)
	form := secretForm(clientID, secret, AKSServerAppID+"/.default")
	form.Set("token_type", "pop")
	form.Set("req_cnf", key.reqCnf())
	a := post(t, s, v2Token(DefaultTenant), form)
	if a.status != 200 || a.str("token_type") != "pop" {
		t.Fatalf("status %d token_type %q: %s", a.status, a.str("token_type"), a.raw)
	}
	cnf, _ := claimsOf(t, a.str("access_token"))["cnf"].(map[string]any)
	if cnf["kid"] != key.kid {
		t.Errorf("the token's cnf is %v, want kid %s", cnf, key.kid)
	}

	// The resource accepts the token in a request signed with the bound key, and nothing else.
	v := s.Verifier()
	signed := key.sign(t, a.str("access_token"), arcHost, time.Now())
	if !IsSignedRequest(signed) || IsSignedRequest(a.str("access_token")) {
		t.Error("IsSignedRequest does not tell a signed request from an access token")
	}
	req, err := v.VerifyPoP(signed, AKSServerAppID, arcHost)
	if err != nil {
		t.Fatalf("VerifyPoP: %v", err)
	}
	if req.Token.AppID != clientID || req.KeyID != key.kid {
		t.Errorf("verified %+v", req)
	}
	if _, err := v.VerifyPoP(signed, AKSServerAppID, arcHost+"-other"); err == nil {
		t.Error("a request for another host was accepted")
	}
	if _, err := v.VerifyPoP(key.sign(t, a.str("access_token"), arcHost, time.Now().Add(-time.Hour)), AKSServerAppID, arcHost); err == nil {
		t.Error("an hour-old request was accepted")
	}
	// A bearer token wrapped in a signed request is not bound to the key.
	bearer := post(t, s, v2Token(DefaultTenant), secretForm(clientID, secret, AKSServerAppID+"/.default"))
	if _, err := v.VerifyPoP(key.sign(t, bearer.str("access_token"), arcHost, time.Now()), AKSServerAppID, arcHost); !errors.Is(err, ErrNotBound) {
		t.Errorf("a bearer token in a signed request: %v, want ErrNotBound", err)
	}
	// Another key signing the bound token is refused.
	other, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	thief := key
	thief.private = other
	if _, err := v.VerifyPoP(thief.sign(t, a.str("access_token"), arcHost, time.Now()), AKSServerAppID, arcHost); !errors.Is(err, ErrBadSignature) {
		t.Errorf("a request signed by another key: %v, want ErrBadSignature", err)
	}
}

func TestPoPTokenForAUser(t *testing.T) {
	t.Parallel()
	s := startServer(t, Options{})
	key := newPoPClientKey(t)
	a := post(t, s, v2Token(DefaultTenant), url.Values{
		"grant_type": {"password"}, "client_id": {AzureCLIClientID}, "scope": {AKSServerAppID + "/.default"},
		"username": {DefaultUser}, "password": {DefaultUserPassword}, "token_type": {"pop"}, "req_cnf": {key.reqCnf()},
	})
	if a.status != 200 || a.str("token_type") != "pop" {
		t.Fatalf("status %d token_type %q: %s", a.status, a.str("token_type"), a.raw)
	}
	req, err := s.Verifier().VerifyPoP(key.sign(t, a.str("access_token"), arcHost, time.Now()), AKSServerAppID, arcHost)
	if err != nil || req.Token.UPN != DefaultUser {
		t.Fatalf("VerifyPoP: %+v, %v", req, err)
	}
}

func TestPoPRequestErrors(t *testing.T) {
	t.Parallel()
	s := startServer(t, Options{})
	clientID, secret := s.NewServicePrincipal(DefaultTenant)
	malformed, _ := json.Marshal(map[string]string{"xms_ksl": "sw"})
	for _, tc := range []struct {
		name, path string
		set        url.Values
		aadsts     int
	}{
		{"no req_cnf", v2Token(DefaultTenant), url.Values{"token_type": {"pop"}}, 900144},
		{"req_cnf without kid", v2Token(DefaultTenant), url.Values{"token_type": {"pop"}, "req_cnf": {base64.RawURLEncoding.EncodeToString(malformed)}}, 50146},
		{"req_cnf not base64url", v2Token(DefaultTenant), url.Values{"token_type": {"pop"}, "req_cnf": {"{kid}"}}, 50146},
		{"unknown token type", v2Token(DefaultTenant), url.Values{"token_type": {"mac"}}, 50146},
		{"v1 endpoint", v1Token(DefaultTenant), url.Values{"token_type": {"pop"}, "req_cnf": {newPoPClientKey(t).reqCnf()}}, 50146},
	} {
		form := secretForm(clientID, secret, AKSServerAppID+"/.default")
		if tc.path == v1Token(DefaultTenant) {
			form.Del("scope")
			form.Set("resource", AKSServerAppID)
		}
		for k, v := range tc.set {
			form[k] = v
		}
		a := post(t, s, tc.path, form)
		t.Run(tc.name, func(t *testing.T) { wantEntraError(t, a, 400, "invalid_request", tc.aadsts) })
	}
}
