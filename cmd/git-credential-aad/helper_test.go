package main

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	aadcli "github.com/aadcred/aadcred/cmd/internal/cli"
	"github.com/aadcred/aadcred/tests/harness"
)

// run runs git-credential-aad in-process with only the environment given (plus a private cache
// and configuration) and returns what it wrote and its exit status.
func run(t *testing.T, env map[string]string, w wiring, stdin string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	dir := t.TempDir()
	full := map[string]string{
		"AADCRED_CACHE_DIR": filepath.Join(dir, "cache"),
		"AADCRED_CONFIG":    filepath.Join(dir, "config.yaml"),
		// Nothing may reach a real sign-in service from these tests.
		"AZURE_AUTHORITY_HOST": "https://127.0.0.1:9/",
	}
	for k, v := range env {
		full[k] = v
	}
	if cfg, ok := env["config"]; ok {
		if err := os.WriteFile(full["AADCRED_CONFIG"], []byte(cfg), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	var out, errOut bytes.Buffer
	code = tool(w).Run(context.Background(), append([]string{"git-credential-aad"}, args...), aadcli.Env{
		Stdin:  strings.NewReader(stdin),
		Stdout: &out,
		Stderr: &errOut,
		Getenv: func(name string) string { return full[name] },
	})
	return out.String(), errOut.String(), code
}

func TestGetAnswersNothingForOtherHosts(t *testing.T) {
	for _, in := range []string{
		"protocol=https\nhost=github.com\n",
		"protocol=http\nhost=dev.azure.com\npath=contoso/p/_git/r\n",
		"protocol=HTTPS\nhost=dev.azure.com\npath=contoso/p/_git/r\n",
		"host=dev.azure.com\npath=contoso/p/_git/r\n",
		"protocol=https\npath=contoso/p/_git/r\n",
		"protocol=https\nhost=\n",
		"protocol=https\nhost=dev.azure.com.evil.example\npath=contoso/p/_git/r\n",
		"protocol=https\nhost=evilvisualstudio.com\n",
		"protocol=https\nhost=dev.azure.com:8443\npath=contoso/p/_git/r\n",
		"protocol=ssh\nhost=ssh.dev.azure.com\n",
		"protocol=https\nhost=git.contoso.example:444\n",
		"",
	} {
		for _, action := range []string{"get", "erase", "store"} {
			stdout, stderr, code := run(t, map[string]string{"config": "git:\n  hosts: [git.contoso.example]\n"}, wiring{}, in+"\n", action)
			if stdout != "" || stderr != "" || code != 0 {
				t.Errorf("%s %q: stdout %q, stderr %q, exit %d; want nothing and exit 0", action, in, stdout, stderr, code)
			}
		}
	}
}

func TestBrokenConfigurationLeavesOtherHostsToGit(t *testing.T) {
	broken := map[string]string{"config": "git:\n  hosts: [\"git.contoso.example\"\n"}
	for _, action := range []string{"get", "erase"} {
		for _, in := range []string{
			"protocol=https\nhost=github.com\npath=cli/cli\n",
			"protocol=https\nhost=git.contoso.example\npath=contoso/p/_git/r\n",
		} {
			stdout, stderr, code := run(t, broken, wiring{}, in+"\n", action)
			if stdout != "" || code != 0 {
				t.Errorf("%s %q: stdout %q, exit %d; want nothing and exit 0, so that git goes on", action, in, stdout, code)
			}
			if strings.Count(stderr, "\n") != 1 || !strings.Contains(stderr, "config.yaml") || !strings.Contains(stderr, "git.hosts") {
				t.Errorf("%s %q: stderr %q, want one line naming the configuration file", action, in, stderr)
			}
		}
	}
	// No configuration is read for a request that is not for https.
	if stdout, stderr, code := run(t, broken, wiring{}, "protocol=http\nhost=github.com\n\n", "get"); stdout != "" || stderr != "" || code != 0 {
		t.Errorf("http: stdout %q, stderr %q, exit %d; want silence", stdout, stderr, code)
	}
}

func TestBrokenConfigurationFailsAzureDevOps(t *testing.T) {
	broken := map[string]string{"config": "git:\n  hosts: [\"git.contoso.example\"\n", "AZURE_TENANT_ID": "contoso.example"}
	stdout, stderr, code := run(t, broken, wiring{}, "protocol=https\nhost=dev.azure.com\npath=contoso/p/_git/r\n\n", "get")
	if stdout != "" || code != 1 || !strings.HasPrefix(stderr, "git-credential-aad: ") || !strings.Contains(stderr, "config.yaml") {
		t.Errorf("stdout %q, stderr %q, exit %d; want exit 1 and an error naming the configuration file", stdout, stderr, code)
	}
}

func TestBadInputFailsWithoutAnswering(t *testing.T) {
	secret := "hunter2-secret"
	for _, in := range []string{
		"protocol=https\nhost=dev.azure.com\rhost=evil.example\n",
		"protocol=https\nhost=dev.azure.com\npassword=" + secret + "\x00\n",
		"protocol=https\n" + secret + "\n",
		"protocol=https\npassword=" + strings.Repeat("x", 70000) + "\n",
	} {
		for _, action := range []string{"get", "erase", "store"} {
			stdout, stderr, code := run(t, nil, wiring{}, in, action)
			if stdout != "" || code != 1 {
				t.Errorf("%s %.40q: stdout %q, exit %d; want nothing and exit 1", action, in, stdout, code)
			}
			if !strings.HasPrefix(stderr, "git-credential-aad: credential line") || strings.Count(stderr, "\n") != 1 {
				t.Errorf("%s %.40q: stderr %q, want one line naming the bad line", action, in, stderr)
			}
			if strings.Contains(stderr, secret) || strings.Contains(stderr, "xxxx") {
				t.Errorf("%s: stderr repeats the input: %q", action, stderr)
			}
		}
	}
}

func TestActionsTakeNoArguments(t *testing.T) {
	stdout, stderr, code := run(t, nil, wiring{}, "protocol=https\nhost=dev.azure.com\n\n", "get", "extra")
	if stdout != "" || code == 0 || !strings.Contains(stderr, "stdin") {
		t.Errorf("stdout %q, stderr %q, exit %d", stdout, stderr, code)
	}
}

func TestGetWithoutOrganisationNamesUseHttpPath(t *testing.T) {
	stdout, stderr, code := run(t, nil, wiring{}, "protocol=https\nhost=dev.azure.com\n\n", "get")
	if stdout != "" || code != 1 || !strings.Contains(stderr, "useHttpPath") {
		t.Errorf("stdout %q, stderr %q, exit %d; want an error naming useHttpPath", stdout, stderr, code)
	}
}

func TestGetRefusesAPathThatIsNotAnOrganisation(t *testing.T) {
	stdout, stderr, code := run(t, nil, wiring{}, "protocol=https\nhost=dev.azure.com\npath=../x/_git/r\n\n", "get")
	if stdout != "" || code != 1 || !strings.Contains(stderr, "not an Azure DevOps organization name") {
		t.Errorf("stdout %q, stderr %q, exit %d", stdout, stderr, code)
	}
}

// TestGetFailsFastWhenNoOneCanSignIn also shows the tenant probe going to the request's own
// host, once, and its answer being kept.
func TestGetFailsFastWhenNoOneCanSignIn(t *testing.T) {
	var probes atomic.Int32
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		probes.Add(1)
		if r.Method != http.MethodHead || r.URL.Path != "/contoso" || r.Header.Get("Authorization") != "" {
			t.Errorf("probe %s %s with Authorization %q", r.Method, r.URL.Path, r.Header.Get("Authorization"))
		}
		w.Header().Set("WWW-Authenticate", "Bearer authorization_uri=https://login.microsoftonline.com/11111111-2222-3333-4444-555555555555")
		w.WriteHeader(http.StatusUnauthorized)
	}))
	defer srv.Close()
	host := srv.Listener.Addr().String()
	env := map[string]string{
		"GIT_TERMINAL_PROMPT": "0",
		"AADCRED_CACHE_DIR":   filepath.Join(t.TempDir(), "cache"),
		"config":              "git:\n  hosts: [\"" + host + "\"]\n",
	}
	in := "protocol=https\nhost=" + host + "\npath=contoso/web/_git/web\n\n"
	for range 2 {
		stdout, stderr, code := run(t, env, wiring{probeClient: srv.Client()}, in, "get")
		if stdout != "" || code != 1 {
			t.Errorf("stdout %q, exit %d; want nothing and exit 1", stdout, code)
		}
		if !strings.Contains(stderr, "run `git credential-aad login`") || strings.Count(stderr, "\n") != 1 {
			t.Errorf("stderr %q, want one line naming git credential-aad login", stderr)
		}
	}
	if n := probes.Load(); n != 1 {
		t.Errorf("%d probes, want 1: the second run knows the tenant", n)
	}
}

func TestCapability(t *testing.T) {
	stdout, stderr, code := run(t, nil, wiring{}, "", "capability")
	if stdout != "version 0\ncapability authtype\n" || stderr != "" || code != 0 {
		t.Errorf("stdout %q, stderr %q, exit %d", stdout, stderr, code)
	}
}

func TestStoreRecordsNothing(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "cache")
	stdout, stderr, code := run(t, map[string]string{"AADCRED_CACHE_DIR": dir}, wiring{},
		"protocol=https\nhost=dev.azure.com\npath=contoso/p/_git/r\nusername=u\npassword=eyJ.a.b\n\n", "store")
	if stdout != "" || stderr != "" || code != 0 {
		t.Errorf("stdout %q, stderr %q, exit %d", stdout, stderr, code)
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Errorf("store touched the cache: %v", err)
	}
}

func TestAzureDevOpsTargetAndAudience(t *testing.T) {
	for target, want := range map[string]bool{
		"499b84ac-1321-427f-aa17-267ca6975798/.default":                    true,
		"499b84ac-1321-427f-aa17-267ca6975798":                             true,
		"499B84AC-1321-427F-AA17-267CA6975798/user_impersonation":          true,
		"https://management.azure.com/.default":                            false,
		"499b84ac-1321-427f-aa17-267ca6975798/.default https://x/.default": false,
		"": false,
	} {
		if got := isAzureDevOpsTarget(target); got != want {
			t.Errorf("isAzureDevOpsTarget(%q) = %v", target, got)
		}
	}
	for aud, want := range map[string]bool{
		"499b84ac-1321-427f-aa17-267ca6975798": true,
		"https://app.vssps.visualstudio.com/":  true,
		"https://management.azure.com/":        false,
	} {
		if got := isAzureDevOpsAudience(aud); got != want {
			t.Errorf("isAzureDevOpsAudience(%q) = %v", aud, got)
		}
	}
}

func TestCredentialInteractiveIsReadOnlyWhenSomeoneMustBeAsked(t *testing.T) {
	in := "protocol=https\nhost=dev.azure.com\npath=contoso/p/_git/r\n\n"
	for name, tt := range map[string]struct {
		env       map[string]string
		wantReads int32
	}{
		"a person at the terminal":       {map[string]string{"AADCRED_PROMPT": "always"}, 1},
		"GIT_TERMINAL_PROMPT=0":          {map[string]string{"AADCRED_PROMPT": "always", "GIT_TERMINAL_PROMPT": "0"}, 0},
		"no one, as far as aadcred sees": {map[string]string{"AADCRED_PROMPT": "never"}, 0},
		"no terminal":                    {map[string]string{}, 0},
	} {
		t.Run(name, func(t *testing.T) {
			var reads atomic.Int32
			w := wiring{credentialInteractive: func(context.Context) bool {
				reads.Add(1)
				return false // git says no one may be asked
			}}
			tt.env["AZURE_TENANT_ID"] = "contoso.example" // no probe
			stdout, stderr, code := run(t, tt.env, w, in, "get")
			if stdout != "" || code != 1 || strings.Count(stderr, "\n") != 1 || !strings.Contains(stderr, "run `git credential-aad login`") {
				t.Errorf("stdout %q, stderr %q, exit %d; want exit 1 and one line naming git credential-aad login, without asking anyone", stdout, stderr, code)
			}
			if n := reads.Load(); n != tt.wantReads {
				t.Errorf("credential.interactive read %d times, want %d", n, tt.wantReads)
			}
			if tt.wantReads == 1 && !strings.Contains(stderr, "credential.interactive is false") {
				t.Errorf("stderr %q does not say that git's credential.interactive is why no one was asked", stderr)
			}
		})
	}
}

// TestGitCredentialInteractive reads the setting through the real git, from a configuration file
// and from `git -c`, which reaches a helper in GIT_CONFIG_PARAMETERS.
func TestGitCredentialInteractive(t *testing.T) {
	harness.RequireTool(t, "git")
	dir := t.TempDir()
	t.Chdir(dir)
	global := filepath.Join(dir, "gitconfig")
	t.Setenv("HOME", dir)
	t.Setenv("XDG_CONFIG_HOME", dir)
	t.Setenv("GIT_CONFIG_GLOBAL", global)
	t.Setenv("GIT_CONFIG_NOSYSTEM", "1")
	t.Setenv("GIT_CONFIG_PARAMETERS", "")
	t.Setenv("GIT_CONFIG_COUNT", "")
	ctx := context.Background()

	if !gitCredentialInteractive(ctx) {
		t.Error("unset: false, want true")
	}
	for value, want := range map[string]bool{"false": false, "no": false, "off": false, "0": false, "true": true, "yes": true, "1": true, "never": false, "Never": false, "auto": true} {
		if err := os.WriteFile(global, []byte("[credential]\n\tinteractive = "+value+"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		if got := gitCredentialInteractive(ctx); got != want {
			t.Errorf("credential.interactive = %s: %v, want %v", value, got, want)
		}
	}
	if err := os.WriteFile(global, []byte("[credential]\n\tinteractive = true\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("GIT_CONFIG_PARAMETERS", "'credential.interactive'='false'")
	if gitCredentialInteractive(ctx) {
		t.Error("git -c credential.interactive=false: true, want false")
	}
}
