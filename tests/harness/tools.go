package harness

import (
	"os"
	"os/exec"
	"testing"
)

// RequireTool finds a real client program (git, docker, kubectl, chromium) on PATH. When it is
// missing the test is skipped on a developer's machine, but in CI (CI=true) it fails: CI installs
// every client, so a missing one means the run proves less than it claims.
func RequireTool(t testing.TB, name string) string {
	t.Helper()
	path, err := exec.LookPath(name)
	if err == nil {
		return path
	}
	missing(t, name+" is not installed", "CI must run the end-to-end tests with the real "+name)
	return ""
}

// missing ends a test whose real client is absent: a failure in CI (CI=true), where the test
// must prove what it claims, a skip on a developer's machine.
func missing(t testing.TB, what, inCI string) {
	t.Helper()
	if os.Getenv("CI") != "" {
		t.Fatalf("%s, and %s", what, inCI)
	}
	t.Skipf("%s; the test is skipped here (it is required in CI)", what)
}
