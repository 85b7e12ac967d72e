package azrepos

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"time"

	"github.com/aadcred/aadcred/core"
	"github.com/aadcred/aadcred/core/entra"
)

// Common is the tenant used when an organisation names none: a person may then sign in with
// any account.
const Common = "common"

// DefaultProbeTimeout bounds the request that asks an organisation for its tenant: it runs while
// git waits, and no one should wait long for a hint.
const DefaultProbeTimeout = 5 * time.Second

// Tenant is the tenant an organisation signs in with, and where that was learnt.
type Tenant struct {
	ID     string
	Source string // for --debug: "git", "cache", "<url>", or "fallback" and why
}

// Discovery finds the tenant of an organisation.
type Discovery struct {
	// Cache keeps what probes learnt; nil probes every time.
	Cache *TenantCache
	// HTTPClient sends the probe; nil means entra.DefaultHTTPClient(). Redirects are never
	// followed, whatever the client says: the answer that counts is the organisation's own.
	HTTPClient *http.Client
	UserAgent  string
	// Timeout bounds the probe; zero means DefaultProbeTimeout.
	Timeout time.Duration
	// Log receives a warning when the tenant cannot be learnt; nil discards.
	Log *slog.Logger
}

// Why a probe gave no tenant, as remembered in the cache.
const (
	reasonNoneNamed   = "the organization names no tenant"
	reasonProbeFailed = "the organization could not be asked"
)

// Tenant returns the tenant for remote: from wwwauth (the WWW-Authenticate headers git passed
// on), else from the cache, else by asking the organisation, whose answer is cached. When the
// organisation does not say, or cannot be reached, it returns Common, and remembers that for
// NoTenantTTL, or ProbeFailureTTL, so that git commands meanwhile do not each pay for a probe.
// Only when git passed nothing on and remote has no Org does it fail, with ErrNoOrganization.
func (d *Discovery) Tenant(ctx context.Context, remote Remote, wwwauth []string) (Tenant, error) {
	if t := TenantFromChallenges(wwwauth); t != "" {
		return Tenant{ID: t, Source: "git"}, nil
	}
	if remote.Org == "" {
		return Tenant{}, ErrNoOrganization
	}
	if t := d.Cache.Get(ctx, remote); t != "" {
		return Tenant{ID: t, Source: "cache"}, nil
	}
	if reason, ok := d.Cache.NoTenant(ctx, remote); ok {
		return Tenant{ID: Common, Source: "fallback (cached: " + reason + ")"}, nil
	}
	t, err := d.probe(ctx, remote)
	switch {
	case err != nil && ctx.Err() != nil:
		return Tenant{}, ctx.Err() // git gave up; nothing was learnt about the organisation
	case err != nil:
		d.log().Warn(fmt.Sprintf("could not ask %s for its tenant: %v; signing in with the tenant %s for %s (AZURE_TENANT_ID, or tenant in the configuration, spares the question)",
			remote.probeURL(), err, Common, humanTTL(ProbeFailureTTL)))
		d.rememberNoTenant(ctx, remote, reasonProbeFailed, ProbeFailureTTL)
		return Tenant{ID: Common, Source: "fallback"}, nil
	case t == "":
		d.rememberNoTenant(ctx, remote, reasonNoneNamed, NoTenantTTL)
		return Tenant{ID: Common, Source: "fallback"}, nil
	}
	if err := d.Cache.Put(ctx, remote, t); err != nil {
		core.WarnNotKept(d.log(), fmt.Sprintf("could not remember the tenant of %s (it will be asked again next time)", remote.Org), err)
	}
	return Tenant{ID: t, Source: remote.probeURL()}, nil
}

func (d *Discovery) rememberNoTenant(ctx context.Context, remote Remote, reason string, ttl time.Duration) {
	if err := d.Cache.PutNoTenant(ctx, remote, reason, ttl); err != nil {
		core.WarnNotKept(d.log(), fmt.Sprintf("could not remember that %s (it will be asked again next time)", reason), err)
	}
}

// probe sends an unauthenticated HEAD to the organisation and reads the tenant from its answer,
// whatever the status: a Bearer challenge's authorization_uri, else X-VSS-ResourceTenant. It
// returns "" when the answer names no tenant.
func (d *Discovery) probe(ctx context.Context, remote Remote) (string, error) {
	timeout := d.Timeout
	if timeout <= 0 {
		timeout = DefaultProbeTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodHead, remote.probeURL(), nil)
	if err != nil {
		return "", fmt.Errorf("building the request: %w", err)
	}
	if d.UserAgent != "" {
		req.Header.Set("User-Agent", d.UserAgent)
	}
	// Asks for a 401 with headers rather than a redirect to a sign-in page.
	req.Header.Set("X-TFS-FedAuthRedirect", "Suppress")
	client := d.client()
	resp, err := client.Do(req)
	if err != nil {
		return "", entra.Unreachable("the organisation", req, err, client.Transport)
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	resp.Body.Close()
	if t := TenantFromChallenges(resp.Header.Values("WWW-Authenticate")); t != "" {
		return t, nil
	}
	return TenantFromResourceHeader(resp.Header.Values("X-VSS-ResourceTenant")), nil
}

func (d *Discovery) client() *http.Client {
	var c http.Client
	if d.HTTPClient != nil {
		c = *d.HTTPClient
	} else {
		c = *entra.DefaultHTTPClient()
	}
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &c
}

func (d *Discovery) log() *slog.Logger {
	if d.Log != nil {
		return d.Log
	}
	return slog.New(slog.DiscardHandler)
}

// humanTTL says a while in minutes, as a person would: "5 minutes".
func humanTTL(d time.Duration) string {
	if n := int(d / time.Minute); n != 1 {
		return fmt.Sprintf("%d minutes", n)
	}
	return "a minute"
}
