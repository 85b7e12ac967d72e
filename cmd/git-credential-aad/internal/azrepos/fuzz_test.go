package azrepos_test

import (
	"strings"
	"testing"

	"github.com/aadcred/aadcred/cmd/git-credential-aad/internal/azrepos"
	"github.com/aadcred/aadcred/core/entra"
)

// FuzzTenantFromChallenges checks that any WWW-Authenticate value (from a server or from git's
// wwwauth[]) is read without a panic, and that a tenant it returns is safe to put in a URL.
func FuzzTenantFromChallenges(f *testing.F) {
	for _, seed := range []string{
		"Bearer authorization_uri=https://login.microsoftonline.com/" + tenantID,
		`Bearer authorization_uri="https://login.microsoftonline.com/` + tenantID + `", Basic realm="x"`,
		`Basic realm="https://tfsprodweu2.app.visualstudio.com/"`,
		"TFS-Federated",
		"Negotiate abc==, Bearer realm=x",
		`Bearer "unterminated`,
		`Bearer a=\"b\\"c"`,
		"=,=,=",
		"Bearer authorization_uri = https://login.microsoftonline.com/" + tenantID + ", authorization_uri=x",
		`Basic realm="a, authorization_uri=https://login.microsoftonline.com/` + tenantID + `", Bearer authorization_uri=https://l/x`,
		"Bearer, authorization_uri=https://login.microsoftonline.com/" + tenantID,
		"",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, value string) {
		tenant := azrepos.TenantFromChallenges([]string{value})
		if tenant == "" {
			return
		}
		if err := entra.ValidateTenant(tenant); err != nil {
			t.Fatalf("TenantFromChallenges(%q) = %q, not a valid tenant: %v", value, tenant, err)
		}
		if tenant == "00000000-0000-0000-0000-000000000000" {
			t.Fatalf("TenantFromChallenges(%q) returned the all-zero GUID", value)
		}
	})
}

// FuzzTenantFromResourceHeader checks X-VSS-ResourceTenant reading the same way.
func FuzzTenantFromResourceHeader(f *testing.F) {
	for _, seed := range []string{tenantID, "00000000-0000-0000-0000-000000000000, " + tenantID, "x,,y", ""} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, value string) {
		tenant := azrepos.TenantFromResourceHeader([]string{value})
		if tenant == "" || tenant == azrepos.Organizations {
			return
		}
		if err := entra.ValidateTenant(tenant); err != nil || len(tenant) != 36 {
			t.Fatalf("TenantFromResourceHeader(%q) = %q, not a tenant GUID", value, tenant)
		}
	})
}

// FuzzOrganization checks that an organisation taken from git's input is always safe to put in
// a URL path.
func FuzzOrganization(f *testing.F) {
	f.Add("dev.azure.com", "contoso/web/_git/web", "contoso")
	f.Add("contoso.visualstudio.com", "", "")
	f.Add("dev.azure.com", "../../x", "a@b")
	f.Add("x.visualstudio.com:8443", "p", "u")
	f.Fuzz(func(t *testing.T, host, path, username string) {
		org, err := azrepos.Organization(host, path, username)
		if err != nil {
			return
		}
		if org == "" || org == "." || org == ".." || strings.ContainsAny(org, "/?#%@: \\") {
			t.Fatalf("Organization(%q, %q, %q) = %q, unsafe in a URL path", host, path, username, org)
		}
	})
}
