package tests

import (
	"bytes"
	"cmp"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/runtime/serializer"
	clientauthv1 "k8s.io/client-go/pkg/apis/clientauthentication/v1"
	clientauthv1beta1 "k8s.io/client-go/pkg/apis/clientauthentication/v1beta1"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"

	"github.com/aadcred/aadcred/tests/fakeaks"
	"github.com/aadcred/aadcred/tests/fakeentra"
	"github.com/aadcred/aadcred/tests/harness"
)

// The ExecCredential versions and kubectl's minimum for v1 and interactiveMode.
const (
	execV1             = "client.authentication.k8s.io/v1"
	execV1beta1        = "client.authentication.k8s.io/v1beta1"
	kubectlMinorExecV1 = 22
	kubectlMinorAny    = 20
)

// aksWorld is a world with a fake AKS cluster that trusts the fake Entra ID.
type aksWorld struct {
	*harness.World
	AKS *fakeaks.Server
}

func newAKSWorld(t *testing.T) *aksWorld {
	t.Helper()
	w := harness.NewWorld(t, bin, fakeentra.Options{})
	return &aksWorld{World: w, AKS: fakeaks.NewTest(t, fakeaks.Options{Entra: w.Entra})}
}

// execUser is the exec stanza of a kubeconfig user.
type execUser struct {
	command         string // kubectl-aad when empty
	apiVersion      string
	args            []string
	interactiveMode clientcmdapi.ExecInteractiveMode
}

// writeKubeconfig writes a kubeconfig whose one context reaches the fake cluster as user, and
// points KUBECONFIG at it.
func (w *aksWorld) writeKubeconfig(t *testing.T, user execUser) string {
	t.Helper()
	cfg := clientcmdapi.NewConfig()
	cfg.Clusters["fake-aks"] = &clientcmdapi.Cluster{Server: w.AKS.URL(), CertificateAuthority: w.Entra.CAFile()}
	cfg.AuthInfos["aks-user"] = &clientcmdapi.AuthInfo{Exec: &clientcmdapi.ExecConfig{
		Command:         cmp.Or(user.command, "kubectl-aad"),
		Args:            user.args,
		APIVersion:      user.apiVersion,
		InteractiveMode: user.interactiveMode,
	}}
	cfg.Contexts["fake-aks"] = &clientcmdapi.Context{Cluster: "fake-aks", AuthInfo: "aks-user"}
	cfg.CurrentContext = "fake-aks"
	path := filepath.Join(w.Home, ".kube", "config")
	if err := clientcmd.WriteToFile(*cfg, path); err != nil {
		t.Fatal(err)
	}
	w.Set("KUBECONFIG", path)
	return path
}

// getPods runs `kubectl get pods` and requires it to list the fake cluster's pods.
func (w *aksWorld) getPods(t *testing.T) harness.Result {
	t.Helper()
	r := w.Run("", "kubectl", "get", "pods", "--namespace", "default")
	if r.Code != 0 {
		t.Fatalf("kubectl get pods: exit %d\nstdout %s\nstderr %s", r.Code, r.Stdout, r.Stderr)
	}
	w.requirePods(t, r.Stdout)
	return r
}

func (w *aksWorld) requirePods(t *testing.T, stdout string) {
	t.Helper()
	for _, pod := range fakeaks.PodNames() {
		if !strings.Contains(stdout, pod) {
			t.Fatalf("kubectl get pods does not list %s:\n%s", pod, stdout)
		}
	}
}

// requireCallers checks that the cluster let in only requests made as caller.
func (w *aksWorld) requireCallers(t *testing.T, caller string) {
	t.Helper()
	authorized := w.AKS.Authorized()
	if len(authorized) == 0 {
		t.Fatal("the cluster let no request in")
	}
	for _, r := range authorized {
		if r.Caller != caller {
			t.Fatalf("the cluster was called as %q, want %q", r.Caller, caller)
		}
	}
}

// certificateApp registers an application that signs in with a certificate, and writes the
// certificate and its key to one PEM file, as kubelogin's --client-certificate takes them.
func (w *aksWorld) certificateApp(t *testing.T) (clientID, certFile string) {
	t.Helper()
	clientID, certPEM, keyPEM := w.Entra.NewCertificateApp(fakeentra.DefaultTenant)
	certFile = filepath.Join(w.Home, "sp.pem")
	if err := os.WriteFile(certFile, append(certPEM, keyPEM...), 0o600); err != nil {
		t.Fatal(err)
	}
	return clientID, certFile
}

// workloadIdentity registers an application that trusts a service account of the fake cluster,
// and sets what the AKS workload identity webhook injects into that account's pods.
func (w *aksWorld) workloadIdentity(t *testing.T) (clientID string) {
	t.Helper()
	const subject = "system:serviceaccount:default:web"
	clientID = w.Entra.NewFederatedApp(fakeentra.DefaultTenant, w.Entra.KubernetesIssuer(), subject)
	tokenFile := filepath.Join(w.Home, "azure-identity-token")
	if err := os.WriteFile(tokenFile, []byte(w.Entra.IssueServiceAccountToken(subject, fakeentra.FederationAudience)), 0o600); err != nil {
		t.Fatal(err)
	}
	w.Set("AZURE_CLIENT_ID", clientID)
	w.Set("AZURE_TENANT_ID", fakeentra.DefaultTenant)
	w.Set("AZURE_FEDERATED_TOKEN_FILE", tokenFile)
	return clientID
}

// getTokenArgs is a kubeconfig's get-token command line for login, with the fake's tenant.
func getTokenArgs(login string, more ...string) []string {
	return append([]string{"get-token", "--login", login, "--server-id", fakeentra.AKSServerAppID,
		"--tenant-id", fakeentra.DefaultTenant, "--environment", "AzurePublicCloud"}, more...)
}

func TestKubectlWithServicePrincipal(t *testing.T) {
	for _, version := range []string{execV1, execV1beta1} {
		t.Run(version[strings.LastIndex(version, "/")+1:], func(t *testing.T) {
			harness.RequireKubectl(t, minorFor(version))
			w := newAKSWorld(t)
			id, secret := w.Entra.NewServicePrincipal(fakeentra.DefaultTenant)
			w.Set("AAD_SERVICE_PRINCIPAL_CLIENT_SECRET", secret)
			w.writeKubeconfig(t, execUser{apiVersion: version, args: getTokenArgs("spn", "--client-id", id), interactiveMode: modeFor(version)})
			w.getPods(t)
			w.requireCallers(t, id)
		})
	}
}

func TestKubectlWithServicePrincipalCertificate(t *testing.T) {
	harness.RequireKubectl(t, kubectlMinorAny)
	w := newAKSWorld(t)
	id, certFile := w.certificateApp(t)
	w.writeKubeconfig(t, execUser{apiVersion: execV1beta1, args: getTokenArgs("spn", "--client-id", id, "--client-certificate", certFile)})
	w.getPods(t)
	w.requireCallers(t, id)
}

func TestKubectlWithWorkloadIdentity(t *testing.T) {
	harness.RequireKubectl(t, kubectlMinorAny)
	w := newAKSWorld(t)
	id := w.workloadIdentity(t)
	w.writeKubeconfig(t, execUser{apiVersion: execV1beta1, args: []string{"get-token", "--login", "workloadidentity", "--server-id", fakeentra.AKSServerAppID}})
	w.getPods(t)
	w.requireCallers(t, id)
}

func TestKubectlWithManagedIdentity(t *testing.T) {
	harness.RequireKubectl(t, kubectlMinorAny)
	t.Run("system-assigned", func(t *testing.T) {
		w := newAKSWorld(t)
		w.writeKubeconfig(t, execUser{apiVersion: execV1beta1, args: []string{"get-token", "--login", "msi", "--server-id", fakeentra.AKSServerAppID}})
		w.getPods(t)
		w.requireCallers(t, fakeentra.SystemIdentityClientID)
		if w.Entra.Count(fakeentra.EndpointIMDS) == 0 {
			t.Error("the token did not come from the (loopback) IMDS endpoint")
		}
	})
	t.Run("user-assigned", func(t *testing.T) {
		w := newAKSWorld(t)
		mi := fakeentra.ManagedIdentity{ClientID: "ba5eba11-0000-4000-8000-0000000000aa", ObjectID: "ba5eba11-0000-4000-8000-0000000000bb",
			ResourceID: "/subscriptions/00000000-0000-4000-8000-00000000005b/resourceGroups/fake-rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/kubectl"}
		if err := w.Entra.AddManagedIdentity(mi); err != nil {
			t.Fatal(err)
		}
		w.writeKubeconfig(t, execUser{apiVersion: execV1beta1, args: []string{"get-token", "--login", "msi", "--server-id", fakeentra.AKSServerAppID, "--identity-resource-id", mi.ResourceID}})
		w.getPods(t)
		w.requireCallers(t, mi.ClientID)
	})
}

func TestKubectlWithUsernameAndPassword(t *testing.T) {
	harness.RequireKubectl(t, kubectlMinorAny)
	w := newAKSWorld(t)
	w.Set("AAD_USER_PRINCIPAL_NAME", fakeentra.DefaultUser)
	w.Set("AAD_USER_PRINCIPAL_PASSWORD", fakeentra.DefaultUserPassword)
	w.writeKubeconfig(t, execUser{apiVersion: execV1beta1, args: getTokenArgs("ropc", "--client-id", fakeentra.AKSClientID)})
	w.getPods(t)
	w.requireCallers(t, fakeentra.DefaultUser)
}

func TestKubectlWithDeviceCode(t *testing.T) {
	for _, version := range []string{execV1, execV1beta1} {
		t.Run(version[strings.LastIndex(version, "/")+1:], func(t *testing.T) {
			kubectl := harness.RequireKubectl(t, minorFor(version))
			w := newAKSWorld(t)
			w.Entra.OnDeviceCode(func(dc fakeentra.DeviceCodeInfo) {
				go w.Entra.ApproveDeviceCode(dc.UserCode, fakeentra.DefaultUser)
			})
			w.writeKubeconfig(t, execUser{apiVersion: version, args: getTokenArgs("devicecode"), interactiveMode: modeFor(version)})

			// kubectl lets its plugin ask a person only when its stdin is a terminal.
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			cmd := w.Command(ctx, kubectl, "get", "pods", "--namespace", "default")
			cmd.Stdin = harness.Terminal(t)
			var stdout, stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			if err := cmd.Run(); err != nil {
				t.Fatalf("kubectl get pods: %v\nstderr %s", err, stderr.String())
			}
			w.requirePods(t, stdout.String())
			if !strings.Contains(stderr.String(), "enter the code") {
				t.Errorf("the device-code prompt did not reach the person (kubectl's stderr):\n%s", stderr.String())
			}
			w.requireCallers(t, fakeentra.DefaultUser)

			// The sign-in is kept: a later call, with no terminal, needs no person.
			w.Entra.OnDeviceCode(nil)
			w.Set("AADCRED_PROMPT", "never")
			w.getPods(t)
			if n := w.Entra.Count(fakeentra.EndpointDeviceCode); n != 1 {
				t.Errorf("%d device codes were issued, want 1", n)
			}
		})
	}
}

func TestKubectlInteractiveModeNeverFailsFastWithoutASignIn(t *testing.T) {
	harness.RequireKubectl(t, kubectlMinorExecV1)
	w := newAKSWorld(t)
	// A person would be there to ask, but kubectl says the plugin may not ask.
	w.Set("AADCRED_PROMPT", "always")
	// The AKS client, as az aks get-credentials writes it: the sign-in must be for that client.
	w.writeKubeconfig(t, execUser{apiVersion: execV1, args: getTokenArgs("devicecode", "--client-id", fakeentra.AKSClientID),
		interactiveMode: clientcmdapi.NeverExecInteractiveMode})
	start := time.Now()
	r := w.Run("", "kubectl", "get", "pods", "--namespace", "default")
	if r.Code == 0 {
		t.Fatalf("kubectl got pods without a sign-in:\n%s", r.Stdout)
	}
	if d := time.Since(start); d > 15*time.Second {
		t.Errorf("failing took %s; it must be fast", d)
	}
	if !strings.Contains(r.Stderr, "kubectl aad login") {
		t.Errorf("the error does not name the command that signs in:\n%s", r.Stderr)
	}
	if n := w.Entra.Count(fakeentra.EndpointDeviceCode); n != 0 {
		t.Errorf("a device code was requested although no one may be asked")
	}
	if n := len(w.AKS.Authorized()); n != 0 {
		t.Errorf("the cluster let %d requests in", n)
	}

	// The command named does sign in for this kubeconfig.
	_, named, ok := strings.Cut(r.Stderr, "run `")
	named, _, _ = strings.Cut(named, "`")
	fields := strings.Fields(named)
	if !ok || len(fields) < 3 || fields[0] != "kubectl" || fields[1] != "aad" {
		t.Fatalf("no command to run in:\n%s", r.Stderr)
	}
	w.Entra.OnDeviceCode(func(dc fakeentra.DeviceCodeInfo) {
		go w.Entra.ApproveDeviceCode(dc.UserCode, fakeentra.DefaultUser)
	})
	if r := w.Run("", "kubectl-aad", fields[2:]...); r.Code != 0 {
		t.Fatalf("%s: exit %d\n%s", named, r.Code, r.Stderr)
	}
	w.getPods(t)
	w.requireCallers(t, fakeentra.DefaultUser)
}

func TestKubectlParallelCallsOnAnExpiredTokenMakeOneTokenRequest(t *testing.T) {
	harness.RequireKubectl(t, kubectlMinorAny)
	w := newAKSWorld(t)
	signInWithDeviceCode(t, w.World, "kubectl-aad")
	w.writeKubeconfig(t, execUser{apiVersion: execV1beta1, args: getTokenArgs("devicecode")})
	w.Set("AADCRED_PROMPT", "never")
	// Cache a cluster token that expires at once.
	const lifetime = 2 * time.Second
	w.Entra.SetAccessTokenLifetime(lifetime)
	if r := w.Run("", "kubectl-aad", getTokenArgs("devicecode")...); r.Code != 0 {
		t.Fatalf("get-token: exit %d\n%s", r.Code, r.Stderr)
	}
	w.Entra.SetAccessTokenLifetime(time.Hour)
	time.Sleep(lifetime)
	// Slow the service down so that all twenty really overlap.
	if err := w.Entra.InjectFault(fakeentra.Fault{Endpoint: fakeentra.EndpointToken, Delay: 500 * time.Millisecond}); err != nil {
		t.Fatal(err)
	}
	w.Entra.ResetCounts()
	var wg sync.WaitGroup
	for i := range 20 {
		wg.Go(func() {
			r := w.Run("", "kubectl", "get", "pods", "--namespace", "default")
			if r.Code != 0 {
				t.Errorf("kubectl %d: exit %d\n%s", i, r.Code, r.Stderr)
				return
			}
			w.requirePods(t, r.Stdout)
		})
	}
	wg.Wait()
	if n := w.Entra.TokenRequests(); n != 1 {
		t.Errorf("20 kubectl calls on an expired token made %d token requests, want 1", n)
	}
	if w.AKS.Refused() != 0 {
		t.Errorf("the cluster refused %d requests", w.AKS.Refused())
	}
}

// azGetCredentialsKubeconfig is what `az aks get-credentials` writes for a cluster with Entra
// integration (after `kubelogin convert-kubeconfig` it is the same shape), plus a CI user that
// someone gave a client secret on the command line and an unrelated user.
const azGetCredentialsKubeconfig = `apiVersion: v1
clusters:
- cluster:
    certificate-authority-data: %[1]s
    server: %[2]s
  name: contoso-aks
contexts:
- context:
    cluster: contoso-aks
    user: clusterUser_contoso-rg_contoso-aks
  name: contoso-aks
- context:
    cluster: contoso-aks
    user: ci
  name: contoso-aks-ci
- context:
    cluster: contoso-aks
    user: static
  name: contoso-aks-static
current-context: contoso-aks
kind: Config
preferences: {}
users:
- name: clusterUser_contoso-rg_contoso-aks
  user:
    exec:
      apiVersion: client.authentication.k8s.io/v1beta1
      args:
      - get-token
      - --environment
      - AzurePublicCloud
      - --server-id
      - 6dae42f8-4368-4678-94ff-3960e28e3630
      - --client-id
      - 80faf920-1908-4b52-b5ef-a8e7bedfc67a
      - --tenant-id
      - %[3]s
      - --login
      - devicecode
      command: kubelogin
      env: null
      installHint: |2

        kubelogin is not installed which is required to connect to AAD enabled cluster.

        To learn more, please go to https://aka.ms/aks/kubelogin
      provideClusterInfo: false
- name: ci
  user:
    exec:
      apiVersion: client.authentication.k8s.io/v1beta1
      args: [get-token, --login, spn, --server-id, 6dae42f8-4368-4678-94ff-3960e28e3630, --client-id, %[4]s, --tenant-id, %[3]s, --client-secret, %[5]s]
      command: kubelogin
- name: static
  user:
    token: static-token-of-another-cluster
`

func TestConvertKubeconfigFromAzGetCredentials(t *testing.T) {
	harness.RequireKubectl(t, kubectlMinorExecV1)
	w := newAKSWorld(t)
	caPEM, err := os.ReadFile(w.Entra.CAFile())
	if err != nil {
		t.Fatal(err)
	}
	spID, spSecret := w.Entra.NewServicePrincipal(fakeentra.DefaultTenant)
	original := fmt.Sprintf(azGetCredentialsKubeconfig, base64.StdEncoding.EncodeToString(caPEM), w.AKS.URL(), fakeentra.DefaultTenant, spID, spSecret)
	kubeconfig := filepath.Join(w.Home, ".kube", "config")
	if err := os.MkdirAll(filepath.Dir(kubeconfig), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(kubeconfig, []byte(original), 0o600); err != nil {
		t.Fatal(err)
	}
	w.Set("KUBECONFIG", kubeconfig)

	// kubectl finds the converter as the plugin for `kubectl aad convert-kubeconfig`.
	r := w.Run("", "kubectl", "aad", "convert-kubeconfig")
	if r.Code != 0 {
		t.Fatalf("kubectl aad convert-kubeconfig: exit %d\n%s", r.Code, r.Stderr)
	}
	backups, _ := filepath.Glob(kubeconfig + ".backup-*")
	if len(backups) != 1 {
		t.Fatalf("want one backup beside the kubeconfig, found %v\n%s", backups, r.Stderr)
	}
	if b, err := os.ReadFile(backups[0]); err != nil || string(b) != original {
		t.Errorf("the backup is not the original kubeconfig (%v)", err)
	}
	w.KeepsUserSecret(backups[0]) // the CI user's secret, as the original held it
	converted, err := os.ReadFile(kubeconfig)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(converted, []byte(spSecret)) {
		t.Fatal("the converted kubeconfig holds the client secret")
	}
	cfg, err := clientcmd.Load(converted)
	if err != nil {
		t.Fatalf("the converted kubeconfig does not load: %v", err)
	}
	user := cfg.AuthInfos["clusterUser_contoso-rg_contoso-aks"]
	if user.Exec == nil || user.Exec.Command != "kubectl-aad" || user.Exec.APIVersion != execV1 ||
		user.Exec.InteractiveMode != clientcmdapi.IfAvailableExecInteractiveMode {
		t.Fatalf("the user does not run kubectl-aad with v1 and interactiveMode IfAvailable: %+v", user.Exec)
	}
	args := strings.Join(user.Exec.Args, " ")
	for _, want := range []string{"--login devicecode", "--server-id " + fakeentra.AKSServerAppID, "--tenant-id " + fakeentra.DefaultTenant} {
		if !strings.Contains(args, want) {
			t.Errorf("converted args %q lack %q", args, want)
		}
	}
	if strings.Contains(args, fakeentra.AKSClientID) {
		t.Errorf("converted args %q keep the AKS client, so the shared sign-in would not serve them", args)
	}
	if cfg.AuthInfos["static"].Token != "static-token-of-another-cluster" {
		t.Error("an unrelated user was changed")
	}

	// The converted kubeconfig works: one sign-in (git's: one serves all three tools), then
	// kubectl for the person without a prompt and, with its secret from the environment, for CI.
	signInWithDeviceCode(t, w.World, "git-credential-aad")
	w.Set("AADCRED_PROMPT", "never")
	w.getPods(t)
	w.requireCallers(t, fakeentra.DefaultUser)
	w.Set("AAD_SERVICE_PRINCIPAL_CLIENT_SECRET", spSecret)
	if r := w.Run("", "kubectl", "--context", "contoso-aks-ci", "get", "pods", "--namespace", "default"); r.Code != 0 {
		t.Fatalf("the converted CI user: exit %d\n%s", r.Code, r.Stderr)
	}
	if last := w.AKS.Authorized(); last[len(last)-1].Caller != spID {
		t.Errorf("the CI user called as %q, want the service principal", last[len(last)-1].Caller)
	}
}

func TestConvertKubeconfigThroughKubectlAAD(t *testing.T) {
	w := newAKSWorld(t)
	w.writeKubeconfig(t, execUser{apiVersion: execV1beta1, args: []string{"get-token", "--login", "msi", "--server-id", fakeentra.AKSServerAppID}})
	w.Set("KUBECONFIG", "")
	kubeconfig := filepath.Join(w.Home, ".kube", "config")
	r := w.Run("", "kubectl-aad", "convert-kubeconfig", "--kubeconfig", kubeconfig, "--login", "spn", "--client-secret", "not-to-be-written")
	if r.Code == 0 || r.Stdout != "" || !strings.Contains(r.Stderr, "--client-secret") {
		t.Errorf("a secret flag was not refused with an error naming it: exit %d\nstdout %q\nstderr %s", r.Code, r.Stdout, r.Stderr)
	}
	r = w.Run("", "kubectl-aad", "convert-kubeconfig", "--kubeconfig", kubeconfig, "--exec-api-version", "v1beta1")
	if r.Code != 0 {
		t.Fatalf("convert-kubeconfig: exit %d\n%s", r.Code, r.Stderr)
	}
	cfg, err := clientcmd.LoadFromFile(kubeconfig)
	if err != nil {
		t.Fatal(err)
	}
	exec := cfg.AuthInfos["aks-user"].Exec
	if !slices.Equal(exec.Args, []string{"get-token", "--login", "msi", "--server-id", fakeentra.AKSServerAppID}) || exec.APIVersion != execV1beta1 {
		t.Errorf("re-converting a kubectl-aad user changed it: %q %s", exec.Args, exec.APIVersion)
	}
}

// TestClientGoExecProvider runs client-go's own exec plugin support in this process: a REST
// client whose rest.Config carries an ExecProvider that runs kubectl-aad.
func TestClientGoExecProvider(t *testing.T) {
	for _, version := range []string{execV1, execV1beta1} {
		t.Run(version[strings.LastIndex(version, "/")+1:], func(t *testing.T) {
			w := newAKSWorld(t)
			id, secret := w.Entra.NewServicePrincipal(fakeentra.DefaultTenant)
			w.Set("AAD_SERVICE_PRINCIPAL_CLIENT_SECRET", secret)
			cfg := &rest.Config{
				Host:            w.AKS.URL(),
				APIPath:         "/api",
				TLSClientConfig: rest.TLSClientConfig{CAFile: w.Entra.CAFile()},
				ExecProvider: &clientcmdapi.ExecConfig{
					Command:         filepath.Join(bin, "kubectl-aad"),
					Args:            getTokenArgs("spn", "--client-id", id),
					APIVersion:      version,
					Env:             worldExecEnv(w.World),
					InteractiveMode: clientcmdapi.NeverExecInteractiveMode,
				},
				ContentConfig: rest.ContentConfig{
					GroupVersion:         &schema.GroupVersion{Version: "v1"},
					NegotiatedSerializer: serializer.NewCodecFactory(runtime.NewScheme()).WithoutConversion(),
				},
			}
			client, err := rest.RESTClientFor(cfg)
			if err != nil {
				t.Fatal(err)
			}
			for range 2 {
				raw, err := client.Get().Namespace("default").Resource("pods").DoRaw(context.Background())
				if err != nil {
					t.Fatalf("listing pods through client-go: %v", err)
				}
				w.requirePods(t, string(raw))
			}
			w.requireCallers(t, id)
			// client-go keeps the credential in memory until its expirationTimestamp.
			if n := w.Entra.TokenRequests(); n != 1 {
				t.Errorf("two calls made %d token requests, want 1", n)
			}
		})
	}
}

// worldExecEnv is the world's environment as an exec stanza's env. client-go adds it to this
// process's own environment, so the Azure variables a developer may have set are blanked.
func worldExecEnv(w *harness.World) []clientcmdapi.ExecEnvVar {
	var env []clientcmdapi.ExecEnvVar
	for _, name := range []string{"AZURE_CLIENT_ID", "AZURE_TENANT_ID", "AZURE_CLIENT_SECRET", "AZURE_CLIENT_CERTIFICATE_PATH",
		"AZURE_USERNAME", "AZURE_PASSWORD", "AZURE_FEDERATED_TOKEN_FILE", "AAD_LOGIN_METHOD", "AAD_SERVICE_PRINCIPAL_CLIENT_ID",
		"AZURE_CLI_TIMEOUT", "CI", "AADCRED_PROFILE", "AADCRED_DEBUG"} {
		env = append(env, clientcmdapi.ExecEnvVar{Name: name})
	}
	for _, kv := range w.Environ() {
		name, value, _ := strings.Cut(kv, "=")
		env = append(env, clientcmdapi.ExecEnvVar{Name: name, Value: value})
	}
	return env
}

// TestGetTokenAnswersClientGoTypes decodes get-token's stdout strictly into client-go's own
// ExecCredential types, for each version kubectl may ask for, and checks the expiry.
func TestGetTokenAnswersClientGoTypes(t *testing.T) {
	w := newAKSWorld(t)
	id, secret := w.Entra.NewServicePrincipal(fakeentra.DefaultTenant)
	w.Set("AAD_SERVICE_PRINCIPAL_CLIENT_SECRET", secret)
	args := getTokenArgs("spn", "--client-id", id)
	for _, tc := range []struct {
		name, execInfo, wantVersion string
		decode                      func(*json.Decoder) (token string, expiry time.Time, err error)
	}{
		{"v1", `{"kind":"ExecCredential","apiVersion":"client.authentication.k8s.io/v1","spec":{"interactive":false}}`, execV1, decodeV1},
		{"v1beta1", `{"kind":"ExecCredential","apiVersion":"client.authentication.k8s.io/v1beta1","spec":{"interactive":false}}`, execV1beta1, decodeV1beta1},
		{"run by hand", "", execV1beta1, decodeV1beta1},
	} {
		w.Set("KUBERNETES_EXEC_INFO", tc.execInfo)
		r := w.Run("", "kubectl-aad", args...)
		if r.Code != 0 {
			t.Errorf("%s: get-token: exit %d\n%s", tc.name, r.Code, r.Stderr)
			continue
		}
		if strings.Count(r.Stdout, "\n") != 1 || !strings.HasSuffix(r.Stdout, "\n") {
			t.Errorf("%s: stdout is not one line of JSON: %q", tc.name, r.Stdout)
		}
		var head struct{ APIVersion, Kind string }
		if err := json.Unmarshal([]byte(r.Stdout), &head); err != nil || head.APIVersion != tc.wantVersion || head.Kind != "ExecCredential" {
			t.Errorf("%s: answered %+v (%v), want an ExecCredential of %s", tc.name, head, err, tc.wantVersion)
			continue
		}
		dec := json.NewDecoder(strings.NewReader(r.Stdout))
		dec.DisallowUnknownFields()
		token, expiry, err := tc.decode(dec)
		if err != nil {
			t.Errorf("%s: client-go's types do not decode the answer: %v\n%s", tc.name, err, r.Stdout)
			continue
		}
		claims, err := w.Entra.Verifier().Verify(token, fakeentra.AKSServerAppID)
		if err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		if !expiry.Before(claims.Expiry) || claims.Expiry.Sub(expiry) > 5*time.Minute || !expiry.After(time.Now()) {
			t.Errorf("%s: expirationTimestamp %s should be a little before the token's expiry %s", tc.name, expiry, claims.Expiry)
		}
	}
}

func decodeV1(dec *json.Decoder) (string, time.Time, error) {
	var c clientauthv1.ExecCredential
	if err := dec.Decode(&c); err != nil {
		return "", time.Time{}, err
	}
	if c.Status == nil || c.Status.ExpirationTimestamp == nil {
		return "", time.Time{}, fmt.Errorf("no status or no expirationTimestamp")
	}
	return c.Status.Token, c.Status.ExpirationTimestamp.Time, nil
}

func decodeV1beta1(dec *json.Decoder) (string, time.Time, error) {
	var c clientauthv1beta1.ExecCredential
	if err := dec.Decode(&c); err != nil {
		return "", time.Time{}, err
	}
	if c.Status == nil || c.Status.ExpirationTimestamp == nil {
		return "", time.Time{}, fmt.Errorf("no status or no expirationTimestamp")
	}
	return c.Status.Token, c.Status.ExpirationTimestamp.Time, nil
}

// TestGetTokenStdoutIsOnlyTheProtocol: whatever goes wrong, kubectl reads nothing but an
// ExecCredential from stdout, and the error names what was wrong.
func TestGetTokenStdoutIsOnlyTheProtocol(t *testing.T) {
	w := newAKSWorld(t)
	for _, tc := range []struct {
		name, execInfo string
		args           []string
		wantInStderr   string
	}{
		{"malformed exec info", `{"apiVersion":`, getTokenArgs("msi"), "KUBERNETES_EXEC_INFO"},
		{"removed version", `{"apiVersion":"client.authentication.k8s.io/v1alpha1","kind":"ExecCredential"}`, getTokenArgs("msi"), "v1alpha1"},
		{"unknown flag", "", append(getTokenArgs("msi"), "--no-such-flag"), "no-such-flag"},
		{"unsupported flag", "", append(getTokenArgs("msi"), "--pop-enabled", "true"), "--pop-enabled"},
		{"unsupported mode", "", getTokenArgs("chained"), "chained"},
		{"unknown environment", "", []string{"get-token", "--login", "msi", "--environment", "AzureGermanCloud"}, "AzureGermanCloud"},
		{"spn without a secret", "", getTokenArgs("spn", "--client-id", "00000000-0000-4000-8000-000000000001"), "AAD_SERVICE_PRINCIPAL_CLIENT_SECRET"},
		{"nobody to ask", `{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","spec":{"interactive":false}}`, getTokenArgs("devicecode"), "kubectl aad login"},
	} {
		w.Set("KUBERNETES_EXEC_INFO", tc.execInfo)
		r := w.Run("", "kubectl-aad", tc.args...)
		if r.Code == 0 || r.Stdout != "" {
			t.Errorf("%s: exit %d, stdout %q: want a failure with nothing on stdout", tc.name, r.Code, r.Stdout)
		}
		if !strings.Contains(r.Stderr, tc.wantInStderr) {
			t.Errorf("%s: stderr does not name %q:\n%s", tc.name, tc.wantInStderr, r.Stderr)
		}
	}
	if n := w.Entra.Count(fakeentra.EndpointDeviceCode); n != 0 {
		t.Errorf("a device code was requested")
	}
}

// TestLoginMethodVariableOverridesTheKubeconfig is kubelogin's documented way to switch a
// kubeconfig's baked-in mode (Azure/kubelogin PR #795), and --disable-environment-override
// turns it off.
func TestLoginMethodVariableOverridesTheKubeconfig(t *testing.T) {
	w := newAKSWorld(t)
	id, secret := w.Entra.NewServicePrincipal(fakeentra.DefaultTenant)
	w.Set("AAD_LOGIN_METHOD", "spn")
	w.Set("AZURE_CLIENT_ID", id)
	w.Set("AZURE_CLIENT_SECRET", secret)
	w.Set("AADCRED_PROMPT", "never")
	r := w.Run("", "kubectl-aad", getTokenArgs("devicecode")...)
	if r.Code != 0 {
		t.Fatalf("AAD_LOGIN_METHOD=spn did not override --login devicecode: exit %d\n%s", r.Code, r.Stderr)
	}
	r = w.Run("", "kubectl-aad", getTokenArgs("devicecode", "--disable-environment-override", "--authority-host", w.Entra.URL()+"/")...)
	if r.Code == 0 || !strings.Contains(r.Stderr, "kubectl aad login") {
		t.Errorf("with --disable-environment-override the baked-in devicecode should stand and need a sign-in: exit %d\n%s", r.Code, r.Stderr)
	}
}

func TestRemoveTokensKeepsTheSignIn(t *testing.T) {
	w := newAKSWorld(t)
	signInWithDeviceCode(t, w.World, "kubectl-aad")
	w.Set("AADCRED_PROMPT", "never")
	if r := w.Run("", "kubectl-aad", getTokenArgs("devicecode")...); r.Code != 0 {
		t.Fatalf("get-token: exit %d\n%s", r.Code, r.Stderr)
	}
	before := w.Entra.TokenRequests()
	r := w.Run("", "kubectl-aad", "remove-tokens")
	if r.Code != 0 || r.Stdout != "" || !strings.Contains(r.Stderr, "Deleted 1 ") {
		t.Fatalf("remove-tokens: exit %d\nstdout %q\nstderr %s", r.Code, r.Stdout, r.Stderr)
	}
	if r := w.Run("", "kubectl-aad", getTokenArgs("devicecode")...); r.Code != 0 {
		t.Fatalf("get-token after remove-tokens needed a person: exit %d\n%s", r.Code, r.Stderr)
	}
	if n := w.Entra.TokenRequests() - before; n != 1 {
		t.Errorf("get-token after remove-tokens made %d token requests, want one refresh", n)
	}
}

// BenchmarkKubectlGetTokenWarmCache is the whole-process cost of `kubectl-aad get-token`
// answered from the cache, beside a trivial program that reads one file. The target is within
// 2 ms of that floor (median):
//
//	go test ./tests -run '^$' -bench GetToken.*WarmCache -benchtime 200x
func BenchmarkKubectlGetTokenWarmCache(b *testing.B) { benchmarkWarmGetToken(b, "kubectl-aad") }

// BenchmarkKubeloginLinkGetTokenWarmCache is the same through the kubelogin link: answering as
// kubelogin adds nothing to the warm path.
func BenchmarkKubeloginLinkGetTokenWarmCache(b *testing.B) {
	link := filepath.Join(b.TempDir(), "kubelogin")
	if err := os.Symlink(filepath.Join(bin, "kubectl-aad"), link); err != nil {
		b.Fatal(err)
	}
	benchmarkWarmGetToken(b, link)
}

// BenchmarkKubectlGetTokenPoPWarmCache is the warm path of a proof-of-possession token, which
// does more than one file read by design: the key it signs with rests in the store's secrets
// tier (a keyring read where there is one), and every answer is a request signed afresh.
func BenchmarkKubectlGetTokenPoPWarmCache(b *testing.B) {
	benchmarkWarmGetToken(b, "kubectl-aad", "--pop-enabled", "--pop-claims", "u="+arcClusterID)
}

// benchmarkWarmGetToken measures plugin's get-token for a service principal, with more flags,
// once the cache holds the token; no run may ask Entra ID for one.
func benchmarkWarmGetToken(b *testing.B, plugin string, more ...string) {
	floor, err := harness.BuildFloor(b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	w := harness.NewWorld(b, bin, fakeentra.Options{})
	id, secret := w.Entra.NewServicePrincipal(fakeentra.DefaultTenant)
	w.Set("AAD_SERVICE_PRINCIPAL_CLIENT_SECRET", secret)
	w.Set("KUBERNETES_EXEC_INFO", `{"kind":"ExecCredential","apiVersion":"client.authentication.k8s.io/v1","spec":{"interactive":false}}`)
	args := getTokenArgs("spn", append([]string{"--client-id", id}, more...)...)
	if r := w.Run("", plugin, args...); r.Code != 0 {
		b.Fatalf("warming the cache: %s", r.Stderr)
	}
	before := w.Entra.TokenRequests()
	harness.CompareToFloor(b, floor, func(ctx context.Context) *exec.Cmd { return w.Command(ctx, plugin, args...) })
	if n := w.Entra.TokenRequests() - before; n != 0 {
		b.Errorf("the warm cache made %d token requests", n)
	}
}

func minorFor(version string) int {
	if version == execV1 {
		return kubectlMinorExecV1
	}
	return kubectlMinorAny
}

// modeFor is the interactiveMode a kubeconfig of that version carries: v1 requires one.
func modeFor(version string) clientcmdapi.ExecInteractiveMode {
	if version == execV1 {
		return clientcmdapi.IfAvailableExecInteractiveMode
	}
	return ""
}
