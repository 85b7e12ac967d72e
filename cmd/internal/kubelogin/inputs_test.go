package kubelogin

import (
	"reflect"
	"strings"
	"testing"

	"github.com/aadcred/aadcred/cmd/internal/cli"
	"github.com/aadcred/aadcred/core"
)

func TestInputsForEachMode(t *testing.T) {
	const server = "6dae42f8-4368-4678-94ff-3960e28e3630"
	scopes := []string{server + "/.default"}
	for _, tc := range []struct {
		name string
		o    Options
		want cli.Inputs
	}{
		{"devicecode", Options{Login: DeviceCode, TenantID: "t", ClientID: "c"},
			cli.Inputs{Method: "devicecode", Tenant: "t", ClientID: "c", Scopes: scopes}},
		{"interactive", Options{Login: Interactive, RedirectURL: "http://localhost:8400", LoginHint: "a@contoso"},
			cli.Inputs{Method: "browser", RedirectPort: 8400, Account: "a@contoso", Scopes: scopes}},
		{"spn secret", Options{Login: ServicePrincipal, ClientID: "c", ClientSecret: "s"},
			cli.Inputs{Method: "clientsecret", ClientID: "c", ClientSecret: "s", Scopes: scopes}},
		{"spn certificate", Options{Login: ServicePrincipal, ClientID: "c", ClientCertificate: "/c.pfx", ClientCertificatePassword: "p"},
			cli.Inputs{Method: "clientcert", ClientID: "c", Certificate: "/c.pfx", CertificatePassword: "p", Scopes: scopes}},
		{"ropc", Options{Login: ROPC, Username: "u", Password: "p"},
			cli.Inputs{Method: "password", Username: "u", Password: "p", Scopes: scopes}},
		{"msi system", Options{Login: ManagedIdentity},
			cli.Inputs{Method: "managedidentity", Scopes: scopes}},
		{"msi client ID", Options{Login: ManagedIdentity, ClientID: "mi"},
			cli.Inputs{Method: "managedidentity", Identity: "client_id=mi", Scopes: scopes}},
		{"msi resource ID", Options{Login: ManagedIdentity, IdentityResourceID: "/subscriptions/s/x"},
			cli.Inputs{Method: "managedidentity", Identity: "resource_id=/subscriptions/s/x", Scopes: scopes}},
		{"azurecli", Options{Login: AzureCLI, TenantID: "t"},
			cli.Inputs{Method: "azurecli", Tenant: "t", Scopes: scopes}},
		{"workloadidentity", Options{Login: WorkloadIdentity, ClientID: "c", FederatedTokenFile: "/f"},
			cli.Inputs{Method: "workloadidentity", ClientID: "c", FederatedTokenFile: "/f", Scopes: scopes}},
		{"azd", Options{Login: AzureDeveloperCLI, TenantID: "t", ClientID: "ignored", Legacy: true},
			cli.Inputs{Method: "azd", Tenant: "t", Scopes: scopes}},
		{"azurepipelines", Options{Login: AzurePipelines, TenantID: "t", ClientID: "c", ServiceConnectionID: "conn"},
			cli.Inputs{Method: "azurepipelines", Tenant: "t", ClientID: "c", ServiceConnectionID: "conn", Scopes: scopes}},
		{"legacy", Options{Login: DeviceCode, Legacy: true, ServerID: "other"},
			cli.Inputs{Method: "devicecode", V1: true, Resource: "spn:other"}},
		{"legacy is ignored by msi", Options{Login: ManagedIdentity, Legacy: true},
			cli.Inputs{Method: "managedidentity", Scopes: scopes}},
		{"cloud and authority", Options{Login: DeviceCode, Environment: "AzureUSGovernmentCloud", AuthorityHost: "https://login.microsoftonline.us/"},
			cli.Inputs{Method: "devicecode", Cloud: "AzureUSGovernmentCloud", AuthorityHost: "https://login.microsoftonline.us/", Scopes: scopes}},
		{"timeout", Options{Login: ManagedIdentity, Timeout: 5e9},
			cli.Inputs{Method: "managedidentity", SilentTimeout: 5e9, Scopes: scopes}},
	} {
		got, err := tc.o.Inputs()
		if err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		if !equalInputs(got, tc.want) {
			t.Errorf("%s:\n got %+v\nwant %+v", tc.name, got, tc.want)
		}
		if _, err := core.ParseMethod(got.Method); err != nil {
			t.Errorf("%s: core does not know method %q", tc.name, got.Method)
		}
	}
}

func equalInputs(a, b cli.Inputs) bool { return reflect.DeepEqual(a, b) }

func TestInputsRefusesWhatCannotWork(t *testing.T) {
	for _, tc := range []struct {
		o    Options
		want string
	}{
		{Options{Login: DeviceCode, Environment: "AzureGermanCloud"}, `unknown cloud "AzureGermanCloud"`},
		{Options{Login: DeviceCode, AuthorityHost: "http://login.example"}, "https"},
		{Options{Login: ServicePrincipal, ClientID: "c"}, "AAD_SERVICE_PRINCIPAL_CLIENT_SECRET"},
		{Options{Login: ROPC, Username: "u"}, "AAD_USER_PRINCIPAL_PASSWORD"},
		{Options{Login: ManagedIdentity, ClientID: "c", IdentityResourceID: "/r"}, "not both"},
		{Options{Login: Interactive, RedirectURL: "https://localhost:8400"}, "http://localhost:<port>"},
		{Options{Login: Interactive, RedirectURL: "http://example.com:8400"}, "http://localhost:<port>"},
		{Options{Login: Interactive, RedirectURL: "http://localhost:8400/callback"}, "path"},
		{Options{Login: Interactive, RedirectURL: "http://localhost:99999"}, "port"},
		{Options{Login: Interactive, RedirectURL: "http://[::1"}, "not a URL"},
		{Options{Login: Interactive, PoPEnabled: true}, "--pop-enabled needs --pop-claims"},
		{Options{Login: Interactive, PoPClaims: "u=x"}, "--pop-claims needs --pop-enabled"},
		{Options{Login: Interactive, PoPEnabled: true, PoPClaims: "1=2"}, "no u claim"},
	} {
		_, err := tc.o.Inputs()
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%+v: %v, want an error containing %q", tc.o, err, tc.want)
		}
	}
}

func TestRedirectPortAcceptsLoopbackForms(t *testing.T) {
	for raw, want := range map[string]int{"": 0, "http://localhost": 0, "http://localhost/": 0, "http://127.0.0.1:8400": 8400, "http://[::1]:9000/": 9000} {
		if got, err := redirectPort(raw); err != nil || got != want {
			t.Errorf("redirectPort(%q) = %d, %v; want %d", raw, got, err, want)
		}
	}
}

func FuzzRedirectPort(f *testing.F) {
	for _, seed := range []string{"http://localhost:8400", "http://127.0.0.1", "https://localhost:1", "http://localhost:0", "http://user@localhost:80/x?y#z", "%zz"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		port, err := redirectPort(raw)
		if err == nil && (port < 0 || port > 65535) {
			t.Fatalf("redirectPort(%q) = %d", raw, port)
		}
	})
}

func TestCompleteAddsWhatOnlyKubeloginSays(t *testing.T) {
	const arc = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Kubernetes/connectedClusters/arc"
	for _, tc := range []struct {
		name    string
		o       Options
		want    core.Request
		ignored string
	}{
		{"pop in spn", Options{Login: ServicePrincipal, PoPEnabled: true, PoPClaims: "u=" + arc + ", 1=2"},
			core.Request{PoP: &core.PoP{Host: arc}}, ""},
		{"pop ignored in msi", Options{Login: ManagedIdentity, PoPEnabled: true, PoPClaims: "u=" + arc},
			core.Request{}, "--pop-enabled is ignored in the msi mode"},
		{"subscription in azurecli", Options{Login: AzureCLI, Subscription: "sub"},
			core.Request{Credential: core.Credential{Subscription: "sub"}}, ""},
		{"subscription ignored in devicecode", Options{Login: DeviceCode, Subscription: "sub"},
			core.Request{}, "--subscription is ignored in the devicecode mode"},
	} {
		var req core.Request
		ignored := strings.Join(tc.o.Complete(&req), "\n")
		if !reflect.DeepEqual(req, tc.want) {
			t.Errorf("%s: request %+v, want %+v", tc.name, req, tc.want)
		}
		if (tc.ignored == "") != (ignored == "") || !strings.Contains(ignored, tc.ignored) {
			t.Errorf("%s: ignored %q, want %q", tc.name, ignored, tc.ignored)
		}
	}
}
