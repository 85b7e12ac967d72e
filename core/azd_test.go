package core_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aadcred/aadcred/core"
	"github.com/aadcred/aadcred/core/azurecli"
	"github.com/aadcred/aadcred/core/entra"
	"github.com/aadcred/aadcred/tests/fakeentra"
)

// fakeAzd is an azd script that records its arguments and prints a prepared answer, or, before
// answerWith, says it is not signed in as azd does.
type fakeAzd struct {
	runner    *azurecli.DeveloperRunner
	argsFile  string
	answer    string
	configDir string
}

func newFakeAzd(t *testing.T) *fakeAzd {
	t.Helper()
	if runtime.GOOS == "windows" {
		t.Skip("the fake azd is a shell script")
	}
	dir := t.TempDir()
	azd := &fakeAzd{argsFile: filepath.Join(dir, "args"), answer: filepath.Join(dir, "answer.json"), configDir: filepath.Join(dir, "config")}
	script := fmt.Sprintf(`#!/bin/sh
printf '%%s\n' "$@" > '%s'
if [ ! -f '%s' ]; then echo 'ERROR: not logged in, run `+"`azd auth login`"+` to login' >&2; exit 1; fi
exec cat '%s'
`, azd.argsFile, azd.answer, azd.answer)
	path := filepath.Join(dir, "azd")
	if err := os.WriteFile(path, []byte(script), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(azd.configDir, 0o700); err != nil {
		t.Fatal(err)
	}
	azd.runner = &azurecli.DeveloperRunner{Path: path, Env: []string{"AZD_CONFIG_DIR=" + azd.configDir, "PATH=/usr/bin:/bin"}}
	return azd
}

// signIn writes the config azd keeps for a signed-in user.
func (azd *fakeAzd) signIn(t *testing.T, homeAccountID string) {
	t.Helper()
	writeFile(t, filepath.Join(azd.configDir, "config.json"), []byte(`{"auth":{"account":{"currentUser":{"homeAccountId":"`+homeAccountID+`"}}}}`))
}

// answerWith makes azd print tok.
func (azd *fakeAzd) answerWith(t *testing.T, tok *core.Token) {
	t.Helper()
	answer, err := json.Marshal(map[string]string{"token": tok.AccessToken, "expiresOn": tok.ExpiresOn.UTC().Format(time.RFC3339)})
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, azd.answer, answer)
}

// args returns the arguments of azd's last run and forgets them; nil when it has not run.
func (azd *fakeAzd) args(t *testing.T) []string {
	t.Helper()
	data, err := os.ReadFile(azd.argsFile)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(azd.argsFile); err != nil {
		t.Fatal(err)
	}
	return strings.Fields(string(data))
}

func TestAzureDeveloperCLI(t *testing.T) {
	t.Parallel()
	w := newWorld(t, fakeentra.Options{}, nil)
	azd := newFakeAzd(t)
	client := w.client()
	client.AzureDeveloperCLI = azd.runner
	req := w.request(core.AzureDeveloperCLI, core.Scope(fakeentra.AKSServerAppID+"/.default"))
	req.Tenant = fakeentra.DefaultTenant

	// Not signed in: the error names the command that signs in.
	_, err := client.Acquire(context.Background(), req)
	if !errors.Is(err, azurecli.ErrDeveloperCLINotSignedIn) || !strings.Contains(err.Error(), "run `azd auth login --tenant-id "+fakeentra.DefaultTenant+"`") {
		t.Fatalf("azd not signed in: %v", err)
	}

	azd.signIn(t, "alice.home")
	minted := w.passwordRequest(core.Resource(fakeentra.AKSServerAppID), entra.V2)
	minted.NoCache = true
	azd.answerWith(t, acquire(t, w.uncachedClient(), minted))
	tok := acquire(t, client, req)
	w.checkToken(tok, fakeentra.AKSServerAppID, alice)
	want := []string{"auth", "token", "--output", "json", "--no-prompt", "--scope", fakeentra.AKSServerAppID + "/.default", "--tenant-id", fakeentra.DefaultTenant}
	if got := azd.args(t); !slices.Equal(got, want) {
		t.Errorf("azd ran with %q, want %q", got, want)
	}

	// Cached like the Azure CLI's: azd does not run again until its account changes.
	if again := acquire(t, client, req); again.AccessToken != tok.AccessToken || azd.args(t) != nil {
		t.Error("azd ran again although its token was cached")
	}
	azd.signIn(t, "bob.home")
	acquire(t, client, req)
	if azd.args(t) == nil {
		t.Error("azd did not run after its account changed")
	}
}
