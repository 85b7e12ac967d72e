package core

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"net/url"

	"github.com/aadcred/aadcred/core/entra"
)

// AuthCodeFlow is an authorization-code sign-in in progress: send the person to URL; the
// service then sends them back to RedirectURI with a code and the state. A web app keeps
// State and CodeVerifier (server side) until RedeemCode.
type AuthCodeFlow struct {
	URL          string
	RedirectURI  string
	State        string
	CodeVerifier string
}

// AuthCodeURL starts an authorization-code sign-in for req with PKCE (S256) and a fresh state.
// req.Account becomes the login hint; req.Interaction.FormPost asks for response_mode=form_post.
func (c *Client) AuthCodeURL(req Request, redirectURI string) (*AuthCodeFlow, error) {
	req.Method = Browser
	r, err := settle(req, c.getenv)
	if err != nil {
		return nil, err
	}
	return c.authCodeURL(r, redirectURI)
}

// RedeemCode finishes the sign-in that flow started, with the code and state the service sent
// back. The state must match, or the redirect did not come from this sign-in. A confidential
// client (req.Credential holds a secret, certificate or federated token) authenticates too. With
// a Store, the signed-in account is kept for later calls to Acquire.
func (c *Client) RedeemCode(ctx context.Context, req Request, flow *AuthCodeFlow, code, state string) (*Token, error) {
	req.Method = Browser
	r, err := settle(req, c.getenv)
	if err != nil {
		return nil, err
	}
	tok, err := c.redeemCode(ctx, r, flow, code, state)
	if err != nil {
		return nil, err
	}
	return tok, c.remember(ctx, r, tok)
}

func (c *Client) authCodeURL(r *settled, redirectURI string) (*AuthCodeFlow, error) {
	if u, err := url.Parse(redirectURI); err != nil || u.Scheme == "" || u.Host == "" {
		return nil, fmt.Errorf("redirect URI %q is not an absolute URL", redirectURI)
	}
	pkce := entra.NewPKCE()
	flow := &AuthCodeFlow{RedirectURI: redirectURI, State: entra.NewState(), CodeVerifier: pkce.Verifier}
	params := url.Values{
		"client_id":             {r.ClientID},
		"response_type":         {"code"},
		"redirect_uri":          {redirectURI},
		"state":                 {flow.State},
		"code_challenge":        {pkce.Challenge},
		"code_challenge_method": {"S256"},
		"prompt":                {"select_account"},
	}
	if err := r.Target.apply(params, r.Version, true, c.log()); err != nil {
		return nil, err
	}
	if r.Interaction.FormPost {
		params.Set("response_mode", "form_post")
	} else {
		params.Set("response_mode", "query")
	}
	if r.Account != "" {
		params.Set("login_hint", r.Account)
	}
	if r.Claims != "" {
		params.Set("claims", r.Claims)
	}
	flow.URL = entra.AuthorizeURL(r.endpoint, params)
	return flow, nil
}

func (c *Client) redeemCode(ctx context.Context, r *settled, flow *AuthCodeFlow, code, state string) (*Token, error) {
	if flow == nil || flow.State == "" || flow.CodeVerifier == "" {
		return nil, errors.New("no sign-in in progress to redeem a code for")
	}
	if subtle.ConstantTimeCompare([]byte(state), []byte(flow.State)) != 1 {
		return nil, errors.New("the sign-in answer's state does not match the sign-in that was started; it was not redeemed")
	}
	if code == "" {
		return nil, errors.New("the sign-in answer carries no authorization code")
	}
	form := url.Values{
		"grant_type":    {"authorization_code"},
		"client_id":     {r.ClientID},
		"code":          {code},
		"redirect_uri":  {flow.RedirectURI},
		"code_verifier": {flow.CodeVerifier},
	}
	if err := r.Target.apply(form, r.Version, true, c.log()); err != nil {
		return nil, err
	}
	if how := appCredential(r.Credential); how != "" {
		if err := c.authenticate(ctx, r, how, r.endpoint, form); err != nil {
			return nil, err
		}
	}
	return c.redeem(ctx, r, r.endpoint, form)
}
