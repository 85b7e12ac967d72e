package keystore

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// needsAutoKeyring skips tests of "auto" choosing an OS keyring on platforms
// where it never does.
func needsAutoKeyring(t *testing.T) (backend, title string) {
	t.Helper()
	backend = platformKeyring()
	if backend == "" {
		t.Skip("auto uses no OS keyring on this platform")
	}
	desc, _ := keyringDescription(backend)
	return backend, desc
}

func recordOf(t *testing.T, s *Store) string {
	t.Helper()
	return string(fileContent(t, filepath.Join(s.Dir(), recordFile)))
}

var errNoBus = errors.New("DBUS_SESSION_BUS_ADDRESS is not set")

func TestUnreachableRecordedKeyringDeletesNothing(t *testing.T) {
	backend, desc := needsAutoKeyring(t)
	ctx := context.Background()
	kr := &fakeKeyrings{}
	s := openStore(t, Options{Keyring: kr})
	mustWrite(t, s, Secrets, "rt", "refresh")
	mustWrite(t, s, AccessTokens, "at", "token")
	if got := recordOf(t, s); got != backend+"\n" {
		t.Fatalf("record = %q, want %q", got, backend+"\n")
	}

	kr.setOpenErr(errNoBus)
	down := reopen(t, s, Options{Keyring: kr})
	expectKept(t, down, Secrets, "rt", ErrKeyUnavailable, desc, "DBUS_SESSION_BUS_ADDRESS is not set", "nothing was deleted", "AADCRED_KEYRING_BACKEND")
	err := down.Write(ctx, Secrets, "rt2", []byte("other"))
	if !errors.Is(err, ErrKeyUnavailable) {
		t.Fatalf("Write while the recorded keyring is unreachable = %v, want ErrKeyUnavailable", err)
	}
	for _, f := range []string{"data.key", "passphrase.salt", "secrets/rt2"} {
		if _, err := os.Stat(filepath.Join(s.Dir(), f)); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("%s was made while the recorded keyring was unreachable", f)
		}
	}
	p, err := down.Protection(ctx)
	if !errors.Is(err, ErrKeyUnavailable) {
		t.Errorf("Protection error = %v, want ErrKeyUnavailable", err)
	}
	if p.Backend != backend || !strings.Contains(p.Unavailable, "DBUS_SESSION_BUS_ADDRESS is not set") {
		t.Errorf("Protection = %+v, want the recorded backend and why it cannot be used", p)
	}
	// The hot path never needed the keyring.
	mustRead(t, down, AccessTokens, "at", "token")
	mustWrite(t, down, AccessTokens, "at2", "token 2")
	if got := recordOf(t, s); got != backend+"\n" {
		t.Errorf("record changed to %q while the keyring was unreachable", got)
	}

	kr.setOpenErr(nil)
	up := reopen(t, s, Options{Keyring: kr})
	mustRead(t, up, Secrets, "rt", "refresh")
	if p, err := up.Protection(ctx); err != nil || p.Unavailable != "" || p.Backend != backend {
		t.Errorf("Protection once reachable = %+v, %v", p, err)
	}
}

func TestAutoKeepsToTheKeyFileOnceRecorded(t *testing.T) {
	needsAutoKeyring(t)
	ctx := context.Background()
	kr := &fakeKeyrings{openErr: errNoBus}
	s := openStore(t, Options{Keyring: kr})
	mustWrite(t, s, Secrets, "rt", "refresh")
	if got := recordOf(t, s); got != "file\n" {
		t.Fatalf("record = %q, want the key file", got)
	}

	// The keyring answers now; the store keeps its key where it is.
	kr.setOpenErr(nil)
	up := reopen(t, s, Options{Keyring: kr})
	mustRead(t, up, Secrets, "rt", "refresh")
	mustWrite(t, up, Secrets, "rt2", "refresh 2")
	if _, gets, sets := kr.counts(); gets+sets != 0 {
		t.Errorf("the keyring was used (%d gets, %d sets) although the key file is recorded", gets, sets)
	}
	p, err := up.Protection(ctx)
	if err != nil || p.Backend != "file" || !strings.Contains(p.Fallback, recordFile) {
		t.Errorf("Protection = %+v, %v; want the key file, saying it is recorded", p, err)
	}
}

func TestStoreWithoutRecord(t *testing.T) {
	backend, _ := needsAutoKeyring(t)
	dropRecord := func(t *testing.T, s *Store) {
		t.Helper()
		if err := os.Remove(filepath.Join(s.Dir(), recordFile)); err != nil {
			t.Fatal(err)
		}
	}

	t.Run("key in the unreachable keyring", func(t *testing.T) {
		kr := &fakeKeyrings{}
		s := openStore(t, Options{Keyring: kr})
		mustWrite(t, s, Secrets, "rt", "refresh")
		dropRecord(t, s)

		kr.setOpenErr(errNoBus)
		down := reopen(t, s, Options{Keyring: kr})
		expectKept(t, down, Secrets, "rt", ErrKeyUnavailable, "DBUS_SESSION_BUS_ADDRESS is not set", "nothing was deleted")
		if err := down.Write(context.Background(), Secrets, "rt2", []byte("x")); !errors.Is(err, ErrKeyUnavailable) {
			t.Errorf("Write = %v, want ErrKeyUnavailable", err)
		}
		if fileContent(t, filepath.Join(s.Dir(), "data.key")) != nil || recordOf(t, s) != "" {
			t.Error("a key file or a record was made while the keyring was unreachable")
		}

		kr.setOpenErr(nil)
		mustRead(t, reopen(t, s, Options{Keyring: kr}), Secrets, "rt", "refresh")
		if got := recordOf(t, s); got != backend+"\n" {
			t.Errorf("record = %q after finding the key in the keyring", got)
		}
	})

	t.Run("key in a key file, keyring reachable", func(t *testing.T) {
		kr := &fakeKeyrings{openErr: errNoBus}
		s := openStore(t, Options{Keyring: kr})
		mustWrite(t, s, Secrets, "rt", "refresh")
		dropRecord(t, s)

		kr.setOpenErr(nil)
		mustRead(t, reopen(t, s, Options{Keyring: kr}), Secrets, "rt", "refresh")
		if got := recordOf(t, s); got != "file\n" {
			t.Errorf("record = %q, want the key file where the key was found", got)
		}
		if _, _, sets := kr.counts(); sets != 0 {
			t.Error("a new key was put in the keyring although the key file holds one")
		}
	})

	t.Run("key from a passphrase that is not given", func(t *testing.T) {
		kr := &fakeKeyrings{openErr: errNoBus}
		s := openStore(t, Options{Keyring: kr, Passphrase: "pw"})
		mustWrite(t, s, Secrets, "rt", "refresh")
		dropRecord(t, s)

		kr.setOpenErr(nil)
		expectKept(t, reopen(t, s, Options{Keyring: kr}), Secrets, "rt", ErrKeyUnavailable, "AADCRED_KEYRING_PASSPHRASE is not set")
		mustRead(t, reopen(t, s, Options{Keyring: kr, Passphrase: "pw"}), Secrets, "rt", "refresh")
		if got := recordOf(t, s); got != "passphrase\n" {
			t.Errorf("record = %q, want the passphrase", got)
		}
	})

	t.Run("damaged record", func(t *testing.T) {
		kr := &fakeKeyrings{openErr: errNoBus}
		s := openStore(t, Options{Keyring: kr})
		mustWrite(t, s, Secrets, "rt", "refresh")
		if err := os.WriteFile(filepath.Join(s.Dir(), recordFile), []byte("\x00\xff"), 0o600); err != nil {
			t.Fatal(err)
		}
		kr.setOpenErr(nil)
		mustRead(t, reopen(t, s, Options{Keyring: kr}), Secrets, "rt", "refresh")
		if got := recordOf(t, s); got != "file\n" {
			t.Errorf("record = %q, want it rewritten", got)
		}
	})
}

func TestRecordedKeyringResetStillDiscards(t *testing.T) {
	needsAutoKeyring(t)
	kr := &fakeKeyrings{}
	s := openStore(t, Options{Keyring: kr})
	mustWrite(t, s, Secrets, "rt", "refresh")
	mustWrite(t, s, Secrets, "rt2", "refresh 2")
	kr.reset() // reachable, and holds no key: nothing can decrypt the entries

	expectCorrupt(t, reopen(t, s, Options{Keyring: kr}), Secrets, "rt", "sealed, but there is no data key in the OS keyring")
	writer := reopen(t, s, Options{Keyring: kr})
	mustWrite(t, writer, Secrets, "new", "y")
	expectCorrupt(t, writer, Secrets, "rt2", "no data key was found although sealed entries existed")
	mustRead(t, writer, Secrets, "new", "y")
}

func TestEntryUnderAnotherKeyIsDiscardedWhenTheRecordedKeyIsLoaded(t *testing.T) {
	a := openStore(t, Options{Backend: "file"})
	b := openStore(t, Options{Keyring: &fakeKeyrings{openErr: errNoBus}})
	mustWrite(t, a, Secrets, "rt", "from a")
	mustWrite(t, b, Secrets, "mine", "from b")
	if err := os.WriteFile(entryPath(b, Secrets, "rt"), fileContent(t, entryPath(a, Secrets, "rt")), 0o600); err != nil {
		t.Fatal(err)
	}
	expectCorrupt(t, b, Secrets, "rt", "sealed with a different data key")
	mustRead(t, b, Secrets, "mine", "from b")
}

func TestUnknownRecordedBackendDeletesNothing(t *testing.T) {
	s := openStore(t, Options{Keyring: &fakeKeyrings{openErr: errNoBus}})
	mustWrite(t, s, Secrets, "rt", "refresh")
	if err := os.WriteFile(filepath.Join(s.Dir(), recordFile), []byte("tpm\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	other := reopen(t, s, Options{Keyring: &fakeKeyrings{}})
	expectKept(t, other, Secrets, "rt", ErrKeyUnavailable, `"tpm"`, "newer aadcred", "remove it, and the key is looked for in every backend")
	if err := other.Write(context.Background(), Secrets, "rt", []byte("x")); !errors.Is(err, ErrKeyUnavailable) {
		t.Errorf("Write = %v, want ErrKeyUnavailable", err)
	}
	if got := recordOf(t, s); got != "tpm\n" {
		t.Errorf("record = %q, want it left alone", got)
	}
}

func TestChosenBackendIsRecorded(t *testing.T) {
	_, desc := needsAutoKeyring(t)
	kr := &fakeKeyrings{}
	s := openStore(t, Options{Keyring: kr})
	mustWrite(t, s, Secrets, "old", "under the keyring")

	// Choosing the key file by name is deliberate: it is used, and recorded.
	chosen := reopen(t, s, Options{Backend: "file", Keyring: kr})
	expectCorrupt(t, chosen, Secrets, "old", "sealed under the data key kept by the "+desc+", but backend file was chosen")
	mustWrite(t, chosen, Secrets, "new", "under the key file")
	if got := recordOf(t, s); got != "file\n" {
		t.Fatalf("record = %q after a chosen backend made the key", got)
	}
	auto := reopen(t, s, Options{Keyring: kr})
	mustRead(t, auto, Secrets, "new", "under the key file")
	if p, _ := auto.Protection(context.Background()); p.Backend != "file" {
		t.Errorf("auto uses %q, want the recorded key file", p.Backend)
	}
}

func TestWrongPassphraseDeletesNothing(t *testing.T) {
	ctx := context.Background()
	right := Options{Backend: "passphrase", Passphrase: "the right one"}
	wrong := Options{Backend: "passphrase", Passphrase: "a wrong one"}
	s := openStore(t, right)
	mustWrite(t, s, Secrets, "rt", "secret")
	mustWrite(t, s, AccessTokens, "at", "token")
	salt := filepath.Join(s.Dir(), "passphrase.salt")

	w := reopen(t, s, wrong)
	err := expectKept(t, w, Secrets, "rt", ErrKeyUnavailable, "not the passphrase the data key was made from", salt)
	if strings.Contains(err.Error(), "a wrong one") || strings.Contains(err.Error(), "the right one") {
		t.Errorf("the error shows a passphrase: %v", err)
	}
	if err := w.Write(ctx, Secrets, "rt", []byte("new")); !errors.Is(err, ErrKeyUnavailable) {
		t.Errorf("Write with a wrong passphrase = %v, want ErrKeyUnavailable", err)
	}
	if _, err := w.Protection(ctx); !errors.Is(err, ErrKeyUnavailable) {
		t.Errorf("Protection with a wrong passphrase = %v, want ErrKeyUnavailable", err)
	}
	mustRead(t, w, AccessTokens, "at", "token")
	mustRead(t, reopen(t, s, right), Secrets, "rt", "secret")

	// Under "auto" too, once the passphrase is recorded.
	auto := reopen(t, s, Options{Passphrase: "a wrong one", Keyring: &fakeKeyrings{openErr: errNoBus}})
	expectKept(t, auto, Secrets, "rt", ErrKeyUnavailable, "not the passphrase")

	// Starting over with the new passphrase, as the error says.
	if err := os.Remove(salt); err != nil {
		t.Fatal(err)
	}
	fresh := reopen(t, s, wrong)
	mustWrite(t, fresh, Secrets, "other", "new secret")
	expectCorrupt(t, fresh, Secrets, "rt", "no data key was found although sealed entries existed")
	mustRead(t, reopen(t, s, wrong), Secrets, "other", "new secret")
}

func TestLegacySaltFileIsCheckedAgainstTheEntries(t *testing.T) {
	right := Options{Backend: "passphrase", Passphrase: "the right one"}
	s := openStore(t, right)
	mustWrite(t, s, Secrets, "rt", "secret")
	salt := filepath.Join(s.Dir(), "passphrase.salt")
	v2 := fileContent(t, salt)
	v1 := append([]byte(saltFileMagic+"\x01"), v2[5:saltFileV1Len]...)
	if err := os.WriteFile(salt, v1, 0o600); err != nil {
		t.Fatal(err)
	}

	expectKept(t, reopen(t, s, Options{Backend: "passphrase", Passphrase: "wrong"}), Secrets, "rt", ErrKeyUnavailable, "not the passphrase")
	if got := fileContent(t, salt); string(got) != string(v1) {
		t.Error("a wrong passphrase rewrote the salt file")
	}
	mustRead(t, reopen(t, s, right), Secrets, "rt", "secret")
	if got := fileContent(t, salt); string(got) != string(v2) {
		t.Errorf("salt file after the right passphrase = %x, want it upgraded to %x", got, v2)
	}
}

func TestNewerEntriesAreLeftInPlace(t *testing.T) {
	for _, encryptTokens := range []bool{false, true} {
		s := openStore(t, Options{Backend: "file", EncryptAccessTokens: encryptTokens})
		for _, tier := range []Tier{AccessTokens, Secrets} {
			mustWrite(t, s, tier, "future", "from a newer aadcred")
			path := entryPath(s, tier, "future")
			b := fileContent(t, path)
			b[4] = formatVersion + 1
			if err := os.WriteFile(path, b, 0o600); err != nil {
				t.Fatal(err)
			}
			for range 2 {
				expectKept(t, s, tier, "future", ErrNewerFormat, "written by a newer aadcred", "format version 2")
			}
		}
	}
}

func TestNewerKeyFilesAreLeftInPlace(t *testing.T) {
	for _, tc := range []struct {
		file string
		opts Options
	}{
		{"data.key", Options{Backend: "file"}},
		{"passphrase.salt", Options{Backend: "passphrase", Passphrase: "pw"}},
	} {
		t.Run(tc.file, func(t *testing.T) {
			s := openStore(t, tc.opts)
			mustWrite(t, s, Secrets, "rt", "secret")
			path := filepath.Join(s.Dir(), tc.file)
			b := fileContent(t, path)
			b[4] = 9
			b = append(b, "more than this aadcred knows"...)
			if err := os.WriteFile(path, b, 0o600); err != nil {
				t.Fatal(err)
			}
			other := reopen(t, s, tc.opts)
			expectKept(t, other, Secrets, "rt", ErrNewerFormat, "newer aadcred", tc.file)
			err := other.Write(context.Background(), Secrets, "rt2", []byte("x"))
			if !errors.Is(err, ErrKeyUnavailable) || !errors.Is(err, ErrNewerFormat) {
				t.Errorf("Write = %v, want ErrKeyUnavailable and ErrNewerFormat", err)
			}
			if got := fileContent(t, path); string(got) != string(b) {
				t.Errorf("%s was replaced", tc.file)
			}
		})
	}
}

func FuzzParseRecord(f *testing.F) {
	for _, seed := range []string{"secret-service\n", "file\n", "file", "", "\n", "tpm\n", "File\n", "a\nb\n", "\x00\n"} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		name := parseRecord(raw)
		if name == "" {
			return
		}
		if string(raw) != name+"\n" || strings.ContainsAny(name, "\n/\\. ") {
			t.Fatalf("parseRecord(%q) = %q, which is not what writeRecord writes", raw, name)
		}
	})
}
