package main

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/aadcred/aadcred/cmd/git-credential-aad/internal/azrepos"
	"github.com/aadcred/aadcred/cmd/git-credential-aad/internal/gitcred"
	aadcli "github.com/aadcred/aadcred/cmd/internal/cli"
	"github.com/aadcred/aadcred/core"
	"github.com/aadcred/aadcred/core/entra"
)

// defaultUsername is the user name sent when git has none: Azure DevOps ignores it next to an
// Entra token but refuses an empty one, and a fixed name keeps storage helpers' entries stable.
const defaultUsername = "aadcred"

// helper answers git's credential-helper actions.
type helper struct {
	session *aadcli.Session
	wiring
}

func (h *helper) commands() []*cli.Command {
	return []*cli.Command{
		{
			Name:        "get",
			Usage:       "answer git with an Azure DevOps token (git runs this)",
			Description: "Reads git's credential request on stdin and, for Azure Repos over https, prints a user name and an Entra ID access token as the password. For any other host it prints nothing.",
			Action:      h.action(h.get),
		},
		{
			Name:   "store",
			Usage:  "accept a credential that worked (git runs this; nothing is recorded)",
			Action: h.action(h.store),
		},
		{
			Name:   "erase",
			Usage:  "forget a rejected token, keeping the sign-in (git runs this)",
			Action: h.action(h.erase),
		},
		{
			Name:  "capability",
			Usage: "list what this helper can answer with (git 2.46 and later)",
			Action: func(c *cli.Context) error {
				_, err := fmt.Fprintf(h.session.Env.Stdout, "version 0\ncapability %s\n", gitcred.CapabilityAuthType)
				return err
			},
		},
	}
}

// action reads git's request from stdin and runs do with it.
func (h *helper) action(do func(context.Context, *gitcred.Request) error) cli.ActionFunc {
	return func(c *cli.Context) error {
		if c.Args().Present() {
			return fmt.Errorf("%s takes its input on stdin, not as arguments", c.Command.Name)
		}
		req, err := gitcred.Read(h.session.Env.Stdin)
		if err != nil {
			return err
		}
		return do(c.Context, req)
	}
}

// get prints a token for an Azure Repos request and nothing for any other.
func (h *helper) get(ctx context.Context, in *gitcred.Request) error {
	if !h.answers(in) {
		return nil
	}
	req, err := h.session.Request(aadcli.Inputs{
		Resource:    core.AzureDevOpsResource,
		Interactive: true, // the session reads GIT_TERMINAL_PROMPT; acquire, credential.interactive
		Purpose:     purpose(in),
	})
	if err != nil {
		return err
	}
	if req.Tenant == "" {
		tenant, err := h.tenant(ctx, in)
		if err != nil {
			return err
		}
		req.Tenant = tenant.ID
	}
	client, err := h.session.Client()
	if err != nil {
		return err
	}
	tok, err := h.acquire(ctx, client, req)
	if err != nil {
		return err
	}
	answer := gitcred.Answer{
		Protocol:       in.Protocol,
		Host:           in.Host,
		Username:       cmp.Or(in.Username, defaultUsername),
		Password:       tok.AccessToken,
		PasswordExpiry: tok.ReportedExpiry(),
	}
	if in.HasCapability(gitcred.CapabilityAuthType) {
		// git 2.46 and later: send the token as a bearer token, and keep it out of storage
		// helpers, which would serve it after it expires.
		answer.AuthType, answer.Credential, answer.Ephemeral = "Bearer", tok.AccessToken, true
	}
	return answer.Write(h.session.Env.Stdout)
}

// acquire gets the token without asking anyone, and asks a person only when that is what it
// takes and the session, GIT_TERMINAL_PROMPT and git's credential.interactive all allow it. The
// silent attempt comes first so that the hot path never starts a git process.
func (h *helper) acquire(ctx context.Context, client *core.Client, req core.Request) (*core.Token, error) {
	silent := req
	silent.Interaction.Allowed = false
	tok, err := client.Acquire(ctx, silent)
	if err == nil || !req.Interaction.Allowed || !errors.Is(err, core.ErrInteractionRequired) {
		return tok, err
	}
	read := h.credentialInteractive
	if read == nil {
		read = gitCredentialInteractive
	}
	if !read(ctx) {
		h.session.Log().Debug("git's credential.interactive is false: not asking anyone")
		// Again without a person, so that the error says why no one was asked.
		silent.Interaction.NoPerson = "git's credential.interactive is false; AADCRED_PROMPT=always does not override that"
		silent.Interaction.Override = ""
		return client.Acquire(ctx, silent)
	}
	return client.Acquire(ctx, req)
}

// purpose says, at the head of the sign-in instructions, what git needs the token for.
func purpose(in *gitcred.Request) string {
	if org, err := azrepos.Organization(in.Host, in.Path, in.Username); err == nil {
		return "git needs a token for Azure DevOps organisation " + org + "."
	}
	return "git needs a token for Azure DevOps (" + in.Host + ")."
}

// store records nothing: the token is already in aadcred's cache, which renews it; a copy kept
// anywhere else would only go stale.
func (h *helper) store(context.Context, *gitcred.Request) error { return nil }

// erase forgets the Azure DevOps access token that the server rejected, and the organisation's
// remembered tenant, but keeps the sign-in: the next get refreshes silently instead of asking
// the person again.
func (h *helper) erase(ctx context.Context, in *gitcred.Request) error {
	if !h.answers(in) {
		return nil
	}
	tenant := ""
	if rejected := cmp.Or(in.Credential, in.Password); rejected != "" {
		claims, err := entra.DecodeClaims(rejected)
		if err != nil || !isAzureDevOpsAudience(claims.Audience) {
			h.session.Log().Debug("the rejected credential is not an Azure DevOps token from aadcred; nothing to erase")
			return nil
		}
		tenant = claims.TenantID
	}
	client, err := h.session.Client()
	if err != nil {
		return err
	}
	n, err := client.DeleteTokens(ctx, func(t core.CachedToken) bool {
		return isAzureDevOpsTarget(t.Target) &&
			(tenant == "" || strings.EqualFold(t.TenantID, tenant) || strings.EqualFold(t.Tenant, tenant))
	})
	if err != nil {
		return fmt.Errorf("erasing the rejected token: %w", err)
	}
	h.session.Log().Debug(fmt.Sprintf("erased %d cached Azure DevOps token(s)", n))
	if org, err := azrepos.Organization(in.Host, in.Path, in.Username); err == nil {
		store, err := h.session.Store()
		if err != nil {
			return err
		}
		cache := &azrepos.TenantCache{Store: store}
		if err := cache.Forget(azrepos.Remote{Host: in.Host, Org: org}); err != nil {
			return err
		}
	}
	return nil
}

// answers reports whether the request is one for Azure Repos over https. Everything else gets
// no answer at all, so that git moves on to its next helper: a blank or unexpected field is never
// a wildcard. The configuration is read only for a host that is not Azure DevOps's own, and if it
// cannot be read, such a host is not ours: git runs this helper for every host it is configured
// for, and a broken aadcred configuration must not break git for the others. The error is still
// said, on stderr; for Azure DevOps's own hosts the request fails with it, later.
func (h *helper) answers(in *gitcred.Request) bool {
	if in.Protocol != "https" || in.Host == "" {
		return false
	}
	if azrepos.BuiltIn(in.Host) {
		return true
	}
	cfg, err := h.session.Config()
	if err != nil {
		h.session.Log().Warn(fmt.Sprintf("not answering for %s, which is not an Azure DevOps host, as git.hosts cannot be read: %v", in.Host, err))
		return false
	}
	return azrepos.Hosts{Extra: cfg.Git.Hosts}.Match(in.Host)
}

// tenant finds the tenant of the request's organisation.
func (h *helper) tenant(ctx context.Context, in *gitcred.Request) (azrepos.Tenant, error) {
	remote := azrepos.Remote{Host: in.Host}
	org, orgErr := azrepos.Organization(in.Host, in.Path, in.Username)
	if orgErr == nil {
		remote.Org = org
	}
	store, err := h.session.Store()
	if err != nil {
		return azrepos.Tenant{}, err
	}
	d := &azrepos.Discovery{
		Cache:      &azrepos.TenantCache{Store: store},
		HTTPClient: h.probeClient,
		UserAgent:  h.session.UserAgent(),
		Log:        h.session.Log(),
	}
	tenant, err := d.Tenant(ctx, remote, in.WWWAuth)
	if err != nil {
		if orgErr != nil && !errors.Is(orgErr, azrepos.ErrNoOrganization) {
			return azrepos.Tenant{}, orgErr // say what was wrong with the organisation git gave
		}
		return azrepos.Tenant{}, err
	}
	h.session.Log().Debug(fmt.Sprintf("tenant %s, from %s", tenant.ID, tenant.Source))
	return tenant, nil
}

// isAzureDevOpsTarget reports whether a cached token's target is Azure DevOps: the resource, or
// scopes of it.
func isAzureDevOpsTarget(target string) bool {
	scopes := strings.Fields(target)
	if len(scopes) == 0 {
		return false
	}
	for _, s := range scopes {
		resource, _, _ := strings.Cut(s, "/")
		if !strings.EqualFold(resource, core.AzureDevOpsResource) {
			return false
		}
	}
	return true
}

// isAzureDevOpsAudience reports whether a token's aud is Azure DevOps, by application ID or by
// its identifier URI.
func isAzureDevOpsAudience(aud string) bool {
	return strings.EqualFold(aud, core.AzureDevOpsResource) ||
		strings.EqualFold(strings.TrimSuffix(aud, "/"), "https://app.vssps.visualstudio.com")
}
