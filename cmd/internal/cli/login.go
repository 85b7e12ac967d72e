package cli

import (
	"cmp"
	"errors"
	"fmt"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/aadcred/aadcred/core"
)

func loginCommand(s *Session) *cli.Command {
	return &cli.Command{
		Name:  "login",
		Usage: "sign in, once for git, docker and kubectl",
		Description: "Signs you in with the browser (or a device code where no browser can open) and keeps the " +
			"sign-in, encrypted, so that every later token, for any of the three tools, comes without a prompt. " +
			"It needs no terminal: the instructions go to stderr wherever that is read (a notebook, an IDE, " +
			"`login 2>&1 | tee log`). AADCRED_PROMPT=never refuses it.",
		Flags: requestFlags(),
		Action: func(c *cli.Context) error {
			in := inputsFromFlags(c)
			in.Explicit = true
			req, err := s.Request(in)
			if err != nil {
				return err
			}
			if len(in.Scopes) == 0 && in.Resource == "" {
				// Azure Resource Manager of the cloud signed in to, which every Azure user can
				// get; the refresh token it brings serves every other resource.
				if req.Target, err = s.armScope(in, req.AuthorityHost); err != nil {
					return err
				}
			}
			req.Interaction.Purpose = signInPurpose(req.Tenant, "git, docker and kubectl")
			client, err := s.Client()
			if err != nil {
				return err
			}
			tok, err := client.SignIn(c.Context, req)
			if err != nil {
				return withTimeoutFlag(err)
			}
			s.announceSignIn(tok)
			return nil
		},
	}
}

// signInPurpose heads the sign-in instructions of a command a person ran: which accounts may
// sign in, in words rather than Entra's tenant names, and what for.
func signInPurpose(tenant, what string) string {
	switch strings.ToLower(tenant) {
	case "", "organizations":
		return "Signing in to Microsoft Entra ID with a work or school account, for " + what + "."
	case "common":
		return "Signing in to Microsoft Entra ID with a work, school or personal Microsoft account, for " + what + "."
	case "consumers":
		return "Signing in with a personal Microsoft account, for " + what + "."
	}
	return "Signing in to Microsoft Entra ID (tenant " + tenant + ") for " + what + "."
}

// armScope is the scope of Azure Resource Manager in the cloud of the request: the one named
// (--cloud, or cloud: in the configuration file, whatever authority host serves it), else the one
// whose authority host is signed in to, else the public cloud.
func (s *Session) armScope(in Inputs, authorityHost string) (core.Target, error) {
	settings, err := s.Settings()
	if err != nil {
		return core.Target{}, err
	}
	cloud, err := core.LookupCloud(cmp.Or(in.Cloud, settings.Cloud))
	if err != nil {
		return core.Target{}, err
	}
	if c, ok := core.CloudOfAuthority(authorityHost); ok && in.Cloud == "" && settings.Cloud == "" {
		cloud = c
	}
	return core.Scope(cloud.ARMAudience + "/.default"), nil
}

// withTimeoutFlag adds to a sign-in that ran out of time the flag that gives more.
func withTimeoutFlag(err error) error {
	var timeout *core.SignInTimeoutError
	if errors.As(err, &timeout) {
		return fmt.Errorf("%w (--timeout sets how long to wait, e.g. --timeout 30m)", err)
	}
	return err
}

func logoutCommand(s *Session) *cli.Command {
	return &cli.Command{
		Name:  "logout",
		Usage: "forget a signed-in account, its tokens and what came from it (registry tokens, organisation notes)",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "account", Usage: "the account (UPN) to sign out"},
			&cli.StringFlag{Name: "tenant", Usage: "only accounts of this tenant"},
			&cli.BoolFlag{Name: "all", Usage: "sign out every account: the store keeps no secret afterwards"},
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
				return all || (a.Unreadable == "" && (account == "" || strings.EqualFold(a.UPN, account)) &&
					(tenant == "" || strings.EqualFold(a.TenantID, tenant)))
			}
			var chosen []string
			for _, a := range accounts {
				if match(a) {
					chosen = append(chosen, accountName(a))
				}
			}
			if all {
				return signOutAll(s, c, client, chosen)
			}
			switch {
			case len(chosen) == 0:
				fmt.Fprintln(s.Env.Stderr, "No signed-in account matches; nothing to do.")
				return nil
			case len(chosen) > 1 && account == "":
				return usageError{error: fmt.Errorf("several accounts are signed in (%s): name one with --account, or use --all", strings.Join(chosen, ", "))}
			}
			n, err := client.SignOut(c.Context, match)
			if err != nil {
				return err
			}
			fmt.Fprintf(s.Env.Stderr, "Signed out %s.\n", signedOut(n, chosen))
			return nil
		},
	}
}

// signOutAll signs every account out, and removes everything else a sign-in left.
func signOutAll(s *Session, c *cli.Context, client *core.Client, accounts []string) error {
	report, err := client.SignOutAll(c.Context)
	if err != nil {
		return err
	}
	other := ""
	if report.Other > 0 {
		other = fmt.Sprintf("; removed %s (registry tokens, organisation notes, quarantined entries)",
			plural(report.Other, "other kept entry", "other kept entries"))
	}
	switch {
	case report.Accounts == 0 && report.Other == 0:
		fmt.Fprintln(s.Env.Stderr, "No account is signed in; nothing to do.")
	case report.Accounts == 0:
		fmt.Fprintf(s.Env.Stderr, "No account is signed in%s.\n", other)
	default:
		fmt.Fprintf(s.Env.Stderr, "Signed out %s%s.\n", signedOut(report.Accounts, accounts), other)
	}
	return nil
}

// signedOut says who n accounts signed out are: their names, counted when there are several.
func signedOut(n int, names []string) string {
	if n == 1 && len(names) == 1 {
		return names[0]
	}
	return plural(n, "account", "accounts") + ": " + strings.Join(names, ", ")
}

// accountName names an account for people.
func accountName(a core.Account) string {
	if a.Unreadable != "" {
		return "an account that cannot be read (" + a.ID + ")"
	}
	return orUnknown(a.UPN)
}

func orUnknown(s string) string {
	if s == "" {
		return "(unknown)"
	}
	return s
}
