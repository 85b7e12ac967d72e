package fakeentra

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

func TestFaults(t *testing.T) {
	t.Parallel()
	s := startServer(t, Options{})
	clientID, secret := s.NewServicePrincipal("")
	form := secretForm(clientID, secret, AzureDevOpsResource+"/.default")
	path := v2Token(DefaultTenant)

	t.Run("429 with Retry-After, once", func(t *testing.T) {
		s.InjectFault(Fault{Endpoint: EndpointToken, Times: 1, Status: 429, RetryAfter: 2 * time.Second})
		a := post(t, s, path, form)
		if a.status != 429 || a.header.Get("Retry-After") != "2" {
			t.Fatalf("got %d Retry-After %q", a.status, a.header.Get("Retry-After"))
		}
		if a := post(t, s, path, form); a.status != 200 {
			t.Fatalf("after the fault: %d", a.status)
		}
	})
	t.Run("grant type filter", func(t *testing.T) {
		defer s.ClearFaults()
		s.InjectFault(Fault{Endpoint: EndpointToken, GrantType: "refresh_token", Status: 503})
		if a := post(t, s, path, form); a.status != 200 {
			t.Fatalf("client_credentials hit a refresh_token fault: %d", a.status)
		}
	})
	t.Run("until cleared", func(t *testing.T) {
		s.InjectFault(Fault{Endpoint: EndpointAny, Status: 500})
		for range 3 {
			if a := post(t, s, path, form); a.status != 500 {
				t.Fatalf("got %d, want 500", a.status)
			}
		}
		s.ClearFaults()
		if a := post(t, s, path, form); a.status != 200 {
			t.Fatalf("after ClearFaults: %d", a.status)
		}
	})
	t.Run("malformed JSON", func(t *testing.T) {
		s.InjectFault(Fault{Endpoint: EndpointToken, Times: 1, MalformedJSON: true})
		req, _ := http.NewRequest(http.MethodPost, s.URL()+path, strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		resp, err := s.HTTPClient().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || strings.HasSuffix(string(body), "}") {
			t.Fatalf("got %d %q", resp.StatusCode, body)
		}
	})
	t.Run("HTML from a proxy", func(t *testing.T) {
		s.InjectFault(Fault{Endpoint: EndpointToken, Times: 1, HTML: true})
		a := post(t, s, path, form)
		if a.status != 502 || !strings.HasPrefix(a.header.Get("Content-Type"), "text/html") {
			t.Fatalf("got %d %q", a.status, a.header.Get("Content-Type"))
		}
	})
	t.Run("Entra error", func(t *testing.T) {
		s.InjectFault(Fault{Endpoint: EndpointToken, Times: 1, EntraError: &EntraError{Error: "invalid_grant", Code: 70043, Description: "sign-in frequency", Claims: `{"access_token":{}}`}})
		a := post(t, s, path, form)
		wantEntraError(t, a, 400, "invalid_grant", 70043)
		if a.str("claims") != `{"access_token":{}}` {
			t.Errorf("claims = %q", a.str("claims"))
		}
	})
	t.Run("truncated answer still spends the code", func(t *testing.T) {
		s.SetBrowserUser(DefaultUser)
		redirect := "http://127.0.0.1:40000/"
		code := redirected(t, get(t, noRedirects(s), authorizeURL(s, authorizeQuery(redirect))), redirect).Get("code")
		s.InjectFault(Fault{Endpoint: EndpointToken, Times: 1, Truncated: true})
		req, _ := http.NewRequest(http.MethodPost, s.URL()+v2Token("organizations"), strings.NewReader(url.Values{"grant_type": {"authorization_code"}, "client_id": {VisualStudioClientID},
			"code": {code}, "redirect_uri": {redirect}, "code_verifier": {testVerifier}, "scope": {AzureDevOpsResource + "/.default"}}.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		resp, err := s.HTTPClient().Do(req)
		if err == nil {
			_, err = io.ReadAll(resp.Body)
			resp.Body.Close()
		}
		if err == nil {
			t.Fatal("reading a truncated answer succeeded")
		}
		wantEntraError(t, redeemCode(t, s, code, redirect, testVerifier), 400, "invalid_grant", 54005)
	})
	t.Run("delay then serve", func(t *testing.T) {
		s.InjectFault(Fault{Endpoint: EndpointToken, Times: 1, Delay: 50 * time.Millisecond})
		start := time.Now()
		if a := post(t, s, path, form); a.status != 200 || time.Since(start) < 50*time.Millisecond {
			t.Fatalf("got %d after %v", a.status, time.Since(start))
		}
	})
	t.Run("hang until the client gives up", func(t *testing.T) {
		s.InjectFault(Fault{Endpoint: EndpointIMDS, Times: 1, Hang: true})
		ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
		defer cancel()
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, s.IMDSEndpoint()+"/metadata/identity/oauth2/token?api-version=2018-02-01&resource=x", nil)
		req.Header.Set("Metadata", "true")
		if _, err := http.DefaultClient.Do(req); err == nil {
			t.Fatal("a hung request answered")
		}
	})
	t.Run("invalid faults", func(t *testing.T) {
		for _, f := range []Fault{{}, {Endpoint: EndpointToken}, {Endpoint: EndpointToken, HTML: true, MalformedJSON: true}, {Endpoint: EndpointToken, Status: 42}} {
			if err := s.InjectFault(f); err == nil {
				t.Errorf("InjectFault(%+v) accepted it", f)
			}
		}
	})
}

func TestRequestLogAndCounts(t *testing.T) {
	t.Parallel()
	s := startServer(t, Options{})
	clientID, secret := s.NewServicePrincipal("")
	s.ResetCounts()
	post(t, s, v2Token(DefaultTenant), secretForm(clientID, secret, AzureDevOpsResource+"/.default"))
	post(t, s, v2Token(DefaultTenant), secretForm(clientID, "wrong-secret", AzureDevOpsResource+"/.default"))
	get(t, s.HTTPClient(), s.URL()+"/common/discovery/keys")
	if s.TokenRequests() != 2 || s.Count(EndpointToken) != 2 || s.Count(EndpointDiscovery) != 1 || s.Count(EndpointAny) != 3 {
		t.Fatalf("counts: token %d/%d discovery %d any %d", s.TokenRequests(), s.Count(EndpointToken), s.Count(EndpointDiscovery), s.Count(EndpointAny))
	}
	reqs := s.Requests()
	r := reqs[0]
	if r.GrantType != "client_credentials" || r.ClientID != clientID || r.Tenant != DefaultTenant || r.Target != AzureDevOpsResource+"/.default" || r.Status != 200 || r.Method != "POST" {
		t.Errorf("first request = %+v", r)
	}
	if reqs[1].Status != 401 {
		t.Errorf("second request status = %d, want 401", reqs[1].Status)
	}
	for _, r := range reqs {
		if strings.Contains(r.Path+r.Target+r.ClientID, secret) || strings.Contains(r.Path+r.Target, "wrong-secret") {
			t.Errorf("request log holds a secret: %+v", r)
		}
	}
	s.ResetCounts()
	if s.TokenRequests() != 0 || len(s.Requests()) != 0 {
		t.Error("ResetCounts left requests behind")
	}
}
