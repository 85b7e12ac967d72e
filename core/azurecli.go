package core

import (
	"context"

	"github.com/aadcred/aadcred/core/azurecli"
)

// azureCLI gets a token from the Azure CLI's signed-in account. The answer is cached like any
// other, so az (half a second or more per run) is not run on every call.
func (c *Client) azureCLI(ctx context.Context, r *settled) (*Token, error) {
	q := c.cliQuery(r)
	q.Subscription = r.Credential.Subscription
	return borrowedToken(c.azureCLIRunner().Token(ctx, q))
}

// azureDeveloperCLI gets a token from the Azure Developer CLI's signed-in account, cached as the
// Azure CLI's are.
func (c *Client) azureDeveloperCLI(ctx context.Context, r *settled) (*Token, error) {
	return borrowedToken(c.azureDeveloperCLIRunner().Token(ctx, c.cliQuery(r)))
}

// cliQuery is what to ask az or azd for: r's target, in r's tenant unless that is an alias, in
// which case the tool's own account's tenant is used.
func (c *Client) cliQuery(r *settled) azurecli.Query {
	q := azurecli.Query{Tenant: r.Tenant, Resource: r.Target.Resource}
	if isTenantAlias(q.Tenant) {
		q.Tenant = ""
	}
	if q.Resource == "" {
		q.Scopes = r.Target.scopes(c.log())
	}
	return q
}

// borrowedToken labels a token az or azd minted.
func borrowedToken(at *azurecli.Token, err error) (*Token, error) {
	if err != nil {
		return nil, err
	}
	tok := &Token{AccessToken: at.AccessToken, TokenType: at.TokenType, ExpiresOn: at.ExpiresOn, TenantID: at.Tenant}
	labelFromClaims(tok)
	return tok, nil
}

func (c *Client) azureCLIRunner() *azurecli.Runner {
	if c.AzureCLI != nil {
		return c.AzureCLI
	}
	return &azurecli.Runner{Getenv: c.Getenv}
}

func (c *Client) azureDeveloperCLIRunner() *azurecli.DeveloperRunner {
	if c.AzureDeveloperCLI != nil {
		return c.AzureDeveloperCLI
	}
	return &azurecli.DeveloperRunner{Getenv: c.Getenv}
}
