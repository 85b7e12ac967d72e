package cli

import (
	"github.com/urfave/cli/v2"
)

// requestFlags describe a token request on the command line. Their environment variables are
// read by Session.Request, not by the flags, so that precedence is decided in one place.
func requestFlags() []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: "tenant", Aliases: []string{"t"}, Usage: "tenant ID or domain (env AZURE_TENANT_ID; default: any work or school account)"},
		&cli.StringFlag{Name: "client-id", Usage: "application (client) ID (env AZURE_CLIENT_ID; default: the Azure CLI's, for users)"},
		&cli.StringSliceFlag{Name: "scope", Usage: "v2 scope, repeatable, e.g. https://management.azure.com/.default"},
		&cli.StringFlag{Name: "resource", Usage: "resource (App ID URI or application ID); asks for <resource>/.default on v2"},
		&cli.BoolFlag{Name: "v1", Usage: "use the v1 endpoints (resource=) instead of v2 (scope=)"},
		&cli.StringFlag{Name: "method", Aliases: []string{"m"}, Usage: "auto, browser, devicecode, clientsecret, clientcert, workloadidentity, password, onbehalfof, managedidentity, azurecli, refreshtoken (env AADCRED_METHOD)"},
		&cli.StringFlag{Name: "client-secret", Usage: "client secret (prefer env AZURE_CLIENT_SECRET: arguments are visible to other users)"},
		&cli.StringFlag{Name: "certificate", Usage: "client certificate, PEM with key or PFX (env AZURE_CLIENT_CERTIFICATE_PATH)"},
		&cli.StringFlag{Name: "certificate-password", Usage: "password of a PFX certificate (prefer env AZURE_CLIENT_CERTIFICATE_PASSWORD)"},
		&cli.StringFlag{Name: "federated-token-file", Usage: "federated (workload identity) token file (env AZURE_FEDERATED_TOKEN_FILE)"},
		&cli.StringFlag{Name: "identity", Usage: "user-assigned managed identity: client ID, resource ID, or object_id=<id>"},
		&cli.StringFlag{Name: "authority-host", Usage: "authority host URL, e.g. https://login.microsoftonline.com/ (env AZURE_AUTHORITY_HOST)"},
		&cli.StringFlag{Name: "cloud", Usage: "public, china or usgovernment"},
		&cli.StringFlag{Name: "account", Usage: "the signed-in account (UPN) to use, when several are"},
		&cli.BoolFlag{Name: "no-browser", Usage: "do not open a browser: print the sign-in address instead"},
		&cli.IntFlag{Name: "redirect-port", Usage: "fixed loopback port for the browser sign-in", DefaultText: "any free port"},
		&cli.DurationFlag{Name: "timeout", Usage: "time a person has to sign in", DefaultText: "15m"},
	}
}

// tokenFileFlags name the files that hold the incoming token of the onbehalfof and refreshtoken
// methods. Their variables are read by Session.Request, with the other settings.
func tokenFileFlags() []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: "assertion-file", Usage: "onbehalfof: file holding the incoming user token, - for stdin (env AADCRED_ASSERTION_FILE)"},
		&cli.StringFlag{Name: "refresh-token-file", Usage: "refreshtoken: file holding the refresh token, - for stdin (env AADCRED_REFRESH_TOKEN_FILE)"},
	}
}

// inputsFromFlags reads requestFlags.
func inputsFromFlags(c *cli.Context) Inputs {
	return Inputs{
		Tenant:              c.String("tenant"),
		ClientID:            c.String("client-id"),
		Method:              c.String("method"),
		AuthorityHost:       c.String("authority-host"),
		Cloud:               c.String("cloud"),
		Account:             c.String("account"),
		Scopes:              c.StringSlice("scope"),
		Resource:            c.String("resource"),
		V1:                  c.Bool("v1"),
		ClientSecret:        c.String("client-secret"),
		Certificate:         c.String("certificate"),
		CertificatePassword: c.String("certificate-password"),
		FederatedTokenFile:  c.String("federated-token-file"),
		Identity:            c.String("identity"),
		AssertionFile:       c.String("assertion-file"),
		RefreshTokenFile:    c.String("refresh-token-file"),
		NoBrowser:           c.Bool("no-browser"),
		RedirectPort:        c.Int("redirect-port"),
		Timeout:             c.Duration("timeout"),
		Interactive:         true,
	}
}
