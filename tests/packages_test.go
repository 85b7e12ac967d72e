package tests

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aadcred/aadcred/tests/harness"
)

// debianRoot is a Debian system in a directory, which dpkg installs the snapshot's packages
// into with --root. The maintainer scripts run without chroot, with DPKG_ROOT naming the
// directory, as dpkg runs them for a system being built; as root, or else under fakeroot.
type debianRoot struct {
	t       *testing.T
	dir     string
	dpkg    []string
	debs    map[string]string // package name → the snapshot's .deb
	version string            // the snapshot's, as --version prints it without the v
}

func newDebianRoot(t *testing.T) *debianRoot {
	t.Helper()
	snap := harness.RequireSnapshot(t)
	r := &debianRoot{t: t, dir: t.TempDir(), dpkg: []string{harness.RequireTool(t, "dpkg")}, debs: map[string]string{}, version: snap.Version}
	if os.Geteuid() != 0 {
		r.dpkg = append([]string{harness.RequireTool(t, "fakeroot")}, r.dpkg...)
	}
	for _, pkg := range []string{"aadcred", "aadcred-kubelogin"} {
		matches, _ := filepath.Glob(filepath.Join(snap.Dir, pkg+"_*.deb"))
		if len(matches) != 1 {
			t.Fatalf("the snapshot has %d packages %s_*.deb, want 1: %q", len(matches), pkg, matches)
		}
		r.debs[pkg] = matches[0]
	}
	for _, d := range []string{"var/lib/dpkg/info", "var/lib/dpkg/updates", "var/lib/dpkg/triggers", "usr/local/bin"} {
		if err := os.MkdirAll(r.path(d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(r.path("var/lib/dpkg/status"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	return r
}

// path is name (a path on the installed system, without the leading slash) in the directory.
func (r *debianRoot) path(name string) string { return filepath.Join(r.dir, name) }

// run runs dpkg on the system with args, and fails the test when dpkg fails.
func (r *debianRoot) run(args ...string) harness.Result {
	r.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	args = append(append(r.dpkg[1:], "--root="+r.dir, "--force-script-chrootless", "--log=/dev/null"), args...)
	cmd := exec.CommandContext(ctx, r.dpkg[0], args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		r.t.Fatalf("dpkg %s: %v\nstdout %s\nstderr %s", strings.Join(args, " "), err, stdout.String(), stderr.String())
	}
	return harness.Result{Stdout: stdout.String(), Stderr: stderr.String()}
}

func (r *debianRoot) install(pkgs ...string) harness.Result {
	r.t.Helper()
	args := []string{"--install"}
	for _, p := range pkgs {
		args = append(args, r.debs[p])
	}
	return r.run(args...)
}

// link is where kubelogin's link goes on the system; target is what it leads to, "" when it
// is not a link or not there.
func (r *debianRoot) link() (path, target string) {
	path = r.path("usr/bin/kubelogin")
	target, _ = os.Readlink(path)
	return path, target
}

// TestPackageInstallsProgramsPagesAndCompletions installs the deb: the four programs and
// kubectl's completion shim in /usr/bin, the manual pages, and each shell's completions where
// Debian's shells look for them.
func TestPackageInstallsProgramsPagesAndCompletions(t *testing.T) {
	r := newDebianRoot(t)
	r.install("aadcred")
	for _, program := range append(harness.Binaries, harness.Converter) {
		out, err := exec.Command(r.path("usr/bin/"+program), "--version").Output()
		if want := program + " version v" + r.version + "\n"; err != nil || string(out) != want {
			t.Errorf("%s --version: %q (%v), want %q", program, out, err, want)
		}
		if _, err := os.Stat(r.path("usr/share/man/man1/" + program + ".1.gz")); err != nil {
			t.Errorf("no manual page: %v", err)
		}
	}
	for _, file := range []string{
		"usr/bin/kubectl_complete-aad",
		"usr/share/bash-completion/completions/kubectl-aad",
		"usr/share/zsh/vendor-completions/_git-credential-aad",
		"usr/share/fish/vendor_completions.d/docker-credential-aad.fish",
		"usr/share/doc/aadcred/copyright",
	} {
		if _, err := os.Stat(r.path(file)); err != nil {
			t.Errorf("not installed: %v", err)
		}
	}
	if info, err := os.Stat(r.path("usr/bin/kubectl_complete-aad")); err == nil && info.Mode().Perm() != 0o755 {
		t.Errorf("kubectl_complete-aad has mode %v, want 0755", info.Mode().Perm())
	}
}

func TestKubeloginPackageMakesAndRemovesTheLink(t *testing.T) {
	r := newDebianRoot(t)
	res := r.install("aadcred", "aadcred-kubelogin")
	link, target := r.link()
	if target != "kubectl-aad" || !strings.Contains(unwrapped(res.Stderr), "Linked "+link+" to ") {
		t.Fatalf("after installing aadcred-kubelogin, %s leads to %q, want kubectl-aad\nstderr %s", link, target, res.Stderr)
	}
	out, err := exec.Command(link, "--version").Output()
	if err != nil || !strings.HasPrefix(string(out), "kubelogin version \ngit hash: aadcred-") {
		t.Errorf("kubelogin --version through the link (%v):\n%s", err, out)
	}

	// An upgrade (here, the same version again: dpkg runs prerm upgrade, then postinst) keeps
	// the link.
	res = r.install("aadcred-kubelogin")
	if _, target := r.link(); target != "kubectl-aad" || !strings.Contains(unwrapped(res.Stderr), "already runs kubectl-aad") {
		t.Errorf("after an upgrade the link leads to %q\nstderr %s", target, res.Stderr)
	}
	// rpm's %preun says 1 when an upgrade removes the old package: the link stays.
	prerm := r.path("var/lib/dpkg/info/aadcred-kubelogin.prerm")
	cmd := exec.Command("sh", prerm, "1")
	cmd.Env = append(os.Environ(), "DPKG_ROOT="+r.dir)
	if out, err := cmd.CombinedOutput(); err != nil || len(out) != 0 {
		t.Errorf("prerm 1 (an rpm upgrade): %v\n%s", err, out)
	}
	if _, target := r.link(); target != "kubectl-aad" {
		t.Errorf("an rpm upgrade removed the link: it leads to %q", target)
	}

	res = r.run("--remove", "aadcred-kubelogin")
	if _, err := os.Lstat(link); !os.IsNotExist(err) || !strings.Contains(unwrapped(res.Stderr), "Removed "+link) {
		t.Errorf("removing aadcred-kubelogin left %s (%v)\nstderr %s", link, err, res.Stderr)
	}
	if _, err := os.Stat(r.path("usr/bin/kubectl-aad")); err != nil {
		t.Errorf("kubectl-aad went with the link: %v", err)
	}

	// aadcred removed first, by force: the link leads nowhere, and goes with aadcred-kubelogin.
	r.install("aadcred-kubelogin")
	r.run("--remove", "--force-depends", "aadcred")
	r.run("--remove", "aadcred-kubelogin")
	if _, err := os.Lstat(link); !os.IsNotExist(err) {
		t.Errorf("the link to the removed kubectl-aad is still there (%v)", err)
	}
}

// TestKubeloginPackageLeavesOtherKubeloginsAlone: a kubelogin installed by hand in /usr/bin is
// never replaced nor removed, and one in /usr/local/bin (where `az aks install-cli` puts it),
// which kubectl would find first, means no link; the package installs and says why.
func TestKubeloginPackageLeavesOtherKubeloginsAlone(t *testing.T) {
	const theirs = "#!/bin/sh\necho the other kubelogin\n"
	for _, tc := range []struct {
		name, dir, says string
	}{
		{"in /usr/bin", "usr/bin", "it is not kubectl-aad's link: it is left alone"},
		{"earlier on PATH", "usr/local/bin", "comes first on PATH"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := newDebianRoot(t)
			other := r.path(filepath.Join(tc.dir, "kubelogin"))
			if err := os.MkdirAll(filepath.Dir(other), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(other, []byte(theirs), 0o755); err != nil {
				t.Fatal(err)
			}
			res := r.install("aadcred", "aadcred-kubelogin")
			for _, want := range []string{other, tc.says, "aadcred-kubelogin: no kubelogin link was made (see above)"} {
				if !strings.Contains(unwrapped(res.Stderr), want) {
					t.Errorf("installing aadcred-kubelogin does not say %q:\n%s", want, res.Stderr)
				}
			}
			if link, target := r.link(); target != "" {
				t.Errorf("%s leads to %q", link, target)
			}
			r.run("--remove", "aadcred-kubelogin")
			if data, err := os.ReadFile(other); err != nil || string(data) != theirs {
				t.Errorf("the other kubelogin was changed (%v): %q", err, data)
			}
		})
	}
}
