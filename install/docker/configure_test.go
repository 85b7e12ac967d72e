package docker

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// original is a config.json as docker and other tools leave it, with fields this package knows
// nothing about.
const original = `{
	"auths": {
		"ghcr.io": {
			"auth": "dXNlcjpwYXNz"
		}
	},
	"credsStore": "desktop",
	"credHelpers": {
		"gcr.io": "gcloud"
	},
	"currentContext": "rootless",
	"plugins": {"x": {"enabled": "true"}},
	"proxies": {"default": {"httpProxy": "http://proxy:3128"}}
}
`

func writeFile(t *testing.T, path, content string, mode os.FileMode) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), mode); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, mode); err != nil {
		t.Fatal(err)
	}
}

func readJSON(t *testing.T, path string) map[string]any {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var v map[string]any
	if err := json.Unmarshal(data, &v); err != nil {
		t.Fatalf("%s is not valid JSON after configure: %v\n%s", path, err, data)
	}
	return v
}

// topLevelKeys lists the keys of a JSON object in file order.
func topLevelKeys(t *testing.T, path string) []string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	obj, err := parseObject(data)
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, m := range obj {
		keys = append(keys, m.key)
	}
	return keys
}

func TestConfigureKeepsEverythingElse(t *testing.T) {
	path := filepath.Join(t.TempDir(), "config.json")
	writeFile(t, path, original, 0o640)
	before := readJSON(t, path)
	keysBefore := topLevelKeys(t, path)

	changes, err := Configure(path, []string{"contoso.azurecr.io", "fabrikam.azurecr.io"}, false)
	if err != nil {
		t.Fatal(err)
	}
	if len(changes) != 2 || changes[0].Action != "added" || changes[1].Action != "added" {
		t.Errorf("changes %+v", changes)
	}
	after := readJSON(t, path)
	helpers := after["credHelpers"].(map[string]any)
	want := map[string]any{"gcr.io": "gcloud", "contoso.azurecr.io": "aad", "fabrikam.azurecr.io": "aad"}
	if len(helpers) != len(want) {
		t.Errorf("credHelpers = %v, want %v", helpers, want)
	}
	for k, v := range want {
		if helpers[k] != v {
			t.Errorf("credHelpers[%q] = %v, want %v", k, helpers[k], v)
		}
	}
	for k, v := range before {
		if k == "credHelpers" {
			continue
		}
		a, _ := json.Marshal(v)
		b, _ := json.Marshal(after[k])
		if !bytes.Equal(a, b) {
			t.Errorf("%s changed: %s -> %s", k, a, b)
		}
	}
	if keys := topLevelKeys(t, path); !slices.Equal(keys, keysBefore) {
		t.Errorf("key order changed: %v -> %v", keysBefore, keys)
	}
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o640 {
		t.Errorf("mode %v, want the original 0640 (%v)", fi.Mode().Perm(), err)
	}
}

func TestConfigureIsIdempotent(t *testing.T) {
	path := filepath.Join(t.TempDir(), "config.json")
	writeFile(t, path, original, 0o600)
	if _, err := Configure(path, []string{"contoso.azurecr.io"}, false); err != nil {
		t.Fatal(err)
	}
	first, _ := os.ReadFile(path)
	fi1, _ := os.Stat(path)
	changes, err := Configure(path, []string{"contoso.azurecr.io"}, false)
	if err != nil {
		t.Fatal(err)
	}
	if changes[0].Action != "unchanged" {
		t.Errorf("second run: %+v", changes)
	}
	second, _ := os.ReadFile(path)
	fi2, _ := os.Stat(path)
	if !bytes.Equal(first, second) || !os.SameFile(fi1, fi2) {
		t.Error("a second identical configure rewrote the file")
	}
}

func TestConfigureRemove(t *testing.T) {
	path := filepath.Join(t.TempDir(), "config.json")
	writeFile(t, path, original, 0o600)
	if _, err := Configure(path, []string{"contoso.azurecr.io"}, false); err != nil {
		t.Fatal(err)
	}
	changes, err := Configure(path, []string{"contoso.azurecr.io", "gcr.io", "unknown.azurecr.io"}, true)
	if err != nil {
		t.Fatal(err)
	}
	got := []string{changes[0].Action, changes[1].Action, changes[2].Action}
	if !slices.Equal(got, []string{"removed", "kept", "unchanged"}) || changes[1].Previous != "gcloud" {
		t.Errorf("changes %+v", changes)
	}
	helpers := readJSON(t, path)["credHelpers"].(map[string]any)
	if _, ok := helpers["contoso.azurecr.io"]; ok || helpers["gcr.io"] != "gcloud" {
		t.Errorf("credHelpers after remove: %v", helpers)
	}
}

func TestConfigureRemovingTheLastEntryDropsCredHelpers(t *testing.T) {
	path := filepath.Join(t.TempDir(), "config.json")
	writeFile(t, path, `{"auths": {}}`, 0o600)
	if _, err := Configure(path, []string{"contoso.azurecr.io"}, false); err != nil {
		t.Fatal(err)
	}
	if _, err := Configure(path, []string{"contoso.azurecr.io"}, true); err != nil {
		t.Fatal(err)
	}
	if v := readJSON(t, path); len(v) != 1 || v["auths"] == nil {
		t.Errorf("after add and remove: %v", v)
	}
}

func TestConfigureReplacesAnotherHelper(t *testing.T) {
	path := filepath.Join(t.TempDir(), "config.json")
	writeFile(t, path, `{"credHelpers": {"contoso.azurecr.io": "acr-env"}}`, 0o600)
	changes, err := Configure(path, []string{"contoso.azurecr.io"}, false)
	if err != nil {
		t.Fatal(err)
	}
	if changes[0].Action != "replaced" || changes[0].Previous != "acr-env" {
		t.Errorf("changes %+v", changes)
	}
	if readJSON(t, path)["credHelpers"].(map[string]any)["contoso.azurecr.io"] != "aad" {
		t.Error("the entry does not name aad")
	}
}

func TestConfigureCreatesAMissingFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "new", "docker", "config.json")
	if _, err := Configure(path, []string{"contoso.azurecr.io"}, false); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("new file: %v %v", fi, err)
	}
	if readJSON(t, path)["credHelpers"].(map[string]any)["contoso.azurecr.io"] != "aad" {
		t.Error("the new file does not name aad")
	}
	entries, _ := os.ReadDir(filepath.Dir(path))
	if len(entries) != 1 {
		t.Errorf("temporary files left behind: %v", entries)
	}
}

func TestConfigureFollowsASymlink(t *testing.T) {
	dir := t.TempDir()
	real := filepath.Join(dir, "dotfiles", "docker.json")
	writeFile(t, real, original, 0o600)
	link := filepath.Join(dir, "config.json")
	if err := os.Symlink(real, link); err != nil {
		t.Skip("no symbolic links here:", err)
	}
	if _, err := Configure(link, []string{"contoso.azurecr.io"}, false); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Lstat(link); err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Error("the symbolic link was replaced by a file")
	}
	if readJSON(t, real)["credHelpers"].(map[string]any)["contoso.azurecr.io"] != "aad" {
		t.Error("the linked file was not updated")
	}
}

func TestConfigureRefusesWhatItCannotReadAndLeavesItAlone(t *testing.T) {
	for name, content := range map[string]string{
		"not JSON":              `{"auths": {`,
		"an array":              `[]`,
		"trailing data":         `{} {}`,
		"credHelpers not a map": `{"credHelpers": ["x"]}`,
		"a helper not a string": `{"credHelpers": {"x": 1}}`,
	} {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "config.json")
			writeFile(t, path, content, 0o600)
			_, err := Configure(path, []string{"contoso.azurecr.io"}, false)
			if err == nil || !strings.Contains(err.Error(), path) {
				t.Errorf("got %v, want an error naming the file", err)
			}
			if data, _ := os.ReadFile(path); string(data) != content {
				t.Errorf("the file was changed to %q", data)
			}
		})
	}
}

func TestConfigPath(t *testing.T) {
	env := map[string]string{"HOME": "/home/alice"}
	getenv := func(k string) string { return env[k] }
	if p, _ := ConfigPath(getenv); p != filepath.Join("/home/alice", ".docker", "config.json") {
		t.Errorf("without DOCKER_CONFIG: %s", p)
	}
	env["DOCKER_CONFIG"] = "/etc/ci/docker"
	if p, _ := ConfigPath(getenv); p != filepath.Join("/etc/ci/docker", "config.json") {
		t.Errorf("with DOCKER_CONFIG: %s", p)
	}
	if _, err := ConfigPath(func(string) string { return "" }); err == nil {
		t.Error("no error without HOME or DOCKER_CONFIG")
	}
}

// TestConfigPathOnWindows: docker on Windows reads %USERPROFILE%\.docker, whatever HOME a
// Unix-like shell has set.
func TestConfigPathOnWindows(t *testing.T) {
	env := map[string]string{"HOME": "/c/Users/alice", "USERPROFILE": `C:\Users\alice`}
	getenv := func(k string) string { return env[k] }
	if p, _ := configPath(getenv, "windows"); p != filepath.Join(`C:\Users\alice`, ".docker", "config.json") {
		t.Errorf("on Windows: %s, want the file under USERPROFILE", p)
	}
	if p, _ := configPath(getenv, "linux"); p != filepath.Join("/c/Users/alice", ".docker", "config.json") {
		t.Errorf("elsewhere: %s, want the file under HOME", p)
	}
	env["DOCKER_CONFIG"] = `D:\docker`
	if p, _ := configPath(getenv, "windows"); p != filepath.Join(`D:\docker`, "config.json") {
		t.Errorf("on Windows with DOCKER_CONFIG: %s", p)
	}
	delete(env, "USERPROFILE")
	delete(env, "DOCKER_CONFIG")
	if _, err := configPath(getenv, "windows"); err == nil || !strings.Contains(err.Error(), "USERPROFILE") {
		t.Errorf("on Windows without USERPROFILE: %v", err)
	}
}

func TestNamesHelper(t *testing.T) {
	for _, tc := range []struct {
		value, goos string
		want        bool
	}{
		{"aad", "linux", true},
		{"aad", "windows", true},
		{"aad.exe", "windows", true},
		{"AAD.EXE", "windows", true},
		{"Aad", "windows", true},
		{"aad.exe", "linux", false},
		{"AAD", "darwin", false},
		{"desktop.exe", "windows", false},
		{"aad-old", "windows", false},
	} {
		if got := namesHelper(tc.value, tc.goos); got != tc.want {
			t.Errorf("namesHelper(%q, %s) = %v, want %v", tc.value, tc.goos, got, tc.want)
		}
	}
}

func FuzzConfigure(f *testing.F) {
	f.Add([]byte(original))
	f.Add([]byte(`{}`))
	f.Add([]byte(``))
	f.Add([]byte(`{"credHelpers": null, "a": [1, 2, {"b": "\u00e9"}]}`))
	f.Add([]byte(`{"credHelpers": {"contoso.azurecr.io": "aad"}}`))
	f.Fuzz(func(t *testing.T, content []byte) {
		path := filepath.Join(t.TempDir(), "config.json")
		if err := os.WriteFile(path, content, 0o600); err != nil {
			t.Fatal(err)
		}
		before, err := parseObject(content)
		if _, cerr := Configure(path, []string{"contoso.azurecr.io"}, false); cerr != nil {
			if data, _ := os.ReadFile(path); !bytes.Equal(data, content) {
				t.Fatal("a failed configure changed the file")
			}
			return
		}
		if err != nil {
			t.Fatalf("configure accepted what parseObject refuses: %v", err)
		}
		after := readJSON(t, path)
		if after["credHelpers"].(map[string]any)["contoso.azurecr.io"] != "aad" {
			t.Fatal("no credHelpers entry")
		}
		for _, m := range before {
			if _, ok := after[m.key]; !ok && m.key != "credHelpers" {
				t.Fatalf("key %q was lost", m.key)
			}
		}
	})
}

// TestConfigureKeepsTheFilesLayout: a config.json indented with two spaces, without a final
// newline, keeps both; nothing but the new entry changes, and no blank line appears.
func TestConfigureKeepsTheFilesLayout(t *testing.T) {
	for name, c := range map[string]struct{ before, after string }{
		"two spaces, no final newline": {
			"{\n  \"auths\": {\n    \"ghcr.io\": {}\n  },\n  \"credHelpers\": {\n    \"gcr.io\": \"gcloud\"\n  }\n}",
			"{\n  \"auths\": {\n    \"ghcr.io\": {}\n  },\n  \"credHelpers\": {\n    \"gcr.io\": \"gcloud\",\n    \"contoso.azurecr.io\": \"aad\"\n  }\n}",
		},
		"tabs, final newline": {
			"{\n\t\"auths\": {}\n}\n",
			"{\n\t\"auths\": {},\n\t\"credHelpers\": {\n\t\t\"contoso.azurecr.io\": \"aad\"\n\t}\n}\n",
		},
	} {
		path := filepath.Join(t.TempDir(), "config.json")
		writeFile(t, path, c.before, 0o600)
		if _, err := Configure(path, []string{"contoso.azurecr.io"}, false); err != nil {
			t.Fatal(err)
		}
		if got, _ := os.ReadFile(path); string(got) != c.after {
			t.Errorf("%s: the file is now\n%q\nwant\n%q", name, got, c.after)
		}
	}
}
