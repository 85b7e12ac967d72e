package core_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/aadcred/aadcred/core"
	"github.com/aadcred/aadcred/core/azurecli"
	"github.com/aadcred/aadcred/core/entra"
	"github.com/aadcred/aadcred/tests/fakeentra"
)

// fakeCLI is a command-line tool's script that records its arguments and prints a prepared
// answer, or, while there is none, says what the tool says when no one is signed in.
type fakeCLI struct {
	path, argsFile, answer, configDir string
}

func newFakeCLI(t *testing.T, name, notSignedIn string) fakeCLI {
	t.Helper()
	if runtime.GOOS == "windows" {
		t.Skipf("the fake %s is a shell script", name)
	}
	dir := t.TempDir()
	f := fakeCLI{path: filepath.Join(dir, name), argsFile: filepath.Join(dir, "args"),
		answer: filepath.Join(dir, "answer.json"), configDir: filepath.Join(dir, "config")}
	said := filepath.Join(dir, "not-signed-in")
	writeFile(t, said, []byte(notSignedIn+"\n"))
	script := fmt.Sprintf("#!/bin/sh\nprintf '%%s\\n' \"$@\" > '%s'\n"+
		"if [ ! -f '%s' ]; then cat '%s' >&2; exit 1; fi\nexec cat '%s'\n", f.argsFile, f.answer, said, f.answer)
	if err := os.WriteFile(f.path, []byte(script), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(f.configDir, 0o700); err != nil {
		t.Fatal(err)
	}
	return f
}

// answerWith makes the tool print answer as JSON.
func (f fakeCLI) answerWith(t *testing.T, answer any) {
	t.Helper()
	data, err := json.Marshal(answer)
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, f.answer, data)
}

// args returns the arguments of the tool's last run and forgets them; nil when it has not run.
func (f fakeCLI) args(t *testing.T) []string {
	t.Helper()
	data, err := os.ReadFile(f.argsFile)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(f.argsFile); err != nil {
		t.Fatal(err)
	}
	return strings.Fields(string(data))
}

// fakeAz is a fake az.
type fakeAz struct {
	fakeCLI
	runner *azurecli.Runner
}

func newFakeAz(t *testing.T) *fakeAz {
	t.Helper()
	f := newFakeCLI(t, "az", "ERROR: Please run 'az login' to setup account.")
	return &fakeAz{fakeCLI: f, runner: &azurecli.Runner{Path: f.path, Env: []string{"AZURE_CONFIG_DIR=" + f.configDir, "PATH=/usr/bin:/bin"}}}
}

// signIn writes the profile az keeps for a signed-in account with subscription sub.
func (az *fakeAz) signIn(t *testing.T, sub string) {
	t.Helper()
	profile := fmt.Sprintf(`{"subscriptions":[{"id":%q,"tenantId":%q,"environmentName":"AzureCloud","isDefault":true,"user":{"name":%q,"type":"user"}}]}`,
		sub, fakeentra.DefaultTenant, fakeentra.DefaultUser)
	writeFile(t, filepath.Join(az.configDir, "azureProfile.json"), []byte(profile))
}

// answerToken makes az print tok as its access token.
func (az *fakeAz) answerToken(t *testing.T, tok *core.Token) {
	t.Helper()
	az.answerWith(t, map[string]any{
		"accessToken": tok.AccessToken, "expiresOn": tok.ExpiresOn.Local().Format("2006-01-02 15:04:05.000000"),
		"expires_on": tok.ExpiresOn.Unix(), "subscription": "sub-1", "tenant": tok.TenantID, "tokenType": "Bearer",
	})
}

func TestAzureCLI(t *testing.T) {
	t.Parallel()
	w := newWorld(t, fakeentra.Options{}, nil)
	az := newFakeAz(t)
	az.signIn(t, "sub-1")
	// az hands out a real token from the fake, so that its labels can be checked.
	minted := w.passwordRequest(core.Resource("https://management.core.windows.net/"), entra.V2)
	minted.NoCache = true
	az.answerToken(t, acquire(t, w.uncachedClient(), minted))

	client := w.client()
	client.AzureCLI = az.runner
	req := w.request(core.AzureCLI, core.Scope("https://management.core.windows.net//.default"))
	req.Tenant = fakeentra.DefaultTenant
	tok := acquire(t, client, req)
	w.checkToken(tok, "https://management.core.windows.net/", alice)
	want := []string{"account", "get-access-token", "--output", "json", "--tenant", fakeentra.DefaultTenant,
		"--scope", "https://management.core.windows.net//.default"}
	if got := az.args(t); !slices.Equal(got, want) {
		t.Errorf("az ran with %q, want %q", got, want)
	}

	// The answer is cached: az (slow) does not run again.
	again := acquire(t, client, req)
	if again.AccessToken != tok.AccessToken {
		t.Error("the second call got another token")
	}
	if got := az.args(t); got != nil {
		t.Errorf("az ran again (%q) although its token was cached", got)
	}

	// `az account set` changes the account: the cached token is no longer az's answer.
	az.signIn(t, "sub-2")
	acquire(t, client, req)
	if az.args(t) == nil {
		t.Error("az did not run after its account changed")
	}

	// A resource is passed as one; an alias tenant lets az use its own account's tenant.
	res := w.request(core.AzureCLI, core.Resource(core.AzureDevOpsResource))
	res.Tenant = "organizations"
	res.NoCache = true
	acquire(t, client, res)
	want = []string{"account", "get-access-token", "--output", "json", "--resource", core.AzureDevOpsResource}
	if got := az.args(t); !slices.Equal(got, want) {
		t.Errorf("az ran with %q, want %q", got, want)
	}
	if n := w.fake.TokenRequests(); n != 1 {
		t.Errorf("the fake saw %d token requests; only minting az's token should reach it", n)
	}
}

func TestAzureCLIFailure(t *testing.T) {
	t.Parallel()
	w := newWorld(t, fakeentra.Options{}, nil)
	az := newFakeAz(t)
	writeFile(t, az.answer, []byte("this is not JSON"))
	client := w.uncachedClient()
	client.AzureCLI = az.runner
	_, err := client.Acquire(context.Background(), w.request(core.AzureCLI, core.Resource(core.AzureDevOpsResource)))
	wantError(t, err, "Azure CLI")

	client.AzureCLI = &azurecli.Runner{Path: filepath.Join(t.TempDir(), "no-az-here")}
	_, err = client.Acquire(context.Background(), w.request(core.AzureCLI, core.Resource(core.AzureDevOpsResource)))
	if !errors.Is(err, azurecli.ErrNotInstalled) {
		t.Errorf("a missing az gave %v, want an error matching azurecli.ErrNotInstalled", err)
	}
}
