package core

import (
	"context"
	"fmt"
)

// managedIdentity gets a token from the managed identity of the Azure resource this runs on: a
// VM or scale set (IMDS), App Service, Functions or Container Apps, Cloud Shell, or an Azure
// Arc-enabled server.
func (c *Client) managedIdentity(ctx context.Context, r *settled) (*Token, error) {
	resource, err := r.Target.resource()
	if err != nil {
		return nil, fmt.Errorf("managed identity: %w", err)
	}
	tr, err := c.managedIdentityClient().Token(ctx, resource, r.Credential.ManagedIdentity)
	if err != nil {
		return nil, err
	}
	return newToken(tr), nil
}
