package clientcert

import (
	"crypto"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

const (
	testClientID = "11111111-2222-3333-4444-555555555555"
	testAudience = "https://login.microsoftonline.com/66666666-7777-8888-9999-000000000000/oauth2/v2.0/token"
)

var uuidV4 = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

// verifyAssertion checks the signature with pub and the registered claims the
// way a token endpoint would at the moment at.
func verifyAssertion(t *testing.T, assertion string, pub crypto.PublicKey, alg string, at time.Time) (*jwt.Token, error) {
	t.Helper()
	return jwt.Parse(assertion,
		func(*jwt.Token) (any, error) { return pub, nil },
		jwt.WithValidMethods([]string{alg}),
		jwt.WithTimeFunc(func() time.Time { return at }),
		jwt.WithAudience(testAudience),
		jwt.WithIssuer(testClientID),
		jwt.WithSubject(testClientID),
		jwt.WithIssuedAt(),
		jwt.WithExpirationRequired(),
	)
}

func TestAssertion(t *testing.T) {
	now := time.Date(2030, 6, 1, 12, 0, 0, 0, time.UTC)
	cases := []struct {
		alg string
		key crypto.Signer
	}{
		{"PS256", newRSAKey(t)},
		{"ES256", newECKey(t, elliptic.P256())},
	}
	for _, tc := range cases {
		t.Run(tc.alg, func(t *testing.T) {
			pki := newPKI(t, tc.key)
			cred := &Credential{Signer: tc.key, Leaf: pki.leaf, Chain: []*x509.Certificate{pki.inter, pki.root}}
			assertion, err := cred.Assertion(testClientID, testAudience, now, false)
			if err != nil {
				t.Fatalf("Assertion: %v", err)
			}

			token, err := verifyAssertion(t, assertion, tc.key.Public(), tc.alg, now.Add(time.Minute))
			if err != nil {
				t.Fatalf("verifying assertion: %v", err)
			}
			sha1Sum := sha1.Sum(pki.leaf.Raw)
			sha256Sum := sha256.Sum256(pki.leaf.Raw)
			wantHeader := map[string]any{
				"alg":      tc.alg,
				"typ":      "JWT",
				"x5t":      base64.RawURLEncoding.EncodeToString(sha1Sum[:]),
				"x5t#S256": base64.RawURLEncoding.EncodeToString(sha256Sum[:]),
			}
			for name, want := range wantHeader {
				if got := token.Header[name]; got != want {
					t.Errorf("header %s = %v, want %v", name, got, want)
				}
			}
			if x5c, ok := token.Header["x5c"]; ok {
				t.Errorf("header has x5c %v though the chain was not asked for", x5c)
			}

			claims := token.Claims.(jwt.MapClaims)
			// A plain string, not a one-element array.
			if aud, ok := claims["aud"].(string); !ok || aud != testAudience {
				t.Errorf("aud = %#v, want the string %q", claims["aud"], testAudience)
			}
			if jti, _ := claims["jti"].(string); !uuidV4.MatchString(jti) {
				t.Errorf("jti = %q, want a random UUID", jti)
			}
			nbf, _ := claims.GetNotBefore()
			iat, _ := claims.GetIssuedAt()
			exp, _ := claims.GetExpirationTime()
			if nbf == nil || iat == nil || exp == nil {
				t.Fatalf("nbf, iat, exp = %v, %v, %v; want all three", nbf, iat, exp)
			}
			if !nbf.Equal(now) || !iat.Equal(now) {
				t.Errorf("nbf, iat = %v, %v; want both %v", nbf, iat, now)
			}
			if got := exp.Sub(nbf.Time); got != 10*time.Minute {
				t.Errorf("exp - nbf = %v, want 10m", got)
			}

			// A token endpoint would reject it eleven minutes later.
			if _, err := verifyAssertion(t, assertion, tc.key.Public(), tc.alg, now.Add(11*time.Minute)); err == nil {
				t.Error("assertion still valid after 11 minutes")
			}
		})
	}
}

func TestAssertionSignatureBindsKey(t *testing.T) {
	key := newECKey(t, elliptic.P256())
	cred := &Credential{Signer: key, Leaf: selfSigned(t, key)}
	now := time.Date(2030, 6, 1, 12, 0, 0, 0, time.UTC)
	assertion, err := cred.Assertion(testClientID, testAudience, now, false)
	if err != nil {
		t.Fatalf("Assertion: %v", err)
	}
	other := newECKey(t, elliptic.P256())
	if _, err := verifyAssertion(t, assertion, other.Public(), "ES256", now); err == nil {
		t.Error("assertion verified with a different public key")
	}
}

func TestAssertionSendsChain(t *testing.T) {
	pki := newPKI(t, newRSAKey(t))
	data := concat(certPEM(pki.root), certPEM(pki.inter), pkcs1.encode(t, pki.leafKey), certPEM(pki.leaf))
	cred, err := Parse(data, "")
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	now := time.Date(2030, 6, 1, 12, 0, 0, 0, time.UTC)
	assertion, err := cred.Assertion(testClientID, testAudience, now, true)
	if err != nil {
		t.Fatalf("Assertion: %v", err)
	}
	token, err := verifyAssertion(t, assertion, pki.leafKey.Public(), "PS256", now)
	if err != nil {
		t.Fatalf("verifying assertion: %v", err)
	}
	x5c, ok := token.Header["x5c"].([]any)
	if !ok {
		t.Fatalf("x5c = %#v, want a list of certificates", token.Header["x5c"])
	}
	want := []*x509.Certificate{pki.leaf, pki.root, pki.inter}
	if len(x5c) != len(want) {
		t.Fatalf("x5c has %d entries, want %d (leaf, then the chain)", len(x5c), len(want))
	}
	for i, entry := range x5c {
		s, _ := entry.(string)
		der, err := base64.StdEncoding.DecodeString(s)
		if err != nil {
			t.Fatalf("x5c[%d] is not standard base64: %v", i, err)
		}
		if string(der) != string(want[i].Raw) {
			t.Errorf("x5c[%d] is not %q", i, want[i].Subject.CommonName)
		}
	}
}

func TestAssertionJTIIsFresh(t *testing.T) {
	key := newECKey(t, elliptic.P256())
	cred := &Credential{Signer: key, Leaf: selfSigned(t, key)}
	now := time.Date(2030, 6, 1, 12, 0, 0, 0, time.UTC)
	seen := make(map[string]bool)
	for range 50 {
		assertion, err := cred.Assertion(testClientID, testAudience, now, false)
		if err != nil {
			t.Fatalf("Assertion: %v", err)
		}
		token, err := verifyAssertion(t, assertion, key.Public(), "ES256", now)
		if err != nil {
			t.Fatalf("verifying assertion: %v", err)
		}
		jti, _ := token.Claims.(jwt.MapClaims)["jti"].(string)
		if seen[jti] {
			t.Fatalf("jti %q repeated", jti)
		}
		seen[jti] = true
	}
}

func TestAssertionRejectsBadInput(t *testing.T) {
	key := newECKey(t, elliptic.P256())
	cert := selfSigned(t, key)
	_, edKey, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	p384 := newECKey(t, elliptic.P384())
	now := time.Date(2030, 6, 1, 12, 0, 0, 0, time.UTC)

	cases := []struct {
		name               string
		cred               *Credential
		clientID, audience string
		want               string
	}{
		{"nil credential", nil, testClientID, testAudience, "no key or certificate"},
		{"no leaf", &Credential{Signer: key}, testClientID, testAudience, "no key or certificate"},
		{"no key", &Credential{Leaf: cert}, testClientID, testAudience, "no key or certificate"},
		{"empty client ID", &Credential{Signer: key, Leaf: cert}, "", testAudience, "client ID is empty"},
		{"empty audience", &Credential{Signer: key, Leaf: cert}, testClientID, "", "audience is empty"},
		{"Ed25519 key", &Credential{Signer: edKey, Leaf: cert}, testClientID, testAudience, "unsupported private key type"},
		{"P-384 key", &Credential{Signer: p384, Leaf: cert}, testClientID, testAudience, "curve P-384"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := tc.cred.Assertion(tc.clientID, tc.audience, now, false)
			if err == nil {
				t.Fatalf("Assertion succeeded with %q", got)
			}
			if got != "" || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Assertion = %q, %q; want no assertion and an error saying %q", got, err, tc.want)
			}
		})
	}
}
