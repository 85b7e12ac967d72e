package azurecli

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"time"
)

// ErrNotInstalled is wrapped by the error Token returns when there is no az to run.
var ErrNotInstalled = errors.New("the Azure CLI (az) was not found")

// ErrNotSignedIn is wrapped by the error Token returns when az has no usable sign-in.
var ErrNotSignedIn = errors.New("the Azure CLI is not signed in")

const (
	defaultTimeout = 30 * time.Second
	// waitDelay bounds how long a killed az may keep our pipes open: az is a shell script
	// around Python, and the Python process outlives the script's.
	waitDelay = time.Second
	// Output bounds: az's answer is a few KiB, its errors a few lines.
	maxStdout = 1 << 20
	maxStderr = 64 << 10
)

// Runner runs the Azure CLI. The zero value runs az from PATH in the current environment.
type Runner struct {
	// Path is the az executable. Empty means "az" (az.cmd on Windows) looked up in PATH.
	Path string
	// Getenv reads the environment: PATH, and AZURE_CONFIG_DIR and HOME when Env is nil. Nil
	// means os.Getenv.
	Getenv func(string) string
	// Env is the environment az runs in. Nil means the current one. When set, Account reads
	// AZURE_CONFIG_DIR and HOME from it, so that it describes the profile az will use.
	Env []string
	// Timeout bounds one run of az, within the caller's context. Zero means 30 s.
	Timeout time.Duration
}

// Token asks az for an access token for resource (a v1 resource URI) or for scopes (v2), in tenant
// when tenant is not empty. Exactly one of resource and scopes must be given.
func (r *Runner) Token(ctx context.Context, tenant, resource string, scopes []string) (*Token, error) {
	args, err := tokenArgs(tenant, resource, scopes)
	if err != nil {
		return nil, err
	}
	path, err := r.azPath()
	if err != nil {
		return nil, err
	}
	out, stderr, err := r.run(ctx, path, args)
	if err != nil {
		return nil, explainFailure(err, stderr, tenant)
	}
	tok, err := Parse(out, time.Local)
	if err != nil {
		return nil, fmt.Errorf("reading the Azure CLI's answer: %w", err)
	}
	return tok, nil
}

// run runs az with stdin closed, returning its stdout and stderr.
func (r *Runner) run(ctx context.Context, path string, args []string) (stdout, stderr []byte, err error) {
	timeout := r.Timeout
	if timeout <= 0 {
		timeout = defaultTimeout
	}
	runCtx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	outBuf := &cappedBuffer{max: maxStdout}
	errBuf := &cappedBuffer{max: maxStderr}
	cmd := exec.CommandContext(runCtx, path, args...)
	cmd.Env = r.Env
	cmd.Stdout, cmd.Stderr = outBuf, errBuf
	cmd.WaitDelay = waitDelay
	if err = cmd.Run(); err != nil {
		var exitErr *exec.ExitError
		switch {
		case ctx.Err() != nil:
			return nil, nil, fmt.Errorf("running the Azure CLI: %w", ctx.Err())
		case errors.Is(runCtx.Err(), context.DeadlineExceeded):
			return nil, nil, fmt.Errorf("the Azure CLI (az) did not answer within %s", timeout)
		case errors.As(err, &exitErr):
			return nil, errBuf.Bytes(), err
		case errors.Is(err, fs.ErrNotExist):
			return nil, nil, fmt.Errorf("%w at %s", ErrNotInstalled, path)
		}
		return nil, nil, fmt.Errorf("running the Azure CLI (%s): %w", path, err)
	}
	if outBuf.overflow {
		return nil, nil, fmt.Errorf("the Azure CLI's answer is larger than %d bytes", maxStdout)
	}
	return outBuf.Bytes(), nil, nil
}

// cappedBuffer keeps the first max bytes written to it and drops the rest, so that a runaway
// child cannot exhaust our memory; dropping rather than failing lets the child finish writing.
// The buffer is a field, not embedded: an embedded bytes.Buffer's ReadFrom would let io.Copy
// bypass Write and the cap.
type cappedBuffer struct {
	buf      bytes.Buffer
	max      int
	overflow bool
}

func (b *cappedBuffer) Write(p []byte) (int, error) {
	if room := b.max - b.buf.Len(); len(p) > room {
		b.overflow = true
		b.buf.Write(p[:max(room, 0)])
		return len(p), nil
	}
	return b.buf.Write(p)
}

func (b *cappedBuffer) Bytes() []byte { return b.buf.Bytes() }

func (r *Runner) getenv(name string) string {
	if r.Getenv != nil {
		return r.Getenv(name)
	}
	return os.Getenv(name)
}
