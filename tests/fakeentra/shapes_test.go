package fakeentra

import (
	"encoding/base64"
	"encoding/json"
	"maps"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"
)

// msalDefaultScopes are what MSAL Go adds to every token request (accesstokens.go
// AppendDefaultScopes), client credentials included; it cannot be told not to.
const msalDefaultScopes = " openid offline_access profile"

// declinedScopes is MSAL Go's check of an answer (accesstokens.go findDeclinedScopes): every
// scope the application asked for, compared case-insensitively, must be in the answer's scope
// field, unless the field is empty. MSAL refuses an answer with a declined scope.
func declinedScopes(requested []string, granted string) []string {
	if granted == "" {
		return nil
	}
	have := map[string]bool{}
	for _, g := range strings.Split(granted, " ") {
		have[strings.ToLower(g)] = true
	}
	var declined []string
	for _, r := range requested {
		if !have[strings.ToLower(r)] {
			declined = append(declined, r)
		}
	}
	return declined
}

func TestClientCredentialsAcceptMSALsOpenIDScopes(t *testing.T) {
	t.Parallel()
	s := startServer(t, Options{})
	clientID, secret := s.NewServicePrincipal("")
	form := secretForm(clientID, secret, AKSServerAppID+"/.default"+msalDefaultScopes)
	form.Set("client_info", "1") // MSAL sends it with a certificate or federated assertion
	a := post(t, s, v2Token(DefaultTenant), form)
	if a.status != 200 {
		t.Fatalf("MSAL's client-credentials request: %d %s", a.status, a.raw)
	}
	// What live client-credentials answers hold, and nothing else.
	if got, want := slices.Sorted(maps.Keys(a.body)), []string{"access_token", "expires_in", "ext_expires_in", "token_type"}; !slices.Equal(got, want) {
		t.Errorf("answer fields = %v, want %v", got, want)
	}
	if a.str("token_type") != "Bearer" || a.body["expires_in"] != float64(3600) || a.body["ext_expires_in"] != float64(3600) {
		t.Errorf("token_type %q, expires_in %v, ext_expires_in %v", a.str("token_type"), a.body["expires_in"], a.body["ext_expires_in"])
	}
	if c := verify(t, s, a.str("access_token"), AKSServerAppID); c.AppID != clientID || c.IdentityType != "app" {
		t.Errorf("claims = %+v", c)
	}

	// The OpenID scopes do not stand in for the /.default a client-credentials request needs.
	wantEntraError(t, post(t, s, v2Token(DefaultTenant), secretForm(clientID, secret, strings.TrimSpace(msalDefaultScopes))), 400, "invalid_scope", 1002012)
}

func TestUserGrantScopeListsTheDefaultScope(t *testing.T) {
	t.Parallel()
	s := startServer(t, Options{})
	for _, tc := range []struct {
		name, scope, want string
		requested         []string // what an application names; MSAL leaves out its own OpenID scopes
	}{
		{"AKS .default", AKSServerAppID + "/.default" + msalDefaultScopes,
			AKSServerAppID + "/user.read " + AKSServerAppID + "/.default", []string{AKSServerAppID + "/.default"}},
		{"ARM by URI", ManagementResource + ".default" + msalDefaultScopes,
			ManagementResource + "user_impersonation " + ManagementResource + ".default", []string{ManagementResource + ".default"}},
		{"ARM with the Azure CLI's double slash", ManagementCoreResource + "/.default offline_access",
			ManagementCoreResource + "/user_impersonation " + ManagementCoreResource + "/.default", []string{ManagementCoreResource + "/.default"}},
		{"one permission", AzureDevOpsResource + "/user_impersonation openid",
			AzureDevOpsResource + "/user_impersonation", []string{AzureDevOpsResource + "/user_impersonation"}},
		{"Graph's bare names", "user.read openid profile offline_access",
			"User.Read openid profile", []string{"user.read"}},
		{"Graph .default", GraphResource + "/.default" + msalDefaultScopes,
			GraphResource + "/User.Read " + GraphResource + "/User.ReadBasic.All " + GraphResource + "/Directory.Read.All email profile openid " + GraphResource + "/.default",
			[]string{GraphResource + "/.default"}},
	} {
		a := post(t, s, v2Token(DefaultTenant), ropc(tc.scope))
		if a.status != 200 {
			t.Errorf("%s: %d %s", tc.name, a.status, a.raw)
			continue
		}
		if got := a.str("scope"); got != tc.want {
			t.Errorf("%s: scope = %q, want %q", tc.name, got, tc.want)
		}
		if d := declinedScopes(tc.requested, a.str("scope")); len(d) > 0 {
			t.Errorf("%s: MSAL would refuse the answer, declined scopes %v", tc.name, d)
		}
	}
}

func TestEveryUserGrantAnswersMSAL(t *testing.T) {
	t.Parallel()
	s := startServer(t, Options{})
	s.AutoApproveDeviceCodes(DefaultUser)
	requested := []string{AKSServerAppID + "/.default"}
	scope := requested[0] + msalDefaultScopes
	check := func(name string, a answer) {
		t.Helper()
		if a.status != 200 {
			t.Fatalf("%s: %d %s", name, a.status, a.raw)
		}
		if d := declinedScopes(requested, a.str("scope")); len(d) > 0 {
			t.Errorf("%s: scope %q declines %v", name, a.str("scope"), d)
		}
		if a.str("token_type") != "Bearer" || a.str("refresh_token") == "" || a.str("id_token") == "" || a.str("client_info") == "" {
			t.Errorf("%s: answer lacks token_type Bearer, refresh_token, id_token or client_info: %s", name, a.raw)
		}
	}

	password := post(t, s, v2Token(DefaultTenant), ropc(scope))
	check("password", password)
	check("refresh token", post(t, s, v2Token(DefaultTenant), url.Values{"grant_type": {"refresh_token"}, "client_id": {AzureCLIClientID},
		"refresh_token": {password.str("refresh_token")}, "scope": {scope}, "client_info": {"1"}}))
	dc := post(t, s, "/"+DefaultTenant+"/oauth2/v2.0/devicecode", url.Values{"client_id": {AzureCLIClientID}, "scope": {scope}})
	check("device code", post(t, s, v2Token(DefaultTenant), url.Values{"grant_type": {grantDeviceCodeShort}, "client_id": {AzureCLIClientID},
		"device_code": {dc.str("device_code")}, "scope": {scope}, "client_info": {"1"}}))
}

func TestIDTokenClaimsFollowTheEndpointAndProfile(t *testing.T) {
	t.Parallel()
	s := startServer(t, Options{})
	withProfile := claimsOf(t, post(t, s, v2Token(DefaultTenant), ropc(AzureDevOpsResource+"/.default openid profile")).str("id_token"))
	if withProfile["oid"] != DefaultUserObjectID || withProfile["preferred_username"] != DefaultUser || withProfile["name"] == nil ||
		withProfile["ver"] != "2.0" || withProfile["tid"] != DefaultTenant || withProfile["aud"] != AzureCLIClientID {
		t.Errorf("v2 ID token with profile = %v", withProfile)
	}
	bare := claimsOf(t, post(t, s, v2Token(DefaultTenant), ropc(AzureDevOpsResource+"/.default openid")).str("id_token"))
	for _, needsProfile := range []string{"oid", "preferred_username", "name"} {
		if _, ok := bare[needsProfile]; ok {
			t.Errorf("v2 ID token without the profile scope has %s: %v", needsProfile, bare)
		}
	}
	if bare["sub"] == nil || bare["tid"] != DefaultTenant {
		t.Errorf("v2 ID token without profile lacks sub or tid: %v", bare)
	}

	form := ropc("openid") // v1 answers with an ID token when scope asks for openid
	form.Set("resource", AKSServerAppID)
	v1 := claimsOf(t, post(t, s, v1Token(DefaultTenant), form).str("id_token"))
	if v1["ver"] != "1.0" || v1["iss"] != "https://sts.windows.net/"+DefaultTenant+"/" || v1["upn"] != DefaultUser ||
		v1["unique_name"] != DefaultUser || v1["oid"] != DefaultUserObjectID || v1["amr"] == nil {
		t.Errorf("v1 ID token = %v", v1)
	}
	if _, ok := v1["preferred_username"]; ok {
		t.Errorf("v1 ID token has the v2-only preferred_username: %v", v1)
	}
}

func TestRefreshInOnlyForLongLivedTokens(t *testing.T) {
	t.Parallel()
	s := startServer(t, Options{})
	clientID, secret := s.NewServicePrincipal("")
	hour := post(t, s, v2Token(DefaultTenant), ropc(AzureDevOpsResource+"/.default"))
	if _, ok := hour.body["refresh_in"]; ok {
		t.Errorf("an hour-long token's answer has refresh_in: %s", hour.raw)
	}
	s.SetAccessTokenLifetime(24 * time.Hour)
	for name, a := range map[string]answer{
		"user":   post(t, s, v2Token(DefaultTenant), ropc(AzureDevOpsResource+"/.default")),
		"client": post(t, s, v2Token(DefaultTenant), secretForm(clientID, secret, AzureDevOpsResource+"/.default")),
	} {
		if a.body["refresh_in"] != float64(12*3600) || a.body["expires_in"] != float64(24*3600) {
			t.Errorf("%s: a day-long token's refresh_in %v, expires_in %v; want half and all of a day", name, a.body["refresh_in"], a.body["expires_in"])
		}
	}
}

func TestTokenTypeIsBearerOnEveryGrant(t *testing.T) {
	t.Parallel()
	s := startServer(t, Options{})
	clientID, secret := s.NewServicePrincipal("")
	v1Secret := url.Values{"grant_type": {"client_credentials"}, "client_id": {clientID}, "client_secret": {secret}, "resource": {AKSServerAppID}}
	v1Password := ropc("")
	v1Password.Del("scope")
	v1Password.Set("resource", AKSServerAppID)
	for name, a := range map[string]answer{
		"v2 client credentials": post(t, s, v2Token(DefaultTenant), secretForm(clientID, secret, AKSServerAppID+"/.default")),
		"v1 client credentials": post(t, s, v1Token(DefaultTenant), v1Secret),
		"v2 password":           post(t, s, v2Token(DefaultTenant), ropc(AKSServerAppID+"/.default")),
		"v1 password":           post(t, s, v1Token(DefaultTenant), v1Password),
		"IMDS":                  get(t, s.HTTPClient(), s.IMDSEndpoint()+imdsTokenPath+"?api-version=2018-02-01&resource="+url.QueryEscape(AKSServerAppID), "Metadata", "true"),
	} {
		if a.status != 200 || a.str("token_type") != "Bearer" {
			t.Errorf("%s: %d, token_type %q", name, a.status, a.str("token_type"))
		}
	}
}

func TestClientInfoNamesTheHomeAccountInAGuestTenant(t *testing.T) {
	t.Parallel()
	s := startServer(t, Options{})
	const partner, bob = "22222222-0000-4000-8000-000000000002", "bob@contoso.onmicrosoft.com"
	if err := s.AddTenant(partner); err != nil {
		t.Fatal(err)
	}
	if err := s.AddUser(User{UPN: bob, Password: "pw", ObjectID: "b0b00000-0000-4000-8000-000000000001", GuestOf: []string{partner}}); err != nil {
		t.Fatal(err)
	}
	home := ropc(AzureDevOpsResource + "/.default offline_access")
	home.Set("username", bob)
	home.Set("password", "pw")
	rt := post(t, s, v2Token(DefaultTenant), home).str("refresh_token")
	a := post(t, s, v2Token(partner), url.Values{"grant_type": {"refresh_token"}, "client_id": {AzureCLIClientID},
		"refresh_token": {rt}, "scope": {AzureDevOpsResource + "/.default"}, "client_info": {"1"}})
	if c := verify(t, s, a.str("access_token"), AzureDevOpsResource); c.TenantID != partner {
		t.Errorf("the guest's token is for tenant %s, want %s", c.TenantID, partner)
	}
	info, err := base64.RawURLEncoding.DecodeString(a.str("client_info"))
	var ci map[string]string
	if err != nil || json.Unmarshal(info, &ci) != nil || ci["uid"] != "b0b00000-0000-4000-8000-000000000001" || ci["utid"] != DefaultTenant {
		t.Errorf("client_info = %s, want the home account (uid of bob, utid of his home tenant)", info)
	}
}
