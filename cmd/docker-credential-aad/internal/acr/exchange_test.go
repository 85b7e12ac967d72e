package acr

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aadcred/aadcred/core/entra"
	"github.com/aadcred/aadcred/core/wwwauth"
)

const entraToken = "eyJhbGciOiJSUzI1NiJ9.eyJ0aWQiOiJ0MSJ9.c2lnbmF0dXJl"

// fakeRegistry answers the challenge and the exchange the way ACR does, or as a test says.
type fakeRegistry struct {
	srv *httptest.Server
	// challenge returns the WWW-Authenticate header for /v2/; nil means ACR's.
	challenge func(host string) string
	// exchange answers /oauth2/exchange; nil means a refresh token.
	exchange func(w http.ResponseWriter, r *http.Request)

	mu          sync.Mutex
	exchanges   []*http.Request
	forms       []map[string][]string
	connections int
}

func newFakeRegistry(t *testing.T) *fakeRegistry {
	f := &fakeRegistry{}
	f.srv = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/v2/":
			h := fmt.Sprintf(`Bearer realm="https://%s/oauth2/token",service="svc.example"`, r.Host)
			if f.challenge != nil {
				h = f.challenge(r.Host)
			}
			if h != "" {
				w.Header().Set("Www-Authenticate", h)
			}
			w.WriteHeader(http.StatusUnauthorized)
		case "/oauth2/exchange":
			r.ParseForm()
			f.mu.Lock()
			f.exchanges = append(f.exchanges, r)
			f.forms = append(f.forms, r.PostForm)
			f.mu.Unlock()
			if f.exchange != nil {
				f.exchange(w, r)
				return
			}
			fmt.Fprint(w, `{"refresh_token":"acr-refresh-token"}`)
		default:
			http.NotFound(w, r)
		}
	}))
	f.srv.Config.ConnState = func(_ net.Conn, state http.ConnState) {
		if state == http.StateNew {
			f.mu.Lock()
			f.connections++
			f.mu.Unlock()
		}
	}
	f.srv.StartTLS()
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeRegistry) host() string { return strings.TrimPrefix(f.srv.URL, "https://") }

func (f *fakeRegistry) exchangeCount() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.exchanges)
}

func (f *fakeRegistry) exchanger() (*Exchanger, *[]time.Duration) {
	var sleeps []time.Duration
	client := f.srv.Client()
	client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &Exchanger{Client: &entra.Client{
		HTTPClient: client,
		UserAgent:  "aadcred-test",
		Sleep: func(_ context.Context, d time.Duration) error {
			sleeps = append(sleeps, d)
			return nil
		},
	}}, &sleeps
}

func TestExchangeSendsTheEntraTokenToTheRegistry(t *testing.T) {
	f := newFakeRegistry(t)
	x, _ := f.exchanger()
	rt, err := x.Exchange(context.Background(), f.host(), "t1", entraToken)
	if err != nil {
		t.Fatal(err)
	}
	if rt != "acr-refresh-token" {
		t.Errorf("refresh token %q", rt)
	}
	if f.exchangeCount() != 1 {
		t.Fatalf("%d exchanges", f.exchangeCount())
	}
	req, form := f.exchanges[0], f.forms[0]
	for k, want := range map[string]string{"grant_type": "access_token", "service": "svc.example", "tenant": "t1", "access_token": entraToken} {
		if got := form[k]; len(got) != 1 || got[0] != want {
			t.Errorf("form %s = %q, want %q", k, got, want)
		}
	}
	if req.Header.Get("User-Agent") != "aadcred-test" || req.Header.Get("Content-Type") != "application/x-www-form-urlencoded" {
		t.Errorf("headers %v", req.Header)
	}
}

func TestExchangeRefusesChallengesThatPointElsewhere(t *testing.T) {
	for name, challenge := range map[string]func(host string) string{
		"another host":        func(string) string { return `Bearer realm="https://attacker.example/oauth2/token",service="x"` },
		"a lookalike host":    func(h string) string { return `Bearer realm="https://` + h + `.attacker.example/token"` },
		"another port":        func(string) string { return `Bearer realm="https://127.0.0.1:1/oauth2/token"` },
		"plain http":          func(h string) string { return `Bearer realm="http://` + h + `/oauth2/token"` },
		"user info":           func(h string) string { return `Bearer realm="https://evil@` + h + `/oauth2/token"` },
		"no realm":            func(string) string { return `Bearer service="x"` },
		"no bearer challenge": func(h string) string { return `Basic realm="https://` + h + `/"` },
		"no challenge at all": func(string) string { return "" },
		"a malformed header":  func(h string) string { return `Bearer realm="https://` + h + `/oauth2/token` },
		"two realms":          func(h string) string { return `Bearer realm="https://` + h + `/t",realm="https://attacker.example/"` },
	} {
		t.Run(name, func(t *testing.T) {
			f := newFakeRegistry(t)
			f.challenge = challenge
			x, _ := f.exchanger()
			_, err := x.Exchange(context.Background(), f.host(), "t1", entraToken)
			if err == nil {
				t.Fatal("the exchange went ahead")
			}
			if f.exchangeCount() != 0 {
				t.Error("the Entra token was sent")
			}
			if strings.Contains(err.Error(), entraToken) {
				t.Error("the error holds the token")
			}
		})
	}
}

func TestExchangeReportsTheRegistryRefusal(t *testing.T) {
	f := newFakeRegistry(t)
	f.exchange = func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("X-Ms-Correlation-Request-Id", "c0ffee")
		w.WriteHeader(http.StatusUnauthorized)
		fmt.Fprint(w, `{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}`)
	}
	x, sleeps := f.exchanger()
	_, err := x.Exchange(context.Background(), f.host(), "t1", entraToken)
	var se *ServiceError
	if !errors.As(err, &se) || se.Answer.StatusCode != 401 || se.Answer.CorrelationID != "c0ffee" || se.What != whatExchange {
		t.Fatalf("got %#v", err)
	}
	if f.exchangeCount() != 1 || len(*sleeps) != 0 {
		t.Errorf("a refusal was retried (%d exchanges)", f.exchangeCount())
	}
}

func TestExchangeRetriesPassingFailures(t *testing.T) {
	f := newFakeRegistry(t)
	failures := 2
	f.exchange = func(w http.ResponseWriter, _ *http.Request) {
		if failures > 0 {
			failures--
			w.Header().Set("Retry-After", "3")
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		fmt.Fprint(w, `{"refresh_token":"after-retries"}`)
	}
	x, sleeps := f.exchanger()
	rt, err := x.Exchange(context.Background(), f.host(), "t1", entraToken)
	if err != nil || rt != "after-retries" {
		t.Fatalf("got %q, %v", rt, err)
	}
	if len(*sleeps) != 2 || (*sleeps)[0] != 3*time.Second {
		t.Errorf("waits %v, want two of Retry-After's 3s", *sleeps)
	}
}

func TestExchangeReusesOneConnection(t *testing.T) {
	f := newFakeRegistry(t)
	failures := 2
	f.exchange = func(w http.ResponseWriter, _ *http.Request) {
		if failures > 0 {
			failures--
			w.Header().Set("Retry-After", "0")
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		fmt.Fprint(w, `{"refresh_token":"after-retries"}`)
	}
	x, _ := f.exchanger()
	if _, err := x.Exchange(context.Background(), f.host(), "t1", entraToken); err != nil {
		t.Fatal(err)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.connections != 1 {
		t.Errorf("the challenge, two failed exchanges and the retry opened %d connections, want 1", f.connections)
	}
}

func TestZeroExchangerKeepsOneClient(t *testing.T) {
	var x Exchanger
	if x.client() != x.client() || x.client().HTTPClient == nil {
		t.Error("a zero Exchanger makes a new client, and so a new transport, per request")
	}
}

func TestExchangeGivesUpAfterRetries(t *testing.T) {
	f := newFakeRegistry(t)
	f.exchange = func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusBadGateway) }
	x, sleeps := f.exchanger()
	_, err := x.Exchange(context.Background(), f.host(), "t1", entraToken)
	var se *ServiceError
	if !errors.As(err, &se) || se.Answer.StatusCode != http.StatusBadGateway || !entra.Transient(err) {
		t.Fatalf("got %v", err)
	}
	if f.exchangeCount() != 3 || len(*sleeps) != 2 || (*sleeps)[1] != 2*time.Second {
		t.Errorf("%d attempts, waits %v", f.exchangeCount(), *sleeps)
	}
}

func TestExchangeRejectsOddAnswers(t *testing.T) {
	for name, answer := range map[string]func(http.ResponseWriter){
		"no refresh token": func(w http.ResponseWriter) { fmt.Fprint(w, `{"access_token":"x"}`) },
		"not JSON":         func(w http.ResponseWriter) { fmt.Fprint(w, `<html>hello</html>`) },
		"too large":        func(w http.ResponseWriter) { fmt.Fprint(w, `{"refresh_token":"`+strings.Repeat("a", 1<<20)+`"}`) },
		"a redirect": func(w http.ResponseWriter) {
			w.Header().Set("Location", "https://attacker.example/exchange?x=1")
			w.WriteHeader(http.StatusTemporaryRedirect)
		},
	} {
		t.Run(name, func(t *testing.T) {
			f := newFakeRegistry(t)
			f.exchange = func(w http.ResponseWriter, _ *http.Request) { answer(w) }
			x, _ := f.exchanger()
			if rt, err := x.Exchange(context.Background(), f.host(), "t1", entraToken); err == nil {
				t.Fatalf("accepted %q", rt)
			}
		})
	}
}

func TestExchangeOmitsAnUnknownTenant(t *testing.T) {
	f := newFakeRegistry(t)
	x, _ := f.exchanger()
	if _, err := x.Exchange(context.Background(), f.host(), "", entraToken); err != nil {
		t.Fatal(err)
	}
	if _, sent := f.forms[0]["tenant"]; sent {
		t.Error("an empty tenant was sent")
	}
}

func TestSameRegistry(t *testing.T) {
	for _, tc := range []struct {
		realm, registry string
		want            bool
	}{
		{"contoso.azurecr.io", "contoso.azurecr.io", true},
		{"contoso.azurecr.io", "contoso.eastus.geo.azurecr.io", true},
		{"contoso.eastus.geo.azurecr.io", "contoso.eastus.geo.azurecr.io", true},
		{"fabrikam.azurecr.io", "contoso.eastus.geo.azurecr.io", false},
		{"contoso.azurecr.cn", "contoso.eastus.geo.azurecr.io", false},
		{"contoso.azurecr.io", "contoso.eastus.data.azurecr.io", false},
		{"contoso.azurecr.io", "fabrikam.azurecr.io", false},
		{"127.0.0.1:5001", "127.0.0.1:5000", false},
	} {
		if got := sameRegistry(tc.realm, tc.registry); got != tc.want {
			t.Errorf("sameRegistry(%q, %q) = %v", tc.realm, tc.registry, got)
		}
	}
}

// FuzzServiceFromChallenge feeds any challenge a registry may send: a realm is accepted only
// when it is https on the registry itself.
func FuzzServiceFromChallenge(f *testing.F) {
	for _, seed := range []string{
		`Bearer realm="https://contoso.azurecr.io/oauth2/token",service="contoso.azurecr.io"`,
		`Bearer realm="https://contoso.azurecr.io.attacker.example/oauth2/token"`,
		`Bearer realm="https://evil@contoso.azurecr.io/"`,
		`Bearer realm="http://contoso.azurecr.io/"`,
		`Bearer realm="https://CONTOSO.azurecr.io:443/x",scope="registry:catalog:*"`,
		`Basic realm="x", Bearer realm="https://contoso.azurecr.io/t"`,
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, header string) {
		challenges, err := wwwauth.Parse([]string{header})
		if err != nil {
			return
		}
		for _, c := range challenges {
			if _, err := serviceFrom(c, "contoso.azurecr.io"); err != nil {
				continue
			}
			u, err := url.Parse(c.Params["realm"])
			if err != nil || u.Scheme != "https" || u.User != nil {
				t.Fatalf("accepted realm %q", c.Params["realm"])
			}
			if host, err := Canonical(u.Host); err != nil || host != "contoso.azurecr.io" {
				t.Fatalf("accepted realm %q on another host", c.Params["realm"])
			}
		}
	})
}
