package fakeacr

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/registry"

	"github.com/aadcred/aadcred/tests/fakeentra"
)

// Options configure a Server.
type Options struct {
	// Entra is the fake Entra ID whose tokens the registry accepts and whose TLS certificate it
	// serves with. Required.
	Entra *fakeentra.Server
	// Tenant is the tenant the registry belongs to; tokens of other tenants are refused.
	// fakeentra.DefaultTenant when empty.
	Tenant string
	// RefreshTokenLifetime is the lifetime of ACR refresh tokens (default 3 h, as ACR's).
	RefreshTokenLifetime time.Duration
	// AccessTokenLifetime is the lifetime of registry access tokens (default 75 min).
	AccessTokenLifetime time.Duration
	// DisableARMAudience refuses Entra tokens for Azure Resource Manager, as a registry does whose
	// authentication-as-arm policy is disabled.
	DisableARMAudience bool
	// Realm, when set, replaces the realm of the registry's challenge: a hostile registry.
	Realm string
	// Logf receives one line per request (never a token); nil means silence.
	Logf func(format string, args ...any)
}

// Server is a running fake registry. Its methods are safe for concurrent use.
type Server struct {
	entra    *fakeentra.Server
	verifier *fakeentra.Verifier
	tenant   string
	rtLife   time.Duration
	atLife   time.Duration
	noARM    bool
	logf     func(string, ...any)
	key      []byte // signs the registry's own tokens
	host     string
	srv      *http.Server
	registry http.Handler

	mu            sync.Mutex // guards the fields below
	realm         string
	redirect      string
	exchanges     []Exchange
	tokenRequests int
	connections   int
	issued        []fakeentra.Secret
	failures      []*failure
	delay         time.Duration
	offset        time.Duration
}

// Exchange is one request the exchange endpoint served. It never holds a token.
type Exchange struct {
	Service string
	// Tenant is the tenant parameter as sent ("" when absent).
	Tenant string
	// TokenTenant, ObjectID, UPN and Audience are from the Entra token, when it verified.
	TokenTenant string
	ObjectID    string
	UPN         string
	Audience    string
	// Status is the HTTP status of the answer.
	Status int
}

// Failure makes the exchange endpoint refuse requests.
type Failure struct {
	Status  int    // e.g. 401, 503
	Code    string // the distribution error code, e.g. UNAUTHORIZED
	Message string
	// RetryAfter, when set, is sent as the Retry-After header (e.g. "0": try again at once).
	RetryAfter string
	// Times is how many requests it hits; 0 means until ClearFailures.
	Times int
}

type failure struct {
	Failure
	left int // -1 means unlimited
}

// Start starts a fake registry on a loopback port.
func Start(opts Options) (*Server, error) {
	if opts.Entra == nil {
		return nil, errors.New("fakeacr: Options.Entra is required")
	}
	s := &Server{
		entra:    opts.Entra,
		verifier: opts.Entra.Verifier(),
		tenant:   opts.Tenant,
		rtLife:   opts.RefreshTokenLifetime,
		atLife:   opts.AccessTokenLifetime,
		noARM:    opts.DisableARMAudience,
		realm:    opts.Realm,
		logf:     opts.Logf,
		key:      make([]byte, 32),
		registry: registry.New(registry.Logger(log.New(io.Discard, "", 0))),
	}
	if s.tenant == "" {
		s.tenant = fakeentra.DefaultTenant
	}
	if s.rtLife <= 0 {
		s.rtLife = 3 * time.Hour
	}
	if s.atLife <= 0 {
		s.atLife = 75 * time.Minute
	}
	if _, err := rand.Read(s.key); err != nil {
		return nil, fmt.Errorf("fakeacr: generating the signing key: %w", err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("fakeacr: listening on loopback: %w", err)
	}
	s.host = ln.Addr().String()
	s.srv = &http.Server{Handler: s.routes(), ReadHeaderTimeout: 10 * time.Second, TLSConfig: opts.Entra.ServerTLSConfig(),
		ConnState: s.countConnection}
	go s.srv.ServeTLS(ln, "", "")
	return s, nil
}

// NewTest starts a Server for t and closes it when t ends.
func NewTest(t testing.TB, opts Options) *Server {
	t.Helper()
	s, err := Start(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return s
}

// Close stops the server.
func (s *Server) Close() { s.srv.Close() }

// Host is the registry's login server, "127.0.0.1:<port>": what docker and image references name.
func (s *Server) Host() string { return s.host }

// URL is "https://" + Host().
func (s *Server) URL() string { return "https://" + s.host }

// Exchanges returns the exchange requests served so far, in order.
func (s *Server) Exchanges() []Exchange {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Exchange(nil), s.exchanges...)
}

// ExchangeCount is len(Exchanges()).
func (s *Server) ExchangeCount() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.exchanges)
}

// TokenRequests counts the requests to /oauth2/token.
func (s *Server) TokenRequests() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.tokenRequests
}

// Kinds of token the registry issues, as IssuedTokens names them.
const (
	SecretRefreshToken = "ACR refresh token"
	SecretAccessToken  = "ACR access token"
)

// IssuedTokens returns every token the registry has issued so far: refresh tokens from
// exchanges, access tokens from its token endpoint. Tests look for them where none may be.
func (s *Server) IssuedTokens() []fakeentra.Secret {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]fakeentra.Secret(nil), s.issued...)
}

func (s *Server) recordIssued(kind, token string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.issued = append(s.issued, fakeentra.Secret{Kind: kind, Value: token})
}

// Connections counts the client connections accepted so far: a client that reuses its
// connections opens one for a burst of requests.
func (s *Server) Connections() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.connections
}

func (s *Server) countConnection(_ net.Conn, state http.ConnState) {
	if state == http.StateNew {
		s.mu.Lock()
		s.connections++
		s.mu.Unlock()
	}
}

// FailExchanges makes the exchange endpoint answer f. Failures are tried in the order added.
func (s *Server) FailExchanges(f Failure) {
	s.mu.Lock()
	defer s.mu.Unlock()
	left := f.Times
	if left == 0 {
		left = -1
	}
	s.failures = append(s.failures, &failure{Failure: f, left: left})
}

// ClearFailures removes every failure added by FailExchanges.
func (s *Server) ClearFailures() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failures = nil
}

// SetRealm makes the registry's challenge name realm instead of its own token endpoint, as a
// hostile registry would.
func (s *Server) SetRealm(realm string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.realm = realm
}

// RedirectExchanges answers every exchange with a 307 redirect to url: a hostile registry that
// tries to send the Entra token on to another host.
func (s *Server) RedirectExchanges(url string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.redirect = url
}

// SetExchangeDelay holds every exchange request this long before answering it.
func (s *Server) SetExchangeDelay(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.delay = d
}

// SetClockOffset runs the registry's clock (what its tokens are dated by and checked against) at
// the wall clock plus d. A negative offset issues tokens that look old to a client.
func (s *Server) SetClockOffset(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.offset = d
}

func (s *Server) now() time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	return time.Now().Add(s.offset)
}

// takeFailure returns the failure to answer, if any, and uses it up.
func (s *Server) takeFailure() *Failure {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, f := range s.failures {
		if f.left == 0 {
			continue
		}
		if f.left > 0 {
			f.left--
		}
		out := s.failures[i].Failure
		return &out
	}
	return nil
}

func (s *Server) log(format string, args ...any) {
	if s.logf != nil {
		s.logf(format, args...)
	}
}

// correlationID is a fresh X-Ms-Correlation-Request-Id.
func correlationID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	h := hex.EncodeToString(b)
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}
