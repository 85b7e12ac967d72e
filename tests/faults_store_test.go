package tests

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/aadcred/aadcred/tests/fakeentra"
	"github.com/aadcred/aadcred/tests/harness"
)

func TestFaultsStore(t *testing.T) { runMatrix(t, storeFaults()) }

func storeFaults() []matrixCase {
	var cases []matrixCase
	for _, k := range entryKinds() {
		for _, d := range damages() {
			name := d.name
			if k.tier == "" && name == "wrong JSON" {
				name = "another key"
			}
			cases = append(cases, matrixCase{
				name:  k.name + ", " + name,
				sees:  k.tool.name + ": " + k.want.String(),
				keeps: k.keeps,
				run:   func(t *testing.T) { runDamage(t, k, d) },
			})
		}
	}
	return append(cases,
		matrixCase{name: "access token expired, its refresh time ahead", sees: "kubectl: " + outcome{0, ""}.String() + ", and a new token",
			keeps: "the sign-in; the new token", run: expiredWithRefreshAhead},
		matrixCase{name: "permissions too open", sees: "git: exit 1, each problem said once, the last line naming the chmod that fixes it",
			keeps: "everything (the organisation's note is learnt again)", run: permissionsTooOpen},
		matrixCase{name: "symlink in place of an entry", sees: "kubectl: " + outcome{0, "symbolic link"}.String(),
			keeps: "the sign-in; a new token in place of the link; the link's target untouched", run: symlinkInPlace},
		matrixCase{name: "read-only store", sees: unwritableSees, keeps: "everything, unchanged", run: readOnlyStore},
		matrixCase{name: "full disk", sees: unwritableSees, keeps: "everything, unchanged", run: fullDisk,
			skipped: "without root, which its tmpfs needs; keystore's full-disk tests then stand in, and in CI must pass in the same run"},
		matrixCase{name: "lock holder killed mid-refresh", sees: "kubectl: the next call " + outcome{0, ""}.String(),
			keeps: "the sign-in, and the token the next call got", run: killedLockHolder},
		matrixCase{name: "config syntax error", sees: "kubectl: exit 1, one line naming the file and the line", keeps: "everything, unchanged", run: configSyntaxError},
	)
}

// expiredWithRefreshAhead leaves a cached token whose refresh time lies after its expiry (a
// clock set back, or an edit): it is not served.
func expiredWithRefreshAhead(t *testing.T) {
	w := newFaultWorld(t)
	first := kubectlTool.ask(w)
	outcome{0, ""}.require(t, first)
	editCachedTokens(t, w.World, map[string]string{
		"expires_on": time.Now().Add(time.Minute).UTC().Format(time.RFC3339),
		"refresh_at": time.Now().Add(time.Hour).UTC().Format(time.RFC3339),
	})
	w.Entra.ResetCounts()
	again := kubectlTool.ask(w)
	outcome{0, ""}.require(t, again)
	if again.Stdout == first.Stdout || w.Entra.TokenRequests() != 1 {
		t.Errorf("the token about to expire was served (%d token requests)", w.Entra.TokenRequests())
	}
}

func permissionsTooOpen(t *testing.T) {
	w := newFaultWorld(t)
	outcome{0, ""}.require(t, gitTool.ask(w))
	// Let the cached token expire, so that the call needs the sign-in too.
	expireCachedTokens(t, w.World)
	w.Entra.ResetCounts()
	for _, tier := range []string{"tokens", "secrets"} {
		entries, _ := os.ReadDir(filepath.Join(w.StoreDir(), tier))
		for _, e := range entries {
			if err := os.Chmod(filepath.Join(w.StoreDir(), tier, e.Name()), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	t.Cleanup(func() { restoreModes(w.StoreDir()) })
	before := snapshot(t, w.StoreDir())
	r := gitTool.ask(w)
	t.Logf("what a person sees (exit %d):\n%s", r.Code, r.Stderr)
	lines := strings.Split(strings.TrimSpace(r.Stderr), "\n")
	seen := map[string]bool{}
	for _, l := range lines {
		if seen[l] {
			t.Errorf("said twice: %s", l)
		}
		seen[l] = true
	}
	if r.Code != 1 || !strings.Contains(lines[len(lines)-1], "chmod 600") {
		t.Errorf("exit %d; the last line should name the chmod that fixes it", r.Code)
	}
	after := snapshot(t, w.StoreDir())
	for _, note := range after.names("tokens", "g") {
		delete(before, filepath.Join("tokens", note))
	}
	requireKept(t, before, after)
	if n := w.Entra.TokenRequests(); n != 0 {
		t.Errorf("%d token requests with a sign-in that others could have planted", n)
	}
}

// restoreModes makes every file in the store 0600 again, so that the test's logout can run.
func restoreModes(dir string) {
	filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			os.Chmod(path, 0o600)
		}
		return nil
	})
}

func symlinkInPlace(t *testing.T) {
	w := newFaultWorld(t)
	signedIn := snapshot(t, w.StoreDir())
	outcome{0, ""}.require(t, kubectlTool.ask(w))
	name := newest(t, signedIn, snapshot(t, w.StoreDir()), "tokens", "t")
	// A named pipe: opening it to read would wait for a writer forever.
	target := filepath.Join(w.Home, "pipe")
	if err := mkfifo(target); err != nil {
		t.Fatal(err)
	}
	entry := filepath.Join(w.StoreDir(), "tokens", name)
	if err := os.Remove(entry); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(target, entry); err != nil {
		t.Fatal(err)
	}
	outcome{0, "symbolic link"}.require(t, kubectlTool.ask(w))
	if fi, err := os.Lstat(entry); err != nil || !fi.Mode().IsRegular() {
		t.Errorf("the entry is not a regular file again: %v", err)
	}
	if fi, err := os.Lstat(target); err != nil || fi.Mode()&os.ModeNamedPipe == 0 {
		t.Errorf("the link's target was touched: %v", err)
	}
}

// kubectlPoPTool is kubectl asking for a proof-of-possession token (an Arc cluster's) as a service
// principal: the one call that also keeps a key of its own in the store.
var kubectlPoPTool = tool{"kubectl, PoP", func(w *faultWorld) harness.Result {
	id, secret := w.Entra.NewServicePrincipal(fakeentra.DefaultTenant)
	w.Set("AAD_SERVICE_PRINCIPAL_CLIENT_SECRET", secret)
	defer w.Set("AAD_SERVICE_PRINCIPAL_CLIENT_SECRET", "")
	return w.Run("", "kubectl-aad", append(getTokenArgs("spn", "--client-id", id), "--pop-enabled", "--pop-claims", "u="+arcClusterID)...)
}}

// unwritableSees is what a person sees of a store that cannot be written.
var unwritableSees = "git, docker, kubectl, kubectl for a PoP token: each " + outcome{0, "cannot be written"}.String()

// servedUnkept asks every tool, and kubectl for a proof-of-possession token, of a store that
// cannot be written: each is served, and says once that nothing is kept. Nothing in the store
// changes.
func servedUnkept(t *testing.T, w *faultWorld, before storeFiles) {
	t.Helper()
	for _, tool := range []tool{gitTool, dockerTool, kubectlTool, kubectlPoPTool} {
		t.Logf("%s:", tool.name)
		outcome{0, "cannot be written"}.require(t, tool.ask(w))
	}
	after := snapshot(t, w.StoreDir())
	requireKept(t, before, after)
	if len(after) != len(before) {
		t.Error("something was added to a store that cannot be written")
	}
}

func readOnlyStore(t *testing.T) {
	w := newFaultWorld(t)
	before := snapshot(t, w.StoreDir())
	harness.ReadOnly(t, w.StoreDir())
	servedUnkept(t, w, before)
}

func fullDisk(t *testing.T) {
	w := newFaultWorld(t)
	before := snapshot(t, w.StoreDir())
	harness.FullDisk(t, w.StoreDir())
	servedUnkept(t, w, before)
}

func killedLockHolder(t *testing.T) {
	w := newFaultWorld(t)
	reached := make(chan struct{}, 1)
	tokenFault(fakeentra.Fault{Delay: time.Minute, Times: 1, Reached: reached})(t, w)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	holder, _, _ := w.Start(ctx, "", "kubectl-aad", getTokenArgs("devicecode")...)
	select {
	case <-reached: // it holds the lock, and its refresh is under way
	case <-ctx.Done():
		t.Fatal("the first call never asked for a token")
	}
	holder.Process.Signal(syscall.SIGKILL)
	holder.Wait()
	outcome{0, ""}.require(t, kubectlTool.ask(w))
	servedFromCacheNext(t, w, "")
}

func configSyntaxError(t *testing.T) {
	w := newFaultWorld(t)
	good, err := os.ReadFile(w.Config)
	if err != nil {
		t.Fatal(err)
	}
	before := snapshot(t, w.StoreDir())
	w.WriteConfig("tenant: [broken\n")
	t.Cleanup(func() { w.WriteConfig(string(good)) })
	outcome{1, w.Config + ":1:"}.require(t, kubectlTool.ask(w))
	requireKept(t, before, snapshot(t, w.StoreDir()))
}

// expireCachedTokens rewrites every cached access token as one that expired a minute ago, as if
// the store had been left alone for an hour.
func expireCachedTokens(t *testing.T, w *harness.World) {
	t.Helper()
	past := time.Now().Add(-time.Minute).UTC().Format(time.RFC3339)
	editCachedTokens(t, w, map[string]string{"expires_on": past, "refresh_at": past})
}
