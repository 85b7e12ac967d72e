package cli

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aadcred/aadcred/core"
	"github.com/aadcred/aadcred/core/entra"
	"github.com/aadcred/aadcred/core/managedidentity"
)

// testSession is a session over a fake environment and a configuration file with cfg.
func testSession(t *testing.T, env map[string]string, cfg string) (*Session, *bytes.Buffer, *bytes.Buffer) {
	t.Helper()
	dir := t.TempDir()
	path := filepath.Join(dir, "config.yaml")
	if err := os.WriteFile(path, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	vars := map[string]string{"AADCRED_CONFIG": path, "AADCRED_CACHE_DIR": filepath.Join(dir, "cache")}
	for k, v := range env {
		vars[k] = v
	}
	var stdout, stderr bytes.Buffer
	scr := newScreen(&stderr, false, func() int { return 0 })
	s := &Session{
		Tool:   Tool{Name: "tool", SignInCommand: "tool login"},
		Env:    Env{Stdin: strings.NewReader(""), Stdout: &stdout, Stderr: scr, Getenv: func(k string) string { return vars[k] }},
		screen: scr,
	}
	return s, &stdout, &stderr
}

func TestRequestPrecedence(t *testing.T) {
	cfg := "tenant: file-tenant\nclient_id: file-client\nmethod: devicecode\nlogin_hint: file@contoso.com\ncloud: china\n"
	for _, tc := range []struct {
		name                      string
		in                        Inputs
		env                       map[string]string
		tenant, client, authority string
		method                    core.Method
	}{
		{"file over default", Inputs{}, nil, "file-tenant", "file-client", "https://login.chinacloudapi.cn", core.DeviceCode},
		{"env over file", Inputs{}, map[string]string{"AZURE_TENANT_ID": "env-tenant", "AZURE_CLIENT_ID": "env-client", "AADCRED_METHOD": "browser", "AZURE_AUTHORITY_HOST": "https://login.microsoftonline.us/"},
			"env-tenant", "env-client", "https://login.microsoftonline.us/", core.Browser},
		{"flag over env", Inputs{Tenant: "flag-tenant", ClientID: "flag-client", Method: "clientsecret", Cloud: "public"},
			map[string]string{"AZURE_TENANT_ID": "env-tenant", "AZURE_AUTHORITY_HOST": "https://login.microsoftonline.us/"},
			"flag-tenant", "flag-client", core.PublicAuthorityHost, core.ClientSecret},
	} {
		s, _, _ := testSession(t, tc.env, cfg)
		req, err := s.Request(tc.in)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if req.Tenant != tc.tenant || req.ClientID != tc.client || req.AuthorityHost != tc.authority || req.Method != tc.method {
			t.Errorf("%s: got tenant %q client %q authority %q method %q", tc.name, req.Tenant, req.ClientID, req.AuthorityHost, req.Method)
		}
	}
}

func TestRequestDefaultsAndCredentials(t *testing.T) {
	s, _, _ := testSession(t, map[string]string{
		"AZURE_CLIENT_SECRET": "s3cret", "AZURE_FEDERATED_TOKEN_FILE": "/var/run/token",
		"ACTIONS_ID_TOKEN_REQUEST_URL": "https://gh/x", "ACTIONS_ID_TOKEN_REQUEST_TOKEN": "t",
		"SYSTEM_OIDCREQUESTURI": "https://dev.azure.com/o/p/_apis/oidctoken", "SYSTEM_ACCESSTOKEN": "sat",
		"AZURESUBSCRIPTION_SERVICE_CONNECTION_ID": "task-connection",
	}, "")
	req, err := s.Request(Inputs{Scopes: []string{"x/.default"}, ClientSecret: "flag-secret", RedirectPort: 0})
	if err != nil {
		t.Fatal(err)
	}
	if req.Method != core.Auto || req.AuthorityHost != core.PublicAuthorityHost {
		t.Errorf("defaults: method %q authority %q", req.Method, req.AuthorityHost)
	}
	c := req.Credential
	if c.ClientSecret != "flag-secret" || c.FederatedTokenFile != "/var/run/token" || c.GitHubOIDCRequestURL != "https://gh/x" {
		t.Errorf("credential: %+v", c)
	}
	// An Azure Pipelines job's variables serve every tool, as GitHub Actions' do.
	if c.AzurePipelinesServiceConnectionID != "task-connection" || c.AzurePipelinesOIDCRequestURI != "https://dev.azure.com/o/p/_apis/oidctoken" ||
		c.AzurePipelinesAccessToken != "sat" {
		t.Errorf("Azure Pipelines credential: connection %q, URI %q", c.AzurePipelinesServiceConnectionID, c.AzurePipelinesOIDCRequestURI)
	}
	req, err = s.Request(Inputs{Scopes: []string{"x/.default"}, ServiceConnectionID: "flag-connection"})
	if err != nil || req.Credential.AzurePipelinesServiceConnectionID != "flag-connection" {
		t.Errorf("a service connection given beats the task's: %q, %v", req.Credential.AzurePipelinesServiceConnectionID, err)
	}
}

func TestRequestErrorsNameTheSource(t *testing.T) {
	s, _, _ := testSession(t, map[string]string{"AADCRED_METHOD": "magic"}, "")
	if _, err := s.Request(Inputs{}); err == nil || !strings.Contains(err.Error(), "environment") || !strings.Contains(err.Error(), "magic") {
		t.Errorf("err = %v", err)
	}
	s, _, _ = testSession(t, map[string]string{"AZURE_AUTHORITY_HOST": "http://login.example"}, "")
	if _, err := s.Request(Inputs{}); err == nil || !strings.Contains(err.Error(), "https") {
		t.Errorf("err = %v", err)
	}
	s, _, _ = testSession(t, nil, "tenant: [oops\n")
	if _, err := s.Request(Inputs{}); err == nil || !strings.Contains(err.Error(), "config.yaml:1") {
		t.Errorf("a config error must name the file and line: %v", err)
	}
	s, _, _ = testSession(t, nil, "")
	if _, err := s.Request(Inputs{Cloud: "AzureGermanCloud"}); err == nil || !strings.Contains(err.Error(), "unknown cloud") {
		t.Errorf("err = %v", err)
	}
}

func TestManagedIdentitySelection(t *testing.T) {
	s, _, _ := testSession(t, map[string]string{"AZURE_CLIENT_ID": "env-mi"}, "")
	req, err := s.Request(Inputs{Method: "managedidentity", Resource: "r"})
	if err != nil || req.Credential.ManagedIdentity != (managedidentity.ID{ClientID: "env-mi"}) {
		t.Errorf("AZURE_CLIENT_ID must select the identity: %+v %v", req.Credential.ManagedIdentity, err)
	}
	for in, want := range map[string]managedidentity.ID{
		"":                                     {},
		"11111111-2222-3333-4444-555555555555": {ClientID: "11111111-2222-3333-4444-555555555555"},
		"client_id=a":                          {ClientID: "a"},
		"object_id=b":                          {ObjectID: "b"},
		"resource_id=/subscriptions/x":         {ResourceID: "/subscriptions/x"},
		"/subscriptions/s/resourceGroups/g/providers/Microsoft.ManagedIdentity/userAssignedIdentities/n": {ResourceID: "/subscriptions/s/resourceGroups/g/providers/Microsoft.ManagedIdentity/userAssignedIdentities/n"},
	} {
		got, err := parseIdentity(in)
		if err != nil || got != want {
			t.Errorf("parseIdentity(%q) = %+v, %v", in, got, err)
		}
	}
	if _, err := parseIdentity("name=x"); err == nil {
		t.Error("an unknown selector was accepted")
	}
}

// TestInteractionPolicy: a sign-in the person asked for goes ahead without a terminal, unless
// AADCRED_PROMPT=never; one a tool's protocol started needs every signal to say a person is
// there, and the refusal says why and what to do.
func TestInteractionPolicy(t *testing.T) {
	for _, tc := range []struct {
		name        string
		terminal    bool
		explicit    bool
		toolAllows  bool
		env         map[string]string
		want        bool
		refusalSays []string
	}{
		{"terminal", true, false, true, nil, true, nil},
		{"no terminal", false, false, true, nil, false, []string{"stderr is not a terminal", "tool login", "AADCRED_PROMPT=always"}},
		{"CI", true, false, true, map[string]string{"CI": "true"}, false, []string{"CI is set", "tool login", "AADCRED_PROMPT=always"}},
		{"CI=false", true, false, true, map[string]string{"CI": "false"}, true, nil},
		{"always without a terminal", false, false, true, map[string]string{"AADCRED_PROMPT": "always"}, true, nil},
		{"always in CI", true, false, true, map[string]string{"AADCRED_PROMPT": "Always", "CI": "1"}, true, nil},
		{"never", true, false, true, map[string]string{"AADCRED_PROMPT": "never"}, false, []string{"AADCRED_PROMPT=never", "tool login"}},
		{"GIT_TERMINAL_PROMPT=0", true, false, true, map[string]string{"GIT_TERMINAL_PROMPT": "0", "AADCRED_PROMPT": "always"}, false,
			[]string{"GIT_TERMINAL_PROMPT=0", "tool login", "AADCRED_PROMPT=always does not override"}},
		{"the tool says no", true, false, false, map[string]string{"AADCRED_PROMPT": "always"}, false, []string{"kubectl's spec.interactive is false", "tool login"}},
		{"explicit without a terminal", false, true, true, map[string]string{"CI": "true", "GIT_TERMINAL_PROMPT": "0"}, true, nil},
		{"explicit, never", false, true, true, map[string]string{"AADCRED_PROMPT": "never"}, false, []string{"AADCRED_PROMPT=never"}},
	} {
		s, _, _ := testSession(t, tc.env, "")
		s.Env.Terminal = tc.terminal
		req, err := s.Request(Inputs{Method: "devicecode", Resource: "r", Explicit: tc.explicit, Interactive: tc.toolAllows, NoPerson: "kubectl's spec.interactive is false"})
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if req.Interaction.Allowed != tc.want {
			t.Errorf("%s: may ask %v, want %v", tc.name, req.Interaction.Allowed, tc.want)
			continue
		}
		if tc.want {
			continue
		}
		_, err = (&core.Client{}).Acquire(context.Background(), req)
		if !errors.Is(err, core.ErrInteractionRequired) {
			t.Fatalf("%s: %v, want a sign-in to be required", tc.name, err)
		}
		for _, part := range tc.refusalSays {
			if !strings.Contains(err.Error(), part) {
				t.Errorf("%s: the refusal %q does not say %q", tc.name, err, part)
			}
		}
	}
	s, _, _ := testSession(t, map[string]string{"AADCRED_PROMPT": "sometimes"}, "")
	if _, err := s.Request(Inputs{Resource: "r"}); err == nil || !strings.Contains(err.Error(), "AADCRED_PROMPT") {
		t.Errorf("an invalid AADCRED_PROMPT: %v, want an error naming it", err)
	}
}

func TestDisplayAvailable(t *testing.T) {
	env := func(vars map[string]string) func(string) string { return func(k string) string { return vars[k] } }
	ssh := env(map[string]string{"SSH_CONNECTION": "10.0.0.1 22 10.0.0.2 22"})
	switch runtime.GOOS {
	case "linux":
		if displayAvailable(env(nil)) {
			t.Error("no DISPLAY, no WAYLAND_DISPLAY: no browser can be seen")
		}
		if !displayAvailable(env(map[string]string{"DISPLAY": ":0"})) || !displayAvailable(env(map[string]string{"WSL_DISTRO_NAME": "Ubuntu"})) {
			t.Error("a desktop or WSL can open a browser")
		}
	case "darwin", "windows":
		if !displayAvailable(env(nil)) || displayAvailable(ssh) {
			t.Error("a local session opens a browser; an SSH session does not")
		}
	default:
		t.Skipf("no display rules for %s", runtime.GOOS)
	}
}

// lockedBuffer is written by a child process's copying goroutine while the test reads it.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func TestLogMessagesAreRedacted(t *testing.T) {
	var out bytes.Buffer
	log := newLogger(&out, "tool", false)
	log.Warn("refresh failed: token eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln was rejected", "refresh_token", "0.AVsecret")
	if strings.Contains(out.String(), "eyJhbGci") || strings.Contains(out.String(), "0.AVsecret") ||
		!strings.Contains(out.String(), "[redacted JWT] was rejected") {
		t.Errorf("log line not redacted: %q", out.String())
	}
}

// TestWarningsAreSaidOncePerProcess logs the same warnings several times, as the read before and
// after a lock, or each account a list reads, does: each is written once. Debug lines repeat.
func TestWarningsAreSaidOncePerProcess(t *testing.T) {
	var out bytes.Buffer
	log := newLogger(&out, "tool", true)
	for range 3 {
		log.Warn("refusing to use /store/tokens/t1: other users can access it (mode 0644); fix with: chmod 600 /store/tokens/t1")
		log.With("entry", "t2").Warn("discarded unreadable tokens entry")
		log.Debug("retrying")
	}
	log.Warn("discarded unreadable tokens entry") // another condition: without the attribute
	want := "tool: warning: refusing to use /store/tokens/t1: other users can access it (mode 0644); fix with: chmod 600 /store/tokens/t1\n" +
		"tool: warning: discarded unreadable tokens entry entry=t2\n" +
		"tool: debug: retrying\n" +
		"tool: debug: retrying\n" +
		"tool: debug: retrying\n" +
		"tool: warning: discarded unreadable tokens entry\n"
	if got := out.String(); got != want {
		t.Errorf("logged\n%s\nwant\n%s", got, want)
	}
}

func TestBrowserCommandKeepsStdoutClean(t *testing.T) {
	dir := t.TempDir()
	script := filepath.Join(dir, "browser")
	got := filepath.Join(dir, "opened")
	if err := os.WriteFile(script, []byte("#!/bin/sh\necho launched on stdout\necho \"$1\" > "+got+"\n"), 0o700); err != nil {
		t.Fatal(err)
	}
	s, stdout, _ := testSession(t, map[string]string{"BROWSER": script}, "")
	stderr := &lockedBuffer{}
	s.Env.Stderr = stderr
	open := s.browserOpener(false)
	if open == nil {
		t.Fatal("$BROWSER was not used")
	}
	if err := open(context.Background(), "https://login.example/authorize?x=1"); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		if b, err := os.ReadFile(got); err == nil && strings.TrimSpace(string(b)) == "https://login.example/authorize?x=1" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the browser command did not receive the URL")
		}
		time.Sleep(20 * time.Millisecond)
	}
	for !strings.Contains(stderr.String(), "launched on stdout") {
		if time.Now().After(deadline) {
			t.Fatalf("the launcher's output should reach stderr, got %q", stderr.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	if stdout.Len() != 0 {
		t.Errorf("the launcher wrote to stdout: %q", stdout.String())
	}
	if s.browserOpener(true) != nil {
		t.Error("--no-browser still opens a browser")
	}
}

func TestScrubRedactsJWTs(t *testing.T) {
	jwt := "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl"
	for in, want := range map[string]string{
		"token " + jwt + " rejected": "token [redacted JWT] rejected",
		"eyJ not a jwt":              "eyJ not a jwt",
		jwt + "," + jwt:              "[redacted JWT],[redacted JWT]",
		"nothing here":               "nothing here",
	} {
		if got := entra.RedactJWTs(in); got != want {
			t.Errorf("RedactJWTs(%q) = %q, want %q", in, got, want)
		}
	}
	if got := redact("client_secret", "s3cret"); got != "[redacted]" {
		t.Errorf("redact by name = %q", got)
	}
	if got := redact("grant_type", "refresh_token"); got != "refresh_token" {
		t.Errorf("grant_type is not a secret: %q", got)
	}
}

func TestRunReportsErrorsOnStderrOnly(t *testing.T) {
	tool := Tool{Name: "tool", SignInCommand: "tool login"}
	dir := t.TempDir()
	run := func(args ...string) (int, string, string) {
		var stdout, stderr bytes.Buffer
		env := Env{Stdin: strings.NewReader(""), Stdout: &stdout, Stderr: &stderr, Getenv: func(k string) string {
			return map[string]string{"AADCRED_CONFIG": filepath.Join(dir, "none.yaml"), "AADCRED_CACHE_DIR": filepath.Join(dir, "cache"), "AADCRED_PROMPT": "never"}[k]
		}}
		code := tool.Run(context.Background(), append([]string{"tool"}, args...), env)
		return code, stdout.String(), stderr.String()
	}
	if code, out, errOut := run("token", "--bogus"); code != exitUsage || out != "" || !strings.Contains(errOut, "bogus") {
		t.Errorf("unknown flag: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	if code, out, errOut := run("token", "--resource", "https://management.azure.com/", "--debug"); code != exitError || out != "" ||
		!strings.Contains(errOut, "tool login") || !strings.Contains(errOut, "debug: setting") {
		t.Errorf("no sign-in: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	if code, out, _ := run("token", "--output", "yaml", "--resource", "x"); code != exitUsage || out != "" {
		t.Errorf("bad --output: exit %d, stdout %q", code, out)
	}
}

func TestUnknownCommands(t *testing.T) {
	for _, ignore := range []bool{true, false} {
		var stdout, stderr bytes.Buffer
		env := Env{Stdin: strings.NewReader(""), Stdout: &stdout, Stderr: &stderr, Getenv: func(string) string { return "" }}
		code := Tool{Name: "tool", IgnoreUnknownCommands: ignore}.Run(context.Background(), []string{"tool", "frobnicate"}, env)
		if ignore && (code != 0 || stdout.Len()+stderr.Len() != 0) {
			t.Errorf("ignored unknown command: exit %d, output %q %q", code, stdout.String(), stderr.String())
		}
		if !ignore && (code == 0 || stdout.Len() != 0 || !strings.Contains(stderr.String(), "frobnicate")) {
			t.Errorf("unknown command: exit %d, stdout %q, stderr %q", code, stdout.String(), stderr.String())
		}
	}
}
