package keystore

import "context"

// KeyringOpener opens an OS keyring backend. The default opens
// github.com/99designs/keyring; tests supply their own.
type KeyringOpener interface {
	// OpenKeyring opens the named backend ("keychain", "wincred",
	// "secret-service", "kwallet", "pass" or "keyctl"), or says why it is
	// not available.
	OpenKeyring(ctx context.Context, backend string) (Keyring, error)
}

// Keyring is the little the store needs from an OS keyring: one item that
// holds the data key.
type Keyring interface {
	// Get returns the item's data, or an error matching
	// ErrKeyringItemNotFound when there is no such item.
	Get(ctx context.Context, key string) ([]byte, error)
	// Set creates or replaces the item. label is shown to the user by
	// keyring managers.
	Set(ctx context.Context, key, label string, data []byte) error
}
