package azrepos

import (
	"errors"
	"fmt"
	"strings"

	"github.com/aadcred/aadcred/core/hostmatch"
)

// Azure DevOps's own hosts: dev.azure.com, with the organisation as the first path segment, and
// the older {org}.visualstudio.com.
var (
	devAzure     = mustPattern("dev.azure.com")
	visualStudio = mustPattern("*.visualstudio.com")
)

func mustPattern(s string) hostmatch.Pattern {
	p, err := hostmatch.ParsePattern(s)
	if err != nil {
		panic(err) // a constant above is wrong
	}
	return p
}

// BuiltInURLs are the URLs git-credential-aad answers without configuration, in the form git's
// credential.<url> settings take.
func BuiltInURLs() []string { return []string{"https://dev.azure.com", "https://*.visualstudio.com"} }

// Hosts decides which hosts receive Azure DevOps tokens. Matching is anchored and port-aware:
// dev.azure.com.evil.example and evilvisualstudio.com are not Azure DevOps.
type Hosts struct {
	// Extra are hosts the user added (the configuration's git.hosts). They are treated like
	// dev.azure.com: the organisation is the first segment of the path.
	Extra hostmatch.List
}

// BuiltIn reports whether host is one of Azure DevOps's own hosts.
func BuiltIn(host string) bool {
	return devAzure.Match(host) || visualStudio.Match(host)
}

// Match reports whether host may receive an Azure DevOps token.
func (h Hosts) Match(host string) bool {
	return BuiltIn(host) || h.Extra.Match(host)
}

// Remote is an Azure Repos organisation as reached through one host.
type Remote struct {
	Host string // as git sent it, with ":port" if the URL had one
	Org  string
}

// ErrNoOrganization means git did not say which organisation the request is for.
var ErrNoOrganization = errors.New("cannot tell the Azure DevOps organization: git sent no path; " +
	"run `git credential-aad configure` or set credential.useHttpPath for the host " +
	"(git config --global credential.https://dev.azure.com.useHttpPath true), or put the organization in the URL as https://{org}@dev.azure.com/{org}/…")

// Organization finds the organisation of a request: the host's first label on
// {org}.visualstudio.com, else the first segment of path (which git sends only with
// credential.useHttpPath), else the user name, which Azure DevOps's clone URLs set to the
// organisation (https://{org}@dev.azure.com/{org}/…).
func Organization(host, path, username string) (string, error) {
	if visualStudio.Match(host) {
		name, _, _ := strings.Cut(host, ":")
		label, _, _ := strings.Cut(name, ".")
		if !validOrg(label) {
			return "", fmt.Errorf("%q is not an Azure DevOps organization name", label)
		}
		return label, nil
	}
	if path != "" {
		first, _, _ := strings.Cut(strings.TrimPrefix(path, "/"), "/")
		if !validOrg(first) {
			return "", fmt.Errorf("the path of the URL starts with %q, which is not an Azure DevOps organization name", first)
		}
		return first, nil
	}
	if validOrg(username) {
		return username, nil
	}
	return "", ErrNoOrganization
}

// validOrg reports whether s can be an organisation name: Azure DevOps allows letters, digits
// and hyphens, starting and ending with a letter or digit; '.' and '_' are let through for older
// account names. Anything else would change the meaning of the URL it is put in.
func validOrg(s string) bool {
	if s == "" || len(s) > 64 || s[0] == '-' || s[0] == '.' || s[len(s)-1] == '.' {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_' || c == '.') {
			return false
		}
	}
	return true
}

// probeURL is the organisation's address, which answers an unauthenticated request with its
// tenant.
func (r Remote) probeURL() string {
	if visualStudio.Match(r.Host) {
		return "https://" + r.Host + "/"
	}
	return "https://" + r.Host + "/" + r.Org
}

// key identifies the remote whatever the spelling: host names (hostmatch.Canonical) and
// organisation names are not case-sensitive, and :443 is the default port. A host that is not a
// valid name, which no Hosts matches, is keyed as written.
func (r Remote) key() string {
	host := r.Host
	if name, port, err := hostmatch.SplitHostPort(r.Host); err == nil {
		if canonical, err := hostmatch.Canonical(name); err == nil {
			host = canonical
			if port != "" && port != "443" {
				host += ":" + port
			}
		}
	}
	return host + "/" + strings.ToLower(r.Org)
}
