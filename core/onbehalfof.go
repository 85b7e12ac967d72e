package core

import (
	"context"
	"errors"
	"net/url"
)

// onBehalfOf exchanges a user's token, issued to this application, for a token to another
// resource on the same user's behalf. Only a confidential client can do this, so the application
// authenticates with whatever credential it has.
func (c *Client) onBehalfOf(ctx context.Context, r *settled) (*Token, error) {
	if r.Credential.UserAssertion == "" {
		return nil, errors.New("the onbehalfof method needs the incoming user token (the assertion)")
	}
	how := appCredential(r.Credential)
	if how == "" {
		return nil, errors.New("the onbehalfof method needs the application's own credential: a client secret, certificate or federated token")
	}
	form := url.Values{
		"grant_type":          {"urn:ietf:params:oauth:grant-type:jwt-bearer"},
		"client_id":           {r.ClientID},
		"assertion":           {r.Credential.UserAssertion},
		"requested_token_use": {"on_behalf_of"},
	}
	if err := r.Target.apply(form, r.Version, false, c.log()); err != nil {
		return nil, err
	}
	if err := c.authenticate(ctx, r, how, r.endpoint, form); err != nil {
		return nil, err
	}
	return c.redeem(ctx, r, r.endpoint, form)
}
