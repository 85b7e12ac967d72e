package managedidentity

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aadcred/aadcred/core/entra"
)

const imdsAnswer = `{"access_token":"imds-access-token","refresh_token":"","expires_in":"3599",
 "expires_on":"1772370000","not_before":"1772366100","resource":"https://management.azure.com/","token_type":"Bearer"}`

func TestIMDSRequest(t *testing.T) {
	tests := []struct {
		name     string
		id       ID
		selector url.Values
	}{
		{"system-assigned", ID{}, url.Values{}},
		{"client ID", ID{ClientID: testClientID}, url.Values{"client_id": {testClientID}}},
		{"object ID", ID{ObjectID: testObjectID}, url.Values{"object_id": {testObjectID}}},
		{"resource ID", ID{ResourceID: testResID}, url.Values{"msi_res_id": {testResID}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			imds := newFakeEndpoint(t, ok(imdsAnswer))
			c := newTestClient(t, env{})
			c.IMDSEndpoint = imds.URL
			tok, err := c.Token(context.Background(), armResource, tt.id)
			if err != nil {
				t.Fatalf("Token: %v", err)
			}
			got := imds.only(t)
			if got.Method != http.MethodGet || got.Path != "/metadata/identity/oauth2/token" {
				t.Errorf("request = %s %s, want GET /metadata/identity/oauth2/token", got.Method, got.Path)
			}
			want := url.Values{"api-version": {"2018-02-01"}, "resource": {armResource}}
			for k, v := range tt.selector {
				want[k] = v
			}
			assertQuery(t, got.Query, want)
			if h := got.Header.Values("Metadata"); len(h) != 1 || h[0] != "true" {
				t.Errorf("Metadata header = %q, want [true]", h)
			}
			if tok.AccessToken != "imds-access-token" || tok.TokenType != "Bearer" || tok.Resource != armResource {
				t.Errorf("token = %+v", tok)
			}
			// expires_in is a string here, and is preferred to expires_on.
			if want := testNow.Add(3599 * time.Second); !tok.ExpiresOn.Equal(want) {
				t.Errorf("ExpiresOn = %v, want %v", tok.ExpiresOn, want)
			}
		})
	}
}

func TestIMDSEndpointFromEnvironment(t *testing.T) {
	imds := newFakeEndpoint(t, ok(`{"access_token":"t","expires_on":1772370000}`))
	c := newTestClient(t, env{"AADCRED_IMDS_ENDPOINT": imds.URL + "/"})
	tok, err := c.Token(context.Background(), armResource, ID{})
	if err != nil {
		t.Fatalf("Token: %v", err)
	}
	if got := imds.only(t).Path; got != "/metadata/identity/oauth2/token" {
		t.Errorf("path = %q, want the token path without a doubled slash", got)
	}
	if want := time.Unix(1772370000, 0); !tok.ExpiresOn.Equal(want) {
		t.Errorf("ExpiresOn from a numeric expires_on = %v, want %v", tok.ExpiresOn, want)
	}
}

func TestIMDSRetriesWhileUpdating(t *testing.T) {
	imds := newFakeEndpoint(t,
		answer{status: http.StatusGone, body: `{"error":"unavailable","error_description":"IMDS is updating"}`},
		answer{status: http.StatusNotFound, body: `{}`},
		answer{status: http.StatusServiceUnavailable, body: `{}`},
		ok(imdsAnswer),
	)
	c := newTestClient(t, env{})
	c.IMDSEndpoint = imds.URL
	tok, err := c.Token(context.Background(), armResource, ID{})
	if err != nil {
		t.Fatalf("Token: %v", err)
	}
	if tok.AccessToken != "imds-access-token" {
		t.Errorf("AccessToken = %q", tok.AccessToken)
	}
	if n := len(imds.requests()); n != 4 {
		t.Errorf("IMDS saw %d requests, want 4", n)
	}
	want := []time.Duration{2 * time.Second, 4 * time.Second, 8 * time.Second}
	if got := c.sleeps(); !slices.Equal(got, want) {
		t.Errorf("waits = %v, want %v", got, want)
	}
}

func TestIMDSGivesUpAfterFiveTries(t *testing.T) {
	imds := newFakeEndpoint(t, answer{status: http.StatusInternalServerError, body: `{"error":"server_error"}`})
	c := newTestClient(t, env{})
	c.IMDSEndpoint = imds.URL
	_, err := c.Token(context.Background(), armResource, ID{})
	var e *entra.Error
	if !errors.As(err, &e) || e.StatusCode != http.StatusInternalServerError || e.Endpoint != "IMDS managed identity endpoint" {
		t.Fatalf("error = %v, want an *entra.Error for HTTP 500 naming the IMDS endpoint", err)
	}
	if n := len(imds.requests()); n != 5 {
		t.Errorf("IMDS saw %d requests, want 5", n)
	}
}

func TestIMDSRetryRespectsDeadline(t *testing.T) {
	imds := newFakeEndpoint(t, answer{status: http.StatusTooManyRequests, body: `{}`})
	c := newTestClient(t, env{})
	c.IMDSEndpoint = imds.URL
	c.Entra.Now = time.Now // the deadline below is on the real clock
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	_, err := c.Token(ctx, armResource, ID{})
	var e *entra.Error
	if !errors.As(err, &e) || e.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("error = %v, want the 429", err)
	}
	// 2 s fits in the deadline, 2+4 s does not.
	if n := len(imds.requests()); n != 2 {
		t.Errorf("IMDS saw %d requests, want 2", n)
	}
}

func TestIMDSDoesNotRetryClientErrors(t *testing.T) {
	imds := newFakeEndpoint(t, answer{status: http.StatusBadRequest,
		body: `{"error":"invalid_resource","error_description":"AADSTS50001: The application named https://nope/ was not found in the tenant."}`})
	c := newTestClient(t, env{})
	c.IMDSEndpoint = imds.URL
	_, err := c.Token(context.Background(), "https://nope/", ID{})
	var e *entra.Error
	if !errors.As(err, &e) || e.Code != "invalid_resource" || !e.Has(50001) {
		t.Fatalf("error = %v, want invalid_resource with AADSTS50001", err)
	}
	if n := len(imds.requests()); n != 1 {
		t.Errorf("IMDS saw %d requests, want 1", n)
	}
}

func TestIMDSIdentityNotFound(t *testing.T) {
	notFound := answer{status: http.StatusBadRequest, body: `{"error":"invalid_request","error_description":"Identity not found"}`}
	tests := []struct {
		id   ID
		want string
	}{
		{ID{ClientID: testClientID}, "no managed identity with client ID " + testClientID + " is assigned to this machine"},
		{ID{ResourceID: testResID}, "no managed identity with resource ID " + testResID},
		{ID{}, "this machine has no system-assigned managed identity"},
	}
	for _, tt := range tests {
		imds := newFakeEndpoint(t, notFound)
		c := newTestClient(t, env{})
		c.IMDSEndpoint = imds.URL
		_, err := c.Token(context.Background(), armResource, tt.id)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Token(%v) error = %v, want one containing %q", tt.id, err, tt.want)
		}
		var e *entra.Error
		if !errors.As(err, &e) || e.StatusCode != http.StatusBadRequest {
			t.Errorf("Token(%v) error does not wrap the endpoint's *entra.Error", tt.id)
		}
	}
}

func TestIMDSAnswerWithoutToken(t *testing.T) {
	for _, body := range []string{`{"access_token":"","expires_in":"3599"}`, `{}`, `[]`, `<html>gateway</html>`} {
		imds := newFakeEndpoint(t, ok(body))
		c := newTestClient(t, env{})
		c.IMDSEndpoint = imds.URL
		_, err := c.Token(context.Background(), armResource, ID{})
		if err == nil || !strings.Contains(err.Error(), "reading the answer of the IMDS managed identity endpoint") {
			t.Errorf("answer %s: error = %v, want one about the IMDS answer", body, err)
		}
	}
}

func TestIMDSAbsentFailsFast(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	base := "http://" + l.Addr().String()
	l.Close() // nothing listens there now: the connection is refused

	c := newTestClient(t, env{})
	c.IMDSEndpoint = base
	start := time.Now()
	_, err = c.Token(context.Background(), armResource, ID{})
	if !errors.Is(err, ErrUnavailable) {
		t.Fatalf("error = %v, want one wrapping ErrUnavailable", err)
	}
	for _, want := range []string{"no managed identity endpoint answered at " + base + "/metadata/identity/oauth2/token", "may not be an Azure VM"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not contain %q", err, want)
		}
	}
	if s := c.sleeps(); len(s) != 0 {
		t.Errorf("a refused connection was retried after %v", s)
	}
	if d := time.Since(start); d > 500*time.Millisecond {
		t.Errorf("took %v to report a refused connection", d)
	}
}

func TestIMDSConnectTimeoutIgnoresLongerDeadline(t *testing.T) {
	t.Parallel()
	// A dialer that never connects, as 169.254.169.254 behaves off Azure.
	blackHole := &http.Transport{DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
		<-ctx.Done()
		return nil, &net.OpError{Op: "dial", Net: network, Err: ctx.Err()}
	}}
	c := newTestClient(t, env{})
	c.IMDSEndpoint = "http://127.0.0.1:9"
	c.Entra.HTTPClient = &http.Client{Transport: blackHole}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	start := time.Now()
	_, err := c.Token(ctx, armResource, ID{})
	elapsed := time.Since(start)
	if !errors.Is(err, ErrUnavailable) {
		t.Fatalf("error = %v, want one wrapping ErrUnavailable", err)
	}
	if elapsed < imdsConnectTimeout/2 || elapsed > 3*imdsConnectTimeout {
		t.Errorf("gave up after %v, want about %v", elapsed, imdsConnectTimeout)
	}
}

func TestIMDSCallerCancellationIsNotUnavailability(t *testing.T) {
	blackHole := &http.Transport{DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
		<-ctx.Done()
		return nil, &net.OpError{Op: "dial", Net: network, Err: ctx.Err()}
	}}
	c := newTestClient(t, env{})
	c.IMDSEndpoint = "http://127.0.0.1:9"
	c.Entra.HTTPClient = &http.Client{Transport: blackHole}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := c.Token(ctx, armResource, ID{})
	if err == nil || errors.Is(err, ErrUnavailable) {
		t.Fatalf("error = %v, want the cancellation, not ErrUnavailable", err)
	}
}

func TestIMDSBypassesProxy(t *testing.T) {
	var proxied atomic.Int32
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		proxied.Add(1)
		http.Error(w, "proxy says no", http.StatusBadGateway)
	}))
	defer proxy.Close()
	proxyURL, _ := url.Parse(proxy.URL)
	viaProxy := &http.Client{Transport: &http.Transport{Proxy: http.ProxyURL(proxyURL)}}

	imds := newFakeEndpoint(t, ok(imdsAnswer))
	c := newTestClient(t, env{})
	c.IMDSEndpoint = imds.URL
	c.Entra.HTTPClient = viaProxy
	if _, err := c.Token(context.Background(), armResource, ID{}); err != nil {
		t.Fatalf("IMDS Token: %v", err)
	}
	if n := proxied.Load(); n != 0 {
		t.Errorf("the proxy saw %d IMDS requests", n)
	}

	// The same client does use the proxy for the other sources.
	appService := newFakeEndpoint(t, ok(imdsAnswer))
	c.Getenv = env{"IDENTITY_ENDPOINT": appService.URL, "IDENTITY_HEADER": "h"}.get
	c.Entra.Retries = -1
	_, _ = c.Token(context.Background(), armResource, ID{})
	if n := proxied.Load(); n != 1 {
		t.Errorf("the proxy saw %d App Service requests, want 1", n)
	}
}
