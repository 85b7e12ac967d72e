package managedidentity

import (
	"context"
	"net/url"
	"strings"
	"testing"
	"time"
)

func TestAzureMLRequest(t *testing.T) {
	tests := []struct {
		name     string
		vars     env
		id       ID
		clientID string // "" = no clientid parameter
	}{
		{"no identity at all", env{}, ID{}, ""},
		{"the compute's default identity", env{"DEFAULT_IDENTITY_CLIENT_ID": "default-id"}, ID{}, "default-id"},
		{"a chosen client ID wins", env{"DEFAULT_IDENTITY_CLIENT_ID": "default-id"}, ID{ClientID: testClientID}, testClientID},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// The legacy API's date form of expires_on.
			ep := newFakeEndpoint(t, ok(`{"access_token":"ml-token","expires_on":"03/01/2026 01:30:00 PM +00:00","resource":"https://management.azure.com/","token_type":"Bearer"}`))
			tt.vars["MSI_ENDPOINT"] = ep.URL + "/token"
			tt.vars["MSI_SECRET"] = "ml-secret"
			c := newTestClient(t, tt.vars)
			tok, err := c.Token(context.Background(), armResource, tt.id)
			if err != nil {
				t.Fatalf("Token: %v", err)
			}
			got := ep.only(t)
			want := url.Values{"api-version": {"2017-09-01"}, "resource": {armResource}}
			if tt.clientID != "" {
				want.Set("clientid", tt.clientID)
			}
			assertQuery(t, got.Query, want)
			if got.Header.Get("Secret") != "ml-secret" {
				t.Errorf("secret header = %q", got.Header.Get("Secret"))
			}
			if want := time.Date(2026, 3, 1, 13, 30, 0, 0, time.UTC); !tok.ExpiresOn.Equal(want) {
				t.Errorf("ExpiresOn = %v, want %v", tok.ExpiresOn, want)
			}
		})
	}
}

func TestAzureMLRejectsOtherSelectors(t *testing.T) {
	ep := newFakeEndpoint(t, ok(`{"access_token":"t","expires_in":"3599"}`))
	c := newTestClient(t, env{"MSI_ENDPOINT": ep.URL, "MSI_SECRET": "s"})
	for _, id := range []ID{{ObjectID: testObjectID}, {ResourceID: testResID}} {
		_, err := c.Token(context.Background(), armResource, id)
		if err == nil || !strings.Contains(err.Error(), "by client ID only") {
			t.Errorf("Token(%v) error = %v, want one saying Azure ML takes a client ID only", id, err)
		}
	}
	if n := len(ep.requests()); n != 0 {
		t.Errorf("endpoint saw %d requests", n)
	}
}
