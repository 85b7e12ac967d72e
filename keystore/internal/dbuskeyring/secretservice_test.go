package dbuskeyring

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/godbus/dbus/v5"

	"github.com/aadcred/aadcred/tests/sessionbus"
)

// dialBus connects to the bus at address for the rest of the test.
func dialBus(t *testing.T, address string) *dbus.Conn {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	conn, err := Dial(ctx, address)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return conn
}

// openLogin connects to bus and opens its Secret Service's login collection.
func openLogin(t *testing.T, address string) *SecretService {
	t.Helper()
	ss, err := OpenSecretService(context.Background(), dialBus(t, address), "login")
	if err != nil {
		t.Fatal(err)
	}
	return ss
}

func TestSecretServiceKeepsItems(t *testing.T) {
	bus := sessionbus.Start(t)
	bus.StartKeyring()
	ss := openLogin(t, bus.Address)
	ctx := context.Background()
	attrs := map[string]string{"profile": "data-key-1"}

	if _, err := ss.Get(ctx, attrs); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Get of a missing item: %v, want ErrNotFound", err)
	}
	if err := ss.Set(ctx, "first label", attrs, []byte("one"), "text/plain"); err != nil {
		t.Fatal(err)
	}
	if err := ss.Set(ctx, "second label", attrs, []byte("two"), "text/plain"); err != nil {
		t.Fatal(err)
	}
	// Another process (a new connection and session) sees the replacement.
	got, err := openLogin(t, bus.Address).Get(ctx, attrs)
	if err != nil || string(got) != "two" {
		t.Fatalf("Get after two Sets = %q, %v; want the second value", got, err)
	}
	if _, err := ss.Get(ctx, map[string]string{"profile": "data-key-2"}); !errors.Is(err, ErrNotFound) {
		t.Errorf("Get of another item: %v, want ErrNotFound", err)
	}

	// Set replaced the item rather than adding a second one.
	var items []dbus.ObjectPath
	if err := bus.Conn().Object(secretsName, ss.collection).Call(collectionIface+".SearchItems", 0, attrs).Store(&items); err != nil {
		t.Fatal(err)
	}
	if len(items) != 1 {
		t.Errorf("the collection holds %d items for one name, want 1", len(items))
	}
}

func TestSecretServiceUnavailable(t *testing.T) {
	bus := sessionbus.Start(t)
	conn := dialBus(t, bus.Address)
	ctx := context.Background()
	if _, err := OpenSecretService(ctx, conn, "login"); err == nil || !strings.Contains(err.Error(), "no Secret Service is running") {
		t.Errorf("OpenSecretService on a bus without one: %v", err)
	}

	bus.StartKeyring()
	if _, err := OpenSecretService(ctx, conn, "aadcred-none"); err == nil || !strings.Contains(err.Error(), `no "aadcred-none" collection`) {
		t.Errorf("OpenSecretService of a missing collection: %v", err)
	}
}

func TestSecretServiceLockedCollection(t *testing.T) {
	bus := sessionbus.Start(t)
	bus.StartKeyring()
	ss := openLogin(t, bus.Address)
	attrs := map[string]string{"profile": "data-key-1"}
	if err := ss.Set(context.Background(), "label", attrs, []byte("kept"), "text/plain"); err != nil {
		t.Fatal(err)
	}
	var locked []dbus.ObjectPath
	var prompt dbus.ObjectPath
	if err := bus.Conn().Object(secretsName, secretsPath).Call(secretsIface+".Lock", 0, []dbus.ObjectPath{ss.collection}).Store(&locked, &prompt); err != nil {
		t.Fatal(err)
	}

	// Unlocking needs a person at a prompt; on this headless bus there is
	// none, so the read fails (without taking the item for missing) and
	// within its deadline.
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	start := time.Now()
	_, err := openLogin(t, bus.Address).Get(ctx, attrs)
	if err == nil || errors.Is(err, ErrNotFound) {
		t.Fatalf("Get from a locked collection: %v, want an error other than ErrNotFound", err)
	}
	t.Logf("locked collection: %v (after %v)", err, time.Since(start))
	if took := time.Since(start); took > 4*time.Second {
		t.Errorf("Get from a locked collection took %v", took)
	}
}

// TestSecretServiceLockedCollectionThatHidesItems: a service that hides the
// items of a locked collection from a search must not make a locked item look
// missing. Get unlocks the collection and searches again; if the user
// dismisses the prompt, the item cannot be read now, which is not "missing".
func TestSecretServiceLockedCollectionThatHidesItems(t *testing.T) {
	bus := sessionbus.Start(t)
	fake := &fakeSecretService{locked: true, dismiss: true, items: map[string][]byte{"data-key-1": []byte("kept")}}
	startFakeSecretService(t, bus, fake)
	ss := openLogin(t, bus.Address)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	attrs := map[string]string{"profile": "data-key-1"}

	if _, err := ss.Get(ctx, attrs); err == nil || errors.Is(err, ErrNotFound) || !strings.Contains(err.Error(), "locked: the prompt was dismissed") {
		t.Fatalf("Get from a locked collection whose prompt was dismissed: %v, want an error other than ErrNotFound", err)
	}

	fake.mu.Lock()
	fake.dismiss = false
	fake.mu.Unlock()
	if got, err := ss.Get(ctx, attrs); err != nil || string(got) != "kept" {
		t.Fatalf("Get after the user unlocked the collection = %q, %v; want the item", got, err)
	}

	// Unlocked and without the item: missing, after one search.
	fake.mu.Lock()
	fake.searches = 0
	fake.mu.Unlock()
	if _, err := ss.Get(ctx, map[string]string{"profile": "data-key-2"}); !errors.Is(err, ErrNotFound) {
		t.Errorf("Get of a missing item: %v, want ErrNotFound", err)
	}
	fake.mu.Lock()
	defer fake.mu.Unlock()
	if fake.searches != 1 {
		t.Errorf("Get of a missing item from an unlocked collection searched %d times, want 1", fake.searches)
	}
}

// TestSecretServiceSetFailsWhenItsPromptIsDismissed: a service may ask the
// user before it creates an item; if the user says no, nothing was saved, and
// Set must say so.
func TestSecretServiceSetFailsWhenItsPromptIsDismissed(t *testing.T) {
	bus := sessionbus.Start(t)
	fake := &fakeSecretService{promptCreate: true, dismiss: true, items: map[string][]byte{}}
	startFakeSecretService(t, bus, fake)
	ss := openLogin(t, bus.Address)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := ss.Set(ctx, "label", map[string]string{"profile": "data-key-1"}, []byte("key"), "text/plain"); err == nil || !strings.Contains(err.Error(), "dismissed") {
		t.Errorf("Set whose prompt was dismissed: %v, want an error", err)
	}
}

func TestUnescapePath(t *testing.T) {
	for in, want := range map[string]string{
		"/org/freedesktop/secrets/collection/login":      "/org/freedesktop/secrets/collection/login",
		"/org/freedesktop/secrets/collection/my_20keys":  "/org/freedesktop/secrets/collection/my keys",
		"/org/freedesktop/secrets/collection/bad_zz":     "/org/freedesktop/secrets/collection/bad_zz",
		"/org/freedesktop/secrets/collection/trailing_2": "/org/freedesktop/secrets/collection/trailing_2",
	} {
		if got := unescapePath(in); got != want {
			t.Errorf("unescapePath(%q) = %q, want %q", in, got, want)
		}
	}
}
