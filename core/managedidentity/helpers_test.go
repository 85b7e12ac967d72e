package managedidentity

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/aadcred/aadcred/core/entra"
)

// testNow is the clock every test client reads; expires_in is counted from it.
var testNow = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// env is a fake environment: only the variables a test names exist.
type env map[string]string

func (e env) get(name string) string { return e[name] }

// testClient is a Client that sees only vars, finds no Azure Arc agent, reads the test clock, and
// records sleeps instead of sleeping.
type testClient struct {
	*Client
	mu    sync.Mutex
	slept []time.Duration
}

func newTestClient(t *testing.T, vars env) *testClient {
	t.Helper()
	tc := &testClient{}
	tc.Client = &Client{
		Entra: &entra.Client{
			Now: func() time.Time { return testNow },
			Sleep: func(ctx context.Context, d time.Duration) error {
				tc.mu.Lock()
				defer tc.mu.Unlock()
				tc.slept = append(tc.slept, d)
				return ctx.Err()
			},
		},
		Getenv:       vars.get,
		ArcAgentPath: filepath.Join(t.TempDir(), "no-himds-here"),
		ArcTokensDir: t.TempDir(),
	}
	return tc
}

func (tc *testClient) sleeps() []time.Duration {
	tc.mu.Lock()
	defer tc.mu.Unlock()
	return append([]time.Duration(nil), tc.slept...)
}

// answer is one canned HTTP answer of a fake endpoint.
type answer struct {
	status int
	header http.Header
	body   string
}

func ok(body string) answer { return answer{status: http.StatusOK, body: body} }

// request is what a fake endpoint saw.
type request struct {
	Method string
	Path   string
	Query  url.Values
	Header http.Header
	Form   url.Values // POST body
}

// fakeEndpoint is a managed-identity endpoint on 127.0.0.1 that gives its answers in order,
// repeating the last, and records every request.
type fakeEndpoint struct {
	URL string
	mu  sync.Mutex
	got []request
}

func newFakeEndpoint(t *testing.T, answers ...answer) *fakeEndpoint {
	t.Helper()
	f := &fakeEndpoint{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := r.ParseForm(); err != nil {
			t.Errorf("fake endpoint: reading the form: %v", err)
		}
		f.mu.Lock()
		n := len(f.got)
		f.got = append(f.got, request{Method: r.Method, Path: r.URL.Path, Query: r.URL.Query(), Header: r.Header.Clone(), Form: r.PostForm})
		f.mu.Unlock()
		a := answers[min(n, len(answers)-1)]
		for k, vs := range a.header {
			w.Header()[k] = vs
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(a.status)
		_, _ = w.Write([]byte(a.body))
	}))
	t.Cleanup(srv.Close)
	f.URL = srv.URL
	return f
}

func (f *fakeEndpoint) requests() []request {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]request(nil), f.got...)
}

// only returns the single request the endpoint saw, failing the test if there was not exactly one.
func (f *fakeEndpoint) only(t *testing.T) request {
	t.Helper()
	got := f.requests()
	if len(got) != 1 {
		t.Fatalf("endpoint saw %d requests, want 1", len(got))
	}
	return got[0]
}

// assertQuery checks that a request's query is exactly want.
func assertQuery(t *testing.T, got url.Values, want url.Values) {
	t.Helper()
	if got.Encode() != want.Encode() {
		t.Errorf("query = %s, want %s", got.Encode(), want.Encode())
	}
}

const (
	armResource  = "https://management.azure.com/"
	testClientID = "11111111-1111-1111-1111-111111111111"
	testObjectID = "22222222-2222-2222-2222-222222222222"
	testResID    = "/subscriptions/33333333-3333-3333-3333-333333333333/resourceGroups/rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/uami"
)
