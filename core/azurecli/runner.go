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
	// A DeveloperRunner's is azd's.
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

// Token asks az (`az account get-access-token`) for the access token q describes.
func (r *Runner) Token(ctx context.Context, q Query) (*Token, error) {
	args, err := tokenArgs(q)
	if err != nil {
		return nil, err
	}
	out, err := r.run(ctx, azProgram(), args, q.Tenant)
	if err != nil {
		return nil, err
	}
	tok, err := Parse(out, time.Local)
	if err != nil {
		return nil, fmt.Errorf("reading the Azure CLI's answer: %w", err)
	}
	return tok, nil
}

// run runs p with args and stdin closed, and returns its stdout; a failure is explained with
// what p said on stderr.
func (r *Runner) run(ctx context.Context, p program, args []string, tenant string) ([]byte, error) {
	path, err := r.path(p)
	if err != nil {
		return nil, err
	}
	out, stderr, err := r.exec(ctx, p, path, args)
	if err != nil {
		return nil, explainFailure(p, err, stderr, tenant)
	}
	return out, nil
}

// exec runs the program at path with stdin closed, returning its stdout and stderr.
func (r *Runner) exec(ctx context.Context, p program, path string, args []string) (stdout, stderr []byte, err error) {
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
			return nil, nil, fmt.Errorf("running %s: %w", p.short(), ctx.Err())
		case errors.Is(runCtx.Err(), context.DeadlineExceeded):
			return nil, nil, fmt.Errorf("%s did not answer within %s", p.title, timeout)
		case errors.As(err, &exitErr):
			return nil, errBuf.Bytes(), err
		case errors.Is(err, fs.ErrNotExist):
			return nil, nil, fmt.Errorf("%w at %s", p.notInstalled, path)
		}
		return nil, nil, fmt.Errorf("running %s (%s): %w", p.short(), path, err)
	}
	if outBuf.overflow {
		return nil, nil, fmt.Errorf("%s's answer is larger than %d bytes", p.short(), maxStdout)
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
