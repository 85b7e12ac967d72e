package fakeentra

import (
	"crypto"
	"crypto/x509"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"sync"
)

// App is an application registration (and its service principal).
type App struct {
	// ClientID is the application (client) ID, a GUID. Required.
	ClientID string
	// ObjectID is the service principal's object ID, the oid of app-only tokens; generated when empty.
	ObjectID string
	// Tenant is the home tenant (GUID or verified domain). Empty means a multi-tenant app usable
	// in every tenant, like the first-party clients.
	Tenant string
	// DisplayName is informational.
	DisplayName string
	// Public marks a public client (no credential); otherwise the app is confidential.
	Public bool
	// Secrets are the client secrets a confidential app accepts.
	Secrets []string
	// Certificates are the certificates whose keys may sign client assertions.
	Certificates []*x509.Certificate
	// Federations are the federated identity credentials the app trusts.
	Federations []Federation
	// RedirectURIs are the registered reply URLs. A loopback entry (http://localhost or
	// http://127.0.0.1) matches any port. Public clients default to both loopback hosts.
	RedirectURIs []string
	// FOCI marks a member of the family of client IDs; its answers carry foci "1" and its
	// refresh tokens are redeemable by other family members.
	FOCI bool
	// Roles are app roles granted to the app; app-only tokens carry those the resource defines.
	Roles []string
	// AccessTokenVersion is the token version the app asks for as a resource (1, the default, or 2).
	AccessTokenVersion int
}

// Federation is a federated identity credential: tokens from Issuer about Subject, for
// Audience, signed by Key, are accepted as client assertions.
type Federation struct {
	Issuer  string
	Subject string
	// Audience defaults to FederationAudience.
	Audience string
	// Key verifies the issuer's signatures (an *rsa.PublicKey or *ecdsa.PublicKey). It may be
	// nil for the Server's own Kubernetes and GitHub Actions issuers.
	Key crypto.PublicKey
}

// Resource is an API that tokens are issued for.
type Resource struct {
	// AppID is the resource's application ID, a GUID. Required.
	AppID string
	// IdentifierURIs are the other names the resource answers to.
	IdentifierURIs []string
	// DisplayName is informational.
	DisplayName string
	// Scopes are the delegated permissions; delegated tokens for "/.default" carry all of them.
	// Defaults to user_impersonation.
	Scopes []string
	// Roles are the app roles the resource defines.
	Roles []string
	// AccessTokenVersion is 1 (the default) or 2: the v2 endpoint issues this version.
	AccessTokenVersion int
}

// User is a work account.
type User struct {
	// UPN is the user principal name, e.g. bob@contoso.onmicrosoft.com. Required.
	UPN string
	// Password is accepted by ROPC and the sign-in page.
	Password string
	// ObjectID is generated when empty.
	ObjectID string
	// Tenant is the home tenant; DefaultTenant when empty.
	Tenant string
	// Name is the display name; derived from the UPN when empty.
	Name string
	// RequireMFA makes ROPC fail with interaction_required (AADSTS50076); browser and device
	// sign-ins satisfy it.
	RequireMFA bool
	// GuestOf lists tenants the user is a guest in (B2B): a refresh token from the home tenant is
	// redeemed there for a token with that tenant's tid, as the real service does. (A real guest
	// has another object ID in each tenant; the fake keeps one.)
	GuestOf []string
}

// ManagedIdentity is a managed identity the managed-identity endpoints can issue tokens for.
type ManagedIdentity struct {
	ClientID   string
	ObjectID   string
	ResourceID string
	// Tenant defaults to DefaultTenant.
	Tenant string
	// System marks the system-assigned identity, used when a request names none. Adding a
	// system identity replaces the previous one.
	System bool
}

// tenantRef is a resolved tenant path segment: a tenant ID, or one of the aliases.
type tenantRef struct {
	segment string // as it appeared in the path
	id      string // tenant GUID; empty for an alias
	alias   string // "common", "organizations" or "consumers"
}

// directory holds every registration. Records are never changed after they are stored, so
// lookups may hand out pointers to them.
type directory struct {
	mu        sync.RWMutex
	tenants   map[string][]string // tenant ID → domains
	domains   map[string]string   // lower-case domain → tenant ID
	apps      map[string]*App     // lower-case client ID
	resources map[string]*Resource
	users     map[string]*User // lower-case UPN
	mis       []*ManagedIdentity
}

func newDirectory() *directory {
	return &directory{
		tenants:   map[string][]string{},
		domains:   map[string]string{},
		apps:      map[string]*App{},
		resources: map[string]*Resource{},
		users:     map[string]*User{},
	}
}

// addTenant registers a tenant or adds domains to it.
func (d *directory) addTenant(id string, domains ...string) error {
	if !isGUID(id) {
		return fmt.Errorf("tenant ID %q is not a GUID", id)
	}
	id = strings.ToLower(id)
	d.mu.Lock()
	defer d.mu.Unlock()
	for _, dom := range domains {
		dom = strings.ToLower(strings.TrimSpace(dom))
		if dom == "" || strings.ContainsAny(dom, "/ ") || !strings.Contains(dom, ".") {
			return fmt.Errorf("tenant domain %q is not a DNS name", dom)
		}
		if owner, ok := d.domains[dom]; ok && owner != id {
			return fmt.Errorf("domain %q already belongs to tenant %s", dom, owner)
		}
	}
	if _, ok := d.tenants[id]; !ok {
		d.tenants[id] = nil
	}
	for _, dom := range domains {
		dom = strings.ToLower(strings.TrimSpace(dom))
		if _, ok := d.domains[dom]; !ok {
			d.domains[dom] = id
			d.tenants[id] = append(d.tenants[id], dom)
		}
	}
	return nil
}

// resolveTenant resolves a tenant path segment.
func (d *directory) resolveTenant(segment string) (tenantRef, bool) {
	lower := strings.ToLower(segment)
	switch lower {
	case "common", "organizations", "consumers":
		return tenantRef{segment: segment, alias: lower}, true
	}
	d.mu.RLock()
	defer d.mu.RUnlock()
	if _, ok := d.tenants[lower]; ok {
		return tenantRef{segment: segment, id: lower}, true
	}
	if id, ok := d.domains[lower]; ok {
		return tenantRef{segment: segment, id: id}, true
	}
	return tenantRef{}, false
}

// tenantID turns a GUID or verified domain into a tenant ID; empty stays empty.
func (d *directory) tenantID(tenant string) (string, error) {
	if tenant == "" {
		return "", nil
	}
	if isGUID(tenant) {
		return strings.ToLower(tenant), nil
	}
	d.mu.RLock()
	defer d.mu.RUnlock()
	if id, ok := d.domains[strings.ToLower(tenant)]; ok {
		return id, nil
	}
	return "", fmt.Errorf("tenant %q is neither a GUID nor a registered domain", tenant)
}

// addApp registers an app, replacing one with the same client ID, and makes it addressable as
// a resource (by client ID and api://<client ID>) unless a resource with that ID exists.
func (d *directory) addApp(app App) error {
	if !isGUID(app.ClientID) {
		return fmt.Errorf("app client ID %q is not a GUID", app.ClientID)
	}
	if app.Public && (len(app.Secrets) > 0 || len(app.Certificates) > 0 || len(app.Federations) > 0) {
		return fmt.Errorf("app %s is public and cannot have secrets, certificates or federations", app.ClientID)
	}
	if app.AccessTokenVersion != 0 && app.AccessTokenVersion != 1 && app.AccessTokenVersion != 2 {
		return fmt.Errorf("app %s: access token version %d is not 1 or 2", app.ClientID, app.AccessTokenVersion)
	}
	tenant, err := d.tenantID(app.Tenant)
	if err != nil {
		return fmt.Errorf("app %s: %w", app.ClientID, err)
	}
	for i, f := range app.Federations {
		if f.Issuer == "" || f.Subject == "" {
			return fmt.Errorf("app %s: federation %d needs an issuer and a subject", app.ClientID, i)
		}
	}
	for _, u := range app.RedirectURIs {
		if _, err := url.Parse(u); err != nil {
			return fmt.Errorf("app %s: redirect URI %q: %w", app.ClientID, u, err)
		}
	}
	stored := app
	stored.ClientID = strings.ToLower(app.ClientID)
	stored.Tenant = tenant
	if stored.ObjectID == "" {
		stored.ObjectID = newGUID()
	}
	stored.Secrets = slices.Clone(app.Secrets)
	stored.Certificates = slices.Clone(app.Certificates)
	stored.Federations = slices.Clone(app.Federations)
	stored.Roles = slices.Clone(app.Roles)
	stored.RedirectURIs = slices.Clone(app.RedirectURIs)
	if app.Public && len(stored.RedirectURIs) == 0 {
		stored.RedirectURIs = []string{"http://localhost", "http://127.0.0.1"}
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	d.apps[stored.ClientID] = &stored
	if _, ok := d.resources[stored.ClientID]; !ok {
		d.resources[stored.ClientID] = &Resource{
			AppID:              stored.ClientID,
			DisplayName:        stored.DisplayName,
			IdentifierURIs:     []string{"api://" + stored.ClientID},
			Scopes:             []string{"user_impersonation"},
			AccessTokenVersion: max(stored.AccessTokenVersion, 1),
		}
	}
	return nil
}

// app returns the app with that client ID.
func (d *directory) app(clientID string) (*App, bool) {
	d.mu.RLock()
	defer d.mu.RUnlock()
	a, ok := d.apps[strings.ToLower(clientID)]
	return a, ok
}

// addResource registers an API, replacing one with the same app ID.
func (d *directory) addResource(r Resource) error {
	if !isGUID(r.AppID) {
		return fmt.Errorf("resource app ID %q is not a GUID", r.AppID)
	}
	if r.AccessTokenVersion == 0 {
		r.AccessTokenVersion = 1
	}
	if r.AccessTokenVersion != 1 && r.AccessTokenVersion != 2 {
		return fmt.Errorf("resource %s: access token version %d is not 1 or 2", r.AppID, r.AccessTokenVersion)
	}
	for _, u := range r.IdentifierURIs {
		if u == "" || strings.ContainsAny(u, " \t") {
			return fmt.Errorf("resource %s: identifier URI %q is empty or has spaces", r.AppID, u)
		}
	}
	stored := r
	stored.AppID = strings.ToLower(r.AppID)
	stored.IdentifierURIs = slices.Clone(r.IdentifierURIs)
	stored.Scopes = slices.Clone(r.Scopes)
	if len(stored.Scopes) == 0 {
		stored.Scopes = []string{"user_impersonation"}
	}
	stored.Roles = slices.Clone(r.Roles)
	d.mu.Lock()
	defer d.mu.Unlock()
	d.resources[stored.AppID] = &stored
	return nil
}

// resource finds the API an identifier names: its app ID or one of its identifier URIs, with
// or without a trailing slash.
func (d *directory) resource(identifier string) (*Resource, bool) {
	if identifier == "" {
		return nil, false
	}
	d.mu.RLock()
	defer d.mu.RUnlock()
	if r, ok := d.resources[strings.ToLower(identifier)]; ok {
		return r, true
	}
	trimmed := strings.TrimSuffix(identifier, "/")
	for _, r := range d.resources {
		for _, u := range r.IdentifierURIs {
			if u == identifier || strings.TrimSuffix(u, "/") == trimmed {
				return r, true
			}
		}
	}
	return nil, false
}

// addUser registers a user, replacing one with the same UPN.
func (d *directory) addUser(u User) error {
	upn := strings.ToLower(strings.TrimSpace(u.UPN))
	local, domain, ok := strings.Cut(upn, "@")
	if !ok || local == "" || domain == "" {
		return fmt.Errorf("user UPN %q is not of the form name@domain", u.UPN)
	}
	if u.Tenant == "" {
		u.Tenant = DefaultTenant
	}
	tenant, err := d.tenantID(u.Tenant)
	if err != nil {
		return fmt.Errorf("user %s: %w", u.UPN, err)
	}
	if u.ObjectID == "" {
		u.ObjectID = newGUID()
	} else if !isGUID(u.ObjectID) {
		return fmt.Errorf("user %s: object ID %q is not a GUID", u.UPN, u.ObjectID)
	}
	if u.Name == "" {
		u.Name = local
	}
	u.UPN = upn
	u.Tenant = tenant
	u.ObjectID = strings.ToLower(u.ObjectID)
	d.mu.Lock()
	defer d.mu.Unlock()
	d.users[upn] = &u
	return nil
}

// user returns the user with that UPN (case-insensitive).
func (d *directory) user(upn string) (*User, bool) {
	d.mu.RLock()
	defer d.mu.RUnlock()
	u, ok := d.users[strings.ToLower(strings.TrimSpace(upn))]
	return u, ok
}

// addManagedIdentity registers a managed identity.
func (d *directory) addManagedIdentity(mi ManagedIdentity) error {
	if !isGUID(mi.ClientID) || !isGUID(mi.ObjectID) {
		return fmt.Errorf("managed identity needs GUID client and object IDs, got %q and %q", mi.ClientID, mi.ObjectID)
	}
	if !strings.HasPrefix(mi.ResourceID, "/subscriptions/") {
		return fmt.Errorf("managed identity %s: resource ID %q does not start with /subscriptions/", mi.ClientID, mi.ResourceID)
	}
	if mi.Tenant == "" {
		mi.Tenant = DefaultTenant
	}
	tenant, err := d.tenantID(mi.Tenant)
	if err != nil {
		return fmt.Errorf("managed identity %s: %w", mi.ClientID, err)
	}
	mi.Tenant = tenant
	mi.ClientID = strings.ToLower(mi.ClientID)
	mi.ObjectID = strings.ToLower(mi.ObjectID)
	d.mu.Lock()
	defer d.mu.Unlock()
	d.mis = slices.DeleteFunc(d.mis, func(old *ManagedIdentity) bool {
		return (mi.System && old.System) || old.ClientID == mi.ClientID
	})
	d.mis = append(d.mis, &mi)
	return nil
}

// errNoIdentity means no managed identity matches a request's selector.
var errNoIdentity = errors.New("no managed identity matches the request")

// managedIdentity finds the identity a selector names; with no selector, the system one.
func (d *directory) managedIdentity(clientID, objectID, resourceID string) (*ManagedIdentity, error) {
	d.mu.RLock()
	defer d.mu.RUnlock()
	for _, mi := range d.mis {
		switch {
		case clientID != "":
			if strings.EqualFold(mi.ClientID, clientID) {
				return mi, nil
			}
		case objectID != "":
			if strings.EqualFold(mi.ObjectID, objectID) {
				return mi, nil
			}
		case resourceID != "":
			if strings.EqualFold(mi.ResourceID, resourceID) {
				return mi, nil
			}
		case mi.System:
			return mi, nil
		}
	}
	return nil, errNoIdentity
}
