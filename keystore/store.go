package keystore

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

// Tier selects where an entry lives and how it is protected.
type Tier int

const (
	// AccessTokens holds short-lived entries in plain 0600 files (sealed
	// like Secrets when Options.EncryptAccessTokens is set). Reading one
	// touches no lock and no keyring.
	AccessTokens Tier = iota
	// Secrets holds long-lived entries sealed with AES-256-GCM under the
	// store's data key.
	Secrets
)

// String returns the tier's directory name, which is also how messages name it.
func (t Tier) String() string {
	switch t {
	case AccessTokens:
		return "tokens"
	case Secrets:
		return "secrets"
	}
	return fmt.Sprintf("Tier(%d)", int(t))
}

func (t Tier) valid() bool { return t == AccessTokens || t == Secrets }

// Options configures Open.
type Options struct {
	// Dir is the store's root directory. The caller resolves the default
	// (AADCRED_CACHE_DIR, else os.UserCacheDir()/aadcred).
	Dir string
	// Backend chooses where the data key of the secrets tier is kept: "auto"
	// (the default when empty), "keychain", "wincred", "secret-service",
	// "kwallet", "pass", "keyctl", "passphrase" or "file".
	//
	// "auto" makes the data key in the platform's keyring (macOS Keychain,
	// Windows Credential Manager, or Secret Service when a session D-Bus
	// answers), else from the passphrase when one is given, else in a key
	// file; Protection says which and why. The backend that holds the key is
	// recorded in the store, and "auto" then uses that one only: when it
	// cannot be reached, the secrets tier fails with ErrKeyUnavailable. A
	// backend chosen by name is used or fails, never replaced, and is
	// recorded once it holds the key.
	Backend string
	// Passphrase, when set, is what the data key is derived from with the
	// "passphrase" backend (and with "auto" when no OS keyring is usable).
	// The caller reads it from AADCRED_KEYRING_PASSPHRASE.
	Passphrase string
	// EncryptAccessTokens seals access-token entries like secrets. It makes
	// every cached-token answer load the data key.
	EncryptAccessTokens bool
	// Keyring opens OS keyrings; nil means github.com/99designs/keyring.
	Keyring KeyringOpener
}

// Store is a credential store rooted in one directory. It is safe for use by
// several goroutines and, through its locks and atomic writes, by several
// processes at once.
type Store struct {
	dir                 string
	backend             string
	passphrase          string
	encryptAccessTokens bool
	keyring             KeyringOpener
	uid                 int

	// Seams, set by Open and replaced by tests.
	createTemp func(dir, pattern string) (tempFile, error)
	now        func() time.Time
	lockPoll   time.Duration // how often a waiting Lock retries
	lockNotice time.Duration // how long Lock waits before calling waiting

	// unwritable, when set, says why the store's directories could not be made: the store is
	// then empty, and every write and lock fails with it.
	unwritable *UnwritableError

	mu  sync.Mutex
	key *dataKey // loaded on first use of the data key
}

// staleTempAge is how old a temporary file must be before Clean takes it for
// the leftover of a killed writer rather than a write in progress.
const staleTempAge = 10 * time.Minute

// Open prepares the store in opts.Dir: it creates the directory tree with mode
// 0700 where missing and refuses one that other users can access. It does not
// touch the OS keyring; that happens on first use of the secrets tier.
//
// A tree that cannot be made (a read-only home, say) is not an error: the store
// is then empty, and its writes and locks fail with ErrUnwritable, so that a
// caller serves what it gets without keeping it.
func Open(opts Options) (*Store, error) {
	if opts.Dir == "" {
		return nil, errors.New("opening credential store: no directory given")
	}
	dir, err := filepath.Abs(opts.Dir)
	if err != nil {
		return nil, fmt.Errorf("opening credential store: %w", err)
	}
	backend := opts.Backend
	if backend == "" {
		backend = "auto"
	}
	if _, isKeyring := keyringDescription(backend); !isKeyring && backend != "auto" && backend != "passphrase" && backend != "file" {
		return nil, fmt.Errorf("opening credential store: unknown keyring backend %q (want auto, keychain, wincred, secret-service, kwallet, pass, keyctl, passphrase or file)", backend)
	}
	if backend == "passphrase" && opts.Passphrase == "" {
		return nil, errors.New(`opening credential store: keyring backend "passphrase" needs a passphrase in AADCRED_KEYRING_PASSPHRASE`)
	}
	s := &Store{
		dir:                 dir,
		backend:             backend,
		passphrase:          opts.Passphrase,
		encryptAccessTokens: opts.EncryptAccessTokens,
		keyring:             opts.Keyring,
		uid:                 os.Getuid(),
		createTemp:          createTempFile,
		now:                 time.Now,
		lockPoll:            15 * time.Millisecond,
		lockNotice:          time.Second,
	}
	if s.keyring == nil {
		s.keyring = osKeyrings{}
	}
	for _, d := range []string{dir, s.tierDir(AccessTokens), s.tierDir(Secrets), filepath.Join(dir, "locks")} {
		if err := s.ensurePrivateDir(d); err != nil {
			if s.unwritable = s.asUnwritable(err); s.unwritable != nil {
				break
			}
			return nil, fmt.Errorf("opening credential store: %w", err)
		}
	}
	return s, nil
}

// ensurePrivateDir creates dir with mode 0700 if it is missing, and checks
// that only the user can access it. It stats first because the directories
// almost always exist, and Open runs on every invocation.
func (s *Store) ensurePrivateDir(dir string) error {
	fi, err := os.Stat(dir)
	if errors.Is(err, fs.ErrNotExist) {
		if err := makePrivateDir(dir); err != nil {
			return err
		}
		fi, err = os.Stat(dir)
	}
	if err != nil {
		return err
	}
	if !fi.IsDir() {
		return fmt.Errorf("%s is not a directory", dir)
	}
	return checkPrivate(dir, fi, s.uid)
}

// Dir returns the store's root directory, as an absolute path.
func (s *Store) Dir() string { return s.dir }

func (s *Store) tierDir(t Tier) string { return filepath.Join(s.dir, t.String()) }

// sealed reports whether entries written to tier t are encrypted.
func (s *Store) sealed(t Tier) bool {
	return t == Secrets || s.encryptAccessTokens
}

func checkEntry(t Tier, name string) error {
	if !t.valid() {
		return fmt.Errorf("invalid tier %v", t)
	}
	return validateName(name)
}

// Read returns the data stored under name. It returns an error matching
// ErrNotFound when there is none, and a *CorruptError (matching ErrCorrupt)
// when the entry was unusable, in which case it has been removed, or, if it was
// sealed or a secret, moved into the quarantine.
//
// Some entries are unusable now without being damaged; they are left in place
// and the error says why: ErrNewerFormat for an entry a newer aadcred wrote,
// and ErrKeyUnavailable for a sealed entry whose data key exists but cannot be
// used now. A sealed entry is discarded only when the backend that keeps the
// data key answers and holds no key, or a key other than the entry's.
//
// Reading a plain access-token entry costs one open and one read: no lock
// and no keyring. A sealed entry needs the data key, loaded once per Store.
func (s *Store) Read(ctx context.Context, t Tier, name string) ([]byte, error) {
	if err := checkEntry(t, name); err != nil {
		return nil, err
	}
	path := filepath.Join(s.tierDir(t), name)
	raw, fi, err := readPrivateFile(path, s.uid, maxFileSize)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, fmt.Errorf("reading %s entry %s: %w", t, name, ErrNotFound)
	case errors.Is(err, errTooLarge), errors.Is(err, errLink):
		return nil, s.discard(t, name, path, fi, t == Secrets, err.Error())
	case err != nil:
		return nil, fmt.Errorf("reading %s entry %s: %w", t, name, err)
	}
	if err := newerFormat(raw); err != nil {
		return nil, fmt.Errorf("reading %s entry %s: %w; it is left in place", t, name, err)
	}
	label := t.String() + "/" + name
	if !isSealed(raw) {
		data, err := decodePlain(label, raw)
		if err != nil {
			return nil, s.discard(t, name, path, fi, t == Secrets, err.Error())
		}
		return data, nil
	}
	// Reading never makes a key: without one, nothing sealed can be read.
	key, p, err := s.loadKey(ctx, false)
	if err != nil {
		return nil, fmt.Errorf("reading %s entry %s: %w", t, name, err)
	}
	if key == nil {
		return nil, s.discard(t, name, path, fi, true, s.noKeyReason(p))
	}
	data, err := unseal(key, label, raw)
	switch {
	case errors.Is(err, errOtherKey):
		return nil, s.discard(t, name, path, fi, true, s.otherKeyReason(key))
	case err != nil:
		return nil, s.discard(t, name, path, fi, true, err.Error())
	}
	return data, nil
}

// noKeyReason explains a sealed entry that cannot be read because the backend
// in use, p, holds no data key.
func (s *Store) noKeyReason(p Protection) string {
	if recorded, _ := s.readRecord(); recorded != "" && recorded != p.Backend {
		// Only a chosen backend differs from the record.
		return "sealed under the data key kept by " + s.keySourceName(recorded) +
			", but backend " + p.Backend + " was chosen, and " + s.keySourceName(p.Backend) + " holds none"
	}
	return "sealed, but there is no data key in " + s.keySourceName(p.Backend) +
		" (was the keyring reset, or the key or salt file removed?)"
}

// discard removes an unusable entry, or moves it into the quarantine when keep is set (a sealed
// entry, or anything in the secrets tier: what it held cannot be got back), and returns the
// error that reports it. It touches the file only if it is still the one that was read: a
// writer may have replaced it with a good entry in the meantime.
func (s *Store) discard(t Tier, name, path string, read fs.FileInfo, keep bool, reason string) error {
	e := &CorruptError{Tier: t, Name: name, Reason: reason}
	if keep {
		dest, err := s.quarantine(path, t.String()+"/"+name, read)
		if err != nil {
			e.Stuck = fmt.Errorf("moving it into the quarantine failed: %w", err)
		}
		e.Quarantined = dest
		return e
	}
	if now, err := os.Lstat(path); err == nil && read != nil && os.SameFile(read, now) {
		if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
			e.Stuck = fmt.Errorf("removing it failed: %w", err)
		}
	}
	return e
}

// Write stores data under name, replacing any previous entry atomically: a
// concurrent reader, or a crash, leaves the old entry or the new one. If the
// write fails (a full disk, say), the old entry is untouched.
func (s *Store) Write(ctx context.Context, t Tier, name string, data []byte) error {
	if err := checkEntry(t, name); err != nil {
		return err
	}
	if len(data) > maxEntrySize {
		return fmt.Errorf("writing %s entry %s: %d bytes is more than the %d an entry may hold", t, name, len(data), maxEntrySize)
	}
	if s.unwritable != nil {
		return s.unwritable
	}
	label := t.String() + "/" + name
	var content []byte
	if s.sealed(t) {
		key, _, err := s.loadKey(ctx, true)
		if err != nil {
			return s.writeError(t, name, err)
		}
		if content, err = seal(key, label, data); err != nil {
			return fmt.Errorf("writing %s entry %s: %w", t, name, err)
		}
	} else {
		content = encodePlain(label, data)
	}
	if err := s.writeAtomic(s.tierDir(t), name, content); err != nil {
		return s.writeError(t, name, err)
	}
	return nil
}

// writeError reports a failed write: as the store's UnwritableError when the file system
// refused it, so that every write refused for one reason says the same.
func (s *Store) writeError(t Tier, name string, err error) error {
	if u := s.asUnwritable(err); u != nil {
		return u
	}
	return fmt.Errorf("writing %s entry %s: %w", t, name, err)
}

// Delete removes the entry called name; a missing entry is not an error.
func (s *Store) Delete(t Tier, name string) error {
	if err := checkEntry(t, name); err != nil {
		return err
	}
	if err := os.Remove(filepath.Join(s.tierDir(t), name)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("deleting %s entry %s: %w", t, name, err)
	}
	return nil
}

// List returns the names of the entries in tier t, sorted. Temporary files
// and anything else that is not an entry are left out.
func (s *Store) List(t Tier) ([]string, error) {
	if !t.valid() {
		return nil, fmt.Errorf("invalid tier %v", t)
	}
	entries, err := os.ReadDir(s.tierDir(t))
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("listing %s entries: %w", t, err)
	}
	names := make([]string, 0, len(entries))
	for _, e := range entries {
		if e.Type().IsRegular() && validateName(e.Name()) == nil {
			names = append(names, e.Name())
		}
	}
	return names, nil
}

// Clean removes every entry of both tiers, and temporary files that writers
// killed mid-write left behind (those older than ten minutes; younger ones
// may belong to a write in progress).
//
// It keeps the lock files, because removing one that another process holds
// or waits on would let two processes in at once; and it keeps the data key,
// because it protects nothing once the entries are gone, and a process
// writing concurrently may be sealing with it.
func (s *Store) Clean() error {
	var errs []error
	for _, t := range []Tier{AccessTokens, Secrets} {
		dir := s.tierDir(t)
		entries, err := os.ReadDir(dir)
		if err != nil {
			errs = append(errs, fmt.Errorf("cleaning %s entries: %w", t, err))
			continue
		}
		for _, e := range entries {
			if !s.removable(e) {
				continue
			}
			if err := os.Remove(filepath.Join(dir, e.Name())); err != nil && !errors.Is(err, fs.ErrNotExist) {
				errs = append(errs, fmt.Errorf("cleaning %s entries: %w", t, err))
			}
		}
	}
	return errors.Join(errs...)
}

// removable reports whether Clean should remove a directory entry: an entry,
// or a stale temporary file.
func (s *Store) removable(e fs.DirEntry) bool {
	if !e.Type().IsRegular() {
		return false
	}
	if validateName(e.Name()) == nil {
		return true
	}
	if !strings.HasPrefix(e.Name(), tempPrefix) {
		return false
	}
	info, err := e.Info()
	return err == nil && s.now().Sub(info.ModTime()) >= staleTempAge
}
