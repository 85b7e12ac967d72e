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
// Layout under the store directory (0700 throughout, files 0600):
//
//	tokens/<name>        access-token tier entries
//	secrets/<name>       secrets tier entries, sealed
//	locks/<name>.lock    lock files; never deleted, so that a lock is always one inode
//	data.key             the data key, with the "file" backend
//	passphrase.salt      the key-derivation salt, with the "passphrase" backend
//
// Writes go to a temporary file that is synced and renamed over the entry, so a
// reader sees the old value or the new one, never a mixture, even if the writer
// is killed. An entry that is damaged or no longer decrypts is removed and
// reported once as [ErrCorrupt]; the caller acquires it again.
//
// keystore knows nothing about tokens; the caller chooses entry names (a hash of
// whatever identifies the credential) and the bytes stored under them. Names
// become file names and appear in messages, so they must not be secret; they
// are limited to letters, digits, '-', '_' and '.', at most 128 bytes.
package keystore
