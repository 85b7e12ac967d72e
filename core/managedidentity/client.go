package managedidentity

import (
	"context"
	"fmt"
	"strings"

	"github.com/aadcred/aadcred/core/entra"
)

// Client gets managed-identity tokens. The zero value reads the process environment and uses the
// production endpoints.
type Client struct {
	// Entra sends the requests: it retries, bounds answers and types errors. Nil means the zero
	// entra.Client. IMDS and Service Fabric use a copy whose transport is adjusted (no proxy and a
	// short connect timeout; a pinned certificate); that copy starts from Entra.HTTPClient's
	// *http.Transport, or from entra's default when the client has some other RoundTripper.
	Entra *entra.Client
	// Getenv reads the environment. Nil means os.Getenv.
	Getenv func(string) string

	// IMDSEndpoint is IMDS's base URL. Empty means $AADCRED_IMDS_ENDPOINT, else
	// http://169.254.169.254.
	IMDSEndpoint string
	// ArcTokensDir is the only directory from which an Azure Arc challenge key is read. Empty
	// means $AADCRED_ARC_TOKENS_DIR, else the agent's own directory.
	ArcTokensDir string
	// ArcAgentPath is the Azure Arc agent's himds executable, whose presence marks an Arc machine
	// when the environment does not. Empty means the agent's install path.
	ArcAgentPath string
}

// Token gets an access token for resource from the machine's managed identity: the system-assigned
// one when id is zero, else the user-assigned one id selects. resource is a v1 resource URI; a v2
// scope ending in "/.default" is accepted and trimmed.
//
// Errors from the endpoint are *entra.Error values naming the endpoint. When IMDS does not answer
// at all, the error wraps ErrUnavailable.
func (c *Client) Token(ctx context.Context, resource string, id ID) (*entra.TokenResponse, error) {
	resource, err := normalizeResource(resource)
	if err != nil {
		return nil, err
	}
	if err := id.validate(); err != nil {
		return nil, err
	}
	var tok *entra.TokenResponse
	switch c.Source() {
	case ServiceFabric:
		tok, err = c.serviceFabricToken(ctx, resource, id)
	case AppService:
		tok, err = c.appServiceToken(ctx, resource, id)
	case AzureML:
		tok, err = c.azureMLToken(ctx, resource, id)
	case CloudShell:
		tok, err = c.cloudShellToken(ctx, resource, id)
	case AzureArc:
		tok, err = c.arcToken(ctx, resource, id)
	default:
		tok, err = c.imdsToken(ctx, resource, id)
	}
	if err != nil {
		return nil, explainMissingIdentity(err, id)
	}
	return tok, nil
}

// normalizeResource turns what a caller may hold (a v1 resource or a v2 ".default" scope) into the
// single resource URI every managed-identity endpoint takes.
func normalizeResource(resource string) (string, error) {
	r := strings.TrimSpace(resource)
	if strings.ContainsAny(r, " \t\r\n") {
		return "", fmt.Errorf("managed identity takes exactly one resource, not %q", r)
	}
	r = strings.TrimSuffix(r, "/.default")
	if r == "" {
		return "", fmt.Errorf("managed identity needs a resource such as https://management.azure.com/")
	}
	return r, nil
}

// fetch sends call and parses the answer as a token.
func (c *Client) fetch(ctx context.Context, ec *entra.Client, call entra.Call) (*entra.TokenResponse, error) {
	body, err := ec.Do(ctx, call)
	if err != nil {
		return nil, err
	}
	tok, err := entra.ParseTokenResponse(body, ec.CurrentTime())
	if err != nil {
		return nil, fmt.Errorf("reading the answer of the %s: %w", call.What, err)
	}
	return tok, nil
}

// entra returns a copy of the configured transport client, which callers may adjust.
func (c *Client) entra() *entra.Client {
	if c.Entra == nil {
		return &entra.Client{}
	}
	return c.Entra.Clone()
}

func (c *Client) getenv(name string) string { return orOSGetenv(c.Getenv)(name) }

func endpointName(s Source) string { return string(s) + " managed identity endpoint" }
