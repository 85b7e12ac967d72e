package azrepos_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aadcred/aadcred/cmd/git-credential-aad/internal/azrepos"
	"github.com/aadcred/aadcred/keystore"
)

// organisation is a fake Azure DevOps organisation that answers probes with the headers set
// by answer, and counts them.
type organisation struct {
	srv    *httptest.Server
	probes atomic.Int32
	paths  chan string
}

func newOrganisation(t *testing.T, answer func(w http.ResponseWriter, r *http.Request)) *organisation {
	t.Helper()
	o := &organisation{paths: make(chan string, 10)}
	o.srv = httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		o.probes.Add(1)
		select {
		case o.paths <- r.Method + " " + r.URL.Path + " " + r.Header.Get("Authorization"):
		default:
		}
		answer(w, r)
	}))
	t.Cleanup(o.srv.Close)
	return o
}

func (o *organisation) remote(org string) azrepos.Remote {
	return azrepos.Remote{Host: o.srv.Listener.Addr().String(), Org: org}
}

func (o *organisation) discovery(t *testing.T) (*azrepos.Discovery, *bytes.Buffer) {
	store, err := keystore.Open(keystore.Options{Dir: filepath.Join(t.TempDir(), "store")})
	if err != nil {
		t.Fatal(err)
	}
	var log bytes.Buffer
	return &azrepos.Discovery{
		Cache:      &azrepos.TenantCache{Store: store},
		HTTPClient: o.srv.Client(),
		UserAgent:  "test-agent",
		Log:        slog.New(slog.NewTextHandler(&log, nil)),
	}, &log
}

func azureDevOps401(tenant string) func(http.ResponseWriter, *http.Request) {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Add("WWW-Authenticate", "Bearer authorization_uri=https://login.microsoftonline.com/"+tenant)
		w.Header().Add("WWW-Authenticate", `Basic realm="https://tfsprodweu2.app.visualstudio.com/"`)
		w.Header().Add("WWW-Authenticate", "TFS-Federated")
		w.Header().Set("X-VSS-ResourceTenant", tenant)
		w.WriteHeader(http.StatusUnauthorized)
	}
}

func TestDiscoveryAsksTheOrganisationOnceAndRemembers(t *testing.T) {
	o := newOrganisation(t, azureDevOps401(tenantID))
	d, _ := o.discovery(t)
	ctx := context.Background()
	got := mustTenant(t, d, ctx, o.remote("contoso"), nil)
	if got.ID != tenantID {
		t.Fatalf("tenant = %+v, want %s", got, tenantID)
	}
	if p := <-o.paths; p != "HEAD /contoso " {
		t.Errorf("the probe was %q, want an unauthenticated HEAD /contoso", p)
	}
	again := mustTenant(t, d, ctx, azrepos.Remote{Host: strings.ToUpper(o.remote("x").Host), Org: "CONTOSO"}, nil)
	if again.ID != tenantID || again.Source != "cache" {
		t.Errorf("second call = %+v, want the cached tenant", again)
	}
	if n := o.probes.Load(); n != 1 {
		t.Errorf("%d probes, want 1", n)
	}
	if other := mustTenant(t, d, ctx, o.remote("fabrikam"), nil); other.Source == "cache" {
		t.Errorf("another organisation was answered from the cache: %+v", other)
	}
}

func TestDiscoveryPrefersWhatGitPassedOn(t *testing.T) {
	o := newOrganisation(t, azureDevOps401(tenantID))
	d, _ := o.discovery(t)
	other := "99999999-2222-3333-4444-555555555555"
	got := mustTenant(t, d, context.Background(), o.remote("contoso"), []string{"Bearer authorization_uri=https://login.microsoftonline.com/" + other})
	if got.ID != other || got.Source != "git" {
		t.Errorf("tenant = %+v, want %s from git", got, other)
	}
	if n := o.probes.Load(); n != 0 {
		t.Errorf("%d probes, want none", n)
	}
}

func TestDiscoveryReadsResourceTenantHeader(t *testing.T) {
	tests := map[string]struct {
		header string
		want   string
	}{
		"tenant":           {tenantID, tenantID},
		"personal account": {"00000000-0000-0000-0000-000000000000", azrepos.Organizations},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			o := newOrganisation(t, func(w http.ResponseWriter, r *http.Request) {
				w.Header().Add("WWW-Authenticate", `Basic realm="https://x/"`)
				w.Header().Add("WWW-Authenticate", "Bearer")
				w.Header().Set("X-VSS-ResourceTenant", tt.header)
				w.WriteHeader(http.StatusUnauthorized)
			})
			d, _ := o.discovery(t)
			if got := mustTenant(t, d, context.Background(), o.remote("contoso"), nil); got.ID != tt.want {
				t.Errorf("tenant = %+v, want %s", got, tt.want)
			}
		})
	}
}

func TestDiscoveryDoesNotFollowRedirects(t *testing.T) {
	elsewhere := newOrganisation(t, azureDevOps401("99999999-2222-3333-4444-555555555555"))
	o := newOrganisation(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-VSS-ResourceTenant", tenantID)
		http.Redirect(w, r, elsewhere.srv.URL+"/contoso", http.StatusFound)
	})
	d, _ := o.discovery(t)
	if got := mustTenant(t, d, context.Background(), o.remote("contoso"), nil); got.ID != tenantID {
		t.Errorf("tenant = %+v, want the one on the redirect itself", got)
	}
	if n := elsewhere.probes.Load(); n != 0 {
		t.Error("the redirect was followed")
	}
}

// switchingOrganisation answers with a tenant once one is set, and until then names none, or,
// while failing is set, drops the connection.
type switchingOrganisation struct {
	*organisation
	tenant  atomic.Value // string
	failing atomic.Bool
}

func newSwitchingOrganisation(t *testing.T) *switchingOrganisation {
	o := &switchingOrganisation{}
	o.tenant.Store("")
	o.organisation = newOrganisation(t, func(w http.ResponseWriter, r *http.Request) {
		if o.failing.Load() {
			conn, _, err := w.(http.Hijacker).Hijack()
			if err != nil {
				t.Errorf("hijacking the probe: %v", err)
				return
			}
			conn.Close()
			return
		}
		if tenant := o.tenant.Load().(string); tenant != "" {
			azureDevOps401(tenant)(w, r)
			return
		}
		w.WriteHeader(http.StatusNotFound)
	})
	return o
}

// clock is a settable time for the tenant cache.
type clock struct{ now time.Time }

func (c *clock) Now() time.Time          { return c.now }
func (c *clock) advance(d time.Duration) { c.now = c.now.Add(d) }

func withClock(d *azrepos.Discovery) *clock {
	c := &clock{now: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)}
	d.Cache.Now = c.Now
	return c
}

func TestDiscoveryRemembersForAnHourThatNoTenantIsNamed(t *testing.T) {
	o := newSwitchingOrganisation(t)
	d, _ := o.discovery(t)
	clock := withClock(d)
	ctx := context.Background()
	remote := o.remote("nobody")

	for range 2 {
		if got := mustTenant(t, d, ctx, remote, nil); got.ID != azrepos.Common || !strings.HasPrefix(got.Source, "fallback") {
			t.Errorf("tenant = %+v, want the common fallback", got)
		}
		clock.advance(azrepos.NoTenantTTL - time.Minute)
	}
	if n := o.probes.Load(); n != 1 {
		t.Errorf("%d probes within the hour, want 1: the fallback is remembered", n)
	}

	// The organisation joins a tenant; once the hour is over, that is learnt and kept.
	o.tenant.Store(tenantID)
	clock.advance(2 * time.Minute)
	if got := mustTenant(t, d, ctx, remote, nil); got.ID != tenantID {
		t.Errorf("after the hour, tenant = %+v, want %s", got, tenantID)
	}
	clock.advance(48 * time.Hour)
	if got := mustTenant(t, d, ctx, remote, nil); got.ID != tenantID || got.Source != "cache" {
		t.Errorf("tenant = %+v, want %s from the cache", got, tenantID)
	}
	if n := o.probes.Load(); n != 2 {
		t.Errorf("%d probes, want 2", n)
	}
}

func TestDiscoveryRemembersAFailedProbeForMinutes(t *testing.T) {
	o := newSwitchingOrganisation(t)
	o.tenant.Store(tenantID)
	o.failing.Store(true)
	d, log := o.discovery(t)
	clock := withClock(d)
	ctx := context.Background()
	remote := o.remote("contoso")

	for range 2 {
		if got := mustTenant(t, d, ctx, remote, nil); got.ID != azrepos.Common {
			t.Errorf("tenant = %+v, want the common fallback", got)
		}
		clock.advance(azrepos.ProbeFailureTTL - time.Second)
	}
	if n := o.probes.Load(); n != 1 {
		t.Errorf("%d probes, want 1: a failure stops the next probes for a while", n)
	}
	if n := strings.Count(log.String(), "could not ask"); n != 1 {
		t.Errorf("%d warnings, want 1:\n%s", n, log.String())
	}

	o.failing.Store(false)
	clock.advance(2 * time.Second)
	if got := mustTenant(t, d, ctx, remote, nil); got.ID != tenantID {
		t.Errorf("once the organisation answers again, tenant = %+v, want %s", got, tenantID)
	}
}

func TestDiscoveryDistrustsANoteFromTheFuture(t *testing.T) {
	o := newSwitchingOrganisation(t)
	d, _ := o.discovery(t)
	clock := withClock(d)
	ctx := context.Background()
	mustTenant(t, d, ctx, o.remote("nobody"), nil)
	clock.advance(-time.Hour) // the clock is set back
	mustTenant(t, d, ctx, o.remote("nobody"), nil)
	if n := o.probes.Load(); n != 2 {
		t.Errorf("%d probes, want 2", n)
	}
}

func TestTenantCacheKeepsTenantsApartFromTheirAbsence(t *testing.T) {
	o := newSwitchingOrganisation(t)
	d, _ := o.discovery(t)
	withClock(d)
	ctx := context.Background()
	r := o.remote("contoso")
	if err := d.Cache.PutNoTenant(ctx, r, "why", time.Hour); err != nil {
		t.Fatal(err)
	}
	if got := d.Cache.Get(ctx, r); got != "" {
		t.Errorf("Get after PutNoTenant = %q, want none", got)
	}
	if err := d.Cache.Put(ctx, r, tenantID); err != nil {
		t.Fatal(err)
	}
	if reason, ok := d.Cache.NoTenant(ctx, r); ok {
		t.Errorf("NoTenant after Put = %q, want the note dropped", reason)
	}
	if got := d.Cache.Get(ctx, r); got != tenantID {
		t.Errorf("Get = %q, want %s", got, tenantID)
	}
	if err := d.Cache.PutNoTenant(ctx, r, "why", time.Hour); err != nil {
		t.Fatal(err)
	}
	if err := d.Cache.Forget(r); err != nil {
		t.Fatal(err)
	}
	if got, _ := d.Cache.NoTenant(ctx, r); got != "" || d.Cache.Get(ctx, r) != "" {
		t.Error("Forget left something behind")
	}
}

func TestDiscoveryProbeIsBounded(t *testing.T) {
	release := make(chan struct{})
	o := newOrganisation(t, func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	})
	defer close(release)
	d, log := o.discovery(t)
	d.Timeout = 200 * time.Millisecond
	start := time.Now()
	got := mustTenant(t, d, context.Background(), o.remote("slow"), nil)
	if elapsed := time.Since(start); elapsed > 5*time.Second {
		t.Errorf("the probe took %s, longer than its timeout allows", elapsed)
	}
	if got.ID != azrepos.Common {
		t.Errorf("tenant = %+v, want the common fallback", got)
	}
	if !strings.Contains(log.String(), "AZURE_TENANT_ID") {
		t.Errorf("the warning does not say how to avoid the question: %s", log.String())
	}
}

func TestDiscoveryForget(t *testing.T) {
	o := newOrganisation(t, azureDevOps401(tenantID))
	d, _ := o.discovery(t)
	ctx := context.Background()
	mustTenant(t, d, ctx, o.remote("contoso"), nil)
	if err := d.Cache.Forget(o.remote("contoso")); err != nil {
		t.Fatal(err)
	}
	if got := mustTenant(t, d, ctx, o.remote("contoso"), nil); got.Source == "cache" {
		t.Errorf("a forgotten tenant came from the cache")
	}
	if n := o.probes.Load(); n != 2 {
		t.Errorf("%d probes, want 2", n)
	}
}

func TestNilTenantCacheRemembersNothing(t *testing.T) {
	var c *azrepos.TenantCache
	ctx := context.Background()
	r := azrepos.Remote{Host: "dev.azure.com", Org: "contoso"}
	if err := c.Put(ctx, r, tenantID); err != nil {
		t.Fatal(err)
	}
	if got := c.Get(ctx, r); got != "" {
		t.Errorf("Get = %q", got)
	}
	if err := c.PutNoTenant(ctx, r, "why", time.Hour); err != nil {
		t.Fatal(err)
	}
	if _, ok := c.NoTenant(ctx, r); ok {
		t.Error("NoTenant = true")
	}
	if err := c.Forget(r); err != nil {
		t.Fatal(err)
	}
}

func mustTenant(t *testing.T, d *azrepos.Discovery, ctx context.Context, remote azrepos.Remote, wwwauth []string) azrepos.Tenant {
	t.Helper()
	tenant, err := d.Tenant(ctx, remote, wwwauth)
	if err != nil {
		t.Fatalf("Tenant: %v", err)
	}
	return tenant
}

func TestDiscoveryNeedsAnOrganisationOrAChallenge(t *testing.T) {
	d := &azrepos.Discovery{}
	ctx := context.Background()
	if _, err := d.Tenant(ctx, azrepos.Remote{Host: "dev.azure.com"}, nil); !errors.Is(err, azrepos.ErrNoOrganization) {
		t.Errorf("err = %v, want ErrNoOrganization", err)
	}
	got, err := d.Tenant(ctx, azrepos.Remote{Host: "dev.azure.com"}, []string{"Bearer authorization_uri=https://login.microsoftonline.com/" + tenantID})
	if err != nil || got.ID != tenantID {
		t.Errorf("Tenant = %+v, %v; want %s from the challenge", got, err, tenantID)
	}
}

// TestDiscoveryOfflineSaysSoInOneLine: an organisation that cannot be reached is said as every
// other unreachable service is, "cannot reach <host> (<why>): check the network or proxy", not
// as a Go dial error.
func TestDiscoveryOfflineSaysSoInOneLine(t *testing.T) {
	o := newOrganisation(t, azureDevOps401(tenantID))
	d, log := o.discovery(t)
	remote := o.remote("contoso")
	o.srv.Close() // its port now refuses connections
	if got := mustTenant(t, d, context.Background(), remote, nil); got.ID != azrepos.Common {
		t.Fatalf("tenant = %+v, want the common fallback", got)
	}
	want := "could not ask https://" + remote.Host + "/contoso for its tenant: cannot reach " + remote.Host +
		" (connection refused): check the network or proxy (HTTPS_PROXY); signing in with the tenant common for 5 minutes"
	if !strings.Contains(log.String(), want) || strings.Contains(log.String(), "dial tcp") {
		t.Errorf("the warning is\n%s\nwant it to say %q", log.String(), want)
	}
}
