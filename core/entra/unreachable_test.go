package entra

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// unreachableCall sends one token request through transport and returns its error.
func unreachableCall(t *testing.T, rawURL string, transport http.RoundTripper) error {
	t.Helper()
	c := &Client{HTTPClient: &http.Client{Transport: transport}, Retries: -1}
	_, err := c.Do(context.Background(), Call{Method: http.MethodPost, URL: rawURL, Form: url.Values{"client_secret": {"s3cret"}}, What: "token endpoint"})
	if err == nil {
		t.Fatal("the call succeeded")
	}
	return err
}

// TestUnreachableIsOneActionableLine: no answer at all is said in one line that names the host
// and what to check, not as Go's dial error.
func TestUnreachableIsOneActionableLine(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := ln.Addr().String()
	ln.Close()

	dnsFails := &http.Transport{DialContext: func(context.Context, string, string) (net.Conn, error) {
		return nil, &net.OpError{Op: "dial", Net: "tcp", Err: &net.DNSError{Err: "no such host", Name: "login.microsoftonline.com", IsNotFound: true}}
	}}
	for _, tc := range []struct {
		name, url string
		transport http.RoundTripper
		want      string
	}{
		{"refused", "http://" + closed + "/t/oauth2/v2.0/token?x=1", &http.Transport{},
			"cannot reach " + closed + " (connection refused): check the network or proxy (HTTPS_PROXY)"},
		{"dns", "https://login.microsoftonline.com/t/oauth2/v2.0/token", dnsFails,
			"cannot reach login.microsoftonline.com (its name does not resolve): check the network or proxy (HTTPS_PROXY)"},
		{"proxy", "https://login.microsoftonline.com/t/oauth2/v2.0/token",
			&http.Transport{Proxy: http.ProxyURL(&url.URL{Scheme: "http", Host: closed})},
			"cannot reach login.microsoftonline.com through the proxy " + closed + " (connection refused): check the proxy (HTTPS_PROXY)"},
	} {
		err := unreachableCall(t, tc.url, tc.transport)
		var u *UnreachableError
		if !errors.As(err, &u) {
			t.Fatalf("%s: %T %v", tc.name, err, err)
		}
		if got := u.Error(); got != tc.want {
			t.Errorf("%s:\n got %q\nwant %q", tc.name, got, tc.want)
		}
		if strings.Contains(err.Error(), "s3cret") || strings.Contains(err.Error(), "x=1") || strings.Contains(err.Error(), "dial tcp") {
			t.Errorf("%s: the message carries the raw error or the query: %q", tc.name, err)
		}
		if !Transient(err) {
			t.Errorf("%s: no answer is worth another try", tc.name)
		}
	}
}

func TestUnreachableTimeout(t *testing.T) {
	timeout := &UnreachableError{Host: "h", Err: context.DeadlineExceeded}
	if !strings.Contains(timeout.Error(), "cannot reach h (no answer in time)") {
		t.Errorf("timeout: %q", timeout.Error())
	}
}
