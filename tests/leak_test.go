package tests

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aadcred/aadcred/tests/fakeentra"
)

// Every world searches what its commands printed and left on disk for the secrets its fakes
// issued when its test ends (harness.World.Leaks). These tests make sure the search finds what
// it is looking for, and give it the most to search: --debug logs of every flow, good and bad.

func TestLeakScanFindsAPlantedToken(t *testing.T) {
	w := servicePrincipalWorld(t)
	token := mustToken(t, w, "git-credential-aad", "--resource", armResource)
	planted := filepath.Join(w.Home, ".config", "notes.txt")
	if err := os.MkdirAll(filepath.Dir(planted), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(planted, []byte("token: "+token[:len(token)/2]+strings.Split(token, ".")[2]), 0o600); err != nil {
		t.Fatal(err)
	}
	leaks, err := w.Leaks()
	if err != nil {
		t.Fatal(err)
	}
	if len(leaks) != 1 || leaks[0].Where != planted || leaks[0].Kind != fakeentra.SecretAccessToken {
		t.Errorf("the scan found %v, want the access token's signature in %s", leaks, planted)
	}
	os.Remove(planted)
}

func TestDebugLogsCarryNoSecret(t *testing.T) {
	w := newFaultWorld(t)
	w.Set("AADCRED_DEBUG", "1")
	for _, tool := range []tool{gitTool, dockerTool, kubectlTool} {
		r := tool.ask(w)
		if r.Code != 0 || !strings.Contains(r.Stderr, "debug:") {
			t.Fatalf("%s: exit %d, or no debug log:\n%s", tool.name, r.Code, r.Stderr)
		}
	}
	// Refreshes that fail in each way Entra ID can refuse one, and a sign-in again.
	expireCachedTokens(t, w.World)
	for _, f := range []fakeentra.Fault{
		{Status: 500, Times: 3},
		{MalformedJSON: true, Times: 1},
		{EntraError: errMFA, Times: 1},
		{EntraError: errUnknownRefreshToken, Times: 1},
	} {
		tokenFault(f)(t, w)
		if r := kubectlTool.ask(w); r.Code == 0 {
			t.Fatalf("the fault %+v did not fail the call", f)
		}
	}
	w.person()
	if r := dockerTool.ask(w); r.Code != 0 {
		t.Fatalf("signing in again: exit %d\n%s", r.Code, r.Stderr)
	}
	for _, args := range [][]string{{"status"}, {"cache", "list"}, {"logout", "--all"}} {
		if r := w.Run("", "git-credential-aad", args...); r.Code != 0 {
			t.Fatalf("%s: exit %d\n%s", args, r.Code, r.Stderr)
		}
	}
	if n := len(w.Entra.IssuedSecrets()) + len(w.ACR.IssuedTokens()); n < 10 {
		t.Errorf("the fakes issued %d secrets: the scan has little to look for", n)
	}
}
