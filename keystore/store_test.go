package keystore

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestRoundTrip(t *testing.T) {
	backends := []Options{
		{Backend: "file"},
		{Backend: "passphrase", Passphrase: "correct horse battery staple"},
		{Backend: "file", EncryptAccessTokens: true},
	}
	for _, opts := range backends {
		t.Run(opts.Backend+map[bool]string{true: "+encrypted-tokens"}[opts.EncryptAccessTokens], func(t *testing.T) {
			s := openStore(t, opts)
			for _, tier := range []Tier{AccessTokens, Secrets} {
				mustWrite(t, s, tier, "entry", "first value")
				mustRead(t, s, tier, "entry", "first value")
				mustWrite(t, s, tier, "entry", "second value")
				mustRead(t, s, tier, "entry", "second value")
				mustWrite(t, s, tier, "empty", "")
				mustRead(t, s, tier, "empty", "")
			}

			// Another process (a new Store on the same directory) finds the
			// same key and reads everything back.
			other := reopen(t, s, opts)
			mustRead(t, other, AccessTokens, "entry", "second value")
			mustRead(t, other, Secrets, "entry", "second value")

			for _, tier := range []Tier{AccessTokens, Secrets} {
				if err := s.Delete(tier, "entry"); err != nil {
					t.Fatalf("Delete: %v", err)
				}
				if _, err := s.Read(context.Background(), tier, "entry"); !errors.Is(err, ErrNotFound) {
					t.Fatalf("Read after Delete: got %v, want ErrNotFound", err)
				}
				if err := s.Delete(tier, "entry"); err != nil {
					t.Fatalf("Delete of a missing entry: %v", err)
				}
			}
		})
	}
}

func TestSecretsAreNotStoredInTheClear(t *testing.T) {
	const secret = "refresh-token-0123456789"
	for _, encryptTokens := range []bool{false, true} {
		s := openStore(t, Options{Backend: "file", EncryptAccessTokens: encryptTokens})
		mustWrite(t, s, Secrets, "rt", secret)
		mustWrite(t, s, AccessTokens, "at", secret)
		onDisk := func(tier Tier, name string) []byte {
			b, err := os.ReadFile(entryPath(s, tier, name))
			if err != nil {
				t.Fatal(err)
			}
			return b
		}
		if bytes.Contains(onDisk(Secrets, "rt"), []byte(secret)) {
			t.Error("secrets entry holds the secret in the clear")
		}
		if got := bytes.Contains(onDisk(AccessTokens, "at"), []byte(secret)); got == encryptTokens {
			t.Errorf("EncryptAccessTokens=%v: access token in the clear on disk = %v", encryptTokens, got)
		}
	}
}

func TestReadMissing(t *testing.T) {
	s := openStore(t, Options{Backend: "file"})
	for _, tier := range []Tier{AccessTokens, Secrets} {
		_, err := s.Read(context.Background(), tier, "absent")
		if !errors.Is(err, ErrNotFound) {
			t.Errorf("Read(%v) of a missing entry: got %v, want ErrNotFound", tier, err)
		}
	}
}

func TestList(t *testing.T) {
	s := openStore(t, Options{Backend: "file"})
	for _, name := range []string{"b", "a", "c-1"} {
		mustWrite(t, s, AccessTokens, name, "x")
	}
	mustWrite(t, s, Secrets, "only-secret", "x")
	// Leftovers that are not entries.
	dir := s.tierDir(AccessTokens)
	for _, junk := range []string{".tmp-a-123", ".DS_Store"} {
		if err := os.WriteFile(filepath.Join(dir, junk), nil, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Mkdir(filepath.Join(dir, "subdir"), 0o700); err != nil {
		t.Fatal(err)
	}

	got, err := s.List(AccessTokens)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"a", "b", "c-1"}; !slices.Equal(got, want) {
		t.Errorf("List(AccessTokens) = %q, want %q", got, want)
	}
	got, err = s.List(Secrets)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"only-secret"}; !slices.Equal(got, want) {
		t.Errorf("List(Secrets) = %q, want %q", got, want)
	}
}

func TestInvalidNamesAreRefused(t *testing.T) {
	s := openStore(t, Options{Backend: "file"})
	ctx := context.Background()
	bad := []string{"", ".", "..", "../escape", "a/b", `a\b`, "/abs", ".hidden", "trailing.", "nul\x00byte",
		"sp ace", "ünïcode", "CON", "nul.json", "com1", "LPT9.lock", strings.Repeat("a", maxNameLen+1)}
	for _, name := range bad {
		if err := s.Write(ctx, AccessTokens, name, []byte("x")); err == nil {
			t.Errorf("Write(%q) succeeded", name)
		}
		if _, err := s.Read(ctx, Secrets, name); err == nil || errors.Is(err, ErrNotFound) {
			t.Errorf("Read(%q) = %v, want an invalid-name error", name, err)
		}
		if err := s.Delete(AccessTokens, name); err == nil {
			t.Errorf("Delete(%q) succeeded", name)
		}
		if _, err := s.Lock(ctx, name, nil); err == nil {
			t.Errorf("Lock(%q) succeeded", name)
		}
	}
	// Nothing escaped the store.
	if _, err := os.Stat(filepath.Join(s.Dir(), "escape")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("an entry escaped the tier directory: %v", err)
	}
	for _, name := range []string{"a", "0123abcdef", "A_b-c.d", "console", "com10", strings.Repeat("f", maxNameLen)} {
		mustWrite(t, s, AccessTokens, name, "ok")
	}
}

func TestInvalidTier(t *testing.T) {
	s := openStore(t, Options{Backend: "file"})
	if err := s.Write(context.Background(), Tier(7), "a", nil); err == nil {
		t.Error("Write to an unknown tier succeeded")
	}
	if _, err := s.List(Tier(-1)); err == nil {
		t.Error("List of an unknown tier succeeded")
	}
}

func TestOpenRefusesBadOptions(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "store")
	for _, tc := range []struct {
		opts Options
		want string
	}{
		{Options{}, "no directory"},
		{Options{Dir: dir, Backend: "gnome-keyring"}, `unknown keyring backend "gnome-keyring"`},
		{Options{Dir: dir, Backend: "passphrase"}, "AADCRED_KEYRING_PASSPHRASE"},
	} {
		_, err := Open(tc.opts)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Open(%+v) = %v, want an error mentioning %q", tc.opts, err, tc.want)
		}
	}
}

func TestWriteRefusesOversizedEntry(t *testing.T) {
	s := openStore(t, Options{Backend: "file"})
	mustWrite(t, s, AccessTokens, "big", "old")
	err := s.Write(context.Background(), AccessTokens, "big", make([]byte, maxEntrySize+1))
	if err == nil {
		t.Fatal("Write of an oversized entry succeeded")
	}
	mustRead(t, s, AccessTokens, "big", "old")
}

func TestClean(t *testing.T) {
	s := openStore(t, Options{Backend: "file"})
	mustWrite(t, s, AccessTokens, "at", "x")
	mustWrite(t, s, Secrets, "rt", "x")
	unlock, err := s.Lock(context.Background(), "rt", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer unlock()

	now := time.Now()
	s.now = func() time.Time { return now }
	stale := filepath.Join(s.tierDir(Secrets), ".tmp-rt-111")
	fresh := filepath.Join(s.tierDir(Secrets), ".tmp-rt-222")
	for _, p := range []string{stale, fresh} {
		if err := os.WriteFile(p, []byte("partial"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Chtimes(stale, now.Add(-time.Hour), now.Add(-time.Hour)); err != nil {
		t.Fatal(err)
	}

	if err := s.Clean(); err != nil {
		t.Fatalf("Clean: %v", err)
	}
	for _, tier := range []Tier{AccessTokens, Secrets} {
		if names, _ := s.List(tier); len(names) != 0 {
			t.Errorf("after Clean, %v holds %q", tier, names)
		}
	}
	exists := func(p string) bool { _, err := os.Stat(p); return err == nil }
	if exists(stale) {
		t.Error("Clean left a stale temporary file")
	}
	if !exists(fresh) {
		t.Error("Clean removed a temporary file that may belong to a write in progress")
	}
	if !exists(filepath.Join(s.Dir(), "locks", "rt.lock")) {
		t.Error("Clean removed a lock file")
	}
	if !exists(filepath.Join(s.Dir(), "data.key")) {
		t.Error("Clean removed the data key")
	}
	// The store is still usable, with the same key.
	mustWrite(t, s, Secrets, "rt", "new")
	mustRead(t, reopen(t, s, Options{Backend: "file"}), Secrets, "rt", "new")
}
