package keystore

import (
	"errors"
	"fmt"
	"io/fs"
)

// ErrNotFound is returned (wrapped) by [Store.Read] when there is no entry of
// that name.
var ErrNotFound = errors.New("no such entry")

// ErrCorrupt is matched by the *[CorruptError] that [Store.Read] returns for an
// entry it could not use. By then the entry has been removed, so the next Read
// reports [ErrNotFound] and the caller acquires the credential again.
var ErrCorrupt = errors.New("corrupt entry")

// ErrKeyUnavailable is matched by the errors of secrets-tier operations (and
// of Protection) when the data key exists but cannot be used now: the backend
// that keeps it cannot be reached, the passphrase is not the one the key was
// made from, or a newer aadcred wrote it. Nothing has been deleted; the error
// says what to do.
var ErrKeyUnavailable = errors.New("data key unavailable")

// ErrNewerFormat is matched by the error [Store.Read] returns for an entry in
// a format this aadcred does not know, which a newer one wrote. The entry is
// left in place.
var ErrNewerFormat = errors.New("written by a newer aadcred")

// ErrKeyringItemNotFound is returned by [Keyring.Get] when the keyring holds no
// item of that name.
var ErrKeyringItemNotFound = errors.New("no such item in the keyring")

// CorruptError describes an entry that could not be used and was discarded.
type CorruptError struct {
	Tier   Tier
	Name   string
	Reason string // what was wrong, e.g. "truncated", "sealed with a different data key"
}

// Error says which entry was discarded and why.
func (e *CorruptError) Error() string {
	return fmt.Sprintf("discarded unreadable %s entry %s: %s", e.Tier, e.Name, e.Reason)
}

// Is reports whether target is [ErrCorrupt].
func (e *CorruptError) Is(target error) bool { return target == ErrCorrupt }

// InsecureError reports a store directory or file that other users could read
// or write, or that belongs to someone else. The store refuses to use it.
type InsecureError struct {
	Path  string
	Mode  fs.FileMode // type and permission bits found
	Owner int         // owner's uid when it is not the current user, else -1
	User  int         // the current user's uid

	// Reason and Fix say what is wrong and which command fixes it where
	// modes and uids do not tell (Windows, whose files are guarded by access
	// control lists); they are empty elsewhere.
	Reason, Fix string
}

// Error names the path, what is wrong with it, and the command that fixes it.
func (e *InsecureError) Error() string {
	if e.Reason != "" {
		return fmt.Sprintf("refusing to use %s: %s; fix with: %s", e.Path, e.Reason, e.Fix)
	}
	if e.Owner >= 0 {
		return fmt.Sprintf("refusing to use %s: it belongs to uid %d, not to you (uid %d); fix with: chown %d %s",
			e.Path, e.Owner, e.User, e.User, e.Path)
	}
	want := fs.FileMode(0o600)
	if e.Mode.IsDir() {
		want = 0o700
	}
	return fmt.Sprintf("refusing to use %s: other users can access it (mode %04o); fix with: chmod %o %s",
		e.Path, e.Mode.Perm(), want.Perm(), e.Path)
}
