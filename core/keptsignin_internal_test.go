package core

import (
	"bytes"
	"testing"

	"github.com/aadcred/aadcred/keystore"
)

// FuzzDecodeKeptSignIn feeds the reader of accounts' sealed entries what a damaged store, or
// another version, may hold: it never panics, and what it accepts is a whole sign-in.
func FuzzDecodeKeptSignIn(f *testing.F) {
	f.Add([]byte(`{"account":{"authority":"https://login.microsoftonline.com","client_id":"c","tenant_id":"t"},"refresh_token":"1.AV"}`))
	f.Add([]byte("1.AV-a-bare-refresh-token"))
	f.Add([]byte(`["not","an","entry"]`))
	f.Add([]byte(" \n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		acct, rt, err := decodeKeptSignIn(data)
		switch {
		case err == nil && (acct == nil || acct.Authority == "" || acct.ClientID == "" || rt == ""):
			t.Errorf("accepted %q as a sign-in without its label or token", data)
		case err == errNoLabelCopy && (acct != nil || rt != string(data) || len(bytes.TrimSpace(data)) == 0):
			t.Errorf("took %q for a bare refresh token wrongly", data)
		}
	})
}

func TestDerivedFrom(t *testing.T) {
	alice := Account{TenantID: "t1", ObjectID: "oid-alice"}
	unnamed := Account{TenantID: "t1"} // a label that names no user
	note := CachedToken{derived: true, tier: keystore.AccessTokens, TenantID: "t1"}
	alicesToken := CachedToken{derived: true, tier: keystore.Secrets, TenantID: "t1", objectID: "OID-ALICE"}
	appsToken := CachedToken{derived: true, tier: keystore.Secrets, TenantID: "t1"}
	for _, tc := range []struct {
		name  string
		entry CachedToken
		acct  Account
		want  bool
	}{
		{"alice's registry token", alicesToken, alice, true},
		{"alice's registry token, another account", alicesToken, unnamed, false},
		{"alice's registry token, another tenant", alicesToken, Account{TenantID: "t2", ObjectID: "oid-alice"}, false},
		{"an application's registry token", appsToken, alice, false},
		{"an application's registry token, an account naming no user", appsToken, unnamed, false},
		{"a note of the tenant", note, alice, true},
		{"a note of another tenant", note, Account{TenantID: "t2"}, false},
		{"a cached access token", CachedToken{tier: keystore.AccessTokens, TenantID: "t1"}, alice, false},
	} {
		if got := tc.entry.derivedFrom(tc.acct); got != tc.want {
			t.Errorf("%s: derivedFrom = %v, want %v", tc.name, got, tc.want)
		}
	}
}
