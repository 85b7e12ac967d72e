package tests

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/aadcred/aadcred/tests/fakeentra"
	"github.com/aadcred/aadcred/tests/harness"
)

// recordedVersion is what the go command recorded in a binary about the checkout it was built
// from: the revision and whether the tree was modified. ok is false when it recorded none (the
// sources are not a git clone; go build records nothing for a git worktree either).
func recordedVersion(t *testing.T, binary string) (revision string, modified, ok bool) {
	t.Helper()
	out, err := exec.Command("go", "version", "-m", binary).Output()
	if err != nil {
		t.Fatalf("go version -m %s: %v", binary, err)
	}
	for _, line := range strings.Split(string(out), "\n") {
		fields := strings.Fields(line)
		if len(fields) != 2 || fields[0] != "build" {
			continue
		}
		switch key, value, _ := strings.Cut(fields[1], "="); key {
		case "vcs.revision":
			revision, ok = value[:min(12, len(value))], true
		case "vcs.modified":
			modified = value == "true"
		}
	}
	return revision, modified, ok
}

func TestEveryBinaryAnswersVersion(t *testing.T) {
	w := harness.NewWorld(t, bin, fakeentra.Options{})
	revision, modified, recorded := recordedVersion(t, filepath.Join(bin, "git-credential-aad"))
	if !recorded && os.Getenv("CI") != "" {
		// CI builds in a fresh clone, where a build from a checkout must say which one it is.
		t.Error("go build recorded no revision in the binaries of a CI run")
	}
	var versions []string
	for _, program := range append(harness.Binaries, harness.Converter) {
		r := w.Run("", program, "--version")
		m := regexp.MustCompile(`^` + program + ` version (\S.*)\n$`).FindStringSubmatch(r.Stdout)
		if r.Code != 0 || m == nil || r.Stderr != "" {
			t.Errorf("%s --version: exit %d\nstdout %q\nstderr %q", program, r.Code, r.Stdout, r.Stderr)
			continue
		}
		v := m[1]
		versions = append(versions, v)
		if v == "dev" {
			t.Errorf("%s --version says %q, which tells nothing", program, v)
		}
		if !recorded && v != "devel" {
			t.Errorf("%s --version = %q for a build without version information, want devel", program, v)
		}
		if recorded {
			want := "(revision " + revision + ")"
			if modified {
				want = "(revision " + revision + ", modified)"
			}
			if !strings.HasSuffix(v, want) {
				t.Errorf("%s --version = %q, want it to end with %q", program, v, want)
			}
		}
	}
	if len(versions) == 4 && (versions[0] != versions[1] || versions[0] != versions[2] || versions[0] != versions[3]) {
		t.Errorf("the binaries of one build disagree on their version: %q", versions)
	}

	r := w.Run("", "git-credential-aad", "status")
	if r.Code != 0 || !strings.Contains(r.Stdout, "Version:") || len(versions) == 0 || !strings.Contains(unwrapped(r.Stdout), "git-credential-aad "+versions[0]) {
		t.Errorf("status does not show the version: exit %d\n%s\n%s", r.Code, r.Stdout, r.Stderr)
	}
	r = w.Run("", "docker-credential-aad", "version")
	if r.Code != 0 || len(versions) == 0 || r.Stdout != "docker-credential-aad (github.com/aadcred/aadcred) "+versions[0]+"\n" {
		t.Errorf("docker-credential-aad version (docker's protocol): exit %d, %q", r.Code, r.Stdout)
	}
}
