//go:build linux

package tests

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aadcred/aadcred/tests/harness"
	"github.com/aadcred/aadcred/tests/sessionbus"
)

// desktopWorld is a git world on a Linux desktop: a live session bus with a Secret Service,
// reached through a proxy that counts connections, and a sign-in kept with its data key there.
func desktopWorld(t testing.TB) (*repoWorld, *sessionbus.Counter) {
	t.Helper()
	bus := sessionbus.Start(t)
	bus.StartKeyring()
	counter := bus.Counter()
	w := newRepoWorld(t)
	w.Set("DBUS_SESSION_BUS_ADDRESS", counter.Address)
	signInWithDeviceCode(t, w.World, "git-credential-aad")
	return w, counter
}

// TestWarmGetOpensNoDBusConnection runs the helper as on a Linux desktop: a live
// session bus (dbus-daemon) with a Secret Service (GNOME Keyring) that holds the
// data key. Every connection to the bus goes through a counting proxy. A get
// that must redeem the kept sign-in connects, to read the data key; a get
// answered from the cache must not connect at all.
func TestWarmGetOpensNoDBusConnection(t *testing.T) {
	w, counter := desktopWorld(t)
	if counter.Connections() == 0 {
		t.Fatal("login kept the sign-in without reaching the Secret Service")
	}
	if _, err := os.Stat(filepath.Join(w.Cache, "data.key")); !os.IsNotExist(err) {
		t.Errorf("a key file exists beside the store (%v); the data key belongs in the Secret Service", err)
	}
	status := w.Run("", "git-credential-aad", "status")
	if !hasLine(status.Stdout, "Protection:", "OS keyring (Secret Service)") || !hasLine(status.Stdout, "Access:", "directory mode 0700, files 0600") {
		t.Errorf("status says:\n%s", status.Stdout)
	}
	w.nonInteractive()

	// The first get redeems the sign-in for Azure DevOps: the data key is read.
	before := counter.Connections()
	cold := w.Run(w.request(), "git-credential-aad", "get")
	if cold.Code != 0 {
		t.Fatalf("get: exit %d\n%s", cold.Code, cold.Stderr)
	}
	if counter.Connections() == before {
		t.Fatal("a get that redeemed the kept sign-in opened no D-Bus connection: the proxy does not see the helper")
	}

	// The second is answered from the cache: no connection at all.
	before, requests := counter.Connections(), w.Entra.TokenRequests()
	warm := w.Run(w.request(), "git-credential-aad", "get")
	if warm.Code != 0 || gitAnswer(t, warm.Stdout)["password"] != gitAnswer(t, cold.Stdout)["password"] {
		t.Fatalf("warm get: exit %d, want the cached token\n%s", warm.Code, warm.Stderr)
	}
	if w.Entra.TokenRequests() != requests {
		t.Fatal("the warm get asked Entra ID for a token")
	}
	if n := counter.Connections() - before; n != 0 {
		t.Errorf("a get answered from the cache opened %d D-Bus connections, want none", n)
	}
}

// BenchmarkGitGetWarmWithSessionBus is the whole-process cost of a git get answered from the
// cache on a desktop (a live session bus, the data key in the Secret Service), beside the floor
// program; it fails if any run connects to the bus.
//
//	go test ./tests -run '^$' -bench GitGetWarmWithSessionBus -benchtime 200x
func BenchmarkGitGetWarmWithSessionBus(b *testing.B) {
	floor, err := harness.BuildFloor(b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	w, counter := desktopWorld(b)
	w.nonInteractive()
	if r := w.Run(w.request(), "git-credential-aad", "get"); r.Code != 0 {
		b.Fatalf("warming the cache: %s", r.Stderr)
	}
	before := counter.Connections()
	harness.CompareToFloor(b, floor, func(ctx context.Context) *exec.Cmd {
		cmd := w.Command(ctx, "git-credential-aad", "get")
		cmd.Stdin = strings.NewReader(w.request())
		return cmd
	})
	if n := counter.Connections() - before; n != 0 {
		b.Errorf("%d D-Bus connections during %d warm gets, want none", n, b.N)
	}
}

// hasLine reports whether out has a line of label, spaces and a value that starts with value,
// as status's table prints them.
func hasLine(out, label, value string) bool {
	for line := range strings.Lines(out) {
		if rest, ok := strings.CutPrefix(line, label); ok && strings.HasPrefix(strings.TrimLeft(rest, " "), value) {
			return true
		}
	}
	return false
}
