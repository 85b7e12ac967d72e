package acr

import (
	"bytes"
	"cmp"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aadcred/aadcred/core"
	"github.com/aadcred/aadcred/core/entra"
	"github.com/aadcred/aadcred/keystore"
)

var epoch = time.Date(2030, 1, 2, 3, 0, 0, 0, time.UTC)

// clock is a settable clock.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time          { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *clock) Advance(d time.Duration) { c.mu.Lock(); defer c.mu.Unlock(); c.now = c.now.Add(d) }
func newClock() *clock                   { return &clock{now: epoch} }

// identity is who the fake Entra ID issues tokens to.
type identity struct {
	tenant, objectID, upn string
	appID                 string // with no upn: an app-only token of this application
	audience              string
}

var (
	alice = identity{tenant: "tenant-1", objectID: "oid-alice", upn: "alice@contoso.com"}
	bob   = identity{tenant: "tenant-1", objectID: "oid-bob", upn: "bob@contoso.com"}
	app   = identity{tenant: "tenant-1", objectID: "oid-app-sp", appID: "app-1"}
)

// claims are the claims of an access token for the identity.
func (id identity) claims() map[string]any {
	c := map[string]any{"tid": id.tenant, "oid": id.objectID, "aud": cmp.Or(id.audience, core.ContainerRegistryResource)}
	if id.upn != "" {
		c["upn"], c["scp"], c["appid"], c["idtyp"] = id.upn, "user_impersonation", core.AzureCLIClientID, "user"
	} else {
		c["appid"], c["idtyp"] = id.appID, "app"
	}
	return c
}

// tokens is a TokenSource that counts its calls and issues tokens to whoever is signed in.
type tokens struct {
	mu    sync.Mutex
	calls atomic.Int32
	err   error
	who   identity
}

func (s *tokens) signIn(id identity, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.who, s.err = id, err
}

func (s *tokens) Acquire(context.Context, core.Request) (*core.Token, error) {
	s.calls.Add(1)
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.err != nil {
		return nil, s.err
	}
	payload, _ := json.Marshal(s.who.claims())
	return &core.Token{AccessToken: jwtWith(string(payload)), TenantID: s.who.tenant, ObjectID: s.who.objectID,
		UPN: s.who.upn, Audience: cmp.Or(s.who.audience, core.ContainerRegistryResource)}, nil
}

// exchanger is a TokenExchanger whose refresh tokens live for life from the clock's now.
type exchanger struct {
	clock *clock
	life  time.Duration
	delay time.Duration
	calls atomic.Int32
	err   error
	// answer, when set, replaces the refresh token.
	answer string
}

func (x *exchanger) Exchange(_ context.Context, registry, tenant, entraToken string) (string, error) {
	n := x.calls.Add(1)
	time.Sleep(x.delay)
	if x.err != nil {
		return "", x.err
	}
	if x.answer != "" {
		return x.answer, nil
	}
	c, err := entra.DecodeClaims(entraToken)
	if err != nil {
		return "", err
	}
	now := x.clock.Now()
	return jwtWith(fmt.Sprintf(`{"aud":%q,"tenant":%q,"nbf":%d,"exp":%d,"n":%d,"for":%q}`,
		registry, tenant, now.Unix(), now.Add(x.life).Unix(), n, cmp.Or(c.UPN, c.AppID))), nil
}

type fixture struct {
	store     *keystore.Store
	tokens    *tokens
	exchanger *exchanger
	clock     *clock
	log       *bytes.Buffer
	provider  *Provider
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	store, err := keystore.Open(keystore.Options{Dir: filepath.Join(t.TempDir(), "store"), Backend: "file"})
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{store: store, tokens: &tokens{who: alice}, clock: newClock(), log: &bytes.Buffer{}}
	f.exchanger = &exchanger{clock: f.clock, life: 3 * time.Hour}
	f.provider = f.newProvider(store)
	return f
}

func (f *fixture) newProvider(store Store) *Provider {
	return &Provider{Store: store, Tokens: f.tokens, Exchanger: f.exchanger, Now: f.clock.Now,
		Log: slog.New(slog.NewTextHandler(f.log, nil))}
}

// request is what the helper asks core for before anything is resolved: method auto, no account.
func request() core.Request {
	return core.Request{AuthorityHost: core.PublicAuthorityHost, Target: core.Scope(core.ContainerRegistryResource + "/.default")}
}

func (f *fixture) get(t *testing.T, registry string) string {
	t.Helper()
	rt, err := f.provider.RefreshToken(context.Background(), registry, request())
	if err != nil {
		t.Fatal(err)
	}
	return rt
}

// payloadOf decodes the payload of an unsigned test JWT.
func payloadOf(t *testing.T, token string) string {
	t.Helper()
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		t.Fatalf("not a JWT: %q", token)
	}
	b, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func (f *fixture) exchanges() int { return int(f.exchanger.calls.Load()) }

func TestRefreshTokenIsCachedUntilHalfItsLifetime(t *testing.T) {
	f := newFixture(t)
	first := f.get(t, "contoso.azurecr.io")
	if !strings.Contains(payloadOf(t, first), `"aud":"contoso.azurecr.io"`) {
		t.Fatalf("not the exchanged token: %q", first)
	}
	f.clock.Advance(90*time.Minute - time.Second)
	if got := f.get(t, "contoso.azurecr.io"); got != first {
		t.Error("a token with half its lifetime left was not served from the cache")
	}
	if x := f.exchanges(); x != 1 {
		t.Errorf("%d exchanges, want 1", x)
	}
	f.clock.Advance(2 * time.Second)
	if got := f.get(t, "contoso.azurecr.io"); got == first {
		t.Error("a token past half its lifetime was served instead of renewed")
	}
	if x := f.exchanges(); x != 2 {
		t.Errorf("%d exchanges, want 2", x)
	}
	if f.log.Len() != 0 {
		t.Errorf("a silent renewal logged:\n%s", f.log)
	}
}

func TestEveryAnswerStartsWithTheEntraToken(t *testing.T) {
	f := newFixture(t)
	for range 3 {
		f.get(t, "contoso.azurecr.io")
	}
	if a := f.tokens.calls.Load(); a != 3 {
		t.Errorf("%d Entra token requests for 3 answers, want one each: the Entra token says whose registry token to serve", a)
	}
}

func TestSignedOutIdentityGetsNothing(t *testing.T) {
	f := newFixture(t)
	f.get(t, "contoso.azurecr.io")
	signedOut := fmt.Errorf("%w: run `docker-credential-aad login` first", core.ErrInteractionRequired)
	f.tokens.signIn(alice, signedOut)
	rt, err := f.provider.RefreshToken(context.Background(), "contoso.azurecr.io", request())
	if !errors.Is(err, core.ErrInteractionRequired) || rt != "" {
		t.Errorf("got %.20q, %v: a fresh registry token was served after the sign-in was gone", rt, err)
	}
	f.clock.Advance(2 * time.Hour) // half-spent: before, the stale token stood in for a failed renewal
	if rt, err := f.provider.RefreshToken(context.Background(), "contoso.azurecr.io", request()); err == nil || rt != "" {
		t.Errorf("got %.20q: a registry token was served after the sign-in was gone", rt)
	}
}

func TestAnotherIdentityNeverGetsTheCachedToken(t *testing.T) {
	f := newFixture(t)
	alices := f.get(t, "contoso.azurecr.io")
	f.tokens.signIn(bob, nil) // a login as someone else, with the very same request
	bobs := f.get(t, "contoso.azurecr.io")
	if bobs == alices || !strings.Contains(payloadOf(t, bobs), `"for":"bob@contoso.com"`) {
		t.Fatalf("bob was answered with alice's registry token: %s", payloadOf(t, bobs))
	}
	f.tokens.signIn(alice, nil)
	if got := f.get(t, "contoso.azurecr.io"); got != alices {
		t.Error("alice's own cached token was not served back to her")
	}
	if x := f.exchanges(); x != 2 {
		t.Errorf("%d exchanges, want one per identity (2)", x)
	}
}

func TestRegistryTokensAreKeptPerRegistryAudienceAndIdentity(t *testing.T) {
	f := newFixture(t)
	first := f.get(t, "contoso.azurecr.io")
	otherTenant := alice
	otherTenant.tenant = "tenant-2"
	arm := alice
	arm.audience = "https://management.azure.com/"
	for _, tc := range []struct {
		registry string
		who      identity
	}{
		{"fabrikam.azurecr.io", alice},
		{"contoso.azurecr.io", otherTenant},
		{"contoso.azurecr.io", arm},
		{"contoso.azurecr.io", app},
	} {
		f.tokens.signIn(tc.who, nil)
		if got := f.get(t, tc.registry); got == first {
			t.Errorf("%s for %+v was answered with another registry's, audience's or identity's token", tc.registry, tc.who)
		}
	}
	if x := f.exchanges(); x != 5 {
		t.Errorf("%d exchanges, want one per registry, audience and identity (5)", x)
	}
	// The same application through another service principal object, and the same user spelled
	// in another case, are the same owners.
	sameApp := app
	sameApp.objectID = "another-object"
	f.tokens.signIn(sameApp, nil)
	f.get(t, "contoso.azurecr.io")
	shouting := alice
	shouting.objectID, shouting.tenant = strings.ToUpper(alice.objectID), strings.ToUpper(alice.tenant)
	f.tokens.signIn(shouting, nil)
	if got := f.get(t, "contoso.azurecr.io"); got != first {
		t.Error("the same user spelled in another case got a new token")
	}
	if x := f.exchanges(); x != 5 {
		t.Errorf("%d exchanges, want no new one for owners already served", x)
	}
}

func TestEntraTokenThatNamesNoOneIsNotExchanged(t *testing.T) {
	f := newFixture(t)
	f.tokens.signIn(identity{upn: "nobody@contoso.com"}, nil) // no tid, no oid
	_, err := f.provider.RefreshToken(context.Background(), "contoso.azurecr.io", request())
	if err == nil || !strings.Contains(err.Error(), "contoso.azurecr.io") {
		t.Fatalf("got %v, want an error naming the registry", err)
	}
	if x := f.exchanges(); x != 0 {
		t.Errorf("%d exchanges for a token whose owner is unknown", x)
	}
}

func TestStaleTokenIsServedOnlyAfterAPassingExchangeFailure(t *testing.T) {
	for _, tc := range []struct {
		name   string
		breaks func(f *fixture)
		served bool
	}{
		{"registry unavailable", func(f *fixture) { f.exchanger.err = serviceError(503) }, true},
		{"registry throttling", func(f *fixture) { f.exchanger.err = serviceError(429) }, true},
		{"role removed", func(f *fixture) { f.exchanger.err = serviceError(401) }, false},
		{"registry answered nonsense", func(f *fixture) { f.exchanger.err = errors.New("the answer holds no refresh_token") }, false},
		{"Entra ID down", func(f *fixture) { f.tokens.signIn(alice, &entra.Error{StatusCode: 503}) }, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t)
			first := f.get(t, "contoso.azurecr.io")
			f.clock.Advance(2 * time.Hour)
			tc.breaks(f)
			got, err := f.provider.RefreshToken(context.Background(), "contoso.azurecr.io", request())
			if !tc.served {
				if err == nil || got != "" {
					t.Errorf("the cached token was served after %s", tc.name)
				}
				return
			}
			if err != nil || got != first {
				t.Fatalf("the still-valid token was not served: %v", err)
			}
			if !strings.Contains(f.log.String(), "using the cached one") {
				t.Errorf("serving a stale token was not reported:\n%s", f.log)
			}
			f.clock.Advance(58*time.Minute + time.Second) // within two minutes of expiry
			if _, err := f.provider.RefreshToken(context.Background(), "contoso.azurecr.io", request()); err == nil {
				t.Error("a token about to expire was served")
			}
		})
	}
}

func serviceError(status int) *ServiceError {
	return &ServiceError{Registry: "contoso.azurecr.io", What: whatExchange, Answer: &entra.Error{StatusCode: status}}
}

func TestRefusalNamesTheIdentityAndAudience(t *testing.T) {
	f := newFixture(t)
	arm := alice
	arm.audience = "https://management.azure.com/"
	f.tokens.signIn(arm, nil)
	f.exchanger.err = serviceError(401)
	_, err := f.provider.RefreshToken(context.Background(), "contoso.azurecr.io", request())
	var refused *RefusedError
	if !errors.As(err, &refused) || refused.Identity != "alice@contoso.com" || refused.TenantID != "tenant-1" || !refused.ARMAudience {
		t.Fatalf("got %#v", err)
	}
	if strings.Contains(err.Error(), "eyJ") {
		t.Error("the error holds the Entra token")
	}
}

func TestTokenWithoutReadableExpiryIsUsedButNotCached(t *testing.T) {
	f := newFixture(t)
	f.exchanger.answer = "opaque-refresh-token"
	for range 2 {
		if got := f.get(t, "contoso.azurecr.io"); got != "opaque-refresh-token" {
			t.Fatalf("got %q", got)
		}
	}
	if x := f.exchanges(); x != 2 {
		t.Errorf("%d exchanges, want 2: a token whose lifetime is unknown must not be kept", x)
	}
	if !strings.Contains(f.log.String(), "not cached") {
		t.Errorf("no warning:\n%s", f.log)
	}
}

// entryName is the name the cached token of the fixture's signed-in identity has.
func (f *fixture) entryName(t *testing.T, registry string) string {
	t.Helper()
	tok, err := f.tokens.Acquire(context.Background(), request())
	if err != nil {
		t.Fatal(err)
	}
	o, err := ownerOf(registry, tok)
	if err != nil {
		t.Fatal(err)
	}
	return o.name()
}

func TestRefreshTokenIsKeptEncrypted(t *testing.T) {
	f := newFixture(t)
	rt := f.get(t, "contoso.azurecr.io")
	name := f.entryName(t, "contoso.azurecr.io")
	raw, err := os.ReadFile(filepath.Join(f.store.Dir(), "secrets", name))
	if err != nil {
		t.Fatalf("the registry token is not in the secrets tier: %v", err)
	}
	if bytes.Contains(raw, []byte(rt)) || bytes.Contains(raw, []byte("contoso.azurecr.io")) {
		t.Error("the secrets tier entry holds the token or the registry in the clear")
	}
	if names, _ := f.store.List(keystore.AccessTokens); len(names) != 0 {
		t.Errorf("entries in the plain access-token tier: %q", names)
	}
}

func TestDamagedEntryIsReplaced(t *testing.T) {
	f := newFixture(t)
	f.get(t, "contoso.azurecr.io")
	name := f.entryName(t, "contoso.azurecr.io")
	if err := f.store.Write(context.Background(), tier, name, []byte(`{"owner":`)); err != nil {
		t.Fatal(err)
	}
	f.get(t, "contoso.azurecr.io")
	if x := f.exchanges(); x != 2 {
		t.Errorf("%d exchanges, want a new one after the damage", x)
	}
	if !strings.Contains(f.log.String(), "damaged") {
		t.Errorf("the damage was not reported:\n%s", f.log)
	}
	f.log.Reset()
	f.get(t, "contoso.azurecr.io")
	if x := f.exchanges(); x != 2 || f.log.Len() != 0 {
		t.Errorf("the replacement was not cached (%d exchanges)\n%s", x, f.log)
	}
}

// TestTokenIsServedOnlyBeforeItsExpiry keeps an entry whose renewal time lies after its expiry
// (written under a skewed clock, or by hand): it is renewed, not served.
func TestTokenIsServedOnlyBeforeItsExpiry(t *testing.T) {
	f := newFixture(t)
	first := f.get(t, "contoso.azurecr.io")
	name := f.entryName(t, "contoso.azurecr.io")
	data, err := f.store.Read(context.Background(), tier, name)
	if err != nil {
		t.Fatal(err)
	}
	var e entry
	if err := json.Unmarshal(data, &e); err != nil {
		t.Fatal(err)
	}
	e.ExpiresOn, e.RefreshAt = f.clock.Now().Add(time.Minute), f.clock.Now().Add(time.Hour)
	if data, err = json.Marshal(e); err != nil {
		t.Fatal(err)
	}
	if err := f.store.Write(context.Background(), tier, name, data); err != nil {
		t.Fatal(err)
	}
	if got := f.get(t, "contoso.azurecr.io"); got == first {
		t.Error("a token about to expire was served because its renewal time lay ahead")
	}
}

func TestEntryCopiedToAnotherIdentityIsNotServed(t *testing.T) {
	f := newFixture(t)
	alices := f.get(t, "contoso.azurecr.io")
	data, err := f.store.Read(context.Background(), tier, f.entryName(t, "contoso.azurecr.io"))
	if err != nil {
		t.Fatal(err)
	}
	f.tokens.signIn(bob, nil)
	if err := f.store.Write(context.Background(), tier, f.entryName(t, "contoso.azurecr.io"), data); err != nil {
		t.Fatal(err)
	}
	if got := f.get(t, "contoso.azurecr.io"); got == alices {
		t.Error("bob was served alice's token from an entry under his name")
	}
}

func TestForgetAndRegistries(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	f.get(t, "contoso.azurecr.io")
	f.get(t, "fabrikam.azurecr.io")
	f.tokens.signIn(bob, nil)
	f.get(t, "contoso.azurecr.io")
	// Entries of core's, in the same tier, are none of the provider's business.
	if err := f.store.Write(ctx, tier, "rdeadbeef", []byte(`{"owner":{"registry":"x"}}`)); err != nil {
		t.Fatal(err)
	}
	got, err := f.provider.Registries(ctx)
	if err != nil || !slices.Equal(got, []string{"contoso.azurecr.io", "fabrikam.azurecr.io"}) {
		t.Fatalf("Registries = %q, %v", got, err)
	}
	n, err := f.provider.Forget("contoso.azurecr.io")
	if err != nil || n != 2 {
		t.Fatalf("Forget = %d, %v; want both identities' tokens gone", n, err)
	}
	if got, _ := f.provider.Registries(ctx); !slices.Equal(got, []string{"fabrikam.azurecr.io"}) {
		t.Errorf("after Forget, Registries = %q", got)
	}
	if _, err := f.store.Read(ctx, tier, "rdeadbeef"); err != nil {
		t.Errorf("Forget touched another entry: %v", err)
	}
	f.get(t, "contoso.azurecr.io")
	if x := f.exchanges(); x != 4 {
		t.Errorf("%d exchanges, want a new one after Forget", x)
	}
	f.clock.Advance(3 * time.Hour)
	if got, _ := f.provider.Registries(ctx); len(got) != 0 {
		t.Errorf("expired tokens were listed: %q", got)
	}
}

func TestParallelCallersExchangeOnce(t *testing.T) {
	f := newFixture(t)
	f.exchanger.delay = 200 * time.Millisecond
	const n = 20
	got := make([]string, n)
	var wg sync.WaitGroup
	for i := range n {
		// Each caller has its own store handle, as separate processes do.
		store, err := keystore.Open(keystore.Options{Dir: f.store.Dir(), Backend: "file"})
		if err != nil {
			t.Fatal(err)
		}
		p := f.newProvider(store)
		wg.Go(func() {
			rt, err := p.RefreshToken(context.Background(), "contoso.azurecr.io", request())
			if err != nil {
				t.Error(err)
			}
			got[i] = rt
		})
	}
	wg.Wait()
	if x := f.exchanges(); x != 1 {
		t.Errorf("%d callers made %d exchanges, want 1", n, x)
	}
	for _, rt := range got[1:] {
		if rt != got[0] {
			t.Fatal("parallel callers got different tokens")
		}
	}
}
