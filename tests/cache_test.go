package tests

import (
	"context"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/aadcred/aadcred/tests/fakeentra"
	"github.com/aadcred/aadcred/tests/harness"
)

const (
	armResource = "https://management.azure.com/"
	adoResource = "499b84ac-1321-427f-aa17-267ca6975798"
	acrResource = "https://containerregistry.azure.net"
	aksResource = "6dae42f8-4368-4678-94ff-3960e28e3630"
)

// servicePrincipalWorld is a world whose binaries sign in as a service principal.
func servicePrincipalWorld(t *testing.T) *harness.World {
	w := harness.NewWorld(t, bin, fakeentra.Options{})
	id, secret := w.Entra.NewServicePrincipal(fakeentra.DefaultTenant)
	w.Set("AZURE_TENANT_ID", fakeentra.DefaultTenant)
	w.Set("AZURE_CLIENT_ID", id)
	w.Set("AZURE_CLIENT_SECRET", secret)
	return w
}

func mustToken(t *testing.T, w *harness.World, binary string, args ...string) string {
	t.Helper()
	r := w.Run("", binary, append([]string{"token"}, args...)...)
	if r.Code != 0 {
		t.Fatalf("%s token %s: exit %d\n%s", binary, strings.Join(args, " "), r.Code, r.Stderr)
	}
	return strings.TrimSpace(r.Stdout)
}

func TestSecondProcessReusesTheToken(t *testing.T) {
	w := servicePrincipalWorld(t)
	first := mustToken(t, w, "git-credential-aad", "--resource", armResource)
	if n := w.Entra.TokenRequests(); n != 1 {
		t.Fatalf("first process made %d token requests, want 1", n)
	}
	for _, b := range harness.Binaries {
		if got := mustToken(t, w, b, "--resource", armResource); got != first {
			t.Errorf("%s answered a different token than the cached one", b)
		}
	}
	if n := w.Entra.TokenRequests(); n != 1 {
		t.Errorf("later processes made %d token requests in all, want none", n-1)
	}
}

// signInWithDeviceCode runs login through the device code, approving the code as the default
// user, and returns what login wrote to stderr.
func signInWithDeviceCode(t testing.TB, w *harness.World, binary string) string {
	t.Helper()
	w.Entra.OnDeviceCode(func(dc fakeentra.DeviceCodeInfo) {
		go w.Entra.ApproveDeviceCode(dc.UserCode, fakeentra.DefaultUser)
	})
	t.Cleanup(func() { w.Entra.OnDeviceCode(nil) })
	r := w.Run("", binary, "login", "--method", "devicecode", "--tenant", fakeentra.DefaultTenant)
	if r.Code != 0 {
		t.Fatalf("%s login: exit %d\n%s", binary, r.Code, r.Stderr)
	}
	if r.Stdout != "" {
		t.Errorf("login wrote to stdout: %q", r.Stdout)
	}
	return r.Stderr
}

// signInWithPassword runs login with the default user's password, for tests where a signed-in
// user is where they start, not what they test: it keeps the account a device-code sign-in keeps,
// without waiting for the device-code poll.
func signInWithPassword(t testing.TB, w *harness.World, binary string) {
	t.Helper()
	w.Set("AZURE_USERNAME", fakeentra.DefaultUser)
	w.Set("AZURE_PASSWORD", fakeentra.DefaultUserPassword)
	defer w.Set("AZURE_USERNAME", "")
	defer w.Set("AZURE_PASSWORD", "")
	if r := w.Run("", binary, "login", "--method", "password", "--tenant", fakeentra.DefaultTenant); r.Code != 0 || r.Stdout != "" {
		t.Fatalf("%s login: exit %d, stdout %q\n%s", binary, r.Code, r.Stdout, r.Stderr)
	}
}

func TestOneSignInServesEveryTool(t *testing.T) {
	w := harness.NewWorld(t, bin, fakeentra.Options{})
	stderr := signInWithDeviceCode(t, w, "kubectl-aad")
	if !strings.Contains(stderr, "enter the code") || !strings.Contains(stderr, "Signed in as "+fakeentra.DefaultUser) {
		t.Errorf("login's stderr lacks the device-code prompt or the result:\n%s", stderr)
	}
	w.Set("AADCRED_PROMPT", "never") // any further prompt would now be an error
	verifier := w.Entra.Verifier()
	for _, tc := range []struct{ binary, flag, target, audience string }{
		{"git-credential-aad", "--resource", adoResource, adoResource},
		{"docker-credential-aad", "--scope", acrResource + "/.default", acrResource},
		{"kubectl-aad", "--scope", aksResource + "/.default", aksResource},
		{"git-credential-aad", "--resource", armResource, armResource},
	} {
		tok := mustToken(t, w, tc.binary, "--tenant", fakeentra.DefaultTenant, tc.flag, tc.target)
		claims, err := verifier.Verify(tok, tc.audience)
		if err != nil {
			t.Errorf("%s: %v", tc.target, err)
			continue
		}
		if claims.UPN != fakeentra.DefaultUser {
			t.Errorf("%s: token is for %q, want the signed-in user", tc.target, claims.UPN)
		}
	}
	if n := w.Entra.Count(fakeentra.EndpointDeviceCode); n != 1 {
		t.Errorf("%d device codes were issued, want only login's", n)
	}
}

func TestParallelSignInsPromptOnce(t *testing.T) {
	w := harness.NewWorld(t, bin, fakeentra.Options{})
	w.Entra.OnDeviceCode(func(dc fakeentra.DeviceCodeInfo) {
		go func() {
			time.Sleep(1500 * time.Millisecond) // long enough for the others to queue up
			w.Entra.ApproveDeviceCode(dc.UserCode, fakeentra.DefaultUser)
		}()
	})
	results := startTogether(w, 10, "", "git-credential-aad", "token", "--method", "devicecode",
		"--tenant", fakeentra.DefaultTenant, "--resource", adoResource)
	for i, r := range results {
		if r.Code != 0 || r.Stdout != results[0].Stdout {
			t.Errorf("process %d: exit %d, or a different token\n%s", i, r.Code, r.Stderr)
		}
	}
	if n := w.Entra.Count(fakeentra.EndpointDeviceCode); n != 1 {
		t.Errorf("10 processes needing a sign-in showed %d device codes, want 1", n)
	}
}

func TestRevokedSignInFailsFastWithoutAPerson(t *testing.T) {
	w := harness.NewWorld(t, bin, fakeentra.Options{})
	signInWithDeviceCode(t, w, "git-credential-aad")
	w.Entra.RevokeRefreshTokens(fakeentra.DefaultUser)
	w.Set("CI", "true")
	w.Set("AADCRED_PROMPT", "")
	start := time.Now()
	r := w.Run("", "git-credential-aad", "token", "--tenant", fakeentra.DefaultTenant, "--resource", adoResource)
	if r.Code == 0 {
		t.Fatal("a revoked sign-in still produced a token")
	}
	if !strings.Contains(r.Stderr, "git credential-aad login") || r.Stdout != "" {
		t.Errorf("stderr should name the sign-in command, stdout stay empty:\nstdout %q\nstderr %s", r.Stdout, r.Stderr)
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("failing took %s; it must be fast", d)
	}
	if n := w.Entra.Count(fakeentra.EndpointDeviceCode); n != 1 {
		t.Errorf("a device code was started without a person to answer it")
	}
}

func TestKilledLockHolderDoesNotBlockOthers(t *testing.T) {
	w := harness.NewWorld(t, bin, fakeentra.Options{})
	codes := make(chan string, 2)
	w.Entra.OnDeviceCode(func(dc fakeentra.DeviceCodeInfo) { codes <- dc.UserCode })
	args := []string{"token", "--method", "devicecode", "--tenant", fakeentra.DefaultTenant, "--resource", adoResource}

	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	holder, _, _ := w.Start(ctx, "", "git-credential-aad", args...)
	select {
	case <-codes: // it holds the lock and waits for a person
	case <-ctx.Done():
		t.Fatal("the first process never asked for a sign-in")
	}
	holder.Process.Signal(syscall.SIGKILL)
	holder.Wait()

	go func() {
		code := <-codes
		w.Entra.ApproveDeviceCode(code, fakeentra.DefaultUser)
	}()
	r := w.Run("", "git-credential-aad", args...)
	if r.Code != 0 {
		t.Fatalf("after the holder was killed: exit %d\n%s", r.Code, r.Stderr)
	}
}

func TestStoreOthersCanReadIsRefused(t *testing.T) {
	w := servicePrincipalWorld(t)
	mustToken(t, w, "git-credential-aad", "--resource", armResource)
	if err := os.Chmod(w.Cache, 0o755); err != nil {
		t.Fatal(err)
	}
	r := w.Run("", "git-credential-aad", "token", "--resource", armResource)
	if r.Code == 0 || !strings.Contains(r.Stderr, "chmod") || !strings.Contains(r.Stderr, w.Cache) {
		t.Errorf("a store others can read was used, or the refusal does not say how to fix it: exit %d\n%s", r.Code, r.Stderr)
	}
}

// TestCacheAndLogoutCoverWhatASignInGave gets a registry token and an organisation's note with a
// sign-in: cache list shows both, cache clean removes them and keeps the sign-in, and logout of
// the one account removes what it gave again, leaving no secret on disk.
func TestCacheAndLogoutCoverWhatASignInGave(t *testing.T) {
	w := newFaultWorld(t)
	use := func() {
		t.Helper()
		for _, tool := range []tool{dockerTool, gitTool} {
			outcome{0, ""}.require(t, tool.ask(w))
		}
	}
	derived := func() []string {
		kept := snapshot(t, w.StoreDir())
		return append(kept.names("secrets", "docker-acr-"), kept.names("tokens", "g")...)
	}
	use()
	list := w.Run("", "git-credential-aad", "cache", "list").Stdout
	for _, want := range []string{w.ACR.Host() + " ", "registry token", "contoso at " + w.Repos.Host(), "organisation note"} {
		if !strings.Contains(list, want) {
			t.Errorf("cache list does not show %q:\n%s", want, list)
		}
	}
	if r := w.Run("", "git-credential-aad", "cache", "clean"); r.Code != 0 || len(derived()) != 0 {
		t.Errorf("cache clean: exit %d, and left %q\n%s", r.Code, derived(), r.Stderr)
	}
	use() // the sign-in is kept: no one is asked
	if r := w.Run("", "git-credential-aad", "logout"); r.Code != 0 {
		t.Fatalf("logout: exit %d\n%s", r.Code, r.Stderr)
	}
	if left := snapshot(t, w.StoreDir()).names("secrets", ""); len(left) != 0 || len(derived()) != 0 {
		t.Errorf("logout of the only account left %q in the secrets tier, and %q derived from it", left, derived())
	}
}
