package keystore

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"
)

func TestPrune(t *testing.T) {
	s := openStore(t, Options{Backend: "file"})
	now := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	s.now = func() time.Time { return now }
	age := func(path string, d time.Duration) {
		t.Helper()
		if err := os.Chtimes(path, now.Add(-d), now.Add(-d)); err != nil {
			t.Fatal(err)
		}
	}

	for name, d := range map[string]time.Duration{
		"t-old": 48 * time.Hour, "t-older": 90 * 24 * time.Hour, "t-young": time.Hour, "a-old": 48 * time.Hour,
	} {
		mustWrite(t, s, AccessTokens, name, "x")
		age(entryPath(s, AccessTokens, name), d)
	}
	mustWrite(t, s, Secrets, "t-old", "secret")
	age(entryPath(s, Secrets, "t-old"), 48*time.Hour)
	tmpDir := s.tierDir(AccessTokens)
	staleTemp, freshTemp := filepath.Join(tmpDir, ".tmp-t-young-1"), filepath.Join(tmpDir, ".tmp-zz-2")
	for _, p := range []string{staleTemp, freshTemp} {
		if err := os.WriteFile(p, []byte("partial"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	age(staleTemp, time.Hour)
	age(freshTemp, time.Minute)
	unlock, err := s.Lock(context.Background(), "t-old", nil)
	if err != nil {
		t.Fatal(err)
	}
	unlock()
	lockFile := filepath.Join(s.Dir(), "locks", "t-old.lock")
	age(lockFile, 365*24*time.Hour)
	keyFile := filepath.Join(s.Dir(), "data.key")
	age(keyFile, 365*24*time.Hour)

	n, err := s.Prune(AccessTokens, "t-", 24*time.Hour)
	if err != nil {
		t.Fatalf("Prune: %v", err)
	}
	if n != 2 {
		t.Errorf("Prune removed %d entries, want 2", n)
	}
	names, _ := s.List(AccessTokens)
	if want := []string{"a-old", "t-young"}; !slices.Equal(names, want) {
		t.Errorf("after Prune, tokens holds %q, want %q", names, want)
	}
	exists := func(p string) bool { _, err := os.Stat(p); return err == nil }
	if exists(staleTemp) {
		t.Error("Prune left a stale temporary file")
	}
	if !exists(freshTemp) {
		t.Error("Prune removed a temporary file that may belong to a write in progress")
	}
	if !exists(lockFile) || !exists(keyFile) || !exists(filepath.Join(s.Dir(), recordFile)) {
		t.Error("Prune removed a lock file or key material")
	}
	mustRead(t, s, Secrets, "t-old", "secret") // another tier

	// An empty prefix matches every entry of the tier.
	if n, err := s.Prune(Secrets, "", 24*time.Hour); err != nil || n != 1 {
		t.Errorf("Prune(Secrets, \"\") = %d, %v; want 1 entry removed", n, err)
	}
	mustWrite(t, s, Secrets, "t-old", "new secret")
	mustRead(t, reopen(t, s, Options{Backend: "file"}), Secrets, "t-old", "new secret")
}

func TestPruneNeedsNoDataKey(t *testing.T) {
	needsAutoKeyring(t)
	kr := &fakeKeyrings{}
	s := openStore(t, Options{Keyring: kr})
	mustWrite(t, s, Secrets, "old", "secret")
	past := time.Now().Add(-48 * time.Hour)
	if err := os.Chtimes(entryPath(s, Secrets, "old"), past, past); err != nil {
		t.Fatal(err)
	}
	kr.setOpenErr(errNoBus)
	down := reopen(t, s, Options{Keyring: kr})
	opens0, gets0, _ := kr.counts()
	if n, err := down.Prune(Secrets, "", 24*time.Hour); err != nil || n != 1 {
		t.Errorf("Prune while the keyring is unreachable = %d, %v; want 1 entry removed", n, err)
	}
	if opens, gets, _ := kr.counts(); opens != opens0 || gets != gets0 {
		t.Error("Prune used the keyring")
	}
}

func TestPruneRefusesBadArguments(t *testing.T) {
	s := openStore(t, Options{Backend: "file"})
	if _, err := s.Prune(Tier(5), "", time.Hour); err == nil {
		t.Error("Prune of an unknown tier succeeded")
	}
	if _, err := s.Prune(AccessTokens, "", -time.Hour); err == nil {
		t.Error("Prune with a negative age succeeded")
	}
}
