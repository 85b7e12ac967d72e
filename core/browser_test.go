package core_test

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aadcred/aadcred/core"
	"github.com/aadcred/aadcred/core/entra"
	"github.com/aadcred/aadcred/tests/fakeentra"
)

// browserRequest is a browser sign-in opened by open.
func (w *world) browserRequest(target core.Target, open func(context.Context, string) error) core.Request {
	req := w.request(core.Browser, target)
	req.Interaction.OpenBrowser = open
	return req
}

func TestBrowser(t *testing.T) {
	t.Parallel()
	versions(t, func(t *testing.T, v entra.Version) {
		for _, formPost := range []bool{false, true} {
			w := newWorld(t, fakeentra.Options{}, nil)
			browser := newBrowserDriver(t, w.fake, fakeentra.DefaultUser, fakeentra.DefaultUserPassword)
			prompt := newPromptRecorder()
			req := w.browserRequest(core.Resource(core.AzureDevOpsResource), browser.open)
			req.Version = v
			req.Account = fakeentra.DefaultUser
			req.Interaction.FormPost = formPost
			req.Interaction.Prompt = prompt

			tok := acquire(t, w.client(), req)
			w.checkToken(tok, core.AzureDevOpsResource, alice)

			opened := browser.urls()
			if len(opened) != 1 {
				t.Fatalf("the browser was opened %d times, want once", len(opened))
			}
			q := queryOf(t, opened[0])
			wantMode := map[bool]string{false: "query", true: "form_post"}[formPost]
			redirect, err := url.Parse(q.Get("redirect_uri"))
			if err != nil || redirect.Scheme != "http" || redirect.Hostname() != "localhost" || redirect.Port() == "" {
				t.Errorf("redirect_uri %q is not http://localhost:<port>", q.Get("redirect_uri"))
			}
			for name, want := range map[string]string{
				"response_type": "code", "response_mode": wantMode, "code_challenge_method": "S256",
				"client_id": core.AzureCLIClientID, "login_hint": fakeentra.DefaultUser, "prompt": "select_account",
			} {
				if got := q.Get(name); got != want {
					t.Errorf("authorize %s = %q, want %q", name, got, want)
				}
			}
			if len(q.Get("state")) < 22 || len(q.Get("code_challenge")) != 43 {
				t.Errorf("state %q or code_challenge %q is too short", q.Get("state"), q.Get("code_challenge"))
			}
			if p := browser.page(); p.status != http.StatusOK || !strings.Contains(p.body, "Signed in") {
				t.Errorf("the browser shows %d %q, want the signed-in page", p.status, p.body)
			}
			if !strings.Contains(prompt.String(), opened[0]) {
				t.Errorf("the prompt %q does not give the address in case the browser did not open", prompt.String())
			}
		}
	})
}

// TestBrowserStateMismatch sends the loopback listener an answer that does not carry the
// sign-in's state before the real one: it must be refused without ending the sign-in.
func TestBrowserStateMismatch(t *testing.T) {
	t.Parallel()
	w := newWorld(t, fakeentra.Options{}, nil)
	browser := newBrowserDriver(t, w.fake, fakeentra.DefaultUser, fakeentra.DefaultUserPassword)
	var forged page
	browser.before = func(redirectURI string) {
		var err error
		forged, err = browser.visit(context.Background(), http.MethodGet, redirectURI+"/?code=forged-code&state=forged-state", nil)
		if err != nil {
			t.Errorf("delivering the forged answer: %v", err)
		}
	}
	tok := acquire(t, w.client(), w.browserRequest(core.Resource(core.AzureDevOpsResource), browser.open))
	w.checkToken(tok, core.AzureDevOpsResource, alice)
	if forged.status != http.StatusBadRequest || !strings.Contains(forged.body, "not accepted") {
		t.Errorf("the forged answer got %d %q, want it refused", forged.status, forged.body)
	}
	if got := grants(w.fake)["authorization_code"]; got != 1 {
		t.Errorf("%d codes redeemed, want only the real one", got)
	}
}

func TestBrowserErrorRedirect(t *testing.T) {
	t.Parallel()
	w := newWorld(t, fakeentra.Options{}, nil)
	w.fake.SetBrowserError("access_denied", "AADSTS65004: User declined to consent to access the app <script>.")
	browser := newBrowserDriver(t, w.fake, fakeentra.DefaultUser, fakeentra.DefaultUserPassword)
	_, err := w.client().Acquire(context.Background(), w.browserRequest(core.Resource(core.AzureDevOpsResource), browser.open))
	wantError(t, err, "browser sign-in", "access_denied", "65004")
	if e, ok := asEntraError(err); !ok || !e.Has(65004) {
		t.Errorf("want an *entra.Error naming AADSTS65004; got %#v", err)
	}
	p := browser.page()
	if p.status != http.StatusForbidden || !strings.Contains(p.body, "Sign-in failed") {
		t.Errorf("the browser shows %d %q, want the failure page", p.status, p.body)
	}
	if strings.Contains(p.body, "<script>") {
		t.Error("the service's error text reached the page unescaped")
	}
	if n := w.fake.TokenRequests(); n != 0 {
		t.Errorf("%d token requests after a refused sign-in", n)
	}
}

func TestBrowserTimeout(t *testing.T) {
	t.Parallel()
	w := newWorld(t, fakeentra.Options{}, nil)
	nobody := func(context.Context, string) error { return nil }
	req := w.browserRequest(core.Resource(core.AzureDevOpsResource), nobody)
	req.Interaction.Timeout = 200 * time.Millisecond
	start := time.Now()
	_, err := w.client().Acquire(context.Background(), req)
	wantError(t, err, "was not finished within 200ms")
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("timing out took %s", d)
	}
}

// TestBrowserPrintedURL signs in with no way to open a browser, and with an opener that fails:
// the person gets the address on the prompt and opens it themselves.
func TestBrowserPrintedURL(t *testing.T) {
	t.Parallel()
	failing := func(context.Context, string) error { return errors.New("no display") }
	for name, open := range map[string]func(context.Context, string) error{"none": nil, "failing": failing} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			w := newWorld(t, fakeentra.Options{}, nil)
			prompt := newPromptRecorder()
			req := w.browserRequest(core.Resource(core.AzureDevOpsResource), open)
			req.Interaction.Prompt = prompt
			done := make(chan error, 1)
			go func() {
				_, err := w.client().Acquire(context.Background(), req)
				done <- err
			}()
			shown := prompt.waitFor(t, func(s string) bool { return strings.Contains(s, "/oauth2/v2.0/authorize?") })
			var signInURL string
			for _, line := range strings.Split(shown, "\n") {
				if strings.HasPrefix(line, w.fake.URL()) {
					signInURL = line
				}
			}
			if !strings.Contains(shown, "open this address") || signInURL == "" {
				t.Fatalf("the prompt %q does not give the address on a line of its own", shown)
			}
			browser := newBrowserDriver(t, w.fake, fakeentra.DefaultUser, fakeentra.DefaultUserPassword)
			if err := browser.open(context.Background(), signInURL); err != nil {
				t.Fatal(err)
			}
			if err := <-done; err != nil {
				t.Fatal(err)
			}
		})
	}
}

// TestAuthCodeURLAndRedeemCode is a web app's sign-in: a confidential client with a secret and
// its own redirect URI, which the test never contacts.
func TestAuthCodeURLAndRedeemCode(t *testing.T) {
	t.Parallel()
	versions(t, func(t *testing.T, v entra.Version) {
		w := newWorld(t, fakeentra.Options{}, nil)
		const clientID, secret = "3eb0a1e5-0000-4000-8000-00000000a990", "web-app-secret~0123456789"
		const redirectURI = "https://app.example/signin-oidc"
		err := w.fake.AddApp(fakeentra.App{ClientID: clientID, Tenant: fakeentra.DefaultTenant, Secrets: []string{secret}, RedirectURIs: []string{redirectURI}})
		if err != nil {
			t.Fatal(err)
		}
		if err := w.fake.SetBrowserUser(fakeentra.DefaultUser); err != nil {
			t.Fatal(err)
		}
		client := w.client()
		req := w.request("", core.Resource(core.AzureDevOpsResource))
		req.Version, req.Tenant, req.ClientID = v, fakeentra.DefaultTenant, clientID
		req.Credential.ClientSecret = secret

		flow, err := client.AuthCodeURL(req, redirectURI)
		if err != nil {
			t.Fatal(err)
		}
		if flow.RedirectURI != redirectURI || flow.State == "" || len(flow.CodeVerifier) < 43 {
			t.Errorf("flow = %+v", flow)
		}
		code, state := authorize(t, w.fake, flow.URL)
		if state != flow.State {
			t.Fatalf("the service sent back state %q, want %q", state, flow.State)
		}

		_, err = client.RedeemCode(context.Background(), req, flow, code, "not-"+state)
		wantError(t, err, "state does not match")
		if n := w.fake.TokenRequests(); n != 0 {
			t.Fatalf("a code with the wrong state was sent to the service")
		}

		tok, err := client.RedeemCode(context.Background(), req, flow, code, state)
		if err != nil {
			t.Fatal(err)
		}
		claims := w.checkToken(tok, core.AzureDevOpsResource, alice)
		if claims.AppID != clientID || claims.Raw["appidacr"] != "1" {
			t.Errorf("want a token for the web app authenticated with its secret; claims %v", claims.Raw)
		}

		// A code is single use.
		_, err = client.RedeemCode(context.Background(), req, flow, code, state)
		wantError(t, err, "54005")
		noSecrets(t, err, secret, code, flow.CodeVerifier)

		// The account was kept: the web app gets the user's tokens for other resources without
		// the person. (Auto would pick the app's own secret and get an app-only token.)
		other := req
		other.Method = core.Browser
		other.Target = core.Resource(core.ContainerRegistryResource)
		other.Interaction = core.Interaction{Allowed: false}
		w.checkToken(acquire(t, w.client(), other), core.ContainerRegistryResource, alice)
	})
}

// TestRedeemCodeNotRetried loses the answer to a code redemption: the code was spent at the
// service, so sending it again could only fail (AADSTS54005) and must not be tried.
func TestRedeemCodeNotRetried(t *testing.T) {
	t.Parallel()
	w := newWorld(t, fakeentra.Options{}, nil)
	if err := w.fake.SetBrowserUser(fakeentra.DefaultUser); err != nil {
		t.Fatal(err)
	}
	err := w.fake.InjectFault(fakeentra.Fault{Endpoint: fakeentra.EndpointToken, GrantType: "authorization_code", Truncated: true, Times: 1})
	if err != nil {
		t.Fatal(err)
	}
	client := w.uncachedClient()
	req := w.request("", core.Resource(core.AzureDevOpsResource))
	flow, err := client.AuthCodeURL(req, "http://localhost:8400")
	if err != nil {
		t.Fatal(err)
	}
	code, state := authorize(t, w.fake, flow.URL)
	_, err = client.RedeemCode(context.Background(), req, flow, code, state)
	if err == nil {
		t.Fatal("a truncated answer gave no error")
	}
	noSecrets(t, err, code, flow.CodeVerifier)
	if n := w.fake.TokenRequests(); n != 1 {
		t.Errorf("the code was sent %d times, want once", n)
	}
}

// authorize loads an authorize URL as a browser would and reads the code and state from the
// redirect, without following it.
func authorize(t *testing.T, fake *fakeentra.Server, authorizeURL string) (code, state string) {
	t.Helper()
	noFollow := *fake.HTTPClient()
	noFollow.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	resp, err := noFollow.Get(authorizeURL)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusFound {
		t.Fatalf("authorize answered %d, want a redirect", resp.StatusCode)
	}
	q := queryOf(t, resp.Header.Get("Location"))
	if q.Get("code") == "" {
		t.Fatalf("the redirect carries no code: %s", q)
	}
	return q.Get("code"), q.Get("state")
}

func TestAuthCodeFormsRefuseBadInput(t *testing.T) {
	t.Parallel()
	w := newWorld(t, fakeentra.Options{}, nil)
	client := w.client()
	req := w.request("", core.Resource(core.AzureDevOpsResource))
	for _, redirectURI := range []string{"", "/signin", "localhost:8400", "http://"} {
		_, err := client.AuthCodeURL(req, redirectURI)
		wantError(t, err, "not an absolute URL")
	}
	flow, err := client.AuthCodeURL(req, "http://localhost:8400")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		flow        *core.AuthCodeFlow
		code, state string
		want        string
	}{
		{nil, "code", "state", "no sign-in in progress"},
		{&core.AuthCodeFlow{}, "code", "", "no sign-in in progress"},
		{flow, "", flow.State, "no authorization code"},
		{flow, "code", "", "state does not match"},
	} {
		_, err := client.RedeemCode(context.Background(), req, c.flow, c.code, c.state)
		wantError(t, err, c.want)
	}
	if n := len(w.fake.Requests()); n != 0 {
		t.Errorf("the fake saw %d requests", n)
	}
}
