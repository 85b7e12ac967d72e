package docker

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

func TestContainersAuthFiles(t *testing.T) {
	noTools := func(string) (string, error) { return "", errors.New("not found") }
	skopeo := func(name string) (string, error) {
		if name == "skopeo" {
			return "/usr/bin/skopeo", nil
		}
		return "", errors.New("not found")
	}
	for _, tc := range []struct {
		name     string
		env      map[string]string
		existing []string // files created before, relative to the test's directory
		lookPath func(string) (string, error)
		want     []string
	}{
		{"REGISTRY_AUTH_FILE alone", map[string]string{"REGISTRY_AUTH_FILE": "explicit.json", "XDG_RUNTIME_DIR": "run"},
			[]string{"run/containers/auth.json"}, noTools, []string{"explicit.json"}},
		{"both files exist", map[string]string{"XDG_RUNTIME_DIR": "run", "HOME": "home"},
			[]string{"run/containers/auth.json", "home/.config/containers/auth.json"}, noTools,
			[]string{"run/containers/auth.json", "home/.config/containers/auth.json"}},
		{"only the login session's file", map[string]string{"XDG_RUNTIME_DIR": "run", "HOME": "home"},
			[]string{"run/containers/auth.json"}, skopeo, []string{"run/containers/auth.json"}},
		{"XDG_CONFIG_HOME", map[string]string{"XDG_CONFIG_HOME": "cfg", "HOME": "home"},
			[]string{"cfg/containers/auth.json"}, noTools, []string{"cfg/containers/auth.json"}},
		{"no file, skopeo installed: the lasting file", map[string]string{"XDG_RUNTIME_DIR": "run", "HOME": "home"},
			nil, skopeo, []string{"home/.config/containers/auth.json"}},
		{"no file, no tool", map[string]string{"XDG_RUNTIME_DIR": "run", "HOME": "home"}, nil, noTools, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			abs := func(p string) string { return filepath.Join(dir, p) }
			for _, f := range tc.existing {
				writeFile(t, abs(f), "{}", 0o600)
			}
			getenv := func(k string) string {
				if v, ok := tc.env[k]; ok {
					return abs(v)
				}
				return ""
			}
			var want []string
			for _, f := range tc.want {
				want = append(want, abs(f))
			}
			if got := ContainersAuthFiles(getenv, tc.lookPath); !slices.Equal(got, want) {
				t.Errorf("files %q, want %q", got, want)
			}
		})
	}
}

func TestListedNamesAuthsAndCredHelpers(t *testing.T) {
	path := filepath.Join(t.TempDir(), "config.json")
	writeFile(t, path, original, 0o600)
	got, err := Listed(path)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got, []string{"ghcr.io", "gcr.io"}) {
		t.Errorf("listed %q", got)
	}
	if got, err := Listed(filepath.Join(t.TempDir(), "missing.json")); err != nil || len(got) != 0 {
		t.Errorf("a missing file: %q, %v", got, err)
	}
}

func TestPlanWritesNothing(t *testing.T) {
	path := filepath.Join(t.TempDir(), "config.json")
	writeFile(t, path, original, 0o600)
	changes, err := Plan(path, []string{"contoso.azurecr.io", "gcr.io"}, false)
	if err != nil {
		t.Fatal(err)
	}
	if len(changes) != 2 || changes[0].Action != "added" || changes[1].Action != "replaced" || changes[1].Previous != "gcloud" {
		t.Errorf("changes %+v", changes)
	}
	if data, _ := os.ReadFile(path); string(data) != original {
		t.Errorf("Plan changed the file:\n%s", data)
	}
	if _, err := Plan(filepath.Join(t.TempDir(), "new", "config.json"), []string{"contoso.azurecr.io"}, false); err != nil {
		t.Fatal(err)
	}
}
