package azrepos_test

import (
	"testing"

	"github.com/aadcred/aadcred/cmd/git-credential-aad/internal/azrepos"
)

const (
	tenantID    = "11111111-2222-3333-4444-555555555555"
	otherTenant = "99999999-2222-3333-4444-555555555555"
)

func TestTenantFromChallenges(t *testing.T) {
	tests := []struct {
		name   string
		values []string
		want   string
	}{
		{"Azure DevOps, one header per challenge", []string{
			"Bearer authorization_uri=https://login.microsoftonline.com/" + tenantID,
			`Basic realm="https://tfsprodweu2.app.visualstudio.com/"`,
			"TFS-Federated",
		}, tenantID},
		{"quoted", []string{`Bearer authorization_uri="https://login.microsoftonline.com/` + tenantID + `"`}, tenantID},
		{"one header, several challenges", []string{
			`Basic realm="a, b", Bearer realm="", authorization_uri=https://login.microsoftonline.com/` + tenantID + `, TFS-Federated`,
		}, tenantID},
		{"the greedy-regex trap", []string{
			`Bearer authorization_uri="https://login.microsoftonline.com/` + tenantID + `", Basic realm="https://x/evil-tenant"`,
		}, tenantID},
		{"scheme in other case, parameter too", []string{"bearer Authorization_URI=https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2"}, "contoso.onmicrosoft.com"},
		{"token68 before", []string{"Negotiate abc==, Bearer authorization_uri=https://login.microsoftonline.com/" + tenantID}, tenantID},
		{"personal-account organisation", []string{`Basic realm="https://x/"`, "Bearer", "TFS-Federated"}, ""},
		{"Basic only", []string{`Basic realm="https://login.microsoftonline.com/` + tenantID + `"`}, ""},
		{"not https", []string{"Bearer authorization_uri=http://login.example/" + tenantID}, ""},
		{"loopback http for tests", []string{"Bearer authorization_uri=http://127.0.0.1:8080/" + tenantID}, tenantID},
		{"no tenant", []string{"Bearer authorization_uri=https://login.microsoftonline.com/"}, ""},
		{"zero GUID", []string{"Bearer authorization_uri=https://login.microsoftonline.com/00000000-0000-0000-0000-000000000000"}, ""},
		{"tenant with bad characters", []string{"Bearer authorization_uri=https://login.microsoftonline.com/a%20b"}, ""},
		{"white space around =", []string{"Bearer authorization_uri = https://login.microsoftonline.com/" + tenantID}, tenantID},
		{"a malformed header does not hide the next", []string{`Bearer "unterminated`, "Bearer authorization_uri=https://login.microsoftonline.com/" + tenantID}, tenantID},
		{"named twice: no guessing which", []string{
			"Bearer authorization_uri=https://login.microsoftonline.com/" + otherTenant + ", authorization_uri=https://login.microsoftonline.com/" + tenantID,
		}, ""},
		{"a parameter after a bare scheme belongs to no challenge", []string{
			"Bearer, authorization_uri=https://login.microsoftonline.com/" + tenantID,
		}, ""},
		{"text after the value", []string{"Bearer authorization_uri=https://login.microsoftonline.com/" + tenantID + ` x"y`}, ""},
		{"a quoted realm is never read as a parameter: the real Bearer challenge after it is", []string{
			`Basic realm="x, authorization_uri=https://login.microsoftonline.com/` + otherTenant + `", Bearer authorization_uri=https://login.microsoftonline.com/` + tenantID,
		}, tenantID},
		{"empty", nil, ""},
		{"garbage", []string{`=,,"=Bearer`, `Bearer "unterminated`}, ""},
	}
	for _, tt := range tests {
		if got := azrepos.TenantFromChallenges(tt.values); got != tt.want {
			t.Errorf("%s: TenantFromChallenges(%q) = %q, want %q", tt.name, tt.values, got, tt.want)
		}
	}
}

func TestTenantFromResourceHeader(t *testing.T) {
	zero := "00000000-0000-0000-0000-000000000000"
	tests := []struct {
		values []string
		want   string
	}{
		{[]string{tenantID}, tenantID},
		{[]string{"11111111-2222-3333-4444-55555555555A"}, "11111111-2222-3333-4444-55555555555a"},
		{[]string{zero + ", " + tenantID}, tenantID},
		{[]string{zero, tenantID}, tenantID},
		{[]string{zero}, azrepos.Organizations},
		{[]string{"not-a-guid"}, ""},
		{[]string{"11111111-2222-3333-4444-5555555555"}, ""},
		{nil, ""},
	}
	for _, tt := range tests {
		if got := azrepos.TenantFromResourceHeader(tt.values); got != tt.want {
			t.Errorf("TenantFromResourceHeader(%q) = %q, want %q", tt.values, got, tt.want)
		}
	}
}
