package core_test

import (
	"context"
	"strings"
	"testing"

	"github.com/aadcred/aadcred/core"
	"github.com/aadcred/aadcred/core/entra"
	"github.com/aadcred/aadcred/tests/fakeentra"
)

func TestParseMethod(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]core.Method{
		"": core.Auto, " auto ": core.Auto,
		// kubelogin's login modes.
		"devicecode": core.DeviceCode, "interactive": core.Browser, "ropc": core.Password,
		"msi": core.ManagedIdentity, "azurecli": core.AzureCLI, "workloadidentity": core.WorkloadIdentity,
		// Other spellings people type.
		"Device-Code": core.DeviceCode, "client-secret": core.ClientSecret, "certificate": core.ClientCert,
		"federated": core.WorkloadIdentity, "obo": core.OnBehalfOf, "az": core.AzureCLI, "refreshtoken": core.RefreshToken,
		"magic": "",
	} {
		got, err := core.ParseMethod(in)
		if want == "" {
			if err == nil || !strings.Contains(err.Error(), "devicecode") {
				t.Errorf("ParseMethod(%q) = %q, %v; want an error listing the methods", in, got, err)
			}
			continue
		}
		if err != nil || got != want {
			t.Errorf("ParseMethod(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, m := range core.Methods() {
		if got, err := core.ParseMethod(string(m)); err != nil || got != m {
			t.Errorf("ParseMethod(%q) = %q, %v", m, got, err)
		}
	}
}

func TestLookupCloud(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"": "https://login.microsoftonline.com", "AzureCloud": "https://login.microsoftonline.com",
		"AzureChinaCloud": "https://login.chinacloudapi.cn", "china": "https://login.chinacloudapi.cn",
		"AzureUSGovernment": "https://login.microsoftonline.us", "usgov": "https://login.microsoftonline.us",
	} {
		c, err := core.LookupCloud(in)
		if err != nil || c.AuthorityHost != want {
			t.Errorf("LookupCloud(%q) = %+v, %v; want authority %s", in, c, err, want)
		}
	}
	// Falling back to the public cloud sent US Government users to the wrong authority.
	if _, err := core.LookupCloud("AzureGermanCloud"); err == nil {
		t.Error("an unknown cloud was accepted")
	}
}

func TestCloudOfAuthority(t *testing.T) {
	t.Parallel()
	for host, want := range map[string]string{
		"https://login.microsoftonline.com": "public", "https://login.microsoftonline.us/": "usgovernment",
		"https://LOGIN.chinacloudapi.cn": "china", "https://127.0.0.1:8443/": "",
	} {
		if c, ok := core.CloudOfAuthority(host); c.Name != want || ok != (want != "") {
			t.Errorf("CloudOfAuthority(%q) = %q, %v; want %q", host, c.Name, ok, want)
		}
	}
}

// TestSignInRefusesApplications: login is for people; applications ask for tokens directly.
func TestSignInRefusesApplications(t *testing.T) {
	t.Parallel()
	w := newWorld(t, fakeentra.Options{}, nil)
	for _, method := range []core.Method{core.ClientSecret, core.ManagedIdentity, core.RefreshToken} {
		req := w.appRequest(method, "11111111-1111-4111-8111-111111111111", core.Resource(core.AzureDevOpsResource), entra.V2,
			core.Credential{ClientSecret: "s", RefreshToken: "r"})
		_, err := w.client().SignIn(context.Background(), req)
		wantError(t, err, "needs no login")
	}
	if n := len(w.fake.Requests()); n != 0 {
		t.Errorf("the fake saw %d requests", n)
	}
}
