package core

import (
	"context"
	"errors"
	"fmt"
	"strings"
)

// SignIn signs a person in with req's method (browser, device code or password) even when an
// account is already kept, keeps the account so that every later Acquire for any target is
// answered without asking again, and returns a token for req's target. It is what the tools'
// login command runs.
func (c *Client) SignIn(ctx context.Context, req Request) (*Token, error) {
	r, err := settle(req, c.getenv)
	if err != nil {
		return nil, err
	}
	if !r.Method.signsInUser() || r.Method == RefreshToken {
		return nil, fmt.Errorf("the %s method signs in an application, which needs no login: ask for a token directly", r.Method)
	}
	tok, err := c.obtain(ctx, r)
	if err != nil {
		return nil, err
	}
	if c.Store == nil {
		return tok, nil
	}
	account, err := c.keepAccount(ctx, r, tok, false)
	if err != nil {
		return nil, fmt.Errorf("signed in as %s, but could not keep the sign-in: %w", tok.UPN, err)
	}
	if account == "" {
		return nil, errors.New("signed in, but the service sent no refresh token to keep; check that the client allows offline_access")
	}
	if !r.NoCache {
		c.keepToken(ctx, r, c.keyFor(r), tok, account)
	}
	c.forgetOtherDefaults(ctx, r, account, tok)
	return tok, nil
}

// forgetOtherDefaults drops cached tokens that were served for "the signed-in account" of this
// client in the tenant just signed in to, when that was someone else: after a login, the account
// just signed in is the default there. Other tenants' tokens are not its business.
func (c *Client) forgetOtherDefaults(ctx context.Context, r *settled, account string, signedIn *Token) {
	_, err := c.DeleteTokens(ctx, func(t CachedToken) bool {
		return t.Kind == string(userKind) && t.identity == "" && t.account != account &&
			t.Authority == r.authority.String() && strings.EqualFold(t.ClientID, r.ClientID) &&
			(isTenantAlias(t.Tenant) || strings.EqualFold(t.Tenant, r.Tenant) || strings.EqualFold(t.Tenant, signedIn.TenantID))
	})
	if err != nil {
		c.log().Warn(fmt.Sprintf("could not drop the tokens of the previous account: %v", err))
	}
}
