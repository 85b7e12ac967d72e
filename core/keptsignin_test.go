package core_test

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aadcred/aadcred/core"
	"github.com/aadcred/aadcred/keystore"
	"github.com/aadcred/aadcred/tests/fakeentra"
	"github.com/aadcred/aadcred/tests/harness"
)

// entryFile is the path of the one entry of tier whose name starts with prefix.
func (w *world) entryFile(tier, prefix string) string {
	w.t.Helper()
	files, err := filepath.Glob(filepath.Join(w.dir, tier, prefix+"*"))
	if err != nil || len(files) != 1 {
		w.t.Fatalf("%s/%s… entries: %q (%v), want one", tier, prefix, files, err)
	}
	return files[0]
}

// TestLostLabelIsRebuiltFromTheSealedEntry damages or removes the label of a signed-in account:
// the sign-in still serves, silently, and its label is back.
func TestLostLabelIsRebuiltFromTheSealedEntry(t *testing.T) {
	t.Parallel()
	for name, damage := range map[string]func(path string) error{
		"removed":   os.Remove,
		"truncated": func(path string) error { return os.WriteFile(path, []byte("AADP"), 0o600) },
		"garbage":   func(path string) error { return os.WriteFile(path, []byte("\x00\xffnot a label"), 0o600) },
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			w := newWorld(t, fakeentra.Options{}, nil)
			w.signInAlice(w.client())
			label := w.entryFile("tokens", "a")
			before, _ := w.store().Read(context.Background(), keystore.AccessTokens, filepath.Base(label))
			if err := damage(label); err != nil {
				t.Fatal(err)
			}
			w.logs.reset()
			w.checkToken(acquire(t, w.client(), w.silent("", armResource)), armResource, alice)
			if logged := w.logs.at(slog.LevelWarn); len(logged) != 0 {
				t.Errorf("warnings %q; the label should be rebuilt silently", logged)
			}
			after, err := w.store().Read(context.Background(), keystore.AccessTokens, filepath.Base(label))
			if err != nil || string(after) != string(before) {
				t.Errorf("the label was not rebuilt as it was (%v):\n%s\nwant\n%s", err, after, before)
			}
		})
	}
}

// TestSignInsWithoutALabelAreListedAndSignedOut keeps sealed entries whose label is gone and
// that cannot give it back (an older aadcred's entry holds the refresh token alone; a store
// whose key cannot be reached now cannot be read): the accounts list shows them, and signing
// every account out removes them.
func TestSignInsWithoutALabelAreListedAndSignedOut(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "store")
	store, err := keystore.Open(keystore.Options{Dir: dir, Backend: "passphrase", Passphrase: "correct horse"})
	if err != nil {
		t.Fatal(err)
	}
	const older = "a0123456789abcdef0123456789abcdef01234567"
	if err := store.Write(ctx, keystore.Secrets, older, []byte("1.AV-a-bare-refresh-token")); err != nil {
		t.Fatal(err)
	}
	c := &core.Client{Store: store}
	accounts, err := c.Accounts(ctx)
	if err != nil || len(accounts) != 1 || accounts[0].ID != older || !strings.Contains(accounts[0].Unreadable, "no copy of the label") {
		t.Fatalf("accounts = %+v (%v), want the older entry, unreadable", accounts, err)
	}

	// The same store where the passphrase is not given: nothing can be read now.
	locked, err := keystore.Open(keystore.Options{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	c = &core.Client{Store: locked}
	accounts, err = c.Accounts(ctx)
	if err != nil || len(accounts) != 1 || !strings.Contains(accounts[0].Unreadable, "cannot be read now") {
		t.Fatalf("accounts = %+v (%v), want the entry, unreadable now", accounts, err)
	}
	report, err := c.SignOutAll(ctx)
	if err != nil || report.Accounts != 1 {
		t.Fatalf("SignOutAll = %+v, %v", report, err)
	}
	if names, _ := locked.List(keystore.Secrets); len(names) != 0 {
		t.Errorf("secrets left after signing every account out: %q", names)
	}
}

// derived writes an entry that docker or git would keep, with its label.
func (w *world) derived(tier keystore.Tier, name string, label core.DerivedLabel) {
	w.t.Helper()
	data, err := json.Marshal(map[string]any{"label": label, "other": "the package's own data"})
	if err != nil {
		w.t.Fatal(err)
	}
	if err := w.store().Write(context.Background(), tier, name, data); err != nil {
		w.t.Fatal(err)
	}
}

// TestDerivedEntriesAreListedCleanedAndSignedOut keeps registry tokens and organisation notes
// beside a sign-in: the cache lists them, and signing out removes those the sign-in gave.
func TestDerivedEntriesAreListedCleanedAndSignedOut(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	w := newWorld(t, fakeentra.Options{}, nil)
	w.signInAlice(w.client())
	expires := time.Now().Add(3 * time.Hour).Truncate(time.Second)
	alicesRegistry := core.RegistryTokenPrefix + "aa-alice"
	appsRegistry := core.RegistryTokenPrefix + "aa-app"
	note := core.OrganisationNotePrefix + "0123"
	w.derived(keystore.Secrets, alicesRegistry, core.DerivedLabel{Subject: "contoso.azurecr.io", TenantID: fakeentra.DefaultTenant,
		ObjectID: fakeentra.DefaultUserObjectID, UPN: fakeentra.DefaultUser, ExpiresOn: expires})
	w.derived(keystore.Secrets, appsRegistry, core.DerivedLabel{Subject: "contoso.azurecr.io", TenantID: fakeentra.DefaultTenant, ExpiresOn: expires})
	w.derived(keystore.AccessTokens, note, core.DerivedLabel{Subject: "contoso at dev.azure.com", TenantID: fakeentra.DefaultTenant})

	client := w.client()
	tokens, err := client.CachedTokens(ctx)
	if err != nil {
		t.Fatal(err)
	}
	kinds := map[string]core.CachedToken{}
	for _, tok := range tokens {
		kinds[tok.ID] = tok
	}
	if r := kinds[alicesRegistry]; r.Kind != "registry token" || r.Target != "contoso.azurecr.io" || r.UPN != fakeentra.DefaultUser || !r.ExpiresOn.Equal(expires) {
		t.Errorf("alice's registry token is listed as %+v", r)
	}
	if n := kinds[note]; n.Kind != "organisation note" || n.TenantID != fakeentra.DefaultTenant || n.Expired(time.Now()) {
		t.Errorf("the organisation note is listed as %+v", n)
	}

	n, err := client.SignOut(ctx, func(a core.Account) bool { return a.UPN == fakeentra.DefaultUser })
	if err != nil || n != 1 {
		t.Fatalf("SignOut = %d, %v", n, err)
	}
	secrets, _ := w.store().List(keystore.Secrets)
	if !slices.Equal(secrets, []string{appsRegistry}) {
		t.Errorf("after signing alice out the secrets tier holds %q, want the application's registry token alone", secrets)
	}
	if _, err := w.store().Read(ctx, keystore.AccessTokens, note); !errors.Is(err, keystore.ErrNotFound) {
		t.Errorf("the note of alice's tenant outlived her sign-out: %v", err)
	}

	deleted, err := client.DeleteTokens(ctx, func(tok core.CachedToken) bool { return tok.Kind == "registry token" })
	if err != nil || deleted != 1 {
		t.Errorf("DeleteTokens of registry tokens = %d, %v", deleted, err)
	}
}

// TestSignOutAllLeavesNoSecret signs everything out of a store that holds sign-ins, registry
// tokens of anyone, and a quarantined entry.
func TestSignOutAllLeavesNoSecret(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	w := newWorld(t, fakeentra.Options{}, nil)
	w.signInAlice(w.client())
	w.derived(keystore.Secrets, core.RegistryTokenPrefix+"aa-app", core.DerivedLabel{Subject: "contoso.azurecr.io"})
	w.derived(keystore.AccessTokens, core.OrganisationNotePrefix+"0123", core.DerivedLabel{Subject: "contoso"})
	if err := os.WriteFile(filepath.Join(w.dir, "secrets", "a-damaged"), []byte("damaged"), 0o600); err != nil {
		t.Fatal(err)
	}
	w.store().Read(ctx, keystore.Secrets, "a-damaged") // quarantines it
	report, err := w.client().SignOutAll(ctx)
	if err != nil || report.Accounts != 1 || report.Other != 3 {
		t.Errorf("SignOutAll = %+v, %v; want alice, the registry token, the note and the quarantined entry", report, err)
	}
	for _, sub := range []string{"secrets", "quarantine"} {
		if left, _ := os.ReadDir(filepath.Join(w.dir, sub)); len(left) != 0 {
			t.Errorf("%s holds %d files after signing every account out", sub, len(left))
		}
	}
}

// TestUnwritableStoreServesTokensAndSaysSoOnce makes the store read-only: tokens are served, and
// the warnings all say the one thing, that the store cannot be written.
func TestUnwritableStoreServesTokensAndSaysSoOnce(t *testing.T) {
	t.Parallel()
	w := newWorld(t, fakeentra.Options{}, nil)
	w.signInAlice(w.client())
	app := w.secretApp(core.AzureDevOpsResource)
	harness.ReadOnly(t, w.dir)
	w.logs.reset()
	w.checkToken(acquire(t, w.client(), w.silent("", armResource)), armResource, alice)
	acquire(t, w.client(), app)
	warnings := w.logs.at(slog.LevelWarn)
	if len(warnings) == 0 {
		t.Fatal("no warning that the token was not kept")
	}
	for _, warning := range warnings {
		if warning != warnings[0] || !strings.Contains(warning, w.dir+" cannot be written") || strings.Contains(warning, "another") {
			t.Errorf("warnings %q; want each to say the store cannot be written, in the same words", warnings)
			break
		}
	}
}

// TestRefusedLabelEndsTheCallNamingTheFix makes a label other users could have written: it is
// not used, and the call fails saying so, with the chmod that fixes it, rather than asking for a
// sign-in.
func TestRefusedLabelEndsTheCallNamingTheFix(t *testing.T) {
	t.Parallel()
	w := newWorld(t, fakeentra.Options{}, nil)
	w.signInAlice(w.client())
	label := w.entryFile("tokens", "a")
	if err := os.Chmod(label, 0o644); err != nil {
		t.Fatal(err)
	}
	w.fake.ResetCounts()
	_, err := w.client().Acquire(context.Background(), w.silent("", armResource))
	wantError(t, err, label, "chmod 600 "+label)
	if errors.Is(err, core.ErrInteractionRequired) {
		t.Errorf("the error asks for a sign-in: %v", err)
	}
	if n := w.fake.Count(fakeentra.EndpointAny); n != 0 {
		t.Errorf("%d requests with a sign-in that was refused", n)
	}
}

// TestUnreadableSignInIsQuarantinedAndNamedInTheError damages a kept refresh token: the call
// fails in one error that says where the entry went and which command signs in again.
func TestUnreadableSignInIsQuarantinedAndNamedInTheError(t *testing.T) {
	t.Parallel()
	w := newWorld(t, fakeentra.Options{}, nil)
	w.signInAlice(w.client())
	if err := os.WriteFile(w.entryFile("secrets", "a"), []byte("AADS\x01damaged"), 0o600); err != nil {
		t.Fatal(err)
	}
	w.logs.reset()
	_, err := w.client().Acquire(context.Background(), w.silent("", armResource))
	wantError(t, err, filepath.Join(w.dir, "quarantine"), "aadcred login")
	if logged := w.logs.at(slog.LevelWarn); len(logged) != 0 {
		t.Errorf("warnings %q besides the error", logged)
	}
}

// TestUnreachableKeyKeepsEverything signs in on a store whose data key comes from a passphrase,
// then runs without the passphrase, as a process does while the keyring is locked: a call that
// needs the kept sign-in fails saying why, asks nothing of the service and changes nothing in the
// store, whether the account's label is there or lost; with the passphrase back, the sign-in
// serves again, silently.
func TestUnreachableKeyKeepsEverything(t *testing.T) {
	t.Parallel()
	for name, loseLabel := range map[string]bool{"with its label": false, "its label lost": true} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			w := newWorld(t, fakeentra.Options{}, nil)
			client := func(opts keystore.Options) *core.Client {
				opts.Dir = w.dir
				store, err := keystore.Open(opts)
				if err != nil {
					t.Fatal(err)
				}
				c := w.uncachedClient()
				c.Store = store
				return c
			}
			unlocked := keystore.Options{Backend: "passphrase", Passphrase: "correct horse"}
			w.signInAlice(client(unlocked))
			if loseLabel {
				if err := os.Remove(w.entryFile("tokens", "a")); err != nil {
					t.Fatal(err)
				}
			}
			before := harness.StoreFiles(t, w.dir)
			w.fake.ResetCounts()
			_, err := client(keystore.Options{}).Acquire(context.Background(), w.silent("", armResource))
			if !errors.Is(err, keystore.ErrKeyUnavailable) {
				t.Errorf("Acquire without the key = %v, want an error saying the key cannot be reached", err)
			}
			if n := w.fake.Count(fakeentra.EndpointAny); n != 0 {
				t.Errorf("%d requests to the service", n)
			}
			after := harness.StoreFiles(t, w.dir)
			for path, data := range after {
				if old, ok := before[path]; !ok || old != data {
					t.Errorf("%s was made or changed while the key could not be reached", path)
				}
			}
			for path := range before {
				if _, ok := after[path]; !ok {
					t.Errorf("%s was removed while the key could not be reached", path)
				}
			}
			w.checkToken(acquire(t, client(unlocked), w.silent("", armResource)), armResource, alice)
		})
	}
}
