package fakeentra

import (
	"net/http"
	"net/url"
	"os"
	"strings"
	"testing"
)

func TestIMDS(t *testing.T) {
	t.Parallel()
	s := startServer(t, Options{})
	client := &http.Client{}
	base := s.IMDSEndpoint() + "/metadata/identity/oauth2/token?api-version=2018-02-01&resource=" + url.QueryEscape(ManagementResource)

	a := get(t, client, base, "Metadata", "true")
	if a.status != 200 {
		t.Fatalf("%d %s", a.status, a.raw)
	}
	for _, name := range []string{"expires_in", "expires_on", "not_before"} {
		if _, ok := a.body[name].(string); !ok {
			t.Errorf("%s is %T, want a string", name, a.body[name])
		}
	}
	if a.str("resource") != ManagementResource || a.str("token_type") != "Bearer" {
		t.Errorf("answer = %s", a.raw)
	}
	c := verify(t, s, a.str("access_token"), ManagementResource)
	if c.AppID != SystemIdentityClientID || c.ObjectID != SystemIdentityObjectID || c.IdentityType != "app" || c.Raw["xms_mirid"] != SystemIdentityResourceID {
		t.Errorf("claims = %+v", c)
	}

	if a := get(t, client, base); a.status != 400 || a.str("error") != "bad_request_102" {
		t.Errorf("without Metadata: %d %s", a.status, a.raw)
	}
	if a := get(t, client, base+"&client_id=a&object_id=b", "Metadata", "true"); a.status != 400 {
		t.Errorf("two selectors: %d %s", a.status, a.raw)
	}
	if a := get(t, client, base+"&client_id="+newGUID(), "Metadata", "true"); a.status != 400 || a.str("error") != "invalid_request" {
		t.Errorf("unknown identity: %d %s", a.status, a.raw)
	}
	if a := get(t, client, strings.Replace(base, url.QueryEscape(ManagementResource), url.QueryEscape(ManagementResource+".default"), 1), "Metadata", "true"); a.status != 400 || a.str("error") != "invalid_resource" {
		t.Errorf("a /.default resource: %d %s", a.status, a.raw)
	}

	user := ManagedIdentity{ClientID: newGUID(), ObjectID: newGUID(), ResourceID: "/subscriptions/x/resourceGroups/rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id1"}
	if err := s.AddManagedIdentity(user); err != nil {
		t.Fatal(err)
	}
	for _, sel := range []string{"client_id=" + user.ClientID, "object_id=" + user.ObjectID, "msi_res_id=" + url.QueryEscape(user.ResourceID)} {
		a := get(t, client, base+"&"+sel, "Metadata", "true")
		if c := verify(t, s, a.str("access_token"), ManagementResource); c.AppID != user.ClientID {
			t.Errorf("selector %s: appid %q, want %q", sel, c.AppID, user.ClientID)
		}
	}
}

func TestAppService(t *testing.T) {
	t.Parallel()
	s := startServer(t, Options{})
	client := &http.Client{}
	u := s.AppServiceEndpoint() + "?api-version=2019-08-01&resource=" + url.QueryEscape(KeyVaultResource)
	a := get(t, client, u, "X-IDENTITY-HEADER", s.AppServiceHeader())
	if a.status != 200 {
		t.Fatalf("%d %s", a.status, a.raw)
	}
	if _, ok := a.body["expires_on"].(string); !ok || a.str("client_id") != SystemIdentityClientID {
		t.Errorf("answer = %s", a.raw)
	}
	verify(t, s, a.str("access_token"), KeyVaultResource)
	if a := get(t, client, u, "X-IDENTITY-HEADER", "wrong"); a.status != 401 {
		t.Errorf("wrong header: %d", a.status)
	}
	if a := get(t, client, strings.Replace(u, "2019-08-01", "2017-09-01", 1), "X-IDENTITY-HEADER", s.AppServiceHeader()); a.status != 400 {
		t.Errorf("old api-version: %d", a.status)
	}
	if a := get(t, client, u+"&principal_id="+SystemIdentityObjectID, "X-IDENTITY-HEADER", s.AppServiceHeader()); a.status != 200 {
		t.Errorf("principal_id selector: %d %s", a.status, a.raw)
	}
}

func TestCloudShell(t *testing.T) {
	t.Parallel()
	s := startServer(t, Options{})
	req, _ := http.NewRequest(http.MethodPost, s.CloudShellEndpoint(), strings.NewReader(url.Values{"resource": {ManagementCoreResource}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Metadata", "true")
	a := do(t, &http.Client{}, req)
	if a.status != 200 {
		t.Fatalf("%d %s", a.status, a.raw)
	}
	if c := verify(t, s, a.str("access_token"), ManagementCoreResource); c.UPN != DefaultUser {
		t.Errorf("Cloud Shell token is not the signed-in user's: %+v", c)
	}
	if a := get(t, &http.Client{}, s.CloudShellEndpoint()+"?resource=x", "Metadata", "true"); a.status != 405 {
		t.Errorf("GET: %d", a.status)
	}
}

func TestArcChallenge(t *testing.T) {
	t.Parallel()
	s := startServer(t, Options{})
	client := &http.Client{}
	u := s.ArcEndpoint() + "?api-version=2020-06-01&resource=" + url.QueryEscape(ManagementResource)
	challenge := get(t, client, u, "Metadata", "true")
	realm, ok := strings.CutPrefix(challenge.header.Get("WWW-Authenticate"), "Basic realm=")
	if challenge.status != 401 || !ok || !strings.HasPrefix(realm, s.ArcKeyDir()) || !strings.HasSuffix(realm, ".key") {
		t.Fatalf("challenge: %d %q", challenge.status, challenge.header.Get("WWW-Authenticate"))
	}
	secret, err := os.ReadFile(realm)
	if err != nil {
		t.Fatal(err)
	}
	if wrong := get(t, client, u, "Metadata", "true", "Authorization", "Basic wrong"); wrong.status != 401 {
		t.Errorf("wrong secret: %d", wrong.status)
	}
	a := get(t, client, u, "Metadata", "true", "Authorization", "Basic "+string(secret))
	if a.status != 200 {
		t.Fatalf("%d %s", a.status, a.raw)
	}
	verify(t, s, a.str("access_token"), ManagementResource)
}
