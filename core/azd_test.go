package core_test

import (
	"context"
	"errors"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aadcred/aadcred/core"
	"github.com/aadcred/aadcred/core/azurecli"
	"github.com/aadcred/aadcred/core/entra"
	"github.com/aadcred/aadcred/tests/fakeentra"
)

// fakeAzd is a fake azd.
type fakeAzd struct {
	fakeCLI
	runner *azurecli.DeveloperRunner
}

func newFakeAzd(t *testing.T) *fakeAzd {
	t.Helper()
	f := newFakeCLI(t, "azd", "ERROR: not logged in, run `azd auth login` to login")
	return &fakeAzd{fakeCLI: f, runner: &azurecli.DeveloperRunner{Path: f.path, Env: []string{"AZD_CONFIG_DIR=" + f.configDir, "PATH=/usr/bin:/bin"}}}
}

// signIn writes the config azd keeps for a signed-in user.
func (azd *fakeAzd) signIn(t *testing.T, homeAccountID string) {
	t.Helper()
	writeFile(t, filepath.Join(azd.configDir, "config.json"), []byte(`{"auth":{"account":{"currentUser":{"homeAccountId":"`+homeAccountID+`"}}}}`))
}

// answerToken makes azd print tok.
func (azd *fakeAzd) answerToken(t *testing.T, tok *core.Token) {
	t.Helper()
	azd.answerWith(t, map[string]string{"token": tok.AccessToken, "expiresOn": tok.ExpiresOn.UTC().Format(time.RFC3339)})
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
	azd.answerToken(t, acquire(t, w.uncachedClient(), minted))
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
