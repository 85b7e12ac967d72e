package managedidentity

import (
	"context"
	"fmt"
	"net/http"
	"net/url"

	"github.com/aadcred/aadcred/core/entra"
)

// cloudShellToken asks Cloud Shell's endpoint, which answers for the signed-in user and takes the
// resource as a form rather than a query.
func (c *Client) cloudShellToken(ctx context.Context, resource string, id ID) (*entra.TokenResponse, error) {
	if !id.SystemAssigned() {
		return nil, fmt.Errorf("%s gives tokens for its signed-in user only; a user-assigned identity (%s) cannot be selected there", CloudShell, id)
	}
	u, err := endpointURL(envMSIEndpoint, c.getenv(envMSIEndpoint), nil)
	if err != nil {
		return nil, err
	}
	return c.fetch(ctx, c.entra(), entra.Call{
		Method:     http.MethodPost,
		URL:        u,
		Header:     http.Header{"Metadata": {"true"}},
		Form:       url.Values{"resource": {resource}},
		Idempotent: true,
		What:       endpointName(CloudShell),
	})
}
