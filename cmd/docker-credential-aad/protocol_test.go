package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/aadcred/aadcred/cmd/internal/cli"
	"github.com/aadcred/aadcred/cmd/internal/version"
)

const notFound = "credentials not found in native keychain\n"

// world is a private environment for in-process runs: its own cache, configuration and docker
// configuration, nobody at the terminal, and an authority that nothing listens on, so that no
// test can reach a network.
type world struct {
	env map[string]string
	dir string
}

func newWorld(t testing.TB) *world {
	dir := t.TempDir()
	return &world{dir: dir, env: map[string]string{
		"HOME":                 dir,
		"AADCRED_CACHE_DIR":    filepath.Join(dir, "cache"),
		"AADCRED_CONFIG":       filepath.Join(dir, "config.yaml"),
		"AADCRED_PROMPT":       "never",
		"AZURE_AUTHORITY_HOST": "https://127.0.0.1:1/",
		"DOCKER_CONFIG":        filepath.Join(dir, "docker"),
	}}
}

func (w *world) writeConfig(t *testing.T, yaml string) {
	if err := os.WriteFile(w.env["AADCRED_CONFIG"], []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
}

type result struct {
	stdout, stderr string
	code           int
}

func (w *world) run(stdin string, args ...string) result {
	var stdout, stderr bytes.Buffer
	env := cli.Env{
		Stdin: strings.NewReader(stdin), Stdout: &stdout, Stderr: &stderr,
		Getenv: func(k string) string { return w.env[k] },
	}
	code := tool().Run(context.Background(), append([]string{"docker-credential-aad"}, args...), env)
	return result{stdout.String(), stderr.String(), code}
}

func TestGetAnswersForeignHostsWithNotFound(t *testing.T) {
	w := newWorld(t)
	w.writeConfig(t, "docker:\n  registries: [registry.contoso.example]\n")
	for _, host := range []string{
		"https://index.docker.io/v1/", "docker.io", "ghcr.io", "mcr.microsoft.com",
		"contoso.eastus.data.azurecr.io", "contoso.azurecr.io.attacker.example", "http://contoso.azurecr.io",
		"registry.contoso.example:444", "[::1]:5000", "not a host at all", "contoso.azurecr.io:5000",
	} {
		r := w.run(host+"\n", "get")
		if r.code != 1 || r.stdout != notFound || r.stderr != "" {
			t.Errorf("get %q: exit %d\nstdout %q\nstderr %q", host, r.code, r.stdout, r.stderr)
		}
	}
}

func TestGetWithoutASignInNamesTheLoginCommand(t *testing.T) {
	w := newWorld(t)
	r := w.run("contoso.azurecr.io\n", "get")
	if r.code != 1 {
		t.Fatalf("exit %d", r.code)
	}
	if strings.Count(r.stdout, "\n") != 1 || !strings.Contains(r.stdout, "docker-credential-aad login") {
		t.Errorf("stdout should be one line naming the login command: %q", r.stdout)
	}
	if !strings.HasPrefix(r.stderr, "docker-credential-aad: ") || !strings.Contains(r.stderr, "docker-credential-aad login") {
		t.Errorf("stderr should say what to do: %q", r.stderr)
	}
}

func TestGetWithABrokenConfigurationSaysWhere(t *testing.T) {
	w := newWorld(t)
	w.writeConfig(t, "docker:\n  registries: [\"https://nope\"]\n")
	r := w.run("contoso.azurecr.io\n", "get")
	if r.code != 1 || !strings.Contains(r.stdout, w.env["AADCRED_CONFIG"]) || strings.Count(r.stdout, "\n") != 1 {
		t.Errorf("exit %d\nstdout %q\nstderr %q", r.code, r.stdout, r.stderr)
	}
}

func TestBrokenConfigurationLeavesOtherRegistriesAlone(t *testing.T) {
	w := newWorld(t)
	w.writeConfig(t, "docker: [broken\n")
	for _, tc := range []struct {
		name, stdin, action string
		code                int
		stdout              string
	}{
		// As docker's credsStore, the helper is asked about Docker Hub too: it must say "not
		// mine", which docker takes as "go on anonymously", not fail the pull.
		{"get of Docker Hub", "https://index.docker.io/v1/\n", "get", 1, notFound},
		{"get of a registry that may be under docker.registries", "registry.contoso.example\n", "get", 1, notFound},
		{"list", "unused", "list", 0, "{}\n"},
		{"erase of Docker Hub", "https://index.docker.io/v1/\n", "erase", 0, ""},
		{"erase of a registry", "contoso.azurecr.io\n", "erase", 0, ""},
	} {
		r := w.run(tc.stdin, tc.action)
		if r.code != tc.code || r.stdout != tc.stdout {
			t.Errorf("%s: exit %d, stdout %q; want %d, %q", tc.name, r.code, r.stdout, tc.code, tc.stdout)
		}
		if strings.Count(r.stderr, "\n") != 1 || !strings.Contains(r.stderr, w.env["AADCRED_CONFIG"]) {
			t.Errorf("%s: stderr should name the broken configuration once:\n%s", tc.name, r.stderr)
		}
	}
}

func TestProtocolActions(t *testing.T) {
	w := newWorld(t)
	for _, tc := range []struct {
		name, stdin string
		args        []string
		code        int
		stdout      string
	}{
		{"store is accepted", `{"ServerURL":"contoso.azurecr.io","Username":"u","Secret":"s"}`, []string{"store"}, 0, ""},
		{"store without a user", `{"ServerURL":"contoso.azurecr.io","Username":"","Secret":"s"}`, []string{"store"}, 1, "no credentials username\n"},
		{"store of truncated JSON", `{"ServerURL":"contoso.azurecr.io","Username":"u","Sec`, []string{"store"}, 1,
			"store: the credentials on stdin are cut short; docker sends one JSON object with ServerURL, Username and Secret\n"},
		{"store of something else", `ServerURL=contoso.azurecr.io`, []string{"store"}, 1,
			"store: the credentials on stdin are not JSON (invalid character 'S' looking for beginning of value); docker sends one JSON object with ServerURL, Username and Secret\n"},
		{"store of the wrong JSON", `{"ServerURL":["contoso.azurecr.io"]}`, []string{"store"}, 1,
			"store: the credentials on stdin are not what docker sends (ServerURL is not a string); docker sends one JSON object with ServerURL, Username and Secret\n"},
		{"store of nothing", ``, []string{"store"}, 1,
			"store: the credentials on stdin are cut short; docker sends one JSON object with ServerURL, Username and Secret\n"},
		{"store of a line longer than 64 KiB", `{"ServerURL":"` + strings.Repeat("a", 70<<10) + `"}`, []string{"store"}, 1,
			"store: a line on stdin is longer than 64 KiB; docker sends one JSON object with ServerURL, Username and Secret\n"},
		{"get of a line longer than 64 KiB", strings.Repeat("a", 70<<10) + "\n", []string{"get"}, 1,
			"get: a line on stdin is longer than 64 KiB; docker sends the registry's server URL\n"},
		{"erase of a line longer than 64 KiB", strings.Repeat("a", 70<<10) + "\n", []string{"erase"}, 1,
			"erase: a line on stdin is longer than 64 KiB; docker sends the registry's server URL\n"},
		{"get of nothing", "", []string{"get"}, 1, "no credentials server URL\n"},
		{"erase of nothing", "\n", []string{"erase"}, 1, "no credentials server URL\n"},
		{"erase of an unknown registry", "contoso.azurecr.io\n", []string{"erase"}, 0, ""},
		{"erase of nonsense", "http://[nope\n", []string{"erase"}, 0, ""},
		{"list of nothing", "unused", []string{"list"}, 0, "{}\n"},
		{"version", "", []string{"version"}, 0, "docker-credential-aad (github.com/aadcred/aadcred) " + version.String() + "\n"},
	} {
		r := w.run(tc.stdin, tc.args...)
		if r.code != tc.code || r.stdout != tc.stdout {
			t.Errorf("%s: exit %d, stdout %q; want %d, %q (stderr %q)", tc.name, r.code, r.stdout, tc.code, tc.stdout, r.stderr)
		}
		// A person sees the same line on stderr.
		if tc.code != 0 && tc.stdout != "" && r.stderr != "docker-credential-aad: "+tc.stdout {
			t.Errorf("%s: stderr %q, want the error line", tc.name, r.stderr)
		}
	}
	if entries, _ := os.ReadDir(filepath.Join(w.env["AADCRED_CACHE_DIR"], "tokens")); len(entries) != 0 {
		t.Errorf("store kept something: %v", entries)
	}
}

func TestConfigureWritesDockerConfig(t *testing.T) {
	w := newWorld(t)
	r := w.run("", "configure", "Contoso.AzureCR.io", "https://fabrikam.azurecr.io/")
	if r.code != 0 || r.stdout != "" {
		t.Fatalf("exit %d\nstdout %q\nstderr %s", r.code, r.stdout, r.stderr)
	}
	data, err := os.ReadFile(filepath.Join(w.env["DOCKER_CONFIG"], "config.json"))
	if err != nil {
		t.Fatal(err)
	}
	var cfg struct{ CredHelpers map[string]string }
	if err := json.Unmarshal(data, &cfg); err != nil {
		t.Fatal(err)
	}
	if len(cfg.CredHelpers) != 2 || cfg.CredHelpers["contoso.azurecr.io"] != "aad" || cfg.CredHelpers["fabrikam.azurecr.io"] != "aad" {
		t.Errorf("credHelpers %v", cfg.CredHelpers)
	}
	if r := w.run("", "configure", "--remove", "contoso.azurecr.io"); r.code != 0 {
		t.Fatalf("--remove: exit %d\n%s", r.code, r.stderr)
	}
	data, _ = os.ReadFile(filepath.Join(w.env["DOCKER_CONFIG"], "config.json"))
	cfg.CredHelpers = nil
	json.Unmarshal(data, &cfg)
	if len(cfg.CredHelpers) != 1 || cfg.CredHelpers["fabrikam.azurecr.io"] != "aad" {
		t.Errorf("after --remove: credHelpers %v", cfg.CredHelpers)
	}
}

// TestConfigureRefusesHostsItWouldNeverAnswer: each refusal says why; a host that is listed under
// docker.registries but never gets a token is not said to be missing from it.
func TestConfigureRefusesHostsItWouldNeverAnswer(t *testing.T) {
	w := newWorld(t)
	w.writeConfig(t, "docker:\n  registries: [mcr.microsoft.com, \"*.data.azurecr.io\"]\n")
	for arg, why := range map[string]string{
		"ghcr.io":                   "not under docker.registries",
		"mcr.microsoft.com":         "Microsoft Container Registry is anonymous",
		"x.data.azurecr.io":         "data endpoint",
		"http://contoso.azurecr.io": "plain http",
	} {
		r := w.run("", "configure", arg)
		if r.code == 0 || !strings.Contains(r.stderr, why) || (why != "not under docker.registries" && strings.Contains(r.stderr, "add it there")) {
			t.Errorf("configure %s: exit %d, want a refusal saying %q\n%s", arg, r.code, why, r.stderr)
		}
	}
	if _, err := os.Stat(filepath.Join(w.env["DOCKER_CONFIG"], "config.json")); err == nil {
		t.Error("a refused configure wrote docker's configuration")
	}
	if r := w.run("", "configure"); r.code == 0 || r.stdout != "" {
		t.Errorf("configure without registries: exit %d, stdout %q", r.code, r.stdout)
	}
}

// FuzzProtocol feeds anything to every action. Whatever comes in, stdout holds only the protocol:
// nothing, one JSON document, or one line of error text.
func FuzzProtocol(f *testing.F) {
	for _, seed := range []string{
		"contoso.azurecr.io\n", "https://index.docker.io/v1/", "", "\x00\xff", "127.0.0.1:5000/a/b",
		`{"ServerURL":"contoso.azurecr.io","Username":"<token>","Secret":"x"}`, "http://[::1", "unused",
	} {
		for _, action := range []string{"get", "store", "erase", "list"} {
			f.Add(action, seed)
		}
	}
	w := newWorld(f)
	f.Fuzz(func(t *testing.T, action, stdin string) {
		switch action {
		case "get", "store", "erase", "list":
		default:
			return
		}
		r := w.run(stdin, action)
		out := r.stdout
		switch {
		case out == "":
		case json.Valid([]byte(out)):
		case strings.Count(out, "\n") == 1 && strings.HasSuffix(out, "\n") && utf8.ValidString(out):
			if r.code == 0 {
				t.Fatalf("%s: an error line with exit 0: %q", action, out)
			}
		default:
			t.Fatalf("%s %q: stdout is not the protocol: %q", action, stdin, out)
		}
	})
}
