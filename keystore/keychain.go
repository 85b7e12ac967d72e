package keystore

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"time"
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

// The exit status of security is the low byte of the Keychain's OSStatus.
const (
	securityItemNotFound          = 44  // errSecItemNotFound, -25300
	securityInteractionNotAllowed = 36  // errSecInteractionNotAllowed, -25308
	securityAuthFailed            = 51  // errSecAuthFailed, -25293
	securityUserCanceled          = 128 // userCanceledErr, -128
)

func (k *keychain) Get(ctx context.Context, key string) ([]byte, error) {
	data, err := k.find(ctx, key)
	if exitCode(err) != securityItemNotFound {
		// A locked keychain where no dialog can be shown (an SSH session)
		// fails here with errSecInteractionNotAllowed: the key is there but
		// cannot be read now, which the caller must not take for missing.
		return data, err
	}
	// security reports every search that fails as errSecItemNotFound,
	// whatever the search's own error was (find_first_generic_password drops
	// it), so a keychain that cannot be searched now looks the same as one
	// without the item, and a missing key would discard the sealed entries.
	// Reading the keychain's settings needs it open and unlocked (and, at a
	// desktop, asks the user to unlock it); only then is a second miss true.
	if _, err := k.run(ctx, "", "show-keychain-info", k.keychain); err != nil {
		return nil, fmt.Errorf("reading from the Keychain: the item was not found, and the keychain cannot be checked now: %w", err)
	}
	data, err = k.find(ctx, key)
	if exitCode(err) == securityItemNotFound {
		return nil, ErrKeyringItemNotFound
	}
	return data, err
}

// find returns the password of the item whose account is key.
func (k *keychain) find(ctx context.Context, key string) ([]byte, error) {
	stdout, err := k.run(ctx, "", "find-generic-password", "-s", serviceName, "-a", key, "-w", k.keychain)
	if err != nil {
		return nil, fmt.Errorf("reading from the Keychain: %w", err)
	}
	return bytes.TrimSuffix(stdout, []byte("\n")), nil
}

func (k *keychain) Set(ctx context.Context, key, label string, data []byte) error {
	// -U replaces an existing item. Without -T, the item trusts only the
	// program that made it, /usr/bin/security, which is what reads it back.
	line, err := securityCommand("add-generic-password", "-U", "-s", serviceName, "-a", key, "-l", printable(label), "-w", string(data), k.keychain)
	if err != nil {
		return fmt.Errorf("saving in the Keychain: %w", err)
	}
	// One line and the end of input: security -i exits with the status of
	// the last command it ran.
	if _, err := k.run(ctx, line+"\n", "-i"); err != nil {
		var failed *securityError
		if errors.As(err, &failed) {
			failed.msg = redact(failed.msg, string(data))
		}
		return fmt.Errorf("saving in the Keychain: %w", err)
	}
	return nil
}

// securityWaitDelay bounds how long a run waits for the program's output
// after the program was stopped.
const securityWaitDelay = time.Second

// run runs the security program with args and stdin, within ctx, and returns
// what it printed on stdout. A failure the program reports is a
// *securityError.
func (k *keychain) run(ctx context.Context, stdin string, args ...string) ([]byte, error) {
	cmd := exec.CommandContext(ctx, k.program, args...)
	cmd.WaitDelay = securityWaitDelay
	var stdout, stderr bytes.Buffer
	cmd.Stdin = strings.NewReader(stdin)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	switch {
	case err == nil:
		return stdout.Bytes(), nil
	case ctx.Err() != nil:
		return nil, fmt.Errorf("the Keychain did not answer: %w", ctx.Err())
	}
	return nil, &securityError{err: err, msg: securityMessage(stderr.String())}
}

// securityError is a failed run of the security program, explained by its
// exit status where that is one a user can act on, else by its own last
// message (which never holds the secret: that goes to stdin, and is never
// echoed).
type securityError struct {
	err error  // from exec
	msg string // the program's last message on stderr
}

func (e *securityError) Error() string {
	msg := securityStatus(exitCode(e.err))
	if msg == "" {
		msg = e.msg
	}
	if msg == "" {
		return e.err.Error()
	}
	return fmt.Sprintf("%s (%v)", msg, e.err)
}

func (e *securityError) Unwrap() error { return e.err }

// securityStatus explains the exit statuses that mean the keychain cannot be
// used now, which security words differently from command to command (or not
// at all).
func securityStatus(code int) string {
	switch code {
	case securityInteractionNotAllowed:
		return "the keychain is locked and no dialog can be shown here (User interaction is not allowed)"
	case securityAuthFailed:
		return "the keychain refused the request (authorization failed)"
	case securityUserCanceled:
		return "the Keychain dialog was cancelled"
	}
	return ""
}

// exitCode returns the exit status in err, or -1.
func exitCode(err error) int {
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		return exit.ExitCode()
	}
	return -1
}

// securityMessage returns the last message security printed on stderr,
// passing over the "<command>: returned <status>" that -i adds after a failed
// command, which says less than the message before it.
func securityMessage(stderr string) string {
	lines := strings.Split(strings.TrimSpace(stderr), "\n")
	for i := len(lines) - 1; i >= 0; i-- {
		line := strings.TrimSpace(lines[i])
		if _, status, ok := strings.Cut(line, ": returned "); ok && isInteger(status) {
			continue
		}
		if line != "" {
			return line
		}
	}
	return ""
}

// isInteger reports whether s is a decimal integer, perhaps negative.
func isInteger(s string) bool {
	_, err := strconv.Atoi(s)
	return err == nil
}

// redact removes secret from msg: security never echoes what it reads on
// stdin, and this keeps it so whatever a future version prints.
func redact(msg, secret string) string {
	if secret == "" {
		return msg
	}
	return strings.ReplaceAll(msg, secret, "[redacted]")
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

// maxSecurityLine is the longest line security -i takes whole: it reads at
// most 4095 bytes into its 4096-byte buffer, and a line that fills them
// leaves its line break behind, which it then reads as an empty command whose
// status (0) would hide the status of the real one.
const maxSecurityLine = 4094

// securityCommand writes a command line that security -i splits back into
// args: each is double-quoted, with backslash before '"' and '\', the escapes
// its parser undoes. A line break or NUL cannot be quoted (the line, or the
// C string, would end there), and a line longer than security reads whole
// would be cut; all are refused.
func securityCommand(args ...string) (string, error) {
	var b strings.Builder
	for i, a := range args {
		if strings.ContainsAny(a, "\n\r\x00") {
			return "", errors.New("a value holds a line break or NUL")
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
	if b.Len() > maxSecurityLine {
		return "", fmt.Errorf("the command is %d bytes, more than security reads in a line", b.Len())
	}
	return b.String(), nil
}
