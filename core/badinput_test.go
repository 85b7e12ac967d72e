package core_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aadcred/aadcred/core"
	"github.com/aadcred/aadcred/core/entra"
	"github.com/aadcred/aadcred/tests/fakeentra"
)

func TestRequestRefused(t *testing.T) {
	t.Parallel()
	w := newWorld(t, fakeentra.Options{}, nil)
	clientID, secret := w.fake.NewServicePrincipal("")
	good := w.appRequest(core.ClientSecret, clientID, core.Resource(core.AzureDevOpsResource), entra.V2, core.Credential{ClientSecret: secret})
	for _, c := range []struct {
		name   string
		change func(*core.Request)
		want   []string
	}{
		{"plain http authority", func(r *core.Request) { r.AuthorityHost = "http://login.microsoftonline.com" }, []string{"must use https"}},
		{"authority with a query", func(r *core.Request) { r.AuthorityHost = w.fake.URL() + "/?x=1" }, []string{"query"}},
		{"authority not a URL", func(r *core.Request) { r.AuthorityHost = "login.microsoftonline.com" }, []string{"not an absolute URL"}},
		{"tenant with a path", func(r *core.Request) { r.Tenant = "contoso/../common" }, []string{"not a tenant ID or domain"}},
		{"tenant with a space", func(r *core.Request) { r.Tenant = "contoso com" }, []string{"not a tenant ID or domain"}},
		{"no tenant", func(r *core.Request) { r.Tenant = "" }, []string{"needs a tenant", "AZURE_TENANT_ID"}},
		{"no client", func(r *core.Request) { r.ClientID = "" }, []string{"needs a client ID", "AZURE_CLIENT_ID"}},
		{"unknown method", func(r *core.Request) { r.Method = "magic" }, []string{`unknown method "magic"`, "devicecode"}},
	} {
		req := good
		c.change(&req)
		_, err := w.uncachedClient().Acquire(context.Background(), req)
		if err == nil {
			t.Errorf("%s: no error", c.name)
			continue
		}
		wantError(t, err, c.want...)
		noSecrets(t, err, secret)
	}
	if n := len(w.fake.Requests()); n != 0 {
		t.Errorf("the fake saw %d requests for requests that cannot be sent", n)
	}
	acquire(t, w.uncachedClient(), good)
}

// TestServiceFaults makes the fake misbehave on token requests and checks what the caller sees.
func TestServiceFaults(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name  string
		fault fakeentra.Fault
		// ok says the request must succeed after retrying; else the error must mention want.
		ok   bool
		want []string
		// requests is how many token requests the fake must see; -1 leaves it unchecked.
		requests int
	}{
		{"throttled once", fakeentra.Fault{Status: 429, RetryAfter: time.Second, Times: 1}, true, nil, 2},
		{"server error once", fakeentra.Fault{Status: 500, Times: 1}, true, nil, 2},
		{"unavailable throughout", fakeentra.Fault{Status: 503, RetryAfter: time.Second}, false, []string{"temporarily_unavailable", "90033"}, 3},
		// How often a cut-off answer is retried is package entra's business (a reset HTTP/2
		// stream is not retried today); here it must end in a clear error.
		{"answer cut off", fakeentra.Fault{Truncated: true}, false, []string{"reading the answer"}, -1},
		{"malformed JSON", fakeentra.Fault{MalformedJSON: true}, false, []string{"token response is not a JSON object"}, 1},
		{"a proxy's page", fakeentra.Fault{HTML: true, Status: 403}, false, []string{"403", "not an Entra ID error"}, 1},
		{"an Entra error", fakeentra.Fault{EntraError: &fakeentra.EntraError{Error: "invalid_client", Code: 7000222,
			Description: "The provided client secret keys for app are expired."}}, false, []string{"invalid_client", "7000222"}, 1},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			w := newWorld(t, fakeentra.Options{}, nil)
			clientID, secret := w.fake.NewServicePrincipal("")
			c.fault.Endpoint = fakeentra.EndpointToken
			if err := w.fake.InjectFault(c.fault); err != nil {
				t.Fatal(err)
			}
			req := w.appRequest(core.ClientSecret, clientID, core.Resource(core.AzureDevOpsResource), entra.V2, core.Credential{ClientSecret: secret})
			tok, err := w.uncachedClient().Acquire(context.Background(), req)
			if c.ok {
				if err != nil {
					t.Fatalf("not retried to success: %v", err)
				}
				w.checkToken(tok, core.AzureDevOpsResource, labels{})
			} else {
				wantError(t, err, c.want...)
				noSecrets(t, err, secret, "eyJ", "<html")
			}
			if n := w.fake.TokenRequests(); c.requests >= 0 && n != c.requests {
				t.Errorf("the fake saw %d token requests, want %d", n, c.requests)
			}
		})
	}
}

// TestTokenAnswerWithoutAccessToken is a token endpoint that answers 200 with no token.
func TestTokenAnswerWithoutAccessToken(t *testing.T) {
	t.Parallel()
	for _, body := range []string{`{"token_type":"Bearer","expires_in":3599}`, `{"access_token":"x.y.z","token_type":"Bearer"}`, `null`, ``} {
		authority := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			w.Write([]byte(body))
		}))
		defer authority.Close()
		c := &core.Client{HTTPClient: authority.Client(), Getenv: func(string) string { return "" }}
		_, err := c.Acquire(context.Background(), core.Request{
			AuthorityHost: authority.URL, Tenant: fakeentra.DefaultTenant, ClientID: "11111111-1111-4111-8111-111111111111",
			Method: core.ClientSecret, Credential: core.Credential{ClientSecret: "s3cret-value"},
			Target: core.Resource(core.AzureDevOpsResource),
		})
		if err == nil {
			t.Errorf("answer %q: no error", body)
			continue
		}
		if !strings.Contains(err.Error(), "token response") {
			t.Errorf("answer %q: error %q does not say the token response was wrong", body, err)
		}
		noSecrets(t, err, "s3cret-value")
	}
}
