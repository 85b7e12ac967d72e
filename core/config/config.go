package config

import "github.com/aadcred/aadcred/core/hostmatch"

// Config is the parsed configuration file. The zero Config is a valid,
// empty configuration.
type Config struct {
	// File is the path the configuration was read from (or would have been,
	// when it does not exist). Errors about the configuration name it.
	File string

	// Defaults holds the top-level settings, which every profile inherits.
	Defaults Settings
	// DefaultProfile names the profile used when the caller names none;
	// empty means the top-level settings alone.
	DefaultProfile string
	// Profiles maps a profile name to the settings it overrides. A profile
	// never sets RedirectPort.
	Profiles map[string]Settings

	Git      Git
	Docker   Docker
	Keystore Keystore
}

// Settings is the flat set of sign-in settings that the top level and each
// profile may hold. Empty strings and a zero RedirectPort mean "not set".
type Settings struct {
	Tenant    string // GUID, domain, organizations, common or consumers
	ClientID  string
	Method    string // one of the methods listed in the package documentation
	LoginHint string
	// AuthorityHost and Cloud are two spellings of one setting: a URL such as
	// https://login.microsoftonline.com, or a cloud name (public, china,
	// usgovernment). A level of the file sets at most one of them.
	AuthorityHost string
	Cloud         string
	// RedirectPort is the fixed loopback port for the browser flow; 0 picks
	// a random free port.
	RedirectPort int
}

// Git holds the settings only git-credential-aad reads.
type Git struct {
	// Hosts are answered in addition to Azure DevOps's own hosts.
	Hosts hostmatch.List
}

// Docker holds the settings only docker-credential-aad reads.
type Docker struct {
	// Registries are answered in addition to the ACR suffixes.
	Registries hostmatch.List
	// Audience is the Entra audience for registry tokens: an https URL, or
	// "arm" for the Azure Resource Manager audience. Empty means the ACR
	// audience.
	Audience string
	// IdentityToken makes the helper answer with the "<token>" username
	// form instead of the null-GUID username.
	IdentityToken bool
}

// Keystore holds where and how tokens are kept.
type Keystore struct {
	Backend string // one of the backends listed in the package documentation
	// Dir is an absolute directory for token files; empty means the default.
	Dir string
	// EncryptAccessTokens puts access tokens in the encrypted tier too.
	EncryptAccessTokens bool
}
