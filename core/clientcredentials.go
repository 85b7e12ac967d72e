package core

import (
	"context"
	"fmt"
	"net/url"

	"github.com/aadcred/aadcred/core/entra"
)

// clientCredentials runs the client-credentials grant: the application signs in as itself with
// a secret, a certificate or a federated token. The answer has no refresh token; the cache keeps
// the access token and the grant simply runs again when it nears expiry.
func (c *Client) clientCredentials(ctx context.Context, r *settled) (*Token, error) {
	form := url.Values{"grant_type": {"client_credentials"}, "client_id": {r.ClientID}}
	if err := r.Target.apply(form, r.Version, false, c.log()); err != nil {
		return nil, err
	}
	if err := c.authenticate(ctx, r, r.Method, r.endpoint, form); err != nil {
		return nil, err
	}
	return c.redeem(ctx, r, r.endpoint, form)
}

// authenticate adds the application's own credential to form, as the given method presents it.
// Client credentials, on-behalf-of and a confidential client's code redemption all use it.
func (c *Client) authenticate(ctx context.Context, r *settled, how Method, ep entra.Endpoint, form url.Values) error {
	switch how {
	case ClientSecret:
		return addClientSecret(form, r.Credential)
	case ClientCert:
		return addCertificateAssertion(form, r, ep.TokenURL(), c.now())
	case WorkloadIdentity:
		return c.addFederatedAssertion(ctx, form, r)
	case AzurePipelines:
		return c.addAzurePipelinesAssertion(ctx, form, r.Credential)
	}
	return fmt.Errorf("the %s method does not authenticate an application", how)
}

// appCredential is the kind of application credential cred holds, in the order auto prefers
// them: a federated token (no secret to leak or rotate; a token file or GitHub Actions, then an
// Azure Pipelines service connection), a certificate, a secret. It is "" when cred holds none.
func appCredential(cred Credential) Method {
	switch {
	case cred.FederatedTokenFile != "" || (cred.GitHubOIDCRequestURL != "" && cred.GitHubOIDCRequestToken != ""):
		return WorkloadIdentity
	case cred.AzurePipelinesServiceConnectionID != "" && cred.AzurePipelinesOIDCRequestURI != "" && cred.AzurePipelinesAccessToken != "":
		return AzurePipelines
	case cred.Certificate != nil || cred.CertificatePath != "":
		return ClientCert
	case cred.ClientSecret != "":
		return ClientSecret
	}
	return ""
}
