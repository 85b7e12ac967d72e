package tests

import (
	"context"
	"encoding/json"
	"maps"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/aadcred/aadcred/keystore"
	"github.com/aadcred/aadcred/tests/harness"
)

// storeFiles is what a store holds on disk (harness.StoreFiles), by path relative to the store.
type storeFiles map[string]string

func snapshot(t *testing.T, dir string) storeFiles {
	t.Helper()
	return harness.StoreFiles(t, dir)
}

// names lists the entries under sub (a tier, or "quarantine") whose names start with prefix.
func (f storeFiles) names(sub, prefix string) []string {
	var out []string
	for p := range f {
		if filepath.Dir(p) == sub && strings.HasPrefix(filepath.Base(p), prefix) {
			out = append(out, filepath.Base(p))
		}
	}
	slices.Sort(out)
	return out
}

// one returns the only entry under sub whose name starts with prefix.
func (f storeFiles) one(t *testing.T, sub, prefix string) string {
	t.Helper()
	names := f.names(sub, prefix)
	if len(names) != 1 {
		t.Fatalf("want one %s/%s… entry, the store has %q", sub, prefix, names)
	}
	return names[0]
}

// requireKept fails if anything the store held before was removed or changed.
func requireKept(t *testing.T, before, after storeFiles) {
	t.Helper()
	for _, p := range slices.Sorted(maps.Keys(before)) {
		if v, ok := after[p]; !ok {
			t.Errorf("%s was removed", p)
		} else if v != before[p] {
			t.Errorf("%s was changed", p)
		}
	}
}

// openStore opens the world's store in the test process, for writing entries as a damaged or
// older aadcred would have left them. The store keeps its data key in a key file (no keyring
// answers in the tests' environment).
func openStore(t *testing.T, dir string) *keystore.Store {
	t.Helper()
	s, err := keystore.Open(keystore.Options{Dir: dir, Backend: "file"})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// editCachedTokens sets fields of every cached access token (tokens/t…), as a store left by an
// earlier run would hold them.
func editCachedTokens(t *testing.T, w *harness.World, fields map[string]string) {
	t.Helper()
	s := openStore(t, w.StoreDir())
	names, err := s.List(keystore.AccessTokens)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for _, name := range names {
		if !strings.HasPrefix(name, "t") {
			continue
		}
		data, err := s.Read(ctx, keystore.AccessTokens, name)
		if err != nil {
			t.Fatal(err)
		}
		var entry map[string]any
		if err := json.Unmarshal(data, &entry); err != nil {
			t.Fatal(err)
		}
		for k, v := range fields {
			entry[k] = v
		}
		if data, err = json.Marshal(entry); err != nil {
			t.Fatal(err)
		}
		if err := s.Write(ctx, keystore.AccessTokens, name, data); err != nil {
			t.Fatal(err)
		}
	}
}
