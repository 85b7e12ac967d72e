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
	if os.Getenv("CI") != "" {
		t.Fatalf("%s is not installed, and CI must run the end-to-end tests with the real %s", name, name)
	}
	t.Skipf("%s is not installed; the end-to-end test with the real %s is skipped (it is required in CI)", name, name)
	return ""
}
