package acr

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/aadcred/aadcred/core"
	"github.com/aadcred/aadcred/core/entra"
	"github.com/aadcred/aadcred/keystore"
)

// Store keeps the cached refresh tokens between processes; *keystore.Store is one.
type Store interface {
	Read(ctx context.Context, tier keystore.Tier, name string) ([]byte, error)
	Write(ctx context.Context, tier keystore.Tier, name string, data []byte) error
	Delete(tier keystore.Tier, name string) error
	Discard(tier keystore.Tier, name string, seen []byte) error
	List(tier keystore.Tier) ([]string, error)
	Lock(ctx context.Context, name string, waiting func(holderPID int)) (unlock func() error, err error)
}

// TokenSource obtains Entra access tokens; *core.Client is one.
type TokenSource interface {
	Acquire(ctx context.Context, req core.Request) (*core.Token, error)
}

// TokenExchanger trades an Entra access token for an ACR refresh token; *Exchanger is one.
type TokenExchanger interface {
	Exchange(ctx context.Context, registry, tenant, entraToken string) (string, error)
}

// tier is where the refresh tokens are kept: the encrypted secrets tier. An ACR refresh token
// is a bearer credential for the registry for about three hours, a secret at rest like the
// Entra refresh token beside it; reading it costs the data key (an OS keyring call on a desktop)
// once per process.
const tier = keystore.Secrets

// namePrefix marks this package's entries in the store. Core knows it, and reads the label each
// entry carries, so that its cache commands and logout cover them.
const namePrefix = core.RegistryTokenPrefix

// Provider answers a registry with an ACR refresh token: from the cache while it is fresh, else
// by exchanging an Entra token from Tokens, once for all the processes that ask at the same time.
//
// It is a second cache beside core's because it caches something else: core keeps Entra tokens,
// keyed by what was asked of Entra ID and renewed with an Entra refresh token; this keeps what a
// registry handed out in return for one, keyed by whose Entra token it was, and renewed only by
// another exchange at the registry. It follows core's pattern (read, lock, read again, renew,
// fall back to a still-valid token after a passing failure) in as few lines as that takes.
type Provider struct {
	Store     Store
	Tokens    TokenSource
	Exchanger TokenExchanger
	// Log receives warnings (a stale token served, a damaged entry) and debug lines. Nil discards.
	Log *slog.Logger
	// Notice is told when another process is getting the same token; nil discards.
	Notice io.Writer
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// owner is whom a registry token was exchanged for: the registry, and the audience, tenant and
// user (or, for an app-only token, application) of the Entra token, as its claims say. Whoever
// is signed in now, however the sign-in was configured, gets only a token of their own.
type owner struct {
	Registry string `json:"registry"`
	Audience string `json:"aud"`
	TenantID string `json:"tid"`
	ObjectID string `json:"oid,omitempty"`   // the user
	AppID    string `json:"appid,omitempty"` // the application of an app-only token
}

// ownerOf reads whose the Entra token is.
func ownerOf(registry string, tok *core.Token) (owner, error) {
	c, err := entra.DecodeClaims(tok.AccessToken)
	if err != nil {
		return owner{}, fmt.Errorf("reading whose Entra token it is: %w", err)
	}
	o := owner{
		Registry: registry,
		Audience: strings.ToLower(strings.TrimRight(c.Audience, "/")),
		TenantID: strings.ToLower(c.TenantID),
	}
	// Users have oid in every token; an app-only token (idtyp=app, or no delegated scopes) is
	// the application's, whatever object it was issued through.
	if c.IDType == "app" || (c.IDType == "" && c.Scopes == "") {
		o.AppID = strings.ToLower(c.AppID)
	} else {
		o.ObjectID = strings.ToLower(c.ObjectID)
	}
	if o.TenantID == "" || (o.ObjectID == "" && o.AppID == "") {
		return owner{}, errors.New("the Entra token names no tenant and user or application, so a registry token for it could not be kept apart from other identities'")
	}
	return o, nil
}

// name is the owner's entry (and lock) name: hashes, so that no account or tenant shows in a
// file name, the registry's first so that erase finds every identity's token for it by name.
func (o owner) name() string {
	b, _ := json.Marshal(o) // a struct of strings always marshals
	sum := sha256.Sum256(b)
	return registryPrefix(o.Registry) + hex.EncodeToString(sum[:20])
}

func registryPrefix(registry string) string {
	sum := sha256.Sum256([]byte(registry))
	return namePrefix + hex.EncodeToString(sum[:8]) + "-"
}

// entry is a cached refresh token as stored.
type entry struct {
	Owner        owner     `json:"owner"`
	RefreshToken string    `json:"refresh_token"`
	ExpiresOn    time.Time `json:"expires_on"`
	// RefreshAt is when half the token's lifetime is gone: from then on it is renewed, and
	// served only if renewing fails for a passing reason.
	RefreshAt time.Time `json:"refresh_at"`
	// Label says, for core's cache commands and logout, what the entry is and whose.
	Label core.DerivedLabel `json:"label"`
}

// exchangeTimeout bounds the exchange at the registry, retries included.
const exchangeTimeout = time.Minute

// staleMargin is how long before its expiry a token is no longer handed out even when renewing
// it failed: the caller needs a moment to use it.
const staleMargin = 2 * time.Minute

// fresh reports whether the token is served without renewing it: before its renewal time, and
// usable whatever that time says (an entry written under a skewed clock may put it later).
func (e *entry) fresh(now time.Time) bool  { return now.Before(e.RefreshAt) && e.usable(now) }
func (e *entry) usable(now time.Time) bool { return now.Before(e.ExpiresOn.Add(-staleMargin)) }

// RefreshToken returns an ACR refresh token for registry (a canonical host that passed the
// allowlist), exchanged for the Entra token that req describes (req.Target is the audience).
//
// The Entra token comes first, on every call (from core's cache, one file read when it is
// valid): it says whose registry token to serve, and once the sign-in is gone nothing is served.
// A missing or half-spent registry token is renewed under a cross-process lock, so that of N
// processes started together one exchanges and the others reuse its token. When the exchange
// fails for a passing reason, a cached token that is still valid is served with a warning.
func (p *Provider) RefreshToken(ctx context.Context, registry string, req core.Request) (string, error) {
	tok, err := p.Tokens.Acquire(ctx, req)
	if err != nil {
		return "", err
	}
	o, err := ownerOf(registry, tok)
	if err != nil {
		return "", fmt.Errorf("getting a token for %s: %w", registry, err)
	}
	name := o.name()
	if e := p.read(ctx, name, &o); e != nil && e.fresh(p.now()) {
		return e.RefreshToken, nil
	}
	unlock, err := p.lock(ctx, name, registry)
	if err != nil {
		return "", err
	}
	defer func() {
		if err := unlock(); err != nil {
			p.log().Debug("releasing the registry token lock", "error", err)
		}
	}()
	stale := p.read(ctx, name, &o)
	if stale != nil && stale.fresh(p.now()) {
		return stale.RefreshToken, nil
	}
	e, err := p.exchange(ctx, o, tok)
	if err != nil {
		if stale != nil && stale.usable(p.now()) && entra.Transient(err) {
			p.log().Warn(fmt.Sprintf("could not renew the token for %s (%v); using the cached one, valid until %s",
				registry, err, stale.ExpiresOn.Local().Format(time.TimeOnly)))
			return stale.RefreshToken, nil
		}
		return "", err
	}
	if e.ExpiresOn.IsZero() {
		return e.RefreshToken, nil
	}
	if data, err := json.Marshal(e); err != nil {
		p.log().Warn(fmt.Sprintf("could not cache the token for %s: %v", registry, err))
	} else if err := p.Store.Write(ctx, tier, name, data); err != nil {
		p.warnNotKept(fmt.Sprintf("could not cache the token for %s (the next call will exchange again)", registry), err)
	}
	return e.RefreshToken, nil
}

// exchange trades tok at the registry and reads how long the answer may be kept.
func (p *Provider) exchange(ctx context.Context, o owner, tok *core.Token) (*entry, error) {
	ctx, cancel := context.WithTimeout(ctx, exchangeTimeout)
	defer cancel()
	rt, err := p.Exchanger.Exchange(ctx, o.Registry, tok.TenantID, tok.AccessToken)
	if err != nil {
		var se *ServiceError
		if errors.As(err, &se) && se.What == whatExchange && (se.Answer.StatusCode == 401 || se.Answer.StatusCode == 403) {
			return nil, &RefusedError{Registry: o.Registry, Identity: cmp.Or(tok.UPN, tok.ObjectID),
				TenantID: tok.TenantID, ARMAudience: isARMAudience(tok.Audience), Err: se}
		}
		return nil, err
	}
	e := &entry{Owner: o, RefreshToken: rt,
		Label: core.DerivedLabel{Subject: o.Registry, TenantID: o.TenantID, ObjectID: o.ObjectID, UPN: tok.UPN}}
	times, err := ReadRefreshTokenTimes(rt)
	if err != nil {
		// Never guess a lifetime: serve it this once, and exchange again next time.
		p.log().Warn(fmt.Sprintf("%s sent a refresh token whose expiry cannot be read (%v); it is used but not cached", o.Registry, err))
		return e, nil
	}
	now := p.now()
	issued := times.IssuedAt
	if issued.IsZero() || issued.After(now) {
		issued = now
	}
	e.ExpiresOn, e.Label.ExpiresOn = times.ExpiresOn, times.ExpiresOn
	e.RefreshAt = issued.Add(times.ExpiresOn.Sub(issued) / 2)
	return e, nil
}

// lock takes the registry token's cross-process lock. The holder only exchanges (the Entra
// token is in hand before the lock), so the wait is bounded by the exchange's own bound.
func (p *Provider) lock(ctx context.Context, name, registry string) (func() error, error) {
	ctx, cancel := context.WithTimeout(ctx, exchangeTimeout+30*time.Second)
	defer cancel()
	unlock, err := p.Store.Lock(ctx, name, func(pid int) {
		if p.Notice != nil {
			fmt.Fprintf(p.Notice, "Waiting for another docker-credential-aad process (pid %d) that is getting a token for %s…\n", pid, registry)
		}
	})
	if errors.Is(err, keystore.ErrUnwritable) {
		// Nothing can be kept, so parallel callers have nothing to share.
		p.warnNotKept("", err)
		return func() error { return nil }, nil
	}
	if err != nil {
		return nil, fmt.Errorf("waiting for another process getting a token for %s: %w", registry, err)
	}
	return unlock, nil
}

// Forget deletes every cached token for registry, whoever it was for, and says how many. It
// goes by entry names only, so it needs no keyring.
func (p *Provider) Forget(registry string) (int, error) {
	names, err := p.Store.List(tier)
	if err != nil {
		return 0, fmt.Errorf("listing cached registry tokens: %w", err)
	}
	n := 0
	for _, name := range names {
		if !strings.HasPrefix(name, registryPrefix(registry)) {
			continue
		}
		if err := p.Store.Delete(tier, name); err != nil {
			return n, fmt.Errorf("deleting a cached token for %s: %w", registry, err)
		}
		n++
	}
	return n, nil
}

// Registries lists the registries for which a usable token is cached, for anyone, sorted. It
// reads the cache only.
func (p *Provider) Registries(ctx context.Context) ([]string, error) {
	names, err := p.Store.List(tier)
	if err != nil {
		return nil, fmt.Errorf("listing cached registry tokens: %w", err)
	}
	now := p.now()
	var out []string
	for _, name := range names {
		if !strings.HasPrefix(name, namePrefix) {
			continue
		}
		if e := p.read(ctx, name, nil); e != nil && e.usable(now) {
			out = append(out, e.Owner.Registry)
		}
	}
	slices.Sort(out)
	return slices.Compact(out), nil
}

// read returns the entry called name, or nil. A damaged entry is reported, removed and treated
// as missing. When want is given, an entry of anyone else (a file copied by hand) is ignored.
func (p *Provider) read(ctx context.Context, name string, want *owner) *entry {
	data, err := p.Store.Read(ctx, tier, name)
	if err != nil {
		if !errors.Is(err, keystore.ErrNotFound) {
			p.log().Warn(fmt.Sprintf("cached registry token unreadable, getting a new one: %v", err))
		}
		return nil
	}
	var e entry
	if err := json.Unmarshal(data, &e); err != nil || e.RefreshToken == "" || e.Owner.Registry == "" || e.ExpiresOn.IsZero() {
		p.log().Warn("a cached registry token was damaged; it was moved to the quarantine and a new one will be obtained")
		_ = p.Store.Discard(tier, name, data)
		return nil
	}
	if want != nil && e.Owner != *want {
		return nil
	}
	return &e
}

// warnNotKept says that a token could not be kept, and why, in the words core uses.
func (p *Provider) warnNotKept(what string, err error) { core.WarnNotKept(p.log(), what, err) }

func (p *Provider) now() time.Time {
	if p.Now != nil {
		return p.Now()
	}
	return time.Now()
}

func (p *Provider) log() *slog.Logger {
	if p.Log != nil {
		return p.Log
	}
	return slog.New(slog.DiscardHandler)
}

// isARMAudience reports whether an Entra token's audience is Azure Resource Manager in any cloud.
func isARMAudience(aud string) bool {
	aud = strings.ToLower(strings.TrimRight(aud, "/"))
	for _, c := range core.Clouds() {
		if aud == strings.TrimRight(c.ARMEndpoint, "/") || aud == strings.TrimRight(c.ARMAudience, "/") {
			return true
		}
	}
	return false
}
