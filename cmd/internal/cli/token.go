package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/aadcred/aadcred/core"
	"github.com/aadcred/aadcred/core/entra"
)

// tokenCommand prints an access token, like `az account get-access-token`, or with --id-token the
// signed-in user's ID token.
func tokenCommand(s *Session) *cli.Command {
	flags := append(requestFlags(), tokenFileFlags()...)
	return &cli.Command{
		Name:  "token",
		Usage: "print an access token (or the ID token of a sign-in)",
		Description: "Prints an access token for --scope or --resource to stdout, from the cache when a valid one is " +
			"there. With --output json it prints accessToken, expiresOn, expires_on, tenant and tokenType. " +
			"With --id-token it prints the ID token of the user's sign-in instead (JSON: idToken, expiresOn, " +
			"expires_on, tenant). --method devicecode or browser signs in even without a terminal.",
		Flags: append(flags,
			&cli.StringFlag{Name: "output", Aliases: []string{"o"}, Value: "raw", Usage: "raw (the token alone) or json"},
			&cli.BoolFlag{Name: "id-token", Usage: "print the ID token of the user's sign-in instead of the access token"},
			&cli.BoolFlag{Name: "no-cache", Usage: "neither serve nor keep a cached access token (the kept sign-in is still used)"},
		),
		Action: func(c *cli.Context) error {
			output := c.String("output")
			if output != "raw" && output != "json" {
				return usageError{error: fmt.Errorf("--output must be raw or json, not %q", output)}
			}
			in := inputsFromFlags(c)
			in.NoCache = c.Bool("no-cache")
			if len(in.Scopes) == 0 && in.Resource == "" {
				return usageError{error: fmt.Errorf("give --scope or --resource: the token must be for something")}
			}
			// Naming a person's method on the command line is asking to sign in.
			if m, err := core.ParseMethod(in.Method); err == nil && (m == core.DeviceCode || m == core.Browser) {
				in.Explicit = true
			}
			req, err := s.Request(in)
			if err != nil {
				return err
			}
			req.IDToken = c.Bool("id-token")
			req.Interaction.Purpose = signInPurpose(req.Tenant, "a token for "+req.Target.String())
			client, err := s.Client()
			if err != nil {
				return err
			}
			tok, err := client.Acquire(c.Context, req)
			if err != nil {
				return withTimeoutFlag(err)
			}
			if req.IDToken {
				return printIDToken(s.Env.Stdout, tok, output)
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
	return writeJSON(w, struct {
		AccessToken string `json:"accessToken"`
		ExpiresOn   string `json:"expiresOn"`
		ExpiresOnTS int64  `json:"expires_on"`
		Tenant      string `json:"tenant,omitempty"`
		TokenType   string `json:"tokenType"`
	}{
		AccessToken: tok.AccessToken,
		ExpiresOn:   azureCLITime(tok.ExpiresOn),
		ExpiresOnTS: tok.ExpiresOn.Unix(),
		Tenant:      tok.TenantID,
		TokenType:   tok.TokenType,
	})
}

// printIDToken prints the ID token, with its own expiry in JSON.
func printIDToken(w io.Writer, tok *core.Token, output string) error {
	if output == "raw" {
		_, err := fmt.Fprintln(w, tok.IDToken)
		return err
	}
	claims, err := entra.DecodeClaims(tok.IDToken)
	if err != nil {
		return fmt.Errorf("the ID token cannot be read: %w", err)
	}
	return writeJSON(w, struct {
		IDToken     string `json:"idToken"`
		ExpiresOn   string `json:"expiresOn"`
		ExpiresOnTS int64  `json:"expires_on"`
		Tenant      string `json:"tenant,omitempty"`
	}{
		IDToken:     tok.IDToken,
		ExpiresOn:   azureCLITime(claims.Expiry),
		ExpiresOnTS: claims.Expiry.Unix(),
		Tenant:      claims.TenantID,
	})
}

// azureCLITime is the Azure CLI's format of an expiry: local time without a zone.
func azureCLITime(t time.Time) string { return t.Local().Format("2006-01-02 15:04:05.000000") }

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
