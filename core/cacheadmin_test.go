package core_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/aadcred/aadcred/core"
	"github.com/aadcred/aadcred/keystore"
	"github.com/aadcred/aadcred/tests/fakeentra"
)

func TestCacheAdminWithoutStore(t *testing.T) {
	t.Parallel()
	c := &core.Client{}
	ctx := context.Background()
	_, errTokens := c.CachedTokens(ctx)
	_, errAccounts := c.Accounts(ctx)
	_, errDelete := c.DeleteTokens(ctx, func(core.CachedToken) bool { return true })
	_, errSignOut := c.SignOut(ctx, func(core.Account) bool { return true })
	for _, err := range []error{errTokens, errAccounts, errDelete, errSignOut} {
		if !errors.Is(err, core.ErrNoStore) {
			t.Errorf("got %v, want core.ErrNoStore", err)
		}
	}
}

func TestCacheAdmin(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	w := newWorld(t, fakeentra.Options{}, nil)
	const fabrikam, bob, bobsPassword = "fab0de00-0000-4000-8000-0000000000fb", "bob@fabrikam.example", "bobs-password"
	if err := w.fake.AddTenant(fabrikam, "fabrikam.example"); err != nil {
		t.Fatal(err)
	}
	if err := w.fake.AddUser(fakeentra.User{UPN: bob, Password: bobsPassword, Tenant: fabrikam}); err != nil {
		t.Fatal(err)
	}
	app := w.secretApp(core.AzureDevOpsResource)
	acquire(t, w.client(), app)
	w.signInAlice(w.client())
	w.signIn(w.client(), "fabrikam.example", bob, bobsPassword)
	w.fake.SetAccessTokenLifetime(30 * time.Minute)
	acquire(t, w.client(), w.silent(fakeentra.DefaultTenant, armResource))

	client := w.client()
	tokens, err := client.CachedTokens(ctx)
	if err != nil {
		t.Fatal(err)
	}
	type summary struct{ kind, tenant, target, upn, tenantID string }
	var got []summary
	for _, tok := range tokens {
		got = append(got, summary{tok.Kind, tok.Tenant, tok.Target, tok.UPN, tok.TenantID})
		if tok.Authority != w.fake.URL() || tok.Version != "v2" || tok.ID == "" || tok.ExpiresOn.IsZero() {
			t.Errorf("cached token %+v lacks its authority, version, ID or expiry", tok)
		}
	}
	// Soonest to expire first. Bob's sign-in made Alice's token for "the signed-in account" of
	// the client someone else's, so it was dropped.
	want := []summary{
		{"user", fakeentra.DefaultTenant, armResource + "/.default", fakeentra.DefaultUser, fakeentra.DefaultTenant},
		{"clientsecret", fakeentra.DefaultTenant, core.AzureDevOpsResource + "/.default", "", fakeentra.DefaultTenant},
		{"user", "fabrikam.example", core.AzureDevOpsResource + "/.default", bob, fabrikam},
	}
	if !slices.Equal(got, want) {
		t.Errorf("cached tokens\n%+v\nwant\n%+v", got, want)
	}

	accounts, err := client.Accounts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(accounts) != 2 || accounts[0].UPN != bob || accounts[1].UPN != fakeentra.DefaultUser ||
		accounts[1].ObjectID != fakeentra.DefaultUserObjectID || accounts[1].ClientID != core.AzureCLIClientID ||
		accounts[1].Authority != w.fake.URL() || accounts[0].SignedIn.Before(accounts[1].SignedIn) {
		t.Errorf("accounts = %+v, want bob's then alice's", accounts)
	}

	// Deleting tokens keeps the sign-ins: the next request refreshes without a person.
	n, err := client.DeleteTokens(ctx, func(tok core.CachedToken) bool { return tok.Kind != "user" || tok.UPN == fakeentra.DefaultUser })
	if err != nil || n != 2 {
		t.Fatalf("DeleteTokens removed %d (%v), want 2", n, err)
	}
	w.fake.ResetCounts()
	acquire(t, client, app)
	w.checkToken(acquire(t, client, w.silent(fakeentra.DefaultTenant, armResource)), armResource, alice)
	if got := grants(w.fake); got["client_credentials"] != 1 || got["refresh_token"] != 1 {
		t.Errorf("after deleting tokens the fake issued %v, want one of each", got)
	}

	// Signing out forgets the account, its refresh token and its tokens; others are untouched.
	n, err = client.SignOut(ctx, func(a core.Account) bool { return a.UPN == fakeentra.DefaultUser })
	if err != nil || n != 1 {
		t.Fatalf("SignOut removed %d (%v), want 1", n, err)
	}
	if accounts, _ := client.Accounts(ctx); len(accounts) != 1 || accounts[0].UPN != bob {
		t.Errorf("after signing alice out, accounts = %+v", accounts)
	}
	tokens, _ = client.CachedTokens(ctx)
	for _, tok := range tokens {
		if tok.UPN == fakeentra.DefaultUser {
			t.Errorf("alice's token %+v outlived her sign-out", tok)
		}
	}
	secrets, err := w.store().List(keystore.Secrets)
	if err != nil || len(secrets) != 1 {
		t.Errorf("kept secrets after the sign-out: %q (%v), want bob's alone", secrets, err)
	}
	_, err = client.Acquire(ctx, w.silent(fakeentra.DefaultTenant, armResource))
	if !errors.Is(err, core.ErrInteractionRequired) {
		t.Errorf("after signing out, got %v, want core.ErrInteractionRequired", err)
	}
	w.checkToken(acquire(t, client, w.silent(fabrikam, core.AzureDevOpsResource)), core.AzureDevOpsResource, labels{upn: bob})
}
