//go:build !linux

package harness

import (
	"os"
	"testing"
)

// Terminal opens a pseudo-terminal for a command's stdin; it is implemented on Linux only, and
// elsewhere the test is skipped.
func Terminal(t testing.TB) *os.File {
	t.Helper()
	t.Skip("pseudo-terminals are opened on Linux only")
	return nil
}
