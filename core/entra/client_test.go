package entra

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// server answers each request with the next of answers (the last one repeats) and counts them.
type server struct {
	*httptest.Server
	hits    atomic.Int32
	answers []func(w http.ResponseWriter, r *http.Request)
}

func newServer(t *testing.T, answers ...func(w http.ResponseWriter, r *http.Request)) *server {
	s := &server{answers: answers}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := int(s.hits.Add(1)) - 1
		s.answers[min(n, len(s.answers)-1)](w, r)
	}))
	t.Cleanup(s.Close)
	return s
}

func status(code int, header, body string) func(http.ResponseWriter, *http.Request) {
	return func(w http.ResponseWriter, r *http.Request) {
		if k, v, ok := strings.Cut(header, ": "); ok {
			w.Header().Set(k, v)
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(code)
		fmt.Fprint(w, body)
	}
}

var okToken = status(200, "", `{"access_token":"at","expires_in":3600,"token_type":"Bearer"}`)

// testClient records the waits instead of sleeping.
func testClient(waits *[]time.Duration) *Client {
	return &Client{
		Now: func() time.Time { return epoch },
		Sleep: func(ctx context.Context, d time.Duration) error {
			*waits = append(*waits, d)
			return ctx.Err()
		},
	}
}

// endpoint is the test server as an authority. The servers speak plain http, which
// ParseAuthority refuses; package entra's client itself sends to the endpoint it is given.
func endpoint(t *testing.T, s *server) Endpoint {
	u, err := url.Parse(s.URL)
	if err != nil {
		t.Fatal(err)
	}
	return Endpoint{Authority: u, Tenant: "contoso.onmicrosoft.com"}
}

func TestTokenPostsFormToTheVersionedEndpoint(t *testing.T) {
	var got *http.Request
	var form url.Values
	s := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		got = r
		r.ParseForm()
		form = r.PostForm
		okToken(w, r)
	})
	var waits []time.Duration
	c := testClient(&waits)
	c.UserAgent = "aadcred-test"
	for _, v := range []Version{V2, V1} {
		ep := endpoint(t, s)
		ep.Version = v
		if _, err := c.Token(context.Background(), ep, url.Values{"grant_type": {"client_credentials"}, "client_id": {"app"}}); err != nil {
			t.Fatal(err)
		}
		want := "/contoso.onmicrosoft.com/oauth2/v2.0/token"
		if v == V1 {
			want = "/contoso.onmicrosoft.com/oauth2/token"
		}
		if got.URL.Path != want || got.Method != http.MethodPost {
			t.Errorf("%v: %s %s, want POST %s", v, got.Method, got.URL.Path, want)
		}
		if ct := got.Header.Get("Content-Type"); ct != "application/x-www-form-urlencoded" {
			t.Errorf("Content-Type %q", ct)
		}
		if _, _, ok := got.BasicAuth(); ok {
			t.Error("client authentication must be in the body, never HTTP Basic")
		}
		if form.Get("client_id") != "app" || got.Header.Get("User-Agent") != "aadcred-test" {
			t.Errorf("form %v, user agent %q", form, got.Header.Get("User-Agent"))
		}
	}
}

func TestRetriesHonourRetryAfter(t *testing.T) {
	s := newServer(t, status(429, "Retry-After: 7", `{"error":"temporarily_unavailable"}`), okToken)
	var waits []time.Duration
	if _, err := testClient(&waits).Token(context.Background(), endpoint(t, s), url.Values{"grant_type": {"refresh_token"}}); err != nil {
		t.Fatal(err)
	}
	if s.hits.Load() != 2 || len(waits) != 1 || waits[0] != 7*time.Second {
		t.Errorf("hits %d, waits %v; want 2 hits and one 7s wait", s.hits.Load(), waits)
	}
}

func TestRetriesAreBounded(t *testing.T) {
	s := newServer(t, status(500, "", `{"error":"server_error"}`))
	var waits []time.Duration
	_, err := testClient(&waits).Token(context.Background(), endpoint(t, s), url.Values{"grant_type": {"client_credentials"}})
	var e *Error
	if !errors.As(err, &e) || e.StatusCode != 500 {
		t.Fatalf("err = %v", err)
	}
	if s.hits.Load() != 3 || fmt.Sprint(waits) != "[1s 2s]" {
		t.Errorf("hits %d, waits %v; want 3 hits with 1s, 2s backoff", s.hits.Load(), waits)
	}
}

func TestAuthorizationCodeIsNeverResent(t *testing.T) {
	s := newServer(t, status(503, "Retry-After: 1", ``), okToken)
	var waits []time.Duration
	_, err := testClient(&waits).Token(context.Background(), endpoint(t, s), url.Values{"grant_type": {"authorization_code"}, "code": {"c"}})
	if err == nil || s.hits.Load() != 1 {
		t.Errorf("err %v after %d hits; a code redemption must be sent once", err, s.hits.Load())
	}
}

func TestRetryAfterBeyondDeadlineFailsAtOnce(t *testing.T) {
	s := newServer(t, status(429, "Retry-After: 120", ``), okToken)
	var waits []time.Duration
	c := testClient(&waits)
	c.Now = time.Now
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_, err := c.Token(ctx, endpoint(t, s), url.Values{"grant_type": {"client_credentials"}})
	if err == nil || !strings.Contains(err.Error(), "longer than the time left") || len(waits) != 0 {
		t.Errorf("err %v, waits %v", err, waits)
	}
}

func TestNonJSONErrorAndSuccess(t *testing.T) {
	s := newServer(t, status(502, "Content-Type: text/html", `<html>bad gateway</html>`))
	var waits []time.Duration
	c := testClient(&waits)
	c.Retries = -1
	_, err := c.Token(context.Background(), endpoint(t, s), url.Values{"grant_type": {"client_credentials"}})
	if err == nil || !strings.Contains(err.Error(), "HTTP 502") || !strings.Contains(err.Error(), "token endpoint") {
		t.Errorf("err = %v", err)
	}

	s = newServer(t, status(200, "", `{"access_token":"at","expires_in":`))
	_, err = c.Token(context.Background(), endpoint(t, s), url.Values{"grant_type": {"client_credentials"}})
	if err == nil || !strings.Contains(err.Error(), "truncated") {
		t.Errorf("err = %v", err)
	}
}

func TestRedirectsAreNotFollowed(t *testing.T) {
	target := newServer(t, okToken)
	s := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, target.URL+"/steal", http.StatusTemporaryRedirect)
	})
	var waits []time.Duration
	_, err := testClient(&waits).Token(context.Background(), endpoint(t, s), url.Values{"client_secret": {"s"}})
	if err == nil || target.hits.Load() != 0 {
		t.Errorf("err %v, redirect target hit %d times", err, target.hits.Load())
	}
}

func TestNetworkErrorNamesHostAndIsRetried(t *testing.T) {
	s := newServer(t, okToken)
	ep := endpoint(t, s)
	s.Close()
	var waits []time.Duration
	_, err := testClient(&waits).Token(context.Background(), ep, url.Values{"grant_type": {"client_credentials"}})
	if err == nil || !strings.Contains(err.Error(), "cannot reach "+strings.TrimPrefix(s.URL, "http://")) || len(waits) != 2 {
		t.Errorf("err %v, waits %v", err, waits)
	}
}

func TestParseAuthority(t *testing.T) {
	for in, want := range map[string]string{
		"https://login.microsoftonline.com/": "https://login.microsoftonline.com",
		"https://login.microsoftonline.com":  "https://login.microsoftonline.com",
		"https://login.example:8443/custom/": "https://login.example:8443/custom",
		"https://127.0.0.1:9999":             "https://127.0.0.1:9999",
	} {
		u, err := ParseAuthority(in)
		if err != nil || u.String() != want {
			t.Errorf("ParseAuthority(%q) = %v, %v; want %s", in, u, err, want)
		}
	}
	// Plain http is refused even on loopback: the authority is sent client secrets, assertions
	// and refresh tokens, and any local process can listen on a loopback port.
	for _, bad := range []string{"", "login.microsoftonline.com", "http://login.microsoftonline.com", "http://127.0.0.1:9999", "http://localhost:1/",
		"http://[::1]:8080", "ftp://x", "https://u:p@x", "https://x/?q=1", "https://x/#f"} {
		if _, err := ParseAuthority(bad); err == nil {
			t.Errorf("ParseAuthority(%q) succeeded", bad)
		}
	}
}

func TestValidateTenant(t *testing.T) {
	for _, ok := range []string{"organizations", "contoso.onmicrosoft.com", "72f988bf-86f1-41af-91ab-2d7cd011db47"} {
		if err := ValidateTenant(ok); err != nil {
			t.Errorf("%q: %v", ok, err)
		}
	}
	for _, bad := range []string{"", "a/b", "../x", "a b", "a?b", strings.Repeat("a", 300)} {
		if err := ValidateTenant(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

func TestTransient(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want bool
	}{
		{&UnreachableError{Err: errors.New("http2: stream error: stream ID 1; INTERNAL_ERROR")}, true},
		{&UnreachableError{Err: io.ErrUnexpectedEOF}, true},
		{&UnreachableError{Err: x509.UnknownAuthorityError{}}, false},
		{&UnreachableError{Err: &tls.CertificateVerificationError{Err: errors.New("bad")}}, false},
		{fmt.Errorf("wrapped: %w", &Error{StatusCode: 503}), true},
		{&Error{StatusCode: 400, Code: "invalid_grant"}, false},
		{context.Canceled, false},
		{&UnreachableError{Err: context.Canceled}, false},
		{context.DeadlineExceeded, true},
	} {
		if got := Transient(tc.err); got != tc.want {
			t.Errorf("Transient(%v) = %v, want %v", tc.err, got, tc.want)
		}
	}
}
