package core_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/aadcred/aadcred/core"
	"github.com/aadcred/aadcred/tests/fakeentra"
)

// TestInteractionRequiredKeepsTheSignIn: a resource whose Conditional Access policy asks for a
// fresh sign-in (interaction_required with a claims challenge) must not cost the kept sign-in its
// refresh token: other resources stay silent, and the sign-in that answers the challenge carries
// its claims.
func TestInteractionRequiredKeepsTheSignIn(t *testing.T) {
	t.Parallel()
	w := newWorld(t, fakeentra.Options{}, nil)
	w.signInAlice(w.client())
	const challenge = `{"access_token":{"capolids":{"essential":true,"values":["p1"]}}}`
	if err := w.fake.InjectFault(fakeentra.Fault{
		Endpoint: fakeentra.EndpointToken, GrantType: "refresh_token", Times: 1,
		EntraError: &fakeentra.EntraError{Error: "interaction_required", Code: 50076,
			Description: "Due to a configuration change made by your administrator, you must use multi-factor authentication.", Claims: challenge},
	}); err != nil {
		t.Fatal(err)
	}
	_, err := w.client().Acquire(context.Background(), w.silent("", armResource))
	if !errors.Is(err, core.ErrInteractionRequired) {
		t.Fatalf("got %v, want core.ErrInteractionRequired", err)
	}
	wantError(t, err, "AADSTS50076", "`aadcred login`")

	// The refresh token survived: another resource is served without a person.
	w.checkToken(acquire(t, w.client(), w.silent("", core.AKSServerID)), core.AKSServerID, alice)

	// With a person, the sign-in that follows a challenge sends it.
	if err := w.fake.InjectFault(fakeentra.Fault{
		Endpoint: fakeentra.EndpointToken, GrantType: "refresh_token", Times: 1,
		EntraError: &fakeentra.EntraError{Error: "interaction_required", Code: 50076, Description: "MFA", Claims: challenge},
	}); err != nil {
		t.Fatal(err)
	}
	browser := newBrowserDriver(t, w.fake, fakeentra.DefaultUser, fakeentra.DefaultUserPassword)
	w.checkToken(acquire(t, w.client(), w.browserRequest(core.Resource(armResource), browser.open)), armResource, alice)
	urls := browser.urls()
	if len(urls) != 1 || queryOf(t, urls[0]).Get("claims") != challenge {
		t.Errorf("the sign-in did not carry the claims challenge: %v", urls)
	}
}

// TestGuestTenantFromHomeSignIn: an account signed in at home serves a tenant it is a guest in
// (an Azure DevOps organisation of a partner), and a tenant it is not in leaves its sign-in
// intact and asks for one.
func TestGuestTenantFromHomeSignIn(t *testing.T) {
	t.Parallel()
	w := newWorld(t, fakeentra.Options{}, nil)
	const partner, stranger = "22222222-0000-4000-8000-000000000002", "33333333-0000-4000-8000-000000000003"
	for _, id := range []string{partner, stranger} {
		if err := w.fake.AddTenant(id); err != nil {
			t.Fatal(err)
		}
	}
	const bob = "bob@contoso.onmicrosoft.com"
	if err := w.fake.AddUser(fakeentra.User{UPN: bob, Password: "pw", GuestOf: []string{partner}}); err != nil {
		t.Fatal(err)
	}
	req := w.request(core.Password, core.Resource(armResource))
	req.Credential.Username, req.Credential.Password = bob, "pw"
	if _, err := w.client().SignIn(context.Background(), req); err != nil {
		t.Fatal(err)
	}

	tok := acquire(t, w.client(), w.silent(partner, core.AzureDevOpsResource))
	if tok.TenantID != partner || tok.UPN != bob {
		t.Errorf("guest token: tenant %s user %s", tok.TenantID, tok.UPN)
	}
	_, err := w.client().Acquire(context.Background(), w.silent(stranger, core.AzureDevOpsResource))
	if !errors.Is(err, core.ErrInteractionRequired) {
		t.Fatalf("a tenant the user is not in: %v, want core.ErrInteractionRequired", err)
	}
	// The home sign-in is untouched by the refusal.
	home := acquire(t, w.client(), w.silent("", core.AKSServerID))
	if home.UPN != bob || !strings.EqualFold(home.TenantID, fakeentra.DefaultTenant) {
		t.Errorf("home token after the refusal: user %s tenant %s, want %s in the home tenant", home.UPN, home.TenantID, bob)
	}
}
