// Package keystore keeps aadcred's cached credentials at rest: named byte blobs
// in two tiers, plus the cross-process locks that keep parallel invocations from
// signing in twice.
//
// The [AccessTokens] tier holds short-lived tokens in plain 0600 files, so that
// answering from the cache costs one open and one read: no lock, no keyring, no
// network. The [Secrets] tier holds long-lived secrets (refresh tokens and the
// like) sealed with AES-256-GCM under a data key that is kept, in order of
// preference, in the OS keyring, derived from a passphrase, or stored in a 0600
// key file; [Store.Protection] says which one is in force.
//
// The backend that holds the data key is recorded in the store when the key is
// made. From then on the "auto" backend uses that one only: if it cannot be
// reached (no session D-Bus, say), secrets-tier operations fail with
// [ErrKeyUnavailable] and delete nothing, instead of falling back to a backend
// where a new key would make every sealed entry unreadable. A store made before
// the record existed has its key looked for in every backend "auto" may use,
// and the one that holds it is recorded. A backend chosen by name is used or
// fails, and is recorded once it holds the key. With the passphrase backend,
// the salt file also holds the key's ID, so that a mistyped passphrase is
// refused ([ErrKeyUnavailable]) rather than taken for a new key.
//
// Layout under the store directory (0700 throughout, files 0600):
//
//	tokens/<name>        access-token tier entries
//	secrets/<name>       secrets tier entries, sealed
//	locks/<name>.lock    lock files; never deleted, so that a lock is always one inode
//	quarantine/…         sealed entries (and key files) that could not be opened, kept 7 days
//	key.backend          names the backend that holds the data key, e.g. "secret-service"
//	data.key             the data key, with the "file" backend
//	passphrase.salt      the key-derivation salt and the key's ID, with the "passphrase" backend
//
// Writes go to a temporary file that is synced and renamed over the entry, so a
// reader sees the old value or the new one, never a mixture, even if the writer
// is killed. An entry that is damaged, or sealed under a key that the backend
// holding the data key no longer has, is reported once as [ErrCorrupt] and the
// caller acquires it again: a plain one is removed, but a sealed one, and
// anything in the secrets tier, is moved into the quarantine for seven days
// ([Store.Quarantined]), as is a damaged key file that a new key replaces, so
// that nothing that cannot be got back is deleted on a guess. A symbolic link
// where an entry belongs is never followed. A store that cannot be written (a
// read-only or full file system) is still read; its writes, and the locks it
// has no file for, fail with [ErrUnwritable]. An entry that only cannot be read
// now is left in place: [ErrKeyUnavailable] when its key cannot be reached, and
// [ErrNewerFormat] when a newer aadcred wrote it. A caller that finds an
// entry's data unusable removes it with [Store.Discard], which leaves alone an
// entry another process has rewritten since; [Store.Prune] removes entries
// that have not been written for a given time.
//
// keystore knows nothing about tokens; the caller chooses entry names (a hash of
// whatever identifies the credential) and the bytes stored under them. Names
// become file names and appear in messages, so they must not be secret; they
// are limited to letters, digits, '-', '_' and '.', at most 128 bytes.
package keystore
