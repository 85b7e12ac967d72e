package core

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/aadcred/aadcred/keystore"
)

// CachedToken describes a cached access token without the token, or an entry derived from one
// (a registry token, an organisation note): what status and cache list show.
type CachedToken struct {
	ID        string // the entry's name, accepted by cache delete
	Authority string
	Tenant    string // as requested
	ClientID  string
	Kind      string // "user", the application method, or the kind of derived entry
	Target    string // the scope or resource; for a derived entry, what it is for
	Version   string
	UPN       string
	TenantID  string    // the tenant that issued it
	ExpiresOn time.Time // zero for a note that does not expire

	identity string
	account  string
	objectID string
	tier     keystore.Tier
	derived  bool
}

// Expired reports whether t has expired at now; a note without an expiry never does.
func (t CachedToken) Expired(now time.Time) bool {
	return !t.ExpiresOn.IsZero() && !now.Before(t.ExpiresOn)
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
	// Unreadable, when set, says why nothing is known of this account but that its sign-in is
	// kept: its label is lost and its sealed entry cannot give it back now, or the store refused
	// the label (other users could have written it). logout --all removes it all the same.
	Unreadable string
}

// ErrNoStore is returned by the cache's management calls when the Client has no Store.
var ErrNoStore = errors.New("no token cache configured")

// CachedTokens lists the cached access tokens and the entries derived from them, soonest to
// expire first.
func (c *Client) CachedTokens(ctx context.Context) ([]CachedToken, error) {
	if c.Store == nil {
		return nil, ErrNoStore
	}
	var out []CachedToken
	for _, name := range c.names(keystore.AccessTokens, "t") {
		e := c.readToken(ctx, name)
		if e == nil {
			continue
		}
		out = append(out, CachedToken{
			ID: name, Authority: e.Key.Authority, Tenant: e.Key.Tenant, ClientID: e.Key.ClientID,
			Kind: string(e.Key.Kind), Target: e.Key.Target, Version: e.Key.Version,
			UPN: e.UPN, TenantID: e.TenantID, ExpiresOn: e.ExpiresOn,
			identity: e.Key.Identity, account: e.Account, tier: keystore.AccessTokens,
		})
	}
	out = append(out, c.derivedEntries(ctx)...)
	// Soonest to expire first; what never expires last.
	slices.SortStableFunc(out, func(a, b CachedToken) int {
		if a.ExpiresOn.IsZero() || b.ExpiresOn.IsZero() {
			return cmp.Compare(btoi(a.ExpiresOn.IsZero()), btoi(b.ExpiresOn.IsZero()))
		}
		return a.ExpiresOn.Compare(b.ExpiresOn)
	})
	return out, nil
}

// Accounts lists the signed-in accounts, most recent sign-in first, then the kept sign-ins of
// which nothing can be read now.
func (c *Client) Accounts(ctx context.Context) ([]Account, error) {
	if c.Store == nil {
		return nil, ErrNoStore
	}
	kept := c.accounts(ctx)
	// Listing the sealed tier reads names only: no keyring is needed to tell which are there.
	secrets := c.names(keystore.Secrets, "a")
	var out []Account
	for _, a := range kept.labelled {
		acct := Account{ID: a.name(), UPN: a.UPN, TenantID: a.TenantID, ObjectID: a.ObjectID,
			Authority: a.Authority, ClientID: a.ClientID, SignedIn: a.SignedIn}
		if !slices.Contains(secrets, acct.ID) {
			acct.NeedsSignIn, acct.Why = true, cmp.Or(a.Lost, "its refresh token is gone")
		}
		out = append(out, acct)
	}
	slices.SortFunc(out, func(a, b Account) int { return b.SignedIn.Compare(a.SignedIn) })
	for _, name := range slices.Sorted(maps.Keys(kept.unreadable)) {
		out = append(out, Account{ID: name, Unreadable: kept.unreadable[name]})
	}
	return out, nil
}

// DeleteTokens removes the cached tokens and derived entries that match and says how many it
// removed. Kept sign-ins are untouched, so the next request refreshes silently.
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
		if err := c.Store.Delete(t.tier, t.ID); err != nil {
			return n, fmt.Errorf("deleting cached %s %s: %w", t.Kind, t.ID, err)
		}
		n++
	}
	return n, nil
}

// SignOut forgets the accounts that match: their refresh tokens, their labels, every access token
// cached for them, and what was derived from their sign-ins (their registry tokens, the notes of
// their tenants). It says how many accounts it removed.
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
		for _, tier := range []keystore.Tier{keystore.Secrets, keystore.AccessTokens} {
			if err := c.Store.Delete(tier, a.ID); err != nil {
				return n, fmt.Errorf("signing out %s: %w", orUnknown(a.UPN), err)
			}
		}
		if _, err := c.DeleteTokens(ctx, func(t CachedToken) bool { return t.account == a.ID || t.derivedFrom(a) }); err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}

// SignOutReport says what SignOutAll removed.
type SignOutReport struct {
	Accounts int // accounts signed out
	// Other counts what was kept besides: derived entries (registry tokens of applications too,
	// organisation notes), and what was in the quarantine.
	Other int
}

// SignOutAll forgets every account and everything kept with a sign-in: afterwards the store holds
// no secret, whatever it held, and it needs no key to get there: entries go by their names.
// Tokens that applications got by themselves (a service principal's) stay in the access-token
// tier.
func (c *Client) SignOutAll(ctx context.Context) (SignOutReport, error) {
	if c.Store == nil {
		return SignOutReport{}, ErrNoStore
	}
	var report SignOutReport
	remove := func(tier keystore.Tier, name string) error {
		if err := c.Store.Delete(tier, name); err != nil {
			return fmt.Errorf("signing out: %w", err)
		}
		return nil
	}
	labels, secrets := c.names(keystore.AccessTokens, "a"), c.names(keystore.Secrets, "")
	report.Accounts = len(union(labels, c.names(keystore.Secrets, "a")))
	for _, name := range c.names(keystore.AccessTokens, "t") {
		if e := c.readToken(ctx, name); e != nil && e.Account != "" {
			if err := remove(keystore.AccessTokens, name); err != nil {
				return report, err
			}
		}
	}
	for _, name := range labels {
		if err := remove(keystore.AccessTokens, name); err != nil {
			return report, err
		}
	}
	for _, name := range secrets {
		if !strings.HasPrefix(name, "a") {
			report.Other++
		}
		if err := remove(keystore.Secrets, name); err != nil {
			return report, err
		}
	}
	for _, name := range c.names(keystore.AccessTokens, OrganisationNotePrefix) {
		report.Other++
		if err := remove(keystore.AccessTokens, name); err != nil {
			return report, err
		}
	}
	quarantined, err := c.Store.Quarantined()
	if err == nil {
		report.Other += len(quarantined)
		err = c.Store.ClearQuarantine()
	}
	if err != nil {
		return report, fmt.Errorf("signing out: %w", err)
	}
	return report, nil
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

func orUnknown(s string) string {
	if s == "" {
		return "an account whose label is lost"
	}
	return s
}
