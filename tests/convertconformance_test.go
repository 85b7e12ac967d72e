package tests

import (
	"cmp"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"

	"github.com/aadcred/aadcred/tests/harness"
)

// The conformance table of convert-kubeconfig against Azure/kubelogin's converter. Each case is
// a kubeconfig user (an azure auth-provider, or an exec user), the flags given, and the get-token
// arguments kubelogin's converter writes for it, as its documentation and its own test table
// describe: the mode's required settings taken from the flags, else from the old user, and the
// mode's optional ones. Arguments are compared as kubelogin's tests compare them: the same flags
// with the same values, in any order.
//
// Where kubectl-aad differs on purpose, the case says so and why: it never writes a secret into
// a kubeconfig (it refuses, naming the variable that supplies the secret at run time), and it
// does not carry kubelogin's own cache directory over.

const (
	cfServer    = "server-app-id"
	cfClient    = "user-client-id"
	cfSPClient  = "sp-client-id"
	cfTenant    = "tenant-1"
	cfCloud     = "AzureUSGovernmentCloud"
	cfCert      = "/etc/aks/sp.pfx"
	cfUser      = "alice@contoso.com"
	cfMSI       = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/kubectl"
	cfAuthority = "https://login.microsoftonline.com/"
	cfTokenFile = "/var/run/secrets/azure/tokens/azure-identity-token"
	cfCacheDir  = "/home/me/.kube/cache/kubelogin"
	cfAzureDir  = "/home/me/.azure"
	cfPoPClaims = "u=/subscriptions/s/resourceGroups/rg/providers/Microsoft.Kubernetes/connectedClusters/arc, 1=2"
)

// conversionCase is one row of the table.
type conversionCase struct {
	name string
	// provider is an azure auth-provider's config; exec an exec user's args; command the exec
	// user's command (kubelogin when empty) and hint its install hint.
	provider map[string]string
	exec     []string
	command  string
	hint     string
	flags    []string
	// want is what kubelogin writes; nil means the user is left as it is.
	want []string
	// wantHint is the install hint the user keeps, when it is its own.
	wantHint string
	wantEnv  []clientcmdapi.ExecEnvVar
	// refused is part of the error when the conversion is refused (by kubelogin, or by
	// kubectl-aad for the reason deviation gives); nothing is written then.
	refused string
	// ours is what kubectl-aad writes instead of want, for the reason deviation gives.
	ours      []string
	deviation string
}

// legacyProvider is an azure auth-provider of the legacy AAD integration (config-mode 0).
func legacyProvider(mode string) map[string]string {
	p := map[string]string{"environment": cfCloud, "apiserver-id": cfServer, "client-id": cfClient, "tenant-id": cfTenant}
	if mode != "" {
		p["config-mode"] = mode
	}
	return p
}

// devicecodeUser is an exec user that runs kubelogin in devicecode mode, with more args.
func devicecodeUser(more ...string) []string {
	return append([]string{"get-token", "--server-id", cfServer, "--client-id", cfClient, "--tenant-id", cfTenant,
		"--environment", cfCloud, "--login", "devicecode"}, more...)
}

func azurecliUser(more ...string) []string {
	return append([]string{"get-token", "--server-id", cfServer, "--login", "azurecli"}, more...)
}

const noSecrets = "convert-kubeconfig never writes a secret into a kubeconfig, where every program that can read the file can read it; get-token takes it from the environment"

var conversionTable = []conversionCase{
	{name: "an auth-provider that is not azure is left alone", provider: map[string]string{}, want: nil},
	{name: "an exec user of another plugin keeps its args and install hint", exec: []string{"--bar"}, command: "foo", hint: "foo install hint", want: nil, wantHint: "foo install hint"},

	// From the azure auth-provider.
	// kubelogin's table has this case twice, once with an install hint, which an auth-provider
	// user has no place for. Replacing kubelogin's stock hint is checked by install/kubeconfig's
	// TestConvertKeepsAnInstallHintOfItsOwn.
	{name: "auth-provider to msi", provider: legacyProvider("0"), flags: []string{"--login", "msi"},
		want: []string{"get-token", "--server-id", cfServer, "--login", "msi"}},
	{name: "auth-provider to msi with the identity's client ID", provider: legacyProvider("0"), flags: []string{"--login", "msi", "--client-id", "msi-client-id"},
		want: []string{"get-token", "--server-id", cfServer, "--client-id", "msi-client-id", "--login", "msi"}},
	{name: "auth-provider of the legacy integration to workloadidentity: no --legacy", provider: legacyProvider("0"), flags: []string{"--login", "workloadidentity"},
		want: []string{"get-token", "--server-id", cfServer, "--login", "workloadidentity"}},
	{name: "auth-provider of the legacy integration to workloadidentity with its settings: no --legacy", provider: legacyProvider("0"),
		flags: []string{"--login", "workloadidentity", "--client-id", cfSPClient, "--tenant-id", cfTenant, "--authority-host", cfAuthority, "--federated-token-file", cfTokenFile},
		want: []string{"get-token", "--server-id", cfServer, "--client-id", cfSPClient, "--tenant-id", cfTenant, "--authority-host", cfAuthority,
			"--federated-token-file", cfTokenFile, "--login", "workloadidentity"}},
	{name: "auth-provider without a cloud to spn", provider: map[string]string{"apiserver-id": cfServer, "client-id": cfClient, "tenant-id": cfTenant, "config-mode": "1"},
		flags: []string{"--login", "spn", "--client-id", cfSPClient},
		want:  []string{"get-token", "--server-id", cfServer, "--client-id", cfSPClient, "--tenant-id", cfTenant, "--login", "spn"}},
	{name: "auth-provider to spn with a client secret", provider: legacyProvider("1"), flags: []string{"--login", "spn", "--client-id", cfSPClient, "--client-secret", "s3cr3t"},
		want:    []string{"get-token", "--server-id", cfServer, "--client-id", cfSPClient, "--client-secret", "s3cr3t", "--tenant-id", cfTenant, "--environment", cfCloud, "--login", "spn"},
		refused: "set AAD_SERVICE_PRINCIPAL_CLIENT_SECRET or AZURE_CLIENT_SECRET where kubectl runs", deviation: noSecrets},
	{name: "auth-provider to spn with a certificate", provider: legacyProvider("1"), flags: []string{"--login", "spn", "--client-id", cfSPClient, "--client-certificate", cfCert},
		want: []string{"get-token", "--server-id", cfServer, "--client-id", cfSPClient, "--client-certificate", cfCert, "--tenant-id", cfTenant, "--environment", cfCloud, "--login", "spn"}},
	{name: "auth-provider to spn with a certificate and its password", provider: legacyProvider("1"),
		flags: []string{"--login", "spn", "--client-id", cfSPClient, "--client-certificate", cfCert, "--client-certificate-password", "p4ss"},
		want: []string{"get-token", "--server-id", cfServer, "--client-id", cfSPClient, "--client-certificate", cfCert, "--client-certificate-password", "p4ss",
			"--tenant-id", cfTenant, "--environment", cfCloud, "--login", "spn"},
		refused: "set AAD_SERVICE_PRINCIPAL_CLIENT_CERTIFICATE_PASSWORD or AZURE_CLIENT_CERTIFICATE_PASSWORD where kubectl runs", deviation: noSecrets},
	{name: "auth-provider to ropc", provider: legacyProvider("1"), flags: []string{"--login", "ropc"},
		want: []string{"get-token", "--server-id", cfServer, "--client-id", cfClient, "--tenant-id", cfTenant, "--environment", cfCloud, "--login", "ropc"}},
	{name: "auth-provider to ropc with a user name and password", provider: legacyProvider("1"), flags: []string{"--login", "ropc", "--username", cfUser, "--password", "p4ss"},
		want: []string{"get-token", "--server-id", cfServer, "--client-id", cfClient, "--username", cfUser, "--password", "p4ss",
			"--tenant-id", cfTenant, "--environment", cfCloud, "--login", "ropc"},
		refused: "set AAD_USER_PRINCIPAL_PASSWORD or AZURE_PASSWORD where kubectl runs", deviation: noSecrets},
	{name: "auth-provider to azurecli: the tenant is az's own", provider: legacyProvider("1"), flags: []string{"--login", "azurecli"},
		want: []string{"get-token", "--server-id", cfServer, "--login", "azurecli"}},
	{name: "auth-provider to azd: the tenant is azd's own", provider: legacyProvider("1"), flags: []string{"--login", "azd"},
		want: []string{"get-token", "--server-id", cfServer, "--login", "azd"}},
	{name: "auth-provider to azurecli with a tenant given", provider: legacyProvider("1"), flags: []string{"--login", "azurecli", "--tenant-id", cfTenant},
		want: []string{"get-token", "--server-id", cfServer, "--login", "azurecli", "--tenant-id", cfTenant}},
	{name: "auth-provider to azd with a tenant given", provider: legacyProvider("1"), flags: []string{"--login", "azd", "--tenant-id", cfTenant},
		want: []string{"get-token", "--server-id", cfServer, "--login", "azd", "--tenant-id", cfTenant}},
	{name: "auth-provider to azurecli with a cache directory given", provider: legacyProvider("1"), flags: []string{"--login", "azurecli", "--token-cache-dir", cfCacheDir},
		want: []string{"get-token", "--server-id", cfServer, "--login", "azurecli", "--cache-dir", cfCacheDir}},
	{name: "auth-provider of the legacy integration to devicecode, with every setting given again, secrets too", provider: legacyProvider("0"),
		flags: []string{"--environment", cfCloud, "--server-id", cfServer, "--client-id", cfClient, "--tenant-id", cfTenant, "--client-secret", "s3cr3t",
			"--client-certificate", cfCert, "--client-certificate-password", "p4ss", "--username", cfUser, "--password", "p4ss", "--login", "devicecode"},
		want:    []string{"get-token", "--environment", cfCloud, "--server-id", cfServer, "--client-id", cfClient, "--tenant-id", cfTenant, "--legacy", "--login", "devicecode"},
		refused: "set AAD_SERVICE_PRINCIPAL_CLIENT_SECRET or AZURE_CLIENT_SECRET where kubectl runs", deviation: noSecrets},
	{name: "auth-provider of the new integration to devicecode with --legacy given", provider: map[string]string{"config-mode": "1"},
		flags: []string{"--environment", cfCloud, "--server-id", cfServer, "--client-id", cfClient, "--tenant-id", cfTenant, "--login", "devicecode", "--legacy"},
		want:  []string{"get-token", "--environment", cfCloud, "--server-id", cfServer, "--client-id", cfClient, "--tenant-id", cfTenant, "--legacy", "--login", "devicecode"}},
	{name: "auth-provider without a config mode, no --login: devicecode, legacy", provider: legacyProvider(""),
		want: []string{"get-token", "--environment", cfCloud, "--server-id", cfServer, "--client-id", cfClient, "--tenant-id", cfTenant, "--legacy", "--login", "devicecode"}},
	{name: "auth-provider of config mode 0, no --login: devicecode, legacy", provider: legacyProvider("0"),
		want: []string{"get-token", "--environment", cfCloud, "--server-id", cfServer, "--client-id", cfClient, "--tenant-id", cfTenant, "--legacy", "--login", "devicecode"}},
	{name: "auth-provider of config mode 1, no --login: devicecode, not legacy", provider: legacyProvider("1"),
		want: []string{"get-token", "--environment", cfCloud, "--server-id", cfServer, "--client-id", cfClient, "--tenant-id", cfTenant, "--login", "devicecode"}},

	// From kubelogin exec users.
	{name: "azurecli to azurecli drops the tenant, client and cloud", exec: []string{"get-token", "--environment", cfCloud, "--server-id", cfServer, "--client-id", cfClient, "--tenant-id", cfTenant, "--login", "azurecli"},
		flags: []string{"--login", "azurecli"}, want: azurecliUser()},
	{name: "azurecli to azurecli keeps the user's own install hint", exec: []string{"get-token", "--environment", cfCloud, "--server-id", cfServer, "--client-id", cfClient, "--tenant-id", cfTenant, "--login", "azurecli"},
		hint: "Preserve this install hint", flags: []string{"--login", "azurecli"}, want: azurecliUser(), wantHint: "Preserve this install hint"},
	{name: "azurecli to azurecli with a tenant given", exec: []string{"get-token", "--environment", cfCloud, "--server-id", cfServer, "--client-id", cfClient, "--tenant-id", cfTenant, "--login", "azurecli"},
		flags: []string{"--login", "azurecli", "--tenant-id", cfTenant}, want: azurecliUser("--tenant-id", cfTenant)},
	{name: "azurecli to azurecli with a cloud given: azurecli takes none", exec: []string{"get-token", "--server-id", cfServer, "--client-id", cfClient, "--tenant-id", cfTenant, "--login", "azurecli"},
		flags: []string{"--login", "azurecli", "--environment", cfCloud}, want: azurecliUser()},
	{name: "azurecli with no settings to azurecli with them given", exec: []string{"get-token"},
		flags: []string{"--login", "azurecli", "--server-id", cfServer, "--client-id", cfClient, "--tenant-id", cfTenant, "--environment", cfCloud},
		want:  azurecliUser("--tenant-id", cfTenant)},
	{name: "azurecli to devicecode with a client and tenant given", exec: azurecliUser(), flags: []string{"--client-id", cfClient, "--tenant-id", cfTenant, "--login", "devicecode"},
		want: []string{"get-token", "--server-id", cfServer, "--client-id", cfClient, "--tenant-id", cfTenant, "--login", "devicecode"}},
	{name: "azurecli to devicecode keeps the user's own install hint", exec: azurecliUser(), hint: "Preserve this install hint",
		flags: []string{"--client-id", cfClient, "--tenant-id", cfTenant, "--login", "devicecode"},
		want:  []string{"get-token", "--server-id", cfServer, "--client-id", cfClient, "--tenant-id", cfTenant, "--login", "devicecode"}, wantHint: "Preserve this install hint"},
	{name: "azurecli without a server to devicecode with every setting given", exec: []string{"get-token", "--login", "azurecli"},
		flags: []string{"--login", "devicecode", "--server-id", cfServer, "--client-id", cfClient, "--tenant-id", cfTenant, "--environment", cfCloud},
		want:  []string{"get-token", "--environment", cfCloud, "--server-id", cfServer, "--client-id", cfClient, "--tenant-id", cfTenant, "--login", "devicecode"}},
	{name: "devicecode stays devicecode", exec: devicecodeUser(), want: devicecodeUser()},
	{name: "devicecode with --legacy given", exec: devicecodeUser(), flags: []string{"--legacy"}, want: devicecodeUser("--legacy")},
	{name: "devicecode of the legacy integration stays legacy", exec: devicecodeUser("--legacy"), flags: []string{"--login", "devicecode"}, want: devicecodeUser("--legacy")},
	{name: "devicecode to azurecli", exec: devicecodeUser(), flags: []string{"--login", "azurecli"}, want: azurecliUser()},
	{name: "devicecode to azurecli with a cache directory given by its old name", exec: devicecodeUser(), flags: []string{"--login", "azurecli", "--token-cache-dir", cfCacheDir},
		want: azurecliUser("--cache-dir", cfCacheDir)},
	{name: "devicecode with kubelogin's cache directory to azurecli", exec: devicecodeUser("--cache-dir", cfCacheDir), flags: []string{"--login", "azurecli"},
		want: azurecliUser("--cache-dir", cfCacheDir), ours: azurecliUser(),
		deviation: "an old user's --cache-dir is where kubelogin kept its sign-in; kubectl-aad keeps tokens in aadcred's store, which git and docker share, and reports the old directory as left out"},
	{name: "devicecode to azurecli with a cache directory given", exec: devicecodeUser(), flags: []string{"--login", "azurecli", "--cache-dir", cfCacheDir},
		want: azurecliUser("--cache-dir", cfCacheDir)},
	{name: "devicecode with kubelogin's cache directory, by its old name, to azurecli", exec: devicecodeUser("--token-cache-dir", cfCacheDir), flags: []string{"--login", "azurecli"},
		want: azurecliUser("--cache-dir", cfCacheDir), ours: azurecliUser(),
		deviation: "an old user's --cache-dir is where kubelogin kept its sign-in; kubectl-aad keeps tokens in aadcred's store, which git and docker share, and reports the old directory as left out"},
	{name: "devicecode to spn keeps the client ID", exec: devicecodeUser(), flags: []string{"--login", "spn"},
		want: []string{"get-token", "--environment", cfCloud, "--server-id", cfServer, "--tenant-id", cfTenant, "--client-id", cfClient, "--login", "spn"}},
	{name: "devicecode without a cloud to spn keeps the client ID", exec: []string{"get-token", "--server-id", cfServer, "--client-id", cfClient, "--tenant-id", cfTenant, "--login", "devicecode"},
		flags: []string{"--login", "spn"},
		want:  []string{"get-token", "--server-id", cfServer, "--tenant-id", cfTenant, "--client-id", cfClient, "--login", "spn"}},
	{name: "devicecode to spn with the service principal's client ID given", exec: devicecodeUser(), flags: []string{"--login", "spn", "--client-id", cfSPClient},
		want: []string{"get-token", "--environment", cfCloud, "--server-id", cfServer, "--client-id", cfSPClient, "--tenant-id", cfTenant, "--login", "spn"}},
	{name: "devicecode to spn with --legacy given", exec: devicecodeUser(), flags: []string{"--login", "spn", "--client-id", cfSPClient, "--legacy"},
		want: []string{"get-token", "--environment", cfCloud, "--server-id", cfServer, "--client-id", cfSPClient, "--tenant-id", cfTenant, "--legacy", "--login", "spn"}},
	{name: "devicecode to msi: system-assigned", exec: devicecodeUser(), flags: []string{"--login", "msi"},
		want: []string{"get-token", "--server-id", cfServer, "--login", "msi"}},
	{name: "devicecode to msi with the identity's client ID", exec: devicecodeUser(), flags: []string{"--login", "msi", "--client-id", cfSPClient},
		want: []string{"get-token", "--server-id", cfServer, "--client-id", cfSPClient, "--login", "msi"}},
	{name: "devicecode to msi with the identity's resource ID", exec: devicecodeUser(), flags: []string{"--login", "msi", "--identity-resource-id", cfMSI},
		want: []string{"get-token", "--server-id", cfServer, "--identity-resource-id", cfMSI, "--login", "msi"}},
	{name: "devicecode to ropc", exec: devicecodeUser(), flags: []string{"--login", "ropc"},
		want: []string{"get-token", "--server-id", cfServer, "--client-id", cfClient, "--tenant-id", cfTenant, "--environment", cfCloud, "--login", "ropc"}},
	{name: "devicecode to ropc with --legacy given", exec: devicecodeUser(), flags: []string{"--login", "ropc", "--legacy"},
		want: []string{"get-token", "--server-id", cfServer, "--client-id", cfClient, "--tenant-id", cfTenant, "--environment", cfCloud, "--legacy", "--login", "ropc"}},
	{name: "devicecode to ropc with a user name and password", exec: devicecodeUser(), flags: []string{"--login", "ropc", "--username", cfUser, "--password", "p4ss"},
		want: []string{"get-token", "--server-id", cfServer, "--client-id", cfClient, "--username", cfUser, "--password", "p4ss",
			"--tenant-id", cfTenant, "--environment", cfCloud, "--login", "ropc"},
		refused: "set AAD_USER_PRINCIPAL_PASSWORD or AZURE_PASSWORD where kubectl runs", deviation: noSecrets},
	{name: "devicecode to workloadidentity takes nothing of the person's", exec: devicecodeUser(), flags: []string{"--login", "workloadidentity"},
		want: []string{"get-token", "--server-id", cfServer, "--login", "workloadidentity"}},
	{name: "devicecode to workloadidentity with its settings", exec: devicecodeUser(),
		flags: []string{"--login", "workloadidentity", "--client-id", cfSPClient, "--tenant-id", cfTenant, "--authority-host", cfAuthority, "--federated-token-file", cfTokenFile},
		want: []string{"get-token", "--server-id", cfServer, "--client-id", cfSPClient, "--tenant-id", cfTenant, "--authority-host", cfAuthority,
			"--federated-token-file", cfTokenFile, "--login", "workloadidentity"}},
	{name: "devicecode to interactive", exec: devicecodeUser(), flags: []string{"--login", "interactive"},
		want: []string{"get-token", "--server-id", cfServer, "--client-id", cfClient, "--tenant-id", cfTenant, "--environment", cfCloud, "--login", "interactive"}},
	{name: "devicecode without a cloud to interactive", exec: []string{"get-token", "--server-id", cfServer, "--client-id", cfClient, "--tenant-id", cfTenant, "--login", "devicecode"},
		flags: []string{"--login", "interactive"},
		want:  []string{"get-token", "--server-id", cfServer, "--tenant-id", cfTenant, "--client-id", cfClient, "--login", "interactive"}},
	{name: "devicecode to interactive with every setting given again", exec: devicecodeUser(),
		flags: []string{"--login", "interactive", "--server-id", cfServer, "--client-id", cfClient, "--tenant-id", cfTenant, "--environment", cfCloud},
		want:  []string{"get-token", "--server-id", cfServer, "--client-id", cfClient, "--tenant-id", cfTenant, "--environment", cfCloud, "--login", "interactive"}},
	{name: "--context converts only that context's user", provider: legacyProvider("0"), flags: []string{"--login", "msi", "--context", "cluster-1"},
		want: []string{"get-token", "--server-id", cfServer, "--login", "msi"}},
	{name: "a context that does not exist", provider: legacyProvider("0"), flags: []string{"--login", "msi", "--context", "no-such-context"},
		refused: `no context "no-such-context"`},
	{name: "--azure-config-dir is written into the environment", provider: legacyProvider("0"), flags: []string{"--login", "azurecli", "--context", "cluster-1", "--azure-config-dir", cfAzureDir},
		want: []string{"get-token", "--server-id", cfServer, "--login", "azurecli"}, wantEnv: []clientcmdapi.ExecEnvVar{{Name: "AZURE_CONFIG_DIR", Value: cfAzureDir}}},

	// Proof-of-possession tokens (Azure Arc).
	{name: "devicecode with --pop-enabled alone to interactive", exec: devicecodeUser("--pop-enabled"), flags: []string{"--login", "interactive"},
		refused: "--pop-claims is required when specifying --pop-enabled"},
	{name: "devicecode with --pop-claims alone to interactive", exec: devicecodeUser("--pop-claims", "u=testhost"), flags: []string{"--login", "interactive"},
		refused: "--pop-enabled is required when specifying --pop-claims"},
	{name: "devicecode with both PoP flags to interactive carries them", exec: devicecodeUser("--pop-enabled", "--pop-claims", cfPoPClaims), flags: []string{"--login", "interactive"},
		want: []string{"get-token", "--server-id", cfServer, "--client-id", cfClient, "--tenant-id", cfTenant, "--environment", cfCloud, "--login", "interactive",
			"--pop-enabled", "--pop-claims", cfPoPClaims}},
	{name: "devicecode to spn with both PoP flags given", exec: devicecodeUser(), flags: []string{"--login", "spn", "--pop-enabled", "--pop-claims", cfPoPClaims},
		want: []string{"get-token", "--environment", cfCloud, "--server-id", cfServer, "--tenant-id", cfTenant, "--client-id", cfClient, "--login", "spn",
			"--pop-enabled", "--pop-claims", cfPoPClaims}},
	{name: "devicecode to spn with --pop-enabled alone given", exec: devicecodeUser(), flags: []string{"--login", "spn", "--pop-enabled"},
		refused: "--pop-enabled needs --pop-claims"},
	{name: "devicecode to spn with --pop-claims alone given", exec: devicecodeUser(), flags: []string{"--login", "spn", "--pop-claims", cfPoPClaims},
		refused: "--pop-claims needs --pop-enabled"},
	{name: "azurecli with both PoP flags to devicecode drops them", exec: azurecliUser("--pop-enabled", "--pop-claims", cfPoPClaims),
		flags: []string{"--client-id", cfClient, "--tenant-id", cfTenant, "--login", "devicecode"},
		want:  []string{"get-token", "--server-id", cfServer, "--client-id", cfClient, "--tenant-id", cfTenant, "--login", "devicecode"}},
	{name: "devicecode to spn with the environment override disabled", exec: devicecodeUser(), flags: []string{"--login", "spn", "--disable-environment-override"},
		want: []string{"get-token", "--environment", cfCloud, "--server-id", cfServer, "--tenant-id", cfTenant, "--client-id", cfClient, "--login", "spn", "--disable-environment-override"}},

	{name: "devicecode with both PoP flags to ropc carries them", exec: devicecodeUser("--pop-enabled", "--pop-claims", cfPoPClaims), flags: []string{"--login", "ropc"},
		want: []string{"get-token", "--server-id", cfServer, "--client-id", cfClient, "--tenant-id", cfTenant, "--environment", cfCloud, "--login", "ropc",
			"--pop-enabled", "--pop-claims", cfPoPClaims}},

	// The newer modes, as kubelogin v0.2.21 converts them.
	{name: "devicecode to azd takes nothing of the person's", exec: devicecodeUser(), flags: []string{"--login", "azd"},
		want: []string{"get-token", "--server-id", cfServer, "--login", "azd"}},
	{name: "devicecode to azurepipelines carries the tenant", exec: devicecodeUser(), flags: []string{"--login", "azurepipelines"},
		want: []string{"get-token", "--server-id", cfServer, "--login", "azurepipelines", "--tenant-id", cfTenant}},
	{name: "devicecode to azurepipelines with the service connection given", exec: devicecodeUser(), flags: []string{"--login", "azurepipelines", "--azure-pipelines-service-connection-id", "conn-1"},
		want: []string{"get-token", "--server-id", cfServer, "--login", "azurepipelines", "--tenant-id", cfTenant, "--azure-pipelines-service-connection-id", "conn-1"}},
	{name: "devicecode to azurepipelines with its settings", exec: devicecodeUser(),
		flags: []string{"--login", "azurepipelines", "--client-id", cfSPClient, "--tenant-id", cfTenant, "--azure-pipelines-service-connection-id", "conn-1"},
		want: []string{"get-token", "--server-id", cfServer, "--login", "azurepipelines", "--tenant-id", cfTenant,
			"--azure-pipelines-service-connection-id", "conn-1"},
		ours: []string{"get-token", "--server-id", cfServer, "--login", "azurepipelines", "--client-id", cfSPClient, "--tenant-id", cfTenant,
			"--azure-pipelines-service-connection-id", "conn-1"},
		deviation: "kubelogin's converter writes no --client-id for azurepipelines even when given one (its get-token then needs AZURESUBSCRIPTION_CLIENT_ID); the client given is written"},
}

// flagsWithoutValue are get-token's switches.
var flagsWithoutValue = []string{"--legacy", "--pop-enabled", "--disable-environment-override", "--use-azurerm-env-vars", "--disable-instance-discovery"}

// argSet is args as kubelogin's tests compare them: each flag with its value, in any order.
func argSet(args []string) []string {
	var set []string
	for i := 1; i < len(args); i++ {
		if slices.Contains(flagsWithoutValue, args[i]) || i+1 == len(args) {
			set = append(set, args[i])
			continue
		}
		set = append(set, args[i]+" "+args[i+1])
		i++
	}
	slices.Sort(set)
	if len(args) > 0 {
		set = append([]string{args[0]}, set...)
	}
	return set
}

// runConverter runs convert-kubeconfig with an environment of nothing but a home of its own.
func runConverter(t *testing.T, args ...string) (code int, stderr string) {
	t.Helper()
	cmd := exec.Command(filepath.Join(bin, harness.Converter), args...)
	cmd.Env = []string{"HOME=" + t.TempDir(), "PATH=/usr/bin:/bin"}
	var errBuf strings.Builder
	cmd.Stderr = &errBuf
	err := cmd.Run()
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) {
		t.Fatalf("running the converter: %v", err)
	}
	return cmd.ProcessState.ExitCode(), errBuf.String()
}

func TestConvertConformsToKubelogin(t *testing.T) {
	for _, tc := range conversionTable {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "config")
			cfg := clientcmdapi.NewConfig()
			for _, name := range []string{"cluster-1", "cluster-2"} {
				cfg.Clusters[name] = &clientcmdapi.Cluster{Server: "https://" + name + ".example:443"}
				cfg.Contexts[name] = &clientcmdapi.Context{Cluster: name, AuthInfo: name}
				user := &clientcmdapi.AuthInfo{}
				if tc.provider != nil && tc.hint != "" {
					t.Fatal("an auth-provider user has no install hint: the case's hint would test nothing")
				}
				if tc.provider != nil {
					provider := "azure"
					if len(tc.provider) == 0 {
						provider = "oidc"
					}
					user.AuthProvider = &clientcmdapi.AuthProviderConfig{Name: provider, Config: tc.provider}
				} else {
					user.Exec = &clientcmdapi.ExecConfig{Command: cmp.Or(tc.command, "kubelogin"), Args: tc.exec,
						APIVersion: execV1beta1, InstallHint: tc.hint}
				}
				cfg.AuthInfos[name] = user
			}
			cfg.CurrentContext = "cluster-1"
			if err := clientcmd.WriteToFile(*cfg, path); err != nil {
				t.Fatal(err)
			}
			before, _ := os.ReadFile(path)

			code, stderr := runConverter(t, append([]string{"--kubeconfig", path}, tc.flags...)...)
			if tc.refused != "" {
				if code == 0 || !strings.Contains(stderr, tc.refused) {
					t.Fatalf("want a refusal containing %q (%s); exit %d\n%s", tc.refused, tc.deviation, code, stderr)
				}
				if after, _ := os.ReadFile(path); string(after) != string(before) {
					t.Error("a refused conversion changed the kubeconfig")
				}
				return
			}
			if code != 0 {
				t.Fatalf("exit %d\n%s", code, stderr)
			}
			got, err := clientcmd.LoadFromFile(path)
			if err != nil {
				t.Fatal(err)
			}
			want := tc.want
			if tc.ours != nil {
				want = tc.ours
			}
			for _, name := range []string{"cluster-1", "cluster-2"} {
				user := got.AuthInfos[name]
				leftAlone := want == nil || (name == "cluster-2" && slices.Contains(tc.flags, "--context"))
				if leftAlone {
					if user.Exec != nil && tc.provider != nil || user.AuthProvider == nil && tc.provider != nil ||
						tc.exec != nil && (!slices.Equal(user.Exec.Args, tc.exec) || user.Exec.InstallHint != tc.hint) {
						t.Errorf("%s was changed: %+v", name, user)
					}
					continue
				}
				if user.AuthProvider != nil || user.Exec == nil {
					t.Fatalf("%s was not converted: %+v", name, user)
				}
				if g, w := argSet(user.Exec.Args), argSet(want); !slices.Equal(g, w) {
					t.Errorf("%s: args %q\nwant %q", name, user.Exec.Args, want)
				}
				if tc.wantHint != "" && user.Exec.InstallHint != tc.wantHint {
					t.Errorf("%s: install hint %q, want the user's own %q", name, user.Exec.InstallHint, tc.wantHint)
				}
				if !slices.Equal(user.Exec.Env, tc.wantEnv) {
					t.Errorf("%s: env %+v, want %+v", name, user.Exec.Env, tc.wantEnv)
				}
			}
		})
	}
}

// TestConvertKubeconfigTwiceChangesNothing: a second conversion says the users are converted
// already, leaves the file as it is and makes no second backup.
func TestConvertKubeconfigTwiceChangesNothing(t *testing.T) {
	path := filepath.Join(t.TempDir(), "config")
	content := fmt.Sprintf(azGetCredentialsKubeconfig, "Y2E=", "https://contoso.example:443", cfTenant, ciClientID, "not-used")
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	if code, stderr := runConverter(t, "--kubeconfig", path, "--timeout", "45s"); code != 0 || !strings.Contains(stderr, "Converted user") {
		t.Fatalf("first conversion: exit %d\n%s", code, stderr)
	}
	converted, _ := os.ReadFile(path)
	code, stderr := runConverter(t, "--kubeconfig", path)
	if code != 0 || !strings.Contains(stderr, "already converted") || strings.Contains(stderr, "Backup") {
		t.Errorf("second conversion: exit %d\n%s", code, stderr)
	}
	if now, _ := os.ReadFile(path); string(now) != string(converted) {
		t.Errorf("the second conversion changed the kubeconfig:\n%s", now)
	}
	if backups, _ := filepath.Glob(path + ".backup-*"); len(backups) != 1 {
		t.Errorf("backups %q, want the first conversion's only", backups)
	}
}
