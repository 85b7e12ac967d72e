package core

import (
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"log/slog"
	"slices"
	"strings"

	"github.com/aadcred/aadcred/core/entra"
)

// cacheKey is every input that changes which token comes back. Two requests with equal keys may
// share a cached token; anything not here (a prompt writer, a timeout) does not change the token,
// except a claims challenge, which is one-off and so renews the keyed token instead.
type cacheKey struct {
	Authority string `json:"authority"`
	Tenant    string `json:"tenant,omitempty"`
	ClientID  string `json:"client_id,omitempty"`
	// Kind is "user" for every way a user signs in (browser, device code, password, a kept
	// refresh token): they all yield the same user's token. Otherwise it is the method.
	Kind Method `json:"kind"`
	// Identity tells apart tokens of one kind: the account, the managed identity, a hash of an
	// on-behalf-of assertion, the Azure CLI's account.
	Identity string `json:"identity,omitempty"`
	Target   string `json:"target"`
	Version  string `json:"version"`
	// PoPKey is the thumbprint of the key a proof-of-possession token is bound to: when the key
	// is rotated, tokens bound to the old one are no longer served.
	PoPKey string `json:"pop_key,omitempty"`
}

// userKind is the Kind of every user sign-in.
const userKind Method = "user"

// name is the key's file-safe name in the store: a hash, so that no token input (an account
// name, a scope) ends up in a file name.
func (k cacheKey) name(prefix string) string {
	b, _ := json.Marshal(k) // a struct of strings always marshals
	sum := sha256.Sum256(b)
	return prefix + hex.EncodeToString(sum[:20])
}

// keyFor builds r's cache key. It runs on the hot path: no network, no subprocess.
func (c *Client) keyFor(r *settled) cacheKey {
	k := cacheKey{
		Authority: r.authority.String(),
		Tenant:    strings.ToLower(r.Tenant),
		ClientID:  strings.ToLower(r.ClientID),
		Kind:      r.Method,
		Target:    canonicalTarget(r.Target, r.Version),
		Version:   r.Version.String(),
	}
	if r.popKey != nil {
		k.PoPKey = r.popKey.Thumbprint()
	}
	if r.Method.userSignIn() {
		// The account asked for, the way findAccount picks it; empty means whoever is signed in.
		k.Kind, k.Identity = userKind, strings.ToLower(cmp.Or(r.Account, r.Credential.Username))
	}
	switch r.Method {
	case RefreshToken:
		k.Identity = digest(r.Credential.RefreshToken)
	case OnBehalfOf:
		k.Identity = digest(r.Credential.UserAssertion)
	case ManagedIdentity:
		id := r.Credential.ManagedIdentity
		k.Tenant, k.ClientID = "", ""
		k.Identity = "client_id=" + id.ClientID + ";object_id=" + id.ObjectID + ";resource_id=" + strings.ToLower(id.ResourceID)
	case AzureCLI:
		// A token from az belongs to az's signed-in account: when `az login` or `az account set`
		// changes it, the key changes and the old token is no longer served.
		account, _ := c.azureCLIRunner().Account()
		k.ClientID, k.Identity = "", account
		if sub := r.Credential.Subscription; sub != "" {
			k.Identity += ";subscription=" + strings.ToLower(sub)
		}
	case AzureDeveloperCLI:
		// Likewise for azd: `azd auth login` and `azd auth logout` change its account.
		account, _ := c.azureDeveloperCLIRunner().Account()
		k.ClientID, k.Identity = "", account
	case AzurePipelines:
		k.Identity = strings.ToLower(r.Credential.AzurePipelinesServiceConnectionID)
	}
	return k
}

// canonicalTarget spells a target the way the endpoint receives it, whatever the order or case
// of its scopes, leaving out the OpenID scopes that do not change the access token: a resource
// and its /.default scope are one target.
func canonicalTarget(t Target, v entra.Version) string {
	if v == entra.V1 {
		r, err := t.resource()
		if err != nil {
			return t.String() // the request fails before the key is used
		}
		return strings.ToLower(r)
	}
	quiet := slog.New(slog.DiscardHandler) // warnings belong to the request, not the lookup
	var scopes []string
	for _, s := range t.scopes(quiet) {
		if !isOpenIDScope(s) {
			scopes = append(scopes, strings.ToLower(s))
		}
	}
	slices.Sort(scopes)
	return strings.Join(slices.Compact(scopes), " ")
}

// digest identifies a secret in a cache key without keeping the secret.
func digest(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:16])
}
