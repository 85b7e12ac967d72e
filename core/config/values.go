package config

import (
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"unicode"

	"github.com/aadcred/aadcred/core/entra"
)

// enum is a closed set of accepted values.
type enum struct {
	what   string            // "method", "cloud", ...
	values []string          // accepted values, in the order users read them
	hints  map[string]string // values other tools use -> ours
}

var (
	methods = enum{
		what: "method",
		values: []string{"auto", "browser", "devicecode", "clientsecret", "clientcert",
			"workloadidentity", "password", "onbehalfof", "managedidentity", "azurecli"},
		// Azure/kubelogin's login modes, which kubectl-aad users will carry over.
		hints: map[string]string{"interactive": "browser", "spn": "clientsecret",
			"ropc": "password", "msi": "managedidentity"},
	}
	clouds = enum{
		what:   "cloud",
		values: []string{"public", "china", "usgovernment"},
		// The environment names of Azure/kubelogin and go-autorest.
		hints: map[string]string{"azurepubliccloud": "public", "azurechinacloud": "china",
			"azureusgovernmentcloud": "usgovernment"},
	}
	backends = enum{
		what: "keystore backend",
		values: []string{"auto", "keychain", "wincred", "secret-service", "kwallet", "pass",
			"keyctl", "passphrase", "file"},
	}
)

func (e enum) check(v string) error {
	for _, ok := range e.values {
		if v == ok {
			return nil
		}
	}
	msg := fmt.Sprintf("%s is not a %s; use one of %s", quote(v), e.what, strings.Join(e.values, ", "))
	if s, ok := e.hints[strings.ToLower(v)]; ok {
		return fmt.Errorf("%s (did you mean %q?)", msg, s)
	}
	if s, ok := closest(v, e.values); ok {
		return fmt.Errorf("%s (did you mean %q?)", msg, s)
	}
	return errors.New(msg)
}

// checkTenant accepts what can stand in the tenant segment of an authority
// URL: a GUID, a domain or a keyword. Anything else would change the URL.
func checkTenant(v string) error {
	if v == "" {
		return errors.New("empty tenant")
	}
	for _, r := range v {
		if !('a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9' || r == '-' || r == '.') {
			return fmt.Errorf("%s is not a tenant ID, domain, organizations, common or consumers", quote(v))
		}
	}
	return nil
}

func checkClientID(v string) error {
	if v == "" {
		return errors.New("empty client ID")
	}
	if strings.IndexFunc(v, unicode.IsSpace) >= 0 || hasControl(v) {
		return errors.New("client ID contains a space or control character")
	}
	return nil
}

func checkLoginHint(v string) error {
	if v == "" {
		return errors.New("empty login hint")
	}
	if hasControl(v) {
		return errors.New("login hint contains a control character")
	}
	return nil
}

func checkProfileName(v string) error {
	if v == "" {
		return errors.New("empty profile name")
	}
	if hasControl(v) {
		return errors.New("profile name contains a control character")
	}
	return nil
}

func hasControl(s string) bool {
	return strings.IndexFunc(s, unicode.IsControl) >= 0
}

// checkAuthorityHost accepts a scheme and host, such as
// https://login.microsoftonline.com; plain http only on a loopback host,
// where tests run their fake Entra ID.
func checkAuthorityHost(v string) error {
	u, err := entra.ParseAuthority(v)
	if err != nil {
		return err
	}
	if strings.Trim(u.Path, "/") != "" {
		return fmt.Errorf("%s has a path; authority_host is a scheme and host only, and the tenant goes in tenant", quote(v))
	}
	return nil
}

// checkAudience accepts "arm" or a URL.
func checkAudience(v string) error {
	if v == "arm" {
		return nil
	}
	if _, err := entra.ParseURL("audience", v); err != nil {
		return fmt.Errorf("%w; or use arm", err)
	}
	return nil
}

// checkDir accepts an absolute path. A relative one would depend on the
// directory each tool happens to run in (git runs helpers in the work tree).
func checkDir(v string) error {
	if v == "" {
		return errors.New("empty directory")
	}
	if strings.HasPrefix(v, "~") {
		return fmt.Errorf("%s: write the full path; ~ is not expanded", quote(v))
	}
	if !filepath.IsAbs(v) {
		return fmt.Errorf("%s is not an absolute path", quote(v))
	}
	return nil
}

// maxQuoted bounds how much of a bad value an error repeats.
const maxQuoted = 64

// quote quotes a user's value for an error message, shortened when long.
func quote(v string) string {
	if r := []rune(v); len(r) > maxQuoted {
		return fmt.Sprintf("%q…", string(r[:maxQuoted]))
	}
	return fmt.Sprintf("%q", v)
}
