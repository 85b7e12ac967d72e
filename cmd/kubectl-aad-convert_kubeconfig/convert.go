package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/aadcred/aadcred/cmd/internal/kubelogin"
	"github.com/aadcred/aadcred/install/kubeconfig"
)

// converter holds the converter's own flags, beside kubelogin's get-token flags.
type converter struct {
	kubeconfig     string
	context        string
	azureConfigDir string
	execAPIVersion string
	command        string
}

func (c *converter) addFlags(fs *flag.FlagSet) {
	fs.StringVar(&c.kubeconfig, "kubeconfig", "", "the kubeconfig file to convert (default: KUBECONFIG's files, else ~/.kube/config)")
	fs.StringVar(&c.context, "context", "", "convert only this context's user")
	fs.StringVar(&c.azureConfigDir, "azure-config-dir", "", "write AZURE_CONFIG_DIR into the users' exec environment (azurecli)")
	fs.StringVar(&c.execAPIVersion, "exec-api-version", "v1", "ExecCredential version the users ask for: v1, or v1beta1 for kubectl older than 1.22")
	fs.StringVar(&c.command, "command", "kubectl-aad", "the plugin command to write, a name on PATH or a full path")
}

// secretFlags would put a secret into the kubeconfig, where every program that can read the
// file can read it; get-token takes them from the environment instead.
var secretFlags = []struct{ flag, env string }{
	{kubelogin.FlagClientSecret, "AAD_SERVICE_PRINCIPAL_CLIENT_SECRET or AZURE_CLIENT_SECRET"},
	{kubelogin.FlagPassword, "AAD_USER_PRINCIPAL_PASSWORD or AZURE_PASSWORD"},
	{kubelogin.FlagClientCertificatePassword, "AAD_SERVICE_PRINCIPAL_CLIENT_CERTIFICATE_PASSWORD or AZURE_CLIENT_CERTIFICATE_PASSWORD"},
}

func (c *converter) convert(opts kubelogin.Options, stderr io.Writer, getenv func(string) string) error {
	for _, s := range secretFlags {
		if opts.Given[s.flag] {
			return fmt.Errorf("--%s would write a secret into the kubeconfig, which convert-kubeconfig never does: set %s where kubectl runs instead", s.flag, s.env)
		}
	}
	apiVersion, err := execAPIVersion(c.execAPIVersion)
	if err != nil {
		return err
	}
	home, _ := os.UserHomeDir()
	o := kubeconfig.Options{
		Kubeconfig:                 c.kubeconfig,
		Context:                    c.context,
		ServerID:                   opts.ServerID,
		ClientID:                   opts.ClientID,
		TenantID:                   opts.TenantID,
		Environment:                opts.Environment,
		Legacy:                     opts.Legacy,
		ClientCertificate:          opts.ClientCertificate,
		Username:                   opts.Username,
		IdentityResourceID:         opts.IdentityResourceID,
		AuthorityHost:              opts.AuthorityHost,
		FederatedTokenFile:         opts.FederatedTokenFile,
		RedirectURL:                opts.RedirectURL,
		LoginHint:                  opts.LoginHint,
		DisableEnvironmentOverride: opts.DisableEnvironmentOverride,
		ExtraArgs:                  passedThrough(opts),
		AzureConfigDir:             c.azureConfigDir,
		Command:                    c.command,
		APIVersion:                 apiVersion,
		Getenv:                     getenv,
		HomeDir:                    home,
	}
	if opts.Given[kubelogin.FlagLogin] {
		o.Login = string(opts.Login)
	}
	res, err := kubeconfig.Convert(o)
	if err != nil {
		return err
	}
	report(stderr, res)
	return nil
}

// passedThrough are the get-token flags given that the converter writes as they are.
func passedThrough(opts kubelogin.Options) []string {
	var args []string
	if opts.Given[kubelogin.FlagTimeout] {
		args = append(args, "--"+kubelogin.FlagTimeout, opts.Timeout.String())
	}
	if opts.Given[kubelogin.FlagCacheDir] {
		args = append(args, "--"+kubelogin.FlagCacheDir, opts.CacheDir)
	}
	if opts.UseAzureRMEnvVars {
		args = append(args, "--"+kubelogin.FlagUseAzureRMEnvVars)
	}
	if opts.DisableInstanceDiscovery {
		args = append(args, "--"+kubelogin.FlagDisableInstanceDiscovery)
	}
	return args
}

func execAPIVersion(v string) (string, error) {
	switch v {
	case "v1", kubeconfig.APIVersionV1:
		return kubeconfig.APIVersionV1, nil
	case "v1beta1", kubeconfig.APIVersionV1beta1:
		return kubeconfig.APIVersionV1beta1, nil
	}
	return "", fmt.Errorf("--exec-api-version must be v1 or v1beta1, not %q", v)
}

// report tells the person what changed, what was left out and where the backups are.
func report(w io.Writer, res *kubeconfig.Result) {
	for _, s := range res.Skipped {
		fmt.Fprintf(w, "Skipped %s.\n", s)
	}
	if len(res.Converted) == 0 {
		fmt.Fprintln(w, "Nothing to convert: no user signs in with kubelogin, the azure auth-provider or kubectl-aad.")
		return
	}
	for _, c := range res.Converted {
		fmt.Fprintf(w, "Converted user %q in %s from %s to kubectl-aad --login %s.\n", c.User, c.File, c.From, c.Login)
		if len(c.Dropped) > 0 {
			fmt.Fprintf(w, "  Left out: %s.\n", strings.Join(c.Dropped, "; "))
		}
		switch c.Login {
		case "spn":
			fmt.Fprintln(w, "  get-token reads the service principal's secret from AAD_SERVICE_PRINCIPAL_CLIENT_SECRET or AZURE_CLIENT_SECRET.")
		case "ropc":
			fmt.Fprintln(w, "  get-token reads the user's password from AAD_USER_PRINCIPAL_PASSWORD or AZURE_PASSWORD.")
		}
	}
	fmt.Fprintf(w, "Backup: %s\n", strings.Join(res.Backups, ", "))
}
