package core

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/aadcred/aadcred/keystore"
)

// CachedToken describes a cached access token without the token: what status and cache list
// show.
type CachedToken struct {
	ID        string // the entry's name, accepted by cache delete
	Authority string
	Tenant    string // as requested
	ClientID  string
	Kind      string // "user", or the application method
	Target    string
	Version   string
	UPN       string
	TenantID  string // the tenant that issued it
	ExpiresOn time.Time

	identity string
	account  string
}

// Account describes a signed-in account.
type Account struct {
	ID        string
	UPN       string
	TenantID  string
	ObjectID  string
	Authority string
	ClientID  string
	SignedIn  time.Time
	// NeedsSignIn says the account's refresh token is gone (revoked, expired, undecryptable or
	// deleted): only a new sign-in gives its tokens again. Why says what is known about it.
	NeedsSignIn bool
	Why         string
}

// ErrNoStore is returned by the cache's management calls when the Client has no Store.
var ErrNoStore = errors.New("no token cache configured")

// CachedTokens lists the cached access tokens, soonest to expire first.
func (c *Client) CachedTokens(ctx context.Context) ([]CachedToken, error) {
	if c.Store == nil {
		return nil, ErrNoStore
	}
	names, err := c.Store.List(keystore.AccessTokens)
	if err != nil {
		return nil, fmt.Errorf("listing cached tokens: %w", err)
	}
	var out []CachedToken
	for _, name := range names {
		if !strings.HasPrefix(name, "t") {
			continue
		}
		e := c.readToken(ctx, name)
		if e == nil {
			continue
		}
		out = append(out, CachedToken{
			ID: name, Authority: e.Key.Authority, Tenant: e.Key.Tenant, ClientID: e.Key.ClientID,
			Kind: string(e.Key.Kind), Target: e.Key.Target, Version: e.Key.Version,
			UPN: e.UPN, TenantID: e.TenantID, ExpiresOn: e.ExpiresOn,
			identity: e.Key.Identity, account: e.Account,
		})
	}
	slices.SortFunc(out, func(a, b CachedToken) int { return a.ExpiresOn.Compare(b.ExpiresOn) })
	return out, nil
}

// Accounts lists the signed-in accounts, most recent sign-in first.
func (c *Client) Accounts(ctx context.Context) ([]Account, error) {
	if c.Store == nil {
		return nil, ErrNoStore
	}
	// Listing the sealed tier reads names only: no keyring is needed to tell which are there.
	secrets, err := c.Store.List(keystore.Secrets)
	if err != nil {
		return nil, fmt.Errorf("listing kept sign-ins: %w", err)
	}
	var out []Account
	for _, a := range c.accounts(ctx) {
		acct := Account{ID: a.name(), UPN: a.UPN, TenantID: a.TenantID, ObjectID: a.ObjectID,
			Authority: a.Authority, ClientID: a.ClientID, SignedIn: a.SignedIn}
		if !slices.Contains(secrets, acct.ID) {
			acct.NeedsSignIn, acct.Why = true, cmp.Or(a.Lost, "its refresh token is gone")
		}
		out = append(out, acct)
	}
	slices.SortFunc(out, func(a, b Account) int { return b.SignedIn.Compare(a.SignedIn) })
	return out, nil
}

// DeleteTokens removes the cached access tokens that match and says how many it removed. Kept
// sign-ins are untouched, so the next request refreshes silently.
func (c *Client) DeleteTokens(ctx context.Context, match func(CachedToken) bool) (int, error) {
	tokens, err := c.CachedTokens(ctx)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, t := range tokens {
		if !match(t) {
			continue
		}
		if err := c.Store.Delete(keystore.AccessTokens, t.ID); err != nil {
			return n, fmt.Errorf("deleting cached token %s: %w", t.ID, err)
		}
		n++
	}
	return n, nil
}

// SignOut forgets the accounts that match: their refresh tokens, their labels and every access
// token cached for them. It says how many accounts it removed.
func (c *Client) SignOut(ctx context.Context, match func(Account) bool) (int, error) {
	accounts, err := c.Accounts(ctx)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, a := range accounts {
		if !match(a) {
			continue
		}
		if err := c.Store.Delete(keystore.Secrets, a.ID); err != nil {
			return n, fmt.Errorf("deleting the refresh token of %s: %w", a.UPN, err)
		}
		if err := c.Store.Delete(keystore.AccessTokens, a.ID); err != nil {
			return n, fmt.Errorf("deleting the account %s: %w", a.UPN, err)
		}
		if _, err := c.DeleteTokens(ctx, func(t CachedToken) bool { return t.account == a.ID }); err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}
