package core

import "github.com/aadcred/aadcred/core/managedidentity"

// pickMethod is what Auto means for req, in the order AzureAuth uses: the application's own
// credential (federated token, then certificate, then secret), then a username and password
// from the environment, then managed identity when the environment names an endpoint, and
// otherwise a person: in the browser when one can be opened, at a device-code prompt if not.
//
// IMDS is not probed: off Azure it never answers, and a probe on every call would cost each
// tool a timeout. Azure VMs choose the managedidentity method explicitly.
func pickMethod(req Request, getenv func(string) string) Method {
	cred := req.Credential
	if how := appCredential(cred); how != "" {
		return how
	}
	if cred.Username != "" && cred.Password != "" {
		return Password
	}
	if managedidentity.Detected(getenv) {
		return ManagedIdentity
	}
	if req.Interaction.OpenBrowser != nil {
		return Browser
	}
	return DeviceCode
}
