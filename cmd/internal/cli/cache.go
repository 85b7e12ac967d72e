package cli

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/aadcred/aadcred/core"
)

func cacheCommand(s *Session) *cli.Command {
	filterFlags := []cli.Flag{
		&cli.StringFlag{Name: "tenant", Usage: "tokens of this tenant"},
		&cli.StringFlag{Name: "client-id", Usage: "tokens of this client"},
		&cli.StringFlag{Name: "target", Usage: "tokens whose scope or resource contains this"},
		&cli.StringFlag{Name: "account", Usage: "tokens of this account (UPN)"},
		&cli.BoolFlag{Name: "expired", Usage: "only expired tokens"},
	}
	return &cli.Command{
		Name:  "cache",
		Usage: "list, delete and clean cached tokens, registry tokens and organisation notes",
		Subcommands: []*cli.Command{
			{
				Name:  "list",
				Usage: "list cached access tokens, registry tokens and organisation notes (never the tokens themselves)",
				Action: func(c *cli.Context) error {
					return printTokens(s, c)
				},
			},
			{
				Name:      "delete",
				Usage:     "delete cached access tokens by ID or filters; sign-ins are kept",
				ArgsUsage: "[ID...]",
				Flags:     filterFlags,
				Action: func(c *cli.Context) error {
					ids := c.Args().Slice()
					f := tokenFilter(c)
					if len(ids) == 0 && f == (filter{}) {
						return usageError{error: fmt.Errorf("name the tokens to delete: IDs from `cache list`, or filters such as --tenant or --expired")}
					}
					ids, err := resolveIDs(s, c, ids)
					if err != nil {
						return err
					}
					return deleteTokens(s, c, func(t core.CachedToken, now time.Time) bool {
						if len(ids) > 0 {
							return slices.Contains(ids, t.ID)
						}
						return f.match(t, now)
					})
				},
			},
			{
				Name:  "clean",
				Usage: "delete every cached token, registry token and organisation note (or only expired ones); sign-ins are kept",
				Flags: []cli.Flag{&cli.BoolFlag{Name: "expired", Usage: "only expired tokens"}},
				Action: func(c *cli.Context) error {
					expired := c.Bool("expired")
					return deleteTokens(s, c, func(t core.CachedToken, now time.Time) bool {
						return !expired || t.Expired(now)
					})
				},
			},
		},
	}
}

type filter struct {
	tenant, clientID, target, account string
	expired                           bool
}

func tokenFilter(c *cli.Context) filter {
	return filter{c.String("tenant"), c.String("client-id"), c.String("target"), c.String("account"), c.Bool("expired")}
}

func (f filter) match(t core.CachedToken, now time.Time) bool {
	return (f.tenant == "" || strings.EqualFold(t.Tenant, f.tenant) || strings.EqualFold(t.TenantID, f.tenant)) &&
		(f.clientID == "" || strings.EqualFold(t.ClientID, f.clientID)) &&
		(f.target == "" || strings.Contains(strings.ToLower(t.Target), strings.ToLower(f.target))) &&
		(f.account == "" || strings.EqualFold(t.UPN, f.account)) &&
		(!f.expired || t.Expired(now))
}

func deleteTokens(s *Session, c *cli.Context, match func(core.CachedToken, time.Time) bool) error {
	client, err := s.Client()
	if err != nil {
		return err
	}
	now := time.Now()
	n, err := client.DeleteTokens(c.Context, func(t core.CachedToken) bool { return match(t, now) })
	if err != nil {
		return err
	}
	fmt.Fprintf(s.Env.Stderr, "Deleted %s.\n", plural(n, "cached token", "cached tokens"))
	return nil
}

// resolveIDs finds the entries that ids name, before anything is deleted. A mistyped ID must
// not look like a deletion that worked.
func resolveIDs(s *Session, c *cli.Context, ids []string) ([]string, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	client, err := s.Client()
	if err != nil {
		return nil, err
	}
	tokens, err := client.CachedTokens(c.Context)
	if err != nil {
		return nil, err
	}
	all := make([]string, len(tokens))
	for i, t := range tokens {
		all[i] = t.ID
	}
	full := make([]string, len(ids))
	for i, id := range ids {
		if full[i], err = resolveID(all, id); err != nil {
			return nil, fmt.Errorf("%w (see `%s`); nothing was deleted", err, s.Tool.Command("cache", "list"))
		}
	}
	return full, nil
}

// minIDPrefix is the fewest characters of an ID that cache delete takes for the whole.
const minIDPrefix = 4

// resolveID is the one of all that id names: the whole ID, or its start (at least minIDPrefix
// characters, as status and cache list show IDs shortened) when no other ID starts the same.
func resolveID(all []string, id string) (string, error) {
	var matches []string
	for _, full := range all {
		if full == id {
			return full, nil
		}
		if strings.HasPrefix(full, id) {
			matches = append(matches, full)
		}
	}
	switch {
	case len(matches) == 0:
		return "", fmt.Errorf("no cached token has the ID %s", id)
	case len(id) < minIDPrefix:
		return "", fmt.Errorf("%s is too short to name a cached token: give at least %d characters of its ID", id, minIDPrefix)
	case len(matches) > 1:
		return "", fmt.Errorf("%d cached tokens have IDs that start with %s: give more of the ID", len(matches), id)
	}
	return matches[0], nil
}

func printTokens(s *Session, c *cli.Context) error {
	client, err := s.Client()
	if err != nil {
		return err
	}
	tokens, err := cachedTokens(c.Context, client)
	if err != nil {
		return err
	}
	var p page
	writeTokens(&p, tokens, time.Now(), s.Tool)
	return p.flush(s.Env.Stdout)
}

// sharedCommands are the commands every binary offers.
func sharedCommands(s *Session) []*cli.Command {
	shared := []*cli.Command{tokenCommand(s), loginCommand(s), logoutCommand(s), statusCommand(s), cacheCommand(s), completionCommand(s.Tool.Name)}
	return append(shared, docsCommands()...)
}
