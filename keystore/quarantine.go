package keystore

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"
)

// The quarantine holds what the store could not open and would otherwise have deleted: sealed
// entries (a damaged file, a key that was replaced) and a damaged key file. They are kept, 0600,
// for quarantineKeep, so that a person who puts the right key back can put them back too.
const (
	quarantineDir  = "quarantine"
	quarantineKeep = 7 * 24 * time.Hour
)

// Quarantined describes a file in the quarantine.
type Quarantined struct {
	From  string    // where it was, relative to the store: "secrets/<name>", or "data.key"
	Path  string    // where it is now
	Since time.Time // when it was moved; it is removed quarantineKeep later
}

// quarantine moves the file at path, which was the store's file from (e.g. "secrets/abc"), into
// the quarantine, and returns where it went. When read is given, the file is moved only if path
// still names it: a writer may have put a good entry in its place since it was read, or another
// process moved it already; then nothing is moved, and the result is empty.
func (s *Store) quarantine(path, from string, read fs.FileInfo) (string, error) {
	if read != nil {
		if now, err := os.Lstat(path); err != nil || !os.SameFile(read, now) {
			return "", nil
		}
	}
	dir := filepath.Join(s.dir, quarantineDir)
	if err := s.ensurePrivateDir(dir); err != nil {
		return "", err
	}
	now := s.now()
	dest := filepath.Join(dir, strings.Replace(from, "/", "-", 1)+"-"+strconv.FormatInt(now.UnixNano(), 10))
	if err := os.Rename(path, dest); err != nil {
		return "", err
	}
	// Entries are 0600 already (the store refuses others); a link is left as it is, since
	// changing its mode would change its target's.
	if fi, err := os.Lstat(dest); err == nil && fi.Mode().IsRegular() {
		os.Chmod(dest, 0o600)
	}
	s.pruneQuarantine(now)
	return dest, nil
}

// Quarantined lists the files in the quarantine, oldest first.
func (s *Store) Quarantined() ([]Quarantined, error) {
	dir := filepath.Join(s.dir, quarantineDir)
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("listing the quarantine: %w", err)
	}
	var out []Quarantined
	for _, e := range entries {
		if q, ok := parseQuarantined(dir, e.Name()); ok && s.now().Sub(q.Since) < quarantineKeep {
			out = append(out, q)
		}
	}
	slices.SortFunc(out, func(a, b Quarantined) int { return a.Since.Compare(b.Since) })
	return out, nil
}

// parseQuarantined reads the name quarantine gave a file: where it came from, then the time.
func parseQuarantined(dir, name string) (Quarantined, bool) {
	i := strings.LastIndexByte(name, '-')
	if i < 0 {
		return Quarantined{}, false
	}
	nanos, err := strconv.ParseInt(name[i+1:], 10, 64)
	if err != nil {
		return Quarantined{}, false
	}
	from := name[:i]
	for _, t := range []Tier{AccessTokens, Secrets} {
		if rest, ok := strings.CutPrefix(from, t.String()+"-"); ok {
			from = t.String() + "/" + rest
		}
	}
	return Quarantined{From: from, Path: filepath.Join(dir, name), Since: time.Unix(0, nanos)}, true
}

// pruneQuarantine removes what has been in the quarantine for quarantineKeep. It is best effort:
// what it cannot remove now goes another time.
func (s *Store) pruneQuarantine(now time.Time) {
	dir := filepath.Join(s.dir, quarantineDir)
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if q, ok := parseQuarantined(dir, e.Name()); ok && now.Sub(q.Since) >= quarantineKeep {
			os.Remove(q.Path)
		}
	}
}

// ClearQuarantine removes everything in the quarantine, as signing every account out does: what
// it holds are sign-ins too.
func (s *Store) ClearQuarantine() error {
	dir := filepath.Join(s.dir, quarantineDir)
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("clearing the quarantine: %w", err)
	}
	var errs []error
	for _, e := range entries {
		if err := os.Remove(filepath.Join(dir, e.Name())); err != nil && !errors.Is(err, fs.ErrNotExist) {
			errs = append(errs, fmt.Errorf("clearing the quarantine: %w", err))
		}
	}
	return errors.Join(errs...)
}
