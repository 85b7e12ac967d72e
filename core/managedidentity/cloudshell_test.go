package managedidentity

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

func TestCloudShellRequest(t *testing.T) {
	// Numbers as JSON numbers this time.
	ep := newFakeEndpoint(t, ok(`{"access_token":"shell-token","refresh_token":"","expires_in":3600,"expires_on":1772373600,"token_type":"Bearer"}`))
	c := newTestClient(t, env{"MSI_ENDPOINT": ep.URL + "/oauth2/token"})
	tok, err := c.Token(context.Background(), "https://management.core.windows.net/", ID{})
	if err != nil {
		t.Fatalf("Token: %v", err)
	}
	got := ep.only(t)
	if got.Method != http.MethodPost || got.Path != "/oauth2/token" {
		t.Errorf("request = %s %s, want POST /oauth2/token", got.Method, got.Path)
	}
	assertQuery(t, got.Query, url.Values{})
	if want := (url.Values{"resource": {"https://management.core.windows.net/"}}); got.Form.Encode() != want.Encode() {
		t.Errorf("form = %s, want %s", got.Form.Encode(), want.Encode())
	}
	if got.Header.Get("Metadata") != "true" || got.Header.Get("Content-Type") != "application/x-www-form-urlencoded" {
		t.Errorf("headers Metadata=%q Content-Type=%q", got.Header.Get("Metadata"), got.Header.Get("Content-Type"))
	}
	if want := testNow.Add(time.Hour); tok.AccessToken != "shell-token" || !tok.ExpiresOn.Equal(want) {
		t.Errorf("token = %q expiring %v, want shell-token expiring %v", tok.AccessToken, tok.ExpiresOn, want)
	}
}

func TestCloudShellRejectsUserAssigned(t *testing.T) {
	ep := newFakeEndpoint(t, ok(`{"access_token":"t","expires_in":"3599"}`))
	c := newTestClient(t, env{"MSI_ENDPOINT": ep.URL})
	_, err := c.Token(context.Background(), armResource, ID{ClientID: testClientID})
	if err == nil || !strings.Contains(err.Error(), "signed-in user only") || !strings.Contains(err.Error(), testClientID) {
		t.Errorf("error = %v, want one saying Cloud Shell cannot select client ID %s", err, testClientID)
	}
	if n := len(ep.requests()); n != 0 {
		t.Errorf("endpoint saw %d requests", n)
	}
}
