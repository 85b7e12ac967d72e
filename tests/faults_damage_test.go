package tests

import (
	"context"
	"crypto/rand"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aadcred/aadcred/keystore"
	"github.com/aadcred/aadcred/tests/fakeentra"
)

// The store matrix's damaged entries: each kind of entry the store keeps, damaged in each way a
// file can be, read by the tool that reads it.

// entryKind is one kind of file the store keeps.
type entryKind struct {
	name string
	tool tool // the tool whose call reads it
	tier string
	// prefix starts the entry's name; an empty tier means the file prefix names in the store's
	// root (data.key).
	prefix string
	// primed says the entry is made by the tool's first call (a cached token), not by signing in.
	primed bool
	want   outcome
	keeps  string
	// check looks at the store after the call: what the store kept, or what it should have.
	check func(t *testing.T, w *faultWorld, name string)
}

// damage is a way an entry is damaged on disk.
type damage struct {
	name  string
	apply func(t *testing.T, w *faultWorld, k entryKind, path string)
}

func entryKinds() []entryKind {
	return []entryKind{
		{"access token", kubectlTool, "tokens", "t", true, outcome{0, "cached token"},
			"the sign-in; a new token in place of the damaged one", servedFromCacheNext},
		{"account label", gitTool, "tokens", "a", false, outcome{0, ""},
			"the sign-in, its label rebuilt from the encrypted entry", labelRebuilt},
		{"refresh token", dockerTool, "secrets", "a", false, outcome{1, "docker-credential-aad login"},
			"the damaged entry in quarantine/ for 7 days", quarantined("secrets-a")},
		{"registry token", dockerTool, "secrets", "docker-acr-", true, outcome{0, "quarantine"},
			"the sign-in; the damaged entry in quarantine/ for 7 days; a new registry token", quarantined("secrets-docker-acr-")},
		{"organisation note", gitTool, "tokens", "g", true, outcome{0, ""},
			"the sign-in; the note learnt again", noteLearntAgain},
		{"PoP key", kubectlPoPTool, "secrets", "kpop", true, outcome{0, "quarantine"},
			"the damaged key in quarantine/ for 7 days; a new key", popKeyReplaced},
		{"data key", kubectlTool, "", "data.key", false, outcome{1, "login"},
			"the sealed entries in quarantine/ for 7 days (the damaged key joins them when a new one is made)", quarantined("secrets-a")},
		{"key record", dockerTool, "", "key.backend", false, outcome{0, ""},
			"everything; the key found where it is, and the record written again", recordWrittenAgain},
	}
}

func damages() []damage {
	rewrite := func(f func([]byte) []byte) func(*testing.T, *faultWorld, entryKind, string) {
		return func(t *testing.T, _ *faultWorld, _ entryKind, path string) {
			t.Helper()
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(path, f(data), 0o600); err != nil {
				t.Fatal(err)
			}
		}
	}
	return []damage{
		{"empty", rewrite(func([]byte) []byte { return nil })},
		{"truncated", rewrite(func(b []byte) []byte { return b[:len(b)/2] })},
		{"random bytes", rewrite(func(b []byte) []byte { rand.Read(b); return b })},
		{"flipped byte", rewrite(func(b []byte) []byte { b[len(b)/2] ^= 0x20; return b })},
		{"wrong JSON", writeWrongContent},
	}
}

// writeWrongContent writes an entry that is whole (its frame, checksum or seal are right) but
// whose content is not what the entry holds: JSON of the wrong shape or, for the data key and
// the record of where it is kept, a well-formed key that is not the one the entries were sealed
// with.
func writeWrongContent(t *testing.T, w *faultWorld, k entryKind, path string) {
	t.Helper()
	if k.tier == "" {
		key := make([]byte, 32)
		rand.Read(key)
		if err := os.WriteFile(path, append([]byte("AADK\x01"), key...), 0o600); err != nil {
			t.Fatal(err)
		}
		return
	}
	tier := keystore.AccessTokens
	if k.tier == "secrets" {
		tier = keystore.Secrets
	}
	s := openStore(t, w.StoreDir())
	if err := s.Write(context.Background(), tier, filepath.Base(path), []byte(`["not", "an", "entry"]`)); err != nil {
		t.Fatal(err)
	}
}

func runDamage(t *testing.T, k entryKind, d damage) {
	w := newFaultWorld(t)
	signedIn := snapshot(t, w.StoreDir())
	if k.primed {
		outcome{0, ""}.require(t, k.tool.ask(w))
	}
	name := k.prefix
	if k.tier != "" {
		name = newest(t, signedIn, snapshot(t, w.StoreDir()), k.tier, k.prefix)
	}
	d.apply(t, w, k, filepath.Join(w.StoreDir(), k.tier, name))
	w.Entra.ResetCounts()
	k.want.require(t, k.tool.ask(w))
	k.check(t, w, name)
}

// newest is the entry under tier starting with prefix: the one the tool's call added, if it added
// one, else the one the sign-in made.
func newest(t *testing.T, signedIn, now storeFiles, tier, prefix string) string {
	t.Helper()
	var added []string
	for _, n := range now.names(tier, prefix) {
		if _, ok := signedIn[filepath.Join(tier, n)]; !ok {
			added = append(added, n)
		}
	}
	if len(added) == 1 {
		return added[0]
	}
	return now.one(t, tier, prefix)
}

// servedFromCacheNext: the call got a new token and cached it.
func servedFromCacheNext(t *testing.T, w *faultWorld, _ string) {
	t.Helper()
	before := w.Entra.TokenRequests()
	outcome{0, ""}.require(t, kubectlTool.ask(w))
	if n := w.Entra.TokenRequests() - before; n != 0 {
		t.Errorf("the next call made %d token requests: the new token was not cached", n)
	}
}

// labelRebuilt: the account's label is back, and it serves the next call with no sign-in.
func labelRebuilt(t *testing.T, w *faultWorld, name string) {
	t.Helper()
	if _, ok := snapshot(t, w.StoreDir())[filepath.Join("tokens", name)]; !ok {
		t.Error("the account's label was not rebuilt")
	}
	r := w.Run("", "git-credential-aad", "status")
	if !strings.Contains(r.Stdout, fakeentra.DefaultUser) {
		t.Errorf("status does not show the account:\n%s", r.Stdout)
	}
}

// quarantined: the damaged entry was moved into quarantine/, where it stays 0600, and status
// reports it, to a person and in its JSON.
func quarantined(prefix string) func(*testing.T, *faultWorld, string) {
	return func(t *testing.T, w *faultWorld, _ string) {
		t.Helper()
		moved := snapshot(t, w.StoreDir()).names("quarantine", prefix)
		if len(moved) != 1 {
			t.Fatalf("quarantine holds %q, want the damaged %s… entry", moved, prefix)
		}
		fi, err := os.Stat(filepath.Join(w.StoreDir(), "quarantine", moved[0]))
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != 0o600 {
			t.Errorf("the quarantined entry is mode %v, want 0600", fi.Mode())
		}
		r := w.Run("", "git-credential-aad", "status")
		if !strings.Contains(r.Stdout, moved[0]) {
			t.Errorf("status does not report the quarantined entry:\n%s", r.Stdout)
		}
		listed := status(t, w.World, "git-credential-aad").Quarantined
		if len(listed) != 1 || filepath.Base(listed[0].Path) != moved[0] || !strings.HasPrefix(listed[0].From, "secrets/") || listed[0].Since == "" {
			t.Errorf("status --output json lists the quarantine as %+v, want the entry from secrets/", listed)
		}
	}
}

// noteLearntAgain: the organisation's tenant was asked again and noted.
func noteLearntAgain(t *testing.T, w *faultWorld, name string) {
	t.Helper()
	probes := w.Repos.Probes()
	outcome{0, ""}.require(t, gitTool.ask(w))
	if w.Repos.Probes() != probes {
		t.Error("the organisation was asked again: its tenant was not noted")
	}
}

// popKeyReplaced: the damaged proof-of-possession key is in the quarantine, and a new one was
// kept, which the next PoP call uses as it is.
func popKeyReplaced(t *testing.T, w *faultWorld, name string) {
	t.Helper()
	quarantined("secrets-kpop")(t, w, name)
	outcome{0, ""}.require(t, kubectlPoPTool.ask(w))
}

// recordWrittenAgain: the record of which backend keeps the data key names the key file again,
// and nothing was quarantined.
func recordWrittenAgain(t *testing.T, w *faultWorld, name string) {
	t.Helper()
	if data, err := os.ReadFile(filepath.Join(w.StoreDir(), name)); err != nil || string(data) != "file\n" {
		t.Errorf("the record holds %q (%v), want the key file's backend", data, err)
	}
	if moved := snapshot(t, w.StoreDir()).names("quarantine", ""); len(moved) != 0 {
		t.Errorf("quarantine holds %q, want nothing", moved)
	}
}
