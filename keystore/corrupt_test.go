package keystore

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// expectCorrupt reads an entry that should be reported as corrupt exactly
// once: the first Read returns ErrCorrupt, the entry is gone, and the next
// Read returns ErrNotFound.
func expectCorrupt(t *testing.T, s *Store, tier Tier, name, reason string) {
	t.Helper()
	_, err := s.Read(context.Background(), tier, name)
	var corrupt *CorruptError
	if !errors.Is(err, ErrCorrupt) || !errors.As(err, &corrupt) {
		t.Fatalf("Read(%v, %s) = %v, want ErrCorrupt", tier, name, err)
	}
	if corrupt.Name != name || corrupt.Tier != tier {
		t.Errorf("CorruptError names %v/%s, want %v/%s", corrupt.Tier, corrupt.Name, tier, name)
	}
	if !strings.Contains(err.Error(), reason) {
		t.Errorf("error %q does not give the reason %q", err, reason)
	}
	if _, err := os.Stat(entryPath(s, tier, name)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("corrupt entry was not removed: %v", err)
	}
	if _, err := s.Read(context.Background(), tier, name); !errors.Is(err, ErrNotFound) {
		t.Errorf("second Read = %v, want ErrNotFound", err)
	}
}

func TestCorruptEntriesAreReportedOnceAndRemoved(t *testing.T) {
	damage := []struct {
		name   string
		reason string
		apply  func(b []byte) []byte
	}{
		{"empty", "empty", func(b []byte) []byte { return nil }},
		{"truncated magic", "truncated", func(b []byte) []byte { return b[:3] }},
		{"truncated header", "truncated", func(b []byte) []byte { return b[:7] }},
		{"truncated body", "", func(b []byte) []byte { return b[:len(b)-1] }},
		{"flipped body bit", "", func(b []byte) []byte { b[len(b)-2] ^= 0x10; return b }},
		{"flipped header bit", "", func(b []byte) []byte { b[6] ^= 0x01; return b }},
		// Version 0 was never written; newer versions are left in place (TestNewerEntriesAreLeftInPlace).
		{"version 0", "format version 0", func(b []byte) []byte { b[4] = 0; return b }},
		{"foreign file", "not an entry written by aadcred", func(b []byte) []byte { return []byte(`{"access_token":"x"}`) }},
		{"too large", "larger than any entry", func(b []byte) []byte { return make([]byte, maxFileSize+1) }},
	}
	for _, encryptTokens := range []bool{false, true} {
		s := openStore(t, Options{Backend: "file", EncryptAccessTokens: encryptTokens})
		for _, tier := range []Tier{AccessTokens, Secrets} {
			for _, d := range damage {
				t.Run(tier.String()+"/"+d.name, func(t *testing.T) {
					mustWrite(t, s, tier, "victim", "a long enough value to damage")
					mustWrite(t, s, tier, "bystander", "untouched")
					path := entryPath(s, tier, "victim")
					b, err := os.ReadFile(path)
					if err != nil {
						t.Fatal(err)
					}
					if err := os.WriteFile(path, d.apply(b), 0o600); err != nil {
						t.Fatal(err)
					}
					expectCorrupt(t, s, tier, "victim", d.reason)
					mustRead(t, s, tier, "bystander", "untouched")
					// The caller re-acquires and stores again.
					mustWrite(t, s, tier, "victim", "fresh")
					mustRead(t, s, tier, "victim", "fresh")
				})
			}
		}
	}
}

func TestSwappedEntriesDoNotDecrypt(t *testing.T) {
	s := openStore(t, Options{Backend: "file", EncryptAccessTokens: true})
	mustWrite(t, s, Secrets, "alice", "alice's secret")
	mustWrite(t, s, Secrets, "bob", "bob's secret")
	a, b := entryPath(s, Secrets, "alice"), entryPath(s, Secrets, "bob")
	tmp := a + ".swap"
	for _, mv := range [][2]string{{a, tmp}, {b, a}, {tmp, b}} {
		if err := os.Rename(mv[0], mv[1]); err != nil {
			t.Fatal(err)
		}
	}
	expectCorrupt(t, s, Secrets, "alice", "does not decrypt")
	expectCorrupt(t, s, Secrets, "bob", "does not decrypt")

	// Same name, other tier: sealed access tokens are bound to their tier too.
	mustWrite(t, s, Secrets, "carol", "carol's secret")
	if err := os.Rename(entryPath(s, Secrets, "carol"), entryPath(s, AccessTokens, "carol")); err != nil {
		t.Fatal(err)
	}
	expectCorrupt(t, s, AccessTokens, "carol", "does not decrypt")
}

func TestSwappedPlainEntriesAreDetected(t *testing.T) {
	s := openStore(t, Options{Backend: "file"})
	mustWrite(t, s, AccessTokens, "one", "token one")
	mustWrite(t, s, AccessTokens, "two", "token two")
	if err := os.Rename(entryPath(s, AccessTokens, "one"), entryPath(s, AccessTokens, "two")); err != nil {
		t.Fatal(err)
	}
	expectCorrupt(t, s, AccessTokens, "two", "checksum mismatch")
}

func TestMissingKeyWithSealedEntries(t *testing.T) {
	s := openStore(t, Options{Backend: "file"})
	mustWrite(t, s, Secrets, "old1", "x")
	mustWrite(t, s, Secrets, "old2", "x")
	if err := os.Remove(filepath.Join(s.Dir(), "data.key")); err != nil {
		t.Fatal(err)
	}

	// Reading alone never makes a key; it says why it cannot decrypt.
	readOnly := reopen(t, s, Options{Backend: "file"})
	expectCorrupt(t, readOnly, Secrets, "old1", "sealed, but there is no data key in the key file "+filepath.Join(s.Dir(), "data.key"))
	if _, err := os.Stat(filepath.Join(s.Dir(), "data.key")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a Read created a data key: %v", err)
	}

	// A writer makes a new key, and says so about entries sealed before.
	writer := reopen(t, s, Options{Backend: "file"})
	mustWrite(t, writer, Secrets, "new", "y")
	expectCorrupt(t, writer, Secrets, "old2", "no data key was found although sealed entries existed")
	mustRead(t, writer, Secrets, "new", "y")
}

func TestUnusableKeyFileIsReplaced(t *testing.T) {
	s := openStore(t, Options{Backend: "file"})
	mustWrite(t, s, Secrets, "old", "x")
	if err := os.WriteFile(filepath.Join(s.Dir(), "data.key"), []byte("garbage"), 0o600); err != nil {
		t.Fatal(err)
	}
	other := reopen(t, s, Options{Backend: "file"})
	mustWrite(t, other, Secrets, "new", "y")
	expectCorrupt(t, other, Secrets, "old", "the data key was unusable (the key file is not in the expected format)")
	mustRead(t, reopen(t, s, Options{Backend: "file"}), Secrets, "new", "y")
}
