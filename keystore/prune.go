package keystore

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// Prune removes the entries of tier t whose name starts with prefix and whose
// file was last written longer than olderThan ago, and returns how many it
// removed. It also removes the temporary files that writers killed mid-write
// left in the tier (those older than ten minutes, whatever their name), and
// what has been in the quarantine for seven days; they are not counted.
//
// It goes by the files' modification times alone: one stat per file, no
// reads, no data key, no lock. Lock files and the data key live outside the
// tiers and are never touched. An entry that another process rewrites between
// the stat and the removal is removed all the same, so olderThan should be an
// age no entry in use reaches; the cost of a mistake is one credential
// acquired again.
func (s *Store) Prune(t Tier, prefix string, olderThan time.Duration) (int, error) {
	if !t.valid() {
		return 0, fmt.Errorf("invalid tier %v", t)
	}
	if olderThan < 0 {
		return 0, fmt.Errorf("pruning %s entries: negative age %v", t, olderThan)
	}
	now := s.now()
	s.pruneQuarantine(now)
	dir := s.tierDir(t)
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("pruning %s entries: %w", t, err)
	}
	removed := 0
	var errs []error
	for _, e := range entries {
		if !e.Type().IsRegular() {
			continue
		}
		name := e.Name()
		isEntry := validateName(name) == nil
		age := olderThan
		switch {
		case isEntry && strings.HasPrefix(name, prefix):
		case strings.HasPrefix(name, tempPrefix):
			age = staleTempAge
		default:
			continue
		}
		info, err := e.Info()
		if err != nil || now.Sub(info.ModTime()) <= age {
			continue // gone already, or young
		}
		if err := os.Remove(filepath.Join(dir, name)); err != nil {
			if !errors.Is(err, fs.ErrNotExist) {
				errs = append(errs, fmt.Errorf("pruning %s entries: %w", t, err))
			}
			continue
		}
		if isEntry {
			removed++
		}
	}
	return removed, errors.Join(errs...)
}
