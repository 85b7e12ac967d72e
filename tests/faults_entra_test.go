package tests

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aadcred/aadcred/tests/fakeentra"
)

func TestFaultsEntra(t *testing.T) { runMatrix(t, entraFaults()) }

// entraFault is a way Entra ID answers the refresh of a kept sign-in.
type entraFault struct {
	name   string
	tool   tool
	inject func(t *testing.T, w *faultWorld)
	person bool // a person is there to sign in again
	want   outcome
	after  afterFault
}

// afterFault is what the store keeps after the fault.
type afterFault int

const (
	// tokenServed: the token was served and cached, and the sign-in kept.
	tokenServed afterFault = iota
	// signInKept: nothing the store held changed, and once the service is back the sign-in works.
	signInKept
	// signInDropped: the refresh token the service invalidated is gone; a sign-in is needed.
	signInDropped
	// signedInAgain: a person signed in again, and that sign-in is kept.
	signedInAgain
)

func (a afterFault) String() string {
	return [...]string{
		tokenServed:   "the sign-in, and the token it gave",
		signInKept:    "the sign-in, unchanged; it works once the service is back",
		signInDropped: "no refresh token (the service invalidated it); the next call names the login command",
		signedInAgain: "the new sign-in",
	}[a]
}

// tokenFault injects f on the token endpoint's refresh-token grant.
func tokenFault(f fakeentra.Fault) func(*testing.T, *faultWorld) {
	return func(t *testing.T, w *faultWorld) {
		t.Helper()
		f.Endpoint, f.GrantType = fakeentra.EndpointToken, "refresh_token"
		if err := w.Entra.InjectFault(f); err != nil {
			t.Fatal(err)
		}
	}
}

// quickly bounds kubectl-aad's silent work to a few seconds (AZURE_CLI_TIMEOUT, kubelogin's
// variable), so that a stalled service fails the call soon.
func quickly(inject func(*testing.T, *faultWorld)) func(*testing.T, *faultWorld) {
	return func(t *testing.T, w *faultWorld) {
		w.Set("AZURE_CLI_TIMEOUT", "3s")
		inject(t, w)
	}
}

func entraError(code string, aadsts int, description string) *fakeentra.EntraError {
	return &fakeentra.EntraError{Error: code, Code: aadsts, Description: description}
}

var (
	errUnknownRefreshToken = entraError("invalid_grant", 70008, "The provided authorization code or refresh token has expired due to inactivity. Send a new interactive authorization request for this user and resource.")
	errMFA                 = &fakeentra.EntraError{Error: "interaction_required", Code: 50076,
		Description: "Due to a configuration change made by your administrator, or because you moved to a new location, you must use multi-factor authentication to access the resource.",
		Claims:      `{"access_token":{"capolids":{"essential":true,"values":["00000000-0000-0000-0000-00000000fa17"]}}}`}
)

func entraFaults() []matrixCase {
	revoke := func(t *testing.T, w *faultWorld) { w.Entra.RevokeRefreshTokens(fakeentra.DefaultUser) }
	refuse := func(t *testing.T, w *faultWorld) { w.Entra.Close(); w.offline = true }
	faults := []entraFault{
		{"429 short Retry-After", kubectlTool, tokenFault(fakeentra.Fault{Status: http.StatusTooManyRequests, RetryAfter: time.Second, Times: 1}),
			false, outcome{0, ""}, tokenServed},
		{"429 long Retry-After", gitTool, tokenFault(fakeentra.Fault{Status: http.StatusTooManyRequests, RetryAfter: time.Hour}),
			false, outcome{1, "asked to wait"}, signInKept},
		{"500", dockerTool, tokenFault(fakeentra.Fault{Status: http.StatusInternalServerError}),
			false, outcome{1, "AADSTS90000"}, signInKept},
		{"502 with an HTML body", gitTool, tokenFault(fakeentra.Fault{HTML: true, Status: http.StatusBadGateway}),
			false, outcome{1, "HTTP 502"}, signInKept},
		{"503 every time", kubectlTool, tokenFault(fakeentra.Fault{Status: http.StatusServiceUnavailable}),
			false, outcome{1, "AADSTS90033"}, signInKept},
		{"connection refused", dockerTool, refuse, false, outcome{1, "connection refused"}, signInKept},
		{"stall in the headers", kubectlTool, quickly(tokenFault(fakeentra.Fault{Hang: true})),
			false, outcome{1, "no answer in time"}, signInKept},
		{"stall in the body", kubectlTool, quickly(tokenFault(fakeentra.Fault{StallBody: true})),
			false, outcome{1, "deadline exceeded"}, signInKept},
		{"malformed body", gitTool, tokenFault(fakeentra.Fault{MalformedJSON: true}), false, outcome{1, "not a JSON object (94 bytes, truncated)"}, signInKept},
		{"empty body", dockerTool, tokenFault(fakeentra.Fault{Empty: true}), false, outcome{1, "the body is empty"}, signInKept},
		{"HTML body", kubectlTool, tokenFault(fakeentra.Fault{HTML: true, Status: http.StatusOK}), false, outcome{1, "an HTML page"}, signInKept},
		{"revoked refresh token (50173), no person", gitTool, revoke, false, outcome{1, "git credential-aad login"}, signInDropped},
		{"revoked refresh token (50173), a person", kubectlTool, revoke, true, outcome{0, ""}, signedInAgain},
		{"unknown refresh token (70008), no person", dockerTool, tokenFault(fakeentra.Fault{EntraError: errUnknownRefreshToken}),
			false, outcome{1, "docker-credential-aad login"}, signInDropped},
		{"unknown refresh token (70008), a person", gitTool, tokenFault(fakeentra.Fault{EntraError: errUnknownRefreshToken, Times: 1}),
			true, outcome{0, ""}, signedInAgain},
		{"MFA required (50076)", kubectlTool, tokenFault(fakeentra.Fault{EntraError: errMFA}), false, outcome{1, "AADSTS50076"}, signInKept},
	}
	var cases []matrixCase
	for _, f := range faults {
		cases = append(cases, matrixCase{
			name:  f.name,
			sees:  f.tool.name + ": " + f.want.String(),
			keeps: f.after.String(),
			run:   f.run,
		})
	}
	return cases
}

func (f entraFault) run(t *testing.T) {
	w := newFaultWorld(t)
	before := snapshot(t, w.StoreDir())
	w.Entra.ResetCounts()
	f.inject(t, w)
	if f.person {
		w.person()
		// What a person sees includes the sign-in prompt; what matters here is the outcome.
		r := f.tool.ask(w)
		if r.Code != f.want.code || !strings.Contains(r.Stderr, "enter the code") {
			t.Fatalf("a person was not asked to sign in again: exit %d\n%s", r.Code, r.Stderr)
		}
		w.noPerson()
	} else {
		f.want.require(t, f.tool.ask(w))
	}
	switch f.after {
	case tokenServed:
		outcome{0, ""}.require(t, f.tool.ask(w)) // from the cache now
		if n := w.Entra.TokenRequests(); n != 2 {
			t.Errorf("%d token requests, want the throttled one and its retry", n)
		}
	case signInKept:
		requireKept(t, before, snapshot(t, w.StoreDir()))
		if !w.offline {
			w.Entra.ClearFaults()
			w.Set("AZURE_CLI_TIMEOUT", "")
			outcome{0, ""}.require(t, f.tool.ask(w))
		}
	case signInDropped:
		if left := snapshot(t, w.StoreDir()).names("secrets", "a"); len(left) != 0 {
			t.Errorf("the invalidated refresh token is still in the store: %q", left)
		}
		w.Entra.ClearFaults()
		r := f.tool.ask(w)
		if r.Code == 0 || !strings.Contains(r.Stderr, " login") {
			t.Errorf("after the refresh token was dropped: exit %d\n%s", r.Code, r.Stderr)
		}
	case signedInAgain:
		w.Entra.ClearFaults()
		outcome{0, ""}.require(t, f.tool.ask(w))
		if n := w.Entra.Count(fakeentra.EndpointDeviceCode); n != 1 {
			t.Errorf("%d device codes for signing in again, want 1", n)
		}
	}
}
