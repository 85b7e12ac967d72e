package managedidentity

import (
	"fmt"
	"net/url"
)

// ID selects a user-assigned managed identity by one of its identifiers. The zero ID selects the
// machine's system-assigned identity.
type ID struct {
	ClientID   string // the identity's client (application) ID
	ObjectID   string // its object (principal) ID
	ResourceID string // its ARM resource ID: /subscriptions/…/providers/Microsoft.ManagedIdentity/userAssignedIdentities/…
}

// SystemAssigned reports whether id selects the system-assigned identity.
func (id ID) SystemAssigned() bool { return id == ID{} }

// String names the identity for messages, e.g. "client ID 11111111-…". Identifiers are not secret.
func (id ID) String() string {
	switch {
	case id.SystemAssigned():
		return "the system-assigned identity"
	case id.ClientID != "":
		return "client ID " + id.ClientID
	case id.ObjectID != "":
		return "object ID " + id.ObjectID
	default:
		return "resource ID " + id.ResourceID
	}
}

// validate rejects an ID that names the identity more than one way: endpoints take one selector,
// and which one would win differs between them.
func (id ID) validate() error {
	var set []string
	if id.ClientID != "" {
		set = append(set, "client ID")
	}
	if id.ObjectID != "" {
		set = append(set, "object ID")
	}
	if id.ResourceID != "" {
		set = append(set, "resource ID")
	}
	if len(set) > 1 {
		return fmt.Errorf("managed identity selected by both %s and %s: give only one of client ID, object ID and resource ID", set[0], set[1])
	}
	return nil
}

// addTo sets the one selector id carries, spelled as the endpoint expects it.
func (id ID) addTo(q url.Values, clientIDParam, objectIDParam, resourceIDParam string) {
	switch {
	case id.ClientID != "":
		q.Set(clientIDParam, id.ClientID)
	case id.ObjectID != "":
		q.Set(objectIDParam, id.ObjectID)
	case id.ResourceID != "":
		q.Set(resourceIDParam, id.ResourceID)
	}
}
