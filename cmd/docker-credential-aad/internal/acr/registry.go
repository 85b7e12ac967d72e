package acr

import (
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/aadcred/aadcred/core/hostmatch"
)

// ParseServerURL reads a registry as docker and its kin name it: "host", "host:port",
// "https://host", "https://host/v2/", or "host/repo/path". It returns the registry's canonical
// host (see Canonical) and whether the caller named plain http, which never gets a token.
func ParseServerURL(serverURL string) (host string, plainHTTP bool, err error) {
	s := strings.TrimSpace(serverURL)
	if s == "" {
		return "", false, errors.New("empty server URL")
	}
	if scheme, rest, ok := strings.Cut(s, "://"); ok {
		switch strings.ToLower(scheme) {
		case "https":
		case "http":
			plainHTTP = true
		default:
			return "", false, fmt.Errorf("server URL %q: scheme %q is neither https nor http", serverURL, scheme)
		}
		u, err := url.Parse("https://" + rest)
		if err != nil {
			return "", false, fmt.Errorf("server URL %q: %w", serverURL, err)
		}
		if u.User != nil {
			return "", false, fmt.Errorf("server URL %q holds a user name", serverURL)
		}
		s = u.Host
	} else if i := strings.IndexByte(s, '/'); i >= 0 {
		s = s[:i]
	}
	host, err = Canonical(s)
	if err != nil {
		return "", false, fmt.Errorf("server URL %q: %w", serverURL, err)
	}
	return host, plainHTTP, nil
}

// Canonical spells a "host" or "host:port" the one way the helper keys and compares registries
// by: ASCII lower case, no trailing dot, and no port when it is https's 443.
func Canonical(hostport string) (string, error) {
	h, port, err := hostmatch.SplitHostPort(hostport)
	if err != nil {
		return "", err
	}
	if strings.Contains(h, ":") {
		return "", errors.New("IPv6 registry addresses are not supported")
	}
	name := strings.TrimSuffix(lowerASCII(h), ".")
	if err := checkHostName(name); err != nil {
		return "", err
	}
	if port == "" || strings.TrimLeft(port, "0") == "443" {
		return name, nil
	}
	return name + ":" + strings.TrimLeft(port, "0"), nil
}

// checkHostName accepts DNS names and dotted IPv4 addresses in ASCII lower case.
func checkHostName(name string) error {
	if name == "" || len(name) > 253 {
		return errors.New("the host name is empty or too long")
	}
	for label := range strings.SplitSeq(name, ".") {
		if !validLabel(label, 63) {
			return fmt.Errorf("the host name %q is not a valid DNS name (use the xn-- form for international names)", name)
		}
	}
	return nil
}

// validLabel reports whether label is 1 to max letters, digits and inner hyphens.
func validLabel(label string, max int) bool {
	if label == "" || len(label) > max || label[0] == '-' || label[len(label)-1] == '-' {
		return false
	}
	for i := 0; i < len(label); i++ {
		c := label[i]
		if !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}

func lowerASCII(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + ('a' - 'A')
		}
	}
	return string(b)
}

// acrSuffixes are the login-server domains of Azure Container Registry in each cloud
// (REFERENCE.md 4.8).
var acrSuffixes = [...]string{"azurecr.io", "azurecr.cn", "azurecr.us"}

// Allowlist decides which registries may receive a token: Azure Container Registry login
// servers, and the hosts the user added. Matching is anchored on whole labels, so that
// "contoso.azurecr.io.attacker.example" gets nothing.
type Allowlist struct {
	// Extra are the user's own registries (the configuration's docker.registries).
	Extra hostmatch.List
}

// Allows reports whether the canonical host may receive a token.
func (a Allowlist) Allows(host string) bool {
	if neverAnswered(host) {
		return false
	}
	return IsLoginServer(host) || a.Extra.Match(host)
}

// IsLoginServer reports whether host is an Azure Container Registry login server:
// <name>.azurecr.io (or .cn, .us) or a regional <name>.<region>.geo.azurecr.io, on the https
// port. Registry names are 5 to 50 letters, digits and hyphens.
func IsLoginServer(host string) bool {
	if strings.Contains(host, ":") {
		return false // a login server listens on 443 only
	}
	labels := strings.Split(host, ".")
	n := len(labels)
	if n < 3 || !isACRSuffix(labels[n-2]+"."+labels[n-1]) {
		return false
	}
	switch n {
	case 3: // name.azurecr.io
		return validRegistryName(labels[0])
	case 5: // name.region.geo.azurecr.io
		return labels[2] == "geo" && validRegistryName(labels[0]) && validLabel(labels[1], 63)
	}
	return false
}

func isACRSuffix(domain string) bool {
	for _, s := range acrSuffixes {
		if domain == s {
			return true
		}
	}
	return false
}

func validRegistryName(name string) bool {
	return len(name) >= 5 && validLabel(name, 50)
}

// neverAnswered are hosts that must not receive a token whatever the configuration says: ACR's
// data endpoints serve blobs through pre-signed URLs and never ask for credentials, and the
// Microsoft Container Registry is anonymous (helpers that sent it Entra tokens leaked them).
func neverAnswered(host string) bool {
	name, _, _ := strings.Cut(host, ":")
	if name == "mcr.microsoft.com" || strings.HasSuffix(name, ".mcr.microsoft.com") {
		return true
	}
	for _, s := range acrSuffixes {
		if strings.HasSuffix(name, ".data."+s) || name == "data."+s {
			return true
		}
	}
	return false
}
