package azrepos

import (
	"net/url"
	"strings"

	"github.com/aadcred/aadcred/core/entra"
	"github.com/aadcred/aadcred/core/wwwauth"
)

// Organizations is the tenant of organisations backed by personal Microsoft accounts: Azure
// DevOps's pass-through for them needs the organizations authority, not common or consumers.
const Organizations = "organizations"

// TenantFromChallenges returns the tenant that a Bearer challenge's authorization_uri names
// (https://login.microsoftonline.com/<tenant>), or "" when no challenge names one. Azure DevOps
// writes the URL unquoted, so each value is read with wwwauth.ParseLenient, on its own: git passes
// on every header of the 401, and one malformed header must not hide the others.
func TenantFromChallenges(values []string) string {
	for _, v := range values {
		challenges, err := wwwauth.ParseLenient([]string{v})
		if err != nil {
			continue
		}
		for _, c := range challenges {
			if !strings.EqualFold(c.Scheme, "Bearer") {
				continue
			}
			if t := tenantFromAuthorityURI(c.Params["authorization_uri"]); t != "" {
				return t
			}
		}
	}
	return ""
}

// tenantFromAuthorityURI takes the tenant out of an authority URI. Only the tenant is used: the
// sign-in service stays the one aadcred is configured with, whatever host a server names.
func tenantFromAuthorityURI(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || (u.Scheme != "https" && !(u.Scheme == "http" && entra.IsLoopback(u.Hostname()))) {
		return ""
	}
	first, _, _ := strings.Cut(strings.TrimPrefix(u.Path, "/"), "/")
	if entra.ValidateTenant(first) != nil || isZeroGUID(first) {
		return ""
	}
	return first
}

// TenantFromResourceHeader reads X-VSS-ResourceTenant: the first non-zero tenant GUID, or
// Organizations when the header names only the all-zero GUID of an organisation backed by
// personal Microsoft accounts, or "" when it names nothing usable.
func TenantFromResourceHeader(values []string) string {
	sawZero := false
	for _, v := range values {
		for item := range strings.SplitSeq(v, ",") {
			item = strings.TrimSpace(item)
			switch {
			case !isGUID(item):
			case isZeroGUID(item):
				sawZero = true
			default:
				return strings.ToLower(item)
			}
		}
	}
	if sawZero {
		return Organizations
	}
	return ""
}

func isGUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return false
			}
		default:
			if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
				return false
			}
		}
	}
	return true
}

func isZeroGUID(s string) bool { return s == "00000000-0000-0000-0000-000000000000" }
