package main

import (
	"testing"

	"github.com/aadcred/aadcred/cmd/internal/kubelogin"
	"github.com/aadcred/aadcred/core"
)

func TestSignInCommandNamesWhatTheSignInMustServe(t *testing.T) {
	const base = "kubectl aad login"
	for _, tc := range []struct {
		req  core.Request
		opts kubelogin.Options
		want string
	}{
		{core.Request{Method: core.DeviceCode}, kubelogin.Options{}, base},
		{core.Request{Method: core.DeviceCode, Tenant: "contoso.onmicrosoft.com", ClientID: core.AzureCLIClientID}, kubelogin.Options{},
			base + " --tenant contoso.onmicrosoft.com"},
		{core.Request{Method: core.Browser, Tenant: "t", ClientID: "80faf920-1908-4b52-b5ef-a8e7bedfc67a"}, kubelogin.Options{ServerID: "server"},
			base + " --tenant t --client-id 80faf920-1908-4b52-b5ef-a8e7bedfc67a --resource server"},
		{core.Request{Method: core.ClientSecret, Tenant: "t", ClientID: "c"}, kubelogin.Options{}, base},
	} {
		if got := signInCommand(base, tc.req, tc.opts); got != tc.want {
			t.Errorf("signInCommand(%+v) = %q, want %q", tc.req, got, tc.want)
		}
	}
}
