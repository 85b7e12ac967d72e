package git

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/aadcred/aadcred/install/internal/atomicfile"
)

// inCopy runs change on a copy of the setup's file, then puts the copy in the file's place with
// one rename. Each git config call replaces the file atomically, but configuring a URL takes
// several: an interrupted configure must leave the file as it was or fully changed, never with
// the empty helper entry that drops the other helpers but without this one after it. Where the
// setup has no file of its own to copy (the system scope, no repository for --local) and in a
// dry run, change runs on the file itself.
func (s *Setup) inCopy(ctx context.Context, change func() ([]Change, error)) ([]Change, error) {
	path := ""
	if !s.DryRun {
		path = s.File(ctx)
	}
	if path == "" {
		return change()
	}
	if target, err := filepath.EvalSymlinks(path); err == nil { // a dotfiles manager's link stays a link
		path = target
	}
	data, err := os.ReadFile(path)
	mode := fs.FileMode(0o644) // what git gives a new file
	switch {
	case err == nil:
		if fi, err := os.Stat(path); err == nil {
			mode = fi.Mode().Perm()
		}
	case !errors.Is(err, fs.ErrNotExist):
		return nil, err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".aadcred-*")
	if err != nil {
		return nil, err
	}
	defer os.Remove(tmp.Name())
	_, err = tmp.Write(data)
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return nil, err
	}

	s.copy = tmp.Name()
	changes, err := change()
	s.copy = ""
	if err != nil {
		return nil, err // nothing of it reached the file
	}
	if len(changes) == 0 {
		return nil, nil // leave the file, and its time, alone
	}
	changed, err := os.ReadFile(tmp.Name())
	if err != nil {
		return nil, err
	}
	if err := atomicfile.Write(path, changed, mode); err != nil {
		return nil, err
	}
	return changes, nil
}

// File is the file that git config changes for the setup's scope, found by git's rules: for
// --global $GIT_CONFIG_GLOBAL, else ~/.gitconfig, else $XDG_CONFIG_HOME/git/config when only
// that exists; for --local the repository's config. "" when it cannot be told (the system
// scope, whose file git was built with; --local outside a repository).
func (s *Setup) File(ctx context.Context) string {
	switch s.Scope {
	case Global:
		if f := s.getenv("GIT_CONFIG_GLOBAL"); f != "" {
			return f
		}
		home := s.getenv("HOME")
		if home == "" {
			return ""
		}
		dotfile := filepath.Join(home, ".gitconfig")
		xdg := s.getenv("XDG_CONFIG_HOME")
		if xdg == "" {
			xdg = filepath.Join(home, ".config")
		}
		if _, err := os.Stat(dotfile); errors.Is(err, fs.ErrNotExist) {
			if xdgFile := filepath.Join(xdg, "git", "config"); fileExists(xdgFile) {
				return xdgFile
			}
		}
		return dotfile
	case Local:
		out, err := s.git(ctx, "rev-parse", "--path-format=absolute", "--git-common-dir")
		if err != nil {
			return ""
		}
		return filepath.Join(strings.TrimSpace(string(out)), "config")
	}
	return ""
}

// getenv reads the environment git runs with.
func (s *Setup) getenv(name string) string {
	if s.Env == nil {
		return os.Getenv(name)
	}
	for i := len(s.Env) - 1; i >= 0; i-- {
		if k, v, ok := strings.Cut(s.Env[i], "="); ok && k == name {
			return v
		}
	}
	return ""
}

func fileExists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}
