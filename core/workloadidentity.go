package core

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

// federatedAudience is the audience Entra's federated identity credentials expect.
const federatedAudience = "api://AzureADTokenExchange"

// addFederatedAssertion authenticates the application with a token from another identity
// provider that the app registration trusts: the Kubernetes service-account token in
// FederatedTokenFile (AKS workload identity), or GitHub Actions' OIDC token.
func (c *Client) addFederatedAssertion(ctx context.Context, form url.Values, r *settled) error {
	assertion, err := c.federatedToken(ctx, r.Credential)
	if err != nil {
		return err
	}
	form.Set("client_assertion_type", jwtBearerAssertion)
	form.Set("client_assertion", assertion)
	return nil
}

func (c *Client) federatedToken(ctx context.Context, cred Credential) (string, error) {
	if cred.FederatedTokenFile != "" {
		return readFederatedTokenFile(cred.FederatedTokenFile)
	}
	if cred.GitHubOIDCRequestURL != "" && cred.GitHubOIDCRequestToken != "" {
		return c.gitHubOIDCToken(ctx, cred.GitHubOIDCRequestURL, cred.GitHubOIDCRequestToken)
	}
	return "", errors.New("the workloadidentity method needs a federated token: set AZURE_FEDERATED_TOKEN_FILE (or give --federated-token-file), or run in GitHub Actions with permissions id-token: write")
}

// readFederatedTokenFile reads the token file afresh: kubelet rotates it, so a copy kept from an
// earlier call may have expired.
func readFederatedTokenFile(path string) (string, error) {
	token, err := ReadSecretFile("federated token", path, nil)
	if err != nil {
		return "", err
	}
	if strings.Count(token, ".") != 2 {
		return "", fmt.Errorf("the federated token file %s does not hold a JWT", path)
	}
	return token, nil
}

// gitHubOIDCToken asks GitHub Actions for an OIDC token with the audience federated credentials
// expect. requestURL already carries GitHub's own query; the audience is added to it.
func (c *Client) gitHubOIDCToken(ctx context.Context, requestURL, requestToken string) (string, error) {
	return c.oidcToken(ctx, requestURL, oidcEndpoint{
		what: "GitHub Actions OIDC endpoint", urlVar: "ACTIONS_ID_TOKEN_REQUEST_URL", method: http.MethodGet,
		header: http.Header{"Authorization": {"bearer " + requestToken}},
		query:  url.Values{"audience": {federatedAudience}},
		field:  "value", noToken: "GitHub Actions OIDC endpoint answered without a token (is `permissions: id-token: write` set?)",
	})
}

// oidcEndpoint is a CI system's endpoint that hands the running job an OIDC token to present as
// a federated credential.
type oidcEndpoint struct {
	what   string // its name in errors and logs
	urlVar string // the variable that holds its URL, named in errors
	method string
	header http.Header
	query  url.Values // added to the URL's own query
	field  string     // the answer's field that holds the token
	// noToken is the error when the answer holds none.
	noToken string
}

// oidcToken asks e, at rawURL (https, or loopback in tests), for a token. Asking again gives
// another token for the same identity, so a failed request is retried.
func (c *Client) oidcToken(ctx context.Context, rawURL string, e oidcEndpoint) (string, error) {
	u, err := url.Parse(rawURL)
	if err != nil || u.Host == "" {
		return "", fmt.Errorf("%s is not a URL", e.urlVar)
	}
	if u.Scheme != "https" && !entra.IsLoopback(u.Hostname()) {
		return "", fmt.Errorf("%s must use https", e.urlVar)
	}
	q := u.Query()
	for k, v := range e.query {
		q[k] = v
	}
	u.RawQuery = q.Encode()
	body, err := c.entra().Do(ctx, entra.Call{Method: e.method, URL: u.String(), Header: e.header, Idempotent: true, What: e.what})
	if err != nil {
		return "", fmt.Errorf("getting a federated token from the %s: %w", e.what, err)
	}
	var answer map[string]json.RawMessage
	var token string
	if json.Unmarshal(body, &answer) != nil || json.Unmarshal(answer[e.field], &token) != nil || token == "" {
		return "", errors.New(e.noToken)
	}
	return token, nil
}
