package core_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aadcred/aadcred/core"
	"github.com/aadcred/aadcred/core/entra"
	"github.com/aadcred/aadcred/tests/fakeentra"
)

// The user's side of the cache: --no-cache, one entry per user whichever method signed in, the
// ID token kept with its access token, and a tenant known by its GUID or its domain.

// TestNoCache skips the access-token cache only: an application gets a new token every time,
// and a user's kept sign-in still answers, without asking anyone and without a cached token
// being read or written.
func TestNoCache(t *testing.T) {
	t.Parallel()
	w := newWorld(t, fakeentra.Options{}, nil)
	w.signInAlice(w.client())
	for _, req := range []core.Request{w.secretApp(armResource), w.silent("", armResource)} {
		cached := acquire(t, w.client(), req) // cached now
		entries := tokenEntries(t, w)
		w.fake.ResetCounts()
		req.NoCache = true
		for range 2 {
			if tok := acquire(t, w.client(), req); tok.AccessToken == cached.AccessToken {
				t.Errorf("%s: NoCache served the cached token", req.Method)
			}
		}
		grant := "client_credentials"
		if req.Method == "" {
			grant = "refresh_token" // the kept sign-in, never a new one
		}
		if got := grants(w.fake); len(got) != 1 || got[grant] != 2 {
			t.Errorf("%s: grants %v, want two %s grants", req.Method, got, grant)
		}
		if after := tokenEntries(t, w); !slices.Equal(after, entries) {
			t.Errorf("%s: NoCache changed the cached tokens: %v, then %v", req.Method, entries, after)
		}
	}
}

// tokenEntries lists the cached access tokens, with when each was written.
func tokenEntries(t *testing.T, w *world) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(w.dir, "tokens", "t*"))
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, f := range files {
		info, err := os.Stat(f)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, filepath.Base(f)+"@"+info.ModTime().String())
	}
	return out
}

// TestOneEntryPerUserWhicheverMethod: a token got with the password method (which names the
// user) and one asked for with nobody named, for the same user, client and target, are one
// cache entry; the second request is answered from it.
func TestOneEntryPerUserWhicheverMethod(t *testing.T) {
	t.Parallel()
	w := newWorld(t, fakeentra.Options{}, nil)
	byPassword := w.passwordRequest(core.Resource(armResource), entra.V2)
	first := acquire(t, w.client(), byPassword)
	w.fake.ResetCounts()
	for _, req := range []core.Request{w.silent("", armResource), byPassword} {
		if tok := acquire(t, w.client(), req); tok.AccessToken != first.AccessToken {
			t.Errorf("%q: not answered from the cache", req.Method)
		}
	}
	if n := w.fake.TokenRequests(); n != 0 {
		t.Errorf("%d token requests, want none: the token is cached", n)
	}
	if entries := tokenEntries(t, w); len(entries) != 1 {
		t.Errorf("%d cache entries for one user, client and target: %v", len(entries), entries)
	}

	// Someone else named is not served alice's token.
	other := w.silent("", armResource)
	other.Account = "bob@contoso.example"
	if _, err := w.client().Acquire(context.Background(), other); !errors.Is(err, core.ErrInteractionRequired) {
		t.Errorf("a request for bob: %v, want a sign-in to be required", err)
	}
}

// TestIDToken serves the ID token of a user's sign-in from the cache, and renews a cached token
// whose ID token has expired.
func TestIDToken(t *testing.T) {
	t.Parallel()
	versions(t, func(t *testing.T, v entra.Version) {
		clock := fakeentra.NewClock(time.Time{})
		w := newWorld(t, fakeentra.Options{}, clock)
		req := w.passwordRequest(core.Resource(armResource), v)
		req.IDToken = true
		tok := acquire(t, w.client(), req)
		claims, err := entra.DecodeClaims(tok.IDToken)
		if err != nil || !strings.EqualFold(claims.UPN, fakeentra.DefaultUser) {
			t.Fatalf("ID token claims %+v, %v", claims, err)
		}
		w.fake.ResetCounts()
		if again := acquire(t, w.client(), req); again.IDToken != tok.IDToken || w.fake.TokenRequests() != 0 {
			t.Errorf("the ID token was not served from the cache (%d requests)", w.fake.TokenRequests())
		}
		clock.Advance(claims.Expiry.Sub(clock.Now()) - time.Minute) // the ID token is about to expire
		if renewed := acquire(t, w.client(), req); renewed.IDToken == tok.IDToken || renewed.IDToken == "" {
			t.Error("an expiring ID token was served")
		}
	})
	w := newWorld(t, fakeentra.Options{}, nil)
	app := w.secretApp(armResource)
	app.IDToken = true
	_, err := w.client().Acquire(context.Background(), app)
	wantError(t, err, "ID token", "clientsecret")
}

// TestTenantByIDOrDomain: a sign-in made with the tenant's GUID serves requests that name the
// tenant by its domain, and the other way round, with no new sign-in; the account stays one.
func TestTenantByIDOrDomain(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ signedIn, asked string }{
		{fakeentra.DefaultTenant, fakeentra.DefaultTenantDomain},
		{fakeentra.DefaultTenantDomain, fakeentra.DefaultTenant},
	} {
		w := newWorld(t, fakeentra.Options{}, nil)
		w.signIn(w.client(), c.signedIn, fakeentra.DefaultUser, fakeentra.DefaultUserPassword)
		for _, tenant := range []string{c.asked, c.asked, "organizations", c.signedIn} {
			tok, err := w.client().Acquire(context.Background(), w.silent(tenant, armResource))
			if err != nil {
				t.Fatalf("signed in with %s, asked for %s: %v", c.signedIn, tenant, err)
			}
			w.checkToken(tok, armResource, alice)
		}
		accounts, err := w.client().Accounts(context.Background())
		if err != nil || len(accounts) != 1 {
			t.Errorf("signed in with %s: accounts %+v (%v), want alice's one", c.signedIn, accounts, err)
		}
		if got := grants(w.fake)["authorization_code"]; got != 1 {
			t.Errorf("signed in with %s: %d sign-ins, want only the first", c.signedIn, got)
		}
	}
}
