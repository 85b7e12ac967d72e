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
		return kwalletKeyring{w}, nil
	}
	// The login collection is unlocked at login; a collection of our own
	// would make the service ask the user to set it a password.
	ss, err := dbuskeyring.OpenSecretService(ctx, conn, "login")
	if err != nil {
		conn.Close()
		return nil, err
	}
	return secretServiceKeyring{ss}, nil
}

// secretServiceKeyring keeps items in the Secret Service's login collection.
type secretServiceKeyring struct{ ss *dbuskeyring.SecretService }

// profileAttributes are the attributes that find an item: the item name under
// "profile", as earlier releases (through github.com/99designs/keyring) stored
// it, so that their data keys are found.
func profileAttributes(key string) map[string]string { return map[string]string{"profile": key} }

func (k secretServiceKeyring) Get(ctx context.Context, key string) ([]byte, error) {
	value, err := k.ss.Get(ctx, profileAttributes(key))
	if err != nil {
		return nil, sessionBusError(err)
	}
	return unwrapItem(value), nil
}

func (k secretServiceKeyring) Set(ctx context.Context, key, label string, data []byte) error {
	value, err := wrapItem(key, label, data)
	if err != nil {
		return err
	}
	return k.ss.Set(ctx, label, profileAttributes(key), value, "application/json")
}

// kwalletKeyring keeps items as entries of aadcred's KWallet folder.
type kwalletKeyring struct{ w *dbuskeyring.KWallet }

func (k kwalletKeyring) Get(ctx context.Context, key string) ([]byte, error) {
	value, err := k.w.Get(ctx, key)
	if err != nil {
		return nil, sessionBusError(err)
	}
	return unwrapItem(value), nil
}

func (k kwalletKeyring) Set(ctx context.Context, key, label string, data []byte) error {
	value, err := wrapItem(key, label, data)
	if err != nil {
		return err
	}
	return k.w.Set(ctx, key, value)
}

// sessionBusError maps a missing item to ErrKeyringItemNotFound.
func sessionBusError(err error) error {
	if errors.Is(err, dbuskeyring.ErrNotFound) {
		return ErrKeyringItemNotFound
	}
	return err
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

func wrapItem(key, label string, data []byte) ([]byte, error) {
	return json.Marshal(storedItem{Key: key, Data: data, Label: label})
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
