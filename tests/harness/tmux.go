package harness

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Tmux is a terminal a person would look at: a tmux session of its own (a private server on a
// socket in the test's directory) running one command line in the world's environment. Tests type
// into it with SendKeys and read the screen with Screen, as a person would.
type Tmux struct {
	t      testing.TB
	w      *World
	shell  string
	socket string
	env    []string
}

// StartTmux runs shell (a /bin/sh command line) in a new tmux session of width columns and 24
// rows, with the world's environment. It is killed when t ends. In CI a missing tmux fails the
// test (RequireTool).
func (w *World) StartTmux(t testing.TB, width int, shell string) *Tmux {
	t.Helper()
	RequireTool(t, "tmux")
	dir := t.TempDir()
	tm := &Tmux{t: t, w: w, shell: shell, socket: filepath.Join(dir, "tmux.sock"), env: w.Environ()}
	// No configuration, the developer's least of all. The session's environment is exactly the
	// world's (tmux hands its server's environment to the panes).
	tm.run("-f", os.DevNull, "new-session", "-d", "-s", "main", "-x", strconv.Itoa(width), "-y", "24",
		// Like a person's interactive shell, this one outlives a Ctrl-C that stops its command:
		// a trapped signal is reset for the command, which gets it as usual. And like one, it
		// stays after the command: a pane whose process ends at once may lose its last output
		// (Linux drops what the terminal still holds when its last writer closes it).
		"/bin/sh", "-c", `trap : INT; `+shell+`; echo "EXIT=$?"; exec sleep 3600`)
	t.Cleanup(func() {
		// The last screen is searched for secrets too, whether or not the test looked at it.
		if out, err := tm.capture(); err == nil {
			tm.w.recordScreen(tm.shell, strings.Split(out, "\n"))
		}
		_ = tm.command("kill-server").Run()
	})
	// The server may still be starting when new-session returns.
	for deadline := time.Now().Add(10 * time.Second); ; {
		if _, err := tm.capture(); err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the tmux session did not come up")
		}
		time.Sleep(50 * time.Millisecond)
	}
	return tm
}

// SendKeys types keys into the session, in tmux's notation ("C-c" is Ctrl-C).
func (tm *Tmux) SendKeys(keys ...string) {
	tm.t.Helper()
	tm.run(append([]string{"send-keys", "-t", "main"}, keys...)...)
}

// Screen is the screen, one string per line, without trailing blank lines. Lines that scrolled
// off its top come first: the person saw them.
func (tm *Tmux) Screen() []string {
	tm.t.Helper()
	out, err := tm.capture()
	if err != nil {
		tm.t.Fatal(err)
	}
	lines := strings.Split(out, "\n")
	tm.w.recordScreen(tm.shell, lines)
	for len(lines) > 0 && strings.TrimSpace(lines[len(lines)-1]) == "" {
		lines = lines[:len(lines)-1]
	}
	return lines
}

// WaitFor waits until the screen satisfies has, and returns it; after timeout the test fails
// with what the screen showed.
func (tm *Tmux) WaitFor(timeout time.Duration, what string, has func(screen string) bool) []string {
	tm.t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		lines := tm.Screen()
		if has(strings.Join(lines, "\n")) {
			return lines
		}
		if time.Now().After(deadline) {
			tm.t.Fatalf("the screen never showed %s; it shows:\n%s", what, strings.Join(lines, "\n"))
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// capture returns the session's screen and the lines that scrolled off it (-S -).
func (tm *Tmux) capture() (string, error) {
	out, err := tm.command("capture-pane", "-p", "-S", "-", "-t", "main").CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("tmux capture-pane: %v\n%s", err, out)
	}
	return string(out), nil
}

func (tm *Tmux) command(args ...string) *exec.Cmd {
	cmd := exec.Command("tmux", append([]string{"-S", tm.socket}, args...)...)
	cmd.Env = append(tm.env, "TERM=xterm-256color")
	return cmd
}

func (tm *Tmux) run(args ...string) string {
	tm.t.Helper()
	cmd := tm.command(args...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		tm.t.Fatalf("tmux %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}
