package core

import (
	"context"
	"errors"
	"net/http"
	"net/url"
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
	return c.oidcToken(ctx, cred.AzurePipelinesOIDCRequestURI, oidcEndpoint{
		what: "Azure Pipelines OIDC endpoint", urlVar: "SYSTEM_OIDCREQUESTURI", method: http.MethodPost,
		header: http.Header{
			"Authorization": {"Bearer " + cred.AzurePipelinesAccessToken},
			"Content-Type":  {"application/json"},
			// Without it, a refused token is answered with a redirect to a sign-in page.
			"X-Tfs-Fedauthredirect": {"Suppress"},
		},
		query: url.Values{"api-version": {azurePipelinesOIDCVersion}, "serviceConnectionId": {cred.AzurePipelinesServiceConnectionID}},
		field: "oidcToken", noToken: "the Azure Pipelines OIDC endpoint answered without an oidcToken (does the service connection use workload identity federation?)",
	})
}
