package keystore

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os/exec"
	"runtime"
	"strings"
)

// securityProgram is macOS's command-line interface to the Keychain.
const securityProgram = "/usr/bin/security"

// loginKeychain names the user's login keychain, which macOS unlocks at login.
const loginKeychain = "login.keychain"

// openKeychain opens the login Keychain through /usr/bin/security.
//
// A cgo-free build cannot call Security.framework directly, and going through
// the security program has a second merit: the item's access list trusts
// /usr/bin/security, which Apple signs and which stays the same across
// aadcred upgrades, so reading the data key never asks the user to allow a new
// aadcred binary. The cost, one short-lived process each time the data key is
// loaded, falls outside the hot path: a cached access token needs no key.
func openKeychain() (Keyring, error) {
	if runtime.GOOS != "darwin" {
		return nil, errors.New(backendNeeds("keychain"))
	}
	return &keychain{program: securityProgram, keychain: loginKeychain}, nil
}

// keychain keeps items as generic passwords (service "aadcred", account the
// item name) in one keychain, through the security program. A secret is never
// put in the program's arguments, which any process can read with ps: it goes
// on the standard input of `security -i`.
type keychain struct {
	program  string // /usr/bin/security; tests run a fake
	keychain string
}

// The exit status of security is the low byte of the Keychain's OSStatus;
// errSecItemNotFound (-25300) exits 44.
const securityItemNotFound = 44

func (k *keychain) Get(ctx context.Context, key string) ([]byte, error) {
	cmd := exec.CommandContext(ctx, k.program, "find-generic-password", "-s", serviceName, "-a", key, "-w", k.keychain)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	var exit *exec.ExitError
	switch {
	case err == nil:
		return bytes.TrimSuffix(stdout.Bytes(), []byte("\n")), nil
	case ctx.Err() != nil:
		return nil, fmt.Errorf("the Keychain did not answer: %w", ctx.Err())
	case errors.As(err, &exit) && exit.ExitCode() == securityItemNotFound && strings.Contains(stderr.String(), "could not be found"):
		return nil, ErrKeyringItemNotFound
	}
	// A locked keychain where no dialog can be shown (an SSH session) says
	// "User interaction is not allowed." (exit 36); the key is then there
	// but cannot be read now, which the caller must not take for missing.
	return nil, securityError("reading from", err, stderr.String())
}

func (k *keychain) Set(ctx context.Context, key, label string, data []byte) error {
	// -U replaces an existing item. Without -T, the item trusts only the
	// program that made it, /usr/bin/security, which is what reads it back.
	line, err := securityCommand("add-generic-password", "-U", "-s", serviceName, "-a", key, "-l", printable(label), "-w", string(data), k.keychain)
	if err != nil {
		return fmt.Errorf("saving in the Keychain: %w", err)
	}
	cmd := exec.CommandContext(ctx, k.program, "-i")
	var stderr bytes.Buffer
	// One line and the end of input: security -i exits with the status of
	// the last command it ran.
	cmd.Stdin = strings.NewReader(line + "\n")
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		if ctx.Err() != nil {
			return fmt.Errorf("the Keychain did not answer: %w", ctx.Err())
		}
		return securityError("saving in", err, stderr.String())
	}
	return nil
}

// securityError explains a failed run of the security program by its own
// message (which never holds the secret: it goes to stdin, and is never
// echoed).
func securityError(doing string, err error, stderr string) error {
	msg := strings.TrimSpace(stderr)
	if i := strings.LastIndexByte(msg, '\n'); i >= 0 {
		msg = strings.TrimSpace(msg[i+1:])
	}
	if msg == "" {
		return fmt.Errorf("%s the Keychain: %w", doing, err)
	}
	return fmt.Errorf("%s the Keychain: %s (%w)", doing, msg, err)
}

// printable replaces control characters, which a label shown to the user has
// no use for (and a line break could not be passed to security -i).
func printable(s string) string {
	return strings.Map(func(r rune) rune {
		if r < ' ' || r == 0x7f {
			return '?'
		}
		return r
	}, s)
}

// maxSecurityLine is the longest line security -i reads.
const maxSecurityLine = 4096

// securityCommand writes a command line that security -i splits back into
// args: each is double-quoted, with backslash before '"' and '\', the escapes
// its parser undoes. A line break cannot be quoted (the line would end there),
// and a line longer than security reads would be cut; both are refused.
func securityCommand(args ...string) (string, error) {
	var b strings.Builder
	for i, a := range args {
		if strings.ContainsAny(a, "\n\r\x00") {
			return "", errors.New("a value holds a line break")
		}
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteByte('"')
		for _, c := range []byte(a) {
			if c == '"' || c == '\\' {
				b.WriteByte('\\')
			}
			b.WriteByte(c)
		}
		b.WriteByte('"')
	}
	if b.Len() >= maxSecurityLine {
		return "", fmt.Errorf("the command is %d bytes, more than security reads in a line", b.Len())
	}
	return b.String(), nil
}
