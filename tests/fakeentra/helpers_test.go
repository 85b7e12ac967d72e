package fakeentra

import (
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"
)

// testSigningKey is made once for the package's tests: RSA key generation can take seconds.
var testSigningKey = sync.OnceValues(func() (*rsa.PrivateKey, error) { return rsa.GenerateKey(rand.Reader, 2048) })

// startServer starts a fresh server with the options the tests use.
func startServer(t testing.TB, opts Options) *Server {
	t.Helper()
	if opts.DeviceCodeInterval == 0 {
		opts.DeviceCodeInterval = time.Second
	}
	key, err := testSigningKey()
	if err != nil {
		t.Fatalf("generating the test signing key: %v", err)
	}
	opts.SigningKey = key
	return NewTest(t, opts)
}

// answer is a decoded HTTP answer.
type answer struct {
	status int
	header http.Header
	body   map[string]any
	raw    string
}

func (a answer) str(name string) string {
	s, _ := a.body[name].(string)
	return s
}

// do sends a request and decodes a JSON answer when there is one.
func do(t *testing.T, client *http.Client, req *http.Request) answer {
	t.Helper()
	resp, err := client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", req.Method, req.URL.Path, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("reading answer of %s: %v", req.URL.Path, err)
	}
	a := answer{status: resp.StatusCode, header: resp.Header, raw: string(raw)}
	if strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
		if err := json.Unmarshal(raw, &a.body); err != nil {
			t.Fatalf("decoding answer of %s: %v\n%s", req.URL.Path, err, raw)
		}
	}
	return a
}

// post sends a form to a path of the authority.
func post(t *testing.T, s *Server, path string, form url.Values) answer {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, s.URL()+path, strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return do(t, s.HTTPClient(), req)
}

// get fetches a URL with optional headers.
func get(t *testing.T, client *http.Client, rawURL string, headers ...string) answer {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, rawURL, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	return do(t, client, req)
}

func v2Token(tenant string) string { return "/" + tenant + "/oauth2/v2.0/token" }
func v1Token(tenant string) string { return "/" + tenant + "/oauth2/token" }

// wantEntraError checks that a is an error in Entra's exact shape.
func wantEntraError(t *testing.T, a answer, status int, oauthCode string, aadsts int) {
	t.Helper()
	if a.status != status || a.str("error") != oauthCode {
		t.Fatalf("got %d %q, want %d %q; body %s", a.status, a.str("error"), status, oauthCode, a.raw)
	}
	codes, _ := a.body["error_codes"].([]any)
	if len(codes) != 1 || codes[0] != float64(aadsts) {
		t.Fatalf("error_codes = %v, want [%d]; body %s", a.body["error_codes"], aadsts, a.raw)
	}
	desc := a.str("error_description")
	if !strings.HasPrefix(desc, fmt.Sprintf("AADSTS%d: ", aadsts)) {
		t.Errorf("error_description does not start with AADSTS%d: %q", aadsts, desc)
	}
	for _, part := range []string{"\r\nTrace ID: " + a.str("trace_id"), "\r\nCorrelation ID: " + a.str("correlation_id"), "\r\nTimestamp: " + a.str("timestamp")} {
		if !strings.Contains(desc, part) {
			t.Errorf("error_description lacks %q: %q", part, desc)
		}
	}
	if !isGUID(a.str("trace_id")) || !isGUID(a.str("correlation_id")) {
		t.Errorf("trace_id %q / correlation_id %q are not GUIDs", a.str("trace_id"), a.str("correlation_id"))
	}
	if _, err := time.Parse(entraTimestamp, a.str("timestamp")); err != nil {
		t.Errorf("timestamp %q: %v", a.str("timestamp"), err)
	}
	if !strings.HasSuffix(a.str("error_uri"), fmt.Sprintf("/error?code=%d", aadsts)) {
		t.Errorf("error_uri = %q", a.str("error_uri"))
	}
}

// claimsOf decodes a JWT's claims without verifying it.
func claimsOf(t *testing.T, token string) map[string]any {
	t.Helper()
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		t.Fatalf("not a JWT: %d parts", len(parts))
	}
	b, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatalf("decoding JWT payload: %v", err)
	}
	var c map[string]any
	if err := json.Unmarshal(b, &c); err != nil {
		t.Fatalf("decoding JWT claims: %v", err)
	}
	return c
}

// verify checks an access token with the server's Verifier.
func verify(t *testing.T, s *Server, token, audience string) *Claims {
	t.Helper()
	c, err := s.Verifier().Verify(token, audience)
	if err != nil {
		t.Fatalf("verifying access token for %s: %v", audience, err)
	}
	return c
}

// secretForm is a client-credentials request with a secret.
func secretForm(clientID, secret, scope string) url.Values {
	return url.Values{"grant_type": {"client_credentials"}, "client_id": {clientID}, "client_secret": {secret}, "scope": {scope}}
}

// listenLoopback listens on a free 127.0.0.1 port.
func listenLoopback(t *testing.T) net.Listener {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	return ln
}
