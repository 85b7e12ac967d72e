package cli

import (
	"fmt"
	"text/tabwriter"
	"time"

	"github.com/urfave/cli/v2"
)

func statusCommand(s *Session) *cli.Command {
	return &cli.Command{
		Name:  "status",
		Usage: "show signed-in accounts, cached tokens and how they are protected",
		Action: func(c *cli.Context) error {
			store, err := s.Store()
			if err != nil {
				return err
			}
			client, err := s.Client()
			if err != nil {
				return err
			}
			w := tabwriter.NewWriter(s.Env.Stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintf(w, "Token store:\t%s\n", store.Dir())
			if p, err := store.Protection(c.Context); err != nil {
				fmt.Fprintf(w, "Protection:\tunavailable: %v\n", err)
			} else {
				fmt.Fprintf(w, "Protection:\t%s\n", p)
			}
			w.Flush()

			accounts, err := client.Accounts(c.Context)
			if err != nil {
				return err
			}
			fmt.Fprintln(s.Env.Stdout, "\nSigned-in accounts:")
			if len(accounts) == 0 {
				fmt.Fprintf(s.Env.Stdout, "  none (run %s)\n", s.Tool.SignInCommand)
			}
			w = tabwriter.NewWriter(s.Env.Stdout, 0, 4, 2, ' ', 0)
			for _, a := range accounts {
				fmt.Fprintf(w, "  %s\ttenant %s\tclient %s\tsince %s\n", orUnknown(a.UPN), a.TenantID, a.ClientID, a.SignedIn.Local().Format(time.DateTime))
			}
			w.Flush()
			fmt.Fprintln(s.Env.Stdout, "\nCached tokens:")
			return printTokens(s, c)
		},
	}
}
