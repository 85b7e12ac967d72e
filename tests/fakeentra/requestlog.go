package fakeentra

import (
	"net/http"
	"slices"
	"sync"
	"time"
)

// Endpoint kinds, as recorded in Request.Endpoint and matched by Fault.Endpoint.
const (
	EndpointToken       = "token"       // /oauth2/token and /oauth2/v2.0/token
	EndpointDeviceCode  = "devicecode"  // /oauth2/devicecode and /oauth2/v2.0/devicecode
	EndpointAuthorize   = "authorize"   // /oauth2/authorize, /oauth2/v2.0/authorize and the sign-in form
	EndpointDeviceLogin = "devicelogin" // the page a person enters a user code on
	EndpointDiscovery   = "discovery"   // OpenID configuration, JWKS, instance discovery, user realm
	EndpointIMDS        = "imds"
	EndpointAppService  = "appservice"
	EndpointCloudShell  = "cloudshell"
	EndpointArc         = "arc"
	EndpointWorkload    = "workload" // the Kubernetes and GitHub Actions OIDC issuers
	EndpointOther       = "other"
	// EndpointAny matches every kind in a Fault.
	EndpointAny = "*"
)

// Request is one request the fake served. It never holds a secret.
type Request struct {
	Method   string
	Path     string
	Endpoint string // one of the Endpoint kinds
	// GrantType is the token request's grant_type.
	GrantType string
	ClientID  string
	// Tenant is the tenant path segment as sent.
	Tenant string
	// Target is the scope (v2) or resource (v1, managed identity) asked for.
	Target string
	Time   time.Time
	// Status is the HTTP status of the answer.
	Status int
}

// requestLog records requests in arrival order.
type requestLog struct {
	mu      sync.Mutex
	entries []Request
}

func (l *requestLog) add(r Request) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.entries = append(l.entries, r)
}

// Requests returns the requests served since start or the last ResetCounts.
func (s *Server) Requests() []Request {
	s.requests.mu.Lock()
	defer s.requests.mu.Unlock()
	return slices.Clone(s.requests.entries)
}

// Count returns how many requests of an endpoint kind were served.
func (s *Server) Count(kind string) int {
	s.requests.mu.Lock()
	defer s.requests.mu.Unlock()
	n := 0
	for _, r := range s.requests.entries {
		if kind == EndpointAny || r.Endpoint == kind {
			n++
		}
	}
	return n
}

// TokenRequests returns how many POSTs reached a token endpoint.
func (s *Server) TokenRequests() int {
	s.requests.mu.Lock()
	defer s.requests.mu.Unlock()
	n := 0
	for _, r := range s.requests.entries {
		if r.Endpoint == EndpointToken && r.Method == http.MethodPost {
			n++
		}
	}
	return n
}

// ResetCounts forgets the requests served so far.
func (s *Server) ResetCounts() {
	s.requests.mu.Lock()
	defer s.requests.mu.Unlock()
	s.requests.entries = nil
}

// maxFormBytes bounds request bodies; real token requests are a few kilobytes.
const maxFormBytes = 1 << 20

// endpoint wraps a handler of one kind: it parses the form, applies injected faults, and
// records and logs the request.
func (s *Server) endpoint(kind string, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
		r.ParseForm() // a malformed body leaves the form empty; handlers report what is missing
		target := r.Form.Get("scope")
		if target == "" {
			target = r.Form.Get("resource")
		}
		entry := Request{
			Method:    r.Method,
			Path:      r.URL.Path,
			Endpoint:  kind,
			GrantType: r.PostForm.Get("grant_type"),
			ClientID:  r.Form.Get("client_id"),
			Tenant:    r.PathValue("tenant"),
			Target:    target,
			Time:      s.now(),
		}
		rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
		defer func() {
			entry.Status = rec.status
			s.requests.add(entry)
			s.logf("fakeentra: %s %s kind=%s grant=%s client=%s target=%q -> %d",
				entry.Method, entry.Path, kind, entry.GrantType, entry.ClientID, entry.Target, entry.Status)
		}()
		if s.faults.intercept(s, rec, r, kind, entry.GrantType, h) {
			return
		}
		h.ServeHTTP(rec, r)
	})
}

// statusRecorder remembers the status a handler wrote.
type statusRecorder struct {
	http.ResponseWriter
	status      int
	wroteHeader bool
}

func (w *statusRecorder) WriteHeader(code int) {
	if !w.wroteHeader {
		w.status, w.wroteHeader = code, true
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusRecorder) Unwrap() http.ResponseWriter { return w.ResponseWriter }
