package harness

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
)

// SnapshotEnv names the directory of a goreleaser snapshot release (its dist/), which .ci/run
// builds once and hands to the tests of what releases ship.
const SnapshotEnv = "AADCRED_SNAPSHOT_DIR"

// Snapshot is a release as goreleaser builds it.
type Snapshot struct {
	Dir     string
	Version string // without the leading v, as archive names carry it
}

// RequireSnapshot finds the snapshot release. Without one the test is skipped on a developer's
// machine; in CI, which builds it, it fails.
func RequireSnapshot(t testing.TB) Snapshot {
	t.Helper()
	dir := os.Getenv(SnapshotEnv)
	if dir == "" {
		missing(t, SnapshotEnv+" names no goreleaser snapshot", "CI must build one first (.ci/run)")
		return Snapshot{}
	}
	// The tests' results depend on the snapshot's files and on the scripts they run, which
	// child processes read: stat them here, so that go test does not replay an old result.
	if err := watchSources(); err != nil {
		t.Fatal(err)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatalf("reading the snapshot: %v", err)
	}
	for _, e := range entries {
		if _, err := os.Stat(filepath.Join(dir, e.Name())); err != nil {
			t.Fatal(err)
		}
	}
	data, err := os.ReadFile(filepath.Join(dir, "metadata.json"))
	if err != nil {
		t.Fatalf("reading the snapshot's metadata: %v", err)
	}
	var meta struct{ Version string }
	if err := json.Unmarshal(data, &meta); err != nil || meta.Version == "" {
		t.Fatalf("the snapshot's metadata.json names no version (%v): %s", err, data)
	}
	return Snapshot{Dir: dir, Version: meta.Version}
}
