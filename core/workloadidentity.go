package core

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
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
	data, err := os.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("reading the federated token file: %w", err)
	}
	token := string(bytes.TrimSpace(data))
	if token == "" {
		return "", fmt.Errorf("the federated token file %s is empty", path)
	}
	if strings.Count(token, ".") != 2 || strings.ContainsAny(token, " \t\r\n") {
		return "", fmt.Errorf("the federated token file %s does not hold a JWT", path)
	}
	return token, nil
}

// gitHubOIDCToken asks GitHub Actions for an OIDC token with the audience federated credentials
// expect. requestURL already carries GitHub's own query; the audience is added to it.
func (c *Client) gitHubOIDCToken(ctx context.Context, requestURL, requestToken string) (string, error) {
	u, err := url.Parse(requestURL)
	if err != nil || u.Host == "" {
		return "", errors.New("ACTIONS_ID_TOKEN_REQUEST_URL is not a URL")
	}
	if u.Scheme != "https" && !entra.IsLoopback(u.Hostname()) {
		return "", errors.New("ACTIONS_ID_TOKEN_REQUEST_URL must use https")
	}
	q := u.Query()
	q.Set("audience", federatedAudience)
	u.RawQuery = q.Encode()
	body, err := c.entra().Do(ctx, entra.Call{
		Method:     http.MethodGet,
		URL:        u.String(),
		Header:     http.Header{"Authorization": {"bearer " + requestToken}},
		Idempotent: true,
		What:       "GitHub Actions OIDC endpoint",
	})
	if err != nil {
		return "", fmt.Errorf("getting a federated token from GitHub Actions: %w", err)
	}
	var answer struct {
		Value string `json:"value"`
	}
	if err := json.Unmarshal(body, &answer); err != nil || answer.Value == "" {
		return "", errors.New("GitHub Actions OIDC endpoint answered without a token (is `permissions: id-token: write` set?)")
	}
	return answer.Value, nil
}
