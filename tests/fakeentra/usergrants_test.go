package fakeentra

import (
	"encoding/base64"
	"encoding/json"
	"net/url"
	"testing"
	"time"
)

func ropc(scope string) url.Values {
	return url.Values{"grant_type": {"password"}, "client_id": {AzureCLIClientID}, "username": {DefaultUser},
		"password": {DefaultUserPassword}, "scope": {scope}, "client_info": {"1"}}
}

func TestPasswordGrantV2(t *testing.T) {
	t.Parallel()
	s := startServer(t, Options{})
	a := post(t, s, v2Token("organizations"), ropc(AzureDevOpsResource+"/.default offline_access openid profile"))
	if a.status != 200 {
		t.Fatalf("%d %s", a.status, a.raw)
	}
	if a.str("refresh_token") == "" || a.str("id_token") == "" || a.str("foci") != "1" {
		t.Errorf("answer lacks refresh_token, id_token or foci: %s", a.raw)
	}
	if got, want := a.str("scope"), AzureDevOpsResource+"/user_impersonation "+AzureDevOpsResource+"/.default"; got != want {
		t.Errorf("scope = %q, want %q", got, want)
	}
	info, err := base64.RawURLEncoding.DecodeString(a.str("client_info"))
	var ci map[string]string
	if err != nil || json.Unmarshal(info, &ci) != nil || ci["uid"] != DefaultUserObjectID || ci["utid"] != DefaultTenant {
		t.Errorf("client_info = %q (%v)", a.str("client_info"), ci)
	}
	c := verify(t, s, a.str("access_token"), AzureDevOpsResource)
	if c.UPN != DefaultUser || c.ObjectID != DefaultUserObjectID || c.IdentityType != "user" || len(c.Scopes) != 1 || c.Scopes[0] != "user_impersonation" {
		t.Errorf("claims = %+v", c)
	}
	id := claimsOf(t, a.str("id_token"))
	if id["aud"] != AzureCLIClientID || id["preferred_username"] != DefaultUser || id["ver"] != "2.0" || id["iss"] != s.URL()+"/"+DefaultTenant+"/v2.0" {
		t.Errorf("id_token claims = %v", id)
	}

	noExtras := post(t, s, v2Token(DefaultTenant), ropc(AzureDevOpsResource+"/.default"))
	if noExtras.str("refresh_token") != "" || noExtras.str("id_token") != "" {
		t.Errorf("without offline_access and openid the answer still has a refresh or ID token: %s", noExtras.raw)
	}
}

func TestPasswordGrantV1AndErrors(t *testing.T) {
	t.Parallel()
	s := startServer(t, Options{})
	form := ropc("")
	form.Del("scope")
	form.Set("resource", AKSServerAppID)
	a := post(t, s, v1Token(DefaultTenant), form)
	if a.status != 200 || a.str("refresh_token") == "" || a.str("resource") != AKSServerAppID {
		t.Fatalf("%d %s", a.status, a.raw)
	}
	if a.str("id_token") != "" {
		t.Errorf("a v1 answer without scope=openid carries an ID token: %s", a.raw)
	}
	form.Set("scope", "openid")
	if withID := post(t, s, v1Token(DefaultTenant), form); withID.str("id_token") == "" {
		t.Errorf("a v1 answer to scope=openid carries no ID token: %s", withID.raw)
	}
	if _, ok := a.body["expires_on"].(string); !ok {
		t.Errorf("v1 expires_on is %T", a.body["expires_on"])
	}
	if c := verify(t, s, a.str("access_token"), AKSServerAppID); c.Raw["unique_name"] != DefaultUser {
		t.Errorf("v1 delegated token lacks unique_name: %v", c.Raw)
	}

	wrong := ropc(AzureDevOpsResource + "/.default")
	wrong.Set("password", "nope")
	wantEntraError(t, post(t, s, v2Token(DefaultTenant), wrong), 400, "invalid_grant", 50126)

	if err := s.AddUser(User{UPN: "bob@contoso.onmicrosoft.com", Password: "pw", RequireMFA: true}); err != nil {
		t.Fatal(err)
	}
	mfa := ropc(AzureDevOpsResource + "/.default")
	mfa.Set("username", "bob@contoso.onmicrosoft.com")
	mfa.Set("password", "pw")
	got := post(t, s, v2Token(DefaultTenant), mfa)
	wantEntraError(t, got, 400, "interaction_required", 50076)
	if got.str("claims") == "" {
		t.Error("MFA error has no claims challenge")
	}

	other := newGUID()
	if err := s.AddTenant(other, "fabrikam.example"); err != nil {
		t.Fatal(err)
	}
	wantEntraError(t, post(t, s, v2Token(other), ropc(AzureDevOpsResource+"/.default")), 400, "invalid_grant", 50020)
	wantEntraError(t, post(t, s, v2Token("consumers"), ropc(AzureDevOpsResource+"/.default")), 400, "invalid_request", 9002332)
}

func TestRefreshToken(t *testing.T) {
	t.Parallel()
	clock := NewClock(time.Time{})
	s := startServer(t, Options{Now: clock.Now})
	first := post(t, s, v2Token(DefaultTenant), ropc(AzureDevOpsResource+"/.default offline_access"))
	rt := first.str("refresh_token")
	redeem := func(clientID, token, scope string) answer {
		return post(t, s, v2Token(DefaultTenant), url.Values{"grant_type": {"refresh_token"}, "client_id": {clientID}, "refresh_token": {token}, "scope": {scope}})
	}

	arm := redeem(AzureCLIClientID, rt, ManagementCoreResource+"/.default")
	if arm.status != 200 {
		t.Fatalf("redeeming for ARM: %d %s", arm.status, arm.raw)
	}
	verify(t, s, arm.str("access_token"), ManagementCoreResource)
	if arm.str("refresh_token") == "" || arm.str("refresh_token") == rt {
		t.Error("redemption did not return a new refresh token")
	}
	aks := redeem(AzureCLIClientID, rt, AKSServerAppID+"/.default")
	verify(t, s, aks.str("access_token"), AKSServerAppID)

	v1 := post(t, s, v1Token(DefaultTenant), url.Values{"grant_type": {"refresh_token"}, "client_id": {AzureCLIClientID}, "refresh_token": {rt}, "resource": {ACRResource}})
	verify(t, s, v1.str("access_token"), ACRResource)

	wantEntraError(t, redeem(VisualStudioClientID, rt, AzureDevOpsResource+"/.default"), 400, "invalid_grant", 70000)
	wantEntraError(t, redeem(AzureCLIClientID, "garbage", AzureDevOpsResource+"/.default"), 400, "invalid_grant", 9002313)

	s.RevokeRefreshTokens(DefaultUser)
	revoked := redeem(AzureCLIClientID, arm.str("refresh_token"), AzureDevOpsResource+"/.default")
	wantEntraError(t, revoked, 400, "invalid_grant", 50173)
	if revoked.str("suberror") != "bad_token" {
		t.Errorf("suberror = %q, want bad_token", revoked.str("suberror"))
	}

	fresh := post(t, s, v2Token(DefaultTenant), ropc(AzureDevOpsResource+"/.default offline_access")).str("refresh_token")
	clock.Advance(91 * 24 * time.Hour)
	wantEntraError(t, redeem(AzureCLIClientID, fresh, AzureDevOpsResource+"/.default"), 400, "invalid_grant", 700082)
}

func TestFamilyRefreshToken(t *testing.T) {
	t.Parallel()
	s := startServer(t, Options{})
	family := newGUID()
	if err := s.AddApp(App{ClientID: family, Public: true, FOCI: true}); err != nil {
		t.Fatal(err)
	}
	rt := post(t, s, v2Token(DefaultTenant), ropc(AzureDevOpsResource+"/.default offline_access")).str("refresh_token")
	a := post(t, s, v2Token(DefaultTenant), url.Values{"grant_type": {"refresh_token"}, "client_id": {family}, "refresh_token": {rt}, "scope": {GraphResource + "/.default"}})
	if a.status != 200 || a.str("foci") != "1" {
		t.Fatalf("a family member could not redeem the Azure CLI's refresh token: %d %s", a.status, a.raw)
	}
}

func TestOnBehalfOf(t *testing.T) {
	t.Parallel()
	s := startServer(t, Options{})
	apiID, apiSecret := s.NewServicePrincipal("")
	user := post(t, s, v2Token(DefaultTenant), ropc("api://"+apiID+"/.default"))
	if user.status != 200 {
		t.Fatalf("token for the API: %d %s", user.status, user.raw)
	}
	obo := func(clientID, secret, assertion string) answer {
		return post(t, s, v2Token(DefaultTenant), url.Values{
			"grant_type": {grantJWTBearer}, "client_id": {clientID}, "client_secret": {secret},
			"assertion": {assertion}, "requested_token_use": {"on_behalf_of"}, "scope": {GraphResource + "/User.Read offline_access"},
		})
	}
	a := obo(apiID, apiSecret, user.str("access_token"))
	if a.status != 200 {
		t.Fatalf("on-behalf-of: %d %s", a.status, a.raw)
	}
	c := verify(t, s, a.str("access_token"), GraphResource)
	if c.UPN != DefaultUser || c.AppID != apiID || len(c.Scopes) != 1 || c.Scopes[0] != "User.Read" {
		t.Errorf("downstream claims = %+v", c)
	}

	otherID, otherSecret := s.NewServicePrincipal("")
	wantEntraError(t, obo(otherID, otherSecret, user.str("access_token")), 400, "invalid_grant", 50013)
	appOnly := post(t, s, v2Token(DefaultTenant), secretForm(otherID, otherSecret, "api://"+apiID+"/.default"))
	wantEntraError(t, obo(apiID, apiSecret, appOnly.str("access_token")), 400, "invalid_grant", 50013)
	wantEntraError(t, obo(AzureCLIClientID, "", user.str("access_token")), 401, "invalid_client", 7000218)
}
