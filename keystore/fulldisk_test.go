package keystore

import (
	"context"
	"errors"
	"os"
	"strings"
	"syscall"
	"testing"
)

// failingFile is a real temporary file whose Write or Sync fails the way
// they do on a full disk.
type failingFile struct {
	*os.File
	failWrite, failSync bool
}

func (f *failingFile) Write(p []byte) (int, error) {
	if f.failWrite {
		// Part of the data made it before the disk filled up.
		n, _ := f.File.Write(p[:len(p)/2])
		return n, &os.PathError{Op: "write", Path: f.Name(), Err: syscall.ENOSPC}
	}
	return f.File.Write(p)
}

func (f *failingFile) Sync() error {
	if f.failSync {
		return &os.PathError{Op: "sync", Path: f.Name(), Err: syscall.EIO}
	}
	return f.File.Sync()
}

func TestFailedWriteKeepsTheOldEntry(t *testing.T) {
	for _, tc := range []struct {
		name string
		fail func(dir, pattern string) (tempFile, error)
		want string
	}{
		{"disk full on write", func(dir, pattern string) (tempFile, error) {
			f, err := os.CreateTemp(dir, pattern)
			return &failingFile{File: f, failWrite: true}, err
		}, "no space left on device"},
		{"I/O error on sync", func(dir, pattern string) (tempFile, error) {
			f, err := os.CreateTemp(dir, pattern)
			return &failingFile{File: f, failSync: true}, err
		}, "input/output error"},
		{"cannot create", func(dir, pattern string) (tempFile, error) {
			return nil, &os.PathError{Op: "open", Path: dir, Err: syscall.EROFS}
		}, "read-only file system"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := openStore(t, Options{Backend: "file"})
			for _, tier := range []Tier{AccessTokens, Secrets} {
				mustWrite(t, s, tier, "entry", "old value")
			}
			s.createTemp = tc.fail
			for _, tier := range []Tier{AccessTokens, Secrets} {
				err := s.Write(context.Background(), tier, "entry", []byte("new value"))
				if err == nil || !strings.Contains(err.Error(), tc.want) {
					t.Fatalf("Write(%v) = %v, want an error mentioning %q", tier, err, tc.want)
				}
				if strings.Contains(err.Error(), "new value") {
					t.Errorf("the error shows the data: %v", err)
				}
				mustRead(t, s, tier, "entry", "old value")
				left, err := os.ReadDir(s.tierDir(tier))
				if err != nil {
					t.Fatal(err)
				}
				if len(left) != 1 {
					var names []string
					for _, e := range left {
						names = append(names, e.Name())
					}
					t.Errorf("%v holds %q after a failed write, want only the entry", tier, names)
				}
			}
		})
	}
}

func TestFailedKeyCreationIsReported(t *testing.T) {
	s := openStore(t, Options{Backend: "file"})
	s.createTemp = func(dir, pattern string) (tempFile, error) {
		return nil, &os.PathError{Op: "open", Path: dir, Err: syscall.ENOSPC}
	}
	err := s.Write(context.Background(), Secrets, "rt", []byte("x"))
	if !errors.Is(err, syscall.ENOSPC) || !errors.Is(err, ErrUnwritable) {
		t.Fatalf("Write with no room for the key file: %v", err)
	}
	// Nothing half-made is cached: once there is room, it works.
	s.createTemp = createTempFile
	mustWrite(t, s, Secrets, "rt", "x")
	mustRead(t, reopen(t, s, Options{Backend: "file"}), Secrets, "rt", "x")
}
