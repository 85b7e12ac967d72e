package cli

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

// sampleReport is a store as a person who uses all three tools has it: a sign-in that serves
// them, one that needs a new sign-in, an application's token, registry tokens and organisation
// notes, and a quarantined entry.
func sampleReport(now time.Time) *statusReport {
	const tenant, other = "aadc0de0-7e57-4e7a-9c1d-5f0c0de0fa4e", "0c3f9e1a-2b4d-4e6f-8a1c-3e5f7a9b1d2f"
	const alice, bob = "alice@contoso.onmicrosoft.com", "robert.longname-example@fabrikam-engineering.onmicrosoft.com"
	hour := now.Add(time.Hour)
	return &statusReport{
		SchemaVersion: 1, Program: "kubectl-aad", Version: "v1.2.3", Store: "/home/alice/.cache/aadcred",
		Access:     "directory mode 0700, files 0600, owner uid 1000 (you alone)",
		Protection: "key file /home/alice/.cache/aadcred/data.key (readable by you only; protects against other users, not against your own processes)",
		Accounts: []statusAccount{
			{UPN: alice, TenantID: tenant, ClientID: "04b07795-8ddb-461a-bbee-02f9e1bf7b46", SignedIn: now.Add(-time.Hour), State: stateSignedIn},
			{UPN: bob, TenantID: other, ClientID: "1d2c3b4a-5e6f-4a1b-9c8d-7e6f5a4b3c2d", SignedIn: now.Add(-48 * time.Hour),
				State: stateNeedsSignIn, Reason: "the service refused its refresh token (AADSTS50173)",
				SignInCommand: "kubectl aad login --tenant " + other + " --account " + bob + " --client-id 1d2c3b4a-5e6f-4a1b-9c8d-7e6f5a4b3c2d"},
			{State: stateUnreadable, Reason: "its label is lost and its key cannot be reached now"},
		},
		Tokens: []statusToken{
			{ID: "t8161594d0e4480ee078bbd5067eba08da5d7618f", Target: "499b84ac-1321-427f-aa17-267ca6975798/.default", Kind: "user", UPN: alice, TenantID: tenant, ExpiresOn: now.Add(59 * time.Minute)},
			{ID: "t8161a94d0e4480ee078bbd5067eba08da5d7618f", Target: "https://management.core.windows.net//.default", Kind: "user", UPN: alice, TenantID: tenant, ExpiresOn: hour},
			{ID: "tf0d1689e2e5c70f180527c5aaf00f9dd6d19dcde", Target: "https://management.azure.com/.default", Kind: "clientsecret", TenantID: tenant, ExpiresOn: hour},
			{ID: "t67ddd0e467cae19bb7ef8acdb3d8ac227bcf47d2", Target: "6dae42f8-4368-4678-94ff-3960e28e3630/.default", Kind: "user", UPN: bob, TenantID: other, ExpiresOn: now.Add(-time.Minute)},
			{ID: "docker-acr-c6b7d011ffb4db36-7b8621b2f5c605f8360783cd88d09aa8a26e4d58", Target: "contoso.azurecr.io", Kind: "registry token", UPN: alice, TenantID: tenant, ExpiresOn: now.Add(3 * time.Hour)},
			{ID: "g4042f736ca74c2fcee977fc3ca58f08a6ef1e2b6", Target: "contoso at dev.azure.com", Kind: "organisation note", TenantID: tenant},
			{ID: "gn4042f736ca74c2fcee977fc3ca58f08a6ef1e2b", Target: "fabrikam at dev.azure.com", Kind: "organisation note", ExpiresOn: now.Add(5 * time.Minute)},
		},
		Quarantined: []statusQuarantined{{Path: "/home/alice/.cache/aadcred/quarantine/a1b2c3d4-20261204T101500Z", From: "secrets/a1b2c3d4", Since: now}},
	}
}

// TestStatusTextFitsEightyColumns: status reads at 80 columns: no line is wider, but the command
// a person copies, which stays whole; the tokens are listed under their account, with IDs short
// enough to read that cache delete takes; nothing of what a person needs is lost.
func TestStatusTextFitsEightyColumns(t *testing.T) {
	now := time.Date(2026, 12, 4, 10, 0, 0, 0, time.Local)
	r := sampleReport(now)
	var out bytes.Buffer
	if err := r.writeText(&out, now, Tool{Name: "kubectl-aad", SignInCommand: "kubectl aad login"}); err != nil {
		t.Fatal(err)
	}
	text := out.String()
	for _, line := range strings.Split(text, "\n") {
		if len([]rune(line)) > 80 && strings.TrimSpace(line) != "run     "+r.Accounts[1].SignInCommand {
			t.Errorf("wider than 80 columns: %q", line)
		}
	}
	want := `Version:      kubectl-aad v1.2.3
Token store:  /home/alice/.cache/aadcred
Access:       directory mode 0700, files 0600, owner uid 1000 (you alone)
Protection:   key file /home/alice/.cache/aadcred/data.key (readable by you
              only; protects against other users, not against your own
              processes)

Signed-in accounts:
  alice@contoso.onmicrosoft.com, signed in 2026-12-04 09:00
    tenant  aadc0de0-7e57-4e7a-9c1d-5f0c0de0fa4e
    client  04b07795-8ddb-461a-bbee-02f9e1bf7b46 (Azure CLI)
  robert.longname-example@fabrikam-engineering.onmicrosoft.com, needs sign-in
    why     the service refused its refresh token (AADSTS50173)
    run     ` + r.Accounts[1].SignInCommand + `
    tenant  0c3f9e1a-2b4d-4e6f-8a1c-3e5f7a9b1d2f
    client  1d2c3b4a-5e6f-4a1b-9c8d-7e6f5a4b3c2d
  an account that cannot be read
    why     its label is lost and its key cannot be reached now

Cached tokens (` + "`kubectl aad cache delete ID`" + ` removes one):
  alice@contoso.onmicrosoft.com in tenant aadc0de0-7e57-4e7a-9c1d-5f0c0de0fa4e
    t8161594            in 59m  499b84ac-1321-427f-aa17-267ca6975798/.default
    t8161a94            in 1h   https://management.core.windows.net//.default
    docker-acr-c6b7d01  in 3h   contoso.azurecr.io (registry token)
  robert.longname-example@fabrikam-engineering.onmicrosoft.com
  in tenant 0c3f9e1a-2b4d-4e6f-8a1c-3e5f7a9b1d2f
    t67ddd0e  expired  6dae42f8-4368-4678-94ff-3960e28e3630/.default
  tenant aadc0de0-7e57-4e7a-9c1d-5f0c0de0fa4e, no user
    tf0d1689  in 1h  https://management.azure.com/.default (clientsecret)
    g4042f73  never  contoso at dev.azure.com (organisation note)
  no account or tenant
    gn4042f73  in 5m  fabrikam at dev.azure.com (organisation note)

Quarantined (could not be opened; kept 7 days, or until logout --all):
  /home/alice/.cache/aadcred/quarantine/a1b2c3d4-20261204T101500Z
    from secrets/a1b2c3d4, since 2026-12-04 10:00
`
	if text != want {
		t.Errorf("status reads\n%s\nwant\n%s", text, want)
	}
}

// TestShortIDsAreTakenBack: each short ID that status shows names its entry, and only it, for
// cache delete; a start too short or shared by several is refused.
func TestShortIDsAreTakenBack(t *testing.T) {
	var ids []string
	for _, tok := range sampleReport(time.Now()).Tokens {
		ids = append(ids, tok.ID)
	}
	short := shortIDs(ids)
	for _, id := range ids {
		if got, err := resolveID(ids, short[id]); got != id || err != nil {
			t.Errorf("the short ID %s names %q (%v), want %s", short[id], got, err, id)
		}
		if got, err := resolveID(ids, id); got != id || err != nil {
			t.Errorf("the whole ID %s names %q (%v)", id, got, err)
		}
	}
	for id, want := range map[string]string{
		"t816":  "2 cached tokens have IDs that start with t816: give more of the ID",
		"t81":   "t81 is too short to name a cached token: give at least 4 characters of its ID",
		"t0000": "no cached token has the ID t0000",
	} {
		if _, err := resolveID(ids, id); err == nil || err.Error() != want {
			t.Errorf("%s: %v, want %q", id, err, want)
		}
	}
}
