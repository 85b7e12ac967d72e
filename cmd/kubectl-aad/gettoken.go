package main

import (
	"errors"
	"flag"
	"fmt"
	"strings"

	urfave "github.com/urfave/cli/v2"

	"github.com/aadcred/aadcred/cmd/internal/cli"
	"github.com/aadcred/aadcred/cmd/internal/kubelogin"
	"github.com/aadcred/aadcred/core"
)

// getTokenCommand is the exec credential plugin: kubectl runs it and reads an ExecCredential
// from its stdout, which therefore carries nothing else, errors included. Run as kubelogin
// (asKubelogin), it serves the kubeconfigs az writes, which name the AKS public client, from the
// shared sign-in; under its own name it takes the client it is given at its word.
func getTokenCommand(s *cli.Session, asKubelogin bool) *urfave.Command {
	return &urfave.Command{
		Name:  "get-token",
		Usage: "print an ExecCredential for kubectl (the exec plugin entry point)",
		Description: "Prints a client.authentication.k8s.io ExecCredential holding a token for the cluster's server " +
			"application, of the version KUBERNETES_EXEC_INFO asks for (v1beta1 when run by hand). " +
			"Accepts Azure/kubelogin's get-token flags and environment variables with the same meaning: " +
			"a variable kubelogin reads overrides its flag unless --disable-environment-override is given. " +
			"`get-token --help` lists the flags.",
		// kubelogin's flags are parsed by package kubelogin, which says why not by urfave/cli;
		// so it completes them too.
		SkipFlagParsing: true,
		BashComplete: func(c *urfave.Context) {
			kubelogin.Complete(c.App.Writer, c.Args().Slice())
		},
		Action: func(c *urfave.Context) error {
			info, err := parseExecInfo(s.Env.Getenv("KUBERNETES_EXEC_INFO"))
			if err != nil {
				return err
			}
			opts, _, err := kubelogin.Parse(s.Tool.Command("get-token"), fmt.Sprintf(getTokenUsage, s.Tool.Name), c.Args().Slice(), s.Env.Stderr, nil)
			if errors.Is(err, flag.ErrHelp) {
				return nil
			}
			if err != nil {
				return err
			}
			s.UseCommonFlags(opts.Debugging(), opts.Profile)
			if opts, err = opts.ApplyEnvironment(s.Env.Getenv); err != nil {
				return err
			}
			if asKubelogin && opts.ShareSignIn() {
				s.Log().Debug("the AKS public client that az writes is left out: the shared sign-in serves this cluster")
			}
			in, err := opts.Inputs()
			if err != nil {
				return err
			}
			// kubectl says whether a person may be asked: spec.interactive is false when it
			// keeps its standard input (interactiveMode Never, or no terminal), and then a
			// sign-in must fail at once instead of waiting for someone who is not there.
			in.Interactive = info.Interactive
			in.NoPerson = "kubectl's spec.interactive is false, because its stdin is not a terminal or interactiveMode is Never"
			in.Purpose = info.purpose(opts.ServerIDOrDefault())
			// From here on the session resolves the environment as the options say: with
			// --disable-environment-override it must not read the variables back in.
			s.Env.Getenv = opts.Getenv(s.Env.Getenv)
			req, err := s.Request(in)
			if err != nil {
				return err
			}
			for _, line := range opts.Complete(&req) {
				s.Log().Debug(line)
			}
			req.Interaction.SignInCommand = signInCommand(s.Tool.SignInCommand, req, opts)
			client, err := s.Client()
			if err != nil {
				return err
			}
			tok, err := client.Acquire(c.Context, req)
			if err != nil {
				return withTimeoutSetting(err)
			}
			return writeExecCredential(s.Env.Stdout, info, tok.AccessToken, tok.ReportedExpiry())
		},
	}
}

// withTimeoutSetting adds to work that ran out of get-token's time the setting that gives more:
// kubelogin's --timeout, which bounds what no person waits on.
func withTimeoutSetting(err error) error {
	var timeout *core.TimeoutError
	if errors.As(err, &timeout) {
		return fmt.Errorf("%w (--%s or AZURE_CLI_TIMEOUT sets how long to wait, e.g. --%[2]s 2m)", err, kubelogin.FlagTimeout)
	}
	return err
}

// getTokenUsage is get-token's help, for the tool named by %[1]s (kubectl-aad, or kubelogin).
const getTokenUsage = `Usage: %[1]s get-token [--login MODE] [--server-id ID]
         [--tenant-id TENANT] [flags]

Prints an ExecCredential for kubectl to stdout. Takes Azure/kubelogin's
get-token flags and environment variables with the same meaning: a variable
kubelogin reads overrides its flag unless --disable-environment-override is
given.
`

// signInCommand is the login command that serves this request, named when no person can be
// asked: the plain command signs in with the shared client and tenant, so a kubeconfig that
// names its own must see them in the command too, or the sign-in would not serve it.
func signInCommand(base string, req core.Request, opts kubelogin.Options) string {
	if !userMethod(req.Method) {
		return base
	}
	parts := []string{base}
	if req.Tenant != "" {
		parts = append(parts, "--tenant", req.Tenant)
	}
	if req.ClientID != "" && !strings.EqualFold(req.ClientID, core.AzureCLIClientID) {
		parts = append(parts, "--client-id", req.ClientID, "--resource", opts.ServerIDOrDefault())
	}
	return strings.Join(parts, " ")
}

// userMethod reports whether the method signs a person in, whose sign-in login can keep.
func userMethod(m core.Method) bool {
	return m == core.DeviceCode || m == core.Browser || m == core.Password
}
