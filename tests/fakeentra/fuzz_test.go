package fakeentra

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

// FuzzParseJWT feeds untrusted compact tokens (client assertions, OBO assertions) to the
// parser: it must return an error or a token, never panic.
func FuzzParseJWT(f *testing.F) {
	f.Add("eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln")
	f.Add("eyJhbGciOiJub25lIn0.bnVsbA.")
	f.Add("a.b.c")
	f.Add("..")
	f.Add("eyJhbGciOiJFUzI1NiIsIng1YyI6WzFdfQ.e30.AA")
	f.Fuzz(func(t *testing.T, token string) {
		tok, err := parseJWT(token)
		if err != nil {
			return
		}
		if tok.claims == nil {
			t.Fatal("parsed token has nil claims")
		}
		tok.claims.numericDate("exp")
		tok.claims.strs("aud")
		tok.verifySignature(nil)
	})
}

// FuzzParseScope resolves arbitrary v2 scope strings: an answer or an Entra error, no panic.
func FuzzParseScope(f *testing.F) {
	s := startServer(f, Options{})
	for _, seed := range []string{
		AzureDevOpsResource + "/.default offline_access openid profile",
		ManagementCoreResource + "/.default",
		"https://management.azure.com/.default https://management.core.windows.net//user_impersonation",
		"User.Read openid", "/", "//", "openid", " ", "api:///x",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, scope string) {
		tgt, err := s.parseScope(scope, DefaultTenant)
		if err != nil {
			if _, ok := err.(*oauthError); !ok {
				t.Fatalf("parseScope returned %T, want an Entra error", err)
			}
			return
		}
		if tgt.resource == nil {
			t.Fatalf("parseScope(%q) resolved no resource", scope)
		}
		tgt.grantedScope()
	})
}

// FuzzTokenEndpoint posts arbitrary bodies to the token endpoints: every answer is JSON in
// Entra's shape or a token, never a panic or a 500.
func FuzzTokenEndpoint(f *testing.F) {
	s := startServer(f, Options{})
	handler := s.authorityRoutes()
	clientID, secret := s.NewServicePrincipal("")
	for _, seed := range []url.Values{
		secretForm(clientID, secret, AzureDevOpsResource+"/.default"),
		ropc(AzureDevOpsResource + "/.default offline_access"),
		{"grant_type": {"refresh_token"}, "client_id": {AzureCLIClientID}, "refresh_token": {"x"}, "scope": {"openid"}},
		{"grant_type": {"device_code"}, "client_id": {AzureCLIClientID}, "device_code": {"x"}},
		{"grant_type": {grantJWTBearer}, "client_id": {clientID}, "client_secret": {secret}, "assertion": {"a.b.c"}, "requested_token_use": {"on_behalf_of"}},
		{"grant_type": {"client_credentials"}, "client_id": {clientID}, "client_assertion_type": {jwtBearerAssertionType}, "client_assertion": {"e30.e30.e30"}},
	} {
		f.Add("/"+DefaultTenant+"/oauth2/v2.0/token", seed.Encode())
		f.Add("/common/oauth2/token", seed.Encode())
	}
	f.Fuzz(func(t *testing.T, path, body string) {
		if u, err := url.ParseRequestURI(path); err != nil || u.RawQuery != "" || !strings.HasPrefix(path, "/") || strings.ContainsAny(path, " \r\n\t#") {
			return
		}
		req := httptest.NewRequest(http.MethodPost, path, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		rec := httptest.NewRecorder()
		handler.ServeHTTP(rec, req)
		if rec.Code >= 500 {
			t.Fatalf("POST %s answered %d: %s", path, rec.Code, rec.Body)
		}
	})
}

// FuzzVerify checks arbitrary strings as access tokens: an error, never a panic.
func FuzzVerify(f *testing.F) {
	s := startServer(f, Options{})
	v := s.Verifier()
	clientID, secret := s.NewServicePrincipal("")
	rec := httptest.NewRecorder()
	req := httptest.NewRequest(http.MethodPost, v2Token(DefaultTenant), strings.NewReader(secretForm(clientID, secret, AzureDevOpsResource+"/.default").Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	s.authorityRoutes().ServeHTTP(rec, req)
	var answer struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &answer); err != nil || answer.AccessToken == "" {
		f.Fatalf("getting a seed token: %v %s", err, rec.Body)
	}
	f.Add(answer.AccessToken)
	f.Add(answer.AccessToken + "x")
	f.Add("eyJhbGciOiJSUzI1NiIsImtpZCI6IngifQ.e30.AA")
	f.Add("x.y.z")
	f.Fuzz(func(t *testing.T, token string) {
		claims, err := v.Verify(token, AzureDevOpsResource)
		if err == nil && (claims.Audience != AzureDevOpsResource || claims.AppID != clientID) {
			t.Fatalf("verified a token for %q from %q", claims.Audience, claims.AppID)
		}
	})
}
