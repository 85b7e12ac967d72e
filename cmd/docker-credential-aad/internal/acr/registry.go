package acr

import (
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/aadcred/aadcred/core"
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
// by: hostmatch's canonical name, with no port when it is https's 443, because docker names a
// registry both ways.
func Canonical(hostport string) (string, error) {
	h, port, err := hostmatch.SplitHostPort(hostport)
	if err != nil {
		return "", err
	}
	if strings.Contains(h, ":") {
		return "", errors.New("IPv6 registry addresses are not supported")
	}
	name, err := hostmatch.Canonical(h)
	if err != nil {
		return "", err
	}
	port = strings.TrimLeft(port, "0")
	if port == "" || port == "443" {
		return name, nil
	}
	return name + ":" + port, nil
}

// Allowlist decides which registries may receive a token: Azure Container Registry login
// servers, and the hosts the user added. Matching is anchored on whole labels, so that
// "contoso.azurecr.io.attacker.example" gets nothing.
type Allowlist struct {
	// Extra are the user's own registries (the configuration's docker.registries).
	Extra hostmatch.List
}

// Allows reports whether the canonical host may receive a token.
func (a Allowlist) Allows(host string) bool {
	if NeverAnswered(host) != "" {
		return false
	}
	return IsLoginServer(host) || a.Extra.Match(host)
}

// IsLoginServer reports whether the canonical host is an Azure Container Registry login server
// of a cloud aadcred knows: <name>.azurecr.io (or .cn, .us) or a regional
// <name>.<region>.geo.azurecr.io, on the https port. Registry names are 5 to 50 letters, digits
// and hyphens. No configuration is needed to answer it, and none can widen it.
func IsLoginServer(host string) bool {
	if strings.Contains(host, ":") {
		return false // a login server listens on 443 only
	}
	if c, err := hostmatch.Canonical(host); err != nil || c != host {
		return false
	}
	labels := strings.Split(host, ".")
	n := len(labels)
	if n < 3 || !isACRDomain(labels[n-2]+"."+labels[n-1]) {
		return false
	}
	switch n {
	case 3: // name.azurecr.io
		return validRegistryName(labels[0])
	case 5: // name.region.geo.azurecr.io
		return labels[2] == "geo" && validRegistryName(labels[0])
	}
	return false
}

// isACRDomain reports whether domain ("azurecr.io") is the login-server domain of a cloud.
func isACRDomain(domain string) bool {
	for _, c := range core.Clouds() {
		if "."+domain == c.ACRSuffix {
			return true
		}
	}
	return false
}

// validRegistryName checks the length rule of ACR registry names; the characters are those of
// any DNS label, which the canonical host already guarantees.
func validRegistryName(name string) bool {
	return len(name) >= 5 && len(name) <= 50
}

// NeverAnswered says why host must not receive a token whatever the configuration says, or ""
// when it may: ACR's data endpoints serve blobs through pre-signed URLs and never ask for
// credentials, and the Microsoft Container Registry is anonymous (helpers that sent it Entra
// tokens leaked them).
func NeverAnswered(host string) string {
	name, _, _ := strings.Cut(host, ":")
	if name == "mcr.microsoft.com" || strings.HasSuffix(name, ".mcr.microsoft.com") {
		return "the Microsoft Container Registry is anonymous, and a token sent there would leak"
	}
	for _, c := range core.Clouds() {
		if strings.HasSuffix(name, ".data"+c.ACRSuffix) || name == "data"+c.ACRSuffix {
			return "an Azure Container Registry data endpoint serves blobs through pre-signed URLs and never asks for credentials"
		}
	}
	return ""
}
