package keystore

import (
	"context"
	"encoding/json"
	"errors"
	"os"

	"github.com/aadcred/aadcred/keystore/internal/dbuskeyring"
)

// openSessionBusKeyring connects to the session bus and opens the Secret
// Service's login collection, or aadcred's KWallet wallet. It runs only when
// the data key is needed, never when a process starts: a cached access token
// is answered without any D-Bus connection.
func openSessionBusKeyring(ctx context.Context, backend string) (Keyring, error) {
	conn, err := dbuskeyring.Dial(ctx, os.Getenv("DBUS_SESSION_BUS_ADDRESS"))
	if err != nil {
		return nil, err
	}
	if backend == "kwallet" {
		// Wallet, folder and application names as earlier releases used them.
		w, err := dbuskeyring.OpenKWallet(ctx, conn, serviceName, serviceName, serviceName)
		if err != nil {
			conn.Close()
			return nil, err
		}
		return storedItems{
			get: w.Get,
			set: func(ctx context.Context, key, label string, value []byte) error { return w.Set(ctx, key, value) },
		}, nil
	}
	// The login collection is unlocked at login; a collection of our own
	// would make the service ask the user to set it a password.
	ss, err := dbuskeyring.OpenSecretService(ctx, conn, "login")
	if err != nil {
		conn.Close()
		return nil, err
	}
	// Items are found by the item name under "profile", as earlier releases
	// (through github.com/99designs/keyring) stored them.
	return storedItems{
		get: func(ctx context.Context, key string) ([]byte, error) {
			return ss.Get(ctx, map[string]string{"profile": key})
		},
		set: func(ctx context.Context, key, label string, value []byte) error {
			return ss.Set(ctx, label, map[string]string{"profile": key}, value, "application/json")
		},
	}, nil
}

// storedItems keeps items in a keyring on the session bus, each wrapped as a
// storedItem.
type storedItems struct {
	get func(ctx context.Context, key string) ([]byte, error)
	set func(ctx context.Context, key, label string, value []byte) error
}

func (k storedItems) Get(ctx context.Context, key string) ([]byte, error) {
	value, err := k.get(ctx, key)
	if errors.Is(err, dbuskeyring.ErrNotFound) {
		return nil, ErrKeyringItemNotFound
	}
	if err != nil {
		return nil, err
	}
	return unwrapItem(value), nil
}

func (k storedItems) Set(ctx context.Context, key, label string, data []byte) error {
	value, err := json.Marshal(storedItem{Key: key, Data: data, Label: label})
	if err != nil {
		return err
	}
	return k.set(ctx, key, label, value)
}

// storedItem is the JSON that github.com/99designs/keyring keeps as the secret
// of a Secret Service item or KWallet entry. Items are written in the same
// form, so that stores made by earlier releases and those releases themselves
// read the same data key.
type storedItem struct {
	Key                         string
	Data                        []byte
	Label                       string
	Description                 string
	KeychainNotTrustApplication bool
	KeychainNotSynchronizable   bool
}

// unwrapItem returns the data of a stored item. A secret that is not such an
// item is returned as it is, for the key source to judge.
func unwrapItem(value []byte) []byte {
	var item storedItem
	if err := json.Unmarshal(value, &item); err != nil || item.Data == nil {
		return value
	}
	return item.Data
}
