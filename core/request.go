package core

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strings"
	"time"

	"github.com/aadcred/aadcred/core/clientcert"
	"github.com/aadcred/aadcred/core/entra"
	"github.com/aadcred/aadcred/core/managedidentity"
	"github.com/aadcred/aadcred/core/pop"
)

// Well-known application IDs (REFERENCE.md 1.14).
const (
	// AzureCLIClientID is the Azure CLI's public client. Microsoft pre-authorizes it for Azure
	// DevOps, Azure Resource Manager, Azure Container Registry and AKS, which is what lets one
	// sign-in serve git, docker and kubectl. It is the default client for user sign-ins.
	AzureCLIClientID = "04b07795-8ddb-461a-bbee-02f9e1bf7b46"
	// AzureDevOpsResource is the Azure DevOps (Azure Repos) resource.
	AzureDevOpsResource = "499b84ac-1321-427f-aa17-267ca6975798"
	// AKSServerID is the AKS AAD server application, the audience of tokens for AKS clusters.
	AKSServerID = "6dae42f8-4368-4678-94ff-3960e28e3630"
	// AKSClientID is the AKS AAD public client, which `az aks get-credentials` writes into
	// kubeconfigs and kubelogin signs people in with. The cluster accepts the Azure CLI's tokens
	// as well, so a person's sign-in that names it may be served by the shared one.
	AKSClientID = "80faf920-1908-4b52-b5ef-a8e7bedfc67a"
	// ContainerRegistryResource is the Azure Container Registry audience.
	ContainerRegistryResource = "https://containerregistry.azure.net"
)

// Request is everything that decides which token comes back.
type Request struct {
	// AuthorityHost is the sign-in service, e.g. https://login.microsoftonline.com; empty means
	// the public cloud.
	AuthorityHost string
	// Tenant is a tenant GUID or verified domain, or organizations, common or consumers. Empty
	// means organizations for user sign-ins; application methods need a real tenant.
	Tenant string
	// ClientID is the application asking. Empty means the Azure CLI's public client for user
	// sign-ins; application methods need their own.
	ClientID string
	Target   Target
	// Version picks the v2 (default) or the v1 endpoints.
	Version entra.Version
	// Method is how the token is obtained; empty means Auto.
	Method     Method
	Credential Credential
	// Account selects one signed-in account (a UPN) when several are kept for the same tenant
	// and client; it is also sent as the login hint of an interactive sign-in.
	Account string
	// Claims is a claims challenge from an earlier error or resource, sent with the request.
	Claims string
	// PoP, when set, asks for a proof-of-possession token instead of a bearer token.
	PoP         *PoP
	Interaction Interaction
	// NoCache bypasses the access-token cache: no cached access token is served, and the one
	// obtained is not stored. A user's kept sign-in is still used (and renewed), so that a
	// person is not asked again.
	NoCache bool
	// IDToken asks for the signed-in user's ID token too (Token.IDToken): a cached access token
	// whose ID token is missing or expired is renewed. Only user sign-ins have one.
	IDToken bool
	// Timeout bounds the work no person waits on (the cache, a refresh, an application's
	// sign-in); zero means 30 s. A person's sign-in has its own, longer Interaction.Timeout.
	Timeout time.Duration
}

// Credential is what the chosen method needs. Only the fields of that method are used.
type Credential struct {
	ClientSecret string

	// Certificate is a loaded client certificate; CertificatePath (PEM or PFX) and
	// CertificatePassword are used when it is nil.
	Certificate         *clientcert.Credential
	CertificatePath     string
	CertificatePassword string
	// SendCertificateChain sends the x5c header, which subject-name/issuer registrations need.
	SendCertificateChain bool

	// FederatedTokenFile is re-read for every token request: kubelet rotates it.
	FederatedTokenFile string
	// GitHubOIDCRequestURL and GitHubOIDCRequestToken (ACTIONS_ID_TOKEN_REQUEST_URL and _TOKEN)
	// obtain the federated token from GitHub Actions when there is no token file.
	GitHubOIDCRequestURL   string
	GitHubOIDCRequestToken string

	// AzurePipelinesServiceConnectionID names the Azure Pipelines service connection whose OIDC
	// token the azurepipelines method presents; the running job's AzurePipelinesOIDCRequestURI
	// and AzurePipelinesAccessToken (SYSTEM_OIDCREQUESTURI and SYSTEM_ACCESSTOKEN) obtain it.
	AzurePipelinesServiceConnectionID string
	AzurePipelinesOIDCRequestURI      string
	AzurePipelinesAccessToken         string

	Username string
	Password string

	// UserAssertion is the incoming user token that on-behalf-of exchanges.
	UserAssertion string

	// RefreshToken is redeemed by the refreshtoken method.
	RefreshToken string

	// ManagedIdentity selects a user-assigned identity; zero means system-assigned.
	ManagedIdentity managedidentity.ID

	// Subscription is the Azure CLI subscription whose tenant issues the azurecli method's token
	// (az --subscription); empty means az's current one.
	Subscription string
}

// Interaction says whether and how a person may be involved.
type Interaction struct {
	// Allowed says a person may be asked. When false, methods that need one fail at once with
	// an error that names SignInCommand.
	Allowed bool
	// Prompt receives instructions for the person (the device code, the URL to open). It must
	// not be the tool's protocol stream; nil means io.Discard, which makes sense only when the
	// person is reached another way.
	Prompt io.Writer
	// OpenBrowser opens a URL in the person's browser. Nil means none can be opened here: Auto
	// then uses the device code, and the browser method prints the URL for the person to open.
	OpenBrowser func(ctx context.Context, url string) error
	// RedirectPort fixes the loopback port of the browser flow; zero picks a free one.
	RedirectPort int
	// FormPost asks for response_mode=form_post instead of query.
	FormPost bool
	// Timeout bounds the time a person has to finish signing in; zero means 15 minutes.
	Timeout time.Duration
	// SignInCommand is the command that signs in, named in errors when no person can be asked
	// (for example "git credential-aad login").
	SignInCommand string
	// NoPerson says why no person may be asked, when Allowed is false (e.g. "CI is set"), and
	// Override what would let one be asked all the same; both go into the error that names
	// SignInCommand.
	NoPerson string
	Override string
	// Purpose says who asks and for what, e.g. "git needs a token for Azure DevOps organisation
	// contoso"; it heads the instructions, so that a person knows what they are signing in for.
	Purpose string
	// Waiting, when set, shows the person that a sign-in is waiting for them until deadline (an
	// updating status line on a terminal). Core calls the function it returns once, with the
	// outcome, when the wait is over. Nil shows nothing beyond the instructions.
	Waiting func(deadline time.Time) (done func(*Token, error))
}

// settled is a Request with every default applied and checked, the form the flows work on.
type settled struct {
	Request
	authority *url.URL
	endpoint  entra.Endpoint
	// popKey is the key a PoP request's token is bound to; nil for bearer tokens.
	popKey *pop.Key
}

// settle resolves Auto, applies the defaults and validates the request. getenv tells whether
// this runs where managed identity is available.
func settle(req Request, getenv func(string) string) (*settled, error) {
	method, err := ParseMethod(string(req.Method))
	if err != nil {
		return nil, err
	}
	if method == Auto {
		method = pickMethod(req, getenv)
	}
	req.Method = method
	if req.AuthorityHost == "" {
		req.AuthorityHost = PublicAuthorityHost
	}
	authority, err := entra.ParseAuthority(req.AuthorityHost)
	if err != nil {
		return nil, err
	}
	if err := req.Target.validate(); err != nil {
		return nil, err
	}
	if err := req.checkPoP(); err != nil {
		return nil, err
	}
	if req.IDToken && !req.Method.signsInUser() {
		return nil, fmt.Errorf("an ID token comes only with a person's sign-in, and the %s method signs in an application", req.Method)
	}
	if req.Method.signsInUser() {
		if req.Tenant == "" {
			req.Tenant = "organizations"
		}
		if req.ClientID == "" {
			req.ClientID = AzureCLIClientID
		}
	}
	if !req.Method.borrowsSignIn() {
		if req.Tenant == "" {
			return nil, fmt.Errorf("the %s method needs a tenant: give --tenant or set AZURE_TENANT_ID", req.Method)
		}
		if err := entra.ValidateTenant(req.Tenant); err != nil {
			return nil, err
		}
		if req.ClientID == "" {
			return nil, fmt.Errorf("the %s method needs a client ID: give --client-id or set AZURE_CLIENT_ID", req.Method)
		}
	}
	if req.Interaction.Prompt == nil {
		req.Interaction.Prompt = io.Discard
	}
	if req.Interaction.Timeout == 0 {
		req.Interaction.Timeout = 15 * time.Minute
	}
	if req.Timeout == 0 {
		req.Timeout = 30 * time.Second
	}
	return &settled{
		Request:   req,
		authority: authority,
		endpoint:  entra.Endpoint{Authority: authority, Tenant: req.Tenant, Version: req.Version},
	}, nil
}

// ErrInteractionRequired is returned (wrapped, with the command to run) when only a person could
// obtain the token and none may be asked.
var ErrInteractionRequired = errors.New("sign-in required")

// needPerson is the error for a flow that needs a person when the policy says there is none: why
// not, and what to do instead.
func (r *settled) needPerson() error {
	in := r.Interaction
	msg := fmt.Sprintf("no one can be asked to sign in here (%s)", cmp.Or(in.NoPerson, "no terminal, CI, or prompting disabled"))
	var remedies []string
	if in.SignInCommand != "" {
		remedies = append(remedies, "run `"+in.SignInCommand+"` first")
	}
	if in.Override != "" {
		remedies = append(remedies, in.Override)
	}
	if len(remedies) > 0 {
		msg += "; " + strings.Join(remedies, ", or ")
	}
	return fmt.Errorf("%w: %s", ErrInteractionRequired, msg)
}
