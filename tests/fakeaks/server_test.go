package fakeaks

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aadcred/aadcred/tests/fakeentra"
)

// clientToken gets a client-credentials token from the fake Entra ID for scope.
func clientToken(t *testing.T, entra *fakeentra.Server, tenant, scope string) string {
	t.Helper()
	if err := entra.AddTenant(otherTenant); err != nil {
		t.Fatal(err)
	}
	id, secret := entra.NewServicePrincipal(tenant)
	form := url.Values{"grant_type": {"client_credentials"}, "client_id": {id}, "client_secret": {secret}, "scope": {scope}}
	resp, err := entra.HTTPClient().PostForm(entra.URL()+"/"+tenant+"/oauth2/v2.0/token", form)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil || body.AccessToken == "" {
		t.Fatalf("no token (%s, %v)", resp.Status, err)
	}
	return body.AccessToken
}

const otherTenant = "0e4e0000-0000-4000-8000-00000000000e"

func TestServerLetsInOnlyTheClustersTokens(t *testing.T) {
	entra := fakeentra.NewTest(t, fakeentra.Options{})
	aks := NewTest(t, Options{Entra: entra})
	good := clientToken(t, entra, fakeentra.DefaultTenant, ServerAppID+"/.default")
	for _, tc := range []struct {
		name, header string
		want         int
	}{
		{"the cluster's token", "Bearer " + good, http.StatusOK},
		{"scheme in lower case", "bearer " + good, http.StatusOK},
		{"no token", "", http.StatusUnauthorized},
		{"basic credentials", "Basic dXNlcjpwYXNz", http.StatusUnauthorized},
		{"another audience", "Bearer " + clientToken(t, entra, fakeentra.DefaultTenant, fakeentra.ManagementResource+".default"), http.StatusUnauthorized},
		{"another tenant", "Bearer " + clientToken(t, entra, otherTenant, ServerAppID+"/.default"), http.StatusUnauthorized},
		{"tampered", "Bearer " + good[:len(good)-4] + "AAAA", http.StatusUnauthorized},
	} {
		req, _ := http.NewRequest(http.MethodGet, aks.URL()+"/api/v1/namespaces/default/pods", nil)
		if tc.header != "" {
			req.Header.Set("Authorization", tc.header)
		}
		resp, err := entra.HTTPClient().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var body struct{ Kind string }
		json.NewDecoder(resp.Body).Decode(&body)
		resp.Body.Close()
		if resp.StatusCode != tc.want {
			t.Errorf("%s: %s, want %d", tc.name, resp.Status, tc.want)
		}
		if want := map[int]string{200: "PodList", 401: "Status"}[tc.want]; body.Kind != want {
			t.Errorf("%s: answered a %q, want a %s", tc.name, body.Kind, want)
		}
	}
	if got := aks.Authorized(); len(got) != 2 || got[0].Caller == "" {
		t.Errorf("authorized requests %+v", got)
	}
	if aks.Refused() != 5 {
		t.Errorf("%d refused, want 5", aks.Refused())
	}
}

func TestServerRefusesExpiredTokens(t *testing.T) {
	past := time.Now().Add(-2 * time.Hour)
	entra := fakeentra.NewTest(t, fakeentra.Options{Now: func() time.Time { return past }})
	aks := NewTest(t, Options{Entra: entra})
	expired := clientToken(t, entra, fakeentra.DefaultTenant, ServerAppID+"/.default")
	// The cluster checks with the wall clock; the verifier follows the fake's, so give it a
	// fresh one.
	aks.verifier = fakeentra.NewVerifier(entra.URL()+"/common/discovery/keys", entra.HTTPClient())
	req, _ := http.NewRequest(http.MethodGet, aks.URL()+"/version", nil)
	req.Header.Set("Authorization", "Bearer "+expired)
	resp, err := entra.HTTPClient().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized || !strings.Contains(aks.Requests()[0].Refusal, "expired") {
		t.Errorf("an expired token: %s, %+v", resp.Status, aks.Requests())
	}
}

func FuzzBearerToken(f *testing.F) {
	for _, seed := range []string{"Bearer eyJ.eyJ.sig", "bearer  x", "Basic abc", "Bearer", "Bearer a b", "", " Bearer\tx"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, header string) {
		token, err := bearerToken(header)
		if err == nil && (token == "" || strings.ContainsAny(token, " \t\r\n")) {
			t.Fatalf("bearerToken(%q) = %q", header, token)
		}
	})
}
