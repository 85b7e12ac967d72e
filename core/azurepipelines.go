package core

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"

	"github.com/aadcred/aadcred/core/entra"
)

// azurePipelinesOIDCVersion is the Azure DevOps REST API version of the OIDC token request.
const azurePipelinesOIDCVersion = "7.1"

// addAzurePipelinesAssertion authenticates the application with an OIDC token of an Azure
// Pipelines service connection that federates with it (workload identity federation), asked of
// the running job's OIDC endpoint afresh for every token request: these tokens live minutes.
func (c *Client) addAzurePipelinesAssertion(ctx context.Context, form url.Values, cred Credential) error {
	assertion, err := c.azurePipelinesToken(ctx, cred)
	if err != nil {
		return err
	}
	form.Set("client_assertion_type", jwtBearerAssertion)
	form.Set("client_assertion", assertion)
	return nil
}

// azurePipelinesToken posts to SYSTEM_OIDCREQUESTURI with the job's SYSTEM_ACCESSTOKEN, as
// azidentity's AzurePipelinesCredential does, and returns the OIDC token of the service
// connection.
func (c *Client) azurePipelinesToken(ctx context.Context, cred Credential) (string, error) {
	switch {
	case cred.AzurePipelinesServiceConnectionID == "":
		return "", errors.New("the azurepipelines method needs the service connection's ID: give --azure-pipelines-service-connection-id or set AZURESUBSCRIPTION_SERVICE_CONNECTION_ID (an AzureCLI@2 task sets it)")
	case cred.AzurePipelinesOIDCRequestURI == "":
		return "", errors.New("the azurepipelines method runs inside an Azure Pipelines job: SYSTEM_OIDCREQUESTURI is not set")
	case cred.AzurePipelinesAccessToken == "":
		return "", errors.New("the azurepipelines method needs the job's access token: map SYSTEM_ACCESSTOKEN into the step's environment (env: SYSTEM_ACCESSTOKEN: $(System.AccessToken))")
	}
	u, err := url.Parse(cred.AzurePipelinesOIDCRequestURI)
	if err != nil || u.Host == "" {
		return "", errors.New("SYSTEM_OIDCREQUESTURI is not a URL")
	}
	if u.Scheme != "https" && !entra.IsLoopback(u.Hostname()) {
		return "", errors.New("SYSTEM_OIDCREQUESTURI must use https")
	}
	q := u.Query()
	q.Set("api-version", azurePipelinesOIDCVersion)
	q.Set("serviceConnectionId", cred.AzurePipelinesServiceConnectionID)
	u.RawQuery = q.Encode()
	body, err := c.entra().Do(ctx, entra.Call{
		Method: http.MethodPost,
		URL:    u.String(),
		Header: http.Header{
			"Authorization": {"Bearer " + cred.AzurePipelinesAccessToken},
			"Content-Type":  {"application/json"},
			// Without it, a refused token is answered with a redirect to a sign-in page.
			"X-Tfs-Fedauthredirect": {"Suppress"},
		},
		// Asking again gives another token for the same connection: nothing is spent.
		Idempotent: true,
		What:       "Azure Pipelines OIDC endpoint",
	})
	if err != nil {
		return "", fmt.Errorf("getting the service connection's token from Azure Pipelines: %w", err)
	}
	var answer struct {
		OIDCToken string `json:"oidcToken"`
	}
	if err := json.Unmarshal(body, &answer); err != nil || answer.OIDCToken == "" {
		return "", errors.New("the Azure Pipelines OIDC endpoint answered without an oidcToken (does the service connection use workload identity federation?)")
	}
	return answer.OIDCToken, nil
}
