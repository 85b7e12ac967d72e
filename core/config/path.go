package config

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
)

// EnvConfig is the environment variable that overrides the configuration
// file's path.
const EnvConfig = "AADCRED_CONFIG"

// Path returns the configuration file's path: $AADCRED_CONFIG when set, else
// aadcred/config.yaml in the user's configuration directory, found the way
// os.UserConfigDir finds it but through getenv, so that callers and tests
// control the environment.
func Path(getenv func(string) string) (string, error) {
	if p := getenv(EnvConfig); p != "" {
		return p, nil
	}
	dir, err := userConfigDir(runtime.GOOS, getenv)
	if err != nil {
		return "", fmt.Errorf("locating the configuration file (set %s to choose one): %w", EnvConfig, err)
	}
	return filepath.Join(dir, "aadcred", "config.yaml"), nil
}

// userConfigDir follows the rules documented for os.UserConfigDir.
func userConfigDir(goos string, getenv func(string) string) (string, error) {
	var dir string
	switch goos {
	case "windows":
		dir = getenv("AppData")
		if dir == "" {
			return "", errors.New("%AppData% is not set")
		}
	case "darwin", "ios":
		dir = getenv("HOME")
		if dir == "" {
			return "", errors.New("$HOME is not set")
		}
		dir = filepath.Join(dir, "Library", "Application Support")
	case "plan9":
		dir = getenv("home")
		if dir == "" {
			return "", errors.New("$home is not set")
		}
		dir = filepath.Join(dir, "lib")
	default:
		dir = getenv("XDG_CONFIG_HOME")
		if dir == "" {
			dir = getenv("HOME")
			if dir == "" {
				return "", errors.New("neither $XDG_CONFIG_HOME nor $HOME is set")
			}
			dir = filepath.Join(dir, ".config")
		} else if !filepath.IsAbs(dir) {
			return "", errors.New("path in $XDG_CONFIG_HOME is relative")
		}
	}
	return dir, nil
}

// maxFileSize bounds what Load reads and Parse accepts. A real configuration
// file is a few hundred bytes.
const maxFileSize = 1 << 20

// Load reads and parses the configuration file at path. A file that does not
// exist is an empty configuration, not an error: the file is optional.
// Any other failure, including a file that cannot be read, is an *Error.
func Load(path string) (*Config, error) {
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return &Config{File: path}, nil
	}
	if err != nil {
		return nil, readError(path, err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxFileSize+1))
	if err != nil {
		return nil, readError(path, err)
	}
	return Parse(path, data)
}

func readError(path string, err error) *Error {
	// The path is already in Error.File; keep only the reason.
	var pathErr *fs.PathError
	if errors.As(err, &pathErr) {
		err = pathErr.Err
	}
	return &Error{File: path, Msg: "reading the configuration file", Err: err}
}
