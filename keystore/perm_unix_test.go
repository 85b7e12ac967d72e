//go:build unix

package keystore

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// TestModesIgnoreUmask checks every directory and file the store makes is
// private even when the umask would let everyone in. It changes the process
// umask, so it must not run in parallel with other tests.
func TestModesIgnoreUmask(t *testing.T) {
	old := syscall.Umask(0)
	defer syscall.Umask(old)

	for _, opts := range []Options{{Backend: "file"}, {Backend: "passphrase", Passphrase: "pw"}} {
		root := filepath.Join(t.TempDir(), "parent", "store")
		opts.Dir = root
		s := openStore(t, opts)
		mustWrite(t, s, AccessTokens, "at", "x")
		mustWrite(t, s, Secrets, "rt", "x")
		unlock, err := s.Lock(context.Background(), "rt", nil)
		if err != nil {
			t.Fatal(err)
		}
		unlock()

		want := map[string]os.FileMode{
			filepath.Dir(root):                      0o700,
			root:                                    0o700,
			filepath.Join(root, "tokens"):           0o700,
			filepath.Join(root, "secrets"):          0o700,
			filepath.Join(root, "locks"):            0o700,
			filepath.Join(root, "tokens", "at"):     0o600,
			filepath.Join(root, "secrets", "rt"):    0o600,
			filepath.Join(root, "locks", "rt.lock"): 0o600,
			filepath.Join(root, recordFile):         0o600,
		}
		if opts.Backend == "file" {
			want[filepath.Join(root, "data.key")] = 0o600
		} else {
			want[filepath.Join(root, "passphrase.salt")] = 0o600
		}
		for path, mode := range want {
			fi, err := os.Stat(path)
			if err != nil {
				t.Errorf("%s: %v", path, err)
				continue
			}
			if got := fi.Mode().Perm(); got != mode {
				t.Errorf("%s has mode %04o, want %04o", path, got, mode)
			}
		}
	}
}

func TestOpenRefusesDirectoryOthersCanAccess(t *testing.T) {
	for _, sub := range []string{"", "tokens", "secrets", "locks"} {
		for _, mode := range []os.FileMode{0o755, 0o750, 0o701, 0o707} {
			s := openStore(t, Options{Backend: "file"})
			path := filepath.Join(s.Dir(), sub)
			if err := os.Chmod(path, mode); err != nil {
				t.Fatal(err)
			}
			_, err := Open(Options{Dir: s.Dir(), Backend: "file"})
			var insecure *InsecureError
			if !errors.As(err, &insecure) {
				t.Fatalf("Open with %s at mode %04o: got %v, want an InsecureError", path, mode, err)
			}
			if want := "chmod 700 " + filepath.Clean(path); !strings.Contains(err.Error(), want) {
				t.Errorf("error %q does not tell the fix %q", err, want)
			}
		}
	}
}

func TestReadRefusesFileOthersCanAccess(t *testing.T) {
	s := openStore(t, Options{Backend: "file"})
	for _, tier := range []Tier{AccessTokens, Secrets} {
		mustWrite(t, s, tier, "entry", "value")
		path := entryPath(s, tier, "entry")
		if err := os.Chmod(path, 0o644); err != nil {
			t.Fatal(err)
		}
		_, err := s.Read(context.Background(), tier, "entry")
		var insecure *InsecureError
		if !errors.As(err, &insecure) {
			t.Fatalf("Read of a 0644 %v entry: got %v, want an InsecureError", tier, err)
		}
		if want := "chmod 600 " + path; !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not tell the fix %q", err, want)
		}
		if errors.Is(err, ErrCorrupt) {
			t.Error("a file with loose permissions was reported as corrupt")
		}
		// It is refused, not destroyed: the user may fix the mode.
		if _, err := os.Stat(path); err != nil {
			t.Errorf("the refused entry was removed: %v", err)
		}
	}
}

func TestKeyFileOthersCanReadIsRefused(t *testing.T) {
	s := openStore(t, Options{Backend: "file"})
	mustWrite(t, s, Secrets, "rt", "x")
	keyPath := filepath.Join(s.Dir(), "data.key")
	if err := os.Chmod(keyPath, 0o644); err != nil {
		t.Fatal(err)
	}
	err := reopen(t, s, Options{Backend: "file"}).Write(context.Background(), Secrets, "rt", []byte("y"))
	var insecure *InsecureError
	if !errors.As(err, &insecure) || !strings.Contains(err.Error(), "chmod 600 "+keyPath) {
		t.Fatalf("Write with a world-readable key file: got %v, want an InsecureError naming the fix", err)
	}
	// Auto does not fall back around an insecure key file either.
	_, err = reopen(t, s, Options{}).Protection(context.Background())
	if !errors.As(err, &insecure) {
		t.Fatalf("auto Protection with a world-readable key file: got %v, want an InsecureError", err)
	}
}

func TestOpenRefusesDirectoryOfAnotherUser(t *testing.T) {
	if os.Getuid() != 0 {
		t.Skip("needs root to give a directory to another user")
	}
	s := openStore(t, Options{Backend: "file"})
	if err := os.Chown(s.Dir(), 4242, 4242); err != nil {
		t.Fatal(err)
	}
	_, err := Open(Options{Dir: s.Dir(), Backend: "file"})
	var insecure *InsecureError
	if !errors.As(err, &insecure) || insecure.Owner != 4242 || !strings.Contains(err.Error(), "belongs to uid 4242") {
		t.Fatalf("Open of a directory owned by uid 4242: got %v", err)
	}
}

func TestAccessSaysWhoCanOpenTheStore(t *testing.T) {
	s := openStore(t, Options{Backend: "file"})
	got, err := s.Access()
	want := fmt.Sprintf("directory mode 0700, files 0600, owner uid %d (you alone)", os.Getuid())
	if err != nil || got != want {
		t.Errorf("Access() = %q, %v; want %q", got, err, want)
	}
}
