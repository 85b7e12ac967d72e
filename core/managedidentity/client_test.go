package managedidentity

import (
	"context"
	"net/url"
	"strings"
	"testing"
)

func TestTokenRejectsBadInputWithoutARequest(t *testing.T) {
	tests := []struct {
		name     string
		resource string
		id       ID
		wantErr  string
	}{
		{"no resource", "", ID{}, "needs a resource"},
		{"only the .default suffix", "/.default", ID{}, "needs a resource"},
		{"two scopes", "https://management.azure.com/.default https://vault.azure.net/.default", ID{}, "exactly one resource"},
		{"client and object ID", armResource, ID{ClientID: testClientID, ObjectID: testObjectID}, "both client ID and object ID"},
		{"object and resource ID", armResource, ID{ObjectID: testObjectID, ResourceID: testResID}, "both object ID and resource ID"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			imds := newFakeEndpoint(t, ok(`{"access_token":"t","expires_in":"3599"}`))
			c := newTestClient(t, env{})
			c.IMDSEndpoint = imds.URL
			_, err := c.Token(context.Background(), tt.resource, tt.id)
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("Token() error = %v, want one containing %q", err, tt.wantErr)
			}
			if n := len(imds.requests()); n != 0 {
				t.Errorf("endpoint saw %d requests for rejected input", n)
			}
		})
	}
}

func TestTokenTrimsDefaultScope(t *testing.T) {
	for scope, want := range map[string]string{
		"https://management.azure.com//.default": "https://management.azure.com/",
		"https://vault.azure.net/.default":       "https://vault.azure.net",
		"  api://my-app/.default ":               "api://my-app",
		"https://management.azure.com/":          "https://management.azure.com/",
	} {
		imds := newFakeEndpoint(t, ok(`{"access_token":"t","expires_in":"3599"}`))
		c := newTestClient(t, env{})
		c.IMDSEndpoint = imds.URL
		if _, err := c.Token(context.Background(), scope, ID{}); err != nil {
			t.Fatalf("Token(%q): %v", scope, err)
		}
		if got := imds.only(t).Query.Get("resource"); got != want {
			t.Errorf("Token(%q) sent resource=%q, want %q", scope, got, want)
		}
	}
}

func TestTokenRejectsEndpointThatIsNotAURL(t *testing.T) {
	for _, vars := range []env{
		{"IDENTITY_ENDPOINT": "localhost:41000/msi/token", "IDENTITY_HEADER": "h"},
		{"IDENTITY_ENDPOINT": "file:///etc/passwd", "IDENTITY_HEADER": "h"},
		{"MSI_ENDPOINT": "ftp://127.0.0.1/token"},
		{"AADCRED_IMDS_ENDPOINT": "127.0.0.1:8080"},
	} {
		c := newTestClient(t, vars)
		_, err := c.Token(context.Background(), armResource, ID{})
		if err == nil || !strings.Contains(err.Error(), "not an http or https") {
			t.Errorf("with %v: error = %v, want one saying the endpoint is not an http(s) URL", vars, err)
		}
	}
}

func TestIDString(t *testing.T) {
	for id, want := range map[ID]string{
		{}:                       "the system-assigned identity",
		{ClientID: testClientID}: "client ID " + testClientID,
		{ObjectID: testObjectID}: "object ID " + testObjectID,
		{ResourceID: testResID}:  "resource ID " + testResID,
	} {
		if got := id.String(); got != want {
			t.Errorf("%#v.String() = %q, want %q", id, got, want)
		}
	}
}

func TestEndpointURLKeepsPlatformQuery(t *testing.T) {
	got, err := endpointURL("IDENTITY_ENDPOINT", "http://127.0.0.1:41000/msi/token?code=abc", url.Values{"resource": {armResource}})
	if err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse(got)
	if u.Query().Get("code") != "abc" || u.Query().Get("resource") != armResource || u.Path != "/msi/token" {
		t.Errorf("endpointURL = %s, want the platform's path and query kept and resource added", got)
	}
}
