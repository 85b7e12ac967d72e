package core

import (
	"fmt"
	"slices"
	"strings"
)

// Method is how a token is obtained.
type Method string

const (
	// Auto picks from what is configured: a federated token, a certificate, a secret, managed
	// identity when the environment says so, else a person: in the browser when one can be
	// opened, at a device-code prompt otherwise.
	Auto              Method = "auto"
	Browser           Method = "browser"          // authorization code + PKCE, loopback redirect
	DeviceCode        Method = "devicecode"       // RFC 8628 device authorization
	ClientSecret      Method = "clientsecret"     // client credentials with a secret
	ClientCert        Method = "clientcert"       // client credentials with a certificate assertion
	WorkloadIdentity  Method = "workloadidentity" // client credentials with a federated token
	AzurePipelines    Method = "azurepipelines"   // client credentials with an Azure Pipelines service connection's token
	Password          Method = "password"         // resource owner password (ROPC)
	OnBehalfOf        Method = "onbehalfof"       // exchange a user's token for another resource
	ManagedIdentity   Method = "managedidentity"  // IMDS, App Service, Cloud Shell, Azure Arc
	AzureCLI          Method = "azurecli"         // az account get-access-token
	AzureDeveloperCLI Method = "azd"              // azd auth token
	RefreshToken      Method = "refreshtoken"     // redeem a refresh token the caller holds
)

// Methods lists every method, in the order help texts show them.
func Methods() []Method {
	return []Method{Auto, Browser, DeviceCode, ClientSecret, ClientCert, WorkloadIdentity, AzurePipelines,
		Password, OnBehalfOf, ManagedIdentity, AzureCLI, AzureDeveloperCLI, RefreshToken}
}

// ParseMethod reads a method name. It also accepts the spellings other tools use, so that a
// command line written for them keeps working (kubelogin's msi, ropc and interactive).
func ParseMethod(s string) (Method, error) {
	name := strings.ToLower(strings.TrimSpace(s))
	switch name {
	case "":
		return Auto, nil
	case "interactive":
		return Browser, nil
	case "device", "device-code", "device_code":
		return DeviceCode, nil
	case "secret", "client-secret":
		return ClientSecret, nil
	case "cert", "certificate", "client-certificate":
		return ClientCert, nil
	case "msi", "managed-identity":
		return ManagedIdentity, nil
	case "ropc":
		return Password, nil
	case "workload-identity", "federated":
		return WorkloadIdentity, nil
	case "obo", "on-behalf-of":
		return OnBehalfOf, nil
	case "az", "azure-cli":
		return AzureCLI, nil
	case "azure-developer-cli":
		return AzureDeveloperCLI, nil
	case "azure-pipelines", "pipelines":
		return AzurePipelines, nil
	}
	m := Method(name)
	if !slices.Contains(Methods(), m) {
		names := make([]string, 0, len(Methods()))
		for _, m := range Methods() {
			names = append(names, string(m))
		}
		return "", fmt.Errorf("unknown method %q (one of %s)", s, strings.Join(names, ", "))
	}
	return m, nil
}

// interactive reports whether the method needs a person.
func (m Method) interactive() bool { return m == Browser || m == DeviceCode }

// userSignIn reports whether the method signs in a person whose sign-in is kept as an account,
// so that the user's tokens are cached as one, whichever of these methods got them.
func (m Method) userSignIn() bool { return m.interactive() || m == Password }

// signsInUser reports whether the method signs a user in, so that the answer carries a refresh
// token and an ID token worth keeping for the account.
func (m Method) signsInUser() bool { return m.interactive() || m == Password || m == RefreshToken }

// borrowsSignIn reports whether the method gets its token from elsewhere than Entra ID's token
// endpoint (a managed-identity endpoint, az, azd), which then decide the tenant and client.
func (m Method) borrowsSignIn() bool {
	return m == ManagedIdentity || m == AzureCLI || m == AzureDeveloperCLI
}
