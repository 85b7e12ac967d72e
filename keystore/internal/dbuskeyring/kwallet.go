package dbuskeyring

import (
	"context"
	"errors"
	"fmt"

	"github.com/godbus/dbus/v5"
)

const (
	kwalletName  = "org.kde.kwalletd5"
	kwalletPath  = dbus.ObjectPath("/modules/kwalletd5")
	kwalletIface = "org.kde.KWallet"
)

// KWallet is one folder of a KDE wallet, opened for reading and writing entries.
type KWallet struct {
	obj    dbus.BusObject
	handle int32
	folder string
	appID  string
}

// OpenKWallet opens the wallet called wallet through kwalletd (which may ask
// the user to allow it, or to create the wallet) and uses its folder for
// entries. appID is the name the user sees kwalletd ask for.
func OpenKWallet(ctx context.Context, conn *dbus.Conn, wallet, folder, appID string) (*KWallet, error) {
	obj := conn.Object(kwalletName, kwalletPath)
	var handle int32
	// The window ID is 0: a command-line program has no window to attach
	// kwalletd's dialog to. The call waits for the user to answer that
	// dialog, so only ctx bounds it.
	if err := obj.CallWithContext(ctx, kwalletIface+".open", 0, wallet, int64(0), appID).Store(&handle); err != nil {
		if isServiceUnknown(err) {
			return nil, errors.New("kwalletd is not running on the session bus")
		}
		return nil, fmt.Errorf("opening KWallet wallet %q: %w", wallet, err)
	}
	if handle < 0 {
		return nil, fmt.Errorf("KWallet did not open wallet %q (refused, or its password was not given)", wallet)
	}
	return &KWallet{obj: obj, handle: handle, folder: folder, appID: appID}, nil
}

// Get returns the entry called key, or ErrNotFound. kwalletd answers an
// entry that does not exist with no bytes, and never stores an empty one for
// us, so empty means missing; but it answers the same for a handle that is no
// longer valid (the wallet was closed, in KWalletManager or by its idle
// timeout), so then the handle is checked first.
func (k *KWallet) Get(ctx context.Context, key string) ([]byte, error) {
	var data []byte
	if err := call(ctx, k.obj, kwalletIface+".readEntry", k.handle, k.folder, key, k.appID).Store(&data); err != nil {
		return nil, fmt.Errorf("reading from KWallet: %w", err)
	}
	if len(data) > 0 {
		return data, nil
	}
	var open bool
	if err := call(ctx, k.obj, kwalletIface+".isOpen", k.handle).Store(&open); err != nil {
		return nil, fmt.Errorf("reading from KWallet: %w", err)
	}
	if !open {
		return nil, errors.New("reading from KWallet: the wallet was closed while aadcred used it")
	}
	return nil, ErrNotFound
}

// Set writes the entry called key, creating the folder if needed.
func (k *KWallet) Set(ctx context.Context, key string, value []byte) error {
	var rc int32
	if err := call(ctx, k.obj, kwalletIface+".writeEntry", k.handle, k.folder, key, value, k.appID).Store(&rc); err != nil {
		return fmt.Errorf("saving in KWallet: %w", err)
	}
	if rc != 0 {
		return fmt.Errorf("saving in KWallet: kwalletd answered %d", rc)
	}
	return nil
}
