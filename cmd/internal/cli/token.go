package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/aadcred/aadcred/core"
)

// tokenCommand prints an access token, like `az account get-access-token`.
func tokenCommand(s *Session) *cli.Command {
	return &cli.Command{
		Name:  "token",
		Usage: "print an access token",
		Description: "Prints an access token for --scope or --resource to stdout, from the cache when a valid one is\n" +
			"there. With --output json it prints accessToken, expiresOn, expires_on, tenant and tokenType.",
		Flags: append(requestFlags(),
			&cli.StringFlag{Name: "output", Aliases: []string{"o"}, Value: "raw", Usage: "raw (the token alone) or json"},
			&cli.BoolFlag{Name: "no-cache", Usage: "neither read nor store the cache"},
		),
		Action: func(c *cli.Context) error {
			output := c.String("output")
			if output != "raw" && output != "json" {
				return usageError{fmt.Errorf("--output must be raw or json, not %q", output)}
			}
			in := inputsFromFlags(c)
			in.NoCache = c.Bool("no-cache")
			if len(in.Scopes) == 0 && in.Resource == "" {
				return usageError{fmt.Errorf("give --scope or --resource: the token must be for something")}
			}
			req, err := s.Request(in)
			if err != nil {
				return err
			}
			client, err := s.Client()
			if err != nil {
				return err
			}
			tok, err := client.Acquire(c.Context, req)
			if err != nil {
				return err
			}
			return printToken(s.Env.Stdout, tok, output)
		},
	}
}

func printToken(w io.Writer, tok *core.Token, output string) error {
	if output == "raw" {
		_, err := fmt.Fprintln(w, tok.AccessToken)
		return err
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(struct {
		AccessToken string `json:"accessToken"`
		ExpiresOn   string `json:"expiresOn"`
		ExpiresOnTS int64  `json:"expires_on"`
		Tenant      string `json:"tenant,omitempty"`
		TokenType   string `json:"tokenType"`
	}{
		AccessToken: tok.AccessToken,
		// The Azure CLI's format: local time without a zone.
		ExpiresOn:   tok.ExpiresOn.Local().Format("2006-01-02 15:04:05.000000"),
		ExpiresOnTS: tok.ExpiresOn.Unix(),
		Tenant:      tok.TenantID,
		TokenType:   tok.TokenType,
	})
}

// timeUntil says how long until t, for people.
func timeUntil(t, now time.Time) string {
	d := t.Sub(now).Round(time.Minute)
	if d <= 0 {
		return "expired"
	}
	return "in " + d.String()
}
