package harness

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aadcred/aadcred/tests/fakeentra"
)

func TestFindLeaks(t *testing.T) {
	const (
		at  = "eyJhbGciOiJSUzI1NiJ9.eyJhdWQiOiJ4In0.c2lnbmF0dXJlLW9mLXRoZS1hY2Nlc3MtdG9rZW4"
		rt  = "1.AVEAzrefreshtokenrefreshtokenrefreshtoken"
		acr = "eyJhbGciOiJIUzI1NiJ9.eyJpc3MiOiJBQ1IifQ.YWNyLXJlZnJlc2gtdG9rZW4tc2lnbmF0dXJl"
	)
	secrets := []fakeentra.Secret{
		{Kind: fakeentra.SecretAccessToken, Value: at},
		{Kind: fakeentra.SecretRefreshToken, Value: rt},
		{Kind: "ACR refresh token", Value: acr},
	}
	dir := t.TempDir()
	files := map[string]string{
		"cache/tokens/t1":      at,                                           // where access tokens rest: allowed
		"cache/tokens/a1":      `{"upn":"x"}` + at,                           // an account label: never
		"cache/tokens/t2":      rt,                                           // a refresh token in the clear: never
		"cache/secrets/a1":     "AADS\x01sealed",                             // sealed: nothing to find
		"home/.docker/config":  `{"auths":{}}`,                               // clean
		"home/notes":           "sig " + acr[strings.LastIndex(acr, ".")+1:], // part of a JWT, not the whole: found by its signature
		"home/.kube/cache/x":   "nothing here at all",                        // clean
		"home/.gitconfig.lock": "[credential]\n",                             // clean
	}
	for name, content := range files {
		path := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	outputs := []Output{
		{Command: []string{"git-credential-aad", "token", "--resource", "x"}, Stdout: at + "\n"},
		{Command: []string{"kubectl-aad", "get-token"}, Stdout: `{"kind":"ExecCredential","status":{"token":"` + at + `"}}` + "\n"},
		{Command: []string{"/bin/kubelogin", "-v", "5", "get-token"}, Stdout: `{"kind":"ExecCredential","status":{"token":"` + at + `"}}` + "\n"},
		{Command: []string{"docker-credential-aad", "get"}, Stdout: `{"ServerURL":"r","Username":"u","Secret":"` + acr + `"}` + "\n"},
		{Command: []string{"git-credential-aad", "get"}, Stdout: "protocol=https\nhost=h\npassword=" + at + "\n"},
		{Command: []string{"git-credential-aad", "token"}, Stdout: at + "\n" + at + "\n"},                            // the answer twice
		{Command: []string{"git-credential-aad", "status"}, Stdout: at},                                              // not an answer
		{Command: []string{"docker-credential-aad", "get"}, Stdout: `{"Secret":"x","Username":"` + rt + `"}` + "\n"}, // beside the answer
		{Command: []string{"kubectl-aad", "get-token"}, Stderr: "kubectl-aad: debug: refresh_token=" + rt},
	}
	leaks, err := FindLeaks(secrets, outputs, []string{dir})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, l := range leaks {
		got = append(got, l.String())
	}
	want := []string{
		"access token found in " + filepath.Join(dir, "cache/tokens/a1"),
		"refresh token found in " + filepath.Join(dir, "cache/tokens/t2"),
		"ACR refresh token found in " + filepath.Join(dir, "home/notes"),
		"access token found in the stdout of `git-credential-aad token`",
		"access token found in the stdout of `git-credential-aad status`",
		"refresh token found in the stdout of `docker-credential-aad get`",
		"refresh token found in the stderr of `kubectl-aad get-token`",
	}
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("FindLeaks found\n  %q\nwant\n  %q", got, want)
	}
}

// failures is a testing.TB that keeps the failures reported to it and the cleanups registered
// with it, so that a test can run another test's end and see whether it fails.
type failures struct {
	testing.TB
	mu       sync.Mutex
	errors   []string
	cleanups []func()
}

func (f *failures) Errorf(format string, args ...any) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.errors = append(f.errors, fmt.Sprintf(format, args...))
}

func (f *failures) Error(args ...any) { f.Errorf("%s", fmt.Sprint(args...)) }

func (f *failures) Cleanup(c func()) { f.cleanups = append(f.cleanups, c) }

// end runs the cleanups, last first, as a test's end does, and returns the failures.
func (f *failures) end() []string {
	for i := len(f.cleanups) - 1; i >= 0; i-- {
		f.cleanups[i]()
	}
	return f.errors
}

// TestWorldFailsTheTestThatLeaks leaks a secret a fake handed out in each way a command's output
// reaches a test (stderr, as a --debug log is written; stderr read while the command runs; the
// stdout of a command that answers no protocol; a file in the home) and requires the world's end
// to fail the test for each, and for output sent where the search does not look. A world that
// leaks nothing fails nothing.
func TestWorldFailsTheTestThatLeaks(t *testing.T) {
	clean := &failures{TB: t}
	NewWorld(clean, t.TempDir(), fakeentra.Options{}).Run("", "sh", "-c", "echo nothing to see >&2")
	if failed := clean.end(); len(failed) != 0 {
		t.Errorf("a world that leaked nothing failed its test: %q", failed)
	}

	leaky := &failures{TB: t}
	w := NewWorld(leaky, t.TempDir(), fakeentra.Options{})
	_, secret := w.Entra.NewServicePrincipal("")
	w.Set("LEAKED", secret)
	printsToStderr := []string{"sh", "-c", `echo "tool: debug: client_secret=$LEAKED" >&2`}
	w.Run("", printsToStderr[0], printsToStderr[1:]...)
	cmd, _, stderr := w.Start(t.Context(), "", "sh", "-c", `echo "$LEAKED" >&2`)
	io.Copy(io.Discard, stderr)
	cmd.Wait()
	w.Run("", "sh", "-c", `echo "$LEAKED"`)
	notes := filepath.Join(w.Home, "notes")
	if err := os.WriteFile(notes, []byte("secret: "+secret), 0o600); err != nil {
		t.Fatal(err)
	}
	// Output sent where the search does not look fails the test too.
	elsewhere, err := os.Create(filepath.Join(t.TempDir(), "stderr"))
	if err != nil {
		t.Fatal(err)
	}
	defer elsewhere.Close()
	unread := w.Command(t.Context(), "true")
	unread.Stderr = elsewhere
	unread.Run()
	got := leaky.end()
	want := []string{
		"`true` wrote to " + elsewhere.Name() + ", which the leak search does not read: send it to a file under the world's home",
		"leak: client secret found in the stderr of `" + strings.Join(printsToStderr, " ") + "`",
		"leak: client secret found in the stderr of `sh -c echo \"$LEAKED\" >&2`",
		"leak: client secret found in the stdout of `sh -c echo \"$LEAKED\"`",
		"leak: client secret found in " + notes,
	}
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("the leaking test failed with\n  %q\nwant\n  %q", got, want)
	}
}

// TestWorldSearchesTerminalScreens leaks a secret onto a terminal's screen, wrapped across two
// lines, where no test looks at it: the world's end fails the test for it.
func TestWorldSearchesTerminalScreens(t *testing.T) {
	leaky := &failures{TB: t}
	w := NewWorld(leaky, t.TempDir(), fakeentra.Options{})
	_, secret := w.Entra.NewServicePrincipal("")
	w.Set("LEAKED", secret)
	shell := `printf '%75s%s\n' '' "$LEAKED"`
	tm := w.StartTmux(t, 80, shell)
	tm.WaitFor(10*time.Second, "the command's end", func(screen string) bool { return strings.Contains(screen, "EXIT=0") })
	want := []string{"leak: client secret found in the terminal screen of `" + shell + "`"}
	if got := leaky.end(); !slices.Equal(got, want) {
		t.Errorf("the leaking test failed with\n  %q\nwant\n  %q", got, want)
	}
}
