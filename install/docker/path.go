package docker

import (
	"errors"
	"path/filepath"
)

// ConfigPath returns the docker client configuration file: config.json in $DOCKER_CONFIG when
// set, else in ~/.docker, as the docker CLI finds it.
func ConfigPath(getenv func(string) string) (string, error) {
	if dir := getenv("DOCKER_CONFIG"); dir != "" {
		return filepath.Join(dir, "config.json"), nil
	}
	home := getenv("HOME")
	if home == "" {
		home = getenv("USERPROFILE") // Windows
	}
	if home == "" {
		return "", errors.New("finding docker's configuration: neither DOCKER_CONFIG nor HOME is set")
	}
	return filepath.Join(home, ".docker", "config.json"), nil
}
