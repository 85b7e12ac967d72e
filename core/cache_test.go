package core_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aadcred/aadcred/core"
	"github.com/aadcred/aadcred/core/entra"
	"github.com/aadcred/aadcred/keystore"
	"github.com/aadcred/aadcred/tests/fakeentra"
)

// armResource is Azure Resource Manager's v1 resource.
const armResource = "https://management.core.windows.net/"

// toolResources are what git, docker and kubectl need tokens for (Azure DevOps, ACR, AKS), and ARM.
var toolResources = []string{core.AzureDevOpsResource, core.ContainerRegistryResource, core.AKSServerID, armResource}

// signIn runs the login command's sign-in in tenant: upn signs in in the browser with password.
// (The browser driver answers at once, where a device code costs a polling interval.)
func (w *world) signIn(client *core.Client, tenant, upn, password string) *core.Token {
	w.t.Helper()
	browser := newBrowserDriver(w.t, w.fake, upn, password)
	req := w.browserRequest(core.Resource(core.AzureDevOpsResource), browser.open)
	req.Tenant = tenant
	tok, err := client.SignIn(context.Background(), req)
	if err != nil {
		w.t.Fatalf("signing in %s: %v", upn, err)
	}
	return tok
}

// signInAlice signs the fake's default user in, in the default tenant alias.
func (w *world) signInAlice(client *core.Client) *core.Token {
	w.t.Helper()
	return w.signIn(client, "", fakeentra.DefaultUser, fakeentra.DefaultUserPassword)
}

// silent is a user request for resource in tenant where nobody can be asked to sign in.
func (w *world) silent(tenant, resource string) core.Request {
	req := w.request("", core.Resource(resource))
	req.Tenant = tenant
	req.Interaction = core.Interaction{Allowed: false, SignInCommand: "aadcred login"}
	return req
}

// secretApp registers a service principal and returns a cached request for resource with it.
func (w *world) secretApp(resource string) core.Request {
	clientID, secret := w.fake.NewServicePrincipal("")
	req := w.appRequest(core.ClientSecret, clientID, core.Resource(resource), entra.V2, core.Credential{ClientSecret: secret})
	req.NoCache = false
	return req
}

func TestCacheAnswersSecondAcquire(t *testing.T) {
	t.Parallel()
	w := newWorld(t, fakeentra.Options{}, nil)
	req := w.secretApp(core.AzureDevOpsResource)
	first := acquire(t, w.client(), req)
	// Another process, and the same request spelled another way.
	req.Target = core.Scope(core.AzureDevOpsResource + "/.default")
	second := acquire(t, w.client(), req)
	if second.AccessToken != first.AccessToken || !second.ExpiresOn.Equal(first.ExpiresOn) {
		t.Error("the second call did not get the cached token")
	}
	w.checkToken(second, core.AzureDevOpsResource, labels{tenantID: first.TenantID, objectID: first.ObjectID})
	if n := w.fake.TokenRequests(); n != 1 {
		t.Errorf("%d token requests, want 1", n)
	}

	// Anything that changes the token misses: another resource, another endpoint version.
	req.Target = core.Resource(core.ContainerRegistryResource)
	acquire(t, w.client(), req)
	req.Version = entra.V1
	acquire(t, w.client(), req)
	if n := w.fake.TokenRequests(); n != 3 {
		t.Errorf("%d token requests, want 3", n)
	}
}

// TestCacheHotPath proves that a cached user token is answered from one file: no keyring (the
// secrets tier), no lock, no listing, no write, no network.
func TestCacheHotPath(t *testing.T) {
	t.Parallel()
	w := newWorld(t, fakeentra.Options{}, nil)
	w.signInAlice(w.client())
	client := w.client()
	acquire(t, client, w.silent("", armResource)) // cached now
	w.fake.ResetCounts()
	store := newCountingStore(client.Store)
	client.Store = store
	for _, resource := range []string{core.AzureDevOpsResource, armResource} {
		acquire(t, client, w.silent("", resource))
	}
	if store.reads[keystore.Secrets] != 0 || store.locks != 0 || store.lists != 0 || len(store.writes) != 0 {
		t.Errorf("the hot path did secrets reads %d, locks %d, lists %d, writes %v", store.reads[keystore.Secrets], store.locks, store.lists, store.writes)
	}
	if store.reads[keystore.AccessTokens] != 2 {
		t.Errorf("the hot path read %d access-token entries for 2 calls", store.reads[keystore.AccessTokens])
	}
	if n := len(w.fake.Requests()); n != 0 {
		t.Errorf("the hot path sent %d requests", n)
	}
}

// TestOneSignInServesEveryTool signs in once and then gets tokens for Azure DevOps, ACR, AKS and
// ARM, in other processes, with nobody to ask.
func TestOneSignInServesEveryTool(t *testing.T) {
	t.Parallel()
	versions(t, func(t *testing.T, v entra.Version) {
		w := newWorld(t, fakeentra.Options{}, nil)
		w.approveAs(fakeentra.DefaultUser)
		login := w.deviceCodeRequest(core.Resource(core.AzureDevOpsResource), io.Discard)
		if _, err := w.client().SignIn(context.Background(), login); err != nil {
			t.Fatal(err)
		}
		for _, resource := range toolResources {
			req := w.silent("", resource)
			req.Version = v
			w.checkToken(acquire(t, w.client(), req), resource, alice)
		}
		if n := w.fake.Count(fakeentra.EndpointDeviceCode); n != 1 {
			t.Errorf("%d device codes, want the one of the sign-in", n)
		}
		redemptions := 3
		if v == entra.V1 {
			redemptions = 4 // the sign-in's own v2 token does not answer a v1 request
		}
		if got := grants(w.fake)["refresh_token"]; got != redemptions {
			t.Errorf("%d refresh-token redemptions, want %d", got, redemptions)
		}
	})
}

// TestAccountsSideBySide keeps two people in two tenants and never hands one's token to the other.
func TestAccountsSideBySide(t *testing.T) {
	t.Parallel()
	w := newWorld(t, fakeentra.Options{}, nil)
	const fabrikam, bob, bobsPassword = "fab0de00-0000-4000-8000-0000000000fb", "bob@fabrikam.example", "bobs-password"
	if err := w.fake.AddTenant(fabrikam, "fabrikam.example"); err != nil {
		t.Fatal(err)
	}
	if err := w.fake.AddUser(fakeentra.User{UPN: bob, Password: bobsPassword, Tenant: fabrikam}); err != nil {
		t.Fatal(err)
	}
	w.signIn(w.client(), fakeentra.DefaultTenant, fakeentra.DefaultUser, fakeentra.DefaultUserPassword)
	w.signIn(w.client(), "fabrikam.example", bob, bobsPassword)

	// An account answers to its tenant's ID and to the name it signed in with.
	for _, resource := range toolResources {
		for _, c := range []struct{ tenant, upn, tenantID string }{
			{fakeentra.DefaultTenant, fakeentra.DefaultUser, fakeentra.DefaultTenant},
			{fabrikam, bob, fabrikam},
			{"fabrikam.example", bob, fabrikam},
		} {
			tok := acquire(t, w.client(), w.silent(c.tenant, resource))
			w.checkToken(tok, resource, labels{tenantID: c.tenantID, upn: c.upn})
		}
	}
	// With a tenant alias, the account named is used; else the latest sign-in.
	byName := w.silent("organizations", armResource)
	byName.Account = fakeentra.DefaultUser
	w.checkToken(acquire(t, w.client(), byName), armResource, alice)
	w.checkToken(acquire(t, w.client(), w.silent("organizations", armResource)), armResource, labels{upn: bob})

	accounts, err := w.client().Accounts(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(accounts) != 2 || accounts[0].UPN != bob || accounts[1].UPN != fakeentra.DefaultUser ||
		accounts[0].TenantID != fabrikam || accounts[1].TenantID != fakeentra.DefaultTenant {
		t.Errorf("accounts = %+v, want bob's (newest) then alice's, each in their tenant", accounts)
	}
	if got := grants(w.fake)["authorization_code"]; got != 2 {
		t.Errorf("%d sign-ins, want the two of the login commands", got)
	}
}

// TestRevokedSignIn revokes the kept refresh token: with nobody to ask the caller is told to sign
// in again, and the dead token is not sent twice; with a person, exactly one new sign-in.
func TestRevokedSignIn(t *testing.T) {
	t.Parallel()
	w := newWorld(t, fakeentra.Options{}, nil)
	w.signInAlice(w.client())
	w.fake.RevokeRefreshTokens(fakeentra.DefaultUser)
	w.fake.ResetCounts()

	for range 2 {
		_, err := w.client().Acquire(context.Background(), w.silent("", armResource))
		if !errors.Is(err, core.ErrInteractionRequired) {
			t.Fatalf("got %v, want core.ErrInteractionRequired", err)
		}
		wantError(t, err, "`aadcred login`", fakeentra.DefaultUser)
	}
	if got := grants(w.fake); len(got) != 0 {
		t.Errorf("tokens were issued: %v", got)
	}
	if n := w.fake.TokenRequests(); n != 1 {
		t.Errorf("the revoked refresh token was sent %d times, want once", n)
	}

	accounts, err := w.client().Accounts(context.Background())
	if err != nil || len(accounts) != 1 || !accounts[0].NeedsSignIn || !strings.Contains(accounts[0].Why, "AADSTS") {
		t.Errorf("accounts after the revocation: %+v (%v); want alice's, needing a sign-in, saying why", accounts, err)
	}

	w.logs.reset()
	browser := newBrowserDriver(t, w.fake, fakeentra.DefaultUser, fakeentra.DefaultUserPassword)
	w.checkToken(acquire(t, w.client(), w.browserRequest(core.Resource(armResource), browser.open)), armResource, alice)
	if accounts, _ := w.client().Accounts(context.Background()); len(accounts) != 1 || accounts[0].NeedsSignIn {
		t.Errorf("accounts after the new sign-in: %+v", accounts)
	}
	if n := len(browser.urls()); n != 1 {
		t.Errorf("%d new sign-ins, want one", n)
	}
	if warnings := w.logs.at(slog.LevelWarn); len(warnings) != 1 || !strings.Contains(warnings[0], "signing in again") {
		t.Errorf("warnings %q, want one saying that the person signs in again", warnings)
	}
	w.checkToken(acquire(t, w.client(), w.silent("", core.AKSServerID)), core.AKSServerID, alice)
}

// TestPasswordSignsInAgain lets the password method replace a dead refresh token on its own:
// it needs no person, so an account's refresh token expiring must not stop it.
func TestPasswordSignsInAgain(t *testing.T) {
	t.Parallel()
	clock := fakeentra.NewClock(time.Time{})
	w := newWorld(t, fakeentra.Options{}, clock)
	req := w.passwordRequest(core.Resource(armResource), entra.V2)
	req.Interaction = core.Interaction{Allowed: false}
	acquire(t, w.client(), req)
	clock.Advance(91 * 24 * time.Hour) // the refresh token expires from inactivity
	w.checkToken(acquire(t, w.client(), req), armResource, alice)
	got := grants(w.fake)
	if got["password"] != 2 {
		t.Errorf("grants %v, want a second password sign-in", got)
	}
}

// TestRefreshMargin uses a fake clock: a token is served until a random 5 to 15 minutes before
// it expires, and renewed after.
func TestRefreshMargin(t *testing.T) {
	t.Parallel()
	for _, kind := range []string{"app", "user"} {
		t.Run(kind, func(t *testing.T) {
			t.Parallel()
			clock := fakeentra.NewClock(time.Time{})
			w := newWorld(t, fakeentra.Options{}, clock)
			req := w.secretApp(armResource)
			if kind == "user" {
				w.signInAlice(w.client())
				req = w.silent("", armResource)
			}
			first := acquire(t, w.client(), req)
			w.fake.ResetCounts()

			clock.Advance(time.Hour - 16*time.Minute)
			if tok := acquire(t, w.client(), req); tok.AccessToken != first.AccessToken {
				t.Error("a token 16 minutes from expiry was renewed")
			}
			if n := w.fake.TokenRequests(); n != 0 {
				t.Errorf("%d token requests outside the margin", n)
			}

			clock.Advance(12 * time.Minute)
			renewed := acquire(t, w.client(), req)
			if renewed.AccessToken == first.AccessToken {
				t.Error("a token 4 minutes from expiry was served instead of renewed")
			}
			w.checkToken(renewed, armResource, labels{})
			if n := w.fake.TokenRequests(); n != 1 {
				t.Errorf("%d token requests inside the margin, want 1", n)
			}
		})
	}
}

// TestStaleTokenServedWhileServiceDown serves a token due for renewal but still valid when the
// service is unavailable, and says so in the debug log; once it has expired, the error shows.
func TestStaleTokenServedWhileServiceDown(t *testing.T) {
	t.Parallel()
	clock := fakeentra.NewClock(time.Time{})
	w := newWorld(t, fakeentra.Options{}, clock)
	w.signInAlice(w.client())
	req := w.silent("", armResource)
	cached := acquire(t, w.client(), req)
	if err := w.fake.InjectFault(fakeentra.Fault{Endpoint: fakeentra.EndpointToken, Status: 503, RetryAfter: time.Second}); err != nil {
		t.Fatal(err)
	}
	// The caller's deadline keeps package entra from waiting out every Retry-After.
	ctx, cancel := context.WithTimeout(context.Background(), 1500*time.Millisecond)
	defer cancel()

	clock.Advance(time.Hour - 4*time.Minute)
	tok, err := w.client().Acquire(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	if tok.AccessToken != cached.AccessToken {
		t.Error("not the cached token")
	}
	if !strings.Contains(strings.Join(w.logs.at(slog.LevelDebug), "\n"), "serving the cached token") {
		t.Errorf("the debug log does not say a cached token was served:\n%s", w.logs.all())
	}

	clock.Advance(3 * time.Minute) // within the time reported to tools as expired
	_, err = w.client().Acquire(ctx, req)
	wantError(t, err, "temporarily_unavailable")
}

// TestCorruptEntry damages the cached entries: each is reported once and obtained again.
func TestCorruptEntry(t *testing.T) {
	t.Parallel()
	for name, damage := range map[string]func(w *world){
		// Bytes that are not a store entry at all.
		"file": func(w *world) {
			files, err := filepath.Glob(filepath.Join(w.dir, "tokens", "t*"))
			if err != nil || len(files) != 1 {
				w.t.Fatalf("cached token files: %v %v", files, err)
			}
			writeFile(w.t, files[0], []byte("garbage\x00\xff"))
		},
		// A sound store entry that does not hold a cached token.
		"content": func(w *world) {
			store := w.store()
			names, err := store.List(keystore.AccessTokens)
			if err != nil {
				w.t.Fatal(err)
			}
			for _, name := range names {
				if strings.HasPrefix(name, "t") {
					if err := store.Write(context.Background(), keystore.AccessTokens, name, []byte(`{"access_token":`)); err != nil {
						w.t.Fatal(err)
					}
				}
			}
		},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			w := newWorld(t, fakeentra.Options{}, nil)
			req := w.secretApp(core.AzureDevOpsResource)
			acquire(t, w.client(), req)
			damage(w)
			w.logs.reset()
			w.checkToken(acquire(t, w.client(), req), core.AzureDevOpsResource, labels{})
			acquire(t, w.client(), req)
			if warnings := w.logs.at(slog.LevelWarn); len(warnings) != 1 {
				t.Errorf("warnings %q, want one", warnings)
			}
			if n := w.fake.TokenRequests(); n != 2 {
				t.Errorf("%d token requests, want 2 (the first and the one replacing the damaged entry)", n)
			}
		})
	}
}

// TestConcurrentAcquire starts many callers at once on an empty or expired entry, each with its
// own client and store on one directory, as processes would: one token request serves them all.
func TestConcurrentAcquire(t *testing.T) {
	t.Parallel()
	const callers = 20
	for _, kind := range []string{"app", "user"} {
		t.Run(kind, func(t *testing.T) {
			t.Parallel()
			w := newWorld(t, fakeentra.Options{}, nil)
			req := w.secretApp(armResource)
			grant := "client_credentials"
			if kind == "user" {
				w.signInAlice(w.client())
				req, grant = w.silent("", armResource), "refresh_token"
			}
			w.fake.ResetCounts()
			clients := make([]*core.Client, callers)
			for i := range clients {
				clients[i] = w.client()
			}
			tokens := make([]string, callers)
			var wg sync.WaitGroup
			for i, c := range clients {
				wg.Go(func() {
					tok, err := c.Acquire(context.Background(), req)
					if err != nil {
						t.Errorf("caller %d: %v", i, err)
						return
					}
					tokens[i] = tok.AccessToken
				})
			}
			wg.Wait()
			for i, tok := range tokens {
				if tok != tokens[0] {
					t.Errorf("caller %d got another token than caller 0", i)
				}
			}
			if n, got := w.fake.TokenRequests(), grants(w.fake); n != 1 || got[grant] != 1 {
				t.Errorf("%d token requests (%v), want one %s", n, got, grant)
			}
		})
	}
}

// TestConcurrentSignIn starts callers for several tools at once with nobody signed in: one
// person is asked once; the others wait, are told why, and use that sign-in.
func TestConcurrentSignIn(t *testing.T) {
	t.Parallel()
	w := newWorld(t, fakeentra.Options{}, nil)
	// The person takes a while: long enough for the others to say that they wait.
	w.fake.OnDeviceCode(func(info fakeentra.DeviceCodeInfo) {
		time.AfterFunc(1200*time.Millisecond, func() {
			if err := w.fake.ApproveDeviceCode(info.UserCode, fakeentra.DefaultUser); err != nil {
				t.Errorf("approving: %v", err)
			}
		})
	})
	resources := []string{core.AzureDevOpsResource, core.AzureDevOpsResource, core.ContainerRegistryResource, core.AKSServerID}
	prompts := make([]*promptRecorder, len(resources))
	var wg sync.WaitGroup
	for i, resource := range resources {
		prompts[i] = newPromptRecorder()
		client := w.client()
		req := w.deviceCodeRequest(core.Resource(resource), prompts[i])
		req.Method = ""
		wg.Go(func() {
			tok, err := client.Acquire(context.Background(), req)
			if err != nil {
				t.Errorf("caller %d: %v", i, err)
				return
			}
			w.checkToken(tok, resource, alice)
		})
	}
	wg.Wait()
	if n := w.fake.Count(fakeentra.EndpointDeviceCode); n != 1 {
		t.Errorf("%d device codes, want 1", n)
	}
	asked, waited := 0, 0
	for _, p := range prompts {
		s := p.String()
		if strings.Contains(s, "enter the code") {
			asked++
		}
		if strings.Contains(s, "Waiting for another aadcred process") {
			waited++
		}
	}
	if asked != 1 || waited != len(resources)-1 {
		t.Errorf("%d callers showed the code and %d said they wait; want 1 and %d", asked, waited, len(resources)-1)
	}
}

// TestClaimsChallengeBypassesCache asks again with the claims challenge a resource answered the
// cached token with: it must reach the service, not be answered with the rejected token.
func TestClaimsChallengeBypassesCache(t *testing.T) {
	t.Parallel()
	w := newWorld(t, fakeentra.Options{}, nil)
	w.signInAlice(w.client())
	for _, req := range []core.Request{w.secretApp(armResource), w.silent("", armResource)} {
		first := acquire(t, w.client(), req)
		w.fake.ResetCounts()
		req.Claims = `{"access_token":{"nbf":{"essential":true,"value":"1700000000"}}}`
		tok := acquire(t, w.client(), req)
		if tok.AccessToken == first.AccessToken || w.fake.TokenRequests() != 1 {
			t.Errorf("%s: the claims challenge was answered from the cache", req.Method)
		}
		// The new token replaces the rejected one.
		req.Claims = ""
		if again := acquire(t, w.client(), req); again.AccessToken != tok.AccessToken {
			t.Errorf("%s: the token got with the claims was not cached", req.Method)
		}
	}
}

// TestCacheAtRest looks at the store's files after a sign-in: private to the user, and the
// refresh token nowhere in the clear.
func TestCacheAtRest(t *testing.T) {
	t.Parallel()
	w := newWorld(t, fakeentra.Options{}, nil)
	rt := w.signInAlice(w.client()).RefreshToken
	err := filepath.Walk(w.dir, func(path string, info os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		if info.Mode().Perm()&0o077 != 0 {
			t.Errorf("%s has mode %s: others can read it", path, info.Mode())
		}
		if info.IsDir() {
			return nil
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if strings.Contains(string(data), rt) {
			t.Errorf("%s holds the refresh token in the clear", path)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestCachedTokenServedOnlyBeforeItsExpiry keeps a cached token whose renewal time says "still
// fresh" but whose expiry (less the margin reported to tools) has passed, as a store written by
// a skewed clock or by hand would: the fast path must not serve it.
func TestCachedTokenServedOnlyBeforeItsExpiry(t *testing.T) {
	t.Parallel()
	for name, expiresIn := range map[string]time.Duration{"expired": -time.Minute, "inside the reported margin": time.Minute} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			w := newWorld(t, fakeentra.Options{}, nil)
			req := w.secretApp(core.AzureDevOpsResource)
			cached := acquire(t, w.client(), req)
			store := w.store()
			names, err := store.List(keystore.AccessTokens)
			if err != nil || len(names) != 1 {
				t.Fatalf("cached entries %q (%v)", names, err)
			}
			data, err := store.Read(context.Background(), keystore.AccessTokens, names[0])
			if err != nil {
				t.Fatal(err)
			}
			var entry map[string]any
			if err := json.Unmarshal(data, &entry); err != nil {
				t.Fatal(err)
			}
			entry["expires_on"] = time.Now().Add(expiresIn).UTC().Format(time.RFC3339)
			entry["refresh_at"] = time.Now().Add(24 * time.Hour).UTC().Format(time.RFC3339)
			data, _ = json.Marshal(entry)
			if err := store.Write(context.Background(), keystore.AccessTokens, names[0], data); err != nil {
				t.Fatal(err)
			}
			if tok := acquire(t, w.client(), req); tok.AccessToken == cached.AccessToken {
				t.Error("a token past its expiry was served because its refresh time lay ahead")
			}
			if n := w.fake.TokenRequests(); n != 2 {
				t.Errorf("%d token requests, want 2", n)
			}
		})
	}
}
