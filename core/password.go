package core

import (
	"context"
	"errors"
	"net/url"
)

// password signs a user in with a username and password (ROPC). It cannot do multi-factor
// authentication or federated (ADFS) users and is deprecated by Microsoft; it exists because
// kubelogin's ropc mode does and some test tenants rely on it.
func (c *Client) password(ctx context.Context, r *settled) (*Token, error) {
	cred := r.Credential
	if cred.Username == "" || cred.Password == "" {
		return nil, errors.New("the password method needs a username and a password: set AZURE_USERNAME and AZURE_PASSWORD")
	}
	form := url.Values{
		"grant_type": {"password"},
		"client_id":  {r.ClientID},
		"username":   {cred.Username},
		"password":   {cred.Password},
	}
	if err := r.Target.apply(form, r.Version, true, c.log()); err != nil {
		return nil, err
	}
	return c.redeem(ctx, r, r.endpoint, form)
}
