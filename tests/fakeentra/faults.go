package fakeentra

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// Fault makes matching requests fail in a chosen way. Set at most one of MalformedJSON, Empty,
// Truncated, HTML, EntraError, Hang and StallBody; Status alone answers that status; Delay alone
// delays the request and then serves it normally.
type Fault struct {
	// Endpoint is the kind of endpoint to hit (EndpointToken, EndpointIMDS, …, or EndpointAny).
	Endpoint string
	// GrantType, when set, limits the fault to token requests with that grant_type.
	GrantType string
	// Times is how many matching requests the fault hits; 0 means until ClearFaults.
	Times int

	// Status is the HTTP status to answer (e.g. 429, 500, 502, 503, 504); with HTML or
	// EntraError it overrides their status.
	Status int
	// RetryAfter is sent as a Retry-After header, in whole seconds.
	RetryAfter time.Duration
	// Delay holds the request this long before the fault (or the normal answer).
	Delay time.Duration
	// Hang never answers: the request is held until the client gives up or the server closes.
	Hang bool
	// StallBody answers 200 with its headers and the start of a JSON body, then holds the rest
	// until the client gives up or the server closes.
	StallBody bool
	// MalformedJSON answers 200 with a body that is not valid JSON.
	MalformedJSON bool
	// Empty answers 200 with an empty body.
	Empty bool
	// Truncated serves the request normally but cuts the connection halfway through the body.
	// The request takes effect (a code is spent, a token issued); only the answer is lost.
	Truncated bool
	// HTML answers an HTML error page like a proxy's (status 502 unless Status says otherwise).
	HTML bool
	// EntraError answers this error in Entra's exact shape.
	EntraError *EntraError

	// Reached, when set, receives a value (without blocking) each time the fault takes a
	// request, before its delay: a test learns that a client is now waiting on it.
	Reached chan<- struct{}
}

// faultSet holds the injected faults in injection order.
type faultSet struct {
	mu     sync.Mutex
	faults []*activeFault
}

type activeFault struct {
	Fault
	left int // remaining hits; -1 means unlimited
}

// InjectFault adds a fault. Faults are tried in the order they were added; the first that
// matches a request applies.
func (s *Server) InjectFault(f Fault) error {
	if f.Endpoint == "" {
		return errors.New("fault needs an Endpoint kind (or EndpointAny)")
	}
	if f.Times < 0 {
		return fmt.Errorf("fault Times is %d; use 0 for unlimited", f.Times)
	}
	actions := 0
	for _, set := range []bool{f.MalformedJSON, f.Empty, f.Truncated, f.HTML, f.EntraError != nil, f.Hang, f.StallBody} {
		if set {
			actions++
		}
	}
	if actions > 1 {
		return errors.New("fault sets more than one of MalformedJSON, Empty, Truncated, HTML, EntraError, Hang and StallBody")
	}
	if actions == 0 && f.Status == 0 && f.Delay == 0 {
		return errors.New("fault does nothing: set Status, Delay or one of the failure modes")
	}
	if f.Status != 0 && (f.Status < 100 || f.Status > 599) {
		return fmt.Errorf("fault Status %d is not an HTTP status", f.Status)
	}
	if f.EntraError != nil {
		e := *f.EntraError
		f.EntraError = &e
	}
	left := f.Times
	if left == 0 {
		left = -1
	}
	s.faults.mu.Lock()
	defer s.faults.mu.Unlock()
	s.faults.faults = append(s.faults.faults, &activeFault{Fault: f, left: left})
	return nil
}

// ClearFaults removes every fault.
func (s *Server) ClearFaults() {
	s.faults.mu.Lock()
	defer s.faults.mu.Unlock()
	s.faults.faults = nil
}

// take returns the first fault matching the request and counts the hit.
func (fs *faultSet) take(kind, grantType string) (Fault, bool) {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	for i, f := range fs.faults {
		if f.Endpoint != EndpointAny && f.Endpoint != kind {
			continue
		}
		if f.GrantType != "" && f.GrantType != grantType {
			continue
		}
		if f.left > 0 {
			f.left--
			if f.left == 0 {
				fs.faults = append(fs.faults[:i:i], fs.faults[i+1:]...)
			}
		}
		return f.Fault, true
	}
	return Fault{}, false
}

// intercept applies a matching fault. It reports whether the request has been answered.
func (fs *faultSet) intercept(s *Server, w http.ResponseWriter, r *http.Request, kind, grantType string, next http.Handler) bool {
	f, ok := fs.take(kind, grantType)
	if !ok {
		return false
	}
	if f.Reached != nil {
		select {
		case f.Reached <- struct{}{}:
		default:
		}
	}
	if f.Delay > 0 {
		timer := time.NewTimer(f.Delay)
		defer timer.Stop()
		select {
		case <-timer.C:
		case <-r.Context().Done():
			return true
		case <-s.closing:
			return true
		}
	}
	if f.RetryAfter > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(f.RetryAfter.Seconds()))))
	}
	switch {
	case f.Hang:
		s.hold(r)
	case f.StallBody:
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.Header().Set("Content-Length", "4096")
		w.WriteHeader(http.StatusOK)
		w.Write([]byte(`{"token_type":"Bearer","expires_in":3599,"access_token":"`))
		http.NewResponseController(w).Flush()
		s.hold(r)
	case f.Empty:
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.Header().Set("Content-Length", "0")
		w.WriteHeader(http.StatusOK)
	case f.MalformedJSON:
		body := []byte(`{"token_type":"Bearer","expires_in":3599,"access_token":"eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.`)
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		w.WriteHeader(http.StatusOK)
		w.Write(body)
	case f.Truncated:
		serveTruncated(w, r, next)
	case f.HTML:
		status := f.Status
		if status == 0 {
			status = http.StatusBadGateway
		}
		text := http.StatusText(status)
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.WriteHeader(status)
		fmt.Fprintf(w, "<html>\r\n<head><title>%d %s</title></head>\r\n<body>\r\n<center><h1>%d %s</h1></center>\r\n<hr><center>fake proxy</center>\r\n</body>\r\n</html>\r\n", status, text, status, text)
	case f.EntraError != nil:
		e := *f.EntraError
		if f.Status != 0 {
			e.Status = f.Status
		}
		s.writeEntraError(w, r, e)
	case f.Status != 0:
		s.writeEntraError(w, r, statusError(f.Status))
	default:
		return false // a bare delay: serve normally
	}
	return true
}

// hold keeps a request waiting until its client gives up or the server closes.
func (s *Server) hold(r *http.Request) {
	select {
	case <-r.Context().Done():
	case <-s.closing:
	}
}

// statusError is the Entra-shaped body sent with an injected bare status.
func statusError(status int) EntraError {
	switch status {
	case http.StatusTooManyRequests:
		return EntraError{Error: "temporarily_unavailable", Code: 90055, Status: status,
			Description: "There are too many incoming requests. Please try again later."}
	case http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		return EntraError{Error: "temporarily_unavailable", Code: 90033, Status: status,
			Description: "A transient error has occurred. Please try again."}
	default:
		return EntraError{Error: "server_error", Code: 90000, Status: status,
			Description: "The server encountered an unexpected error."}
	}
}

// serveTruncated runs next, then sends its status, headers and the first half of its body
// under the full Content-Length, and aborts the connection.
func serveTruncated(w http.ResponseWriter, r *http.Request, next http.Handler) {
	buf := &bufferedResponse{header: http.Header{}, status: http.StatusOK}
	next.ServeHTTP(buf, r)
	for k, v := range buf.header {
		w.Header()[k] = v
	}
	w.Header().Set("Content-Length", strconv.Itoa(buf.body.Len()))
	w.WriteHeader(buf.status)
	w.Write(buf.body.Bytes()[:buf.body.Len()/2])
	http.NewResponseController(w).Flush()
	panic(http.ErrAbortHandler)
}

// bufferedResponse collects a handler's answer.
type bufferedResponse struct {
	header      http.Header
	status      int
	wroteHeader bool
	body        bytes.Buffer
}

func (b *bufferedResponse) Header() http.Header { return b.header }

func (b *bufferedResponse) WriteHeader(code int) {
	if !b.wroteHeader {
		b.status, b.wroteHeader = code, true
	}
}

func (b *bufferedResponse) Write(p []byte) (int, error) {
	b.wroteHeader = true
	return b.body.Write(p)
}
