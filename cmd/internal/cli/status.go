package cli

import (
	"cmp"
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/aadcred/aadcred/cmd/internal/version"
	"github.com/aadcred/aadcred/core"
)

// statusReport is everything status shows. The text and the JSON (--output json) are both
// rendered from it, so that each shows what the other does; new facts are new fields here.
type statusReport struct {
	SchemaVersion int             `json:"schemaVersion"`
	Program       string          `json:"program"`
	Version       string          `json:"version"` // of the program: see cmd/internal/version
	Store         string          `json:"store"`
	Access        string          `json:"access"` // who can open the store's files
	Protection    string          `json:"protection"`
	Accounts      []statusAccount `json:"accounts"`
	Tokens        []statusToken   `json:"tokens"`
	// Quarantined are the sealed entries that could not be opened, kept aside for 7 days.
	Quarantined []statusQuarantined `json:"quarantined"`
}

// statusQuarantined is an entry in the store's quarantine.
type statusQuarantined struct {
	Path  string    `json:"path"`
	From  string    `json:"from"` // where it was in the store, e.g. "secrets/a1b2…"
	Since time.Time `json:"since"`
}

// statusAccount is a kept sign-in.
type statusAccount struct {
	UPN       string    `json:"upn"`
	TenantID  string    `json:"tenantId"`
	ClientID  string    `json:"clientId"`
	Authority string    `json:"authority"`
	SignedIn  time.Time `json:"signedIn"`
	// State is "signed-in", or "needs-sign-in" when the refresh token is gone (revoked,
	// expired, undecryptable): then Reason says why and SignInCommand what to run; or
	// "unreadable" when a sign-in is kept of which nothing can be read now, and Reason says why.
	State         string `json:"state"`
	Reason        string `json:"reason,omitempty"`
	SignInCommand string `json:"signInCommand,omitempty"`
}

// The states of a kept sign-in.
const (
	stateSignedIn    = "signed-in"
	stateNeedsSignIn = "needs-sign-in"
	stateUnreadable  = "unreadable"
)

// statusToken is a cached access token, without the token.
type statusToken struct {
	ID        string    `json:"id"`
	Target    string    `json:"target"`
	Kind      string    `json:"kind"`
	UPN       string    `json:"upn,omitempty"`
	TenantID  string    `json:"tenantId,omitempty"`
	ExpiresOn time.Time `json:"expiresOn,omitzero"` // zero for a note that never expires
}

func statusCommand(s *Session) *cli.Command {
	return &cli.Command{
		Name:  "status",
		Usage: "show signed-in accounts, cached tokens and how they are protected",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "output", Aliases: []string{"o"}, Value: "text", Usage: "text or json"},
		},
		Action: func(c *cli.Context) error {
			output := c.String("output")
			if output != "text" && output != "json" {
				return usageError{error: fmt.Errorf("--output must be text or json, not %q", output)}
			}
			report, err := s.status(c.Context)
			if err != nil {
				return err
			}
			if output == "json" {
				return writeJSON(s.Env.Stdout, report)
			}
			return report.writeText(s.Env.Stdout, time.Now(), s.Tool)
		},
	}
}

// status gathers the report. It reads labels and names only: no keyring, no network.
func (s *Session) status(ctx context.Context) (*statusReport, error) {
	store, err := s.Store()
	if err != nil {
		return nil, err
	}
	client, err := s.Client()
	if err != nil {
		return nil, err
	}
	r := &statusReport{SchemaVersion: 1, Program: s.Tool.Name, Version: version.String(), Store: store.Dir(), Accounts: []statusAccount{}}
	if r.Access, err = store.Access(); err != nil {
		r.Access = fmt.Sprintf("cannot be read: %v", err)
	}
	if p, err := store.Protection(ctx); err != nil {
		r.Protection = fmt.Sprintf("unavailable: %v", err)
	} else {
		r.Protection = p.String()
	}
	accounts, err := client.Accounts(ctx)
	if err != nil {
		return nil, err
	}
	for _, a := range accounts {
		sa := statusAccount{UPN: a.UPN, TenantID: a.TenantID, ClientID: a.ClientID, Authority: a.Authority,
			SignedIn: a.SignedIn, State: stateSignedIn}
		switch {
		case a.Unreadable != "":
			sa.State, sa.Reason = stateUnreadable, a.Unreadable
		case a.NeedsSignIn:
			sa.State, sa.Reason, sa.SignInCommand = stateNeedsSignIn, a.Why, s.signInCommandFor(a)
		}
		r.Accounts = append(r.Accounts, sa)
	}
	if r.Tokens, err = cachedTokens(ctx, client); err != nil {
		return nil, err
	}
	quarantined, err := store.Quarantined()
	if err != nil {
		return nil, err
	}
	r.Quarantined = []statusQuarantined{}
	for _, q := range quarantined {
		r.Quarantined = append(r.Quarantined, statusQuarantined{Path: q.Path, From: q.From, Since: q.Since})
	}
	return r, nil
}

// cachedTokens lists the cached access tokens as status and cache list show them.
func cachedTokens(ctx context.Context, client *core.Client) ([]statusToken, error) {
	tokens, err := client.CachedTokens(ctx)
	if err != nil {
		return nil, err
	}
	out := []statusToken{}
	for _, t := range tokens {
		out = append(out, statusToken{ID: t.ID, Target: t.Target, Kind: t.Kind, UPN: t.UPN,
			TenantID: cmp.Or(t.TenantID, t.Tenant), ExpiresOn: t.ExpiresOn})
	}
	return out, nil
}

// signInCommandFor is the login command that signs the account in again, with what makes it the
// same sign-in: its tenant, its account and a client of its own.
func (s *Session) signInCommandFor(a core.Account) string {
	parts := []string{s.Tool.SignInCommand}
	if a.TenantID != "" {
		parts = append(parts, "--tenant", a.TenantID)
	}
	if a.UPN != "" {
		parts = append(parts, "--account", a.UPN)
	}
	if !strings.EqualFold(a.ClientID, core.AzureCLIClientID) {
		parts = append(parts, "--client-id", a.ClientID)
	}
	return strings.Join(parts, " ")
}
