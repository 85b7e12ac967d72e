package kubeconfig

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
)

const (
	serverID = "6dae42f8-4368-4678-94ff-3960e28e3630"
	tenant   = "72f988bf-86f1-41af-91ab-2d7cd011db47"
)

// azKubeconfig is the shape `az aks get-credentials` writes for an Entra-enabled cluster.
const azKubeconfig = `apiVersion: v1
clusters:
- cluster:
    server: https://contoso-dns-1a2b.hcp.westeurope.azmk8s.io:443
  name: contoso
contexts:
- context:
    cluster: contoso
    user: clusterUser_rg_contoso
  name: contoso
current-context: contoso
kind: Config
preferences: {}
users:
- name: clusterUser_rg_contoso
  user:
    exec:
      apiVersion: client.authentication.k8s.io/v1beta1
      args:
      - get-token
      - --environment
      - AzurePublicCloud
      - --server-id
      - ` + serverID + `
      - --client-id
      - 80faf920-1908-4b52-b5ef-a8e7bedfc67a
      - --tenant-id
      - ` + tenant + `
      - --login
      - devicecode
      command: kubelogin
      env: null
      installHint: |
        kubelogin is not installed which is required to connect to AAD enabled cluster.
      provideClusterInfo: false
`

func fixedNow() time.Time { return time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC) }

// writeFile writes a kubeconfig into a fresh directory and returns its path.
func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func convert(t *testing.T, o Options) *Result {
	t.Helper()
	if o.Now == nil {
		o.Now = fixedNow
	}
	if o.Getenv == nil {
		o.Getenv = func(string) string { return "" }
	}
	res, err := Convert(o)
	if err != nil {
		t.Fatalf("Convert: %v", err)
	}
	return res
}

func load(t *testing.T, path string) *clientcmdapi.Config {
	t.Helper()
	cfg, err := clientcmd.LoadFromFile(path)
	if err != nil {
		t.Fatalf("the converted kubeconfig does not load: %v", err)
	}
	return cfg
}

func TestConvertAzGetCredentials(t *testing.T) {
	path := writeFile(t, "config", azKubeconfig)
	res := convert(t, Options{Kubeconfig: path})

	exec := load(t, path).AuthInfos["clusterUser_rg_contoso"].Exec
	wantArgs := []string{"get-token", "--login", "devicecode", "--server-id", serverID, "--tenant-id", tenant, "--environment", "AzurePublicCloud"}
	if !slices.Equal(exec.Args, wantArgs) {
		t.Errorf("args %q, want %q (the AKS client gives way to the shared one)", exec.Args, wantArgs)
	}
	if exec.Command != "kubectl-aad" || exec.APIVersion != APIVersionV1 || exec.InteractiveMode != clientcmdapi.IfAvailableExecInteractiveMode {
		t.Errorf("exec %s %s %s, want kubectl-aad, v1, IfAvailable", exec.Command, exec.APIVersion, exec.InteractiveMode)
	}
	if !strings.Contains(exec.InstallHint, "kubectl-aad") {
		t.Errorf("install hint %q does not say what to install", exec.InstallHint)
	}
	wantBackup := path + ".backup-20260304T050607Z"
	if !slices.Equal(res.Backups, []string{wantBackup}) {
		t.Fatalf("backups %q, want %q", res.Backups, wantBackup)
	}
	if b, err := os.ReadFile(wantBackup); err != nil || string(b) != azKubeconfig {
		t.Errorf("the backup is not the original (%v)", err)
	}
	if len(res.Converted) != 1 || res.Converted[0].From != "kubelogin" || res.Converted[0].Login != "devicecode" || res.Converted[0].File != path {
		t.Errorf("result %+v", res.Converted)
	}
}

func TestConvertTwiceKeepsTheFirstBackup(t *testing.T) {
	path := writeFile(t, "config", azKubeconfig)
	convert(t, Options{Kubeconfig: path})
	res := convert(t, Options{Kubeconfig: path, Login: "interactive", LoginHint: "a@contoso.com"})
	if !slices.Equal(res.Backups, []string{path + ".backup-20260304T050607Z-1"}) {
		t.Errorf("second backup %q", res.Backups)
	}
	if b, _ := os.ReadFile(path + ".backup-20260304T050607Z"); string(b) != azKubeconfig {
		t.Error("the first backup, the original, was overwritten")
	}
	args := load(t, path).AuthInfos["clusterUser_rg_contoso"].Exec.Args
	if !slices.Equal(args[:3], []string{"get-token", "--login", "interactive"}) || !slices.Contains(args, "a@contoso.com") || !slices.Contains(args, tenant) {
		t.Errorf("re-converting to interactive: %q", args)
	}
}

func TestConvertAuthProvider(t *testing.T) {
	path := writeFile(t, "config", `apiVersion: v1
kind: Config
clusters: [{name: c, cluster: {server: "https://c.example"}}]
contexts: [{name: c, context: {cluster: c, user: u}}]
current-context: c
users:
- name: u
  user:
    auth-provider:
      name: azure
      config:
        apiserver-id: `+serverID+`
        client-id: 80faf920-1908-4b52-b5ef-a8e7bedfc67a
        tenant-id: `+tenant+`
        environment: AzureUSGovernmentCloud
        config-mode: "1"
        access-token: eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.c2ln
        refresh-token: old-refresh-token-value
`)
	res := convert(t, Options{Kubeconfig: path})
	b, _ := os.ReadFile(path)
	for _, secret := range []string{"eyJhbGciOiJub25lIn0", "old-refresh-token-value"} {
		if strings.Contains(string(b), secret) {
			t.Errorf("the converted kubeconfig keeps the auth-provider's %s", secret)
		}
	}
	user := load(t, path).AuthInfos["u"]
	want := []string{"get-token", "--login", "devicecode", "--server-id", serverID, "--tenant-id", tenant, "--environment", "AzureUSGovernmentCloud"}
	if user.AuthProvider != nil || !slices.Equal(user.Exec.Args, want) {
		t.Errorf("converted to %+v, want args %q", user, want)
	}
	if len(res.Converted) != 1 || res.Converted[0].From != "the azure auth-provider" || len(res.Converted[0].Dropped) == 0 {
		t.Errorf("result %+v", res.Converted)
	}
}

func TestConvertLegacyAuthProviderAsksForV1Tokens(t *testing.T) {
	path := writeFile(t, "config", `apiVersion: v1
kind: Config
users:
- name: u
  user:
    auth-provider:
      name: azure
      config: {apiserver-id: `+serverID+`, client-id: 11111111-1111-1111-1111-111111111111, tenant-id: `+tenant+`}
`)
	convert(t, Options{Kubeconfig: path})
	args := load(t, path).AuthInfos["u"].Exec.Args
	if !slices.Contains(args, "--legacy") || !slices.Contains(args, "11111111-1111-1111-1111-111111111111") {
		t.Errorf("a config-mode 0 cluster lost --legacy, or a custom client was dropped: %q", args)
	}
}

func TestConvertNeverWritesSecrets(t *testing.T) {
	path := writeFile(t, "config", `apiVersion: v1
kind: Config
users:
- name: ci
  user:
    exec:
      apiVersion: client.authentication.k8s.io/v1beta1
      command: /usr/local/bin/kubelogin
      args: [get-token, -l, spn, --server-id, `+serverID+`, --client-id, 22222222-2222-2222-2222-222222222222, -t, `+tenant+`, --client-secret=super-secret-value, --client-certificate-password, cert-password-value]
      env:
      - {name: AAD_SERVICE_PRINCIPAL_CLIENT_SECRET, value: env-secret-value}
      - {name: AZURE_CONFIG_DIR, value: /home/ci/.azure}
      - {name: AZURE_FEDERATED_TOKEN_FILE, value: /var/run/token}
`)
	res := convert(t, Options{Kubeconfig: path})
	b, _ := os.ReadFile(path)
	for _, secret := range []string{"super-secret-value", "cert-password-value", "env-secret-value"} {
		if strings.Contains(string(b), secret) {
			t.Errorf("the converted kubeconfig holds %s", secret)
		}
	}
	exec := load(t, path).AuthInfos["ci"].Exec
	want := []string{"get-token", "--login", "spn", "--server-id", serverID, "--client-id", "22222222-2222-2222-2222-222222222222", "--tenant-id", tenant}
	if !slices.Equal(exec.Args, want) {
		t.Errorf("args %q, want %q", exec.Args, want)
	}
	var envNames []string
	for _, e := range exec.Env {
		envNames = append(envNames, e.Name)
	}
	if !slices.Equal(envNames, []string{"AZURE_CONFIG_DIR", "AZURE_FEDERATED_TOKEN_FILE"}) {
		t.Errorf("exec env %q, want the non-secret variables kept", envNames)
	}
	dropped := strings.Join(res.Converted[0].Dropped, "; ")
	for _, want := range []string{"--client-secret", "--client-certificate-password", "AAD_SERVICE_PRINCIPAL_CLIENT_SECRET"} {
		if !strings.Contains(dropped, want) {
			t.Errorf("the report of what was left out lacks %s: %s", want, dropped)
		}
	}
}

const twoUsers = `apiVersion: v1
kind: Config
contexts:
- {name: dev, context: {cluster: c, user: dev-user}}
- {name: prod, context: {cluster: c, user: prod-user}}
- {name: other, context: {cluster: c, user: token-user}}
users:
- name: dev-user
  user: {exec: {command: kubelogin, apiVersion: client.authentication.k8s.io/v1beta1, args: [get-token, --login, msi, --server-id, ` + serverID + `, --client-id, 33333333-3333-3333-3333-333333333333]}}
- name: prod-user
  user: {exec: {command: kubelogin, apiVersion: client.authentication.k8s.io/v1beta1, args: [get-token, --login, azurecli, --server-id, ` + serverID + `, --tenant-id, ` + tenant + `]}}
- name: token-user
  user: {token: some-static-token}
`

func TestConvertOnlyTheContextsUser(t *testing.T) {
	path := writeFile(t, "config", twoUsers)
	res := convert(t, Options{Kubeconfig: path, Context: "prod", AzureConfigDir: "/home/me/.azure"})
	cfg := load(t, path)
	if cfg.AuthInfos["dev-user"].Exec.Command != "kubelogin" {
		t.Error("a user of another context was converted")
	}
	prod := cfg.AuthInfos["prod-user"].Exec
	// The Azure CLI signs in to its own tenant: an old tenant is not carried over (kubelogin#123).
	if !slices.Equal(prod.Args, []string{"get-token", "--login", "azurecli", "--server-id", serverID}) {
		t.Errorf("prod args %q", prod.Args)
	}
	if len(prod.Env) != 1 || prod.Env[0] != (clientcmdapi.ExecEnvVar{Name: "AZURE_CONFIG_DIR", Value: "/home/me/.azure"}) {
		t.Errorf("prod env %+v", prod.Env)
	}
	if len(res.Converted) != 1 {
		t.Errorf("converted %+v", res.Converted)
	}
	if _, err := Convert(Options{Kubeconfig: path, Context: "other", Now: fixedNow}); err == nil || !strings.Contains(err.Error(), "nothing to convert") {
		t.Errorf("a context whose user is not kubelogin's: %v", err)
	}
	if _, err := Convert(Options{Kubeconfig: path, Context: "missing", Now: fixedNow}); err == nil || !strings.Contains(err.Error(), `no context "missing"`) {
		t.Errorf("a missing context: %v", err)
	}
}

func TestConvertKeepsEachUsersMode(t *testing.T) {
	path := writeFile(t, "config", twoUsers)
	convert(t, Options{Kubeconfig: path})
	cfg := load(t, path)
	if got := cfg.AuthInfos["dev-user"].Exec.Args; !slices.Equal(got, []string{"get-token", "--login", "msi", "--server-id", serverID, "--client-id", "33333333-3333-3333-3333-333333333333"}) {
		t.Errorf("msi user: %q", got)
	}
	if cfg.AuthInfos["token-user"].Token != "some-static-token" || cfg.AuthInfos["token-user"].Exec != nil {
		t.Error("an unrelated user was changed")
	}
}

func TestConvertWritesOnlyTheFilesItChanges(t *testing.T) {
	dir := t.TempDir()
	first := filepath.Join(dir, "first")
	second := filepath.Join(dir, "second")
	firstContent := "apiVersion: v1\nkind: Config\ncurrent-context: x\nusers:\n- name: static\n  user: {token: t}\n"
	if err := os.WriteFile(first, []byte(firstContent), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(second, []byte(azKubeconfig), 0o600); err != nil {
		t.Fatal(err)
	}
	res := convert(t, Options{Getenv: func(name string) string {
		if name == "KUBECONFIG" {
			return first + string(filepath.ListSeparator) + second
		}
		return ""
	}})
	if !slices.Equal(res.Backups, []string{second + ".backup-20260304T050607Z"}) {
		t.Errorf("backups %q, want only the second file's", res.Backups)
	}
	if b, _ := os.ReadFile(first); string(b) != firstContent {
		t.Errorf("the first file, which holds no kubelogin user, was rewritten:\n%s", b)
	}
	if load(t, second).AuthInfos["clusterUser_rg_contoso"].Exec.Command != "kubectl-aad" {
		t.Error("the second file's user was not converted")
	}
}

func TestConvertStopsBeforeWritingAnything(t *testing.T) {
	content := strings.Replace(twoUsers, "--login, azurecli", "--login, devicecode", 1)
	content = strings.Replace(content, ", --tenant-id, "+tenant, "", 1)
	path := writeFile(t, "config", content)
	_, err := Convert(Options{Kubeconfig: path, Now: fixedNow})
	if err == nil || !strings.Contains(err.Error(), `user "prod-user"`) || !strings.Contains(err.Error(), "--tenant-id") {
		t.Fatalf("a devicecode user without a tenant: %v, want an error naming the user and --tenant-id", err)
	}
	if b, _ := os.ReadFile(path); string(b) != content {
		t.Error("the kubeconfig changed although the conversion failed")
	}
	if backups, _ := filepath.Glob(path + ".backup-*"); len(backups) != 0 {
		t.Errorf("backups were made for a conversion that did not happen: %q", backups)
	}
}

func TestConvertSkipsOtherKubelogins(t *testing.T) {
	content := `apiVersion: v1
kind: Config
users:
- name: oidc
  user: {exec: {command: kubelogin, apiVersion: client.authentication.k8s.io/v1beta1, args: [get-token, --oidc-issuer-url=https://issuer.example, --oidc-client-id=x]}}
- name: other-plugin
  user: {exec: {command: aws, apiVersion: client.authentication.k8s.io/v1beta1, args: [eks, get-token]}}
`
	path := writeFile(t, "config", content)
	res := convert(t, Options{Kubeconfig: path})
	if len(res.Converted) != 0 || len(res.Backups) != 0 {
		t.Errorf("converted %+v, backups %q", res.Converted, res.Backups)
	}
	if len(res.Skipped) != 1 || !strings.Contains(res.Skipped[0], "int128") {
		t.Errorf("skipped %q, want int128/kubelogin's user named", res.Skipped)
	}
	if b, _ := os.ReadFile(path); string(b) != content {
		t.Error("the kubeconfig changed")
	}
}

func TestConvertRefusesBadOptions(t *testing.T) {
	path := writeFile(t, "config", azKubeconfig)
	for _, tc := range []struct {
		o    Options
		want string
	}{
		{Options{Kubeconfig: path, Login: "chained"}, `unknown login mode "chained"`},
		{Options{Kubeconfig: path, APIVersion: "client.authentication.k8s.io/v1alpha1"}, "v1alpha1"},
		{Options{Kubeconfig: filepath.Join(t.TempDir(), "missing")}, "reading the kubeconfig"},
		{Options{Kubeconfig: writeFile(t, "two", twoUsers), Context: "prod", Login: "spn"}, "client ID"},
	} {
		tc.o.Now = fixedNow
		if _, err := Convert(tc.o); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%+v: %v, want an error containing %q", tc.o, err, tc.want)
		}
	}
}

func FuzzReadOldUser(f *testing.F) {
	for _, seed := range []string{
		"get-token\x00--login\x00spn\x00--server-id\x00x\x00--client-secret=s",
		"get-token\x00-l\x00devicecode\x00-t",
		"get-token\x00--legacy=false\x00--oidc-x",
		"get-token\x00--\x00-\x00=\x00--=",
		"get-token\x00--login\x00ropc\x00--username\x00--client-secret=s\x00--tenant-id\x00t\x00--server-id\x00x",
		"",
	} {
		f.Add("kubelogin", seed)
	}
	f.Fuzz(func(t *testing.T, command, joined string) {
		u := &clientcmdapi.AuthInfo{Exec: &clientcmdapi.ExecConfig{Command: command, Args: strings.Split(joined, "\x00")}}
		old, _ := readOldUser(u, "")
		if old == nil {
			return
		}
		o := Options{Command: "kubectl-aad"}
		exec, _, err := o.newExec(old, u.Exec)
		if err != nil {
			return
		}
		if exec.Args[0] != "get-token" {
			t.Fatalf("converted args %q", exec.Args)
		}
		for _, a := range exec.Args {
			if strings.HasPrefix(a, "--client-secret") || strings.HasPrefix(a, "--password") || strings.HasPrefix(a, "--client-certificate-password") {
				t.Fatalf("a secret flag was written: %q", exec.Args)
			}
		}
	})
}

func TestConvertAgainChangesNothing(t *testing.T) {
	path := writeFile(t, "config", azKubeconfig)
	first := convert(t, Options{Kubeconfig: path, Timeout: "45s", APIVersion: APIVersionV1beta1, Command: "/opt/aadcred/kubectl-aad"})
	if len(first.Converted) != 1 {
		t.Fatalf("first conversion: %+v", first)
	}
	converted, _ := os.ReadFile(path)
	// A second run without the options keeps what the first wrote: the command, version and
	// timeout are the user's now.
	again := convert(t, Options{Kubeconfig: path, Now: func() time.Time { return fixedNow().Add(time.Hour) }})
	if len(again.Converted) != 0 || len(again.Backups) != 0 || !slices.Equal(again.Unchanged, []string{"clusterUser_rg_contoso"}) {
		t.Errorf("second run: %+v, want the user unchanged and no backup", again)
	}
	if b, _ := os.ReadFile(path); string(b) != string(converted) {
		t.Errorf("the second run rewrote the kubeconfig:\n%s\nwas\n%s", b, converted)
	}
	if backups, _ := filepath.Glob(path + ".backup-*"); len(backups) != 1 {
		t.Errorf("backups %q, want only the first run's", backups)
	}
}

func TestConvertKeepsAnInstallHintOfItsOwn(t *testing.T) {
	content := strings.Replace(azKubeconfig, "kubelogin is not installed which is required to connect to AAD enabled cluster.", "Ask the platform team for access.", 1)
	path := writeFile(t, "config", content)
	convert(t, Options{Kubeconfig: path})
	if hint := load(t, path).AuthInfos["clusterUser_rg_contoso"].Exec.InstallHint; !strings.Contains(hint, "platform team") {
		t.Errorf("install hint %q, want the user's own kept", hint)
	}
	// kubelogin's stock hint is replaced where the command is no longer kubelogin, and kept
	// where it is.
	stock := writeFile(t, "stock", azKubeconfig)
	convert(t, Options{Kubeconfig: stock})
	if hint := load(t, stock).AuthInfos["clusterUser_rg_contoso"].Exec.InstallHint; !strings.Contains(hint, "kubectl-aad") {
		t.Errorf("install hint %q, want kubectl-aad's", hint)
	}
	asKubelogin := writeFile(t, "as-kubelogin", azKubeconfig)
	convert(t, Options{Kubeconfig: asKubelogin, Command: "kubelogin", APIVersion: APIVersionV1beta1})
	exec := load(t, asKubelogin).AuthInfos["clusterUser_rg_contoso"].Exec
	if exec.Command != "kubelogin" || exec.APIVersion != APIVersionV1beta1 || !strings.Contains(exec.InstallHint, "kubelogin is not installed") {
		t.Errorf("converted as kubelogin: %s %s %q", exec.Command, exec.APIVersion, exec.InstallHint)
	}
}

func TestConvertPoPUsers(t *testing.T) {
	const claims = "u=/subscriptions/s/resourceGroups/rg/providers/Microsoft.Kubernetes/connectedClusters/arc"
	pop := strings.Replace(azKubeconfig, "      - devicecode\n", "      - devicecode\n      - --pop-enabled\n      - --pop-claims\n      - "+claims+"\n", 1)
	path := writeFile(t, "config", pop)
	res := convert(t, Options{Kubeconfig: path, Login: "interactive"})
	args := load(t, path).AuthInfos["clusterUser_rg_contoso"].Exec.Args
	if !slices.Contains(args, "--pop-enabled") || !slices.Contains(args, claims) {
		t.Errorf("interactive lost the PoP flags: %q", args)
	}
	// Modes that take no PoP token drop them, and say so.
	res = convert(t, Options{Kubeconfig: path, Login: "devicecode"})
	if args := load(t, path).AuthInfos["clusterUser_rg_contoso"].Exec.Args; slices.Contains(args, "--pop-enabled") ||
		!strings.Contains(strings.Join(res.Converted[0].Dropped, ";"), "--pop-enabled") {
		t.Errorf("devicecode: %q, dropped %q", args, res.Converted[0].Dropped)
	}
	for _, tc := range []struct {
		o    Options
		want string
	}{
		{Options{Login: "spn", ClientID: "c", PoPEnabled: true}, "--pop-claims is required"},
		{Options{Login: "interactive", PoPClaims: claims}, "--pop-enabled is required"},
		{Options{Login: "interactive", PoPEnabled: true, PoPClaims: "1=2"}, "no u claim"},
		{Options{Login: "interactive", PoPEnabled: true, PoPClaims: "u=arc,claim2"}, "key=value"},
	} {
		tc.o.Kubeconfig, tc.o.Now = writeFile(t, "config", azKubeconfig), fixedNow
		if _, err := Convert(tc.o); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%+v: %v, want an error containing %q", tc.o, err, tc.want)
		}
	}
}
