package harness

import (
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// ReadOnly makes dir read-only until the test ends. As root (CI) it is a read-only bind mount, so
// that writes fail with EROFS as on a read-only file system; otherwise the directories under dir
// lose their write permission (which root would ignore), so that writes fail with EACCES.
func ReadOnly(t testing.TB, dir string) {
	t.Helper()
	if os.Geteuid() == 0 {
		if err := syscall.Mount(dir, dir, "", syscall.MS_BIND|syscall.MS_REC, ""); err != nil {
			t.Fatalf("bind-mounting %s: %v", dir, err)
		}
		t.Cleanup(func() { unmount(t, dir) })
		if err := syscall.Mount("", dir, "", syscall.MS_REMOUNT|syscall.MS_BIND|syscall.MS_RDONLY, ""); err != nil {
			t.Fatalf("making %s read-only: %v", dir, err)
		}
		return
	}
	var dirs []string
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err == nil && d.IsDir() {
			dirs = append(dirs, path)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		for _, d := range dirs {
			os.Chmod(d, 0o700)
		}
	})
	for _, d := range dirs {
		if err := os.Chmod(d, 0o500); err != nil {
			t.Fatal(err)
		}
	}
}

// FullDisk mounts a small file system over dir, with dir's files copied into it and the rest
// filled, so that writing to dir fails with ENOSPC until the test ends. It needs root (a tmpfs
// mount). Without root the test is skipped, and keystore's tests that inject the same failure
// through its temporary-file seam stand in for it: in CI (CI=true) they are run here, so that the
// skip is allowed only when they ran, and passed, in this run.
func FullDisk(t testing.TB, dir string) {
	t.Helper()
	if os.Geteuid() != 0 {
		const why = "a full disk is a tmpfs mount, which needs root"
		if os.Getenv("CI") == "" {
			t.Skipf("%s; keystore's %s cover it without", why, strings.Join(fullDiskSeamTests, ", "))
		}
		runFullDiskSeamTests(t)
		t.Skipf("%s; keystore's %s passed in its place", why, strings.Join(fullDiskSeamTests, ", "))
	}
	saved := t.TempDir()
	if err := copyPreservingModes(dir, saved); err != nil {
		t.Fatalf("saving %s: %v", dir, err)
	}
	if err := syscall.Mount("tmpfs", dir, "tmpfs", 0, "size=1m,mode=0700"); err != nil {
		t.Fatalf("mounting a tmpfs on %s: %v", dir, err)
	}
	t.Cleanup(func() { unmount(t, dir) })
	if err := copyPreservingModes(saved, dir); err != nil {
		t.Fatalf("copying %s into the tmpfs: %v", dir, err)
	}
	fill, err := os.Create(filepath.Join(dir, fillerName))
	if err != nil {
		t.Fatal(err)
	}
	defer fill.Close()
	chunk := make([]byte, 64<<10)
	for {
		if _, err := fill.Write(chunk); err != nil {
			if !errors.Is(err, syscall.ENOSPC) {
				t.Fatalf("filling the tmpfs: %v", err)
			}
			break
		}
	}
	// Small writes can still land in the last partial page; take that too.
	for {
		if _, err := fill.Write(chunk[:1]); err != nil {
			break
		}
	}
}

// fullDiskSeamTests are keystore's tests that fail its writes the way a full disk does.
var fullDiskSeamTests = []string{"TestFullDiskIsUnwritable", "TestFailedWriteKeepsTheOldEntry", "TestFailedKeyCreationIsReported"}

// runFullDiskSeamTests runs fullDiskSeamTests, and fails t unless each of them ran and passed.
func runFullDiskSeamTests(t testing.TB) {
	t.Helper()
	root, err := ModuleRoot()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("go", "test", "-v", "-run", "^("+strings.Join(fullDiskSeamTests, "|")+")$", "./keystore")
	cmd.Dir = root
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("keystore's full-disk tests, which stand in for this one without root, failed: %v\n%s", err, out)
	}
	for _, name := range fullDiskSeamTests {
		if !strings.Contains(string(out), "--- PASS: "+name+" ") {
			t.Fatalf("keystore's %s, which stands in for this test without root, did not run:\n%s", name, out)
		}
	}
}

// copyPreservingModes copies the tree at src into dst, keeping each file's and directory's mode
// (os.CopyFS would make them 0644 and 0777 less the umask, which the store refuses).
func copyPreservingModes(src, dst string) error {
	return filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, path)
		target := filepath.Join(dst, rel)
		info, err := d.Info()
		if err != nil {
			return err
		}
		if d.IsDir() {
			if err := os.MkdirAll(target, 0o700); err != nil {
				return err
			}
			return os.Chmod(target, info.Mode().Perm())
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		return os.WriteFile(target, data, info.Mode().Perm())
	})
}

func unmount(t testing.TB, dir string) {
	if err := syscall.Unmount(dir, syscall.MNT_DETACH); err != nil {
		t.Errorf("unmounting %s: %v", dir, err)
	}
}
