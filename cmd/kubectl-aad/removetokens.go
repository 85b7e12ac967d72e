package main

import (
	"fmt"
	"strings"

	urfave "github.com/urfave/cli/v2"

	"github.com/aadcred/aadcred/cmd/internal/cli"
	"github.com/aadcred/aadcred/cmd/internal/kubelogin"
	"github.com/aadcred/aadcred/core"
)

// removeTokensCommands are kubelogin's remove-tokens and remove-cache-dir: they forget the cached
// cluster tokens. Unlike kubelogin's, they keep the sign-in, which git and docker share; logout is
// the command that signs out. remove-cache-dir is not listed in the help, where its name would
// push every command's description to the right: it is there for scripts written for kubelogin.
func removeTokensCommands(s *cli.Session) []*urfave.Command {
	removeCacheDir := removeTokensCommand(s) // a command of its own: urfave/cli parses into its flags
	removeCacheDir.Name, removeCacheDir.Hidden = "remove-cache-dir", true
	removeCacheDir.Usage = "the same as remove-tokens, as kubelogin names it"
	return []*urfave.Command{removeTokensCommand(s), removeCacheDir}
}

func removeTokensCommand(s *cli.Session) *urfave.Command {
	return &urfave.Command{
		Name:  "remove-tokens",
		Usage: "delete the cached cluster tokens; sign-ins are kept (use logout to sign out)",
		Flags: []urfave.Flag{
			&urfave.StringSliceFlag{Name: kubelogin.FlagServerID, Usage: "the tokens of this server application ID, repeatable (default the AKS server)"},
			&urfave.StringFlag{Name: kubelogin.FlagCacheDir, Aliases: []string{kubelogin.FlagTokenCacheDir}, Usage: "the token store that get-token's --cache-dir named"},
		},
		Action: func(c *urfave.Context) error {
			serverIDs := c.StringSlice(kubelogin.FlagServerID)
			if len(serverIDs) == 0 {
				serverIDs = []string{core.AKSServerID}
			}
			s.Env.Getenv = kubelogin.Options{CacheDir: c.String(kubelogin.FlagCacheDir)}.Getenv(s.Env.Getenv)
			client, err := s.Client()
			if err != nil {
				return err
			}
			n, err := client.DeleteTokens(c.Context, func(t core.CachedToken) bool {
				return namesServer(t.Target, serverIDs)
			})
			if err != nil {
				return err
			}
			if n == 1 {
				fmt.Fprintln(s.Env.Stderr, "Deleted 1 cached cluster token; the next kubectl call gets a new one.")
			} else {
				fmt.Fprintf(s.Env.Stderr, "Deleted %d cached cluster tokens; the next kubectl call gets a new one.\n", n)
			}
			return nil
		},
	}
}

// namesServer reports whether a cached token's target is one of the server applications, in
// any of the forms get-token asks for them (<id>/.default, spn:<id>, <id>).
func namesServer(target string, serverIDs []string) bool {
	target = strings.ToLower(target)
	for _, id := range serverIDs {
		id = strings.ToLower(id)
		for _, form := range []string{id + "/.default", "spn:" + id, id} {
			if target == form {
				return true
			}
		}
	}
	return false
}
