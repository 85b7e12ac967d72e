package kubelogin

import (
	"reflect"
	"strings"
	"testing"
	"time"
)

// env is a fake environment.
type env map[string]string

func (e env) get(name string) string { return e[name] }

func TestEnvironmentOverridesFlagsAsKubeloginDoes(t *testing.T) {
	flags := Options{Login: DeviceCode, ClientID: "flag-client", ClientSecret: "flag-secret", TenantID: "flag-tenant",
		Username: "flag-user", AuthorityHost: "https://flag.example/", FederatedTokenFile: "/flag"}
	for _, tc := range []struct {
		name string
		env  env
		with func(*Options)
		want func(*Options)
	}{
		{"nothing set", env{}, nil, func(o *Options) {}},
		{"AAD_ names", env{"AAD_SERVICE_PRINCIPAL_CLIENT_ID": "aad-client", "AAD_SERVICE_PRINCIPAL_CLIENT_SECRET": "aad-secret"}, nil,
			func(o *Options) { o.ClientID, o.ClientSecret = "aad-client", "aad-secret" }},
		{"AZURE_ beats AAD_", env{"AAD_SERVICE_PRINCIPAL_CLIENT_ID": "aad-client", "AZURE_CLIENT_ID": "azure-client", "AZURE_TENANT_ID": "azure-tenant"}, nil,
			func(o *Options) { o.ClientID, o.TenantID = "azure-client", "azure-tenant" }},
		{"certificate", env{"AAD_SERVICE_PRINCIPAL_CLIENT_CERTIFICATE": "/aad.pem", "AZURE_CLIENT_CERTIFICATE_PASSWORD": "pw"}, nil,
			func(o *Options) { o.ClientCertificate, o.ClientCertificatePassword = "/aad.pem", "pw" }},
		{"ropc", env{"AAD_USER_PRINCIPAL_NAME": "a@contoso", "AZURE_USERNAME": "b@contoso", "AAD_USER_PRINCIPAL_PASSWORD": "pw"}, nil,
			func(o *Options) { o.Username, o.Password = "b@contoso", "pw" }},
		{"login method", env{"AAD_LOGIN_METHOD": "interactive"}, nil, func(o *Options) { o.Login = Interactive }},
		{"timeout", env{"AZURE_CLI_TIMEOUT": "2m"}, nil, func(o *Options) { o.Timeout = 2 * time.Minute }},
		{"authority host in any mode", env{"AZURE_AUTHORITY_HOST": "https://login.microsoftonline.us/"}, nil,
			func(o *Options) { o.AuthorityHost = "https://login.microsoftonline.us/" }},
		{"token file outside workload identity", env{"AZURE_FEDERATED_TOKEN_FILE": "/env"}, nil, func(o *Options) {}},
		{"workload identity", env{"AAD_LOGIN_METHOD": "workloadidentity", "AZURE_FEDERATED_TOKEN_FILE": "/env"}, nil,
			func(o *Options) { o.Login, o.FederatedTokenFile = WorkloadIdentity, "/env" }},
		{"ARM names replace the client's", env{"ARM_CLIENT_ID": "arm-client", "ARM_TENANT_ID": "arm-tenant", "AZURE_CLIENT_ID": "azure-client", "AZURE_CLIENT_SECRET": "azure-secret"},
			func(o *Options) { o.UseAzureRMEnvVars = true },
			func(o *Options) { o.ClientID, o.TenantID = "arm-client", "arm-tenant" }},
		{"workload identity reads AZURE_CLIENT_ID even with ARM names", env{"ARM_CLIENT_ID": "arm-client", "AZURE_CLIENT_ID": "azure-client"},
			func(o *Options) { o.UseAzureRMEnvVars, o.Login = true, WorkloadIdentity },
			func(o *Options) { o.ClientID = "azure-client" }},
		{"disabled", env{"AAD_LOGIN_METHOD": "spn", "AZURE_CLIENT_ID": "azure-client", "AZURE_AUTHORITY_HOST": "https://x/"},
			func(o *Options) { o.DisableEnvironmentOverride = true }, func(o *Options) {}},
	} {
		in := flags
		if tc.with != nil {
			tc.with(&in)
		}
		want := in
		tc.want(&want)
		got, err := in.ApplyEnvironment(tc.env.get)
		if err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s:\n got %+v\nwant %+v", tc.name, got, want)
		}
	}
}

func TestEnvironmentThatCannotBeReadIsAnError(t *testing.T) {
	for _, tc := range []struct {
		env  env
		want string
	}{
		{env{"AAD_LOGIN_METHOD": "browser"}, "AAD_LOGIN_METHOD"},
		{env{"AAD_LOGIN_METHOD": "chained"}, "not supported"},
		{env{"AZURE_CLI_TIMEOUT": "sixty"}, "AZURE_CLI_TIMEOUT"},
		{env{"AZURE_CLI_TIMEOUT": "-1s"}, "AZURE_CLI_TIMEOUT"},
	} {
		_, err := Options{Login: DeviceCode}.ApplyEnvironment(tc.env.get)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: %v, want an error naming %q", tc.env, err, tc.want)
		}
	}
}

// TestAzurePipelinesVariablesFillOnlyWhatNoFlagGave: an Azure Pipelines task with a service
// connection sets AZURESUBSCRIPTION_*; they stand in for missing flags, in that mode only, and
// never over a flag.
func TestAzurePipelinesVariablesFillOnlyWhatNoFlagGave(t *testing.T) {
	task := env{"AZURESUBSCRIPTION_CLIENT_ID": "task-client", "AZURESUBSCRIPTION_TENANT_ID": "task-tenant",
		"AZURESUBSCRIPTION_SERVICE_CONNECTION_ID": "task-connection"}
	got, err := Options{Login: AzurePipelines, ClientID: "flag-client"}.ApplyEnvironment(task.get)
	if err != nil || got.ClientID != "flag-client" || got.TenantID != "task-tenant" || got.ServiceConnectionID != "task-connection" {
		t.Errorf("azurepipelines: %+v, %v", got, err)
	}
	if got, _ := (Options{Login: ServicePrincipal}).ApplyEnvironment(task.get); got.ClientID != "" || got.TenantID != "" || got.ServiceConnectionID != "" {
		t.Errorf("another mode read the task's variables: %+v", got)
	}
	if got, _ := (Options{Login: AzurePipelines, DisableEnvironmentOverride: true}).ApplyEnvironment(task.get); got.TenantID != "" {
		t.Errorf("--disable-environment-override let the task's variables in: %+v", got)
	}
	// The login mode may come from the environment too, and then the task's variables apply.
	task["AAD_LOGIN_METHOD"] = "azurepipelines"
	if got, _ := (Options{Login: DeviceCode}).ApplyEnvironment(task.get); got.Login != AzurePipelines || got.ServiceConnectionID != "task-connection" {
		t.Errorf("AAD_LOGIN_METHOD=azurepipelines: %+v", got)
	}
	if (Options{DisableEnvironmentOverride: true}).Getenv(task.get)("AZURESUBSCRIPTION_TENANT_ID") != "" {
		t.Error("--disable-environment-override does not hide AZURESUBSCRIPTION_TENANT_ID")
	}
}

func TestGetenvHidesWhatTheFlagsDisable(t *testing.T) {
	e := env{"AZURE_CLIENT_ID": "c", "AZURE_CLIENT_SECRET": "s", "AZURE_AUTHORITY_HOST": "https://x/", "AADCRED_CACHE_DIR": "/shared",
		"IDENTITY_ENDPOINT": "http://127.0.0.1:1", "HOME": "/home/me"}
	open := Options{}.Getenv(e.get)
	closed := Options{DisableEnvironmentOverride: true, CacheDir: "/own"}.Getenv(e.get)
	for _, name := range []string{"AZURE_CLIENT_ID", "AZURE_CLIENT_SECRET", "AZURE_AUTHORITY_HOST"} {
		if open(name) != e[name] {
			t.Errorf("without --disable-environment-override, %s was hidden", name)
		}
		if closed(name) != "" {
			t.Errorf("with --disable-environment-override, %s reached aadcred", name)
		}
	}
	for _, name := range []string{"IDENTITY_ENDPOINT", "HOME"} {
		if closed(name) != e[name] {
			t.Errorf("%s, which describes the machine, was hidden", name)
		}
	}
	if open("AADCRED_CACHE_DIR") != "/shared" || closed("AADCRED_CACHE_DIR") != "/own" {
		t.Errorf("--cache-dir does not stand in for AADCRED_CACHE_DIR: %q, %q", open("AADCRED_CACHE_DIR"), closed("AADCRED_CACHE_DIR"))
	}
}
