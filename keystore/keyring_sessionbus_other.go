//go:build !linux

package keystore

import (
	"context"
	"errors"
)

// openSessionBusKeyring: the Secret Service and KWallet are offered on Linux
// only, where desktops run them.
func openSessionBusKeyring(ctx context.Context, backend string) (Keyring, error) {
	return nil, errors.New(backendNeeds(backend))
}
