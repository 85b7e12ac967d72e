package core_test

import (
	"context"
	"log/slog"
	"slices"
	"strings"
	"testing"

	"github.com/aadcred/aadcred/core"
	"github.com/aadcred/aadcred/core/entra"
	"github.com/aadcred/aadcred/tests/fakeentra"
)

// TestTargetSent checks what each target becomes on the wire, and that the token is for the
// resource meant.
func TestTargetSent(t *testing.T) {
	t.Parallel()
	w := newWorld(t, fakeentra.Options{}, nil)
	clientID, secret := w.fake.NewServicePrincipal("")
	const arm = "https://management.core.windows.net/"
	for _, c := range []struct {
		target   core.Target
		version  entra.Version
		sent     string // scope or resource the fake received
		audience string
		warns    bool
	}{
		{core.Resource(core.AzureDevOpsResource), entra.V2, core.AzureDevOpsResource + "/.default", core.AzureDevOpsResource, false},
		// ARM's resource ends in a slash, so its scope has two (what az sends).
		{core.Resource(arm), entra.V2, arm + "/.default", arm, false},
		{core.Scope(arm + "/.default"), entra.V2, arm + "/.default", arm, false},
		{core.Scope(core.AzureDevOpsResource), entra.V2, core.AzureDevOpsResource + "/.default", core.AzureDevOpsResource, true},
		{core.Scope("https://vault.azure.net"), entra.V2, "https://vault.azure.net/.default", "https://vault.azure.net", true},
		{core.Resource(core.AzureDevOpsResource), entra.V1, core.AzureDevOpsResource, core.AzureDevOpsResource, false},
		{core.Scope(arm + "/.default"), entra.V1, arm, arm, false},
		{core.Scope("api://" + clientID + "/.default"), entra.V1, "api://" + clientID, "api://" + clientID, false},
	} {
		w.fake.ResetCounts()
		w.logs.reset()
		req := w.appRequest(core.ClientSecret, clientID, c.target, c.version, core.Credential{ClientSecret: secret})
		tok, err := w.uncachedClient().Acquire(context.Background(), req)
		if err != nil {
			t.Errorf("%s %s: %v", c.version, c.target, err)
			continue
		}
		if got := targetsSent(w.fake); !slices.Equal(got, []string{c.sent}) {
			t.Errorf("%s %s: sent %q, want %q", c.version, c.target, got, c.sent)
		}
		w.checkToken(tok, c.audience, labels{})
		warnings := w.logs.at(slog.LevelWarn)
		if c.warns != (len(warnings) == 1 && strings.Contains(warnings[0], "/.default")) {
			t.Errorf("%s %s: warnings %q, want a warning: %t", c.version, c.target, warnings, c.warns)
		}
	}
}

// TestTargetOpenIDScopes keeps the OpenID Connect scopes as they are and adds the ones a user
// sign-in needs once.
func TestTargetOpenIDScopes(t *testing.T) {
	t.Parallel()
	w := newWorld(t, fakeentra.Options{}, nil)
	req := w.passwordRequest(core.Scope(core.AzureDevOpsResource+"/.default", "offline_access", "openid"), entra.V2)
	req.NoCache = true
	tok := acquire(t, w.uncachedClient(), req)
	w.checkToken(tok, core.AzureDevOpsResource, alice)
	want := core.AzureDevOpsResource + "/.default offline_access openid profile"
	if got := targetsSent(w.fake); !slices.Equal(got, []string{want}) {
		t.Errorf("sent %q, want %q", got, want)
	}
	if warnings := w.logs.at(slog.LevelWarn); len(warnings) > 0 {
		t.Errorf("warned about OpenID scopes: %q", warnings)
	}
}

func TestTargetRefused(t *testing.T) {
	t.Parallel()
	w := newWorld(t, fakeentra.Options{}, nil)
	for _, c := range []struct {
		target  core.Target
		version entra.Version
		want    string
	}{
		{core.Target{}, entra.V2, "no target"},
		{core.Target{Resource: core.AzureDevOpsResource, Scopes: []string{"openid"}}, entra.V2, "not both"},
		{core.Scope(core.AzureDevOpsResource + "/.default https://vault.azure.net/.default"), entra.V2, "white space"},
		{core.Scope(core.AzureDevOpsResource+"/.default", "https://vault.azure.net/.default"), entra.V1, "takes one resource"},
		{core.Scope("openid", "offline_access"), entra.V1, "needs a resource"},
	} {
		for _, method := range []core.Method{core.ClientSecret, core.Password, core.ManagedIdentity} {
			req := w.appRequest(method, "11111111-1111-4111-8111-111111111111", c.target, c.version,
				core.Credential{ClientSecret: "s", Username: "u@contoso.onmicrosoft.com", Password: "p"})
			req.NoCache = false
			_, err := w.client().Acquire(context.Background(), req)
			wantError(t, err, c.want)
		}
	}
	if n := len(w.fake.Requests()); n != 0 {
		t.Errorf("the fake saw %d requests for targets that cannot be sent", n)
	}
}
