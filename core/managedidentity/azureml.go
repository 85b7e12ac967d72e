package managedidentity

import (
	"context"
	"fmt"
	"net/http"
	"net/url"

	"github.com/aadcred/aadcred/core/entra"
)

const azureMLAPIVersion = "2017-09-01"

// azureMLToken asks Azure ML's endpoint, which speaks App Service's legacy API: a secret header,
// and the identity as clientid (the compute's default identity when none is chosen).
func (c *Client) azureMLToken(ctx context.Context, resource string, id ID) (*entra.TokenResponse, error) {
	if id.ObjectID != "" || id.ResourceID != "" {
		return nil, fmt.Errorf("%s selects a user-assigned identity by client ID only, not by %s", AzureML, id)
	}
	q := url.Values{"api-version": {azureMLAPIVersion}, "resource": {resource}}
	clientID := id.ClientID
	if clientID == "" {
		clientID = c.getenv(envDefaultMLClientID)
	}
	if clientID != "" {
		q.Set("clientid", clientID)
	}
	u, err := endpointURL(envMSIEndpoint, c.getenv(envMSIEndpoint), q)
	if err != nil {
		return nil, err
	}
	header := http.Header{}
	header.Set("secret", c.getenv(envMSISecret))
	return c.fetch(ctx, c.entra(), entra.Call{
		Method:     http.MethodGet,
		URL:        u,
		Header:     header,
		Idempotent: true,
		What:       endpointName(AzureML),
	})
}
