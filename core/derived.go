package core

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/aadcred/aadcred/keystore"
)

// Derived entries are what other packages keep in the store with a token core gave them: an ACR
// refresh token that a registry exchanged for an Entra token (docker), the tenant an Azure DevOps
// organisation signs in with (git). Core does not know what they hold. It knows where they are,
// by the name prefixes below, and from the label each entry carries, whose they are and until
// when they hold: so that cache list and clean cover them, and logout removes them with the
// sign-ins they came from.
const (
	// RegistryTokenPrefix starts the names of the ACR refresh tokens docker-credential-aad keeps
	// in the Secrets tier.
	RegistryTokenPrefix = "docker-acr-"
	// OrganisationNotePrefix starts the names of the tenant notes git-credential-aad keeps in the
	// AccessTokens tier.
	OrganisationNotePrefix = "g"
)

// DerivedLabel is what a derived entry says about itself: the "label" field of its JSON data.
type DerivedLabel struct {
	Subject  string `json:"subject"` // what it is for: a registry, an organisation
	TenantID string `json:"tenant_id,omitempty"`
	// ObjectID and UPN are the user whose sign-in it came from; empty for an application's token
	// or for what belongs to the whole tenant.
	ObjectID  string    `json:"object_id,omitempty"`
	UPN       string    `json:"upn,omitempty"`
	ExpiresOn time.Time `json:"expires_on,omitzero"`
}

// derivedKind is one kind of derived entry.
type derivedKind struct {
	kind   string // for people, as CachedToken.Kind
	tier   keystore.Tier
	prefix string
}

func derivedKinds() []derivedKind {
	return []derivedKind{
		{"registry token", keystore.Secrets, RegistryTokenPrefix},
		{"organisation note", keystore.AccessTokens, OrganisationNotePrefix},
	}
}

// derivedEntries describes the derived entries in the store. An entry that cannot be read now (its
// key cannot be reached, say) is listed by its name alone.
func (c *Client) derivedEntries(ctx context.Context) []CachedToken {
	var out []CachedToken
	for _, k := range derivedKinds() {
		for _, name := range c.names(k.tier, k.prefix) {
			t := CachedToken{ID: name, Kind: k.kind, tier: k.tier, derived: true}
			label, err := c.readDerivedLabel(ctx, k.tier, name)
			switch {
			case errors.Is(err, keystore.ErrNotFound), errors.Is(err, keystore.ErrCorrupt):
				continue // gone, or gone to the quarantine
			case err != nil:
				t.Target = "(cannot be read now)"
			case label.Subject == "":
				t.Target = "(kept by an earlier aadcred)"
			default:
				t.Target, t.TenantID, t.UPN, t.ExpiresOn, t.objectID = label.Subject, label.TenantID, label.UPN, label.ExpiresOn, label.ObjectID
			}
			out = append(out, t)
		}
	}
	return out
}

// readDerivedLabel reads the label of a derived entry. An entry written before labels existed
// has an empty one.
func (c *Client) readDerivedLabel(ctx context.Context, tier keystore.Tier, name string) (DerivedLabel, error) {
	data, err := c.Store.Read(ctx, tier, name)
	if err != nil {
		return DerivedLabel{}, err
	}
	var d struct {
		Label DerivedLabel `json:"label"`
	}
	if err := json.Unmarshal(data, &d); err != nil {
		return DerivedLabel{}, fmt.Errorf("reading the label of %s: %w", name, err)
	}
	return d.Label, nil
}

// derivedFrom reports whether a derived entry came from acct's sign-in: a token of the same user
// in the same tenant, or a note of the account's tenant. A token that names no user (an
// application's) came from no account's sign-in, even one whose label names no user either.
func (t CachedToken) derivedFrom(acct Account) bool {
	if !t.derived || t.TenantID == "" || !strings.EqualFold(t.TenantID, acct.TenantID) {
		return false
	}
	if t.objectID == "" {
		return t.tier == keystore.AccessTokens
	}
	return strings.EqualFold(t.objectID, acct.ObjectID)
}
