package cli

import (
	"fmt"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/aadcred/aadcred/core"
)

// defaultLoginScope is what login asks for when no target is given: Azure Resource Manager,
// which every Azure user can get; the refresh token it brings serves every other resource.
const defaultLoginScope = "https://management.core.windows.net//.default"

func loginCommand(s *Session) *cli.Command {
	return &cli.Command{
		Name:  "login",
		Usage: "sign in, once for git, docker and kubectl",
		Description: "Signs you in with the browser (or a device code where no browser can open) and keeps the\n" +
			"sign-in, encrypted, so that every later token, for any of the three tools, comes without a prompt.",
		Flags: requestFlags(),
		Action: func(c *cli.Context) error {
			in := inputsFromFlags(c)
			if len(in.Scopes) == 0 && in.Resource == "" {
				in.Scopes = []string{defaultLoginScope}
			}
			req, err := s.Request(in)
			if err != nil {
				return err
			}
			if !req.Interaction.Allowed && req.Method != core.Password {
				return fmt.Errorf("login needs a person at a terminal (CI is set, or stderr is not a terminal); for automation use a service principal, workload identity or managed identity")
			}
			client, err := s.Client()
			if err != nil {
				return err
			}
			tok, err := client.SignIn(c.Context, req)
			if err != nil {
				return err
			}
			fmt.Fprintf(s.Env.Stderr, "Signed in as %s (tenant %s).\n", orUnknown(tok.UPN), orUnknown(tok.TenantID))
			return nil
		},
	}
}

func logoutCommand(s *Session) *cli.Command {
	return &cli.Command{
		Name:  "logout",
		Usage: "forget a signed-in account and its tokens",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "account", Usage: "the account (UPN) to sign out"},
			&cli.StringFlag{Name: "tenant", Usage: "only accounts of this tenant"},
			&cli.BoolFlag{Name: "all", Usage: "sign out every account"},
		},
		Action: func(c *cli.Context) error {
			client, err := s.Client()
			if err != nil {
				return err
			}
			accounts, err := client.Accounts(c.Context)
			if err != nil {
				return err
			}
			account, tenant, all := c.String("account"), c.String("tenant"), c.Bool("all")
			match := func(a core.Account) bool {
				return all || ((account == "" || strings.EqualFold(a.UPN, account)) &&
					(tenant == "" || strings.EqualFold(a.TenantID, tenant)))
			}
			var chosen []string
			for _, a := range accounts {
				if match(a) {
					chosen = append(chosen, a.UPN)
				}
			}
			switch {
			case len(chosen) == 0:
				fmt.Fprintln(s.Env.Stderr, "No signed-in account matches; nothing to do.")
				return nil
			case len(chosen) > 1 && !all && account == "":
				return usageError{fmt.Errorf("several accounts are signed in (%s): name one with --account, or use --all", strings.Join(chosen, ", "))}
			}
			n, err := client.SignOut(c.Context, match)
			if err != nil {
				return err
			}
			fmt.Fprintf(s.Env.Stderr, "Signed out %d account(s): %s.\n", n, strings.Join(chosen, ", "))
			return nil
		},
	}
}

func orUnknown(s string) string {
	if s == "" {
		return "(unknown)"
	}
	return s
}
