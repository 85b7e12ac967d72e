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

// explainFailure turns az's failure into an error that says what to do. stderr is az's, which
// carries error text but never a token; stdout is never used here.
func explainFailure(err error, stderr []byte, tenant string) error {
	var exitErr *exec.ExitError
	if !errors.As(err, &exitErr) {
		return err
	}
	line := firstErrorLine(stderr)
	if bytes.Contains(bytes.ToLower(stderr), []byte("az login")) {
		login := "az login"
		if tenant != "" {
			login += " --tenant " + tenant
		}
		return fmt.Errorf("%w: run `%s`%s", ErrNotSignedIn, login, azSaid(line))
	}
	if line == "" {
		return fmt.Errorf("the Azure CLI (az account get-access-token) exited with status %d and no message", exitErr.ExitCode())
	}
	return fmt.Errorf("the Azure CLI (az account get-access-token) failed: %s", line)
}

func azSaid(line string) string {
	if line == "" {
		return ""
	}
	return " (az: " + line + ")"
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
