package acr

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
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

func (c *clock) Now() time.Time           { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *clock) Advance(d time.Duration)  { c.mu.Lock(); defer c.mu.Unlock(); c.now = c.now.Add(d) }
func newClock() *clock                    { return &clock{now: epoch} }
func (c *clock) unix(d time.Duration) int { return int(c.Now().Add(d).Unix()) }

// tokens is a TokenSource that counts its calls.
type tokens struct {
	calls atomic.Int32
	err   error
	aud   string
}

func (s *tokens) Acquire(_ context.Context, req core.Request) (*core.Token, error) {
	s.calls.Add(1)
	if s.err != nil {
		return nil, s.err
	}
	aud := s.aud
	if aud == "" {
		aud = core.ContainerRegistryResource
	}
	return &core.Token{AccessToken: "entra-token-for-" + req.ClientID, TenantID: "tenant-1", UPN: "alice@contoso.com", Audience: aud}, nil
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
	now := x.clock.Now()
	return jwtWith(fmt.Sprintf(`{"aud":%q,"tenant":%q,"nbf":%d,"exp":%d,"n":%d,"from":%q}`,
		registry, tenant, now.Unix(), now.Add(x.life).Unix(), n, entraToken)), nil
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
	f := &fixture{store: store, tokens: &tokens{}, clock: newClock(), log: &bytes.Buffer{}}
	f.exchanger = &exchanger{clock: f.clock, life: 3 * time.Hour}
	f.provider = f.newProvider(store)
	return f
}

func (f *fixture) newProvider(store Store) *Provider {
	return &Provider{Store: store, Tokens: f.tokens, Exchanger: f.exchanger, Now: f.clock.Now,
		Log: slog.New(slog.NewTextHandler(f.log, nil))}
}

func request(clientID string) core.Request {
	return core.Request{AuthorityHost: core.PublicAuthorityHost, ClientID: clientID, Target: core.Scope(core.ContainerRegistryResource + "/.default")}
}

func (f *fixture) get(t *testing.T, registry string, req core.Request) string {
	t.Helper()
	rt, err := f.provider.RefreshToken(context.Background(), registry, req)
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

func (f *fixture) counts() (acquired, exchanged int) {
	return int(f.tokens.calls.Load()), int(f.exchanger.calls.Load())
}

func TestRefreshTokenIsCachedUntilHalfItsLifetime(t *testing.T) {
	f := newFixture(t)
	req := request("app")
	first := f.get(t, "contoso.azurecr.io", req)
	if !strings.Contains(payloadOf(t, first), `"aud":"contoso.azurecr.io"`) {
		t.Fatalf("not the exchanged token: %q", first)
	}
	f.clock.Advance(90*time.Minute - time.Second)
	if got := f.get(t, "contoso.azurecr.io", req); got != first {
		t.Error("a token with half its lifetime left was not served from the cache")
	}
	if a, x := f.counts(); a != 1 || x != 1 {
		t.Errorf("%d Entra requests and %d exchanges, want 1 and 1", a, x)
	}
	f.clock.Advance(2 * time.Second)
	if got := f.get(t, "contoso.azurecr.io", req); got == first {
		t.Error("a token past half its lifetime was served instead of renewed")
	}
	if a, x := f.counts(); a != 2 || x != 2 {
		t.Errorf("%d Entra requests and %d exchanges, want 2 and 2", a, x)
	}
	if f.log.Len() != 0 {
		t.Errorf("a silent renewal logged:\n%s", f.log)
	}
}

func TestRefreshTokensAreKeptPerRegistryAndIdentity(t *testing.T) {
	f := newFixture(t)
	a := f.get(t, "contoso.azurecr.io", request("app-1"))
	for _, tc := range []struct {
		registry string
		req      core.Request
	}{
		{"fabrikam.azurecr.io", request("app-1")},
		{"contoso.azurecr.io", request("app-2")},
		{"contoso.azurecr.io", func() core.Request { r := request("app-1"); r.Tenant = "other"; return r }()},
		{"contoso.azurecr.io", func() core.Request { r := request("app-1"); r.Account = "bob@contoso.com"; return r }()},
		{"contoso.azurecr.io", func() core.Request {
			r := request("app-1")
			r.Target = core.Scope("https://management.azure.com/.default")
			return r
		}()},
	} {
		if got := f.get(t, tc.registry, tc.req); got == a {
			t.Errorf("%s %+v was answered with another registry's or identity's token", tc.registry, tc.req)
		}
	}
	if _, x := f.counts(); x != 6 {
		t.Errorf("%d exchanges, want one per registry and identity (6)", x)
	}
	if got := f.get(t, "contoso.azurecr.io", request("APP-1")); got != a {
		t.Error("the same identity spelled in another case got a new token")
	}
}

func TestStaleTokenIsServedWhenRenewingFails(t *testing.T) {
	for name, breakIt := range map[string]func(f *fixture){
		"exchange": func(f *fixture) {
			f.exchanger.err = &ServiceError{Registry: "contoso.azurecr.io", What: whatExchange, Answer: &entra.Error{StatusCode: 503}}
		},
		"Entra ID": func(f *fixture) { f.tokens.err = errors.New("Entra ID is down") },
	} {
		t.Run(name, func(t *testing.T) {
			f := newFixture(t)
			first := f.get(t, "contoso.azurecr.io", request("app"))
			f.clock.Advance(2 * time.Hour)
			breakIt(f)
			if got := f.get(t, "contoso.azurecr.io", request("app")); got != first {
				t.Error("the still-valid token was not served")
			}
			if !strings.Contains(f.log.String(), "using the cached one") {
				t.Errorf("serving a stale token was not reported:\n%s", f.log)
			}
			f.clock.Advance(58*time.Minute + time.Second) // within two minutes of expiry
			if _, err := f.provider.RefreshToken(context.Background(), "contoso.azurecr.io", request("app")); err == nil {
				t.Error("a token about to expire was served")
			}
		})
	}
}

func TestStaleTokenIsNotServedOnceTheSignInIsGone(t *testing.T) {
	f := newFixture(t)
	f.get(t, "contoso.azurecr.io", request("app"))
	f.clock.Advance(2 * time.Hour)
	f.tokens.err = fmt.Errorf("%w: run `docker-credential-aad login` first", core.ErrInteractionRequired)
	_, err := f.provider.RefreshToken(context.Background(), "contoso.azurecr.io", request("app"))
	if !errors.Is(err, core.ErrInteractionRequired) {
		t.Errorf("got %v; a signed-out user's token must not be served on", err)
	}
}

func TestRefusalNamesTheIdentityAndAudience(t *testing.T) {
	f := newFixture(t)
	f.tokens.aud = "https://management.azure.com/"
	f.exchanger.err = &ServiceError{Registry: "contoso.azurecr.io", What: whatExchange, Answer: &entra.Error{StatusCode: 401}}
	_, err := f.provider.RefreshToken(context.Background(), "contoso.azurecr.io", request("app"))
	var refused *RefusedError
	if !errors.As(err, &refused) || refused.Identity != "alice@contoso.com" || refused.TenantID != "tenant-1" || !refused.ARMAudience {
		t.Fatalf("got %#v", err)
	}
	if strings.Contains(err.Error(), "entra-token") {
		t.Error("the error holds the Entra token")
	}
}

func TestTokenWithoutReadableExpiryIsUsedButNotCached(t *testing.T) {
	f := newFixture(t)
	f.exchanger.answer = "opaque-refresh-token"
	for range 2 {
		if got := f.get(t, "contoso.azurecr.io", request("app")); got != "opaque-refresh-token" {
			t.Fatalf("got %q", got)
		}
	}
	if _, x := f.counts(); x != 2 {
		t.Errorf("%d exchanges, want 2: a token whose lifetime is unknown must not be kept", x)
	}
	if !strings.Contains(f.log.String(), "not cached") {
		t.Errorf("no warning:\n%s", f.log)
	}
}

func TestDamagedEntryIsReplaced(t *testing.T) {
	f := newFixture(t)
	req := request("app")
	f.get(t, "contoso.azurecr.io", req)
	name := keyFor("contoso.azurecr.io", req).name()
	if err := f.store.Write(context.Background(), Tier, name, []byte(`{"registry":`)); err != nil {
		t.Fatal(err)
	}
	f.get(t, "contoso.azurecr.io", req)
	if _, x := f.counts(); x != 2 {
		t.Errorf("%d exchanges, want a new one after the damage", x)
	}
	if !strings.Contains(f.log.String(), "damaged") {
		t.Errorf("the damage was not reported:\n%s", f.log)
	}
	f.log.Reset()
	f.get(t, "contoso.azurecr.io", req)
	if _, x := f.counts(); x != 2 || f.log.Len() != 0 {
		t.Errorf("the replacement was not cached (%d exchanges)\n%s", x, f.log)
	}
}

func TestForgetAndRegistries(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	f.get(t, "contoso.azurecr.io", request("app-1"))
	f.get(t, "contoso.azurecr.io", request("app-2"))
	f.get(t, "fabrikam.azurecr.io", request("app-1"))
	// Entries of core's, in the same tier, are none of the provider's business.
	if err := f.store.Write(ctx, Tier, "tdeadbeef", []byte(`{"registry":"x"}`)); err != nil {
		t.Fatal(err)
	}
	got, err := f.provider.Registries(ctx)
	if err != nil || !slices.Equal(got, []string{"contoso.azurecr.io", "fabrikam.azurecr.io"}) {
		t.Fatalf("Registries = %q, %v", got, err)
	}
	n, err := f.provider.Forget(ctx, "contoso.azurecr.io")
	if err != nil || n != 2 {
		t.Fatalf("Forget = %d, %v; want both identities' tokens gone", n, err)
	}
	if got, _ := f.provider.Registries(ctx); !slices.Equal(got, []string{"fabrikam.azurecr.io"}) {
		t.Errorf("after Forget, Registries = %q", got)
	}
	if _, err := f.store.Read(ctx, Tier, "tdeadbeef"); err != nil {
		t.Errorf("Forget touched another entry: %v", err)
	}
	f.get(t, "contoso.azurecr.io", request("app-1"))
	if _, x := f.counts(); x != 4 {
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
			rt, err := p.RefreshToken(context.Background(), "contoso.azurecr.io", request("app"))
			if err != nil {
				t.Error(err)
			}
			got[i] = rt
		})
	}
	wg.Wait()
	if a, x := f.counts(); a != 1 || x != 1 {
		t.Errorf("%d callers made %d Entra requests and %d exchanges, want 1 and 1", n, a, x)
	}
	for _, rt := range got[1:] {
		if rt != got[0] {
			t.Fatal("parallel callers got different tokens")
		}
	}
}
