package managedidentity

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/aadcred/aadcred/core/entra"
)

const (
	arcAPIVersion      = "2020-06-01"
	defaultArcEndpoint = "http://localhost:40342/metadata/identity/oauth2/token"
)

// arcToken runs the Azure Arc agent's challenge: the first request is refused with the path of a
// key file that only members of the himds group can read, and the second proves the caller read it.
func (c *Client) arcToken(ctx context.Context, resource string, id ID) (*entra.TokenResponse, error) {
	q := url.Values{"api-version": {arcAPIVersion}, "resource": {resource}}
	id.addTo(q, "client_id", "object_id", "msi_res_id")
	endpoint := c.getenv(envIdentityEndpoint)
	if endpoint == "" {
		endpoint = defaultArcEndpoint
	}
	u, err := endpointURL(envIdentityEndpoint, endpoint, q)
	if err != nil {
		return nil, err
	}
	ec := c.entra()
	call := entra.Call{
		Method:     http.MethodGet,
		URL:        u,
		Header:     http.Header{"Metadata": {"true"}},
		Idempotent: true,
		What:       endpointName(AzureArc),
	}

	_, err = ec.Do(ctx, call)
	var challenge *entra.Error
	switch {
	case err == nil:
		return nil, fmt.Errorf("the %s answered without the challenge the Azure Arc agent always sends; refusing to use it", call.What)
	case !errors.As(err, &challenge) || challenge.StatusCode != http.StatusUnauthorized:
		return nil, err
	}
	keyPath, err := parseBasicRealm(challenge.WWWAuthenticate)
	if err != nil {
		return nil, fmt.Errorf("the %s's challenge: %w", call.What, err)
	}
	key, err := readArcKey(keyPath, c.arcTokensDir())
	if err != nil {
		return nil, err
	}

	call.Header = http.Header{"Metadata": {"true"}, "Authorization": {"Basic " + key}}
	tok, err := c.fetch(ctx, ec, call)
	if err != nil {
		return nil, err
	}
	if err := verifyArcIdentity(tok, id); err != nil {
		return nil, err
	}
	return tok, nil
}

// verifyArcIdentity fails closed when a user-assigned identity was asked for and the answer does
// not name it: older agents ignore the selectors and silently hand out the system identity.
func verifyArcIdentity(tok *entra.TokenResponse, id ID) error {
	if id.SystemAssigned() {
		return nil
	}
	field, want := "client_id", id.ClientID
	switch {
	case id.ObjectID != "":
		field, want = "object_id", id.ObjectID
	case id.ResourceID != "":
		field, want = "msi_res_id", id.ResourceID
	}
	var got string
	if raw, ok := tok.Extra[field]; ok && json.Unmarshal(raw, &got) == nil && strings.EqualFold(got, want) {
		return nil
	}
	return fmt.Errorf("the Azure Arc agent did not confirm it issued the token for %s (Azure Arc supports only the machine's system-assigned identity)", id)
}
