package core_test

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aadcred/aadcred/core"
	"github.com/aadcred/aadcred/keystore"
	"github.com/aadcred/aadcred/tests/fakeentra"
)

// arcCluster is the u claim of the signed requests: an Azure Arc cluster's ARM ID.
const arcCluster = "/subscriptions/00000000-0000-4000-8000-00000000005b/resourceGroups/rg/providers/Microsoft.Kubernetes/connectedClusters/arc"

// popRequest is a PoP request of an application with a secret for the AKS server application.
func (w *world) popRequest(t *testing.T) (core.Request, string) {
	t.Helper()
	clientID, secret := w.fake.NewServicePrincipal("")
	req := w.request(core.ClientSecret, core.Scope(fakeentra.AKSServerAppID+"/.default"))
	req.Tenant, req.ClientID, req.Credential = fakeentra.DefaultTenant, clientID, core.Credential{ClientSecret: secret}
	req.PoP = &core.PoP{Host: arcCluster}
	return req, clientID
}

// verifyPoP checks tok as an Arc cluster does and returns what its signed request carries.
func (w *world) verifyPoP(tok *core.Token) *fakeentra.SignedRequest {
	w.t.Helper()
	if tok.TokenType != "pop" {
		w.t.Errorf("TokenType = %q, want pop", tok.TokenType)
	}
	signed, err := w.fake.Verifier().VerifyPoP(tok.AccessToken, fakeentra.AKSServerAppID, arcCluster)
	if err != nil {
		w.t.Fatalf("the signed request does not verify: %v", err)
	}
	return signed
}

func TestPoPTokenIsCachedAndSignedAfreshEachTime(t *testing.T) {
	t.Parallel()
	w := newWorld(t, fakeentra.Options{}, nil)
	req, clientID := w.popRequest(t)
	first := w.verifyPoP(acquire(t, w.client(), req))
	if first.Token.AppID != clientID {
		t.Errorf("the token is for %q, want %q", first.Token.AppID, clientID)
	}
	second := w.verifyPoP(acquire(t, w.client(), req))
	if n := grants(w.fake)["client_credentials"]; n != 1 {
		t.Errorf("two calls made %d token requests, want 1 (the bound token is cached)", n)
	}
	if second.KeyID != first.KeyID || second.Nonce == first.Nonce {
		t.Errorf("second request: key %s nonce %s; want the same key, another nonce", second.KeyID, second.Nonce)
	}
	// The key lives sealed in the secrets tier, not beside the tokens.
	secrets, err := w.store().List(keystore.Secrets)
	if err != nil || !slices.Contains(secrets, "kpop") {
		t.Errorf("the secrets tier holds %q (%v), want the PoP key", secrets, err)
	}
	tokens, _ := w.store().List(keystore.AccessTokens)
	for _, name := range tokens {
		if strings.Contains(name, "pop") {
			t.Errorf("the tokens tier holds %s", name)
		}
	}

	// A bearer request for the same target is not served the bound token.
	req.PoP = nil
	bearer := acquire(t, w.client(), req)
	if bearer.TokenType != "Bearer" {
		t.Fatalf("TokenType = %q, want Bearer", bearer.TokenType)
	}
	claims, err := w.fake.Verifier().Verify(bearer.AccessToken, fakeentra.AKSServerAppID)
	if err != nil || claims.Raw["cnf"] != nil {
		t.Errorf("the bearer token: %v, cnf %v", err, claims.Raw["cnf"])
	}
}

func TestPoPKeyIsRotatedAfterEightHours(t *testing.T) {
	t.Parallel()
	clock := fakeentra.NewClock(time.Time{})
	// Tokens outlive the key, so that only the rotation makes a new one.
	w := newWorld(t, fakeentra.Options{AccessTokenLifetime: 24 * time.Hour}, clock)
	req, _ := w.popRequest(t)
	first := w.verifyPoP(acquire(t, w.client(), req))
	clock.Advance(7 * time.Hour)
	if same := w.verifyPoP(acquire(t, w.client(), req)); same.KeyID != first.KeyID {
		t.Error("the key was rotated before eight hours")
	}
	clock.Advance(time.Hour)
	rotated := w.verifyPoP(acquire(t, w.client(), req))
	if rotated.KeyID == first.KeyID {
		t.Fatal("the key was not rotated after eight hours")
	}
	if n := grants(w.fake)["client_credentials"]; n != 2 {
		t.Errorf("%d token requests, want 2: the token bound to the old key is not served with the new one", n)
	}
}

func TestPoPTokenForAPerson(t *testing.T) {
	t.Parallel()
	w := newWorld(t, fakeentra.Options{}, nil)
	w.fake.AutoApproveDeviceCodes(fakeentra.DefaultUser)
	req := w.request(core.DeviceCode, core.Scope(fakeentra.AKSServerAppID+"/.default"))
	req.PoP = &core.PoP{Host: arcCluster}
	if signed := w.verifyPoP(acquire(t, w.client(), req)); signed.Token.UPN != fakeentra.DefaultUser {
		t.Errorf("the token is for %q", signed.Token.UPN)
	}
	// The sign-in is kept: once the cached token is gone, the bound one comes by refresh token.
	if _, err := w.client().DeleteTokens(context.Background(), func(core.CachedToken) bool { return true }); err != nil {
		t.Fatal(err)
	}
	req.Interaction.Allowed = false
	w.fake.ResetCounts()
	w.verifyPoP(acquire(t, w.client(), req))
	if g := grants(w.fake); g["refresh_token"] != 1 {
		t.Errorf("grants %v, want one refresh_token grant", g)
	}
}

func TestPoPWithoutAStoreKeepsTheKeyInMemory(t *testing.T) {
	t.Parallel()
	w := newWorld(t, fakeentra.Options{}, nil)
	req, _ := w.popRequest(t)
	c := w.uncachedClient()
	first := w.verifyPoP(acquire(t, c, req))
	if second := w.verifyPoP(acquire(t, c, req)); second.KeyID != first.KeyID {
		t.Error("one client used two keys")
	}
}

func TestPoPRefusals(t *testing.T) {
	t.Parallel()
	w := newWorld(t, fakeentra.Options{}, nil)
	for _, tc := range []struct {
		name string
		req  core.Request
		want string
	}{
		{"no host", w.request(core.ClientSecret, core.Scope(fakeentra.AKSServerAppID+"/.default")), "needs the host"},
		{"managed identity", w.request(core.ManagedIdentity, core.Resource(fakeentra.AKSServerAppID)), "managedidentity method cannot get a proof-of-possession token"},
		{"azure cli", w.request(core.AzureCLI, core.Resource(fakeentra.AKSServerAppID)), "azurecli method cannot"},
		{"azd", w.request(core.AzureDeveloperCLI, core.Resource(fakeentra.AKSServerAppID)), "azd method cannot"},
	} {
		tc.req.PoP = &core.PoP{Host: arcCluster}
		if tc.name == "no host" {
			tc.req.PoP.Host = " "
		}
		_, err := w.client().Acquire(context.Background(), tc.req)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want an error containing %q", tc.name, err, tc.want)
		}
	}
	if n := w.fake.TokenRequests(); n != 0 {
		t.Errorf("refused requests made %d token requests", n)
	}
}

// bearerOnly is a proxy that drops a token request's token_type, as a service that does not
// know PoP would ignore it.
type bearerOnly struct{ base http.RoundTripper }

func (b bearerOnly) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Body != nil && strings.HasSuffix(r.URL.Path, "/token") {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			return nil, err
		}
		form, _ := url.ParseQuery(string(body))
		form.Del("token_type")
		form.Del("req_cnf")
		encoded := form.Encode()
		r = r.Clone(r.Context())
		r.Body, r.ContentLength = io.NopCloser(strings.NewReader(encoded)), int64(len(encoded))
	}
	return b.base.RoundTrip(r)
}

func TestPoPRefusesABearerAnswer(t *testing.T) {
	t.Parallel()
	w := newWorld(t, fakeentra.Options{}, nil)
	req, _ := w.popRequest(t)
	c := w.client()
	c.HTTPClient = &http.Client{Transport: bearerOnly{base: w.fake.HTTPClient().Transport}}
	_, err := c.Acquire(context.Background(), req)
	if err == nil || !strings.Contains(err.Error(), `got a "Bearer" token instead`) {
		t.Fatalf("a bearer answer to a PoP request: %v", err)
	}
	if names, _ := w.store().List(keystore.AccessTokens); len(names) != 0 {
		t.Errorf("the bearer answer was cached: %q", names)
	}
}
