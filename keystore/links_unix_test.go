//go:build unix

package keystore

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestLinksAreNeverFollowed puts a symbolic link where an entry belongs: the store reads neither
// it nor its target (a named pipe here, whose opening would wait for a writer forever), reports
// it once, and leaves the target alone.
func TestLinksAreNeverFollowed(t *testing.T) {
	for _, tier := range []Tier{AccessTokens, Secrets} {
		t.Run(tier.String(), func(t *testing.T) {
			s := openStore(t, Options{Backend: "file"})
			mustWrite(t, s, tier, "entry", "value")
			target := filepath.Join(t.TempDir(), "pipe")
			if err := syscall.Mkfifo(target, 0o600); err != nil {
				t.Fatal(err)
			}
			path := entryPath(s, tier, "entry")
			os.Remove(path)
			if err := os.Symlink(target, path); err != nil {
				t.Fatal(err)
			}
			done := make(chan error, 1)
			go func() { _, err := s.Read(context.Background(), tier, "entry"); done <- err }()
			select {
			case err := <-done:
				if !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), "symbolic link") {
					t.Errorf("Read = %v, want the link reported as an unusable entry", err)
				}
			case <-time.After(5 * time.Second):
				t.Fatal("Read followed the link and waits on the pipe")
			}
			if _, err := os.Lstat(path); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("the link is still in the tier: %v", err)
			}
			if fi, err := os.Lstat(target); err != nil || fi.Mode()&os.ModeNamedPipe == 0 {
				t.Errorf("the link's target was touched: %v", err)
			}
			mustWrite(t, s, tier, "entry", "new value")
			mustRead(t, s, tier, "entry", "new value")
		})
	}
}

// TestPipeInPlaceOfAnEntryDoesNotBlock puts a named pipe itself where an entry belongs.
func TestPipeInPlaceOfAnEntryDoesNotBlock(t *testing.T) {
	s := openStore(t, Options{Backend: "file"})
	if err := syscall.Mkfifo(entryPath(s, AccessTokens, "entry"), 0o600); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { _, err := s.Read(context.Background(), AccessTokens, "entry"); done <- err }()
	select {
	case err := <-done:
		if err == nil || !strings.Contains(err.Error(), "not a regular file") {
			t.Errorf("Read = %v, want it refused as not a regular file", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Read waits on the pipe")
	}
}
