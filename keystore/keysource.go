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
	// a *badKeyError when what it holds cannot be used.
	get(ctx context.Context) ([]byte, error)
	// create makes a new data key, keeps it, and returns it.
	create(ctx context.Context) ([]byte, error)
	protection() Protection
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

func (k *keyringSource) protection() Protection {
	desc, _ := keyringDescription(k.backend)
	return Protection{Backend: k.backend, Description: desc}
}

// keyFileMagic starts the key file: magic, version byte, then the raw key.
const keyFileMagic = "AADK"

// fileSource keeps the data key in a 0600 file inside the store.
type fileSource struct{ s *Store }

func (f *fileSource) path() string { return filepath.Join(f.s.dir, "data.key") }

func (f *fileSource) get(ctx context.Context) ([]byte, error) {
	raw, _, err := readPrivateFile(f.path(), f.s.uid, 64)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, errNoKey
	}
	if errors.Is(err, errTooLarge) {
		return nil, &badKeyError{"the key file is too large"}
	}
	if err != nil {
		return nil, fmt.Errorf("reading the key file: %w", err)
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

func (f *fileSource) protection() Protection {
	return Protection{
		Backend:     "file",
		Description: "key file " + f.path() + " (readable by you only; protects against other users, not against your own processes)",
	}
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

// passphraseSource derives the data key from a passphrase and a random salt
// kept in a 0600 file inside the store.
type passphraseSource struct {
	s          *Store
	passphrase string
}

func (p *passphraseSource) path() string { return filepath.Join(p.s.dir, "passphrase.salt") }

func (p *passphraseSource) get(ctx context.Context) ([]byte, error) {
	raw, _, err := readPrivateFile(p.path(), p.s.uid, 64)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, errNoKey
	}
	if errors.Is(err, errTooLarge) {
		return nil, &badKeyError{"the salt file is too large"}
	}
	if err != nil {
		return nil, fmt.Errorf("reading the salt file: %w", err)
	}
	if len(raw) != len(saltFileMagic)+1+saltLen || !bytes.HasPrefix(raw, []byte(saltFileMagic)) || raw[4] != 1 {
		return nil, &badKeyError{"the salt file is not in the expected format"}
	}
	return p.derive(raw[5:]), nil
}

func (p *passphraseSource) create(ctx context.Context) ([]byte, error) {
	salt := make([]byte, saltLen)
	if _, err := rand.Read(salt); err != nil {
		return nil, fmt.Errorf("making a salt: %w", err)
	}
	content := append([]byte(saltFileMagic+"\x01"), salt...)
	if err := p.s.writeAtomic(p.s.dir, "passphrase.salt", content); err != nil {
		return nil, fmt.Errorf("saving the salt file: %w", err)
	}
	return p.derive(salt), nil
}

func (p *passphraseSource) derive(salt []byte) []byte {
	return argon2.IDKey([]byte(p.passphrase), salt, argonTime, argonMemory, argonThreads, dataKeyLen)
}

func (p *passphraseSource) protection() Protection {
	return Protection{Backend: "passphrase", Description: "passphrase from AADCRED_KEYRING_PASSPHRASE"}
}
