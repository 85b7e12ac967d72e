package keystore

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"
)

// readSeen reads an entry the way a caller does before finding it unusable.
func readSeen(t *testing.T, s *Store, tier Tier, name string) []byte {
	t.Helper()
	data, err := s.Read(context.Background(), tier, name)
	if err != nil {
		t.Fatalf("Read(%v, %s): %v", tier, name, err)
	}
	return data
}

func TestDiscardRemovesTheEntryThatWasRead(t *testing.T) {
	for _, encryptTokens := range []bool{false, true} {
		s := openStore(t, Options{Backend: "file", EncryptAccessTokens: encryptTokens})
		for _, tier := range []Tier{AccessTokens, Secrets} {
			mustWrite(t, s, tier, "label", "{not json")
			mustWrite(t, s, tier, "bystander", "untouched")
			seen := readSeen(t, s, tier, "label")
			if err := s.Discard(tier, "label", seen); err != nil {
				t.Fatalf("Discard(%v): %v", tier, err)
			}
			if _, err := s.Read(context.Background(), tier, "label"); !errors.Is(err, ErrNotFound) {
				t.Errorf("Read(%v) after Discard = %v, want ErrNotFound", tier, err)
			}
			mustRead(t, s, tier, "bystander", "untouched")
			// Nothing left to discard is not an error.
			if err := s.Discard(tier, "label", seen); err != nil {
				t.Errorf("Discard(%v) of a missing entry: %v", tier, err)
			}
		}
	}
}

func TestDiscardLeavesANewerWriteAlone(t *testing.T) {
	for _, encryptTokens := range []bool{false, true} {
		s := openStore(t, Options{Backend: "file", EncryptAccessTokens: encryptTokens})
		other := reopen(t, s, Options{Backend: "file"})
		for _, tier := range []Tier{AccessTokens, Secrets} {
			mustWrite(t, s, tier, "label", "{not json")
			seen := readSeen(t, s, tier, "label")
			// Another process replaces the damaged entry with a good one
			// between this caller's Read and its Discard.
			mustWrite(t, other, tier, "label", `{"good":true}`)
			if err := s.Discard(tier, "label", seen); err != nil {
				t.Fatalf("Discard(%v): %v", tier, err)
			}
			mustRead(t, s, tier, "label", `{"good":true}`)
		}
	}
}

func TestDiscardLeavesAnEntryItCannotCheck(t *testing.T) {
	s := openStore(t, Options{Backend: "file"})
	mustWrite(t, s, Secrets, "rt", "{not json")
	seen := readSeen(t, s, Secrets, "rt")

	// A Store that has not loaded the data key cannot tell what a sealed
	// entry holds, so it removes nothing.
	fresh := reopen(t, s, Options{Backend: "file"})
	err := fresh.Discard(Secrets, "rt", seen)
	if err == nil || !strings.Contains(err.Error(), "nothing was removed") {
		t.Errorf("Discard without a loaded key = %v, want a refusal", err)
	}
	mustRead(t, s, Secrets, "rt", "{not json")

	// An entry that is damaged now is not what was seen: Read reports it.
	if err := os.WriteFile(entryPath(s, Secrets, "rt"), []byte("AADS\x01 damaged"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := s.Discard(Secrets, "rt", seen); err != nil {
		t.Errorf("Discard of a damaged entry: %v", err)
	}
	if _, err := os.Stat(entryPath(s, Secrets, "rt")); err != nil {
		t.Errorf("Discard removed an entry that did not hold what was seen: %v", err)
	}
	expectCorrupt(t, s, Secrets, "rt", "truncated")
}

func TestDiscardRefusesInvalidNames(t *testing.T) {
	s := openStore(t, Options{Backend: "file"})
	for _, name := range []string{"", "../data.key", ".tmp-x"} {
		if err := s.Discard(Secrets, name, nil); err == nil {
			t.Errorf("Discard(%q) succeeded", name)
		}
	}
	if err := s.Discard(Tier(9), "a", nil); err == nil {
		t.Error("Discard in an unknown tier succeeded")
	}
}
