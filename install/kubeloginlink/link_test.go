package kubeloginlink

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// setup makes a directory with a kubectl-aad executable in it, and returns the Link for it with
// PATH listing dirs, "" standing for the kubectl-aad directory.
func setup(t *testing.T, dirs ...string) (Link, string) {
	t.Helper()
	bin := t.TempDir()
	target := filepath.Join(bin, "kubectl-aad")
	writeExecutable(t, target)
	var path []string
	for _, d := range dirs {
		if d == "" {
			d = bin
		}
		path = append(path, d)
	}
	return Link{Target: target, PATH: strings.Join(path, string(os.PathListSeparator))}, bin
}

func writeExecutable(t *testing.T, path string) {
	t.Helper()
	if err := os.WriteFile(path, []byte("#!/bin/sh\nexit 0\n"), 0o755); err != nil {
		t.Fatal(err)
	}
}

// otherKubelogin puts a kubelogin that is not ours in a fresh directory and returns the directory.
func otherKubelogin(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	writeExecutable(t, filepath.Join(dir, Name))
	return dir
}

func TestInstallMakesARelativeLinkOnce(t *testing.T) {
	l, bin := setup(t, "/usr/bin", "")
	r, err := l.Install(false)
	if err != nil || !r.Changed || r.Path != filepath.Join(bin, Name) || len(r.Notes) != 0 {
		t.Fatalf("Install = %+v, %v", r, err)
	}
	if dest, err := os.Readlink(r.Path); err != nil || dest != "kubectl-aad" {
		t.Errorf("the link leads to %q (%v), want kubectl-aad beside it", dest, err)
	}
	again, err := l.Install(false)
	if err != nil || again.Changed {
		t.Errorf("a second Install: %+v, %v; want nothing changed", again, err)
	}
}

// TestInstallGoesBesideTheNameOnPath: a package manager's bin directory holds a link to
// kubectl-aad in its own versioned tree, and the running program sees the resolved file. The
// kubelogin link goes into the directory on PATH, leading to the name there, not into the tree
// that the next upgrade replaces.
func TestInstallGoesBesideTheNameOnPath(t *testing.T) {
	cellar := t.TempDir()
	target := filepath.Join(cellar, "kubectl-aad")
	writeExecutable(t, target)
	bin := t.TempDir()
	if err := os.Symlink(target, filepath.Join(bin, "kubectl-aad")); err != nil {
		t.Fatal(err)
	}
	r, err := Link{Target: target, PATH: bin}.Install(false)
	if err != nil || r.Path != filepath.Join(bin, Name) || len(r.Notes) != 0 {
		t.Fatalf("Install = %+v, %v; want the link in %s with nothing to note", r, err, bin)
	}
	if dest, err := os.Readlink(r.Path); err != nil || dest != "kubectl-aad" {
		t.Errorf("the link leads to %q (%v), want the kubectl-aad beside it", dest, err)
	}
	if r, err := (Link{Target: target, PATH: bin}).Remove(); err != nil || !r.Changed {
		t.Errorf("Remove = %+v, %v", r, err)
	}
}

func TestInstallStopsForAnEarlierKubelogin(t *testing.T) {
	other := otherKubelogin(t)
	l, bin := setup(t, other, "")
	_, err := l.Install(false)
	if !errors.Is(err, ErrOtherKubelogin) || !strings.Contains(err.Error(), filepath.Join(other, Name)) || !strings.Contains(err.Error(), "--force") {
		t.Fatalf("Install with an earlier kubelogin: %v", err)
	}
	if _, err := os.Lstat(filepath.Join(bin, Name)); !errors.Is(err, os.ErrNotExist) {
		t.Error("the link was made although another kubelogin comes first")
	}
	r, err := l.Install(true)
	if err != nil || !r.Changed || len(r.Notes) != 1 || !strings.Contains(r.Notes[0], "comes first on PATH") {
		t.Errorf("Install --force: %+v, %v", r, err)
	}
	if data, _ := os.ReadFile(filepath.Join(other, Name)); string(data) != "#!/bin/sh\nexit 0\n" {
		t.Error("the other kubelogin was changed")
	}
}

func TestInstallNotes(t *testing.T) {
	other := otherKubelogin(t)
	l, _ := setup(t, "", other)
	if r, err := l.Install(false); err != nil || len(r.Notes) != 1 || !strings.Contains(r.Notes[0], "instead of "+filepath.Join(other, Name)) {
		t.Errorf("with a later kubelogin: %+v, %v", r, err)
	}
	offPath, _ := setup(t, "/usr/bin")
	if r, err := offPath.Install(false); err != nil || len(r.Notes) != 1 || !strings.Contains(r.Notes[0], "not on PATH") {
		t.Errorf("outside PATH: %+v, %v", r, err)
	}
}

func TestNeverReplacesOrRemovesAFileItDidNotMake(t *testing.T) {
	l, bin := setup(t, "")
	theirs := filepath.Join(bin, Name)
	writeExecutable(t, theirs)
	for _, force := range []bool{false, true} {
		if _, err := l.Install(force); !errors.Is(err, ErrOtherKubelogin) || !strings.Contains(err.Error(), "left alone") {
			t.Errorf("Install(force=%v) over another kubelogin: %v", force, err)
		}
	}
	if _, err := l.Remove(); !errors.Is(err, ErrOtherKubelogin) {
		t.Errorf("Remove of another kubelogin: %v", err)
	}
	if info, err := os.Lstat(theirs); err != nil || info.Mode()&os.ModeSymlink != 0 {
		t.Error("the other kubelogin was replaced or removed")
	}
	// A symbolic link to something else is not ours either.
	os.Remove(theirs)
	if err := os.Symlink(filepath.Join(otherKubelogin(t), Name), theirs); err != nil {
		t.Fatal(err)
	}
	if _, err := l.Remove(); !errors.Is(err, ErrOtherKubelogin) {
		t.Errorf("Remove of a link to another kubelogin: %v", err)
	}
}

func TestRemove(t *testing.T) {
	l, bin := setup(t, "")
	if r, err := l.Remove(); err != nil || r.Changed || len(r.Notes) != 1 {
		t.Errorf("Remove without a link: %+v, %v", r, err)
	}
	if _, err := l.Install(false); err != nil {
		t.Fatal(err)
	}
	if r, err := l.Remove(); err != nil || !r.Changed {
		t.Errorf("Remove: %+v, %v", r, err)
	}
	if _, err := os.Lstat(filepath.Join(bin, Name)); !errors.Is(err, os.ErrNotExist) {
		t.Error("the link is still there")
	}
	if _, err := os.Stat(l.Target); err != nil {
		t.Errorf("kubectl-aad itself went: %v", err)
	}
}

// TestWindowsFallsBackToAHardLink drives the Windows logic: kubelogin.exe, and a hard link
// where a symbolic link needs a privilege the user lacks.
func TestWindowsFallsBackToAHardLink(t *testing.T) {
	l, bin := setup(t, "")
	l.GOOS = "windows"
	l.symlink = func(string, string) error { return errors.New("A required privilege is not held by the client.") }
	r, err := l.Install(false)
	if err != nil || r.Path != filepath.Join(bin, "kubelogin.exe") {
		t.Fatalf("Install = %+v, %v", r, err)
	}
	if info, err := os.Lstat(r.Path); err != nil || info.Mode()&os.ModeSymlink != 0 {
		t.Fatalf("want a hard link: %v", err)
	}
	if again, err := l.Install(false); err != nil || again.Changed {
		t.Errorf("the hard link is not recognised as ours: %+v, %v", again, err)
	}
	if r, err := l.Remove(); err != nil || !r.Changed {
		t.Errorf("Remove of the hard link: %+v, %v", r, err)
	}
}
