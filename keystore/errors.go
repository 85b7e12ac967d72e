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
// entry it could not use. By then the entry has been removed, or moved into the
// quarantine, so the next Read reports [ErrNotFound] and the caller acquires the
// credential again (on a store that cannot be written, it stays, and is
// reported again).
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

// CorruptError describes an entry that could not be used and was discarded: removed or, for a
// sealed entry, moved into the quarantine. When the store cannot be changed (read-only, say),
// the entry stays where it was, and Stuck says why.
type CorruptError struct {
	Tier   Tier
	Name   string
	Reason string // what was wrong, e.g. "truncated", "sealed with a different data key"
	// Quarantined is where the entry went, when it was moved into the quarantine.
	Quarantined string
	// Stuck is why the entry could be neither removed nor moved into the quarantine.
	Stuck error
}

// Error says which entry was unusable, why, and what became of it.
func (e *CorruptError) Error() string {
	switch {
	case e.Stuck != nil:
		return fmt.Sprintf("cannot use unreadable %s entry %s: %s; it is left in place, since %v", e.Tier, e.Name, e.Reason, e.Stuck)
	case e.Quarantined != "":
		return fmt.Sprintf("moved unreadable %s entry %s to %s (kept 7 days): %s", e.Tier, e.Name, e.Quarantined, e.Reason)
	}
	return fmt.Sprintf("discarded unreadable %s entry %s: %s", e.Tier, e.Name, e.Reason)
}

// Fate says what became of the entry, to end a sentence about it: "was moved to the
// quarantine", "is left in place" or "was discarded".
func (e *CorruptError) Fate() string {
	switch {
	case e.Stuck != nil:
		return "is left in place"
	case e.Quarantined != "":
		return "was moved to the quarantine"
	}
	return "was discarded"
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

// ErrUnwritable is matched by the *[UnwritableError] that writes and locks return when the store
// cannot be written now.
var ErrUnwritable = errors.New("the store cannot be written")

// UnwritableError reports a store that cannot be written now: its file system is read-only or
// full, or the user may not write there. What it holds can still be read, so a caller goes on
// without keeping what it got. Its message names only the store and the system's reason, so that
// every write that fails for the same reason says the same thing.
type UnwritableError struct {
	Dir string
	Err error // the system's reason, e.g. syscall.EROFS
}

// Error names the store and why it cannot be written.
func (e *UnwritableError) Error() string {
	return fmt.Sprintf("the token store %s cannot be written (%v), so nothing new is kept", e.Dir, e.Err)
}

// Is reports whether target is [ErrUnwritable].
func (e *UnwritableError) Is(target error) bool { return target == ErrUnwritable }

// Unwrap returns the system's reason.
func (e *UnwritableError) Unwrap() error { return e.Err }
