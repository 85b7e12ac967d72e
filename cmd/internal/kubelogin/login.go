package kubelogin

import (
	"fmt"
	"strings"

	"github.com/aadcred/aadcred/core"
)

// Login is one of kubelogin's login modes (-l, --login).
type Login string

// The login modes kubectl-aad supports.
const (
	DeviceCode        Login = "devicecode"
	Interactive       Login = "interactive"
	ServicePrincipal  Login = "spn"
	ROPC              Login = "ropc"
	ManagedIdentity   Login = "msi"
	AzureCLI          Login = "azurecli"
	AzureDeveloperCLI Login = "azd"
	WorkloadIdentity  Login = "workloadidentity"
	AzurePipelines    Login = "azurepipelines"
)

// Logins lists the supported modes in kubelogin's order.
func Logins() []Login {
	return []Login{DeviceCode, Interactive, ServicePrincipal, ROPC, ManagedIdentity, AzureCLI, AzureDeveloperCLI, WorkloadIdentity, AzurePipelines}
}

// unsupportedLogins are kubelogin's modes that kubectl-aad does not implement, with what to use
// instead.
var unsupportedLogins = map[string]string{
	"chained": "it tries several modes in turn, which hides why the one you meant failed; name that mode with --login",
}

// ParseLogin reads a login mode as kubelogin spells it (case-sensitively, as kubelogin does).
func ParseLogin(s string) (Login, error) {
	for _, l := range Logins() {
		if s == string(l) {
			return l, nil
		}
	}
	if why, ok := unsupportedLogins[s]; ok {
		return "", fmt.Errorf("login mode %q is not supported by kubectl-aad: %s", s, why)
	}
	names := make([]string, 0, len(Logins()))
	for _, l := range Logins() {
		names = append(names, string(l))
	}
	return "", fmt.Errorf("unknown login mode %q (one of %s)", s, strings.Join(names, ", "))
}

// signsInUser reports whether the mode signs in a person, whose sign-in is kept and shared.
func (l Login) signsInUser() bool { return l == DeviceCode || l == Interactive || l == ROPC }

// usesTokenEndpoint reports whether the mode asks Entra ID's token endpoint itself, where
// --legacy (a v1 token for spn:<server-id>) applies. Managed identity and the Azure CLIs get
// their tokens elsewhere and, as in kubelogin, ignore --legacy.
func (l Login) usesTokenEndpoint() bool {
	return l != ManagedIdentity && l != AzureCLI && l != AzureDeveloperCLI
}

// takesPoP reports whether kubelogin honours --pop-enabled in the mode; it ignores it in the
// others.
func (l Login) takesPoP() bool { return l == Interactive || l == ServicePrincipal || l == ROPC }

// method is the core method that carries out the mode; spn depends on the credential given.
func (l Login) method(hasCertificate bool) core.Method {
	switch l {
	case DeviceCode:
		return core.DeviceCode
	case Interactive:
		return core.Browser
	case ServicePrincipal:
		if hasCertificate {
			return core.ClientCert
		}
		return core.ClientSecret
	case ROPC:
		return core.Password
	case ManagedIdentity:
		return core.ManagedIdentity
	case AzureCLI:
		return core.AzureCLI
	case AzureDeveloperCLI:
		return core.AzureDeveloperCLI
	case WorkloadIdentity:
		return core.WorkloadIdentity
	case AzurePipelines:
		return core.AzurePipelines
	}
	return core.Auto
}
