package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/aadcred/aadcred/cmd/internal/columns"
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
	dryRun         bool
	version        bool
}

func (c *converter) addFlags(fs *flag.FlagSet) {
	fs.StringVar(&c.kubeconfig, "kubeconfig", "", "the kubeconfig file to convert (default: KUBECONFIG's files, else ~/.kube/config)")
	fs.StringVar(&c.context, "context", "", "convert only this context's user")
	fs.StringVar(&c.azureConfigDir, "azure-config-dir", "", "write AZURE_CONFIG_DIR into the users' exec environment (azurecli)")
	fs.StringVar(&c.execAPIVersion, "exec-api-version", "", "ExecCredential version the users ask for: v1, or v1beta1 for kubectl older than 1.22 (default: v1; a kubectl-aad user keeps its own)")
	fs.StringVar(&c.command, "command", "", "the plugin command to write, a name on PATH or a full path (default: kubectl-aad; a kubectl-aad user keeps its own)")
	fs.BoolVar(&c.dryRun, "dry-run", false, "say what would change, and write nothing")
	fs.BoolVar(&c.version, "version", false, "print the version and exit")
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
	// As kubelogin's converter, refuse the PoP flags given apart before looking at any user.
	if err := opts.CheckPoP(); err != nil {
		return err
	}
	apiVersion, err := execAPIVersion(c.execAPIVersion)
	if err != nil {
		return err
	}
	timeout := ""
	if opts.Given[kubelogin.FlagTimeout] {
		timeout = opts.Timeout.String()
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
		PoPEnabled:                 opts.PoPEnabled,
		PoPClaims:                  opts.PoPClaims,
		ServiceConnectionID:        opts.ServiceConnectionID,
		Timeout:                    timeout,
		CacheDir:                   opts.CacheDir,
		UseAzureRMEnvVars:          opts.UseAzureRMEnvVars,
		DisableInstanceDiscovery:   opts.DisableInstanceDiscovery,
		AzureConfigDir:             c.azureConfigDir,
		Command:                    c.command,
		APIVersion:                 apiVersion,
		Getenv:                     getenv,
		HomeDir:                    home,
		DryRun:                     c.dryRun,
	}
	if opts.Given[kubelogin.FlagLogin] {
		o.Login = string(opts.Login)
	}
	res, err := kubeconfig.Convert(o)
	if err != nil {
		return err
	}
	report(stderr, res, c.dryRun)
	return nil
}

func execAPIVersion(v string) (string, error) {
	switch v {
	case "":
		return "", nil
	case "v1", kubeconfig.APIVersionV1:
		return kubeconfig.APIVersionV1, nil
	case "v1beta1", kubeconfig.APIVersionV1beta1:
		return kubeconfig.APIVersionV1beta1, nil
	}
	return "", fmt.Errorf("--exec-api-version must be v1 or v1beta1, not %q", v)
}

// report tells the person what changed (or, for a dry run, would change), what was left out
// and where the backups are.
func report(w io.Writer, res *kubeconfig.Result, dryRun bool) {
	for _, s := range res.Skipped {
		fmt.Fprintf(w, "Skipped %s.\n", s)
	}
	for _, u := range res.Unchanged {
		fmt.Fprintf(w, "User %q is already converted.\n", u)
	}
	if len(res.Converted) == 0 {
		if len(res.Unchanged) > 0 {
			fmt.Fprintln(w, "Already converted: nothing changed, and no backup was made.")
			return
		}
		fmt.Fprintln(w, "Nothing to convert: no user signs in with kubelogin, the azure auth-provider or kubectl-aad.")
		return
	}
	for _, c := range res.Converted {
		verb := "Converted"
		if dryRun {
			verb = "Would convert"
		}
		say := func(indent int, format string, args ...any) { columns.Println(w, indent, fmt.Sprintf(format, args...)) }
		say(2, "%s user %q in %s:", verb, c.User, c.File)
		say(4, "  from %s to %s --login %s", c.From, c.Command, c.Login)
		if len(c.Dropped) > 0 {
			say(4, "  Left out: %s.", strings.Join(c.Dropped, "; "))
		}
		switch c.Login {
		case "spn":
			say(4, "  get-token reads the service principal's secret from AAD_SERVICE_PRINCIPAL_CLIENT_SECRET or AZURE_CLIENT_SECRET.")
		case "ropc":
			say(4, "  get-token reads the user's password from AAD_USER_PRINCIPAL_PASSWORD or AZURE_PASSWORD.")
		}
	}
	if dryRun {
		fmt.Fprintln(w, "Dry run: nothing was written.")
		return
	}
	fmt.Fprintf(w, "Backup: %s\n", strings.Join(res.Backups, ", "))
}
