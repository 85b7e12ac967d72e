package core

import (
	"context"
	"errors"
	"net/url"

	"github.com/aadcred/aadcred/core/entra"
)

// refreshToken redeems a refresh token at ep for r's target, which need not be the target it was
// issued for: a refresh token is good for every resource the client has consent for, which is
// how one sign-in serves Azure DevOps, ACR, AKS and ARM alike. A confidential client adds its own
// credential.
func (c *Client) refreshToken(ctx context.Context, r *settled, refreshToken string, ep entra.Endpoint) (*Token, error) {
	if refreshToken == "" {
		return nil, errors.New("the refreshtoken method needs a refresh token")
	}
	form := url.Values{
		"grant_type":    {"refresh_token"},
		"client_id":     {r.ClientID},
		"refresh_token": {refreshToken},
	}
	if err := r.Target.apply(form, ep.Version, true, c.log()); err != nil {
		return nil, err
	}
	if how := appCredential(r.Credential); how != "" {
		if err := c.authenticate(ctx, r, how, ep, form); err != nil {
			return nil, err
		}
	}
	tok, err := c.redeem(ctx, r, ep, form)
	if err != nil {
		return nil, err
	}
	if tok.RefreshToken == "" {
		// The service keeps the old refresh token valid when it sends no new one.
		tok.RefreshToken = refreshToken
	}
	return tok, nil
}
