package core_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
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

// signingKey is shared by every fake server of this package's tests: making an RSA key takes a
// noticeable part of a second.
var signingKey = sync.OnceValues(func() (*rsa.PrivateKey, error) { return rsa.GenerateKey(rand.Reader, 2048) })

// world is one test's surroundings: a fake Entra ID, the environment the clients see (nothing
// of the developer's), a store directory shared by every client made from it, and a recorder of
// what the clients log.
type world struct {
	t    *testing.T
	fake *fakeentra.Server
	// vars is the whole environment the clients see. Tests set it up before they acquire.
	vars  map[string]string
	dir   string
	clock *fakeentra.Clock
	logs  *logRecorder
}

// newWorld starts a fake Entra ID with opts (device codes polled every second, the package's
// signing key). When clock is non-nil, both the fake and the clients run on it.
func newWorld(t *testing.T, opts fakeentra.Options, clock *fakeentra.Clock) *world {
	t.Helper()
	key, err := signingKey()
	if err != nil {
		t.Fatalf("making the signing key: %v", err)
	}
	opts.SigningKey = key
	if opts.DeviceCodeInterval == 0 {
		opts.DeviceCodeInterval = time.Second
	}
	if clock != nil {
		opts.Now = clock.Now
	}
	fake := fakeentra.NewTest(t, opts)
	return &world{
		t:     t,
		fake:  fake,
		vars:  map[string]string{"AADCRED_IMDS_ENDPOINT": fake.IMDSEndpoint()},
		dir:   filepath.Join(t.TempDir(), "store"),
		clock: clock,
		logs:  &logRecorder{},
	}
}

// client returns a new Client on the world's store, as a new process would be.
func (w *world) client() *core.Client {
	w.t.Helper()
	c := w.uncachedClient()
	c.Store = w.store()
	return c
}

// uncachedClient returns a Client without a store.
func (w *world) uncachedClient() *core.Client {
	c := &core.Client{
		HTTPClient: w.fake.HTTPClient(),
		Getenv:     func(name string) string { return w.vars[name] },
		Log:        slog.New(w.logs),
		UserAgent:  "aadcred-core-test",
	}
	if w.clock != nil {
		c.Now = w.clock.Now
	}
	return c
}

// store opens the world's store directory, with a data key in a file so that no OS keyring is
// touched.
func (w *world) store() *keystore.Store {
	w.t.Helper()
	s, err := keystore.Open(keystore.Options{Dir: w.dir, Backend: "file"})
	if err != nil {
		w.t.Fatalf("opening the store: %v", err)
	}
	return s
}

// request is a request on the fake's authority with interaction allowed and prompts discarded.
func (w *world) request(method core.Method, target core.Target) core.Request {
	return core.Request{
		AuthorityHost: w.fake.URL(),
		Method:        method,
		Target:        target,
		Interaction:   core.Interaction{Allowed: true, SignInCommand: "aadcred login"},
	}
}

// acquire runs Acquire and fails the test on error.
func acquire(t *testing.T, c *core.Client, req core.Request) *core.Token {
	t.Helper()
	tok, err := c.Acquire(context.Background(), req)
	if err != nil {
		t.Fatalf("Acquire(%s, %s): %v", req.Method, req.Target, err)
	}
	return tok
}

// labels are what a Token says about whom it is for; empty fields are not checked.
type labels struct {
	tenantID, objectID, upn string
}

// checkToken verifies tok at the fake as a resource server for audience would, and checks that
// what core says about it (labels, expiry) matches the token itself.
func (w *world) checkToken(tok *core.Token, audience string, want labels) *fakeentra.Claims {
	w.t.Helper()
	if tok == nil {
		w.t.Fatal("no token")
	}
	claims, err := w.fake.Verifier().Verify(tok.AccessToken, audience)
	if err != nil {
		w.t.Fatalf("the token does not verify for %s: %v", audience, err)
	}
	if tok.TokenType != "Bearer" {
		w.t.Errorf("TokenType = %q, want Bearer", tok.TokenType)
	}
	if tok.TenantID != claims.TenantID || tok.ObjectID != claims.ObjectID || tok.UPN != claims.UPN {
		w.t.Errorf("labels tenant=%q oid=%q upn=%q, but the token says tenant=%q oid=%q upn=%q",
			tok.TenantID, tok.ObjectID, tok.UPN, claims.TenantID, claims.ObjectID, claims.UPN)
	}
	for _, f := range []struct{ name, got, want string }{
		{"TenantID", tok.TenantID, want.tenantID}, {"ObjectID", tok.ObjectID, want.objectID}, {"UPN", tok.UPN, want.upn},
	} {
		if f.want != "" && !strings.EqualFold(f.got, f.want) {
			w.t.Errorf("%s = %q, want %q", f.name, f.got, f.want)
		}
	}
	// ExpiresOn counts expires_in from when the answer arrived; exp counts from the second the
	// token was minted, a moment earlier.
	if d := tok.ExpiresOn.Sub(claims.Expiry); d < 0 || d > 5*time.Second {
		w.t.Errorf("ExpiresOn = %s, but the token expires at %s", tok.ExpiresOn, claims.Expiry)
	}
	if got := tok.ReportedExpiry(); !got.Before(tok.ExpiresOn) {
		w.t.Errorf("ReportedExpiry %s is not before ExpiresOn %s", got, tok.ExpiresOn)
	}
	return claims
}

// grants counts the successful token requests the fake served, by grant type.
func grants(fake *fakeentra.Server) map[string]int {
	n := map[string]int{}
	for _, r := range fake.Requests() {
		if r.Endpoint == fakeentra.EndpointToken && r.Status == 200 {
			n[r.GrantType]++
		}
	}
	return n
}

// targetsSent lists the scope or resource of every token request the fake received.
func targetsSent(fake *fakeentra.Server) []string {
	var out []string
	for _, r := range fake.Requests() {
		if r.Endpoint == fakeentra.EndpointToken {
			out = append(out, r.Target)
		}
	}
	return out
}

// noSecrets fails the test if err's text holds any of the secrets.
func noSecrets(t *testing.T, err error, secrets ...string) {
	t.Helper()
	if err == nil {
		return
	}
	for _, s := range secrets {
		if s != "" && strings.Contains(err.Error(), s) {
			t.Errorf("the error reveals a secret: %v", err)
		}
	}
}

// wantError fails the test unless err is non-nil and its text holds every part.
func wantError(t *testing.T, err error, parts ...string) {
	t.Helper()
	if err == nil {
		t.Fatalf("no error; want one mentioning %q", parts)
	}
	for _, p := range parts {
		if !strings.Contains(err.Error(), p) {
			t.Errorf("error %q does not mention %q", err, p)
		}
	}
}

// logRecorder is a slog.Handler that keeps every record as one line of text.
type logRecorder struct {
	mu    sync.Mutex
	lines []logLine
}

type logLine struct {
	level slog.Level
	text  string
}

func (h *logRecorder) Enabled(context.Context, slog.Level) bool { return true }

func (h *logRecorder) Handle(_ context.Context, r slog.Record) error {
	var b strings.Builder
	b.WriteString(r.Message)
	r.Attrs(func(a slog.Attr) bool {
		fmt.Fprintf(&b, " %s=%v", a.Key, a.Value)
		return true
	})
	h.mu.Lock()
	defer h.mu.Unlock()
	h.lines = append(h.lines, logLine{r.Level, b.String()})
	return nil
}

// WithAttrs and WithGroup keep nothing: core logs through the logger it is given.
func (h *logRecorder) WithAttrs([]slog.Attr) slog.Handler { return h }
func (h *logRecorder) WithGroup(string) slog.Handler      { return h }

// at returns the lines logged at level.
func (h *logRecorder) at(level slog.Level) []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	var out []string
	for _, l := range h.lines {
		if l.level == level {
			out = append(out, l.text)
		}
	}
	return out
}

// all returns every line logged.
func (h *logRecorder) all() string {
	h.mu.Lock()
	defer h.mu.Unlock()
	var b strings.Builder
	for _, l := range h.lines {
		fmt.Fprintf(&b, "%s %s\n", l.level, l.text)
	}
	return b.String()
}

func (h *logRecorder) reset() {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.lines = nil
}

// promptRecorder is a prompt writer that tests can read while a flow runs.
type promptRecorder struct {
	mu      sync.Mutex
	buf     bytes.Buffer
	written chan struct{} // receives a value after each write, when nobody has yet taken the last one
}

func newPromptRecorder() *promptRecorder { return &promptRecorder{written: make(chan struct{}, 1)} }

func (p *promptRecorder) Write(b []byte) (int, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	n, err := p.buf.Write(b)
	select {
	case p.written <- struct{}{}:
	default:
	}
	return n, err
}

func (p *promptRecorder) String() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.buf.String()
}

// waitFor waits until the prompt holds text matching has, and returns the prompt.
func (p *promptRecorder) waitFor(t *testing.T, has func(string) bool) string {
	t.Helper()
	timeout := time.After(10 * time.Second)
	for {
		if s := p.String(); has(s) {
			return s
		}
		select {
		case <-p.written:
		case <-timeout:
			t.Fatalf("the prompt never showed what was expected; it holds %q", p.String())
		}
	}
}

// countingStore wraps a store and counts what the cache asks of it.
type countingStore struct {
	core.Store
	mu     sync.Mutex
	reads  map[keystore.Tier]int
	writes map[keystore.Tier]int
	locks  int
	lists  int
}

func newCountingStore(s core.Store) *countingStore {
	return &countingStore{Store: s, reads: map[keystore.Tier]int{}, writes: map[keystore.Tier]int{}}
}

func (s *countingStore) Read(ctx context.Context, tier keystore.Tier, name string) ([]byte, error) {
	s.mu.Lock()
	s.reads[tier]++
	s.mu.Unlock()
	return s.Store.Read(ctx, tier, name)
}

func (s *countingStore) Write(ctx context.Context, tier keystore.Tier, name string, data []byte) error {
	s.mu.Lock()
	s.writes[tier]++
	s.mu.Unlock()
	return s.Store.Write(ctx, tier, name, data)
}

func (s *countingStore) List(tier keystore.Tier) ([]string, error) {
	s.mu.Lock()
	s.lists++
	s.mu.Unlock()
	return s.Store.List(tier)
}

func (s *countingStore) Lock(ctx context.Context, name string, waiting func(int)) (func() error, error) {
	s.mu.Lock()
	s.locks++
	s.mu.Unlock()
	return s.Store.Lock(ctx, name, waiting)
}

// total is every operation counted.
func (s *countingStore) total() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := s.locks + s.lists
	for _, v := range s.reads {
		n += v
	}
	for _, v := range s.writes {
		n += v
	}
	return n
}

// queryOf returns the query of a URL, failing the test if it does not parse.
func queryOf(t *testing.T, raw string) url.Values {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatalf("parsing %q: %v", raw, err)
	}
	return u.Query()
}

// asEntraError finds the *entra.Error in err's chain.
func asEntraError(err error) (*entra.Error, bool) {
	var e *entra.Error
	ok := errors.As(err, &e)
	return e, ok
}
