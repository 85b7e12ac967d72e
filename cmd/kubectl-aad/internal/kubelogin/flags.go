package kubelogin

import (
	"fmt"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/aadcred/aadcred/core"
)

// Flag names, spelt as kubelogin spells them.
const (
	FlagLogin                      = "login"
	FlagServerID                   = "server-id"
	FlagClientID                   = "client-id"
	FlagClientSecret               = "client-secret"
	FlagClientCertificate          = "client-certificate"
	FlagClientCertificatePassword  = "client-certificate-password"
	FlagTenantID                   = "tenant-id"
	FlagEnvironment                = "environment"
	FlagAuthorityHost              = "authority-host"
	FlagFederatedTokenFile         = "federated-token-file"
	FlagUsername                   = "username"
	FlagPassword                   = "password"
	FlagIdentityResourceID         = "identity-resource-id"
	FlagCacheDir                   = "cache-dir"
	FlagTokenCacheDir              = "token-cache-dir" // kubelogin's older name of --cache-dir
	FlagTimeout                    = "timeout"
	FlagLegacy                     = "legacy"
	FlagRedirectURL                = "redirect-url"
	FlagLoginHint                  = "login-hint"
	FlagUseAzureRMEnvVars          = "use-azurerm-env-vars"
	FlagDisableEnvironmentOverride = "disable-environment-override"
	FlagDisableInstanceDiscovery   = "disable-instance-discovery"
)

// unsupportedFlags are kubelogin's flags whose feature kubectl-aad does not have. They are
// parsed so that the error can say what they are, instead of urfave's "flag provided but not
// defined".
var unsupportedFlags = []struct{ name, why string }{
	{"pop-enabled", "proof-of-possession tokens (Azure Arc clusters) are not supported"},
	{"pop-claims", "proof-of-possession tokens (Azure Arc clusters) are not supported"},
	{"subscription", "the azurecli mode uses the Azure CLI's current subscription; choose it with `az account set`"},
	{"azure-pipelines-service-connection-id", "the azurepipelines mode is not supported; use workloadidentity or spn"},
}

// Flags are kubelogin's get-token flags; convert-kubeconfig accepts them too. None reads the
// environment by itself: ApplyEnvironment does, with kubelogin's precedence.
func Flags() []cli.Flag {
	flags := []cli.Flag{
		&cli.StringFlag{Name: FlagLogin, Aliases: []string{"l"}, Value: string(DeviceCode),
			Usage: "login mode: devicecode, interactive, spn, ropc, msi, azurecli or workloadidentity (env AAD_LOGIN_METHOD)"},
		&cli.StringFlag{Name: FlagServerID, Usage: "the cluster's Entra server application ID (default the AKS server, " + core.AKSServerID + ")"},
		&cli.StringFlag{Name: FlagClientID, Usage: "client application ID; for msi, the user-assigned identity's client ID (env AAD_SERVICE_PRINCIPAL_CLIENT_ID, AZURE_CLIENT_ID)"},
		&cli.StringFlag{Name: FlagClientSecret, Usage: "spn client secret; prefer env AAD_SERVICE_PRINCIPAL_CLIENT_SECRET or AZURE_CLIENT_SECRET, since arguments are visible to other users"},
		&cli.StringFlag{Name: FlagClientCertificate, Usage: "spn client certificate, PEM or PFX (env AAD_SERVICE_PRINCIPAL_CLIENT_CERTIFICATE, AZURE_CLIENT_CERTIFICATE_PATH)"},
		&cli.StringFlag{Name: FlagClientCertificatePassword, Usage: "password of a PFX certificate; prefer env AAD_SERVICE_PRINCIPAL_CLIENT_CERTIFICATE_PASSWORD or AZURE_CLIENT_CERTIFICATE_PASSWORD"},
		&cli.StringFlag{Name: FlagTenantID, Aliases: []string{"t", "tenant"}, Usage: "tenant ID or domain (env AZURE_TENANT_ID)"},
		&cli.StringFlag{Name: FlagEnvironment, Aliases: []string{"e"}, Usage: "cloud: AzurePublicCloud, AzureChinaCloud or AzureUSGovernmentCloud (default: the public cloud, or AZURE_AUTHORITY_HOST)"},
		&cli.StringFlag{Name: FlagAuthorityHost, Usage: "authority host URL, e.g. https://login.microsoftonline.com/ (env AZURE_AUTHORITY_HOST)"},
		&cli.StringFlag{Name: FlagFederatedTokenFile, Usage: "workload identity's federated token file (env AZURE_FEDERATED_TOKEN_FILE)"},
		&cli.StringFlag{Name: FlagUsername, Usage: "ropc user name (env AAD_USER_PRINCIPAL_NAME, AZURE_USERNAME)"},
		&cli.StringFlag{Name: FlagPassword, Usage: "ropc password; prefer env AAD_USER_PRINCIPAL_PASSWORD or AZURE_PASSWORD"},
		&cli.StringFlag{Name: FlagIdentityResourceID, Usage: "msi: the user-assigned identity's ARM resource ID"},
		&cli.StringFlag{Name: FlagCacheDir, Aliases: []string{FlagTokenCacheDir},
			Usage: "keep kubectl-aad's token store in this directory instead of the one git and docker share (env AADCRED_CACHE_DIR)"},
		&cli.DurationFlag{Name: FlagTimeout, Usage: "time allowed for work no person waits on: the cache, a refresh, an application's sign-in (env AZURE_CLI_TIMEOUT; default 30s); a person's sign-in has 15 minutes"},
		&cli.BoolFlag{Name: FlagLegacy, Usage: "ask for a v1 token with the audience spn:<server-id> (AKS clusters with the legacy AAD integration)"},
		&cli.StringFlag{Name: FlagRedirectURL, Usage: "interactive: the loopback redirect URL, e.g. http://localhost:8400, to fix its port"},
		&cli.StringFlag{Name: FlagLoginHint, Usage: "interactive: the account (UPN) to sign in as; also selects among kept sign-ins"},
		&cli.BoolFlag{Name: FlagUseAzureRMEnvVars, Usage: "read ARM_CLIENT_ID, ARM_CLIENT_SECRET, ARM_CLIENT_CERTIFICATE_PATH, ARM_CLIENT_CERTIFICATE_PASSWORD and ARM_TENANT_ID instead of the AAD_*/AZURE_* client variables"},
		&cli.BoolFlag{Name: FlagDisableEnvironmentOverride, Usage: "do not let environment variables override these flags"},
		&cli.BoolFlag{Name: FlagDisableInstanceDiscovery, Usage: "accepted for kubelogin's sake: kubectl-aad never runs instance discovery"},
	}
	for _, u := range unsupportedFlags {
		flags = append(flags, &cli.StringFlag{Name: u.name, Hidden: true})
	}
	return flags
}

// Options are kubelogin's settings as given, before or after ApplyEnvironment.
type Options struct {
	Login                     Login
	ServerID                  string
	ClientID                  string
	ClientSecret              string
	ClientCertificate         string
	ClientCertificatePassword string
	TenantID                  string
	Environment               string
	AuthorityHost             string
	FederatedTokenFile        string
	Username                  string
	Password                  string
	IdentityResourceID        string
	CacheDir                  string
	Timeout                   time.Duration
	Legacy                    bool
	RedirectURL               string
	LoginHint                 string
	UseAzureRMEnvVars         bool
	// DisableEnvironmentOverride keeps the flags' values: ApplyEnvironment changes nothing, and
	// Getenv hides the variables kubelogin would have read.
	DisableEnvironmentOverride bool

	// Given names the flags that were on the command line (by their main name).
	Given map[string]bool
}

// FromFlags reads the flags of a command that has Flags. A kubelogin flag that kubectl-aad does
// not support is an error that names it.
func FromFlags(c *cli.Context) (Options, error) {
	for _, u := range unsupportedFlags {
		if c.IsSet(u.name) {
			return Options{}, fmt.Errorf("--%s is not supported by kubectl-aad: %s", u.name, u.why)
		}
	}
	login, err := ParseLogin(c.String(FlagLogin))
	if err != nil {
		return Options{}, fmt.Errorf("--%s: %w", FlagLogin, err)
	}
	o := Options{
		Login:                      login,
		ServerID:                   c.String(FlagServerID),
		ClientID:                   c.String(FlagClientID),
		ClientSecret:               c.String(FlagClientSecret),
		ClientCertificate:          c.String(FlagClientCertificate),
		ClientCertificatePassword:  c.String(FlagClientCertificatePassword),
		TenantID:                   c.String(FlagTenantID),
		Environment:                c.String(FlagEnvironment),
		AuthorityHost:              c.String(FlagAuthorityHost),
		FederatedTokenFile:         c.String(FlagFederatedTokenFile),
		Username:                   c.String(FlagUsername),
		Password:                   c.String(FlagPassword),
		IdentityResourceID:         c.String(FlagIdentityResourceID),
		CacheDir:                   c.String(FlagCacheDir),
		Timeout:                    c.Duration(FlagTimeout),
		Legacy:                     c.Bool(FlagLegacy),
		RedirectURL:                c.String(FlagRedirectURL),
		LoginHint:                  c.String(FlagLoginHint),
		UseAzureRMEnvVars:          c.Bool(FlagUseAzureRMEnvVars),
		DisableEnvironmentOverride: c.Bool(FlagDisableEnvironmentOverride),
		Given:                      map[string]bool{},
	}
	for _, f := range Flags() {
		name := f.Names()[0]
		if c.IsSet(name) {
			o.Given[name] = true
		}
	}
	if o.Given[FlagTimeout] && o.Timeout <= 0 {
		return Options{}, fmt.Errorf("--%s must be longer than zero, not %s", FlagTimeout, o.Timeout)
	}
	return o, nil
}
