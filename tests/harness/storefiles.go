package harness

import (
	"os"
	"path/filepath"
	"testing"
)

// fillerName is the file FullDisk fills a store's file system with.
const fillerName = "filler"

// StoreFiles reads what a store holds on disk, by path relative to the store, without its lock
// files (and without what FullDisk put there): the bytes are compared, so that a test sees
// whether anything changed without reading, and so possibly repairing or quarantining, an entry.
func StoreFiles(t testing.TB, dir string) map[string]string {
	t.Helper()
	files := map[string]string{}
	err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, path)
		if d.IsDir() && rel == "locks" {
			return filepath.SkipDir
		}
		if d.IsDir() || rel == fillerName {
			return nil
		}
		data, err := os.ReadFile(path)
		files[rel] = string(data)
		return err
	})
	if err != nil {
		t.Fatalf("reading the store: %v", err)
	}
	return files
}
