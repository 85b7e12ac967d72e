package keystore

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// expectQuarantined reads a sealed entry that cannot be opened: the error says where the entry
// went, the entry is out of its tier and in the quarantine, 0600, and the next Read finds nothing.
func expectQuarantined(t *testing.T, s *Store, tier Tier, name string) Quarantined {
	t.Helper()
	before := fileContent(t, entryPath(s, tier, name))
	_, err := s.Read(context.Background(), tier, name)
	var corrupt *CorruptError
	if !errors.As(err, &corrupt) || corrupt.Quarantined == "" || corrupt.Fate() != "was moved to the quarantine" {
		t.Fatalf("Read(%v, %s) = %v, want a CorruptError naming the quarantine", tier, name, err)
	}
	if !strings.Contains(err.Error(), corrupt.Quarantined) || !strings.Contains(err.Error(), "7 days") {
		t.Errorf("the error %q does not say where the entry is and for how long", err)
	}
	if _, err := os.Lstat(entryPath(s, tier, name)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the entry is still in %v: %v", tier, err)
	}
	fi, err := os.Lstat(corrupt.Quarantined)
	if err != nil {
		t.Fatalf("the quarantined entry: %v", err)
	}
	if fi.Mode().IsRegular() && (fi.Mode().Perm() != 0o600 || string(fileContent(t, corrupt.Quarantined)) != string(before)) {
		t.Errorf("the quarantined entry is mode %v, or not the bytes that were in the tier", fi.Mode())
	}
	if _, err := s.Read(context.Background(), tier, name); !errors.Is(err, ErrNotFound) {
		t.Errorf("second Read = %v, want ErrNotFound", err)
	}
	list, err := s.Quarantined()
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range list {
		if q.Path == corrupt.Quarantined {
			if q.From != tier.String()+"/"+name || time.Since(q.Since) > time.Minute {
				t.Errorf("Quarantined() describes it as %+v", q)
			}
			return q
		}
	}
	t.Fatalf("Quarantined() = %+v, without %s", list, corrupt.Quarantined)
	return Quarantined{}
}

func TestSealedEntriesThatCannotBeOpenedAreQuarantined(t *testing.T) {
	for name, damage := range map[string]func(path string){
		"flipped byte": func(path string) {
			b, _ := os.ReadFile(path)
			b[len(b)/2] ^= 1
			os.WriteFile(path, b, 0o600)
		},
		"truncated": func(path string) {
			b, _ := os.ReadFile(path)
			os.WriteFile(path, b[:len(b)/2], 0o600)
		},
		"empty":        func(path string) { os.WriteFile(path, nil, 0o600) },
		"random bytes": func(path string) { os.WriteFile(path, []byte("\x93\x00garbage that is no entry"), 0o600) },
	} {
		t.Run(name, func(t *testing.T) {
			s := openStore(t, Options{Backend: "file"})
			mustWrite(t, s, Secrets, "victim", "a refresh token")
			mustWrite(t, s, Secrets, "bystander", "untouched")
			damage(entryPath(s, Secrets, "victim"))
			expectQuarantined(t, s, Secrets, "victim")
			mustRead(t, s, Secrets, "bystander", "untouched")
		})
	}
}

// TestDamagedKeyFileQuarantinesTheKeyAndTheEntries damages data.key, or the salt the key is
// derived from with a passphrase: the entries sealed under it are quarantined rather than
// deleted at the next read, and the damaged file too when a new key replaces it, so that all
// can be put back by hand.
func TestDamagedKeyFileQuarantinesTheKeyAndTheEntries(t *testing.T) {
	for _, tc := range []struct {
		opts Options
		file string
	}{
		{Options{Backend: "file"}, "data.key"},
		{Options{Backend: "passphrase", Passphrase: "correct horse"}, "passphrase.salt"},
	} {
		t.Run(tc.file, func(t *testing.T) {
			s := openStore(t, tc.opts)
			mustWrite(t, s, Secrets, "signin", "a refresh token")
			keyFile := filepath.Join(s.Dir(), tc.file)
			damagedKey := append([]byte("XXXX"), fileContent(t, keyFile)[4:]...)
			if err := os.WriteFile(keyFile, damagedKey, 0o600); err != nil {
				t.Fatal(err)
			}
			s = reopen(t, s, tc.opts)
			expectQuarantined(t, s, Secrets, "signin")
			mustWrite(t, s, Secrets, "signin", "a new sign-in")
			list, err := s.Quarantined()
			if err != nil {
				t.Fatal(err)
			}
			var keys []Quarantined
			for _, q := range list {
				if q.From == tc.file {
					keys = append(keys, q)
				}
			}
			if len(keys) != 1 || string(fileContent(t, keys[0].Path)) != string(damagedKey) {
				t.Fatalf("the damaged %s was not kept in the quarantine: %+v", tc.file, list)
			}
			mustRead(t, reopen(t, s, tc.opts), Secrets, "signin", "a new sign-in")
		})
	}
}

// TestUnreachableKeyQuarantinesNothing keeps the rule: a key that cannot be reached now never
// costs an entry, not even a move.
func TestUnreachableKeyQuarantinesNothing(t *testing.T) {
	keyrings := &fakeKeyrings{}
	s := openStore(t, Options{Backend: "secret-service", Keyring: keyrings})
	mustWrite(t, s, Secrets, "signin", "a refresh token")
	keyrings.setOpenErr(errors.New("no session D-Bus"))
	expectKept(t, reopen(t, s, Options{Backend: "auto", Keyring: keyrings}), Secrets, "signin", ErrKeyUnavailable)
	if list, err := s.Quarantined(); err != nil || len(list) != 0 {
		t.Errorf("Quarantined() = %+v, %v; want nothing", list, err)
	}
}

func TestDiscardQuarantinesSecrets(t *testing.T) {
	s := openStore(t, Options{Backend: "file"})
	mustWrite(t, s, Secrets, "signin", "not what the caller expects")
	mustWrite(t, s, AccessTokens, "token", "not what the caller expects")
	for _, tier := range []Tier{Secrets, AccessTokens} {
		mustRead(t, s, tier, map[Tier]string{Secrets: "signin", AccessTokens: "token"}[tier], "not what the caller expects")
	}
	if err := s.Discard(Secrets, "signin", []byte("not what the caller expects")); err != nil {
		t.Fatal(err)
	}
	if err := s.Discard(AccessTokens, "token", []byte("not what the caller expects")); err != nil {
		t.Fatal(err)
	}
	list, err := s.Quarantined()
	if err != nil || len(list) != 1 || list[0].From != "secrets/signin" {
		t.Errorf("Quarantined() = %+v, %v; want the secret only (an access token is just removed)", list, err)
	}
}

func TestQuarantineIsKeptSevenDays(t *testing.T) {
	s := openStore(t, Options{Backend: "file"})
	mustWrite(t, s, Secrets, "old", "x")
	os.WriteFile(entryPath(s, Secrets, "old"), []byte("damaged"), 0o600)
	s.now = func() time.Time { return time.Now().Add(-8 * 24 * time.Hour) }
	if _, err := s.Read(context.Background(), Secrets, "old"); !errors.Is(err, ErrCorrupt) {
		t.Fatalf("Read = %v", err)
	}
	s.now = time.Now
	mustWrite(t, s, Secrets, "young", "x")
	os.WriteFile(entryPath(s, Secrets, "young"), []byte("damaged"), 0o600)
	expectQuarantined(t, s, Secrets, "young")
	if _, err := s.Prune(AccessTokens, "t", time.Hour); err != nil {
		t.Fatal(err)
	}
	list, _ := s.Quarantined()
	if len(list) != 1 || list[0].From != "secrets/young" {
		t.Errorf("after pruning, the quarantine holds %+v; want only the entry younger than 7 days", list)
	}
	if err := s.ClearQuarantine(); err != nil {
		t.Fatal(err)
	}
	if list, _ = s.Quarantined(); len(list) != 0 {
		t.Errorf("ClearQuarantine left %+v", list)
	}
}
