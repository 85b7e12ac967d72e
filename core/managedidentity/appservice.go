package managedidentity

import (
	"context"
	"net/http"
	"net/url"

	"github.com/aadcred/aadcred/core/entra"
)

const appServiceAPIVersion = "2019-08-01"

// appServiceToken asks the local identity endpoint of App Service, Functions or Container Apps.
// The platform rotates IDENTITY_HEADER, so it is read for every request.
func (c *Client) appServiceToken(ctx context.Context, resource string, id ID) (*entra.TokenResponse, error) {
	q := url.Values{"api-version": {appServiceAPIVersion}, "resource": {resource}}
	id.addTo(q, "client_id", "principal_id", "mi_res_id")
	u, err := endpointURL(envIdentityEndpoint, c.getenv(envIdentityEndpoint), q)
	if err != nil {
		return nil, err
	}
	header := http.Header{}
	header.Set("X-IDENTITY-HEADER", c.getenv(envIdentityHeader))
	return c.fetch(ctx, c.entra(), entra.Call{
		Method:     http.MethodGet,
		URL:        u,
		Header:     header,
		Idempotent: true,
		What:       endpointName(AppService),
	})
}
