package kubelogin

import (
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"github.com/aadcred/aadcred/cmd/internal/cli"
	"github.com/aadcred/aadcred/core"
	"github.com/aadcred/aadcred/core/entra"
	"github.com/aadcred/aadcred/core/pop"
)

// ServerIDOrDefault is the cluster's server application ID: --server-id, else the AKS server,
// which is the same in every cloud.
func (o Options) ServerIDOrDefault() string {
	if o.ServerID != "" {
		return o.ServerID
	}
	return core.AKSServerID
}

// ShareSignIn drops the AKS public client that `az aks get-credentials` writes from a person's
// sign-in, as convert-kubeconfig does, so that the sign-in git and docker share serves the
// kubeconfig too and no one is asked twice; it reports whether it did.
func (o *Options) ShareSignIn() bool {
	if !o.Login.signsInUser() || !strings.EqualFold(o.ClientID, core.AKSClientID) {
		return false
	}
	o.ClientID = ""
	return true
}

// Inputs turns the options into the inputs of a token request for the cluster. Settings the
// options leave empty are resolved by the session as for every aadcred tool (environment,
// configuration file, defaults), through the Getenv the options wrap. Inputs.Interactive is
// left to the caller, which knows whether kubectl lets the plugin ask a person.
func (o Options) Inputs() (cli.Inputs, error) {
	if err := o.check(); err != nil {
		return cli.Inputs{}, err
	}
	in := cli.Inputs{
		Method:        string(o.Login.method(o.ClientCertificate != "")),
		Tenant:        o.TenantID,
		AuthorityHost: o.AuthorityHost,
		Cloud:         o.Environment,
		Account:       o.LoginHint,
		SilentTimeout: o.Timeout,
	}
	serverID := o.ServerIDOrDefault()
	if o.Legacy && o.Login.usesTokenEndpoint() {
		in.V1 = true
		in.Resource = "spn:" + serverID
	} else {
		in.Scopes = []string{serverID + "/.default"}
	}
	switch o.Login {
	case ManagedIdentity:
		// The client ID names a user-assigned identity here, not an application.
		switch {
		case o.ClientID != "":
			in.Identity = "client_id=" + o.ClientID
		case o.IdentityResourceID != "":
			in.Identity = "resource_id=" + o.IdentityResourceID
		}
	case ServicePrincipal:
		in.ClientID = o.ClientID
		in.ClientSecret = o.ClientSecret
		in.Certificate = o.ClientCertificate
		in.CertificatePassword = o.ClientCertificatePassword
	case ROPC:
		in.ClientID, in.Username, in.Password = o.ClientID, o.Username, o.Password
	case WorkloadIdentity:
		in.ClientID, in.FederatedTokenFile = o.ClientID, o.FederatedTokenFile
	case AzurePipelines:
		in.ClientID, in.ServiceConnectionID = o.ClientID, o.ServiceConnectionID
	case AzureDeveloperCLI:
		// azd signs in with its own client; only the tenant means something to it.
	case Interactive:
		in.ClientID = o.ClientID
		port, err := redirectPort(o.RedirectURL)
		if err != nil {
			return cli.Inputs{}, fmt.Errorf("--%s: %w", FlagRedirectURL, err)
		}
		in.RedirectPort = port
	default:
		in.ClientID = o.ClientID
	}
	return in, nil
}

// check refuses combinations that cannot work, naming the flags and variables that fix them,
// before any network traffic.
func (o Options) check() error {
	if o.Environment != "" {
		if _, err := core.LookupCloud(o.Environment); err != nil {
			return fmt.Errorf("--%s: %w", FlagEnvironment, err)
		}
	}
	if o.AuthorityHost != "" {
		if _, err := entra.ParseAuthority(o.AuthorityHost); err != nil {
			return fmt.Errorf("--%s (or AZURE_AUTHORITY_HOST): %w", FlagAuthorityHost, err)
		}
	}
	if err := o.CheckPoP(); err != nil {
		return err
	}
	switch o.Login {
	case ServicePrincipal:
		if o.ClientSecret == "" && o.ClientCertificate == "" {
			return errors.New("the spn login needs a client secret or certificate: set AAD_SERVICE_PRINCIPAL_CLIENT_SECRET or AZURE_CLIENT_SECRET (or give --client-certificate)")
		}
	case ROPC:
		if o.Username == "" || o.Password == "" {
			return errors.New("the ropc login needs a user name and password: set AAD_USER_PRINCIPAL_NAME and AAD_USER_PRINCIPAL_PASSWORD (or AZURE_USERNAME and AZURE_PASSWORD)")
		}
	case ManagedIdentity:
		if o.ClientID != "" && o.IdentityResourceID != "" {
			return fmt.Errorf("give either --%s or --%s for a managed identity, not both", FlagClientID, FlagIdentityResourceID)
		}
	}
	return nil
}

// redirectPort reads the port of an interactive sign-in's redirect URL. aadcred listens on the
// loopback address at its own path, so only a loopback http URL without a path of its own fits.
func redirectPort(raw string) (int, error) {
	if raw == "" {
		return 0, nil
	}
	u, err := url.Parse(raw)
	if err != nil {
		return 0, fmt.Errorf("%q is not a URL", raw)
	}
	if u.Scheme != "http" || !entra.IsLoopback(u.Hostname()) {
		return 0, fmt.Errorf("%q: the redirect must be http://localhost:<port> or http://127.0.0.1:<port>", raw)
	}
	if strings.Trim(u.Path, "/") != "" || u.RawQuery != "" || u.Fragment != "" {
		return 0, fmt.Errorf("%q: kubectl-aad chooses the redirect's path; give only the scheme, host and port", raw)
	}
	if u.Port() == "" {
		return 0, nil
	}
	port, err := strconv.Atoi(u.Port())
	if err != nil || port < 1 || port > 65535 {
		return 0, fmt.Errorf("%q: the port must be a number from 1 to 65535", raw)
	}
	return port, nil
}

// Complete adds to a token request, made from Inputs, what only kubelogin's options say: a
// proof-of-possession token and azurecli's subscription. It returns a line for the debug log
// about each setting that, as in kubelogin, does not apply to the mode and is ignored.
func (o Options) Complete(req *core.Request) (ignored []string) {
	if o.PoPEnabled {
		if o.Login.takesPoP() {
			claims, _ := pop.ParseClaims(o.PoPClaims) // check has refused claims that do not parse
			req.PoP = &core.PoP{Host: claims["u"]}
		} else {
			ignored = append(ignored, fmt.Sprintf("--%s is ignored in the %s mode, as kubelogin ignores it: only interactive, spn and ropc get proof-of-possession tokens", FlagPoPEnabled, o.Login))
		}
	}
	if o.Subscription != "" {
		if o.Login == AzureCLI {
			req.Credential.Subscription = o.Subscription
		} else {
			ignored = append(ignored, fmt.Sprintf("--%s is ignored in the %s mode, as kubelogin ignores it: it is the azurecli mode's", FlagSubscription, o.Login))
		}
	}
	return ignored
}
