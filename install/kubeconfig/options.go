package kubeconfig

import (
	"os"
	"time"
)

// Options say which kubeconfig users to convert and how. The sign-in settings override what an
// old user holds; empty ones keep it. There is no field for a secret: a secret in a kubeconfig
// is readable by every program that can read the file, so it belongs in the environment.
type Options struct {
	// Kubeconfig is the one file to convert (--kubeconfig); empty means KUBECONFIG's files, else
	// ~/.kube/config.
	Kubeconfig string
	// Context limits the conversion to that context's user.
	Context string

	// Login is the kubelogin login mode the converted users run (devicecode, interactive, spn,
	// ropc, msi, azurecli, azd, workloadidentity, azurepipelines). Empty keeps a kubelogin or
	// kubectl-aad user's mode, and gives devicecode to the others.
	Login string

	ServerID           string
	ClientID           string
	TenantID           string
	Environment        string
	Legacy             bool // adds --legacy; without it, an old user's legacy setting is kept
	ClientCertificate  string
	Username           string
	IdentityResourceID string
	AuthorityHost      string
	FederatedTokenFile string
	RedirectURL        string
	LoginHint          string
	// DisableEnvironmentOverride writes --disable-environment-override.
	DisableEnvironmentOverride bool
	// PoPEnabled and PoPClaims write --pop-enabled and --pop-claims (interactive, spn and ropc
	// only, as kubelogin's converter).
	PoPEnabled bool
	PoPClaims  string
	// ServiceConnectionID writes --azure-pipelines-service-connection-id (azurepipelines only).
	ServiceConnectionID string
	// Timeout (as written, e.g. "45s"), CacheDir, UseAzureRMEnvVars and DisableInstanceDiscovery
	// write the get-token flags of those names; an old kubectl-aad user's are kept otherwise.
	Timeout                  string
	CacheDir                 string
	UseAzureRMEnvVars        bool
	DisableInstanceDiscovery bool
	// AzureConfigDir is written as AZURE_CONFIG_DIR into the users' exec environment, for the
	// azurecli mode.
	AzureConfigDir string

	// Command is the plugin command written into the kubeconfig; empty keeps a kubectl-aad
	// user's and writes kubectl-aad (found on PATH) for the others.
	Command string
	// APIVersion is the ExecCredential version the users ask for: v1 or v1beta1, for kubectl
	// older than 1.22. Empty keeps a kubectl-aad user's and writes v1 for the others.
	APIVersion string

	// Getenv reads KUBECONFIG; nil means os.Getenv. HomeDir is where ~/.kube/config is; empty
	// means os.UserHomeDir.
	Getenv  func(string) string
	HomeDir string
	// Now dates the backups; nil means time.Now.
	Now func() time.Time

	// DryRun works out the conversion and reports it, but backs up and writes nothing.
	DryRun bool
}

func (o *Options) getenv(name string) string {
	if o.Getenv != nil {
		return o.Getenv(name)
	}
	return os.Getenv(name)
}

func (o *Options) home() string {
	if o.HomeDir != "" {
		return o.HomeDir
	}
	home, _ := os.UserHomeDir()
	return home
}

func (o *Options) now() time.Time {
	if o.Now != nil {
		return o.Now()
	}
	return time.Now()
}
