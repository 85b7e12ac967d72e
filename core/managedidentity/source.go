package managedidentity

import (
	"os"
)

// Source is the kind of endpoint that hands out the machine's managed-identity tokens.
type Source string

// The sources, in the order Client.Source tries them (last of all IMDS).
const (
	ServiceFabric Source = "Service Fabric"
	AppService    Source = "App Service" // also Functions and Container Apps
	AzureML       Source = "Azure ML"
	CloudShell    Source = "Cloud Shell"
	AzureArc      Source = "Azure Arc"
	IMDS          Source = "IMDS" // VMs, scale sets, AKS nodes
)

// The platforms' variables (REFERENCE 2.6) and aadcred's own overrides.
const (
	envIdentityEndpoint   = "IDENTITY_ENDPOINT"
	envIdentityHeader     = "IDENTITY_HEADER"
	envServerThumbprint   = "IDENTITY_SERVER_THUMBPRINT"
	envIMDSEndpoint       = "IMDS_ENDPOINT"
	envMSIEndpoint        = "MSI_ENDPOINT"
	envMSISecret          = "MSI_SECRET"
	envDefaultMLClientID  = "DEFAULT_IDENTITY_CLIENT_ID"
	envAADCredIMDS        = "AADCRED_IMDS_ENDPOINT"
	envAADCredArcTokenDir = "AADCRED_ARC_TOKENS_DIR"
)

// Detected reports whether the environment names a managed-identity source other than IMDS, which
// is what lets the "auto" method choose managed identity without probing the network. It looks
// at variables only: an Arc machine recognised by its agent's files alone is not reported. A nil
// getenv means os.Getenv.
func Detected(getenv func(string) string) bool {
	return sourceFromEnv(orOSGetenv(getenv)) != IMDS
}

// Source reports which endpoint Token will use, from the environment first and then the Azure Arc
// agent's presence on disk; IMDS when nothing else matches. The order is MSAL's, so that a machine
// is read the same way by aadcred and the Azure SDKs.
func (c *Client) Source() Source {
	if s := sourceFromEnv(c.getenv); s != IMDS {
		return s
	}
	if _, err := os.Stat(c.arcAgentPath()); err == nil {
		return AzureArc
	}
	return IMDS
}

func sourceFromEnv(getenv func(string) string) Source {
	identityEndpoint := getenv(envIdentityEndpoint) != ""
	identityHeader := getenv(envIdentityHeader) != ""
	msiEndpoint := getenv(envMSIEndpoint) != ""
	switch {
	case identityEndpoint && identityHeader && getenv(envServerThumbprint) != "":
		return ServiceFabric
	case identityEndpoint && identityHeader:
		return AppService
	case msiEndpoint && getenv(envMSISecret) != "":
		return AzureML
	case msiEndpoint:
		return CloudShell
	case identityEndpoint && getenv(envIMDSEndpoint) != "":
		return AzureArc
	}
	return IMDS
}

func orOSGetenv(getenv func(string) string) func(string) string {
	if getenv == nil {
		return os.Getenv
	}
	return getenv
}
