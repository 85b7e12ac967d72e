package git

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os/exec"
	"strings"
)

// errUnset is git config's answer for a key that has no value (exit status 1), or none to unset (5).
var errUnset = errors.New("not set")

// config runs `git config` with args and returns its standard output.
func (s *Setup) config(ctx context.Context, args ...string) ([]byte, error) {
	return s.git(ctx, append([]string{"config"}, args...)...)
}

// git runs git with args and returns its standard output.
func (s *Setup) git(ctx context.Context, args ...string) ([]byte, error) {
	gitPath := s.GitPath
	if gitPath == "" {
		gitPath = "git"
	}
	cmd := exec.CommandContext(ctx, gitPath, args...)
	cmd.Dir = s.Dir
	cmd.Env = s.Env
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	var exit *exec.ExitError
	switch {
	case err == nil:
		return stdout.Bytes(), nil
	case errors.As(err, &exit) && (exit.ExitCode() == 1 || exit.ExitCode() == 5) && stderr.Len() == 0:
		return nil, errUnset
	case errors.As(err, &exit):
		return nil, fmt.Errorf("git %s: %s", strings.Join(args, " "), strings.TrimSpace(stderr.String()))
	}
	return nil, fmt.Errorf("running git: %w", err)
}

// scoped runs `git config` on the setup's file, or on the copy that inCopy is changing.
func (s *Setup) scoped(ctx context.Context, args ...string) ([]byte, error) {
	if s.copy != "" {
		return s.config(ctx, append([]string{"--file", s.copy}, args...)...)
	}
	return s.config(ctx, append([]string{"--" + string(s.Scope)}, args...)...)
}

// write runs `git config` on the setup's file to change it; a dry run changes nothing.
func (s *Setup) write(ctx context.Context, args ...string) error {
	if s.DryRun {
		return nil
	}
	_, err := s.scoped(ctx, args...)
	return err
}

// values returns every value of key in the setup's file, in order.
func (s *Setup) values(ctx context.Context, key string) ([]string, error) {
	out, err := s.scoped(ctx, "--null", "--get-all", key)
	if errors.Is(err, errUnset) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return splitNull(out), nil
}

// entry is one key and value of a configuration file.
type entry struct{ key, value string }

// entries returns the entries of the setup's file whose key matches the regular expression.
func (s *Setup) entries(ctx context.Context, keyPattern string) ([]entry, error) {
	out, err := s.scoped(ctx, "--null", "--get-regexp", keyPattern)
	if errors.Is(err, errUnset) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var out2 []entry
	for _, item := range splitNull(out) {
		// With --null, a key is followed by a newline and its value (nothing for a key
		// without "= value").
		key, value, _ := strings.Cut(item, "\n")
		out2 = append(out2, entry{key, value})
	}
	return out2, nil
}

// replaceAll makes values the values of key in the setup's file, in order.
func (s *Setup) replaceAll(ctx context.Context, key string, values []string) error {
	if err := s.write(ctx, "--unset-all", key); err != nil && !errors.Is(err, errUnset) {
		return err
	}
	for _, v := range values {
		if err := s.write(ctx, "--add", key, v); err != nil {
			return err
		}
	}
	return nil
}

// splitNull splits git's --null output into its items.
func splitNull(out []byte) []string {
	s := strings.TrimSuffix(string(out), "\x00")
	if s == "" && len(out) == 0 {
		return nil
	}
	return strings.Split(s, "\x00")
}
