package harness

import (
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"testing"
)

// EgressGuard is an HTTP proxy on loopback that refuses every request and records where it was
// going. A client under test runs with HTTP_PROXY and HTTPS_PROXY pointing at it: the fakes,
// on loopback, are reached directly (Go never proxies loopback addresses, and NO_PROXY says so
// for other clients), while an attempt to reach any other host, such as 169.254.169.254 or
// login.microsoftonline.com, ends at the guard, which says no and remembers it.
type EgressGuard struct {
	srv *httptest.Server

	mu       sync.Mutex
	attempts []string // host:port of each refused request, in order
}

// NewEgressGuard starts a guard that stops when t ends.
func NewEgressGuard(t testing.TB) *EgressGuard {
	g := &EgressGuard{}
	g.srv = httptest.NewServer(http.HandlerFunc(g.refuse))
	t.Cleanup(g.srv.Close)
	return g
}

// refuse records the destination of a proxied request (CONNECT host:port for https, an
// absolute URL for http) and answers 403.
func (g *EgressGuard) refuse(w http.ResponseWriter, r *http.Request) {
	dest := r.Host
	if r.Method != http.MethodConnect && r.URL.Host != "" {
		port := r.URL.Port()
		if port == "" {
			port = "80"
			if r.URL.Scheme == "https" {
				port = "443"
			}
		}
		dest = net.JoinHostPort(r.URL.Hostname(), port)
	}
	g.mu.Lock()
	g.attempts = append(g.attempts, dest)
	g.mu.Unlock()
	http.Error(w, "the test's egress guard refuses every destination that is not loopback", http.StatusForbidden)
}

// Env is the proxy environment that sends a client's non-loopback traffic to the guard.
func (g *EgressGuard) Env() map[string]string {
	return map[string]string{
		"HTTP_PROXY":  g.srv.URL,
		"HTTPS_PROXY": g.srv.URL,
		"NO_PROXY":    "127.0.0.1,localhost,::1",
	}
}

// Attempts returns the host:port of every request the guard refused so far.
func (g *EgressGuard) Attempts() []string {
	g.mu.Lock()
	defer g.mu.Unlock()
	return slices.Clone(g.attempts)
}

// GuardEgress sends the traffic of the world's commands for any host but loopback to a new
// guard, which stops when the test ends, and returns the guard.
func (w *World) GuardEgress() *EgressGuard {
	g := NewEgressGuard(w.t)
	for name, value := range g.Env() {
		w.Set(name, value)
	}
	return g
}
