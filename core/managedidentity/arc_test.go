package managedidentity

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aadcred/aadcred/core/entra"
)

const arcKey = "arc-challenge-key-0123456789"

// arcSetup writes a challenge key into the client's trusted directory and starts a fake agent
// that challenges with the realm realm(keyPath) (nil: the key's path), then gives final.
func arcSetup(t *testing.T, realm func(keyPath string) string, final answer) (*testClient, *fakeEndpoint, string) {
	t.Helper()
	c := newTestClient(t, env{})
	keyPath := filepath.Join(c.ArcTokensDir, "challenge.key")
	mustWrite(t, keyPath, arcKey)
	challenge := keyPath
	if realm != nil {
		challenge = realm(keyPath)
	}
	agent := newFakeEndpoint(t,
		answer{status: http.StatusUnauthorized, header: http.Header{"Www-Authenticate": {"Basic realm=" + challenge}}, body: `{}`},
		final,
	)
	c.Getenv = env{"IDENTITY_ENDPOINT": agent.URL + "/metadata/identity/oauth2/token", "IMDS_ENDPOINT": agent.URL}.get
	return c, agent, keyPath
}

func TestArcChallenge(t *testing.T) {
	c, agent, _ := arcSetup(t, nil, ok(`{"access_token":"arc-token","expires_in":"3599","expires_on":"1772370000","resource":"https://management.azure.com/","token_type":"Bearer"}`))
	tok, err := c.Token(context.Background(), armResource, ID{})
	if err != nil {
		t.Fatalf("Token: %v", err)
	}
	if tok.AccessToken != "arc-token" || !tok.ExpiresOn.Equal(testNow.Add(3599*time.Second)) {
		t.Errorf("token = %+v", tok)
	}
	reqs := agent.requests()
	if len(reqs) != 2 {
		t.Fatalf("agent saw %d requests, want 2", len(reqs))
	}
	want := url.Values{"api-version": {"2020-06-01"}, "resource": {armResource}}
	for i, r := range reqs {
		if r.Method != http.MethodGet || r.Path != "/metadata/identity/oauth2/token" || r.Header.Get("Metadata") != "true" {
			t.Errorf("request %d = %s %s Metadata=%q", i, r.Method, r.Path, r.Header.Get("Metadata"))
		}
		assertQuery(t, r.Query, want)
	}
	if h := reqs[0].Header.Get("Authorization"); h != "" {
		t.Errorf("first request already carries Authorization %q", h)
	}
	if h := reqs[1].Header.Get("Authorization"); h != "Basic "+arcKey {
		t.Errorf("second request Authorization = %q, want Basic <key file contents>", h)
	}
}

func TestArcQuotedRealm(t *testing.T) {
	quoted := func(keyPath string) string { return `"` + keyPath + `"` }
	c, agent, _ := arcSetup(t, quoted, ok(`{"access_token":"t","expires_in":"3599"}`))
	if _, err := c.Token(context.Background(), armResource, ID{}); err != nil {
		t.Fatalf("Token: %v", err)
	}
	if h := agent.requests()[1].Header.Get("Authorization"); h != "Basic "+arcKey {
		t.Errorf("Authorization = %q", h)
	}
}

func TestArcUserAssigned(t *testing.T) {
	tests := []struct {
		name    string
		id      ID
		answer  string
		param   string
		wantErr bool
	}{
		{"client ID echoed", ID{ClientID: testClientID}, `{"access_token":"t","expires_in":"3599","client_id":"` + strings.ToUpper(testClientID) + `"}`, "client_id", false},
		{"resource ID echoed", ID{ResourceID: testResID}, `{"access_token":"t","expires_in":"3599","msi_res_id":"` + testResID + `"}`, "msi_res_id", false},
		{"object ID echoed", ID{ObjectID: testObjectID}, `{"access_token":"t","expires_in":"3599","object_id":"` + testObjectID + `"}`, "object_id", false},
		{"not echoed: the agent ignored the selector", ID{ClientID: testClientID}, `{"access_token":"t","expires_in":"3599"}`, "client_id", true},
		{"another identity echoed", ID{ClientID: testClientID}, `{"access_token":"t","expires_in":"3599","client_id":"99999999-9999-9999-9999-999999999999"}`, "client_id", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, agent, _ := arcSetup(t, nil, ok(tt.answer))
			tok, err := c.Token(context.Background(), armResource, tt.id)
			if tt.wantErr {
				if err == nil || !strings.Contains(err.Error(), "did not confirm") || tok != nil {
					t.Errorf("Token = %v, %v; want no token and an error saying the agent did not confirm the identity", tok, err)
				}
			} else if err != nil {
				t.Errorf("Token: %v", err)
			}
			if got := agent.requests()[0].Query; got.Get(tt.param) == "" {
				t.Errorf("selector %s not sent: query %s", tt.param, got.Encode())
			}
		})
	}
}

func TestArcRefusesUntrustedKeyFiles(t *testing.T) {
	outside := filepath.Join(t.TempDir(), "elsewhere.key")
	mustWrite(t, outside, "not-for-the-agent")
	inDir := func(name ...string) func(string) string {
		return func(keyPath string) string { return filepath.Join(append([]string{filepath.Dir(keyPath)}, name...)...) }
	}
	tests := []struct {
		name    string
		realm   func(keyPath string) string
		wantErr string
	}{
		{"outside the token directory", func(string) string { return outside }, "not in the agent's token directory"},
		{"escaping with ..", inDir("..", filepath.Base(filepath.Dir(outside)), "elsewhere.key"), "not in the agent's token directory"},
		{"in a subdirectory", inDir("sub", "x.key"), "not in the agent's token directory"},
		{"relative path", func(string) string { return "challenge.key" }, "not in the agent's token directory"},
		{"not a .key file", inDir("challenge.txt"), "not a .key file"},
		{"missing", inDir("missing.key"), "reading the Azure Arc challenge key"},
		{"empty", inDir("empty.key"), "is empty"},
		{"too large", inDir("big.key"), "larger than 4096 bytes"},
		{"a symbolic link", inDir("link.key"), "not a regular file"},
		{"a directory", inDir("dir.key"), "not a regular file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, agent, keyPath := arcSetup(t, tt.realm, ok(`{"access_token":"t","expires_in":"3599"}`))
			dir := filepath.Dir(keyPath)
			mustWrite(t, filepath.Join(dir, "challenge.txt"), "x")
			mustWrite(t, filepath.Join(dir, "empty.key"), "")
			mustWrite(t, filepath.Join(dir, "big.key"), strings.Repeat("k", 4097))
			if err := os.Mkdir(filepath.Join(dir, "dir.key"), 0o700); err != nil {
				t.Fatal(err)
			}
			link := filepath.Join(dir, "link.key")
			if err := os.Symlink(outside, link); err != nil && tt.realm(keyPath) == link {
				// Only the case that needs the link is skipped where none can be made (Windows
				// without the privilege): the other cases do not depend on it.
				t.Skipf("cannot make a symbolic link here: %v", err)
			}

			_, err := c.Token(context.Background(), armResource, ID{})
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("error = %v, want one containing %q", err, tt.wantErr)
			}
			if strings.Contains(err.Error(), "not-for-the-agent") || strings.Contains(err.Error(), arcKey) {
				t.Error("error quotes a key file's contents")
			}
			if n := len(agent.requests()); n != 1 {
				t.Errorf("agent saw %d requests, want only the first (no key sent)", n)
			}
		})
	}
}

func TestArcTokensDirFromEnvironment(t *testing.T) {
	c, agent, keyPath := arcSetup(t, nil, ok(`{"access_token":"t","expires_in":"3599"}`))
	c.ArcTokensDir = ""
	c.Getenv = env{
		"IDENTITY_ENDPOINT":      agent.URL,
		"IMDS_ENDPOINT":          agent.URL,
		"AADCRED_ARC_TOKENS_DIR": filepath.Dir(keyPath),
	}.get
	if _, err := c.Token(context.Background(), armResource, ID{}); err != nil {
		t.Fatalf("Token with AADCRED_ARC_TOKENS_DIR: %v", err)
	}
}

func TestArcWithoutChallenge(t *testing.T) {
	tests := []struct {
		name    string
		first   answer
		wantErr string
	}{
		{"401 without a challenge", answer{status: http.StatusUnauthorized, body: `{}`}, "no Basic challenge"},
		{"401 with a Bearer challenge", answer{status: http.StatusUnauthorized, header: http.Header{"Www-Authenticate": {`Bearer realm="x"`}}, body: `{}`}, "no Basic challenge"},
		{"a token at once", ok(`{"access_token":"t","expires_in":"3599"}`), "without the challenge"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			agent := newFakeEndpoint(t, tt.first)
			c := newTestClient(t, env{"IDENTITY_ENDPOINT": agent.URL, "IMDS_ENDPOINT": agent.URL})
			_, err := c.Token(context.Background(), armResource, ID{})
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("error = %v, want one containing %q", err, tt.wantErr)
			}
		})
	}
}

func TestArcSecondRequestRefused(t *testing.T) {
	c, _, _ := arcSetup(t, nil, answer{status: http.StatusUnauthorized, body: `{"error":"unauthorized","error_description":"key mismatch"}`})
	_, err := c.Token(context.Background(), armResource, ID{})
	var e *entra.Error
	if !errors.As(err, &e) || e.StatusCode != http.StatusUnauthorized || e.Endpoint != "Azure Arc managed identity endpoint" {
		t.Fatalf("error = %v, want the agent's 401 as an *entra.Error", err)
	}
	if strings.Contains(err.Error(), arcKey) {
		t.Error("error contains the challenge key")
	}
}

func TestParseBasicRealm(t *testing.T) {
	tests := []struct {
		name       string
		challenges []string
		want       string
	}{
		{"the agent on Linux", []string{"Basic realm=/var/opt/azcmagent/tokens/a.key"}, "/var/opt/azcmagent/tokens/a.key"},
		{"the agent on Windows: backslashes are separators", []string{`Basic realm=C:\ProgramData\AzureConnectedMachineAgent\Tokens\a.key`}, `C:\ProgramData\AzureConnectedMachineAgent\Tokens\a.key`},
		{"quoted", []string{`basic REALM="/var/opt/azcmagent/tokens/a.key"`}, "/var/opt/azcmagent/tokens/a.key"},
		{"quoted: backslashes escape", []string{`Basic realm="C:\\ProgramData\\a.key"`}, `C:\ProgramData\a.key`},
		{"quoted, with an escaped quote", []string{`Basic realm="/t/a\"b.key"`}, `/t/a"b.key`},
		{"realm after another parameter", []string{`Basic charset="UTF-8", realm="/t/a.key"`}, "/t/a.key"},
		{"white space around =", []string{`Basic realm = "/t/a.key"`}, "/t/a.key"},
		{"tab after the scheme", []string{"Basic\trealm=/t/a.key"}, "/t/a.key"},
		{"after a Bearer challenge", []string{`Bearer realm="x"`, "Basic realm=/k.key"}, "/k.key"},
		{"two challenges in one value", []string{`Bearer realm="x", Basic realm="/k.key"`}, "/k.key"},
		{"unterminated quote", []string{`Basic realm="/t/a.key`}, ""},
		{"control character", []string{"Basic realm=/t/a\x00.key"}, ""},
		{"realm named twice", []string{`Basic realm="/t/a.key", realm="/t/b.key"`}, ""},
		{"empty realm", []string{"Basic realm="}, ""},
		{"empty quoted realm", []string{`Basic realm=""`}, ""},
		{"no parameters", []string{"Basic"}, ""},
		{"no realm", []string{"Basic charset=UTF-8"}, ""},
		{"Bearer only", []string{`Bearer realm="/t/a.key"`}, ""},
		{"nothing", nil, ""},
	}
	for _, tt := range tests {
		got, err := parseBasicRealm(tt.challenges)
		if got != tt.want || (err == nil) != (tt.want != "") {
			t.Errorf("%s: parseBasicRealm(%q) = %q, %v; want %q", tt.name, tt.challenges, got, err, tt.want)
		}
	}
}

func mustWrite(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}
