package azurecli

import (
	"bytes"
	"errors"
	"fmt"
	"os/exec"
	"strings"
	"unicode"
)

// maxMessage bounds how much of az's own error we repeat.
const maxMessage = 300

// explainFailure turns the program's failure into an error that says what to do. stderr is the
// program's, which carries error text but never a token; stdout is never used here.
func explainFailure(p program, err error, stderr []byte, tenant string) error {
	var exitErr *exec.ExitError
	if !errors.As(err, &exitErr) {
		return err
	}
	line := firstErrorLine(stderr)
	if bytes.Contains(bytes.ToLower(stderr), []byte(p.login)) {
		login := p.login
		if tenant != "" {
			login += " " + p.tenantFlag + " " + tenant
		}
		return fmt.Errorf("%w: run `%s`%s", p.notSignedIn, login, p.said(line))
	}
	if line == "" {
		return fmt.Errorf("%s (%s) exited with status %d and no message", p.short(), p.command, exitErr.ExitCode())
	}
	return fmt.Errorf("%s (%s) failed: %s", p.short(), p.command, line)
}

// said quotes the program's own message.
func (p program) said(line string) string {
	if line == "" {
		return ""
	}
	return " (" + p.exe + ": " + line + ")"
}

// short is the program's title without its executable's name: "the Azure CLI".
func (p program) short() string {
	return strings.TrimSpace(strings.TrimSuffix(p.title, "("+p.exe+")"))
}

// firstErrorLine picks az's first "ERROR:" line, else its first non-empty line (az prints
// warnings before errors), cleaned of control characters and cut to a readable length.
func firstErrorLine(stderr []byte) string {
	var first string
	for line := range strings.Lines(string(stderr)) {
		line = strings.TrimSpace(line)
		if rest, ok := strings.CutPrefix(line, "ERROR:"); ok {
			first = rest
			break
		}
		if first == "" {
			first = line
		}
	}
	first = strings.TrimSpace(strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return -1
		}
		return r
	}, first))
	if r := []rune(first); len(r) > maxMessage {
		first = string(r[:maxMessage]) + "…"
	}
	return first
}
