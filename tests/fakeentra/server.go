package fakeentra

import (
	"crypto/rsa"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

// Options configure a Server. The zero value is usable.
type Options struct {
	// StateDir receives the CA certificate and the Arc key files; a temporary directory,
	// removed by Close, when empty.
	StateDir string
	// DeviceCodeInterval is the polling interval the device-code endpoint announces
	// (default 5s; tests use 1s). It is rounded up to whole seconds.
	DeviceCodeInterval time.Duration
	// DeviceCodeLifetime is how long a device code lives (default 15m).
	DeviceCodeLifetime time.Duration
	// StrictDevicePolling answers slow_down to a poll that comes sooner than the interval
	// after the previous one, and adds 5s to that code's interval (RFC 8628 §3.5).
	StrictDevicePolling bool
	// AccessTokenLifetime is the lifetime of access tokens (default 1h); see
	// Server.SetAccessTokenLifetime.
	AccessTokenLifetime time.Duration
	// Now is the clock for everything the protocol dates (default time.Now). TLS
	// certificates use the wall clock.
	Now func() time.Time
	// Logf receives one line per request (never a secret); nil means silence.
	Logf func(format string, args ...any)
	// SigningKey signs the tokens the server issues; a fresh 2048-bit key when nil. Tests that
	// start many servers may share one key: RSA key generation can take seconds.
	SigningKey *rsa.PrivateKey
}

// Server is a running fake Entra ID. All its methods are safe for concurrent use.
type Server struct {
	now                 func() time.Time
	logfn               func(string, ...any)
	deviceCodeInterval  time.Duration
	deviceCodeLifetime  time.Duration
	strictDevicePolling bool

	stateDir       string
	removeStateDir bool
	tls            *authorityTLS
	client         *http.Client
	signer         *signingKey
	dir            *directory
	requests       requestLog
	issued         issuedSecrets
	faults         faultSet
	issuers        workloadIssuers
	pipelines      azurePipelines

	authorityURL string
	imdsURL      string
	appSvcURL    string
	cloudShell   string
	arcURL       string
	arcKeyDir    string
	appSvcHeader string
	servers      []*http.Server
	closing      chan struct{}

	logMu     sync.Mutex // guards logClosed; held while logging, never with mu
	logClosed bool

	mu            sync.Mutex // guards the fields below
	closed        bool
	tokenLifetime time.Duration
	browser       browserBehaviour
	deviceHook    func(DeviceCodeInfo)
	autoApprove   string
	codes         map[string]*authorizationCode
	signins       map[string]*pendingSignIn
	refresh       map[string]*refreshGrant
	devices       map[string]*deviceAuthorization // by device code
	userCodes     map[string]*deviceAuthorization
	assertionIDs  map[string]time.Time // client ID + jti → assertion expiry
	arcSecrets    map[string]bool
}

// Start starts a fake Entra ID on loopback listeners.
func Start(opts Options) (*Server, error) {
	s := &Server{
		now:                 opts.Now,
		logfn:               opts.Logf,
		deviceCodeInterval:  opts.DeviceCodeInterval,
		deviceCodeLifetime:  opts.DeviceCodeLifetime,
		strictDevicePolling: opts.StrictDevicePolling,
		tokenLifetime:       opts.AccessTokenLifetime,
		stateDir:            opts.StateDir,
		dir:                 newDirectory(),
		closing:             make(chan struct{}),
		codes:               map[string]*authorizationCode{},
		signins:             map[string]*pendingSignIn{},
		refresh:             map[string]*refreshGrant{},
		devices:             map[string]*deviceAuthorization{},
		userCodes:           map[string]*deviceAuthorization{},
		assertionIDs:        map[string]time.Time{},
		arcSecrets:          map[string]bool{},
		appSvcHeader:        randomToken(24),
		issuers:             workloadIssuers{requestToken: randomToken(24)},
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.deviceCodeInterval <= 0 {
		s.deviceCodeInterval = 5 * time.Second
	}
	s.deviceCodeInterval = s.deviceCodeInterval.Round(time.Second)
	if s.deviceCodeInterval < time.Second {
		s.deviceCodeInterval = time.Second
	}
	if s.deviceCodeLifetime <= 0 {
		s.deviceCodeLifetime = 15 * time.Minute
	}
	if s.tokenLifetime <= 0 {
		s.tokenLifetime = time.Hour
	}
	if err := s.start(opts.SigningKey); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

func (s *Server) start(signingKey *rsa.PrivateKey) error {
	if s.stateDir == "" {
		dir, err := os.MkdirTemp("", "fakeentra-")
		if err != nil {
			return fmt.Errorf("creating state directory: %w", err)
		}
		s.stateDir, s.removeStateDir = dir, true
	} else if err := os.MkdirAll(s.stateDir, 0o700); err != nil {
		return fmt.Errorf("creating state directory: %w", err)
	}
	s.arcKeyDir = filepath.Join(s.stateDir, "arc-tokens")
	if err := os.MkdirAll(s.arcKeyDir, 0o700); err != nil {
		return fmt.Errorf("creating Arc key directory: %w", err)
	}
	var err error
	if s.tls, err = newAuthorityTLS(s.stateDir); err != nil {
		return err
	}
	s.client = newTrustingClient(s.tls.pool)
	if s.signer, err = newSigningKey("fakeentra token signing", signingKey); err != nil {
		return err
	}
	if err := s.registerDefaults(); err != nil {
		return fmt.Errorf("registering the default directory: %w", err)
	}

	authority, err := s.listen(s.authorityRoutes(), true)
	if err != nil {
		return err
	}
	s.authorityURL = "https://" + authority
	imds, err := s.listen(s.imdsRoutes(), false)
	if err != nil {
		return err
	}
	s.imdsURL = "http://" + imds
	appSvc, err := s.listen(s.appServiceRoutes(), false)
	if err != nil {
		return err
	}
	s.appSvcURL = "http://" + appSvc + appServicePath
	cloudShell, err := s.listen(s.cloudShellRoutes(), false)
	if err != nil {
		return err
	}
	s.cloudShell = "http://" + cloudShell + cloudShellPath
	arc, err := s.listen(s.arcRoutes(), false)
	if err != nil {
		return err
	}
	s.arcURL = "http://" + arc + imdsTokenPath
	return nil
}

// registerDefaults fills the directory with the tenant, user, clients, APIs and system
// identity every Server starts with.
func (s *Server) registerDefaults() error {
	if err := s.dir.addTenant(DefaultTenant, DefaultTenantDomain); err != nil {
		return err
	}
	for _, r := range defaultResources() {
		if err := s.dir.addResource(r); err != nil {
			return err
		}
	}
	for _, a := range defaultApps() {
		if err := s.dir.addApp(a); err != nil {
			return err
		}
	}
	if err := s.dir.addUser(User{UPN: DefaultUser, Password: DefaultUserPassword, ObjectID: DefaultUserObjectID, Name: "Alice Example"}); err != nil {
		return err
	}
	return s.dir.addManagedIdentity(ManagedIdentity{
		ClientID: SystemIdentityClientID, ObjectID: SystemIdentityObjectID,
		ResourceID: SystemIdentityResourceID, System: true,
	})
}

// listen serves h on a fresh 127.0.0.1 port, over TLS when secure, and returns host:port.
func (s *Server) listen(h http.Handler, secure bool) (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", fmt.Errorf("listening on loopback: %w", err)
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	s.servers = append(s.servers, srv)
	if secure {
		srv.TLSConfig = s.tls.config.Clone()
		go srv.ServeTLS(ln, "", "")
	} else {
		go srv.Serve(ln)
	}
	return ln.Addr().String(), nil
}

// NewTest starts a Server for t, closes it when t ends, and fails t if it cannot start.
func NewTest(t testing.TB, opts Options) *Server {
	t.Helper()
	s, err := Start(opts)
	if err != nil {
		t.Fatalf("starting fake Entra ID: %v", err)
	}
	t.Cleanup(s.Close)
	return s
}

// Close stops every listener, releases requests that hang on a fault and removes the
// temporary state directory. It is safe to call more than once.
func (s *Server) Close() {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return
	}
	s.closed = true
	close(s.closing)
	s.mu.Unlock()
	defer func() {
		s.logMu.Lock()
		s.logClosed = true
		s.logMu.Unlock()
	}()
	var errs []error
	for _, srv := range s.servers {
		errs = append(errs, srv.Close())
	}
	if s.client != nil {
		s.client.CloseIdleConnections()
	}
	if s.removeStateDir {
		errs = append(errs, os.RemoveAll(s.stateDir))
	}
	if err := errors.Join(errs...); err != nil {
		s.logf("fakeentra: closing: %v", err)
	}
}

// URL returns the authority host, "https://127.0.0.1:<port>".
func (s *Server) URL() string { return s.authorityURL }

// logf logs through Options.Logf until Close; after it, lines are dropped so that a test
// logger is never called once its test has finished.
func (s *Server) logf(format string, args ...any) {
	if s.logfn == nil {
		return
	}
	s.logMu.Lock()
	defer s.logMu.Unlock()
	if !s.logClosed {
		s.logfn(format, args...)
	}
}

// SetAccessTokenLifetime changes the lifetime of access tokens issued from now on.
func (s *Server) SetAccessTokenLifetime(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tokenLifetime = d
}

func (s *Server) accessTokenLifetime() time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.tokenLifetime
}

// AddTenant registers a tenant (a GUID) with its verified domains, or adds domains to it.
func (s *Server) AddTenant(id string, domains ...string) error {
	return s.dir.addTenant(id, domains...)
}

// AddApp registers an application; it also becomes a resource addressable by its client ID
// and api://<client ID> (for on-behalf-of), unless AddResource registered that ID already.
func (s *Server) AddApp(app App) error { return s.dir.addApp(app) }

// AddResource registers an API, replacing one with the same app ID.
func (s *Server) AddResource(r Resource) error { return s.dir.addResource(r) }

// AddUser registers a user, replacing one with the same UPN.
func (s *Server) AddUser(u User) error { return s.dir.addUser(u) }

// AddManagedIdentity registers a managed identity.
func (s *Server) AddManagedIdentity(mi ManagedIdentity) error {
	return s.dir.addManagedIdentity(mi)
}
