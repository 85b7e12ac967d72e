package fakeentra

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

func TestClientSecretV2(t *testing.T) {
	t.Parallel()
	s := startServer(t, Options{})
	clientID, secret := s.NewServicePrincipal("")
	a := post(t, s, v2Token(DefaultTenant), secretForm(clientID, secret, AzureDevOpsResource+"/.default"))
	if a.status != 200 {
		t.Fatalf("status %d: %s", a.status, a.raw)
	}
	if _, ok := a.body["expires_in"].(float64); !ok {
		t.Errorf("v2 expires_in is %T, want a JSON number", a.body["expires_in"])
	}
	if a.str("token_type") != "Bearer" {
		t.Errorf("token_type %q", a.str("token_type"))
	}
	for _, absent := range []string{"scope", "refresh_token", "id_token", "client_info", "foci"} {
		if _, ok := a.body[absent]; ok {
			t.Errorf("app-only answer has %s", absent)
		}
	}
	c := verify(t, s, a.str("access_token"), AzureDevOpsResource)
	if c.AppID != clientID || c.TenantID != DefaultTenant || c.IdentityType != "app" || c.Version != "1.0" || c.UPN != "" {
		t.Errorf("claims = %+v", c)
	}
	if c.Issuer != "https://sts.windows.net/"+DefaultTenant+"/" {
		t.Errorf("v1 token issuer = %q", c.Issuer)
	}
}

func TestClientSecretV1StringNumbers(t *testing.T) {
	t.Parallel()
	s := startServer(t, Options{})
	clientID, secret := s.NewServicePrincipal(DefaultTenantDomain)
	form := url.Values{"grant_type": {"client_credentials"}, "client_id": {clientID}, "client_secret": {secret}, "resource": {ManagementCoreResource}}
	a := post(t, s, v1Token(DefaultTenantDomain), form)
	if a.status != 200 {
		t.Fatalf("status %d: %s", a.status, a.raw)
	}
	for _, name := range []string{"expires_in", "ext_expires_in", "expires_on", "not_before"} {
		if _, ok := a.body[name].(string); !ok {
			t.Errorf("v1 %s is %T, want a string", name, a.body[name])
		}
	}
	if a.str("resource") != ManagementCoreResource {
		t.Errorf("resource = %q", a.str("resource"))
	}
	verify(t, s, a.str("access_token"), ManagementCoreResource)
}

func TestV2TokenVersionFollowsResource(t *testing.T) {
	t.Parallel()
	s := startServer(t, Options{})
	api := newGUID()
	if err := s.AddResource(Resource{AppID: api, IdentifierURIs: []string{"api://contoso-api"}, Roles: []string{"Data.Read"}, AccessTokenVersion: 2}); err != nil {
		t.Fatal(err)
	}
	clientID, secret := newGUID(), "s3cret-value"
	if err := s.AddApp(App{ClientID: clientID, Tenant: DefaultTenant, Secrets: []string{secret}, Roles: []string{"Data.Read", "Other"}}); err != nil {
		t.Fatal(err)
	}
	a := post(t, s, v2Token(DefaultTenant), secretForm(clientID, secret, "api://contoso-api/.default"))
	c := verify(t, s, a.str("access_token"), api)
	if c.Version != "2.0" || c.AppID != clientID || c.Issuer != s.URL()+"/"+DefaultTenant+"/v2.0" {
		t.Errorf("v2 token claims = %+v", c)
	}
	if len(c.Roles) != 1 || c.Roles[0] != "Data.Read" {
		t.Errorf("roles = %v, want [Data.Read]", c.Roles)
	}
}

func TestClientCredentialErrors(t *testing.T) {
	t.Parallel()
	s := startServer(t, Options{})
	clientID, secret := s.NewServicePrincipal("")
	scope := AzureDevOpsResource + "/.default"
	tests := []struct {
		name   string
		path   string
		form   url.Values
		status int
		error  string
		code   int
	}{
		{"wrong secret", v2Token(DefaultTenant), secretForm(clientID, "wrong", scope), 401, "invalid_client", 7000215},
		{"no credential", v2Token(DefaultTenant), url.Values{"grant_type": {"client_credentials"}, "client_id": {clientID}, "scope": {scope}}, 401, "invalid_client", 7000218},
		{"unknown client", v2Token(DefaultTenant), secretForm(newGUID(), secret, scope), 400, "unauthorized_client", 700016},
		{"public client with a secret", v2Token(DefaultTenant), secretForm(AzureCLIClientID, "x", scope), 401, "invalid_client", 700025},
		{"resource on v2", v2Token(DefaultTenant), func() url.Values {
			f := secretForm(clientID, secret, scope)
			f.Set("resource", AzureDevOpsResource)
			return f
		}(), 400, "invalid_request", 901002},
		{"two resources", v2Token(DefaultTenant), secretForm(clientID, secret, scope+" "+ACRResource+"/.default"), 400, "invalid_scope", 700022},
		{"unknown resource", v2Token(DefaultTenant), secretForm(clientID, secret, "https://nothing.example/.default"), 400, "invalid_resource", 500011},
		{"not .default", v2Token(DefaultTenant), secretForm(clientID, secret, AzureDevOpsResource+"/user_impersonation"), 400, "invalid_scope", 1002012},
		{"no scope", v2Token(DefaultTenant), secretForm(clientID, secret, ""), 400, "invalid_request", 900144},
		{"common", v2Token("common"), secretForm(AzureCLIClientID, "", scope), 401, "invalid_client", 7000216},
		{"unknown tenant", v2Token("nobody.example"), secretForm(clientID, secret, scope), 400, "invalid_request", 90002},
		{"single-tenant app on common", v2Token("organizations"), secretForm(clientID, secret, scope), 400, "invalid_request", 50194},
		{"no resource on v1", v1Token(DefaultTenant), secretForm(clientID, secret, ""), 400, "invalid_request", 900144},
		{"unknown grant", v2Token(DefaultTenant), url.Values{"grant_type": {"magic"}, "client_id": {clientID}}, 400, "unsupported_grant_type", 70003},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wantEntraError(t, post(t, s, tt.path, tt.form), tt.status, tt.error, tt.code)
		})
	}
}

func TestTokenEndpointTransportRules(t *testing.T) {
	t.Parallel()
	s := startServer(t, Options{})
	clientID, secret := s.NewServicePrincipal("")
	form := secretForm(clientID, secret, AzureDevOpsResource+"/.default")

	t.Run("GET", func(t *testing.T) {
		wantEntraError(t, get(t, s.HTTPClient(), s.URL()+v2Token(DefaultTenant)+"?"+form.Encode()), 405, "invalid_request", 900561)
	})
	t.Run("JSON body", func(t *testing.T) {
		body, _ := json.Marshal(map[string]string{"grant_type": "client_credentials", "client_id": clientID, "client_secret": secret})
		req, _ := http.NewRequest(http.MethodPost, s.URL()+v2Token(DefaultTenant), strings.NewReader(string(body)))
		req.Header.Set("Content-Type", "application/json")
		wantEntraError(t, do(t, s.HTTPClient(), req), 400, "invalid_request", 900144)
	})
	t.Run("parameters in the query string", func(t *testing.T) {
		req, _ := http.NewRequest(http.MethodPost, s.URL()+v2Token(DefaultTenant)+"?"+form.Encode(), strings.NewReader(""))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		wantEntraError(t, do(t, s.HTTPClient(), req), 400, "invalid_request", 900144)
	})
	t.Run("HTTP Basic", func(t *testing.T) {
		f := url.Values{"grant_type": {"client_credentials"}, "scope": {AzureDevOpsResource + "/.default"}, "client_id": {clientID}}
		req, _ := http.NewRequest(http.MethodPost, s.URL()+v2Token(DefaultTenant), strings.NewReader(f.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.SetBasicAuth(clientID, secret)
		wantEntraError(t, do(t, s.HTTPClient(), req), 401, "invalid_client", 7000218)
	})
	t.Run("correlation ID echoed", func(t *testing.T) {
		id := newGUID()
		req, _ := http.NewRequest(http.MethodPost, s.URL()+v2Token(DefaultTenant), strings.NewReader(secretForm(clientID, "wrong", "x/.default").Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("client-request-id", id)
		if got := do(t, s.HTTPClient(), req).str("correlation_id"); got != id {
			t.Errorf("correlation_id = %q, want the client-request-id %q", got, id)
		}
	})
}

// assertion builds a client assertion JWT signed by key.
func assertion(t *testing.T, key crypto.Signer, alg string, header map[string]any, claims map[string]any) string {
	t.Helper()
	header["alg"], header["typ"] = alg, "JWT"
	h, _ := json.Marshal(header)
	c, _ := json.Marshal(claims)
	input := base64.RawURLEncoding.EncodeToString(h) + "." + base64.RawURLEncoding.EncodeToString(c)
	digest := sha256.Sum256([]byte(input))
	var sig []byte
	var err error
	switch alg {
	case "RS256":
		sig, err = rsa.SignPKCS1v15(rand.Reader, key.(*rsa.PrivateKey), crypto.SHA256, digest[:])
	case "PS256":
		sig, err = rsa.SignPSS(rand.Reader, key.(*rsa.PrivateKey), crypto.SHA256, digest[:], &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthEqualsHash})
	case "ES256":
		r, s, e := ecdsa.Sign(rand.Reader, key.(*ecdsa.PrivateKey), digest[:])
		err = e
		sig = make([]byte, 64)
		r.FillBytes(sig[:32])
		s.FillBytes(sig[32:])
	}
	if err != nil {
		t.Fatalf("signing assertion: %v", err)
	}
	return input + "." + base64.RawURLEncoding.EncodeToString(sig)
}

func TestCertificateAssertion(t *testing.T) {
	t.Parallel()
	clock := NewClock(time.Time{})
	s := startServer(t, Options{Now: clock.Now})
	clientID, certPEM, keyPEM := s.NewCertificateApp("")
	certBlock, _ := pem.Decode(certPEM)
	keyBlock, _ := pem.Decode(keyPEM)
	if certBlock == nil || keyBlock == nil {
		t.Fatal("NewCertificateApp returned PEM that does not decode")
	}
	cert, err := x509.ParseCertificate(certBlock.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	parsedKey, err := x509.ParsePKCS8PrivateKey(keyBlock.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	key := parsedKey.(*rsa.PrivateKey)
	s256 := sha256.Sum256(cert.Raw)
	s1 := sha1.Sum(cert.Raw)
	tokenURL := s.URL() + v2Token(DefaultTenant)
	claims := func() map[string]any {
		now := clock.Now()
		return map[string]any{"aud": tokenURL, "iss": clientID, "sub": clientID, "jti": newGUID(),
			"nbf": now.Unix(), "exp": now.Add(10 * time.Minute).Unix()}
	}
	send := func(tok string) answer {
		return post(t, s, v2Token(DefaultTenant), url.Values{
			"grant_type": {"client_credentials"}, "client_id": {clientID}, "scope": {AzureDevOpsResource + "/.default"},
			"client_assertion_type": {jwtBearerAssertionType}, "client_assertion": {tok},
		})
	}

	ps256 := assertion(t, key, "PS256", map[string]any{"x5t#S256": base64.RawURLEncoding.EncodeToString(s256[:])}, claims())
	a := send(ps256)
	if a.status != 200 {
		t.Fatalf("PS256 assertion: %d %s", a.status, a.raw)
	}
	if c := verify(t, s, a.str("access_token"), AzureDevOpsResource); c.Raw["appidacr"] != "2" {
		t.Errorf("appidacr = %v, want 2 for a certificate", c.Raw["appidacr"])
	}
	t.Run("jti reused", func(t *testing.T) { wantEntraError(t, send(ps256), 401, "invalid_client", 50013) })
	t.Run("RS256 with x5t", func(t *testing.T) {
		if a := send(assertion(t, key, "RS256", map[string]any{"x5t": base64.RawURLEncoding.EncodeToString(s1[:])}, claims())); a.status != 200 {
			t.Fatalf("%d %s", a.status, a.raw)
		}
	})
	t.Run("subject name and issuer via x5c", func(t *testing.T) {
		h := map[string]any{"x5c": []string{base64.StdEncoding.EncodeToString(cert.Raw)}}
		if a := send(assertion(t, key, "PS256", h, claims())); a.status != 200 {
			t.Fatalf("%d %s", a.status, a.raw)
		}
	})
	t.Run("wrong audience", func(t *testing.T) {
		c := claims()
		c["aud"] = s.URL() + "/common/oauth2/v2.0/token"
		wantEntraError(t, send(assertion(t, key, "PS256", map[string]any{"x5t#S256": base64.RawURLEncoding.EncodeToString(s256[:])}, c)), 401, "invalid_client", 700023)
	})
	t.Run("issuer is not the client", func(t *testing.T) {
		c := claims()
		c["iss"] = newGUID()
		wantEntraError(t, send(assertion(t, key, "PS256", map[string]any{"x5t#S256": base64.RawURLEncoding.EncodeToString(s256[:])}, c)), 401, "invalid_client", 700021)
	})
	t.Run("expired", func(t *testing.T) {
		tok := assertion(t, key, "PS256", map[string]any{"x5t#S256": base64.RawURLEncoding.EncodeToString(s256[:])}, claims())
		clock.Advance(16 * time.Minute)
		wantEntraError(t, send(tok), 401, "invalid_client", 700024)
	})
	t.Run("signed by another key", func(t *testing.T) {
		other, _ := rsa.GenerateKey(rand.Reader, 2048)
		wantEntraError(t, send(assertion(t, other, "PS256", map[string]any{"x5t#S256": base64.RawURLEncoding.EncodeToString(s256[:])}, claims())), 401, "invalid_client", 700027)
	})
	t.Run("unregistered thumbprint", func(t *testing.T) {
		wantEntraError(t, send(assertion(t, key, "PS256", map[string]any{"x5t#S256": "AAAA"}, claims())), 401, "invalid_client", 50012)
	})
	t.Run("malformed", func(t *testing.T) { wantEntraError(t, send("not-a-jwt"), 401, "invalid_client", 50027) })
}

func TestECCertificateAssertion(t *testing.T) {
	t.Parallel()
	s := startServer(t, Options{})
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{SerialNumber: randomSerial(), NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	clientID := newGUID()
	if err := s.AddApp(App{ClientID: clientID, Tenant: DefaultTenant, Certificates: []*x509.Certificate{cert}}); err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(der)
	tok := assertion(t, key, "ES256", map[string]any{"x5t#S256": base64.RawURLEncoding.EncodeToString(sum[:])}, map[string]any{
		"aud": s.URL() + v1Token(DefaultTenant), "iss": clientID, "sub": clientID, "jti": newGUID(),
		"nbf": time.Now().Unix(), "exp": time.Now().Add(5 * time.Minute).Unix()})
	a := post(t, s, v1Token(DefaultTenant), url.Values{"grant_type": {"client_credentials"}, "client_id": {clientID},
		"resource": {ACRResource}, "client_assertion_type": {jwtBearerAssertionType}, "client_assertion": {tok}})
	if a.status != 200 {
		t.Fatalf("ES256 assertion on v1: %d %s", a.status, a.raw)
	}
	verify(t, s, a.str("access_token"), ACRResource)
}

func TestFederatedKubernetesAssertion(t *testing.T) {
	t.Parallel()
	s := startServer(t, Options{})
	subject := "system:serviceaccount:default:workload"
	clientID := s.NewFederatedApp("", s.KubernetesIssuer(), subject)
	send := func(tok string) answer {
		return post(t, s, v2Token(DefaultTenant), url.Values{
			"grant_type": {"client_credentials"}, "client_id": {clientID}, "scope": {ACRResource + "/.default"},
			"client_assertion_type": {jwtBearerAssertionType}, "client_assertion": {tok},
		})
	}
	a := send(s.IssueServiceAccountToken(subject, FederationAudience))
	if a.status != 200 {
		t.Fatalf("federated assertion: %d %s", a.status, a.raw)
	}
	if c := verify(t, s, a.str("access_token"), ACRResource); c.AppID != clientID {
		t.Errorf("appid = %q, want %q", c.AppID, clientID)
	}
	wantEntraError(t, send(s.IssueServiceAccountToken("system:serviceaccount:default:other", FederationAudience)), 400, "invalid_request", 70021)
	wantEntraError(t, send(s.IssueServiceAccountToken(subject, "api://SomethingElse")), 400, "invalid_request", 70021)
}

func TestGitHubActionsOIDC(t *testing.T) {
	t.Parallel()
	s := startServer(t, Options{})
	requestURL, requestToken := s.GitHubActionsOIDC()
	if bad := get(t, s.HTTPClient(), requestURL+"&audience="+url.QueryEscape(FederationAudience), "Authorization", "bearer wrong"); bad.status != 401 {
		t.Fatalf("a wrong request token got %d", bad.status)
	}
	a := get(t, s.HTTPClient(), requestURL+"&audience="+url.QueryEscape(FederationAudience), "Authorization", "bearer "+requestToken)
	jwt := a.str("value")
	if c := claimsOf(t, jwt); c["iss"] != s.GitHubActionsIssuer() || c["sub"] != GitHubActionsSubject || c["aud"] != FederationAudience {
		t.Fatalf("GitHub token claims = %v", c)
	}
	clientID := s.NewFederatedApp(DefaultTenant, s.GitHubActionsIssuer(), GitHubActionsSubject)
	tok := post(t, s, v2Token(DefaultTenant), url.Values{
		"grant_type": {"client_credentials"}, "client_id": {clientID}, "scope": {AzureDevOpsResource + "/.default"},
		"client_assertion_type": {jwtBearerAssertionType}, "client_assertion": {jwt},
	})
	if tok.status != 200 {
		t.Fatalf("GitHub assertion: %d %s", tok.status, tok.raw)
	}
}
