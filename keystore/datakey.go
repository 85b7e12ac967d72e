package keystore

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

const keyIDLen = 8

// dataKey is the loaded key of the secrets tier.
type dataKey struct {
	aead cipher.AEAD
	// id names the key in each sealed entry, so that an entry sealed under
	// another key is explained rather than reported as damage.
	id         [keyIDLen]byte
	protection Protection
	// replaced explains why entries sealed under an earlier key can no longer
	// be read, when this process made the key that replaced it.
	replaced string
}

func newDataKey(raw []byte, p Protection) (*dataKey, error) {
	block, err := aes.NewCipher(raw)
	if err != nil {
		return nil, fmt.Errorf("using the data key: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("using the data key: %w", err)
	}
	return &dataKey{aead: aead, id: keyID(raw), protection: p}, nil
}

// keyID is a hash of the key that names it. It reveals nothing usable about
// the key.
func keyID(raw []byte) [keyIDLen]byte {
	sum := sha256.Sum256(append([]byte("aadcred data key id\x00"), raw...))
	var id [keyIDLen]byte
	copy(id[:], sum[:])
	return id
}

// otherKeyReason explains an entry sealed under a key other than k.
func (s *Store) otherKeyReason(k *dataKey) string {
	reason := "sealed with a different data key than the current one from " + s.keySourceName(k.protection.Backend)
	if k.replaced != "" {
		return reason + "; " + k.replaced
	}
	return reason + " (was the keyring reset, the passphrase changed, or the key file replaced?)"
}

// keySourceName names where a backend keeps the data key, for messages.
func (s *Store) keySourceName(backend string) string {
	switch backend {
	case "file":
		return "the key file " + filepath.Join(s.dir, "data.key")
	case "passphrase":
		return "the passphrase in AADCRED_KEYRING_PASSPHRASE"
	}
	if desc, ok := keyringDescription(backend); ok {
		return "the " + desc
	}
	return fmt.Sprintf("backend %q", backend)
}

// loadKey returns the data key, loading it on first use and keeping it for
// the life of the Store. With create, a missing or unusable key is replaced
// by a new one; without, a missing key gives a nil key and the protection
// that would hold it.
func (s *Store) loadKey(ctx context.Context, create bool) (*dataKey, Protection, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.key != nil {
		return s.key, s.key.protection, nil
	}
	k, p, err := s.obtainKey(ctx, create)
	if err != nil {
		return nil, p, err
	}
	s.key = k
	return k, p, nil
}

// obtainKey finds the data key and, with create, makes one where there is
// none (or only an unusable one).
func (s *Store) obtainKey(ctx context.Context, create bool) (*dataKey, Protection, error) {
	found, err := s.findKey(ctx)
	if err != nil || found.key != nil || !create {
		return found.key, found.p, err
	}

	// Make a key, under a lock so that processes starting together agree on
	// one; whoever comes second finds the first one's key, or its record.
	unlock, err := s.lock(ctx, dataKeyLockName, nil)
	if err != nil {
		return nil, found.p, err
	}
	defer unlock()
	if found, err = s.findKey(ctx); err != nil || found.key != nil {
		return found.key, found.p, err
	}
	var replaced string
	switch {
	case found.bad != nil:
		replaced = fmt.Sprintf("the data key was unusable (%s), so a new one was made", found.bad.reason)
		if kept := s.quarantineKeyFile(found.src); kept != "" {
			replaced += "; the old one is kept in " + kept
		}
	case s.hasSealedEntries():
		replaced = "no data key was found although sealed entries existed, so a new one was made"
	}
	raw, err := found.src.create(ctx)
	if err != nil {
		return nil, found.p, err
	}
	if err := s.writeRecord(found.p.Backend); err != nil {
		return nil, found.p, err
	}
	k, err := newDataKey(raw, found.p)
	if err != nil {
		return nil, found.p, err
	}
	k.replaced = replaced
	return k, found.p, nil
}

// quarantineKeyFile moves the unusable key file of src, if its key is kept in a file of the
// store, into the quarantine before a new key takes its place: the entries sealed under it are
// quarantined too, and with both a person can put them back. It returns where the file went.
func (s *Store) quarantineKeyFile(src keySource) string {
	f, ok := src.(interface{ path() string })
	if !ok {
		return ""
	}
	dest, err := s.quarantine(f.path(), filepath.Base(f.path()), nil)
	if err != nil {
		return ""
	}
	return dest
}

// dataKeyLockName is the lock taken while a data key is made. Caller-chosen
// names cannot start with a dot, so it never collides with theirs.
const dataKeyLockName = ".data-key"

// keySearch is what looking for the data key found.
type keySearch struct {
	key *dataKey     // the key; nil when there is none yet
	src keySource    // where the key is, or where a new one would be made
	p   Protection   // describes src
	bad *badKeyError // what src holds instead of a usable key, if anything
}

// findKey looks for the data key without making one. A chosen backend is
// looked in alone. Under "auto", the backend recorded as keeping the key is
// looked in alone; without a record, every backend "auto" may use is, and
// the one holding the key is recorded.
func (s *Store) findKey(ctx context.Context) (keySearch, error) {
	recorded, err := s.readRecord()
	if err != nil {
		return keySearch{}, err
	}
	var found keySearch
	switch {
	case s.backend != "auto":
		found, err = s.findChosen(ctx, recorded)
	case recorded != "":
		found, err = s.findRecorded(ctx, recorded)
	default:
		found, err = s.findAnywhere(ctx)
	}
	if found.key != nil {
		found.key.protection = found.p
	}
	return found, err
}

// findChosen looks in the backend chosen in Options. The user's choice says
// where the store's key is, so the record follows it.
func (s *Store) findChosen(ctx context.Context, recorded string) (keySearch, error) {
	c := s.candidate(s.backend)
	found, err := s.lookIn(ctx, c)
	if err != nil {
		found.p.Unavailable = err.Error()
		var insecure *InsecureError
		if errors.Is(err, ErrKeyUnavailable) || errors.As(err, &insecure) || ctx.Err() != nil {
			return found, fmt.Errorf("%s: %w", c.title, err)
		}
		return found, fmt.Errorf("%w: %s: %w", ErrKeyUnavailable, c.title, err)
	}
	if found.key != nil && recorded != s.backend {
		// Best effort: without it, "auto" looks everywhere, which is safe.
		_ = s.writeRecord(s.backend)
	}
	return found, nil
}

// findRecorded looks in the recorded backend only. If it cannot be used now,
// the error says so and what to do; it never falls back to another backend,
// where a new key would orphan every sealed entry.
func (s *Store) findRecorded(ctx context.Context, recorded string) (keySearch, error) {
	if !knownBackend(recorded) {
		reason := fmt.Sprintf("this aadcred does not know backend %q, which %s names as keeping the data key "+
			"(was the store used by a newer aadcred? If not, the file is damaged: remove it, and the key is looked for in every backend)",
			recorded, s.recordPath())
		p := Protection{Backend: recorded, Description: fmt.Sprintf("backend %q", recorded), Unavailable: reason}
		return keySearch{p: p}, fmt.Errorf("%w: %s; nothing was deleted", ErrKeyUnavailable, reason)
	}
	found, err := s.lookIn(ctx, s.candidate(recorded))
	if err != nil {
		found.p.Unavailable = err.Error()
		var insecure *InsecureError
		if errors.Is(err, ErrKeyUnavailable) || errors.As(err, &insecure) || ctx.Err() != nil {
			return found, err
		}
		return found, fmt.Errorf("%w: it is kept by %s, which cannot be used now (%w); nothing was deleted: %s",
			ErrKeyUnavailable, s.keySourceName(recorded), err, remedy(recorded))
	}
	if recorded != s.preferred() {
		found.p.Fallback = "kept where the data key was made, as recorded in " + s.recordPath()
	}
	return found, nil
}

// remedy says what makes a recorded backend usable again, or how to start
// over without it.
func remedy(backend string) string {
	var fix string
	switch backend {
	case "secret-service", "kwallet":
		fix = "run aadcred in your desktop session, where the session D-Bus and the keyring service are reachable"
	case "keychain":
		fix = "run aadcred in your logged-in macOS session, with the login keychain unlocked"
	case "wincred":
		fix = "run aadcred as the same user in a Windows session that can reach the Credential Manager"
	case "pass":
		fix = "check that pass and gpg work (try `pass ls`)"
	case "keyctl":
		fix = "run aadcred where this user's kernel keyring is reachable"
	case "passphrase":
		fix = "set AADCRED_KEYRING_PASSPHRASE to the passphrase used before"
	default:
		fix = "make it usable again"
	}
	return fix + "; or, to start over, choose another backend with AADCRED_KEYRING_BACKEND (the sealed entries are then discarded and acquired again)"
}

// findAnywhere looks in every backend "auto" may use, most preferred first, for
// a store that has no record: a new one, or one made before records existed.
// The first that holds a key is the store's; if none does, a new key would be
// made in the first that can be used. A backend that cannot be used now may
// hold the key of the sealed entries, so then nothing is made (or discarded).
func (s *Store) findAnywhere(ctx context.Context) (keySearch, error) {
	var skipped []string
	var target *keySearch
	for _, c := range s.autoCandidates() {
		found, err := s.lookIn(ctx, c)
		if err != nil {
			found.p.Unavailable = err.Error()
			var insecure *InsecureError
			if errors.Is(err, ErrKeyUnavailable) || errors.As(err, &insecure) || ctx.Err() != nil {
				return found, fmt.Errorf("%s: %w", c.title, err)
			}
			skipped = append(skipped, c.title+": "+err.Error())
			continue
		}
		if found.key != nil || found.bad != nil {
			if found.key != nil {
				// Best effort: without it, the next process looks again.
				_ = s.writeRecord(c.backend)
			}
			found.p.Fallback = fallback(skipped)
			return found, nil
		}
		if target == nil && c.creatable {
			target = &found
		}
	}
	if len(skipped) > 0 && (s.hasSealedEntries() || len(s.sealedKeyIDs()) > 0) {
		reason := "sealed entries exist and no data key was found, but these could not be checked for one: " + strings.Join(skipped, "; ")
		return keySearch{p: Protection{Backend: "auto", Description: "no data key found", Unavailable: reason}},
			fmt.Errorf("%w: %s; nothing was deleted: run aadcred where they can be reached (your desktop session, for a keyring); or, to start over, choose a backend with AADCRED_KEYRING_BACKEND (the sealed entries are then discarded and acquired again)",
				ErrKeyUnavailable, reason)
	}
	if target == nil {
		return keySearch{}, fmt.Errorf("%w: no backend can keep the data key: %s", ErrKeyUnavailable, strings.Join(skipped, "; "))
	}
	target.p.Fallback = fallback(skipped)
	return *target, nil
}

// fallback explains the backends "auto" skipped.
func fallback(skipped []string) string {
	if len(skipped) == 0 {
		return ""
	}
	return "not using " + strings.Join(skipped, "; ")
}

// lookIn opens a candidate and reads its key. The result describes the
// candidate even when there is an error.
func (s *Store) lookIn(ctx context.Context, c candidate) (keySearch, error) {
	found := keySearch{p: s.protectionOf(c.backend)}
	src, err := c.open(ctx)
	if err != nil {
		return found, fmt.Errorf("not available: %w", err)
	}
	found.src = src
	raw, err := src.get(ctx)
	var bad *badKeyError
	switch {
	case err == nil:
		found.key, err = newDataKey(raw, found.p)
		return found, err
	case errors.Is(err, errNoKey):
		return found, nil
	case errors.As(err, &bad):
		found.bad = bad
		return found, nil
	}
	return found, err
}

// candidate is a backend the store may take the data key from.
type candidate struct {
	backend   string
	title     string // for messages, e.g. "Secret Service"
	creatable bool   // a key can be made there
	open      func(ctx context.Context) (keySource, error)
}

// autoCandidates lists the backends "auto" may use, most preferred first. The
// passphrase backend is looked in even without a passphrase, so that a store
// whose key is derived from one is recognised instead of given a new key.
func (s *Store) autoCandidates() []candidate {
	var list []candidate
	if b := platformKeyring(); b != "" {
		list = append(list, s.candidate(b))
	}
	return append(list, s.candidate("passphrase"), s.candidate("file"))
}

// preferred is the backend "auto" makes a new key in when all can be used.
func (s *Store) preferred() string {
	for _, c := range s.autoCandidates() {
		if c.creatable {
			return c.backend
		}
	}
	return "file"
}

// candidate returns the candidate for a backend named as in Options.Backend.
func (s *Store) candidate(backend string) candidate {
	switch backend {
	case "file":
		return candidate{backend, "key file", true, func(context.Context) (keySource, error) { return &fileSource{s}, nil }}
	case "passphrase":
		return candidate{backend, "passphrase", s.passphrase != "", func(context.Context) (keySource, error) {
			return &passphraseSource{s, s.passphrase}, nil
		}}
	}
	title, _ := keyringTitle(backend)
	return candidate{backend, title, true, func(ctx context.Context) (keySource, error) {
		kr, err := s.keyring.OpenKeyring(ctx, backend)
		if err != nil {
			return nil, err
		}
		// One item per store directory, so that stores in different
		// directories (AADCRED_CACHE_DIR) never share or overwrite a key.
		sum := sha256.Sum256([]byte(s.dir))
		return &keyringSource{
			kr:      kr,
			backend: backend,
			item:    "data-key-" + hex.EncodeToString(sum[:8]),
			label:   "aadcred data key for " + s.dir,
		}, nil
	}}
}

// protectionOf describes a backend, for Protection.
func (s *Store) protectionOf(backend string) Protection {
	switch backend {
	case "file":
		return Protection{
			Backend: "file",
			Description: "key file " + filepath.Join(s.dir, "data.key") +
				" (readable by you only; protects against other users, not against your own processes)",
		}
	case "passphrase":
		return Protection{Backend: "passphrase", Description: "passphrase from AADCRED_KEYRING_PASSPHRASE"}
	}
	desc, _ := keyringDescription(backend)
	return Protection{Backend: backend, Description: desc}
}

// hasSealedEntries reports whether the secrets tier holds any entry, to tell
// the user that a missing key has made them unreadable.
func (s *Store) hasSealedEntries() bool {
	entries, err := os.ReadDir(s.tierDir(Secrets))
	if err != nil {
		return false
	}
	for _, e := range entries {
		if validateName(e.Name()) == nil {
			return true
		}
	}
	return false
}

// sealedKeyIDs returns the IDs of the keys that the sealed entries of both
// tiers were sealed under, reading only their headers.
func (s *Store) sealedKeyIDs() map[[keyIDLen]byte]bool {
	ids := map[[keyIDLen]byte]bool{}
	for _, t := range []Tier{Secrets, AccessTokens} {
		entries, err := os.ReadDir(s.tierDir(t))
		if err != nil {
			continue
		}
		for _, e := range entries {
			if !e.Type().IsRegular() || validateName(e.Name()) != nil {
				continue
			}
			if id, ok := readKeyID(filepath.Join(s.tierDir(t), e.Name())); ok {
				ids[id] = true
			}
		}
	}
	return ids
}

// readKeyID returns the key ID in the header of a sealed entry.
func readKeyID(path string) ([keyIDLen]byte, bool) {
	var id [keyIDLen]byte
	f, err := openNoFollow(path)
	if err != nil {
		return id, false
	}
	defer f.Close()
	header := make([]byte, 5+keyIDLen)
	if _, err := io.ReadFull(f, header); err != nil || !isSealed(header) || header[4] != formatVersion {
		return id, false
	}
	copy(id[:], header[5:])
	return id, true
}
