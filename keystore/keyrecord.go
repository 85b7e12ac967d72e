package keystore

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
)

// recordFile names the backend that keeps the store's data key, as one line of
// text. Once it is written, "auto" uses that backend and no other: falling back
// to another one while it cannot be reached for a moment would make a new key
// there, and every entry sealed under the real one would then be unreadable.
const recordFile = "key.backend"

// maxRecordLen bounds the record file; backend names are a few bytes.
const maxRecordLen = 64

func (s *Store) recordPath() string { return filepath.Join(s.dir, recordFile) }

// readRecord returns the backend named by the record, or "" when there is no
// record: a store made before records existed, or a record that is damaged
// (the key is then looked for everywhere, as for an old store, and the record
// rewritten). A well-formed name this aadcred does not know is returned as it
// is, for the caller to refuse.
func (s *Store) readRecord() (string, error) {
	raw, _, err := readPrivateFile(s.recordPath(), s.uid, maxRecordLen)
	switch {
	case errors.Is(err, fs.ErrNotExist), errors.Is(err, errTooLarge):
		return "", nil
	case err != nil:
		return "", fmt.Errorf("reading which backend keeps the data key: %w", err)
	}
	return parseRecord(raw), nil
}

// parseRecord returns the backend name in a record: lower-case letters and
// '-', then a newline. Anything else gives "".
func parseRecord(raw []byte) string {
	name, ok := bytes.CutSuffix(raw, []byte("\n"))
	if !ok || len(name) == 0 {
		return ""
	}
	for _, c := range name {
		if !('a' <= c && c <= 'z' || c == '-') {
			return ""
		}
	}
	return string(name)
}

// writeRecord records that backend keeps the data key.
func (s *Store) writeRecord(backend string) error {
	if err := s.writeAtomic(s.dir, recordFile, []byte(backend+"\n")); err != nil {
		return fmt.Errorf("recording which backend keeps the data key: %w", err)
	}
	return nil
}

// knownBackend reports whether this aadcred can use a recorded backend.
func knownBackend(name string) bool {
	_, isKeyring := keyringDescription(name)
	return isKeyring || name == "passphrase" || name == "file"
}
