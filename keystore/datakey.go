package keystore

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

const keyIDLen = 8

// dataKey is the loaded key of the secrets tier.
type dataKey struct {
	aead cipher.AEAD
	// id names the key in each sealed entry, so that an entry sealed under
	// another key is explained rather than reported as damage. It is a hash
	// of the key and reveals nothing usable about it.
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
	k := &dataKey{aead: aead, protection: p}
	sum := sha256.Sum256(append([]byte("aadcred data key id\x00"), raw...))
	copy(k.id[:], sum[:])
	return k, nil
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
	desc, _ := keyringDescription(backend)
	return "the " + desc
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

// candidate is a backend the store may take the data key from.
type candidate struct {
	title string // for fallback messages, e.g. "Secret Service"
	open  func(ctx context.Context) (keySource, error)
}

// candidates lists the backends to try, most preferred first.
func (s *Store) candidates() []candidate {
	file := candidate{"key file", func(context.Context) (keySource, error) { return &fileSource{s}, nil }}
	passphrase := candidate{"passphrase", func(context.Context) (keySource, error) {
		return &passphraseSource{s, s.passphrase}, nil
	}}
	switch s.backend {
	case "file":
		return []candidate{file}
	case "passphrase":
		return []candidate{passphrase}
	case "auto":
		var list []candidate
		if b := platformKeyring(); b != "" {
			list = append(list, s.keyringCandidate(b))
		}
		if s.passphrase != "" {
			list = append(list, passphrase)
		}
		return append(list, file)
	default:
		return []candidate{s.keyringCandidate(s.backend)}
	}
}

func (s *Store) keyringCandidate(backend string) candidate {
	desc, _ := keyringDescription(backend)
	title := strings.TrimSuffix(strings.TrimPrefix(desc, "OS keyring ("), ")")
	return candidate{title, func(ctx context.Context) (keySource, error) {
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

// obtainKey finds the data key, trying the candidates in order when the
// backend is "auto"; create is as for loadKey.
func (s *Store) obtainKey(ctx context.Context, create bool) (*dataKey, Protection, error) {
	var skipped []string
	cands := s.candidates()
	for i, c := range cands {
		k, p, err := s.keyFrom(ctx, c, create)
		if err == nil {
			if len(skipped) > 0 {
				p.Fallback = "not using " + strings.Join(skipped, "; ")
				if k != nil {
					k.protection = p
				}
			}
			return k, p, nil
		}
		err = fmt.Errorf("%s: %w", c.title, err)
		var insecure *InsecureError
		if s.backend != "auto" || i == len(cands)-1 || errors.As(err, &insecure) || ctx.Err() != nil {
			return nil, p, err
		}
		skipped = append(skipped, err.Error())
	}
	return nil, Protection{}, errors.New("no data key backend to try")
}

// keyFrom loads the data key from one candidate.
func (s *Store) keyFrom(ctx context.Context, c candidate, create bool) (*dataKey, Protection, error) {
	src, err := c.open(ctx)
	if err != nil {
		return nil, Protection{}, fmt.Errorf("not available: %w", err)
	}
	p := src.protection()
	raw, err := src.get(ctx)
	var bad *badKeyError
	switch {
	case err == nil:
		k, err := newDataKey(raw, p)
		return k, p, err
	case !errors.Is(err, errNoKey) && !errors.As(err, &bad):
		return nil, p, err
	case !create:
		return nil, p, nil
	}

	// Make a key, under a lock so that processes starting together agree on
	// one; whoever comes second finds the first one's key.
	unlock, err := s.lock(ctx, dataKeyLockName, nil)
	if err != nil {
		return nil, p, err
	}
	defer unlock()
	raw, err = src.get(ctx)
	if err == nil {
		k, err := newDataKey(raw, p)
		return k, p, err
	}
	var replaced string
	switch {
	case errors.As(err, &bad):
		replaced = fmt.Sprintf("the data key was unusable (%s), so a new one was made", bad.reason)
	case errors.Is(err, errNoKey):
		if s.hasSealedEntries() {
			replaced = "no data key was found although sealed entries existed, so a new one was made"
		}
	default:
		return nil, p, err
	}
	raw, err = src.create(ctx)
	if err != nil {
		return nil, p, err
	}
	k, err := newDataKey(raw, p)
	if err != nil {
		return nil, p, err
	}
	k.replaced = replaced
	return k, p, nil
}

// dataKeyLockName is the lock taken while a data key is made. Caller-chosen
// names cannot start with a dot, so it never collides with theirs.
const dataKeyLockName = ".data-key"

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
