package docker

import (
	"fmt"
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
