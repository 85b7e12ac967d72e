package dbuskeyring

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"

	"github.com/godbus/dbus/v5"

	"github.com/aadcred/aadcred/tests/sessionbus"
)

// fakeKWalletd answers the part of kwalletd's D-Bus interface that KWallet
// uses, on a real session bus. (kwalletd itself needs a KDE session.)
type fakeKWalletd struct {
	mu      sync.Mutex
	entries map[string][]byte // by wallet/folder/key
	refuse  bool              // open answers -1, as when the user says no
	closed  bool              // the wallet was closed: the handle is no longer valid
}

// valid reports whether handle names the open wallet; f.mu is held.
func (f *fakeKWalletd) valid(handle int32) bool { return handle == 7 && !f.closed }

func (f *fakeKWalletd) IsOpen(handle int32) (bool, *dbus.Error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.valid(handle), nil
}

func (f *fakeKWalletd) Open(wallet string, wID int64, appID string) (int32, *dbus.Error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.refuse {
		return -1, nil
	}
	return 7, nil
}

func (f *fakeKWalletd) ReadEntry(handle int32, folder, key, appID string) ([]byte, *dbus.Error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if !f.valid(handle) {
		return nil, nil // kwalletd answers an invalid handle with no bytes
	}
	return f.entries[folder+"/"+key], nil
}

func (f *fakeKWalletd) WriteEntry(handle int32, folder, key string, value []byte, appID string) (int32, *dbus.Error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if !f.valid(handle) {
		return -1, nil
	}
	f.entries[folder+"/"+key] = value
	return 0, nil
}

func startFakeKWalletd(t *testing.T, bus *sessionbus.Bus, f *fakeKWalletd) {
	t.Helper()
	conn := bus.Conn()
	methods := map[string]string{"Open": "open", "IsOpen": "isOpen", "ReadEntry": "readEntry", "WriteEntry": "writeEntry"}
	if err := conn.ExportWithMap(f, methods, kwalletPath, kwalletIface); err != nil {
		t.Fatal(err)
	}
	if reply, err := conn.RequestName(kwalletName, dbus.NameFlagDoNotQueue); err != nil || reply != dbus.RequestNameReplyPrimaryOwner {
		t.Fatalf("owning %s: %v, %v", kwalletName, reply, err)
	}
}

func TestKWallet(t *testing.T) {
	bus := sessionbus.Start(t)
	conn := dialBus(t, bus.Address)
	ctx := context.Background()

	if _, err := OpenKWallet(ctx, conn, "aadcred", "aadcred", "aadcred"); err == nil || !strings.Contains(err.Error(), "kwalletd is not running") {
		t.Fatalf("OpenKWallet without kwalletd: %v", err)
	}

	fake := &fakeKWalletd{entries: map[string][]byte{}}
	startFakeKWalletd(t, bus, fake)
	w, err := OpenKWallet(ctx, conn, "aadcred", "aadcred", "aadcred")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Get(ctx, "k"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Get of a missing entry: %v, want ErrNotFound", err)
	}
	if err := w.Set(ctx, "k", []byte("value")); err != nil {
		t.Fatal(err)
	}
	if got, err := w.Get(ctx, "k"); err != nil || string(got) != "value" {
		t.Fatalf("Get = %q, %v", got, err)
	}
	fake.mu.Lock()
	if string(fake.entries["aadcred/k"]) != "value" {
		t.Errorf("kwalletd holds %q", fake.entries)
	}
	fake.closed = true
	fake.mu.Unlock()
	// A closed wallet answers every read with no bytes: not a missing entry.
	if _, err := w.Get(ctx, "k"); err == nil || errors.Is(err, ErrNotFound) || !strings.Contains(err.Error(), "wallet was closed") {
		t.Errorf("Get from a closed wallet: %v, want an error other than ErrNotFound", err)
	}
	fake.mu.Lock()
	fake.refuse = true
	fake.mu.Unlock()
	if _, err := OpenKWallet(ctx, conn, "aadcred", "aadcred", "aadcred"); err == nil || !strings.Contains(err.Error(), "did not open wallet") {
		t.Errorf("OpenKWallet refused: %v", err)
	}
}
