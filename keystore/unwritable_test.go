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

	"github.com/aadcred/aadcred/tests/harness"
)

// TestReadOnlyStore makes a store read-only: every entry is still read, a lock already made is
// still taken, and what cannot be done fails with ErrUnwritable, which says the store cannot be
// written, never that another process holds anything.
func TestReadOnlyStore(t *testing.T) {
	s := openStore(t, Options{Backend: "file"})
	mustWrite(t, s, AccessTokens, "token", "cached")
	mustWrite(t, s, Secrets, "signin", "sealed")
	unlock, err := s.Lock(context.Background(), "made-before", nil)
	if err != nil {
		t.Fatal(err)
	}
	unlock()
	harness.ReadOnly(t, s.Dir())

	s = reopen(t, s, Options{Backend: "file"})
	mustRead(t, s, AccessTokens, "token", "cached")
	mustRead(t, s, Secrets, "signin", "sealed")
	unlock, err = s.Lock(context.Background(), "made-before", nil)
	if err != nil {
		t.Errorf("a lock file made before could not be taken: %v", err)
	} else {
		unlock()
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_, err = s.Lock(ctx, "new", func(int) { t.Error("Lock waited as if another process held the lock") })
	requireUnwritable(t, err, s.Dir())
	requireUnwritable(t, s.Write(context.Background(), AccessTokens, "token", []byte("new")), s.Dir())
	requireUnwritable(t, s.Write(context.Background(), Secrets, "signin", []byte("new")), s.Dir())
	mustRead(t, s, AccessTokens, "token", "cached")
}

// TestDamagedEntryInReadOnlyStore: an entry that cannot be used, in a store that cannot be
// changed, is reported as left where it was, never as discarded or quarantined, and stays.
func TestDamagedEntryInReadOnlyStore(t *testing.T) {
	s := openStore(t, Options{Backend: "file"})
	for _, tier := range []Tier{AccessTokens, Secrets} {
		mustWrite(t, s, tier, "victim", "a long enough value to damage")
		if err := os.WriteFile(entryPath(s, tier, "victim"), []byte("damaged"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	harness.ReadOnly(t, s.Dir())

	s = reopen(t, s, Options{Backend: "file"})
	for _, tier := range []Tier{AccessTokens, Secrets} {
		_, err := s.Read(context.Background(), tier, "victim")
		var corrupt *CorruptError
		if !errors.As(err, &corrupt) || corrupt.Stuck == nil || corrupt.Quarantined != "" || corrupt.Fate() != "is left in place" {
			t.Fatalf("Read(%v) = %v, want a CorruptError saying the entry is stuck", tier, err)
		}
		msg := err.Error()
		if !strings.Contains(msg, "left in place") || strings.Contains(msg, "discarded") || strings.Contains(msg, "moved") {
			t.Errorf("Read(%v) says %q; want it left in place, neither discarded nor moved", tier, msg)
		}
		if data, err := os.ReadFile(entryPath(s, tier, "victim")); err != nil || string(data) != "damaged" {
			t.Errorf("%v entry after the read: %q, %v; want it unchanged", tier, data, err)
		}
	}
}

// TestStoreThatCannotBeMade opens a store whose directory does not exist and cannot be made (a
// read-only home in a container): the store is empty, and writing to it fails with ErrUnwritable.
func TestStoreThatCannotBeMade(t *testing.T) {
	parent := t.TempDir()
	harness.ReadOnly(t, parent)
	dir := filepath.Join(parent, "store")
	s, err := Open(Options{Dir: dir, Backend: "file", Keyring: &fakeKeyrings{openErr: errors.New("none")}})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	if _, err := s.Read(context.Background(), AccessTokens, "token"); !errors.Is(err, ErrNotFound) {
		t.Errorf("Read = %v, want ErrNotFound", err)
	}
	for _, tier := range []Tier{AccessTokens, Secrets} {
		if names, err := s.List(tier); err != nil || len(names) != 0 {
			t.Errorf("List(%v) = %q, %v; want nothing", tier, names, err)
		}
	}
	_, err = s.Lock(context.Background(), "new", nil)
	requireUnwritable(t, err, dir)
	requireUnwritable(t, s.Write(context.Background(), AccessTokens, "token", []byte("x")), dir)
	if _, err := s.Prune(AccessTokens, "t", time.Hour); err != nil {
		t.Errorf("Prune: %v", err)
	}
}

// TestFullDiskIsUnwritable fails writes the way a full disk does.
func TestFullDiskIsUnwritable(t *testing.T) {
	s := openStore(t, Options{Backend: "file"})
	s.createTemp = func(dir, pattern string) (tempFile, error) {
		f, err := os.CreateTemp(dir, pattern)
		return &failingFile{File: f, failWrite: true}, err
	}
	err := s.Write(context.Background(), AccessTokens, "token", []byte("x"))
	requireUnwritable(t, err, s.Dir())
	if !strings.Contains(err.Error(), syscall.ENOSPC.Error()) {
		t.Errorf("the error %q does not say why", err)
	}
}

func requireUnwritable(t *testing.T, err error, dir string) {
	t.Helper()
	var unwritable *UnwritableError
	if !errors.Is(err, ErrUnwritable) || !errors.As(err, &unwritable) {
		t.Fatalf("got %v, want ErrUnwritable", err)
	}
	if unwritable.Dir != dir || !strings.Contains(err.Error(), dir+" cannot be written") || strings.Contains(err.Error(), "another") {
		t.Errorf("the error %q does not name the store as what cannot be written", err)
	}
}
