package fakeentra

import (
	"net/url"
	"testing"
)

func TestOpenIDConfigurationUsesOwnHostAndTenantID(t *testing.T) {
	t.Parallel()
	s := startServer(t, Options{})
	a := get(t, s.HTTPClient(), s.URL()+"/"+DefaultTenantDomain+"/v2.0/.well-known/openid-configuration")
	if a.status != 200 {
		t.Fatalf("status %d: %s", a.status, a.raw)
	}
	if got, want := a.str("issuer"), s.URL()+"/"+DefaultTenant+"/v2.0"; got != want {
		t.Errorf("v2 issuer = %q, want %q", got, want)
	}
	if got, want := a.str("token_endpoint"), s.URL()+"/"+DefaultTenant+"/oauth2/v2.0/token"; got != want {
		t.Errorf("token_endpoint = %q, want %q", got, want)
	}
	if got, want := a.str("device_authorization_endpoint"), s.URL()+"/"+DefaultTenant+"/oauth2/v2.0/devicecode"; got != want {
		t.Errorf("device_authorization_endpoint = %q, want %q", got, want)
	}

	v1 := get(t, s.HTTPClient(), s.URL()+"/"+DefaultTenant+"/.well-known/openid-configuration")
	if got, want := v1.str("issuer"), "https://sts.windows.net/"+DefaultTenant+"/"; got != want {
		t.Errorf("v1 issuer = %q, want %q", got, want)
	}
	if got, want := v1.str("token_endpoint"), s.URL()+"/"+DefaultTenant+"/oauth2/token"; got != want {
		t.Errorf("v1 token_endpoint = %q, want %q", got, want)
	}

	common := get(t, s.HTTPClient(), s.URL()+"/common/v2.0/.well-known/openid-configuration")
	if got, want := common.str("issuer"), s.URL()+"/{tenantid}/v2.0"; got != want {
		t.Errorf("common issuer = %q, want %q", got, want)
	}

	unknown := get(t, s.HTTPClient(), s.URL()+"/nobody.example/v2.0/.well-known/openid-configuration")
	wantEntraError(t, unknown, 400, "invalid_tenant", 90002)
}

func TestJWKSVerifiesIssuedTokens(t *testing.T) {
	t.Parallel()
	s := startServer(t, Options{})
	clientID, secret := s.NewServicePrincipal("")
	tok := post(t, s, v2Token(DefaultTenant), secretForm(clientID, secret, AzureDevOpsResource+"/.default"))
	for _, path := range []string{"/common/discovery/keys", "/" + DefaultTenant + "/discovery/v2.0/keys", "/" + DefaultTenant + "/discovery/keys"} {
		v := NewVerifier(s.URL()+path, s.HTTPClient())
		if _, err := v.Verify(tok.str("access_token"), AzureDevOpsResource); err != nil {
			t.Errorf("verifying with keys from %s: %v", path, err)
		}
	}
}

func TestInstanceDiscovery(t *testing.T) {
	t.Parallel()
	s := startServer(t, Options{})
	q := url.Values{"api-version": {"1.1"}, "authorization_endpoint": {s.URL() + "/" + DefaultTenant + "/oauth2/v2.0/authorize"}}
	a := get(t, s.HTTPClient(), s.URL()+"/common/discovery/instance?"+q.Encode())
	if got, want := a.str("tenant_discovery_endpoint"), s.URL()+"/"+DefaultTenant+"/v2.0/.well-known/openid-configuration"; got != want {
		t.Errorf("tenant_discovery_endpoint = %q, want %q", got, want)
	}
	q.Set("authorization_endpoint", "https://login.example.com/common/oauth2/v2.0/authorize")
	wantEntraError(t, get(t, s.HTTPClient(), s.URL()+"/common/discovery/instance?"+q.Encode()), 400, "invalid_instance", 50049)
}

func TestUserRealm(t *testing.T) {
	t.Parallel()
	s := startServer(t, Options{})
	if got := get(t, s.HTTPClient(), s.URL()+"/common/UserRealm/"+DefaultUser+"?api-version=1.0").str("account_type"); got != "Managed" {
		t.Errorf("account_type of the default user = %q, want Managed", got)
	}
	if got := get(t, s.HTTPClient(), s.URL()+"/common/UserRealm/bob@elsewhere.example?api-version=1.0").str("account_type"); got != "Unknown" {
		t.Errorf("account_type of an unknown domain = %q, want Unknown", got)
	}
}
