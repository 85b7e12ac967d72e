package core

import (
	"bytes"
	"testing"
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
