package azurecli

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// fakeDeveloperRunner is fakeRunner's azd.
func fakeDeveloperRunner(t *testing.T, mode string) (*DeveloperRunner, func() fakeRun) {
	t.Helper()
	r, saw := fakeRunner(t, mode)
	return (*DeveloperRunner)(r), saw
}

func TestDeveloperTokenPassesArgumentsThrough(t *testing.T) {
	for _, tc := range []struct {
		name string
		q    Query
		want []string
	}{
		{"scope", Query{Scopes: []string{"6dae42f8-4368-4678-94ff-3960e28e3630/.default"}},
			[]string{"auth", "token", "--output", "json", "--no-prompt", "--scope", "6dae42f8-4368-4678-94ff-3960e28e3630/.default"}},
		{"resource in a tenant", Query{Tenant: "contoso.onmicrosoft.com", Resource: "https://management.core.windows.net/"},
			[]string{"auth", "token", "--output", "json", "--no-prompt", "--scope", "https://management.core.windows.net/.default", "--tenant-id", "contoso.onmicrosoft.com"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, saw := fakeDeveloperRunner(t, "azd")
			tok, err := r.Token(context.Background(), tc.q)
			if err != nil {
				t.Fatalf("Token: %v", err)
			}
			if run := saw(); !slices.Equal(run.Args, tc.want) || run.Stdin != "" {
				t.Errorf("azd ran with %q (stdin %q), want %q and no stdin", run.Args, run.Stdin, tc.want)
			}
			want := Token{AccessToken: fakeToken, TokenType: "Bearer", ExpiresOn: time.Date(2026, 3, 1, 13, 30, 0, 0, time.UTC)}
			if *tok != want {
				t.Errorf("Token = %+v, want %+v", *tok, want)
			}
		})
	}
}

func TestDeveloperTokenFailures(t *testing.T) {
	for _, tc := range []struct {
		mode, tenant string
		q            Query
		is           error
		want         string
	}{
		{"azd-not-signed-in", "", Query{}, ErrDeveloperCLINotSignedIn, "the Azure Developer CLI is not signed in: run `azd auth login` (azd: not logged in, run `azd auth login` to login)"},
		{"azd-not-signed-in", "contoso.com", Query{}, ErrDeveloperCLINotSignedIn, "run `azd auth login --tenant-id contoso.com`"},
		{"azd-garbage", "", Query{}, nil, "the Azure Developer CLI's expiresOn is not an RFC 3339 time"},
		{"silent-fail", "", Query{}, nil, "the Azure Developer CLI (azd auth token) exited with status 3"},
		{"azd", "", Query{Subscription: "sub-1"}, nil, "cannot get a token for a subscription"},
	} {
		r, _ := fakeDeveloperRunner(t, tc.mode)
		tc.q.Tenant, tc.q.Resource = tc.tenant, "https://management.core.windows.net/"
		_, err := r.Token(context.Background(), tc.q)
		if err == nil || !strings.Contains(err.Error(), tc.want) || (tc.is != nil && !errors.Is(err, tc.is)) {
			t.Errorf("%s: %v, want an error containing %q", tc.mode, err, tc.want)
		}
		if err != nil && strings.Contains(err.Error(), fakeToken) {
			t.Errorf("%s: the error quotes azd's token", tc.mode)
		}
	}
}

func TestDeveloperTokenAzdMissing(t *testing.T) {
	r := &DeveloperRunner{Getenv: func(string) string { return t.TempDir() }}
	_, err := r.Token(context.Background(), Query{Scopes: []string{"x/.default"}})
	if !errors.Is(err, ErrDeveloperCLINotInstalled) || !strings.Contains(err.Error(), "azd") {
		t.Errorf("error = %v, want azd's not-installed error", err)
	}
}

func TestAzSubscription(t *testing.T) {
	r, saw := fakeRunner(t, "new")
	if _, err := r.Token(context.Background(), Query{Subscription: "My Subscription", Resource: "https://management.core.windows.net/"}); err != nil {
		t.Fatal(err)
	}
	want := []string{"account", "get-access-token", "--output", "json", "--subscription", "My Subscription", "--resource", "https://management.core.windows.net/"}
	if got := saw().Args; !slices.Equal(got, want) {
		t.Errorf("az ran with %q, want %q", got, want)
	}
	for _, bad := range []string{"--all", "sub&calc", "sub\tx"} {
		if _, err := r.Token(context.Background(), Query{Subscription: bad, Resource: "https://x/"}); err == nil {
			t.Errorf("subscription %q was passed to az", bad)
		}
	}
}

func TestDeveloperAccount(t *testing.T) {
	dir := t.TempDir()
	r := &DeveloperRunner{Env: []string{"AZD_CONFIG_DIR=" + dir}}
	account := func(config string) string {
		t.Helper()
		if err := os.WriteFile(filepath.Join(dir, azdConfigFile), []byte(config), 0o600); err != nil {
			t.Fatal(err)
		}
		got, err := r.Account()
		if err != nil {
			t.Fatalf("Account(%s): %v", config, err)
		}
		return got
	}
	if got, err := r.Account(); got != "" || err != nil {
		t.Errorf("without a config: %q, %v", got, err)
	}
	alice := account(`{"auth":{"account":{"currentUser":{"homeAccountId":"alice.tenant"}}}}`)
	bob := account(`{"auth":{"account":{"currentUser":{"homeAccountId":"bob.tenant"}}}}`)
	app := account(`{"auth":{"account":{"currentUser":{"clientId":"c","tenantId":"t"}}}}`)
	loggedOut := account(`{"defaults":{"location":"westeurope"}}`)
	if alice == "" || alice == bob || alice == app || loggedOut != "" {
		t.Errorf("fingerprints alice %q bob %q app %q logged out %q", alice, bob, app, loggedOut)
	}
	if err := os.WriteFile(filepath.Join(dir, azdConfigFile), []byte(`{"auth":`), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := r.Account(); err == nil || !strings.Contains(err.Error(), azdConfigFile) {
		t.Errorf("a damaged config: %v, want an error naming it", err)
	}
}

func FuzzParseDeveloper(f *testing.F) {
	f.Add([]byte(`{"token":"t","expiresOn":"2026-03-01T13:30:00Z"}`))
	f.Add([]byte(`{"token":null}`))
	f.Add([]byte(`"x"`))
	f.Fuzz(func(t *testing.T, out []byte) {
		tok, err := ParseDeveloper(out)
		if err == nil && (tok.AccessToken == "" || tok.ExpiresOn.IsZero()) {
			t.Fatalf("accepted an answer without a token or expiry")
		}
		if err != nil && len(out) > 8 && strings.Contains(err.Error(), string(out)) {
			t.Fatalf("the error quotes the output")
		}
	})
}

func FuzzFingerprintDeveloperConfig(f *testing.F) {
	f.Add([]byte(`{"auth":{"account":{"currentUser":{"homeAccountId":"a.b"}}}}`))
	f.Add([]byte(`{"auth":{"useAzCliAuth":"true","account":null}}`))
	f.Add([]byte(`{"defaults":{"subscription":1}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		fp, err := fingerprintDeveloperConfig(data)
		if err != nil && fp != "" {
			t.Fatalf("an error with a fingerprint %q", fp)
		}
	})
}
