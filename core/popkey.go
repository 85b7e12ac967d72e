package core

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/aadcred/aadcred/core/pop"
	"github.com/aadcred/aadcred/keystore"
)

// PoP asks for a proof-of-possession token (Azure Arc-enabled clusters): Entra ID binds the
// access token to a key this client keeps, and Token.AccessToken is then a signed HTTP request
// (SHR) that carries it, signed afresh by Acquire on every call.
type PoP struct {
	// Host is the resource the signed request is for, its u claim: for an Azure Arc cluster,
	// the cluster's ARM ID.
	Host string
}

// popKeyEntry names the PoP key in the store's secrets tier. One key serves every PoP token of
// the store until it is rotated.
const popKeyEntry = "kpop"

// popKeyLockWait bounds the wait for another process that is making the key, which holds the
// lock for the second or so that an RSA key takes to make.
const popKeyLockWait = 30 * time.Second

// checkPoP refuses a PoP request that cannot be served, before any work.
func (r *Request) checkPoP() error {
	switch {
	case r.PoP == nil:
		return nil
	case strings.TrimSpace(r.PoP.Host) == "":
		return errors.New("a proof-of-possession token needs the host it is for (the u claim, e.g. an Arc cluster's ARM ID)")
	case r.Method.borrowsSignIn():
		return fmt.Errorf("the %s method cannot get a proof-of-possession token: only Entra ID's token endpoint binds one to a key", r.Method)
	}
	return nil
}

// popKey returns the PoP key: the one in the store's secrets tier (made on first use, replaced
// once it has served pop.RotationInterval, as MSAL rotates its keys), or without a store one
// kept in this Client's memory for as long as it lives.
func (c *Client) popKey(ctx context.Context) (*pop.Key, error) {
	if c.Store == nil {
		c.popMu.Lock()
		defer c.popMu.Unlock()
		if c.popMemory == nil || c.popMemory.Due(c.now()) {
			k, err := pop.NewKey(c.now())
			if err != nil {
				return nil, err
			}
			c.popMemory = k
		}
		return c.popMemory, nil
	}
	if k := c.readPoPKey(ctx); k != nil && !k.Due(c.now()) {
		return k, nil
	}
	lockCtx, cancel := context.WithTimeout(ctx, popKeyLockWait)
	defer cancel()
	unlock, err := c.Store.Lock(lockCtx, popKeyEntry, func(int) {})
	switch {
	case errors.Is(err, keystore.ErrUnwritable):
		// No key can be kept, so there is none to share: this process makes its own.
		unlock = func() error { return nil }
	case err != nil:
		return nil, fmt.Errorf("waiting for another aadcred process making the proof-of-possession key: %w", err)
	}
	defer func() { _ = unlock() }()
	// Another process may have made it while this one waited.
	if k := c.readPoPKey(ctx); k != nil && !k.Due(c.now()) {
		return k, nil
	}
	k, err := pop.NewKey(c.now())
	if err != nil {
		return nil, err
	}
	data, err := k.MarshalBinary()
	if err == nil {
		err = c.Store.Write(ctx, keystore.Secrets, popKeyEntry, data)
	}
	switch {
	case errors.Is(err, keystore.ErrUnwritable):
		// The key serves this call; the token bound to it is cached under its thumbprint, so no
		// later call, with a key of its own, is ever handed that token.
		c.warnNotKept("", err)
	case err != nil:
		return nil, fmt.Errorf("keeping the proof-of-possession key in the store's secrets tier: %w", err)
	}
	c.log().Debug("made a new proof-of-possession key", "kid", k.Thumbprint())
	return k, nil
}

// readPoPKey reads the stored PoP key, or nil when there is none to use; an unreadable one is
// reported, moved into the quarantine like every secret the store cannot use (a newer aadcred
// may have written it), and replaced.
func (c *Client) readPoPKey(ctx context.Context) *pop.Key {
	data, err := c.Store.Read(ctx, keystore.Secrets, popKeyEntry)
	if errors.Is(err, keystore.ErrNotFound) {
		return nil
	}
	if err != nil {
		c.log().Warn(fmt.Sprintf("the proof-of-possession key is unreadable; making a new one: %v", err))
		return nil
	}
	k, err := pop.ParseKey(data)
	if err != nil {
		c.log().Warn(fmt.Sprintf("%v; it was moved to the quarantine, and a new one is made", err))
		_ = c.Store.Discard(keystore.Secrets, popKeyEntry, data)
		return nil
	}
	return k
}

// bindKey asks the token endpoint for a token bound to r's PoP key, when r has one.
func (r *settled) bindKey(form url.Values) {
	if r.popKey != nil {
		form.Set("token_type", pop.TokenType)
		form.Set("req_cnf", r.popKey.ReqCnf())
	}
}

// checkBound refuses a bearer token where a PoP token was asked for: it would be sent where a
// bound one is needed, and refused there with no hint why.
func (r *settled) checkBound(tok *Token) error {
	if r.popKey != nil && !strings.EqualFold(tok.TokenType, pop.TokenType) {
		return fmt.Errorf("asked Entra ID for a proof-of-possession token and got a %q token instead", tok.TokenType)
	}
	return nil
}

// signedRequest returns tok as the caller presents it: wrapped in a request signed with r's PoP
// key for r's host, with this moment's time and a fresh nonce.
func (c *Client) signedRequest(r *settled, tok *Token) (*Token, error) {
	shr, err := r.popKey.SignedRequest(tok.AccessToken, r.PoP.Host, c.now())
	if err != nil {
		return nil, err
	}
	signed := *tok
	signed.AccessToken, signed.TokenType = shr, pop.TokenType
	return &signed, nil
}
