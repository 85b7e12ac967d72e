package config

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

func env(vars map[string]string) func(string) string {
	return func(k string) string { return vars[k] }
}

func TestPathFromEnvironment(t *testing.T) {
	got, err := Path(env(map[string]string{EnvConfig: "/etc/aadcred.yaml", "HOME": "/home/me"}))
	if err != nil || got != "/etc/aadcred.yaml" {
		t.Errorf("Path with %s set = %q, %v; want /etc/aadcred.yaml", EnvConfig, got, err)
	}
}

func TestPathDefault(t *testing.T) {
	if runtime.GOOS == "windows" || runtime.GOOS == "darwin" || runtime.GOOS == "ios" || runtime.GOOS == "plan9" {
		t.Skip("the XDG rules apply to Unix systems other than Apple's")
	}
	got, err := Path(env(map[string]string{"HOME": "/home/me"}))
	if want := "/home/me/.config/aadcred/config.yaml"; err != nil || got != want {
		t.Errorf("Path = %q, %v; want %q", got, err, want)
	}
	_, err = Path(env(nil))
	if err == nil || !strings.Contains(err.Error(), EnvConfig) {
		t.Errorf("Path with no HOME: error = %v, want one naming %s", err, EnvConfig)
	}
}

func TestUserConfigDir(t *testing.T) {
	tests := []struct {
		goos string
		env  map[string]string
		want string // "" means an error
	}{
		{"linux", map[string]string{"XDG_CONFIG_HOME": "/xdg", "HOME": "/home/me"}, "/xdg"},
		{"linux", map[string]string{"HOME": "/home/me"}, "/home/me/.config"},
		{"linux", map[string]string{"XDG_CONFIG_HOME": "rel", "HOME": "/home/me"}, ""},
		{"linux", nil, ""},
		{"freebsd", map[string]string{"HOME": "/home/me"}, "/home/me/.config"},
		{"darwin", map[string]string{"HOME": "/Users/me", "XDG_CONFIG_HOME": "/xdg"}, "/Users/me/Library/Application Support"},
		{"darwin", nil, ""},
		{"windows", map[string]string{"AppData": `C:\Users\me\AppData\Roaming`}, `C:\Users\me\AppData\Roaming`},
		{"windows", map[string]string{"HOME": "/home/me"}, ""},
		{"plan9", map[string]string{"home": "/usr/me"}, "/usr/me/lib"},
	}
	for _, tt := range tests {
		got, err := userConfigDir(tt.goos, env(tt.env))
		if tt.want == "" {
			if err == nil {
				t.Errorf("userConfigDir(%s, %v) = %q, want an error", tt.goos, tt.env, got)
			}
			continue
		}
		if err != nil || got != filepath.FromSlash(tt.want) && got != tt.want {
			t.Errorf("userConfigDir(%s, %v) = %q, %v; want %q", tt.goos, tt.env, got, err, tt.want)
		}
	}
}

func TestLoad(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "config.yaml")
	if err := os.WriteFile(path, []byte("tenant: contoso.com\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := Load(path)
	if err != nil || c.Defaults.Tenant != "contoso.com" || c.File != path {
		t.Errorf("Load = %+v, %v", c, err)
	}
}

func TestLoadMissingFileIsEmpty(t *testing.T) {
	path := filepath.Join(t.TempDir(), "aadcred", "config.yaml")
	c, err := Load(path)
	if err != nil {
		t.Fatalf("Load of a missing file: %v", err)
	}
	if c.File != path || c.Defaults != (Settings{}) || c.Profiles != nil {
		t.Errorf("Load of a missing file = %+v, want an empty Config naming the path", c)
	}
}

func TestLoadUnreadable(t *testing.T) {
	dir := t.TempDir() // a directory cannot be read as a file, even by root
	_, err := Load(dir)
	var cerr *Error
	if !errors.As(err, &cerr) || cerr.File != dir {
		t.Fatalf("Load(directory) error = %v, want a *config.Error naming it", err)
	}
	if strings.Count(err.Error(), dir) != 1 {
		t.Errorf("error %q should name the path exactly once", err)
	}

	notDir := filepath.Join(dir, "file")
	if err := os.WriteFile(notDir, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	_, err = Load(filepath.Join(notDir, "config.yaml"))
	if !errors.As(err, &cerr) || errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Load under a regular file: error = %v, want a read error", err)
	}
}

func TestLoadTooLarge(t *testing.T) {
	path := filepath.Join(t.TempDir(), "config.yaml")
	if err := os.WriteFile(path, make([]byte, maxFileSize+10), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := Load(path)
	if err == nil || !strings.Contains(err.Error(), "larger than") {
		t.Errorf("Load of a large file: error = %v", err)
	}
}
