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
	"github.com/aadcred/aadcred/keystore"
)

// Store keeps the cached refresh tokens between processes; *keystore.Store is one.
type Store interface {
	Read(ctx context.Context, tier keystore.Tier, name string) ([]byte, error)
	Write(ctx context.Context, tier keystore.Tier, name string, data []byte) error
	Delete(tier keystore.Tier, name string) error
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

// Tier is where the refresh tokens are kept: the access-token tier, a 0600 file (sealed too when
// the store encrypts access tokens). An ACR refresh token cannot renew itself, so, like an
// access token, it is worth only its few hours; keeping it there lets every docker pull be
// answered with one file read and never wait on the OS keyring.
const Tier = keystore.AccessTokens

// namePrefix marks this package's entries in the store, apart from core's.
const namePrefix = "docker-acr-"

// Provider answers a registry with an ACR refresh token: from the cache while it is fresh, else
// by exchanging an Entra token from Tokens, once for all the processes that ask at the same time.
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

// entry is a cached refresh token as stored.
type entry struct {
	Registry     string    `json:"registry"`
	RefreshToken string    `json:"refresh_token"`
	ExpiresOn    time.Time `json:"expires_on"`
	// RefreshAt is when half the token's lifetime is gone: from then on it is renewed, and
	// served only if renewing fails.
	RefreshAt time.Time `json:"refresh_at"`
	// The Entra identity it was exchanged for, to tell people whose token it is.
	TenantID string `json:"tenant_id,omitempty"`
	UPN      string `json:"upn,omitempty"`
	ObjectID string `json:"object_id,omitempty"`
}

// exchangeTimeout bounds the exchange at the registry, retries included.
const exchangeTimeout = time.Minute

// staleMargin is how long before its expiry a token is no longer handed out even when renewing
// it failed: the caller needs a moment to use it.
const staleMargin = 2 * time.Minute

func (e *entry) fresh(now time.Time) bool  { return now.Before(e.RefreshAt) }
func (e *entry) usable(now time.Time) bool { return now.Before(e.ExpiresOn.Add(-staleMargin)) }

// cacheKey is everything that decides which refresh token a registry hands out: the registry,
// and who asks, in the terms of the Entra request (before any network call resolves them).
type cacheKey struct {
	Registry        string `json:"registry"`
	Authority       string `json:"authority"`
	Tenant          string `json:"tenant"`
	ClientID        string `json:"client_id"`
	Method          string `json:"method"`
	Account         string `json:"account"`
	Username        string `json:"username"`
	ManagedIdentity string `json:"managed_identity"`
	Target          string `json:"target"`
	Version         string `json:"version"`
}

func keyFor(registry string, req core.Request) cacheKey {
	mi := req.Credential.ManagedIdentity
	return cacheKey{
		Registry:        registry,
		Authority:       strings.ToLower(strings.TrimRight(req.AuthorityHost, "/")),
		Tenant:          strings.ToLower(req.Tenant),
		ClientID:        strings.ToLower(req.ClientID),
		Method:          string(req.Method),
		Account:         strings.ToLower(req.Account),
		Username:        strings.ToLower(req.Credential.Username),
		ManagedIdentity: strings.ToLower(mi.ClientID + ";" + mi.ObjectID + ";" + mi.ResourceID),
		Target:          strings.ToLower(req.Target.String()),
		Version:         req.Version.String(),
	}
}

// name is the key's entry (and lock) name: a hash, so that no account or tenant shows in a file name.
func (k cacheKey) name() string {
	b, _ := json.Marshal(k) // a struct of strings always marshals
	sum := sha256.Sum256(b)
	return namePrefix + hex.EncodeToString(sum[:20])
}

// RefreshToken returns an ACR refresh token for registry (a canonical host that passed the
// allowlist), exchanged for an Entra token that req describes (req.Target is the audience).
//
// The hot path reads one file. A missing or half-spent token is renewed under a cross-process
// lock, so that of N processes started together one exchanges and the others reuse its token.
// When renewing fails for any reason but a sign-in that is gone, a cached token that is still
// valid is served with a warning.
func (p *Provider) RefreshToken(ctx context.Context, registry string, req core.Request) (string, error) {
	name := keyFor(registry, req).name()
	if e := p.read(ctx, name, registry); e != nil && e.fresh(p.now()) {
		return e.RefreshToken, nil
	}
	unlock, err := p.lock(ctx, name, registry, req.Interaction)
	if err != nil {
		return "", err
	}
	defer func() {
		if err := unlock(); err != nil {
			p.log().Debug("releasing the registry token lock", "error", err)
		}
	}()
	stale := p.read(ctx, name, registry)
	if stale != nil && stale.fresh(p.now()) {
		return stale.RefreshToken, nil
	}
	e, err := p.renew(ctx, registry, req)
	if err != nil {
		if stale != nil && stale.usable(p.now()) && servesStale(err) {
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
	} else if err := p.Store.Write(ctx, Tier, name, data); err != nil {
		p.log().Warn(fmt.Sprintf("could not cache the token for %s (the next call will exchange again): %v", registry, err))
	}
	return e.RefreshToken, nil
}

// servesStale reports whether a still-valid cached token may stand in after renewing failed with
// err: yes for outages and refusals, which the registry will judge again, but not once the
// sign-in itself is gone (signed out, revoked), nor when the caller gave up.
func servesStale(err error) bool {
	return !errors.Is(err, core.ErrInteractionRequired) && !errors.Is(err, context.Canceled)
}

// renew gets an Entra token and exchanges it at the registry.
func (p *Provider) renew(ctx context.Context, registry string, req core.Request) (*entry, error) {
	tok, err := p.Tokens.Acquire(ctx, req)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, exchangeTimeout)
	defer cancel()
	rt, err := p.Exchanger.Exchange(ctx, registry, tok.TenantID, tok.AccessToken)
	if err != nil {
		var se *ServiceError
		if errors.As(err, &se) && se.What == whatExchange && (se.Answer.StatusCode == 401 || se.Answer.StatusCode == 403) {
			return nil, &RefusedError{Registry: registry, Identity: cmp.Or(tok.UPN, tok.ObjectID),
				TenantID: tok.TenantID, ARMAudience: isARMAudience(tok.Audience), Err: se}
		}
		return nil, err
	}
	e := &entry{Registry: registry, RefreshToken: rt, TenantID: tok.TenantID, UPN: tok.UPN, ObjectID: tok.ObjectID}
	times, err := ReadRefreshTokenTimes(rt)
	if err != nil {
		// Never guess a lifetime: serve it this once, and exchange again next time.
		p.log().Warn(fmt.Sprintf("%s sent a refresh token whose expiry cannot be read (%v); it is used but not cached", registry, err))
		return e, nil
	}
	now := p.now()
	issued := times.IssuedAt
	if issued.IsZero() || issued.After(now) {
		issued = now
	}
	e.ExpiresOn = times.ExpiresOn
	e.RefreshAt = issued.Add(times.ExpiresOn.Sub(issued) / 2)
	return e, nil
}

// lock takes the registry token's cross-process lock. The wait is bounded, longer when the
// holder may be waiting for a person to sign in.
func (p *Provider) lock(ctx context.Context, name, registry string, in core.Interaction) (func() error, error) {
	bound := time.Minute
	if in.Allowed {
		bound += max(in.Timeout, 15*time.Minute)
	}
	ctx, cancel := context.WithTimeout(ctx, bound)
	defer cancel()
	unlock, err := p.Store.Lock(ctx, name, func(pid int) {
		if p.Notice != nil {
			fmt.Fprintf(p.Notice, "Waiting for another docker-credential-aad process (pid %d) that is getting a token for %s…\n", pid, registry)
		}
	})
	if err != nil {
		return nil, fmt.Errorf("waiting for another process getting a token for %s: %w", registry, err)
	}
	return unlock, nil
}

// Forget deletes every cached token for registry, whoever it was for, and says how many.
func (p *Provider) Forget(ctx context.Context, registry string) (int, error) {
	names, err := p.Store.List(Tier)
	if err != nil {
		return 0, fmt.Errorf("listing cached registry tokens: %w", err)
	}
	n := 0
	for _, name := range names {
		if !strings.HasPrefix(name, namePrefix) {
			continue
		}
		if e := p.read(ctx, name, ""); e == nil || e.Registry != registry {
			continue
		}
		if err := p.Store.Delete(Tier, name); err != nil {
			return n, fmt.Errorf("deleting a cached token for %s: %w", registry, err)
		}
		n++
	}
	return n, nil
}

// Registries lists the registries for which a usable token is cached, sorted. It reads the
// cache only.
func (p *Provider) Registries(ctx context.Context) ([]string, error) {
	names, err := p.Store.List(Tier)
	if err != nil {
		return nil, fmt.Errorf("listing cached registry tokens: %w", err)
	}
	now := p.now()
	var out []string
	for _, name := range names {
		if !strings.HasPrefix(name, namePrefix) {
			continue
		}
		if e := p.read(ctx, name, ""); e != nil && e.usable(now) {
			out = append(out, e.Registry)
		}
	}
	slices.Sort(out)
	return slices.Compact(out), nil
}

// read returns the entry called name, or nil. A damaged entry is reported, removed and treated
// as missing. When registry is given, an entry for another registry (a hash collision, or a
// file copied by hand) is ignored.
func (p *Provider) read(ctx context.Context, name, registry string) *entry {
	data, err := p.Store.Read(ctx, Tier, name)
	if err != nil {
		if !errors.Is(err, keystore.ErrNotFound) {
			p.log().Warn(fmt.Sprintf("cached registry token unreadable, getting a new one: %v", err))
		}
		return nil
	}
	var e entry
	if err := json.Unmarshal(data, &e); err != nil || e.RefreshToken == "" || e.Registry == "" || e.ExpiresOn.IsZero() {
		p.log().Warn("a cached registry token was damaged; it has been removed and a new one will be obtained")
		_ = p.Store.Delete(Tier, name)
		return nil
	}
	if registry != "" && e.Registry != registry {
		return nil
	}
	return &e
}

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
