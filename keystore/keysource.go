package keystore

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"

	"golang.org/x/crypto/argon2"
)

// keySource is one place the data key can come from.
type keySource interface {
	// get returns the data key, errNoKey when the source holds none yet, or
	// a *badKeyError when what it holds cannot be used. An error matching
	// ErrKeyUnavailable means the source holds the store's key but it cannot
	// be used now (a newer aadcred wrote it, or the passphrase is wrong); it
	// must never lead to a new key.
	get(ctx context.Context) ([]byte, error)
	// create makes a new data key, keeps it, and returns it.
	create(ctx context.Context) ([]byte, error)
}

// errNoKey means a source holds no data key yet.
var errNoKey = errors.New("no data key yet")

// badKeyError means a source holds something that is not a usable data key.
type badKeyError struct{ reason string }

func (e *badKeyError) Error() string { return "unusable data key: " + e.reason }

const dataKeyLen = 32

// newRandomKey makes a data key.
func newRandomKey() ([]byte, error) {
	key := make([]byte, dataKeyLen)
	if _, err := rand.Read(key); err != nil {
		return nil, fmt.Errorf("making a data key: %w", err)
	}
	return key, nil
}

// keyringSource keeps the data key as an OS keyring item.
type keyringSource struct {
	kr      Keyring
	backend string
	item    string // item name, unique to the store directory
	label   string
}

func (k *keyringSource) get(ctx context.Context) ([]byte, error) {
	data, err := k.kr.Get(ctx, k.item)
	if errors.Is(err, ErrKeyringItemNotFound) {
		return nil, errNoKey
	}
	if err != nil {
		return nil, fmt.Errorf("reading the data key from the keyring: %w", err)
	}
	// Stored as text because some backends (pass, Secret Service through
	// some agents) mangle arbitrary bytes.
	key := make([]byte, base64.StdEncoding.DecodedLen(len(data)))
	n, err := base64.StdEncoding.Decode(key, bytes.TrimSpace(data))
	if err != nil || n != dataKeyLen {
		return nil, &badKeyError{"the keyring item is not a 32-byte key"}
	}
	return key[:n], nil
}

func (k *keyringSource) create(ctx context.Context) ([]byte, error) {
	key, err := newRandomKey()
	if err != nil {
		return nil, err
	}
	encoded := []byte(base64.StdEncoding.EncodeToString(key))
	if err := k.kr.Set(ctx, k.item, k.label, encoded); err != nil {
		return nil, fmt.Errorf("saving the data key in the keyring: %w", err)
	}
	return key, nil
}

// maxKeyFileSize bounds what is read of the key and salt files: more than any
// version writes, so that a newer version's file is recognised as such.
const maxKeyFileSize = 1024

// keyFileMagic starts the key file: magic, version byte, then the raw key.
const keyFileMagic = "AADK"

// fileSource keeps the data key in a 0600 file inside the store.
type fileSource struct{ s *Store }

func (f *fileSource) path() string { return filepath.Join(f.s.dir, "data.key") }

func (f *fileSource) get(ctx context.Context) ([]byte, error) {
	raw, _, err := readPrivateFile(f.path(), f.s.uid, maxKeyFileSize)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, errNoKey
	}
	if errors.Is(err, errTooLarge) {
		return nil, &badKeyError{"the key file is too large"}
	}
	if err != nil {
		return nil, fmt.Errorf("reading the key file: %w", err)
	}
	if len(raw) > len(keyFileMagic) && bytes.HasPrefix(raw, []byte(keyFileMagic)) && raw[4] > 1 {
		return nil, fmt.Errorf("%w: the key file %s was %w (format version %d)", ErrKeyUnavailable, f.path(), ErrNewerFormat, raw[4])
	}
	if len(raw) != len(keyFileMagic)+1+dataKeyLen || !bytes.HasPrefix(raw, []byte(keyFileMagic)) || raw[4] != 1 {
		return nil, &badKeyError{"the key file is not in the expected format"}
	}
	return raw[5:], nil
}

func (f *fileSource) create(ctx context.Context) ([]byte, error) {
	key, err := newRandomKey()
	if err != nil {
		return nil, err
	}
	content := append([]byte(keyFileMagic+"\x01"), key...)
	if err := f.s.writeAtomic(f.s.dir, "data.key", content); err != nil {
		return nil, fmt.Errorf("saving the key file: %w", err)
	}
	return key, nil
}

// Key derivation for the passphrase backend: Argon2id with the parameters
// OWASP recommends as a minimum (19 MiB, two passes, one lane). It runs once
// per process that touches the secrets tier, never on the hot path.
const (
	saltFileMagic = "AADA"
	saltLen       = 16
	argonTime     = 2
	argonMemory   = 19 * 1024 // KiB
	argonThreads  = 1
)

// The salt file is "AADA", a version byte, the salt and, from version 2, the
// ID of the key derived from it. The ID is the check value that tells a
// mistyped passphrase from a changed key: it is a hash of the key, which every
// sealed entry carries anyway, so it reveals nothing new. Version 1 files,
// written before the check existed, are checked against the entries instead
// and rewritten as version 2.
const (
	saltFileV1Len = len(saltFileMagic) + 1 + saltLen
	saltFileV2Len = saltFileV1Len + keyIDLen
)

// passphraseSource derives the data key from a passphrase and a random salt
// kept in a 0600 file inside the store.
type passphraseSource struct {
	s          *Store
	passphrase string
}

func (p *passphraseSource) path() string { return filepath.Join(p.s.dir, "passphrase.salt") }

func (p *passphraseSource) get(ctx context.Context) ([]byte, error) {
	raw, _, err := readPrivateFile(p.path(), p.s.uid, maxKeyFileSize)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, errNoKey
	}
	if errors.Is(err, errTooLarge) {
		return nil, &badKeyError{"the salt file is too large"}
	}
	if err != nil {
		return nil, fmt.Errorf("reading the salt file: %w", err)
	}
	if !bytes.HasPrefix(raw, []byte(saltFileMagic)) || len(raw) <= len(saltFileMagic) {
		return nil, &badKeyError{"the salt file is not in the expected format"}
	}
	version := raw[4]
	switch {
	case version > 2:
		return nil, fmt.Errorf("%w: the salt file %s was %w (format version %d)", ErrKeyUnavailable, p.path(), ErrNewerFormat, version)
	case version == 1 && len(raw) == saltFileV1Len, version == 2 && len(raw) == saltFileV2Len:
	default:
		return nil, &badKeyError{"the salt file is not in the expected format"}
	}
	if p.passphrase == "" {
		return nil, fmt.Errorf("%w: it is derived from a passphrase, and AADCRED_KEYRING_PASSPHRASE is not set; nothing was deleted: set it to the passphrase used before", ErrKeyUnavailable)
	}
	salt := raw[5:saltFileV1Len]
	key := p.derive(salt)
	id := keyID(key)
	if version == 2 {
		if !bytes.Equal(raw[saltFileV1Len:], id[:]) {
			return nil, p.wrongPassphrase()
		}
		return key, nil
	}
	if ids := p.s.sealedKeyIDs(); len(ids) > 0 && !ids[id] {
		return nil, p.wrongPassphrase()
	}
	// Best effort: if the upgrade fails, the next process checks again.
	_ = p.save(salt, id)
	return key, nil
}

// wrongPassphrase explains a passphrase that does not derive the store's key.
func (p *passphraseSource) wrongPassphrase() error {
	return fmt.Errorf("%w: AADCRED_KEYRING_PASSPHRASE is not the passphrase the data key was made from; nothing was deleted: "+
		"set the passphrase used before or, to start over with this one, remove %s (the sealed entries are then discarded and acquired again)",
		ErrKeyUnavailable, p.path())
}

func (p *passphraseSource) create(ctx context.Context) ([]byte, error) {
	if p.passphrase == "" {
		return nil, fmt.Errorf("%w: making a data key from a passphrase needs AADCRED_KEYRING_PASSPHRASE", ErrKeyUnavailable)
	}
	salt := make([]byte, saltLen)
	if _, err := rand.Read(salt); err != nil {
		return nil, fmt.Errorf("making a salt: %w", err)
	}
	key := p.derive(salt)
	if err := p.save(salt, keyID(key)); err != nil {
		return nil, err
	}
	return key, nil
}

// save writes the salt file, version 2.
func (p *passphraseSource) save(salt []byte, id [keyIDLen]byte) error {
	content := make([]byte, 0, saltFileV2Len)
	content = append(content, saltFileMagic...)
	content = append(content, 2)
	content = append(content, salt...)
	content = append(content, id[:]...)
	if err := p.s.writeAtomic(p.s.dir, "passphrase.salt", content); err != nil {
		return fmt.Errorf("saving the salt file: %w", err)
	}
	return nil
}

func (p *passphraseSource) derive(salt []byte) []byte {
	return argon2.IDKey([]byte(p.passphrase), salt, argonTime, argonMemory, argonThreads, dataKeyLen)
}
