package harness

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"

	"github.com/aadcred/aadcred/tests/fakeentra"
)

// recordedCmd is a command the world ran, kept so that its output can be searched for secrets.
type recordedCmd struct {
	command []string
	cmd     *exec.Cmd     // its stdout and stderr are read if they are buffers
	stderr  *bytes.Buffer // a copy of what the test read of a piped stderr
}

func (w *World) record(c recordedCmd) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.cmds = append(w.cmds, c)
}

// recordPipedStderr keeps copy, what the test reads of cmd's piped stderr, for the search.
func (w *World) recordPipedStderr(cmd *exec.Cmd, copy *bytes.Buffer) {
	w.mu.Lock()
	defer w.mu.Unlock()
	for i := range w.cmds {
		if w.cmds[i].cmd == cmd {
			w.cmds[i].stderr = copy
		}
	}
}

// recordScreen keeps a screen that a terminal running command showed, for the search: every
// screen a test saw, and the last one, which no test may have looked at. The lines are also
// searched joined end to end, where a secret longer than the terminal is wide was wrapped.
func (w *World) recordScreen(command string, lines []string) {
	screen := strings.Join(lines, "\n") + "\n" + strings.Join(lines, "")
	w.mu.Lock()
	defer w.mu.Unlock()
	if n := len(w.screens); n > 0 && w.screens[n-1].Command[0] == command && w.screens[n-1].Screen == screen {
		return // a screen polled again, unchanged
	}
	w.screens = append(w.screens, Output{Command: []string{command}, Screen: screen})
}

// WatchSecrets adds a source of secrets (a fake's issued tokens) that must not show anywhere but
// where they belong; the fake Entra ID's are watched from the start.
func (w *World) WatchSecrets(source func() []fakeentra.Secret) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.sources = append(w.sources, source)
}

// WatchDir adds a directory outside the world's own (a store moved elsewhere) whose files are
// searched for secrets.
func (w *World) WatchDir(dir string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.dirs = append(w.dirs, dir)
}

// KeepsUserSecret says that the file at path holds a secret the test itself put there as a
// user would (a kubeconfig with a client secret, say) or a copy of such a file, so that the leak
// search passes over it.
func (w *World) KeepsUserSecret(path string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.userFiles = append(w.userFiles, path)
}

// Leaks searches everything the world's commands printed (but their protocol answers) and every
// file they could have written for a secret that any watched fake handed out.
func (w *World) Leaks() ([]Leak, error) {
	w.mu.Lock()
	var secrets []fakeentra.Secret
	for _, source := range w.sources {
		secrets = append(secrets, source()...)
	}
	dirs := append([]string{w.root, w.StoreDir()}, w.dirs...)
	outputs := make([]Output, 0, len(w.cmds))
	var unsearched []error
	for _, c := range w.cmds {
		o := Output{Command: c.command, Stdout: bufferText(c.cmd.Stdout)}
		outs := []io.Writer{c.cmd.Stdout}
		switch {
		case c.stderr != nil: // a pipe the test read
			o.Stderr = c.stderr.String()
		case c.cmd.Stderr != c.cmd.Stdout: // else CombinedOutput: stdout holds both, answer first
			o.Stderr = bufferText(c.cmd.Stderr)
			outs = append(outs, c.cmd.Stderr)
		}
		for _, out := range outs {
			if f, ok := out.(*os.File); ok && !within(dirs, f.Name()) {
				unsearched = append(unsearched, fmt.Errorf("`%s` wrote to %s, which the leak search does not read: "+
					"send it to a file under the world's home", strings.Join(c.command, " "), f.Name()))
			}
		}
		outputs = append(outputs, o)
	}
	outputs = append(outputs, w.screens...)
	skip := slices.Clone(w.userFiles)
	w.mu.Unlock()
	leaks, err := FindLeaks(secrets, outputs, dirs)
	leaks = slices.DeleteFunc(leaks, func(l Leak) bool { return slices.Contains(skip, l.Where) })
	return leaks, errors.Join(append(unsearched, err)...)
}

// within reports whether path lies in one of dirs, whose files the leak search reads.
func within(dirs []string, path string) bool {
	return slices.ContainsFunc(dirs, func(dir string) bool {
		rel, err := filepath.Rel(dir, path)
		return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator))
	})
}

func bufferText(w any) string {
	if b, ok := w.(*bytes.Buffer); ok {
		return b.String()
	}
	return ""
}

// StoreDir is where the world's binaries keep tokens: AADCRED_CACHE_DIR as set now.
func (w *World) StoreDir() string { return w.env["AADCRED_CACHE_DIR"] }

// finish runs when the test ends: nothing the test did may have left a secret where it does not
// belong, and signing out must leave no secret on disk.
func (w *World) finish() {
	w.t.Helper()
	// Before logout, which removes files that might hold one; after, for what logout printed.
	before, err := w.Leaks()
	if err != nil {
		w.t.Error(err)
	}
	w.requireSignOutEmptiesTheStore()
	after, errAfter := w.Leaks()
	if errAfter != nil && (err == nil || errAfter.Error() != err.Error()) {
		w.t.Error(errAfter)
	}
	reported := map[Leak]bool{}
	for _, l := range append(before, after...) {
		if !reported[l] {
			reported[l] = true
			w.t.Errorf("leak: %s", l)
		}
	}
}

// requireSignOutEmptiesTheStore runs `logout --all` in a world whose store holds anything of a
// sign-in (a refresh token, an account, a registry token, a quarantined entry), and then requires
// the store to hold none of it: no secret stays on disk once every account is signed out.
func (w *World) requireSignOutEmptiesTheStore() {
	w.t.Helper()
	dir := w.StoreDir()
	if len(signInEntries(dir)) == 0 {
		return
	}
	r := w.Run("", "git-credential-aad", "logout", "--all")
	if r.Code != 0 {
		w.t.Errorf("logout --all at the end of the test: exit %d\n%s", r.Code, r.Stderr)
		return
	}
	if left := signInEntries(dir); len(left) > 0 {
		w.t.Errorf("logout --all left these in the store:\n  %s\nit said:\n%s", strings.Join(left, "\n  "), r.Stderr)
	}
}

// signInEntries lists what a store holds of sign-ins: everything in the secrets tier and the
// quarantine, and the account labels and organisation notes of the access-token tier.
func signInEntries(dir string) []string {
	var out []string
	for _, sub := range []string{"secrets", "quarantine"} {
		entries, _ := os.ReadDir(filepath.Join(dir, sub))
		for _, e := range entries {
			out = append(out, filepath.Join(sub, e.Name()))
		}
	}
	entries, _ := os.ReadDir(filepath.Join(dir, "tokens"))
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), "a") || strings.HasPrefix(e.Name(), "g") {
			out = append(out, filepath.Join("tokens", e.Name()))
		}
	}
	slices.Sort(out)
	return out
}
