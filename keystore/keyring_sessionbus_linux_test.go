package keystore

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/99designs/keyring"
	"github.com/godbus/dbus/v5"

	"github.com/aadcred/aadcred/keystore/internal/dbuskeyring"
	"github.com/aadcred/aadcred/tests/sessionbus"
)

// runDBusEnvHelper starts a fresh process of the test binary, which links
// github.com/99designs/keyring, with the given session bus variable, and
// returns what it reports once its package inits are done.
func runDBusEnvHelper(t *testing.T, busAddress string, extraEnv ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, os.Args[0], "dbus-env")
	cmd.Env = slices.DeleteFunc(os.Environ(), func(kv string) bool {
		return strings.HasPrefix(kv, "DBUS_SESSION_BUS_ADDRESS=")
	})
	if busAddress != "" {
		cmd.Env = append(cmd.Env, "DBUS_SESSION_BUS_ADDRESS="+busAddress)
	}
	cmd.Env = append(append(cmd.Env, helperEnv+"=1"), extraEnv...)
	start := time.Now()
	out, err := cmd.CombinedOutput()
	if ctx.Err() != nil {
		t.Fatalf("the process hung at start-up (killed after %v)", time.Since(start))
	}
	if err != nil {
		t.Fatalf("helper: %v: %s", err, out)
	}
	return string(out)
}

func TestStartupNeverLaunchesDBus(t *testing.T) {
	bin := t.TempDir()
	marker := filepath.Join(bin, "launched")
	script := "#!/bin/sh\ntouch " + marker + "\nsleep 2\n"
	if err := os.WriteFile(filepath.Join(bin, "dbus-launch"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	out := runDBusEnvHelper(t, "", "PATH="+bin+string(os.PathListSeparator)+os.Getenv("PATH"))
	if _, err := os.Stat(marker); err == nil {
		t.Error("starting the process ran dbus-launch")
	}
	if !strings.Contains(out, `set=false`) {
		t.Errorf("helper reported %q; want the variable unset again", out)
	}
}

// TestStartupNeverConnectsToTheBus starts processes that link the keyring
// libraries, with a live session bus and with a dead one, and counts the
// connections made to either: there must be none.
func TestStartupNeverConnectsToTheBus(t *testing.T) {
	live := sessionbus.Start(t).Counter()

	sock := filepath.Join(t.TempDir(), "bus")
	l, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	accepted := make(chan net.Conn, 10)
	go func() {
		// Accept and never answer, like a wedged dbus-daemon.
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			accepted <- c
		}
	}()
	dead := "unix:path=" + sock

	for _, addr := range []string{live.Address, dead} {
		out := runDBusEnvHelper(t, addr)
		if !strings.Contains(out, "set=true value=\""+addr+"\"") {
			t.Errorf("helper reported %q; want the variable restored", out)
		}
	}
	if n := live.Connections(); n != 0 {
		t.Errorf("starting a process opened %d connections to the live session bus, want none", n)
	}
	select {
	case c := <-accepted:
		c.Close()
		t.Error("starting a process connected to the dead session bus")
	default:
	}
}

func TestDeadBusFailsWithinTheDeadline(t *testing.T) {
	sock := filepath.Join(t.TempDir(), "bus")
	l, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", "unix:path="+sock)
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err = osKeyrings{}.OpenKeyring(ctx, "secret-service")
	if err == nil || !strings.Contains(err.Error(), "did not answer in time") {
		t.Errorf("OpenKeyring on a dead bus: %v", err)
	}
	if took := time.Since(start); took > 2*time.Second {
		t.Errorf("OpenKeyring on a dead bus took %v", took)
	}

	// Without a deadline of the caller's, the opener's own bounds the wait.
	start = time.Now()
	_, err = osKeyrings{timeout: 200 * time.Millisecond}.OpenKeyring(context.Background(), "secret-service")
	if err == nil || !strings.Contains(err.Error(), "did not answer in time") {
		t.Errorf("OpenKeyring on a dead bus, without a deadline: %v", err)
	}
	if took := time.Since(start); took > 2*time.Second {
		t.Errorf("OpenKeyring on a dead bus, without a deadline, took %v", took)
	}
}

// secretServiceStore opens a store whose data key goes to a real GNOME Keyring
// on a private session bus, through the production opener.
func secretServiceStore(t *testing.T) (*Store, *sessionbus.Bus) {
	t.Helper()
	bus := sessionbus.Start(t)
	bus.StartKeyring()
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", bus.Address)
	s, err := Open(Options{Dir: filepath.Join(t.TempDir(), "store")})
	if err != nil {
		t.Fatal(err)
	}
	return s, bus
}

// itemName is the keyring item that holds s's data key.
func itemName(t *testing.T, s *Store) string {
	t.Helper()
	src, err := s.candidate("secret-service").open(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return src.(*keyringSource).item
}

// openLogin opens the login collection of the bus's Secret Service.
func openLogin(t *testing.T, bus *sessionbus.Bus) *dbuskeyring.SecretService {
	t.Helper()
	ctx := context.Background()
	conn, err := dbuskeyring.Dial(ctx, bus.Address)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	ss, err := dbuskeyring.OpenSecretService(ctx, conn, "login")
	if err != nil {
		t.Fatal(err)
	}
	return ss
}

func TestSecretServiceHoldsTheDataKey(t *testing.T) {
	s, bus := secretServiceStore(t)
	mustWrite(t, s, Secrets, "rt", "refresh")
	p, err := s.Protection(context.Background())
	if err != nil || p.String() != "OS keyring (Secret Service)" {
		t.Fatalf("Protection = %q, %v", p, err)
	}
	if _, err := os.Stat(filepath.Join(s.Dir(), "data.key")); !errors.Is(err, os.ErrNotExist) {
		t.Error("a key file was written although the Secret Service holds the key")
	}
	mustRead(t, reopen(t, s, Options{Keyring: osKeyrings{}}), Secrets, "rt", "refresh")

	// The item is what earlier releases wrote and read through
	// github.com/99designs/keyring: its Item as JSON, found by "profile".
	raw, err := openLogin(t, bus).Get(context.Background(), map[string]string{"profile": itemName(t, s)})
	if err != nil {
		t.Fatal(err)
	}
	var item keyring.Item
	if err := json.Unmarshal(raw, &item); err != nil {
		t.Fatalf("the item is not a keyring.Item: %v", err)
	}
	if key, err := base64.StdEncoding.DecodeString(string(item.Data)); err != nil || len(key) != dataKeyLen {
		t.Errorf("the item's data is not the data key")
	}
	if !strings.Contains(item.Label, s.Dir()) {
		t.Errorf("the item's label %q does not say which store it serves", item.Label)
	}
}

func TestSecretServiceKeyOfAnEarlierRelease(t *testing.T) {
	s, bus := secretServiceStore(t)
	key := make([]byte, dataKeyLen)
	for i := range key {
		key[i] = byte(i)
	}
	// Written as github.com/99designs/keyring did: label and profile are the
	// item name, the secret its Item as JSON.
	name := itemName(t, s)
	value, err := json.Marshal(keyring.Item{Key: name, Data: []byte(base64.StdEncoding.EncodeToString(key)), KeychainNotSynchronizable: true})
	if err != nil {
		t.Fatal(err)
	}
	if err := openLogin(t, bus).Set(context.Background(), name, map[string]string{"profile": name}, value, "application/json"); err != nil {
		t.Fatal(err)
	}
	mustWrite(t, s, Secrets, "rt", "refresh")
	id := keyID(key)
	if ids := s.sealedKeyIDs(); !ids[id] || len(ids) != 1 {
		t.Errorf("the entry was not sealed under the earlier release's key")
	}
}

func TestSecretServiceLockedLeavesEntriesInPlace(t *testing.T) {
	s, bus := secretServiceStore(t)
	mustWrite(t, s, Secrets, "rt", "refresh")
	var locked []dbus.ObjectPath
	var prompt dbus.ObjectPath
	login := dbus.ObjectPath("/org/freedesktop/secrets/collection/login")
	if err := bus.Conn().Object("org.freedesktop.secrets", "/org/freedesktop/secrets").
		Call("org.freedesktop.Secret.Service.Lock", 0, []dbus.ObjectPath{login}).Store(&locked, &prompt); err != nil {
		t.Fatal(err)
	}
	other := reopen(t, s, Options{Keyring: osKeyrings{}})
	expectKept(t, other, Secrets, "rt", ErrKeyUnavailable, "Secret Service", "nothing was deleted", "locked")
}
