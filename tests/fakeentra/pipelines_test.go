package fakeentra

import (
	"net/http"
	"net/url"
	"testing"
)

// pipelinesRequest asks the job's OIDC endpoint for a connection's token.
func pipelinesRequest(t *testing.T, s *Server, method, uri, token, connection string, suppress bool) answer {
	t.Helper()
	q := url.Values{"api-version": {"7.1"}, "serviceConnectionId": {connection}}
	req, err := http.NewRequest(method, uri+"?"+q.Encode(), nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	if suppress {
		req.Header.Set("X-TFS-FedAuthRedirect", "Suppress")
	}
	client := *s.HTTPClient()
	client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return do(t, &client, req)
}

func TestAzurePipelinesServiceConnection(t *testing.T) {
	t.Parallel()
	s := startServer(t, Options{})
	clientID, connection := s.NewAzurePipelinesConnection(DefaultTenant, "aks-deploy")
	uri, token := s.AzurePipelinesJob()

	a := pipelinesRequest(t, s, http.MethodPost, uri, token, connection, true)
	oidc := a.str("oidcToken")
	if a.status != 200 || oidc == "" {
		t.Fatalf("status %d: %s", a.status, a.raw)
	}
	c := claimsOf(t, oidc)
	if c["iss"] != s.AzurePipelinesIssuer() || c["sub"] != AzurePipelinesSubject("aks-deploy") || c["aud"] != FederationAudience {
		t.Errorf("OIDC token claims %v", c)
	}

	// The app trusts the connection's token as its client assertion.
	tok := post(t, s, v2Token(DefaultTenant), url.Values{
		"grant_type": {"client_credentials"}, "client_id": {clientID}, "scope": {AKSServerAppID + "/.default"},
		"client_assertion_type": {jwtBearerAssertionType}, "client_assertion": {oidc},
	})
	if tok.status != 200 {
		t.Fatalf("client credentials with the connection's token: %d %s", tok.status, tok.raw)
	}
	if claims := verify(t, s, tok.str("access_token"), AKSServerAppID); claims.AppID != clientID {
		t.Errorf("token for %q, want the connection's app %q", claims.AppID, clientID)
	}
	// Another connection's app does not.
	otherApp, _ := s.NewAzurePipelinesConnection(DefaultTenant, "other")
	refused := post(t, s, v2Token(DefaultTenant), url.Values{
		"grant_type": {"client_credentials"}, "client_id": {otherApp}, "scope": {AKSServerAppID + "/.default"},
		"client_assertion_type": {jwtBearerAssertionType}, "client_assertion": {oidc},
	})
	wantEntraError(t, refused, 400, "invalid_request", 70021)
}

func TestAzurePipelinesRefusals(t *testing.T) {
	t.Parallel()
	s := startServer(t, Options{})
	_, connection := s.NewAzurePipelinesConnection("", "aks-deploy")
	uri, token := s.AzurePipelinesJob()
	for _, tc := range []struct {
		name, method, token, connection string
		suppress                        bool
		status                          int
	}{
		{"wrong access token", http.MethodPost, "not-the-job's", connection, true, http.StatusUnauthorized},
		{"wrong access token, no suppress header", http.MethodPost, "not-the-job's", connection, false, http.StatusFound},
		{"unknown connection", http.MethodPost, token, "00000000-0000-0000-0000-000000000000", true, http.StatusBadRequest},
		{"GET", http.MethodGet, token, connection, true, http.StatusMethodNotAllowed},
	} {
		a := pipelinesRequest(t, s, tc.method, uri, tc.token, tc.connection, tc.suppress)
		if a.status != tc.status || a.str("oidcToken") != "" {
			t.Errorf("%s: status %d, want %d: %s", tc.name, a.status, tc.status, a.raw)
		}
	}
	if n := s.Count(EndpointAzurePipelines); n != 4 {
		t.Errorf("%d requests counted, want 4", n)
	}
}
