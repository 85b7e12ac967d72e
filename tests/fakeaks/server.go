package fakeaks

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/aadcred/aadcred/tests/fakeentra"
)

// ServerAppID is the AKS AAD server application, the audience AKS clusters accept.
const ServerAppID = "6dae42f8-4368-4678-94ff-3960e28e3630"

// Options configure a Server.
type Options struct {
	// Entra is the fake Entra ID whose tokens the cluster accepts and whose certificate it
	// serves with. Required.
	Entra *fakeentra.Server
	// Tenant is the cluster's tenant; tokens of other tenants are refused.
	// fakeentra.DefaultTenant when empty.
	Tenant string
	// Audience is the server application the cluster accepts tokens for; ServerAppID when
	// empty.
	Audience string
	// PoPHost makes the cluster an Azure Arc-connected one with this ARM ID: it accepts only
	// proof-of-possession signed requests for it, as Arc's guard does.
	PoPHost string
}

// Server is a running fake API server. Its methods are safe for concurrent use.
type Server struct {
	verifier *fakeentra.Verifier
	tenant   string
	audience string
	popHost  string
	url      string
	srv      *http.Server

	mu       sync.Mutex // guards requests
	requests []Request
}

// Request is one request the server answered. It never holds a token.
type Request struct {
	Method string
	Path   string
	// Status is the HTTP status of the answer.
	Status int
	// Caller is who the token was for: the user's UPN, or the application's ID for app-only
	// tokens. Empty when the request was refused.
	Caller string
	// Refusal says why the token was refused, when it was.
	Refusal string
}

// Start starts a fake API server on a loopback port.
func Start(opts Options) (*Server, error) {
	if opts.Entra == nil {
		return nil, errors.New("fakeaks: Options.Entra is required")
	}
	s := &Server{verifier: opts.Entra.Verifier(), tenant: opts.Tenant, audience: opts.Audience, popHost: opts.PoPHost}
	if s.tenant == "" {
		s.tenant = fakeentra.DefaultTenant
	}
	if s.audience == "" {
		s.audience = ServerAppID
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("fakeaks: listening on loopback: %w", err)
	}
	s.url = "https://" + ln.Addr().String()
	s.srv = &http.Server{Handler: s.routes(), ReadHeaderTimeout: 10 * time.Second, TLSConfig: opts.Entra.ServerTLSConfig()}
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

// URL is the cluster's server address, "https://127.0.0.1:<port>", as a kubeconfig names it.
func (s *Server) URL() string { return s.url }

// Requests returns the requests answered so far, in order.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.requests)
}

// Authorized returns the requests that were let in.
func (s *Server) Authorized() []Request {
	var out []Request
	for _, r := range s.Requests() {
		if r.Caller != "" {
			out = append(out, r)
		}
	}
	return out
}

// Refused counts the requests answered 401.
func (s *Server) Refused() int {
	n := 0
	for _, r := range s.Requests() {
		if r.Status == http.StatusUnauthorized {
			n++
		}
	}
	return n
}

func (s *Server) record(r Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests = append(s.requests, r)
}
