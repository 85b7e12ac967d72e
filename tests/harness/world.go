package harness

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aadcred/aadcred/tests/fakeentra"
)

// World is one test's outside world: a fake Entra ID and a private home for the binaries.
type World struct {
	t      testing.TB
	Entra  *fakeentra.Server
	Bin    string // where the binaries are
	Home   string
	Config string // AADCRED_CONFIG
	Cache  string // AADCRED_CACHE_DIR
	root   string // holds Home, Config and Cache
	env    map[string]string

	mu        sync.Mutex // guards the fields below
	cmds      []recordedCmd
	screens   []Output // what terminals (StartTmux) showed
	sources   []func() []fakeentra.Secret
	dirs      []string
	userFiles []string
}

// signingKey is shared by every fake in a test binary: RSA key generation takes seconds on a busy
// machine, and tokens of one test are never shown to another test's fake anyway.
var signingKey = sync.OnceValues(func() (*rsa.PrivateKey, error) { return rsa.GenerateKey(rand.Reader, 2048) })

// SigningKey returns the key all fakes of this test binary sign with.
func SigningKey(t testing.TB) *rsa.PrivateKey {
	k, err := signingKey()
	if err != nil {
		t.Fatalf("generating the fakes' signing key: %v", err)
	}
	return k
}

// NewWorld starts a fake Entra ID and prepares a home for the binaries in bin.
func NewWorld(t testing.TB, bin string, opts fakeentra.Options) *World {
	t.Helper()
	if err := watchSources(); err != nil {
		t.Fatalf("recording the sources the binaries were built from: %v", err)
	}
	if opts.SigningKey == nil {
		opts.SigningKey = SigningKey(t)
	}
	if opts.DeviceCodeInterval == 0 {
		opts.DeviceCodeInterval = time.Second
	}
	entra := fakeentra.NewTest(t, opts)
	root := t.TempDir()
	w := &World{
		t: t, Entra: entra, Bin: bin, root: root,
		Home:   filepath.Join(root, "home"),
		Config: filepath.Join(root, "config.yaml"),
		Cache:  filepath.Join(root, "cache"),
	}
	if err := os.MkdirAll(w.Home, 0o700); err != nil {
		t.Fatal(err)
	}
	w.env = map[string]string{
		"PATH":                  bin + string(os.PathListSeparator) + os.Getenv("PATH"),
		"HOME":                  w.Home,
		"XDG_CONFIG_HOME":       filepath.Join(w.Home, ".config"),
		"XDG_CACHE_HOME":        filepath.Join(w.Home, ".cache"),
		"LANG":                  "C.UTF-8",
		"TMPDIR":                os.TempDir(),
		"SSL_CERT_FILE":         entra.CAFile(),
		"AZURE_AUTHORITY_HOST":  entra.URL() + "/",
		"AADCRED_CONFIG":        w.Config,
		"AADCRED_CACHE_DIR":     w.Cache,
		"AADCRED_IMDS_ENDPOINT": entra.IMDSEndpoint(),
		// Tests stand in for the person at the terminal; prompts go to a pipe they read.
		"AADCRED_PROMPT": "always",
	}
	w.WatchSecrets(entra.IssuedSecrets)
	// Registered after the temporary directory, so it runs before that is removed.
	t.Cleanup(w.finish)
	return w
}

// Set sets an environment variable for the binaries this world runs; an empty value unsets it.
func (w *World) Set(name, value string) {
	if value == "" {
		delete(w.env, name)
		return
	}
	w.env[name] = value
}

// Get returns an environment variable of this world.
func (w *World) Get(name string) string { return w.env[name] }

// Environ is the environment the binaries run with: only what the world sets, so that nothing of
// the developer's or the CI machine's own Azure settings leaks in.
func (w *World) Environ() []string {
	out := make([]string, 0, len(w.env))
	for k, v := range w.env {
		out = append(out, k+"="+v)
	}
	sort.Strings(out)
	return out
}

// WriteConfig writes the shared configuration file.
func (w *World) WriteConfig(yaml string) {
	w.t.Helper()
	if err := os.WriteFile(w.Config, []byte(yaml), 0o600); err != nil {
		w.t.Fatal(err)
	}
}

// Command prepares name (a binary of the world, or any program on PATH) with the world's
// environment.
func (w *World) Command(ctx context.Context, name string, args ...string) *exec.Cmd {
	path := name
	if !strings.ContainsRune(name, filepath.Separator) {
		if p := filepath.Join(w.Bin, name); fileExists(p) {
			path = p
		} else if p, err := exec.LookPath(name); err == nil {
			path = p
		}
	}
	cmd := exec.CommandContext(ctx, path, args...)
	cmd.Env = w.Environ()
	cmd.Dir = w.Home
	cmd.WaitDelay = 5 * time.Second
	w.record(recordedCmd{cmd: cmd, command: append([]string{name}, args...)})
	return cmd
}

// Result is what a finished command left behind.
type Result struct {
	Stdout, Stderr string
	Code           int
}

// Run runs name with stdin and returns its output and exit status; it fails the test only if the
// command could not be run at all, or took longer than a minute.
func (w *World) Run(stdin string, name string, args ...string) Result {
	w.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := w.Command(ctx, name, args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdin = strings.NewReader(stdin)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	var exit *exec.ExitError
	switch {
	case errors.As(err, &exit):
	case err != nil:
		w.t.Fatalf("running %s %s: %v\nstderr: %s", name, strings.Join(args, " "), err, stderr.String())
	}
	if ctx.Err() != nil {
		w.t.Fatalf("%s %s did not finish within a minute\nstderr: %s", name, strings.Join(args, " "), stderr.String())
	}
	return Result{Stdout: stdout.String(), Stderr: stderr.String(), Code: cmd.ProcessState.ExitCode()}
}

// Start starts name in the background with its stderr readable as it is written, for flows
// that need the test to act while the command waits (a device code to approve).
func (w *World) Start(ctx context.Context, stdin string, name string, args ...string) (*exec.Cmd, *bytes.Buffer, io.Reader) {
	w.t.Helper()
	cmd := w.Command(ctx, name, args...)
	var stdout bytes.Buffer
	cmd.Stdin = strings.NewReader(stdin)
	cmd.Stdout = &stdout
	stderr, err := cmd.StderrPipe()
	if err != nil {
		w.t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		w.t.Fatalf("starting %s: %v", name, err)
	}
	// What the test reads of stderr is kept for the leak scan.
	var seen bytes.Buffer
	w.recordPipedStderr(cmd, &seen)
	return cmd, &stdout, io.TeeReader(stderr, &seen)
}

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}
