package dbuskeyring

import (
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/godbus/dbus/v5"

	"github.com/aadcred/aadcred/tests/sessionbus"
)

// fakeSecretService serves, on a real session bus, the part of the Secret
// Service API that SecretService uses, with one "login" collection that hides
// its items from a search while it is locked, as KeePassXC does. (GNOME
// Keyring, which the other tests run, shows them.) Every prompt completes at
// once, dismissed or not as the test says.
type fakeSecretService struct {
	mu           sync.Mutex
	conn         *dbus.Conn
	locked       bool
	items        map[string][]byte // by the "profile" attribute
	dismiss      bool              // the user dismisses every prompt
	promptCreate bool              // CreateItem asks for a prompt
	searches     int
}

const (
	fakeLogin  = dbus.ObjectPath(collectionPrefix + "login")
	fakeItem   = fakeLogin + "/1"
	fakePrompt = dbus.ObjectPath("/org/freedesktop/secrets/prompt/1")
)

// startFakeSecretService serves f on bus for the rest of the test.
func startFakeSecretService(t *testing.T, bus *sessionbus.Bus, f *fakeSecretService) {
	t.Helper()
	f.conn = bus.Conn()
	export := func(path dbus.ObjectPath, iface string, methods map[string]any) {
		if err := f.conn.ExportMethodTable(methods, path, iface); err != nil {
			t.Fatal(err)
		}
	}
	properties := func(values func(name string) any) map[string]any {
		return map[string]any{"Get": func(iface, name string) (dbus.Variant, *dbus.Error) {
			f.mu.Lock()
			defer f.mu.Unlock()
			return dbus.MakeVariant(values(name)), nil
		}}
	}
	locked := func(string) any { return f.locked }
	export(secretsPath, secretsIface, map[string]any{
		"OpenSession": func(algorithm string, input dbus.Variant) (dbus.Variant, dbus.ObjectPath, *dbus.Error) {
			return dbus.MakeVariant(""), "/org/freedesktop/secrets/session/1", nil
		},
		"Unlock": func(objects []dbus.ObjectPath) ([]dbus.ObjectPath, dbus.ObjectPath, *dbus.Error) {
			return []dbus.ObjectPath{}, fakePrompt, nil
		},
	})
	export(secretsPath, "org.freedesktop.DBus.Properties", properties(func(string) any { return []dbus.ObjectPath{fakeLogin} }))
	export(fakeLogin, "org.freedesktop.DBus.Properties", properties(locked))
	export(fakeItem, "org.freedesktop.DBus.Properties", properties(locked))
	export(fakeLogin, collectionIface, map[string]any{
		"SearchItems": func(attrs map[string]string) ([]dbus.ObjectPath, *dbus.Error) {
			f.mu.Lock()
			defer f.mu.Unlock()
			f.searches++
			if _, ok := f.items[attrs["profile"]]; !ok || f.locked {
				return []dbus.ObjectPath{}, nil
			}
			return []dbus.ObjectPath{fakeItem}, nil
		},
		"CreateItem": func(props map[string]dbus.Variant, sec secret, replace bool) (dbus.ObjectPath, dbus.ObjectPath, *dbus.Error) {
			f.mu.Lock()
			defer f.mu.Unlock()
			if f.promptCreate {
				return "/", fakePrompt, nil
			}
			attrs, _ := props[itemIface+".Attributes"].Value().(map[string]string)
			f.items[attrs["profile"]] = sec.Value
			return fakeItem, "/", nil
		},
	})
	export(fakeItem, itemIface, map[string]any{
		"GetSecret": func(session dbus.ObjectPath) (secret, *dbus.Error) {
			f.mu.Lock()
			defer f.mu.Unlock()
			for _, v := range f.items {
				return secret{Session: session, Parameters: []byte{}, Value: v, ContentType: "text/plain"}, nil
			}
			return secret{}, dbus.MakeFailedError(errors.New("no such item"))
		},
	})
	export(fakePrompt, promptIface, map[string]any{
		"Prompt": func(windowID string) *dbus.Error {
			f.mu.Lock()
			dismissed := f.dismiss
			if !dismissed {
				f.locked = false
			}
			f.mu.Unlock()
			go func() {
				time.Sleep(10 * time.Millisecond) // after the reply, as a real prompt would
				_ = f.conn.Emit(fakePrompt, promptIface+".Completed", dismissed, dbus.MakeVariant(""))
			}()
			return nil
		},
	})
	if reply, err := f.conn.RequestName(secretsName, dbus.NameFlagDoNotQueue); err != nil || reply != dbus.RequestNameReplyPrimaryOwner {
		t.Fatalf("owning %s: %v, %v", secretsName, reply, err)
	}
}
