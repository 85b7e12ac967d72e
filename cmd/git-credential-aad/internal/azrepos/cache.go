package azrepos

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/aadcred/aadcred/core"
	"github.com/aadcred/aadcred/core/entra"
	"github.com/aadcred/aadcred/keystore"
)

// Store is where the tenant cache keeps its entries; *keystore.Store is one. Entries go to the
// AccessTokens tier: they hold no secret, and reading one needs no keyring.
type Store interface {
	Read(ctx context.Context, tier keystore.Tier, name string) ([]byte, error)
	Write(ctx context.Context, tier keystore.Tier, name string, data []byte) error
	Delete(tier keystore.Tier, name string) error
}

// How long an answer without a tenant is kept. A tenant, once learnt, is kept until erase
// forgets it; not learning one is remembered only for a while, so that an organisation that
// starts naming a tenant, or comes back, is asked again.
const (
	// NoTenantTTL is how long an organisation's answer that names no tenant is believed: git
	// 2.40 and earlier pass on no challenge, and each command would otherwise pay for a probe.
	NoTenantTTL = time.Hour
	// ProbeFailureTTL is how long a failed probe (the organisation or the network down) stops
	// the next ones, each of which could make git wait DefaultProbeTimeout.
	ProbeFailureTTL = 5 * time.Minute
)

// TenantCache remembers which tenant each organisation signs in with, so that the question is
// asked once per organisation rather than at every git command, and, for a while, that asking
// gave none. A nil *TenantCache remembers nothing.
type TenantCache struct {
	Store Store
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// tenantEntry is one remembered answer. Host and Org are kept so that an entry can be checked
// against the remote it is read for, and read by a person.
type tenantEntry struct {
	Host    string    `json:"host"`
	Org     string    `json:"org"`
	Tenant  string    `json:"tenant"`
	Learned time.Time `json:"learned"`
	// Label says, for core's cache commands and logout, what the entry is.
	Label core.DerivedLabel `json:"label"`
}

// noTenantEntry remembers that asking remote gave no tenant, and why, until Expires. It has an
// entry of its own, apart from the remote's tenantEntry, so that it can never be read as a
// tenant and lapses by itself.
type noTenantEntry struct {
	Host    string            `json:"host"`
	Org     string            `json:"org"`
	Reason  string            `json:"reason"`
	Learned time.Time         `json:"learned"`
	Expires time.Time         `json:"expires"`
	Label   core.DerivedLabel `json:"label"`
}

// entryName is the remote's entry: core's prefix for organisation notes ("g") and a hash, so that
// no host or organisation name becomes a file name.
func entryName(r Remote) string {
	sum := sha256.Sum256([]byte(r.key()))
	return core.OrganisationNotePrefix + hex.EncodeToString(sum[:20])
}

// noTenantEntryName is the remote's noTenantEntry: "gn" and the same hash ('n' is no hex digit,
// so it never equals an entryName).
func noTenantEntryName(r Remote) string {
	return core.OrganisationNotePrefix + "n" + strings.TrimPrefix(entryName(r), core.OrganisationNotePrefix)
}

// label describes the remote's notes to core.
func (r Remote) label() core.DerivedLabel { return core.DerivedLabel{Subject: r.Org + " at " + r.Host} }

// Get returns the remembered tenant of remote, or "". An unreadable or damaged entry counts as
// none, and is asked again.
func (c *TenantCache) Get(ctx context.Context, remote Remote) string {
	if c == nil || c.Store == nil {
		return ""
	}
	data, err := c.Store.Read(ctx, keystore.AccessTokens, entryName(remote))
	if err != nil {
		return ""
	}
	var e tenantEntry
	if json.Unmarshal(data, &e) != nil || (Remote{Host: e.Host, Org: e.Org}).key() != remote.key() ||
		entra.ValidateTenant(e.Tenant) != nil {
		return ""
	}
	return e.Tenant
}

// Put remembers the tenant of remote.
func (c *TenantCache) Put(ctx context.Context, remote Remote, tenant string) error {
	if c == nil || c.Store == nil {
		return nil
	}
	label := remote.label()
	label.TenantID = tenant
	data, err := json.Marshal(tenantEntry{Host: remote.Host, Org: remote.Org, Tenant: tenant, Learned: c.now().UTC(), Label: label})
	if err != nil {
		return err
	}
	if err := c.Store.Write(ctx, keystore.AccessTokens, entryName(remote), data); err != nil {
		return fmt.Errorf("caching the tenant of %s: %w", remote.Org, err)
	}
	return c.forgetNoTenant(remote)
}

// NoTenant returns why asking remote gave no tenant, if that was learnt less than its time to
// live ago; ok is false otherwise. An unreadable or damaged entry counts as none.
func (c *TenantCache) NoTenant(ctx context.Context, remote Remote) (reason string, ok bool) {
	if c == nil || c.Store == nil {
		return "", false
	}
	data, err := c.Store.Read(ctx, keystore.AccessTokens, noTenantEntryName(remote))
	if err != nil {
		return "", false
	}
	var e noTenantEntry
	if json.Unmarshal(data, &e) != nil || (Remote{Host: e.Host, Org: e.Org}).key() != remote.key() {
		return "", false
	}
	// A note from the future (the clock was set back) is not trusted either.
	if now := c.now(); now.Before(e.Learned) || !now.Before(e.Expires) {
		return "", false
	}
	return e.Reason, true
}

// PutNoTenant remembers for ttl that asking remote gave no tenant, and why.
func (c *TenantCache) PutNoTenant(ctx context.Context, remote Remote, reason string, ttl time.Duration) error {
	if c == nil || c.Store == nil {
		return nil
	}
	now := c.now().UTC()
	label := remote.label()
	label.ExpiresOn = now.Add(ttl)
	data, err := json.Marshal(noTenantEntry{Host: remote.Host, Org: remote.Org, Reason: reason, Learned: now, Expires: now.Add(ttl), Label: label})
	if err != nil {
		return err
	}
	if err := c.Store.Write(ctx, keystore.AccessTokens, noTenantEntryName(remote), data); err != nil {
		return fmt.Errorf("caching that %s names no tenant: %w", remote.Org, err)
	}
	return nil
}

// Forget drops what is remembered about remote, tenant or none, so that the next call asks
// again (an organisation can move to another tenant).
func (c *TenantCache) Forget(remote Remote) error {
	if c == nil || c.Store == nil {
		return nil
	}
	if err := c.Store.Delete(keystore.AccessTokens, entryName(remote)); err != nil && !errors.Is(err, keystore.ErrNotFound) {
		return fmt.Errorf("forgetting the tenant of %s: %w", remote.Org, err)
	}
	return c.forgetNoTenant(remote)
}

func (c *TenantCache) forgetNoTenant(remote Remote) error {
	if err := c.Store.Delete(keystore.AccessTokens, noTenantEntryName(remote)); err != nil && !errors.Is(err, keystore.ErrNotFound) {
		return fmt.Errorf("forgetting that %s named no tenant: %w", remote.Org, err)
	}
	return nil
}

func (c *TenantCache) now() time.Time {
	if c.Now != nil {
		return c.Now()
	}
	return time.Now()
}
