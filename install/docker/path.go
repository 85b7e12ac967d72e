package docker

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
)

// ConfigPath returns the docker client configuration file: config.json in $DOCKER_CONFIG when
// set, else in .docker under the home directory, as the docker CLI finds it.
func ConfigPath(getenv func(string) string) (string, error) {
	return configPath(getenv, runtime.GOOS)
}

// configPath is ConfigPath on the system goos. The docker CLI takes its home from
// os.UserHomeDir: %USERPROFILE% on Windows, where HOME is often set as well (Git Bash, MSYS,
// Cygwin) to a directory docker does not use, and $HOME elsewhere.
func configPath(getenv func(string) string, goos string) (string, error) {
	if dir := getenv("DOCKER_CONFIG"); dir != "" {
		return filepath.Join(dir, "config.json"), nil
	}
	homeVar := "HOME"
	if goos == "windows" {
		homeVar = "USERPROFILE"
	}
	home := getenv(homeVar)
	if home == "" {
		return "", fmt.Errorf("finding docker's configuration: neither DOCKER_CONFIG nor %s is set", homeVar)
	}
	return filepath.Join(home, ".docker", "config.json"), nil
}

// namesThisHelper reports whether a credHelpers value makes docker run this helper.
func namesThisHelper(value string) bool { return namesHelper(value, runtime.GOOS) }

// namesHelper is namesThisHelper on the system goos. docker runs docker-credential-<value>;
// on Windows it finds the program with exec.LookPath, which adds .exe and ignores case, so
// "aad.exe" and "AAD" name this helper there too.
func namesHelper(value, goos string) bool {
	if value == HelperName {
		return true
	}
	return goos == "windows" && (strings.EqualFold(value, HelperName) || strings.EqualFold(value, HelperName+".exe"))
}

// containersTools read containers-auth.json(5) files, which take credHelpers as docker's
// config.json does.
var containersTools = []string{"podman", "buildah", "skopeo"}

// ContainersAuthFiles returns the auth.json files of podman, buildah and skopeo to wire
// (containers-auth.json(5)): $REGISTRY_AUTH_FILE when set, which those tools then read alone;
// else each of ${XDG_RUNTIME_DIR}/containers/auth.json and
// ${XDG_CONFIG_HOME:-~/.config}/containers/auth.json that exists, because the first file that
// names a registry decides its credentials; else, when one of the tools is installed, the
// second, which unlike the first outlives the login session. (Without either file those tools
// read docker's config.json, which configure wires anyway.) lookPath finds a program as
// exec.LookPath does.
func ContainersAuthFiles(getenv func(string) string, lookPath func(string) (string, error)) []string {
	if f := getenv("REGISTRY_AUTH_FILE"); f != "" {
		return []string{f}
	}
	var candidates []string
	if dir := getenv("XDG_RUNTIME_DIR"); dir != "" {
		candidates = append(candidates, filepath.Join(dir, "containers", "auth.json"))
	}
	configHome := getenv("XDG_CONFIG_HOME")
	if configHome == "" {
		homeVar := "HOME" // as for docker's configuration (configPath)
		if runtime.GOOS == "windows" {
			homeVar = "USERPROFILE"
		}
		if home := getenv(homeVar); home != "" {
			configHome = filepath.Join(home, ".config")
		}
	}
	persistent := ""
	if configHome != "" {
		persistent = filepath.Join(configHome, "containers", "auth.json")
		candidates = append(candidates, persistent)
	}
	var files []string
	for _, f := range candidates {
		if _, err := os.Stat(f); err == nil {
			files = append(files, f)
		}
	}
	if len(files) > 0 || persistent == "" {
		return files
	}
	for _, tool := range containersTools {
		if _, err := lookPath(tool); err == nil {
			return []string{persistent}
		}
	}
	return nil
}

// Listed returns the registries that the configuration file at path names, under auths or
// credHelpers, as written (a host, a URL, or for the containers tools a host with a path). A
// missing file names none.
func Listed(path string) ([]string, error) {
	target, _, root, _, err := load(path)
	if err != nil {
		return nil, err
	}
	var names []string
	for _, section := range []string{"auths", "credHelpers"} {
		raw, ok := root.get(section)
		if !ok || string(raw) == "null" {
			continue
		}
		obj, err := parseObject(raw)
		if err != nil {
			return nil, fmt.Errorf("configuration %s: %s is not an object", target, section)
		}
		for _, m := range obj {
			names = append(names, m.key)
		}
	}
	return names, nil
}
