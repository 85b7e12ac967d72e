package fakeacr

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/aadcred/aadcred/tests/fakeentra"
)

// entraToken gets an access token for audience from the fake Entra ID as a new service principal
// of tenant.
func entraToken(t *testing.T, entra *fakeentra.Server, tenant, scope string) string {
	t.Helper()
	id, secret := entra.NewServicePrincipal(tenant)
	resp, err := entra.HTTPClient().PostForm(entra.URL()+"/"+tenant+"/oauth2/v2.0/token", url.Values{
		"grant_type": {"client_credentials"}, "client_id": {id}, "client_secret": {secret}, "scope": {scope},
	})
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var answer struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&answer); err != nil || answer.AccessToken == "" {
		t.Fatalf("no token from the fake Entra ID: %v (status %d)", err, resp.StatusCode)
	}
	return answer.AccessToken
}

func do(t *testing.T, s *Server, req *http.Request) (int, http.Header, string) {
	t.Helper()
	resp, err := s.entra.HTTPClient().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, string(body)
}

func post(t *testing.T, s *Server, path string, form url.Values) (int, string) {
	t.Helper()
	req, _ := http.NewRequestWithContext(context.Background(), http.MethodPost, s.URL()+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	code, _, body := do(t, s, req)
	return code, body
}

func TestRegistryFlow(t *testing.T) {
	entra := fakeentra.NewTest(t, fakeentra.Options{})
	s := NewTest(t, Options{Entra: entra})

	req, _ := http.NewRequest(http.MethodGet, s.URL()+"/v2/", nil)
	code, header, _ := do(t, s, req)
	want := `Bearer realm="` + s.URL() + `/oauth2/token",service="` + s.Host() + `"`
	if code != http.StatusUnauthorized || header.Get("Www-Authenticate") != want {
		t.Fatalf("/v2/ without a token: %d %q, want 401 %q", code, header.Get("Www-Authenticate"), want)
	}

	token := entraToken(t, entra, fakeentra.DefaultTenant, fakeentra.ACRResource+"/.default")
	code, body := post(t, s, "/oauth2/exchange", url.Values{"grant_type": {"access_token"}, "service": {s.Host()},
		"tenant": {fakeentra.DefaultTenant}, "access_token": {token}})
	var exchanged struct {
		RefreshToken string `json:"refresh_token"`
	}
	if code != http.StatusOK || json.Unmarshal([]byte(body), &exchanged) != nil || s.CheckRefreshToken(exchanged.RefreshToken) != nil {
		t.Fatalf("exchange: %d %s", code, body)
	}

	req, _ = http.NewRequest(http.MethodGet, s.URL()+"/oauth2/token?service="+s.Host()+"&scope=repository:app:pull", nil)
	req.SetBasicAuth(nullGUID, exchanged.RefreshToken)
	code, _, body = do(t, s, req)
	var issued struct {
		AccessToken string `json:"access_token"`
	}
	if code != http.StatusOK || json.Unmarshal([]byte(body), &issued) != nil || issued.AccessToken == "" {
		t.Fatalf("token: %d %s", code, body)
	}

	for _, tc := range []struct {
		method, path string
		want         int
	}{
		{http.MethodGet, "/v2/", http.StatusOK},
		{http.MethodGet, "/v2/app/tags/list", http.StatusNotFound}, // allowed; the repository is empty
		{http.MethodGet, "/v2/other/tags/list", http.StatusUnauthorized},
		{http.MethodPost, "/v2/app/blobs/uploads/", http.StatusUnauthorized}, // pull only
	} {
		req, _ := http.NewRequest(tc.method, s.URL()+tc.path, nil)
		req.Header.Set("Authorization", "Bearer "+issued.AccessToken)
		if code, _, body := do(t, s, req); code != tc.want {
			t.Errorf("%s %s: %d %s, want %d", tc.method, tc.path, code, body, tc.want)
		}
	}
}

func TestExchangeRefusals(t *testing.T) {
	entra := fakeentra.NewTest(t, fakeentra.Options{})
	if err := entra.AddTenant("0e1e0000-7e57-4e7a-9c1d-5f0c0de0fa4e"); err != nil {
		t.Fatal(err)
	}
	s := NewTest(t, Options{Entra: entra, DisableARMAudience: true})
	acr := entraToken(t, entra, fakeentra.DefaultTenant, fakeentra.ACRResource+"/.default")
	for name, form := range map[string]url.Values{
		"ARM audience": {"grant_type": {"access_token"}, "service": {s.Host()},
			"access_token": {entraToken(t, entra, fakeentra.DefaultTenant, "https://management.azure.com/.default")}},
		"another tenant's token": {"grant_type": {"access_token"}, "service": {s.Host()},
			"access_token": {entraToken(t, entra, "0e1e0000-7e57-4e7a-9c1d-5f0c0de0fa4e", fakeentra.ACRResource+"/.default")}},
		"tenant mismatch":    {"grant_type": {"access_token"}, "service": {s.Host()}, "tenant": {"0e1e0000-7e57-4e7a-9c1d-5f0c0de0fa4e"}, "access_token": {acr}},
		"a forged token":     {"grant_type": {"access_token"}, "service": {s.Host()}, "access_token": {acr[:len(acr)-4] + "AAAA"}},
		"another service":    {"grant_type": {"access_token"}, "service": {"other.azurecr.io"}, "access_token": {acr}},
		"a deprecated grant": {"grant_type": {"refresh_token"}, "service": {s.Host()}, "refresh_token": {"x"}},
		"no token":           {"grant_type": {"access_token"}, "service": {s.Host()}},
	} {
		if code, body := post(t, s, "/oauth2/exchange", form); code == http.StatusOK {
			t.Errorf("%s: exchanged (%s)", name, body)
		}
	}
	if n := s.ExchangeCount(); n != 7 {
		t.Errorf("%d exchanges recorded, want 7", n)
	}
}

func TestFailuresAndConnections(t *testing.T) {
	entra := fakeentra.NewTest(t, fakeentra.Options{})
	s := NewTest(t, Options{Entra: entra})
	s.FailExchanges(Failure{Status: http.StatusServiceUnavailable, Code: "UNAVAILABLE", RetryAfter: "0", Times: 1})
	form := url.Values{"grant_type": {"access_token"}, "service": {s.Host()},
		"access_token": {entraToken(t, entra, fakeentra.DefaultTenant, fakeentra.ACRResource+"/.default")}}
	client := &http.Client{Transport: entra.HTTPClient().Transport.(*http.Transport).Clone()}
	send := func() (int, http.Header) {
		resp, err := client.PostForm(s.URL()+"/oauth2/exchange", form)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		io.Copy(io.Discard, resp.Body)
		return resp.StatusCode, resp.Header
	}
	if code, h := send(); code != http.StatusServiceUnavailable || h.Get("Retry-After") != "0" {
		t.Errorf("the failure answered %d with Retry-After %q", code, h.Get("Retry-After"))
	}
	if code, _ := send(); code != http.StatusOK {
		t.Errorf("a failure for one request hit the second: %d", code)
	}
	if n := s.Connections(); n != 1 {
		t.Errorf("%d connections counted for one client's two requests, want 1", n)
	}
	client.CloseIdleConnections()
	send()
	if n := s.Connections(); n != 2 {
		t.Errorf("%d connections counted after a new one, want 2", n)
	}
}

func FuzzParseScope(f *testing.F) {
	for _, seed := range []string{"repository:app:pull", "repository:127.0.0.1:5000/app:pull,push", "registry:catalog:*", ":", "a::", ""} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, scope string) {
		a, err := parseScope(scope)
		if err != nil {
			return
		}
		if a.Type+":"+a.Name+":"+strings.Join(a.Actions, ",") != scope {
			t.Fatalf("%q parsed as %+v", scope, a)
		}
	})
}
