package core_test

import (
	"context"
	"strings"
	"testing"

	"github.com/aadcred/aadcred/core"
	"github.com/aadcred/aadcred/core/entra"
	"github.com/aadcred/aadcred/tests/fakeentra"
)

// alice is the fake's default user as token labels name her.
var alice = labels{tenantID: fakeentra.DefaultTenant, objectID: fakeentra.DefaultUserObjectID, upn: fakeentra.DefaultUser}

// passwordRequest signs alice in with her password through the Azure CLI's client.
func (w *world) passwordRequest(target core.Target, v entra.Version) core.Request {
	req := w.request(core.Password, target)
	req.Version = v
	req.Credential = core.Credential{Username: fakeentra.DefaultUser, Password: fakeentra.DefaultUserPassword}
	return req
}

func TestPassword(t *testing.T) {
	t.Parallel()
	versions(t, func(t *testing.T, v entra.Version) {
		w := newWorld(t, fakeentra.Options{}, nil)
		req := w.passwordRequest(core.Resource(core.AKSServerID), v)
		req.NoCache = true
		tok := acquire(t, w.uncachedClient(), req)
		claims := w.checkToken(tok, core.AKSServerID, alice)
		if claims.AppID != core.AzureCLIClientID {
			t.Errorf("token issued to %s, want the Azure CLI's client by default", claims.AppID)
		}
		if tok.RefreshToken == "" || tok.IDToken == "" {
			t.Error("a user sign-in came back without a refresh token or ID token")
		}
		if v == entra.V2 && tok.HomeAccountID != fakeentra.DefaultUserObjectID+"."+fakeentra.DefaultTenant {
			t.Errorf("HomeAccountID = %q, want uid.utid", tok.HomeAccountID)
		}

		req.Credential.Password = "not-" + fakeentra.DefaultUserPassword
		_, err := w.uncachedClient().Acquire(context.Background(), req)
		wantError(t, err, "50126")
		noSecrets(t, err, fakeentra.DefaultUserPassword, req.Credential.Password)
	})
}

func TestPasswordMFAUser(t *testing.T) {
	t.Parallel()
	w := newWorld(t, fakeentra.Options{}, nil)
	const upn, password = "bob@contoso.onmicrosoft.com", "bobs-password-42"
	if err := w.fake.AddUser(fakeentra.User{UPN: upn, Password: password, RequireMFA: true}); err != nil {
		t.Fatal(err)
	}
	req := w.request(core.Password, core.Resource(core.AzureDevOpsResource))
	req.Credential = core.Credential{Username: upn, Password: password}
	_, err := w.client().Acquire(context.Background(), req)
	wantError(t, err, "interaction_required", "50076")
	noSecrets(t, err, password)
	e, ok := asEntraError(err)
	if !ok || !e.InteractionRequired() || e.Claims == "" {
		t.Errorf("want an *entra.Error that asks for interaction and carries the claims challenge; got %#v", err)
	}
	if !strings.Contains(e.Hint(), "Multi-factor") {
		t.Errorf("hint %q does not say MFA is the reason", e.Hint())
	}
}

func TestOnBehalfOf(t *testing.T) {
	t.Parallel()
	versions(t, func(t *testing.T, v entra.Version) {
		w := newWorld(t, fakeentra.Options{}, nil)
		apiID, apiSecret := w.fake.NewServicePrincipal("")

		// Alice signs in to a client app that calls the API: her token is addressed to the API.
		incoming := w.passwordRequest(core.Scope("api://"+apiID+"/.default"), entra.V2)
		incoming.NoCache = true
		assertion := acquire(t, w.uncachedClient(), incoming)
		if _, err := w.fake.Verifier().Verify(assertion.AccessToken, "api://"+apiID); err != nil {
			t.Fatalf("the incoming token is not for the API: %v", err)
		}

		// The API exchanges it for a token to Azure DevOps on Alice's behalf.
		req := w.appRequest(core.OnBehalfOf, apiID, core.Resource(core.AzureDevOpsResource), v,
			core.Credential{ClientSecret: apiSecret, UserAssertion: assertion.AccessToken})
		tok := acquire(t, w.uncachedClient(), req)
		claims := w.checkToken(tok, core.AzureDevOpsResource, alice)
		if claims.AppID != apiID {
			t.Errorf("the downstream token was issued to %s, want the API %s", claims.AppID, apiID)
		}

		// A token for someone else cannot be exchanged.
		req.Credential.UserAssertion = tok.AccessToken
		_, err := w.uncachedClient().Acquire(context.Background(), req)
		wantError(t, err, "invalid_grant")
		noSecrets(t, err, apiSecret, tok.AccessToken)
	})
}

func TestRefreshTokenMethod(t *testing.T) {
	t.Parallel()
	versions(t, func(t *testing.T, v entra.Version) {
		w := newWorld(t, fakeentra.Options{}, nil)
		first := w.passwordRequest(core.Resource(core.AzureDevOpsResource), v)
		first.NoCache = true
		signedIn := acquire(t, w.uncachedClient(), first)

		// The refresh token issued with a token for Azure DevOps is redeemed for ARM.
		req := w.request(core.RefreshToken, core.Resource("https://management.core.windows.net/"))
		req.Version = v
		req.Tenant = fakeentra.DefaultTenant
		req.Credential.RefreshToken = signedIn.RefreshToken
		tok := acquire(t, w.client(), req)
		w.checkToken(tok, "https://management.core.windows.net/", alice)
		if tok.RefreshToken == "" {
			t.Error("the answer has no refresh token to keep")
		}
		if got := grants(w.fake)["refresh_token"]; got != 1 {
			t.Errorf("%d refresh-token redemptions, want 1", got)
		}

		req.Credential.RefreshToken = "1.not-a-refresh-token"
		_, err := w.client().Acquire(context.Background(), req)
		wantError(t, err, "invalid_grant")
		noSecrets(t, err, req.Credential.RefreshToken)
	})
}

// TestOnBehalfOfCachedPerUser caches on-behalf-of tokens by the incoming assertion: one user's
// downstream token is never handed out for another user's request.
func TestOnBehalfOfCachedPerUser(t *testing.T) {
	t.Parallel()
	w := newWorld(t, fakeentra.Options{}, nil)
	const bob, bobsPassword = "bob@contoso.onmicrosoft.com", "bobs-password"
	if err := w.fake.AddUser(fakeentra.User{UPN: bob, Password: bobsPassword}); err != nil {
		t.Fatal(err)
	}
	apiID, apiSecret := w.fake.NewServicePrincipal("")
	assertions := map[string]string{}
	for upn, password := range map[string]string{fakeentra.DefaultUser: fakeentra.DefaultUserPassword, bob: bobsPassword} {
		incoming := w.passwordRequest(core.Scope("api://"+apiID+"/.default"), entra.V2)
		incoming.Credential = core.Credential{Username: upn, Password: password}
		incoming.NoCache = true
		assertions[upn] = acquire(t, w.uncachedClient(), incoming).AccessToken
	}
	for range 2 {
		for _, upn := range []string{fakeentra.DefaultUser, bob} {
			req := w.appRequest(core.OnBehalfOf, apiID, core.Resource(core.AzureDevOpsResource), entra.V2,
				core.Credential{ClientSecret: apiSecret, UserAssertion: assertions[upn]})
			req.NoCache = false
			w.checkToken(acquire(t, w.client(), req), core.AzureDevOpsResource, labels{upn: upn})
		}
	}
	if got := grants(w.fake)["urn:ietf:params:oauth:grant-type:jwt-bearer"]; got != 2 {
		t.Errorf("%d exchanges, want one per user", got)
	}
}
