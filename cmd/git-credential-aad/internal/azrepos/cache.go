package azrepos

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"time"

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

// TenantCache remembers which tenant each organisation signs in with, so that the question is
// asked once per organisation rather than at every git command. A nil *TenantCache remembers
// nothing.
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
}

// entryName is the remote's entry: "g" and a hash, so that no host or organisation name becomes
// a file name, and the entry never looks like one of core's ("t" tokens, "a" accounts).
func entryName(r Remote) string {
	sum := sha256.Sum256([]byte(r.key()))
	return "g" + hex.EncodeToString(sum[:20])
}

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
	now := time.Now
	if c.Now != nil {
		now = c.Now
	}
	data, err := json.Marshal(tenantEntry{Host: remote.Host, Org: remote.Org, Tenant: tenant, Learned: now().UTC()})
	if err != nil {
		return err
	}
	if err := c.Store.Write(ctx, keystore.AccessTokens, entryName(remote), data); err != nil {
		return fmt.Errorf("caching the tenant of %s: %w", remote.Org, err)
	}
	return nil
}

// Forget drops what is remembered about remote, so that the next call asks again (an
// organisation can move to another tenant).
func (c *TenantCache) Forget(remote Remote) error {
	if c == nil || c.Store == nil {
		return nil
	}
	if err := c.Store.Delete(keystore.AccessTokens, entryName(remote)); err != nil && !errors.Is(err, keystore.ErrNotFound) {
		return fmt.Errorf("forgetting the tenant of %s: %w", remote.Org, err)
	}
	return nil
}
