package managedidentity

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aadcred/aadcred/core/entra"
)

const appServiceAnswer = `{"access_token":"app-service-token","expires_on":"1772370000","resource":"https://vault.azure.net","token_type":"Bearer","client_id":"11111111-1111-1111-1111-111111111111"}`

func TestAppServiceRequest(t *testing.T) {
	tests := []struct {
		name     string
		id       ID
		selector url.Values
	}{
		{"system-assigned", ID{}, url.Values{}},
		{"client ID", ID{ClientID: testClientID}, url.Values{"client_id": {testClientID}}},
		{"object ID is principal_id", ID{ObjectID: testObjectID}, url.Values{"principal_id": {testObjectID}}},
		{"resource ID is mi_res_id", ID{ResourceID: testResID}, url.Values{"mi_res_id": {testResID}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ep := newFakeEndpoint(t, ok(appServiceAnswer))
			c := newTestClient(t, env{"IDENTITY_ENDPOINT": ep.URL + "/msi/token", "IDENTITY_HEADER": "rotating-header-1"})
			tok, err := c.Token(context.Background(), "https://vault.azure.net/.default", tt.id)
			if err != nil {
				t.Fatalf("Token: %v", err)
			}
			got := ep.only(t)
			if got.Method != http.MethodGet || got.Path != "/msi/token" {
				t.Errorf("request = %s %s, want GET /msi/token", got.Method, got.Path)
			}
			want := url.Values{"api-version": {"2019-08-01"}, "resource": {"https://vault.azure.net"}}
			for k, v := range tt.selector {
				want[k] = v
			}
			assertQuery(t, got.Query, want)
			if h := got.Header.Get("X-Identity-Header"); h != "rotating-header-1" {
				t.Errorf("X-IDENTITY-HEADER = %q", h)
			}
			if got.Header.Get("Metadata") != "" {
				t.Error("App Service request carries IMDS's Metadata header")
			}
			// Only expires_on, as a numeric string.
			if want := time.Unix(1772370000, 0); tok.AccessToken != "app-service-token" || !tok.ExpiresOn.Equal(want) {
				t.Errorf("token = %q expiring %v, want app-service-token expiring %v", tok.AccessToken, tok.ExpiresOn, want)
			}
		})
	}
}

func TestAppServiceReadsHeaderForEachRequest(t *testing.T) {
	ep := newFakeEndpoint(t, ok(appServiceAnswer))
	vars := env{"IDENTITY_ENDPOINT": ep.URL, "IDENTITY_HEADER": "first"}
	c := newTestClient(t, vars)
	for _, header := range []string{"first", "second"} {
		vars["IDENTITY_HEADER"] = header
		if _, err := c.Token(context.Background(), armResource, ID{}); err != nil {
			t.Fatalf("Token: %v", err)
		}
	}
	reqs := ep.requests()
	if len(reqs) != 2 || reqs[0].Header.Get("X-Identity-Header") != "first" || reqs[1].Header.Get("X-Identity-Header") != "second" {
		t.Errorf("the rotated IDENTITY_HEADER was not picked up: sent %q then %q", reqs[0].Header.Get("X-Identity-Header"), reqs[1].Header.Get("X-Identity-Header"))
	}
}

func TestAppServiceRetriesServerErrors(t *testing.T) {
	ep := newFakeEndpoint(t, answer{status: http.StatusInternalServerError, body: `{"statusCode":500,"message":"busy"}`}, ok(appServiceAnswer))
	c := newTestClient(t, env{"IDENTITY_ENDPOINT": ep.URL, "IDENTITY_HEADER": "h"})
	if _, err := c.Token(context.Background(), armResource, ID{}); err != nil {
		t.Fatalf("Token: %v", err)
	}
	if n := len(ep.requests()); n != 2 {
		t.Errorf("endpoint saw %d requests, want 2", n)
	}
}

func TestAppServiceErrors(t *testing.T) {
	ep := newFakeEndpoint(t, answer{status: http.StatusBadRequest,
		body: `{"statusCode":400,"message":"Unable to load the proper Managed Identity.","correlationId":"c0ffee00-0000-0000-0000-000000000000"}`})
	c := newTestClient(t, env{"IDENTITY_ENDPOINT": ep.URL, "IDENTITY_HEADER": "secret-header-value"})
	_, err := c.Token(context.Background(), armResource, ID{ObjectID: testObjectID})
	var e *entra.Error
	if !errors.As(err, &e) || e.Endpoint != "App Service managed identity endpoint" {
		t.Fatalf("error = %v, want an *entra.Error naming the App Service endpoint", err)
	}
	if !strings.Contains(err.Error(), "no managed identity with object ID "+testObjectID) {
		t.Errorf("error = %v, want it to name the object ID that was not found", err)
	}
	if strings.Contains(err.Error(), "secret-header-value") {
		t.Error("error contains IDENTITY_HEADER")
	}
}
