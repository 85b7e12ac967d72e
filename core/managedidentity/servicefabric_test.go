package managedidentity

import (
	"context"
	"crypto/sha1"
	"encoding/hex"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

// newServiceFabric starts a TLS endpoint on 127.0.0.1 and returns it with its certificate's
// thumbprint.
func newServiceFabric(t *testing.T) (*httptest.Server, string, *[]*http.Request) {
	t.Helper()
	var seen []*http.Request
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		seen = append(seen, r)
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"access_token":"fabric-token","expires_on":"1772370000","resource":"https://management.azure.com/","token_type":"Bearer"}`))
	}))
	t.Cleanup(srv.Close)
	sum := sha1.Sum(srv.Certificate().Raw)
	return srv, strings.ToUpper(hex.EncodeToString(sum[:])), &seen
}

func TestServiceFabricPinnedCertificate(t *testing.T) {
	srv, thumbprint, seen := newServiceFabric(t)
	c := newTestClient(t, env{
		"IDENTITY_ENDPOINT":          srv.URL + "/metadata/identity/oauth2/token",
		"IDENTITY_HEADER":            "fabric-secret",
		"IDENTITY_SERVER_THUMBPRINT": strings.ToLower(thumbprint),
	})
	tok, err := c.Token(context.Background(), armResource, ID{})
	if err != nil {
		t.Fatalf("Token: %v", err)
	}
	if tok.AccessToken != "fabric-token" {
		t.Errorf("AccessToken = %q", tok.AccessToken)
	}
	if len(*seen) != 1 {
		t.Fatalf("endpoint saw %d requests", len(*seen))
	}
	r := (*seen)[0]
	assertQuery(t, r.URL.Query(), url.Values{"api-version": {"2019-07-01-preview"}, "resource": {armResource}})
	if r.Header.Get("Secret") != "fabric-secret" {
		t.Errorf("Secret header = %q", r.Header.Get("Secret"))
	}
}

func TestServiceFabricRefusesOtherCertificate(t *testing.T) {
	srv, _, seen := newServiceFabric(t)
	c := newTestClient(t, env{
		"IDENTITY_ENDPOINT":          srv.URL,
		"IDENTITY_HEADER":            "fabric-secret",
		"IDENTITY_SERVER_THUMBPRINT": strings.Repeat("AB", 20),
	})
	_, err := c.Token(context.Background(), armResource, ID{})
	if err == nil || !strings.Contains(err.Error(), "is not the one IDENTITY_SERVER_THUMBPRINT names") {
		t.Fatalf("error = %v, want a certificate mismatch", err)
	}
	if len(*seen) != 0 {
		t.Error("the request reached a server with the wrong certificate")
	}
	if strings.Contains(err.Error(), "fabric-secret") {
		t.Error("error contains IDENTITY_HEADER")
	}
}

func TestServiceFabricRejectsBadConfiguration(t *testing.T) {
	srv, thumbprint, _ := newServiceFabric(t)
	tests := []struct {
		name    string
		vars    env
		id      ID
		wantErr string
	}{
		{"user-assigned", env{"IDENTITY_ENDPOINT": srv.URL, "IDENTITY_HEADER": "h", "IDENTITY_SERVER_THUMBPRINT": thumbprint}, ID{ClientID: testClientID}, "chooses the application's identity in its manifest"},
		{"thumbprint not hex", env{"IDENTITY_ENDPOINT": srv.URL, "IDENTITY_HEADER": "h", "IDENTITY_SERVER_THUMBPRINT": "not-a-thumbprint"}, ID{}, "not a certificate thumbprint"},
		{"thumbprint too short", env{"IDENTITY_ENDPOINT": srv.URL, "IDENTITY_HEADER": "h", "IDENTITY_SERVER_THUMBPRINT": "ABCD"}, ID{}, "not a certificate thumbprint"},
		{"plain http", env{"IDENTITY_ENDPOINT": "http://127.0.0.1:2377/", "IDENTITY_HEADER": "h", "IDENTITY_SERVER_THUMBPRINT": thumbprint}, ID{}, "must be an https URL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newTestClient(t, tt.vars)
			_, err := c.Token(context.Background(), armResource, tt.id)
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("error = %v, want one containing %q", err, tt.wantErr)
			}
		})
	}
}
