package kubelogin

import (
	"fmt"
	"time"
)

// Variables kubelogin reads, and aadcred's own that say the same things.
const (
	envLoginMethod = "AAD_LOGIN_METHOD"
	envTimeout     = "AZURE_CLI_TIMEOUT"
	envCacheDir    = "AADCRED_CACHE_DIR"
)

// override is one variable that, when set, replaces a setting.
type override struct {
	name string
	set  func(*Options, string)
}

func setClientID(o *Options, v string)            { o.ClientID = v }
func setClientSecret(o *Options, v string)        { o.ClientSecret = v }
func setCertificate(o *Options, v string)         { o.ClientCertificate = v }
func setCertificatePassword(o *Options, v string) { o.ClientCertificatePassword = v }
func setTenantID(o *Options, v string)            { o.TenantID = v }

// clientOverrides are the application's variables, in kubelogin's order: where two name the same
// setting, the later wins.
var clientOverrides = []override{
	{"AAD_SERVICE_PRINCIPAL_CLIENT_ID", setClientID},
	{"AZURE_CLIENT_ID", setClientID},
	{"AAD_SERVICE_PRINCIPAL_CLIENT_SECRET", setClientSecret},
	{"AZURE_CLIENT_SECRET", setClientSecret},
	{"AAD_SERVICE_PRINCIPAL_CLIENT_CERTIFICATE", setCertificate},
	{"AZURE_CLIENT_CERTIFICATE_PATH", setCertificate},
	{"AAD_SERVICE_PRINCIPAL_CLIENT_CERTIFICATE_PASSWORD", setCertificatePassword},
	{"AZURE_CLIENT_CERTIFICATE_PASSWORD", setCertificatePassword},
	{"AZURE_TENANT_ID", setTenantID},
}

// azureRMOverrides replace clientOverrides with --use-azurerm-env-vars: Terraform's names.
var azureRMOverrides = []override{
	{"ARM_CLIENT_ID", setClientID},
	{"ARM_CLIENT_SECRET", setClientSecret},
	{"ARM_CLIENT_CERTIFICATE_PATH", setCertificate},
	{"ARM_CLIENT_CERTIFICATE_PASSWORD", setCertificatePassword},
	{"ARM_TENANT_ID", setTenantID},
}

var userOverrides = []override{
	{"AAD_USER_PRINCIPAL_NAME", func(o *Options, v string) { o.Username = v }},
	{"AZURE_USERNAME", func(o *Options, v string) { o.Username = v }},
	{"AAD_USER_PRINCIPAL_PASSWORD", func(o *Options, v string) { o.Password = v }},
	{"AZURE_PASSWORD", func(o *Options, v string) { o.Password = v }},
}

// workloadOverrides apply only in the workloadidentity mode; AZURE_CLIENT_ID applies there
// even with --use-azurerm-env-vars.
var workloadOverrides = []override{
	{"AZURE_CLIENT_ID", setClientID},
	{"AZURE_FEDERATED_TOKEN_FILE", func(o *Options, v string) { o.FederatedTokenFile = v }},
}

// authorityOverrides apply in every mode, where kubelogin applies them in workloadidentity only:
// `az aks get-credentials` bakes --environment AzurePublicCloud into every kubeconfig, and a host
// named in the environment (a sovereign cloud's, Azure Stack's, a test's) is the more specific
// and the more recent word.
var authorityOverrides = []override{
	{"AZURE_AUTHORITY_HOST", func(o *Options, v string) { o.AuthorityHost = v }},
}

// pipelinesDefaults are what an Azure Pipelines task with a service connection (AzureCLI@2,
// AzurePowerShell@5) sets. Unlike the others they only fill settings no flag gave, in the
// azurepipelines mode only, as in kubelogin.
var pipelinesDefaults = []struct {
	name    string
	setting func(*Options) *string
}{
	{"AZURESUBSCRIPTION_CLIENT_ID", func(o *Options) *string { return &o.ClientID }},
	{"AZURESUBSCRIPTION_TENANT_ID", func(o *Options) *string { return &o.TenantID }},
	{"AZURESUBSCRIPTION_SERVICE_CONNECTION_ID", func(o *Options) *string { return &o.ServiceConnectionID }},
}

// ApplyEnvironment lets kubelogin's environment variables override the flags, as kubelogin does
// after parsing them, unless DisableEnvironmentOverride is set. An empty variable counts as
// unset. A login mode or timeout in the environment that cannot be read is an error that names
// the variable.
func (o Options) ApplyEnvironment(getenv func(string) string) (Options, error) {
	if o.DisableEnvironmentOverride {
		return o, nil
	}
	apply := func(list []override) {
		for _, v := range list {
			if value := getenv(v.name); value != "" {
				v.set(&o, value)
			}
		}
	}
	if o.UseAzureRMEnvVars {
		apply(azureRMOverrides)
	} else {
		apply(clientOverrides)
	}
	apply(userOverrides)
	if v := getenv(envLoginMethod); v != "" {
		login, err := ParseLogin(v)
		if err != nil {
			return Options{}, fmt.Errorf("%s: %w", envLoginMethod, err)
		}
		o.Login = login
	}
	switch o.Login {
	case WorkloadIdentity:
		apply(workloadOverrides)
	case AzurePipelines:
		for _, v := range pipelinesDefaults {
			if setting := v.setting(&o); *setting == "" {
				*setting = getenv(v.name)
			}
		}
	}
	apply(authorityOverrides)
	if v := getenv(envTimeout); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 {
			return Options{}, fmt.Errorf("%s=%q is not a duration longer than zero, such as 60s", envTimeout, v)
		}
		o.Timeout = d
	}
	return o, nil
}

// hiddenByDisable are the variables that, with --disable-environment-override, must not reach
// aadcred's own resolution either: everything kubelogin would have read, and the azidentity
// names aadcred reads for the same settings.
func hiddenByDisable() map[string]bool {
	hidden := map[string]bool{
		envLoginMethod: true, envTimeout: true,
		"AZURE_CLIENT_SEND_CERTIFICATE_CHAIN": true,
	}
	for _, list := range [][]override{clientOverrides, azureRMOverrides, userOverrides, workloadOverrides, authorityOverrides} {
		for _, v := range list {
			hidden[v.name] = true
		}
	}
	for _, v := range pipelinesDefaults {
		hidden[v.name] = true
	}
	return hidden
}

// Getenv wraps getenv for the rest of the run, so that aadcred's own resolution of the
// environment agrees with these options: with DisableEnvironmentOverride it hides the variables
// kubelogin would have read, and a --cache-dir stands in for AADCRED_CACHE_DIR.
func (o Options) Getenv(getenv func(string) string) func(string) string {
	hidden := map[string]bool{}
	if o.DisableEnvironmentOverride {
		hidden = hiddenByDisable()
	}
	return func(name string) string {
		switch {
		case name == envCacheDir && o.CacheDir != "":
			return o.CacheDir
		case hidden[name]:
			return ""
		}
		return getenv(name)
	}
}
