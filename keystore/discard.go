package keystore

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// Discard removes the entry called name if it still holds seen, the data a
// Read of it returned that the caller could not use (it does not parse, say).
// An entry of the secrets tier is moved into the quarantine instead.
// Unlike Delete, it leaves alone an entry that another process has written
// since: that one is good, and removing it would cost a new sign-in.
//
// Discard re-reads the entry, compares its data with seen, and removes the
// file only if its path still names the file it read. That narrows the race
// to the few system calls between that last check and the removal: a Write
// that lands a new file exactly then is lost (and its data acquired again by
// the next caller). It does not take the entry's lock, which writers need
// not hold.
//
// Nothing is removed, and nil returned, when the entry is missing, holds other
// data, or cannot be read now (it is then Read's to report). A sealed entry is
// checked with the data key this Store loaded for the Read that returned seen;
// if it has loaded none, Discard removes nothing and says so.
func (s *Store) Discard(t Tier, name string, seen []byte) error {
	if err := checkEntry(t, name); err != nil {
		return err
	}
	path := filepath.Join(s.tierDir(t), name)
	raw, read, err := readPrivateFile(path, s.uid, maxFileSize)
	switch {
	case errors.Is(err, fs.ErrNotExist), errors.Is(err, errTooLarge):
		return nil
	case err != nil:
		return fmt.Errorf("discarding %s entry %s: %w", t, name, err)
	}
	label := t.String() + "/" + name
	var data []byte
	if isSealed(raw) {
		s.mu.Lock()
		key := s.key
		s.mu.Unlock()
		if key == nil {
			return fmt.Errorf("discarding %s entry %s: it is sealed, and no data key has been loaded to check that it is the one read; nothing was removed", t, name)
		}
		data, err = unseal(key, label, raw)
	} else {
		data, err = decodePlain(label, raw)
	}
	if err != nil || !bytes.Equal(data, seen) {
		return nil
	}
	if t == Secrets {
		// A secret is never deleted on a caller's judgement that it is unusable: a newer
		// caller may have written what this one cannot parse.
		if _, err := s.quarantine(path, t.String()+"/"+name, read); err != nil {
			return fmt.Errorf("discarding %s entry %s: %w", t, name, err)
		}
		return nil
	}
	if now, err := os.Lstat(path); err != nil || !os.SameFile(read, now) {
		return nil
	}
	if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("discarding %s entry %s: %w", t, name, err)
	}
	return nil
}
