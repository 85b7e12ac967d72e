package core

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/aadcred/aadcred/core/entra"
	"github.com/aadcred/aadcred/keystore"
)

// accountEntry labels a signed-in user of one client at one authority. Its refresh token is
// kept apart, encrypted, under the same name in the Secrets tier; the label itself holds no
// secret, so listing accounts never needs the keyring.
type accountEntry struct {
	Authority       string `json:"authority"`
	ClientID        string `json:"client_id"`
	TenantID        string `json:"tenant_id"`
	RequestedTenant string `json:"requested_tenant,omitempty"`
	// TenantNames are the other names (a verified domain, the GUID) that the account's tenant
	// was asked for by, learned when a token for that name came back from the tenant itself.
	TenantNames   []string  `json:"tenant_names,omitempty"`
	ObjectID      string    `json:"object_id,omitempty"`
	UPN           string    `json:"upn,omitempty"`
	HomeAccountID string    `json:"home_account_id,omitempty"`
	SignedIn      time.Time `json:"signed_in"`
	// Guest marks an account made by redeeming a home sign-in in a tenant the user is a guest
	// in: it serves requests for that tenant only, never "organizations" or "common".
	Guest bool `json:"guest,omitempty"`
	// Lost says why the refresh token was dropped (the service revoked it, it could not be
	// decrypted), so that status can tell the person; a new sign-in writes a new label.
	Lost string `json:"lost,omitempty"`
}

// name is the account's file-safe name: one per user, tenant, client and authority, so that
// accounts and tenants live side by side and never share a refresh token.
func (a *accountEntry) name() string {
	identity := cmp.Or(a.ObjectID, a.HomeAccountID, strings.ToLower(a.UPN))
	return cacheKey{Authority: a.Authority, Tenant: strings.ToLower(a.TenantID), ClientID: strings.ToLower(a.ClientID),
		Kind: "account", Identity: identity}.name("a")
}

// errNoRefreshToken means the account's refresh token is gone: only a new sign-in helps.
var errNoRefreshToken = errors.New("no usable refresh token")

// signInNeeded means the kept sign-in cannot give this token without a person: its refresh
// token is gone or was rejected, or the service asks the person to act (multi-factor
// authentication, consent, a Conditional Access claims challenge). The refresh token itself is
// deleted only in the first case: one resource's challenge does not spoil it for the others.
type signInNeeded struct {
	cause  error
	claims string // the challenge to send with the sign-in that answers it
}

func (e *signInNeeded) Error() string { return e.cause.Error() }
func (e *signInNeeded) Unwrap() error { return e.cause }

// renewUser gets a user token: by redeeming the account's refresh token for r's target (one
// sign-in serves every resource), else by signing in, once, if a person may be asked.
func (c *Client) renewUser(ctx context.Context, r *settled) (*Token, string, error) {
	acct, unusable := c.findAccount(ctx, r)
	if acct == nil {
		// A kept sign-in that cannot be used now (others could have planted it, its key cannot
		// be reached) is not replaced by a new one, which could not be kept either: the person
		// is told what to fix.
		if unusable != nil {
			return nil, "", fmt.Errorf("the kept sign-in cannot be used: %w", unusable)
		}
		if tok, name, ok := c.redeemAsGuest(ctx, r); ok {
			return tok, name, nil
		}
		return c.signIn(ctx, r)
	}
	tok, err := c.redeemAccount(ctx, r, acct, c.accountTenant(r, acct), true)
	if err == nil {
		return tok, acct.name(), nil
	}
	var need *signInNeeded
	if !errors.As(err, &need) {
		return nil, "", err
	}
	// The password method signs in again without a person, as signIn lets it.
	if !r.Interaction.Allowed && r.Method != Password {
		return nil, "", fmt.Errorf("the sign-in of %s cannot give this token by itself (%w); %w", acct.UPN, err, r.needPerson())
	}
	c.log().Warn(fmt.Sprintf("the sign-in of %s cannot give this token by itself (%v); signing in again", acct.UPN, err))
	if need.claims != "" {
		answered := *r
		answered.Claims = need.claims
		r = &answered
	}
	return c.signIn(ctx, r)
}

// accountTenant is where acct's refresh token is redeemed for r: the tenant asked for, or the
// account's own when the request names an alias such as organizations.
func (c *Client) accountTenant(r *settled, acct *accountEntry) string {
	if isTenantAlias(r.Tenant) && acct.TenantID != "" {
		return acct.TenantID
	}
	return r.Tenant
}

// redeemAsGuest serves a request for a tenant no kept account is known by with an account signed
// in elsewhere: a user who is a guest in the tenant (an Azure DevOps organisation of a partner,
// say) gets a token there from the refresh token of their home sign-in, as MSAL does. When the
// token comes from the account's own tenant, the request named it another way (its domain
// instead of its GUID, or the other way round): the account learns that name, and stays the home
// account. A refusal means only that the user is not a guest there, so nothing is deleted and the
// caller goes on to ask for a sign-in.
func (c *Client) redeemAsGuest(ctx context.Context, r *settled) (*Token, string, bool) {
	if isTenantAlias(r.Tenant) {
		return nil, "", false
	}
	home, _ := c.findAccount(ctx, &settled{Request: withTenant(r.Request, "organizations"), authority: r.authority, endpoint: r.endpoint})
	if home == nil {
		return nil, "", false
	}
	tok, err := c.redeemAccount(ctx, r, home, r.Tenant, false)
	if err != nil {
		c.log().Debug("the signed-in account is not usable in this tenant", "account", home.UPN, "tenant", r.Tenant, "error", err)
		return nil, "", false
	}
	name, err := c.keepAccount(ctx, r, tok, !strings.EqualFold(tok.TenantID, home.TenantID))
	if err != nil {
		c.warnNotKept(fmt.Sprintf("could not keep the sign-in for tenant %s", r.Tenant), err)
	}
	return tok, name, true
}

func withTenant(req Request, tenant string) Request {
	req.Tenant = tenant
	return req
}

// redeemAccount redeems acct's refresh token at tenant for r's target and keeps the new refresh
// token the answer brings. When drop is set, a refresh token the service has invalidated is
// deleted, so that it is never sent again; a request for a person's action leaves it in place.
func (c *Client) redeemAccount(ctx context.Context, r *settled, acct *accountEntry, tenant string, drop bool) (*Token, error) {
	// No person waits on this, even when a sign-in may follow it.
	ctx, cancel := r.silentContext(ctx)
	defer cancel()
	name := acct.name()
	rt, err := c.readRefreshToken(ctx, acct)
	if err != nil {
		return nil, err
	}
	ep := entra.Endpoint{Authority: r.authority, Tenant: tenant, Version: r.Version}
	tok, err := c.refreshToken(ctx, r, rt, ep)
	err = timedOut(ctx, err)
	var e *entra.Error
	switch {
	case err == nil:
	case !errors.As(err, &e):
		return nil, err
	case e.InteractionRequired():
		return nil, &signInNeeded{cause: err, claims: e.Claims}
	case e.InvalidGrant():
		if drop {
			_ = c.Store.Delete(keystore.Secrets, name)
			code := e.Code
			if len(e.Codes) > 0 {
				code = fmt.Sprintf("AADSTS%d", e.Codes[0])
			}
			c.markLost(ctx, acct, "the service refused its refresh token ("+code+")")
		}
		return nil, &signInNeeded{cause: err}
	default:
		return nil, err
	}
	if _, err := c.keepAccount(ctx, r, tok, false); err != nil {
		c.warnNotKept("could not keep the renewed sign-in", err)
	}
	return tok, nil
}

// readRefreshToken reads acct's kept refresh token. An entry that is gone, or that cannot be
// opened (it is then in the quarantine, which the error names), needs a new sign-in, which the
// label records; an entry of an older aadcred holds the token alone.
func (c *Client) readRefreshToken(ctx context.Context, acct *accountEntry) (string, error) {
	name := acct.name()
	data, err := c.Store.Read(ctx, keystore.Secrets, name)
	var corrupt *keystore.CorruptError
	switch {
	case errors.Is(err, keystore.ErrNotFound):
		return "", &signInNeeded{cause: errNoRefreshToken}
	case errors.As(err, &corrupt):
		c.markLost(ctx, acct, "its refresh token could not be opened, and "+corrupt.Fate())
		return "", &signInNeeded{cause: err}
	case err != nil:
		return "", fmt.Errorf("reading the kept sign-in of %s: %w", acct.UPN, err)
	}
	_, rt, err := decodeKeptSignIn(data)
	if err != nil && !errors.Is(err, errNoLabelCopy) {
		// Moved into the quarantine: a newer aadcred may have written what this one cannot read.
		_ = c.Store.Discard(keystore.Secrets, name, data)
		c.markLost(ctx, acct, "its refresh token could not be read, and was moved to the quarantine")
		return "", &signInNeeded{cause: fmt.Errorf("the kept sign-in could not be used (%v); it was moved to the quarantine", err)}
	}
	return rt, nil
}

// signIn runs r's sign-in method. A second, account-wide lock makes parallel callers that need a
// sign-in for different targets wait for one prompt instead of each showing their own; after
// the wait, an account that another process signed in is used instead.
func (c *Client) signIn(ctx context.Context, r *settled) (*Token, string, error) {
	if !r.Interaction.Allowed && r.Method != Password {
		return nil, "", r.needPerson()
	}
	lockName := cacheKey{Authority: r.authority.String(), Tenant: strings.ToLower(r.Tenant),
		ClientID: strings.ToLower(r.ClientID), Kind: "signin", Identity: strings.ToLower(r.Account)}.name("s")
	unlock, err := c.lock(ctx, r, lockName)
	if err != nil {
		return nil, "", err
	}
	defer unlock()
	// Another process may have signed in while this one waited; a claims challenge, though,
	// is answered only by a sign-in that carries it.
	if acct, _ := c.findAccount(ctx, r); acct != nil && r.Claims == "" {
		if tok, err := c.redeemAccount(ctx, r, acct, c.accountTenant(r, acct), true); err == nil {
			return tok, acct.name(), nil
		}
	}
	tok, err := c.obtain(ctx, r)
	if err != nil {
		return nil, "", err
	}
	name, err := c.keepAccount(ctx, r, tok, false)
	if err != nil {
		c.warnNotKept("signed in, but could not keep the sign-in for next time", err)
	}
	return tok, name, nil
}

// keepAccount stores the account tok belongs to and its refresh token, and returns the account's
// name. A token without a refresh token (nothing to keep) stores nothing. guest marks an account
// in a tenant the user is a guest in.
func (c *Client) keepAccount(ctx context.Context, r *settled, tok *Token, guest bool) (string, error) {
	if tok.RefreshToken == "" {
		return "", nil
	}
	acct := &accountEntry{
		Authority: r.authority.String(), ClientID: r.ClientID, TenantID: tok.TenantID,
		RequestedTenant: r.Tenant, ObjectID: tok.ObjectID, UPN: tok.UPN, HomeAccountID: tok.HomeAccountID,
		SignedIn: c.now(), Guest: guest,
	}
	if acct.TenantID == "" && !isTenantAlias(r.Tenant) {
		acct.TenantID = r.Tenant
	}
	if old, _ := c.readAccount(ctx, acct.name()); old != nil {
		acct.SignedIn = old.SignedIn // a refresh is not a new sign-in
		acct.RequestedTenant = cmp.Or(old.RequestedTenant, acct.RequestedTenant)
		acct.TenantNames = old.TenantNames
		acct.Guest = old.Guest || guest // a guest account stays one; a home account never becomes one
	}
	if !isTenantAlias(r.Tenant) && tok.TenantID != "" && !tenantMatches(r.Tenant, acct) {
		acct.TenantNames = append(acct.TenantNames, r.Tenant) // the tenant answered to this name
	}
	name := acct.name()
	if err := c.keepSignIn(ctx, acct, tok.RefreshToken); err != nil {
		return "", err
	}
	data, err := json.Marshal(acct)
	if err == nil {
		err = c.Store.Write(ctx, keystore.AccessTokens, name, data)
	}
	if err != nil {
		return "", fmt.Errorf("storing the account: %w", err)
	}
	return name, nil
}

// markLost records on acct's label why its refresh token is gone.
func (c *Client) markLost(ctx context.Context, acct *accountEntry, why string) {
	lost := *acct
	lost.Lost = why
	if data, err := json.Marshal(&lost); err == nil {
		if err := c.Store.Write(ctx, keystore.AccessTokens, acct.name(), data); err != nil {
			c.log().Debug("recording that a sign-in was lost", "error", err)
		}
	}
}

// remember keeps the account of a sign-in finished through the two-step forms.
func (c *Client) remember(ctx context.Context, r *settled, tok *Token) error {
	if c.Store == nil {
		return nil
	}
	_, err := c.keepAccount(ctx, r, tok, false)
	return err
}

// findAccount picks the signed-in account for r: same authority and client, a matching tenant,
// the requested account if one is named; the most recently signed-in one when several match.
// unusable says why a kept sign-in cannot be used now, if one cannot (keptAccounts.unusable).
func (c *Client) findAccount(ctx context.Context, r *settled) (acct *accountEntry, unusable error) {
	want := strings.ToLower(cmp.Or(r.Account, r.Credential.Username))
	kept := c.accounts(ctx)
	for _, a := range kept.labelled {
		if a.Authority != r.authority.String() || !strings.EqualFold(a.ClientID, r.ClientID) ||
			!tenantMatches(r.Tenant, a) || (want != "" && strings.ToLower(a.UPN) != want) {
			continue
		}
		if acct == nil || a.SignedIn.After(acct.SignedIn) {
			acct = a
		}
	}
	return acct, kept.unusable
}

// tenantMatches reports whether an account may serve a request for tenant: its own tenant (by ID
// or by the name it was signed in with), or any account for organizations and common.
func tenantMatches(tenant string, a *accountEntry) bool {
	if isTenantAlias(tenant) {
		return !a.Guest && (!strings.EqualFold(tenant, "consumers") || strings.EqualFold(a.TenantID, msaTenant))
	}
	same := func(name string) bool { return strings.EqualFold(tenant, name) }
	return same(a.TenantID) || same(a.RequestedTenant) || slices.ContainsFunc(a.TenantNames, same)
}

// msaTenant is the tenant of personal Microsoft accounts.
const msaTenant = "9188040d-6c67-4c5b-b112-36a304b66dad"

func isTenantAlias(tenant string) bool {
	switch strings.ToLower(tenant) {
	case "organizations", "common", "consumers":
		return true
	}
	return false
}
