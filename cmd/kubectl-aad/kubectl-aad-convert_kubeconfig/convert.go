package main

import (
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/aadcred/aadcred/cmd/kubectl-aad/internal/kubelogin"
	"github.com/aadcred/aadcred/install/kubeconfig"
)

// The converter's own flags, beside kubelogin's get-token flags.
const (
	flagKubeconfig     = "kubeconfig"
	flagContext        = "context"
	flagAzureConfigDir = "azure-config-dir"
	flagExecAPIVersion = "exec-api-version"
	flagCommand        = "command"
)

func convertFlags() []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: flagKubeconfig, Usage: "the kubeconfig file to convert (default: KUBECONFIG's files, else ~/.kube/config)"},
		&cli.StringFlag{Name: flagContext, Usage: "convert only this context's user"},
		&cli.StringFlag{Name: flagAzureConfigDir, Usage: "write AZURE_CONFIG_DIR into the users' exec environment (azurecli)"},
		&cli.StringFlag{Name: flagExecAPIVersion, Value: "v1", Usage: "ExecCredential version the users ask for: v1, or v1beta1 for kubectl older than 1.22"},
		&cli.StringFlag{Name: flagCommand, Value: "kubectl-aad", Usage: "the plugin command to write, a name on PATH or a full path"},
	}
}

// secretFlags would put a secret into the kubeconfig, where every program that can read the
// file can read it; get-token takes them from the environment instead.
var secretFlags = map[string]string{
	kubelogin.FlagClientSecret:              "AAD_SERVICE_PRINCIPAL_CLIENT_SECRET or AZURE_CLIENT_SECRET",
	kubelogin.FlagPassword:                  "AAD_USER_PRINCIPAL_PASSWORD or AZURE_PASSWORD",
	kubelogin.FlagClientCertificatePassword: "AAD_SERVICE_PRINCIPAL_CLIENT_CERTIFICATE_PASSWORD or AZURE_CLIENT_CERTIFICATE_PASSWORD",
}

// passedThrough are get-token flags that the converter writes as they were given.
var passedThrough = []string{kubelogin.FlagTimeout, kubelogin.FlagCacheDir, kubelogin.FlagUseAzureRMEnvVars, kubelogin.FlagDisableInstanceDiscovery}

func convert(c *cli.Context, stderr io.Writer, getenv func(string) string) error {
	if c.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q: convert-kubeconfig takes only flags", c.Args().First())
	}
	opts, err := kubelogin.FromFlags(c)
	if err != nil {
		return err
	}
	for flag, env := range secretFlags {
		if opts.Given[flag] {
			return fmt.Errorf("--%s would write a secret into the kubeconfig, which convert-kubeconfig never does: set %s where kubectl runs instead", flag, env)
		}
	}
	apiVersion, err := execAPIVersion(c.String(flagExecAPIVersion))
	if err != nil {
		return err
	}
	home, _ := os.UserHomeDir()
	o := kubeconfig.Options{
		Kubeconfig:                 c.String(flagKubeconfig),
		Context:                    c.String(flagContext),
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
		AzureConfigDir:             c.String(flagAzureConfigDir),
		Command:                    c.String(flagCommand),
		APIVersion:                 apiVersion,
		Getenv:                     getenv,
		HomeDir:                    home,
	}
	if opts.Given[kubelogin.FlagLogin] {
		o.Login = string(opts.Login)
	}
	for _, flag := range passedThrough {
		if !opts.Given[flag] {
			continue
		}
		switch v := c.Value(flag).(type) {
		case bool:
			o.ExtraArgs = append(o.ExtraArgs, "--"+flag)
		default:
			o.ExtraArgs = append(o.ExtraArgs, "--"+flag, fmt.Sprint(v))
		}
	}
	res, err := kubeconfig.Convert(o)
	if err != nil {
		return err
	}
	report(stderr, res)
	return nil
}

func execAPIVersion(v string) (string, error) {
	switch v {
	case "v1", kubeconfig.APIVersionV1:
		return kubeconfig.APIVersionV1, nil
	case "v1beta1", kubeconfig.APIVersionV1beta1:
		return kubeconfig.APIVersionV1beta1, nil
	}
	return "", fmt.Errorf("--%s must be v1 or v1beta1, not %q", flagExecAPIVersion, v)
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
		if c.Login == "spn" || c.Login == "ropc" {
			fmt.Fprintf(w, "  get-token reads the %s's secret from the environment where kubectl runs.\n", map[string]string{"spn": "service principal", "ropc": "user"}[c.Login])
		}
	}
	fmt.Fprintf(w, "Backup: %s\n", strings.Join(res.Backups, ", "))
}
