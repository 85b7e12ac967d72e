package entra

import (
	"fmt"
	"net"
	"net/url"
	"strings"
)

// Version selects the v1 endpoints (resource=, /oauth2/token) or the v2 endpoints (scope=,
// /oauth2/v2.0/token). The zero value is V2, the Microsoft identity platform.
type Version int

const (
	V2 Version = iota
	V1
)

func (v Version) String() string {
	if v == V1 {
		return "v1"
	}
	return "v2"
}

// Endpoint names one tenant's endpoints of one authority in one protocol version.
type Endpoint struct {
	// Authority is the authority host as returned by ParseAuthority,
	// e.g. https://login.microsoftonline.com.
	Authority *url.URL
	// Tenant is a tenant GUID, a verified domain, or common, organizations or consumers.
	Tenant  string
	Version Version
}

// TokenURL is where every grant is redeemed.
func (e Endpoint) TokenURL() string { return e.url("token") }

// DeviceCodeURL is where a device-code flow starts.
func (e Endpoint) DeviceCodeURL() string { return e.url("devicecode") }

// AuthorizeURL is where a browser sign-in starts.
func (e Endpoint) AuthorizeURL() string { return e.url("authorize") }

func (e Endpoint) url(name string) string {
	base := strings.TrimSuffix(e.Authority.String(), "/") + "/" + url.PathEscape(e.Tenant) + "/oauth2/"
	if e.Version == V1 {
		return base + name
	}
	return base + "v2.0/" + name
}

// Validate reports whether the endpoint can be used: an authority and a tenant that is safe to put
// in a URL path.
func (e Endpoint) Validate() error {
	if e.Authority == nil {
		return fmt.Errorf("no authority host")
	}
	return ValidateTenant(e.Tenant)
}

// ValidateTenant checks that a tenant is a GUID, a domain name or one of the aliases; anything else
// (slashes, spaces, empty) would change the URL it is put in.
func ValidateTenant(tenant string) error {
	if tenant == "" {
		return fmt.Errorf("no tenant: give a tenant ID or domain (or organizations)")
	}
	if len(tenant) > 253 {
		return fmt.Errorf("tenant %.20q… is too long to be a tenant ID or domain", tenant)
	}
	for _, r := range tenant {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '.', r == '_':
		default:
			return fmt.Errorf("tenant %q is not a tenant ID or domain", tenant)
		}
	}
	return nil
}

// ParseAuthority parses an authority host such as https://login.microsoftonline.com/ (with or
// without a trailing slash). It must be https, even on loopback: the authority is sent client
// secrets, assertions and refresh tokens, and any process on the machine may listen on a loopback
// port (test servers speak TLS too). A path is kept (some private clouds put the authority below
// one). Errors show the value with any password in it masked.
func ParseAuthority(s string) (*url.URL, error) {
	u, err := ParseURL("authority host", s)
	if err != nil {
		return nil, err
	}
	if u.Scheme != "https" {
		return nil, fmt.Errorf("authority host %q must use https (plain http is refused even on loopback)", u.Redacted())
	}
	return u, nil
}

// ParseURL checks that s is an absolute https URL (http only for a loopback host) without user
// info, query or fragment: the rule for every address a token or a secret may be sent to. what
// names the value in errors.
func ParseURL(what, s string) (*url.URL, error) {
	u, err := url.Parse(strings.TrimSpace(s))
	if err != nil {
		if strings.Contains(s, "@") {
			return nil, fmt.Errorf("%s is not a URL (and must not carry user info)", what)
		}
		return nil, fmt.Errorf("%s %q is not a URL", what, s)
	}
	shown := u.Redacted()
	if u.Host == "" || u.Opaque != "" {
		return nil, fmt.Errorf("%s %q is not an absolute URL such as https://login.microsoftonline.com", what, shown)
	}
	if u.User != nil || u.RawQuery != "" || u.ForceQuery || u.Fragment != "" {
		return nil, fmt.Errorf("%s %q must not carry user info, a query or a fragment", what, shown)
	}
	switch u.Scheme {
	case "https":
	case "http":
		if !IsLoopback(u.Hostname()) {
			return nil, fmt.Errorf("%s %q must use https (http is allowed only for a loopback test server)", what, shown)
		}
	default:
		return nil, fmt.Errorf("%s %q must use https", what, shown)
	}
	u.Path = strings.TrimSuffix(u.Path, "/")
	u.RawPath = ""
	return u, nil
}

// IsLoopback reports whether host names this machine's loopback interface.
func IsLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
