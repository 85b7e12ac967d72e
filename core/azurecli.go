package core

import (
	"context"

	"github.com/aadcred/aadcred/core/azurecli"
)

// azureCLI gets a token from the Azure CLI's signed-in account. The answer is cached like any
// other, so az (half a second or more per run) is not run on every call.
func (c *Client) azureCLI(ctx context.Context, r *settled) (*Token, error) {
	tenant := r.Tenant
	if tenant == "organizations" || tenant == "common" {
		tenant = "" // let az use its own account's tenant
	}
	var at *azurecli.Token
	var err error
	if r.Target.Resource != "" {
		at, err = c.azureCLIRunner().Token(ctx, tenant, r.Target.Resource, nil)
	} else {
		at, err = c.azureCLIRunner().Token(ctx, tenant, "", r.Target.scopes(c.log()))
	}
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
