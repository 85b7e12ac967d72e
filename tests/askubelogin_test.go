package tests

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"k8s.io/client-go/tools/clientcmd"

	"github.com/aadcred/aadcred/tests/fakeentra"
	"github.com/aadcred/aadcred/tests/harness"
)

// kubeloginWorld is an AKS world whose binaries live in a directory of the test's own, on a PATH
// the test sets: a kubelogin link made there reaches no other test, and no kubelogin installed on
// the machine (or by CI) is found instead.
type kubeloginWorld struct {
	*aksWorld
	dir string // the private kubectl-aad's directory
}

func newKubeloginWorld(t *testing.T, pathBefore ...string) *kubeloginWorld {
	t.Helper()
	w := &kubeloginWorld{aksWorld: newAKSWorld(t), dir: t.TempDir()}
	for _, name := range []string{"kubectl-aad", harness.Converter} {
		data, err := os.ReadFile(filepath.Join(bin, name))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(w.dir, name), data, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	path := append(append([]string{}, pathBefore...), w.dir, "/usr/bin", "/bin")
	w.Set("PATH", strings.Join(path, string(os.PathListSeparator)))
	return w
}

// kubectlAAD runs the private kubectl-aad.
func (w *kubeloginWorld) kubectlAAD(args ...string) harness.Result {
	return w.Run("", filepath.Join(w.dir, "kubectl-aad"), args...)
}

// kubelogin runs the link, as kubectl would.
func (w *kubeloginWorld) kubelogin(args ...string) harness.Result {
	return w.Run("", filepath.Join(w.dir, "kubelogin"), args...)
}

func (w *kubeloginWorld) configure(t *testing.T, args ...string) harness.Result {
	t.Helper()
	r := w.kubectlAAD(append([]string{"configure", "--as-kubelogin"}, args...)...)
	if r.Stdout != "" {
		t.Errorf("configure wrote to stdout: %q", r.Stdout)
	}
	return r
}

// ciClientID is the client ID of the CI user of azGetCredentialsKubeconfig where no test uses it.
const ciClientID = "00000000-0000-4000-8000-0000000000c1"

// writeAzKubeconfig writes the kubeconfig az writes for the fake cluster (with the CI and the
// unrelated user azGetCredentialsKubeconfig adds) and points KUBECONFIG at it.
func (w *kubeloginWorld) writeAzKubeconfig(t *testing.T) string {
	t.Helper()
	caPEM, err := os.ReadFile(w.Entra.CAFile())
	if err != nil {
		t.Fatal(err)
	}
	content := fmt.Sprintf(azGetCredentialsKubeconfig, base64.StdEncoding.EncodeToString(caPEM), w.AKS.URL(), fakeentra.DefaultTenant, ciClientID, "not-used")
	path := filepath.Join(w.Home, ".kube", "config")
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	w.Set("KUBECONFIG", path)
	return content
}

// TestKubectlRunsAzKubeconfigThroughTheKubeloginLink is the AKS user's whole path: install,
// `kubectl aad configure --as-kubelogin`, `az aks get-credentials` as usual, and kubectl works:
// one device-code sign-in the first time, none after, and the kubeconfig never changes.
func TestKubectlRunsAzKubeconfigThroughTheKubeloginLink(t *testing.T) {
	kubectl := harness.RequireKubectl(t, kubectlMinorAny)
	w := newKubeloginWorld(t)
	if r := w.configure(t); r.Code != 0 {
		t.Fatalf("configure --as-kubelogin: exit %d\n%s", r.Code, r.Stderr)
	}
	original := w.writeAzKubeconfig(t)

	w.Entra.OnDeviceCode(func(dc fakeentra.DeviceCodeInfo) {
		go w.Entra.ApproveDeviceCode(dc.UserCode, fakeentra.DefaultUser)
	})
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := w.Command(ctx, kubectl, "get", "pods", "--namespace", "default")
	cmd.Stdin = harness.Terminal(t) // kubectl lets its plugin ask a person only from a terminal
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("kubectl get pods through the kubelogin link: %v\n%s", err, stderr.String())
	}
	w.requirePods(t, stdout.String())
	if !strings.Contains(stderr.String(), "enter the code") {
		t.Errorf("the device-code prompt did not reach the person:\n%s", stderr.String())
	}
	w.requireCallers(t, fakeentra.DefaultUser)

	// Signed in once: kubectl is answered without a person from now on.
	w.Entra.OnDeviceCode(nil)
	w.Set("AADCRED_PROMPT", "never")
	for range 2 {
		r := w.Run("", kubectl, "get", "pods", "--namespace", "default")
		if r.Code != 0 {
			t.Fatalf("kubectl after the sign-in: exit %d\n%s", r.Code, r.Stderr)
		}
		w.requirePods(t, r.Stdout)
	}
	if n := w.Entra.Count(fakeentra.EndpointDeviceCode); n != 1 {
		t.Errorf("%d device codes were issued, want 1", n)
	}
	if now, _ := os.ReadFile(w.Get("KUBECONFIG")); string(now) != original {
		t.Error("the kubeconfig was changed")
	}

	// That sign-in is the one git and docker share: git is answered without asking again.
	mustToken(t, w.World, "git-credential-aad", "--tenant", fakeentra.DefaultTenant, "--resource", adoResource)
	if n := w.Entra.Count(fakeentra.EndpointDeviceCode); n != 1 {
		t.Errorf("git asked for a sign-in of its own after kubectl's: %d device codes", n)
	}
}

// TestTheKubeloginLinkServesTheSharedSignIn: a person signed in for git already; the kubeconfig
// az writes, which names the AKS public client, is served through the link by that sign-in.
func TestTheKubeloginLinkServesTheSharedSignIn(t *testing.T) {
	kubectl := harness.RequireKubectl(t, kubectlMinorAny)
	w := newKubeloginWorld(t)
	if r := w.configure(t); r.Code != 0 {
		t.Fatalf("configure --as-kubelogin: exit %d\n%s", r.Code, r.Stderr)
	}
	w.writeAzKubeconfig(t)
	signInWithDeviceCode(t, w.World, "git-credential-aad")

	w.Set("AADCRED_PROMPT", "never")
	r := w.Run("", kubectl, "get", "pods", "--namespace", "default")
	if r.Code != 0 {
		t.Fatalf("kubectl through the link after git's sign-in: exit %d\n%s", r.Code, r.Stderr)
	}
	w.requirePods(t, r.Stdout)
	w.requireCallers(t, fakeentra.DefaultUser)
	if n := w.Entra.Count(fakeentra.EndpointDeviceCode); n != 1 {
		t.Errorf("%d device codes were issued, want only git's", n)
	}
}

func TestConfigureAsKubelogin(t *testing.T) {
	// A kubelogin of someone else's, earlier on PATH than kubectl-aad.
	other := t.TempDir()
	otherKubelogin := filepath.Join(other, "kubelogin")
	if err := os.WriteFile(otherKubelogin, []byte("#!/bin/sh\necho other kubelogin\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	w := newKubeloginWorld(t, other)
	link := filepath.Join(w.dir, "kubelogin")

	r := w.configure(t)
	if r.Code == 0 || !strings.Contains(r.Stderr, otherKubelogin) || !strings.Contains(r.Stderr, "--force") {
		t.Errorf("with another kubelogin first on PATH: exit %d\n%s", r.Code, r.Stderr)
	}
	if _, err := os.Lstat(link); !os.IsNotExist(err) {
		t.Fatal("the link was made although another kubelogin comes first")
	}
	r = w.configure(t, "--force")
	if r.Code != 0 || !strings.Contains(r.Stderr, "Linked "+link) || !strings.Contains(r.Stderr, otherKubelogin+" comes first on PATH") {
		t.Fatalf("configure --force: exit %d\n%s", r.Code, r.Stderr)
	}
	if out, _ := os.ReadFile(otherKubelogin); !strings.Contains(string(out), "other kubelogin") {
		t.Error("the other kubelogin was changed")
	}

	// The link answers as kubelogin.
	v := w.kubelogin("--version")
	if v.Code != 0 || !strings.HasPrefix(v.Stdout, "kubelogin version \ngit hash: aadcred-") {
		t.Errorf("kubelogin --version: exit %d\nstdout %q\nstderr %s", v.Code, v.Stdout, v.Stderr)
	}

	// Once the other one is gone, configure has nothing to warn of and nothing to do.
	if err := os.Remove(otherKubelogin); err != nil {
		t.Fatal(err)
	}
	if r := w.configure(t); r.Code != 0 || !strings.Contains(r.Stderr, "already runs kubectl-aad") || strings.Contains(r.Stderr, "Note") {
		t.Errorf("configure again: exit %d\n%s", r.Code, r.Stderr)
	}
	if r := w.configure(t, "--remove"); r.Code != 0 || !strings.Contains(r.Stderr, "Removed "+link) {
		t.Errorf("configure --remove: exit %d\n%s", r.Code, r.Stderr)
	}
	if _, err := os.Lstat(link); !os.IsNotExist(err) {
		t.Error("--remove left the link")
	}
	if _, err := os.Stat(filepath.Join(w.dir, "kubectl-aad")); err != nil {
		t.Errorf("--remove took kubectl-aad itself: %v", err)
	}

	// A kubelogin of someone else's where the link would go is never replaced or removed.
	if err := os.WriteFile(link, []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{{"--force"}, {"--remove"}} {
		if r := w.configure(t, args...); r.Code == 0 || !strings.Contains(r.Stderr, "left alone") {
			t.Errorf("configure %q over another kubelogin: exit %d\n%s", args, r.Code, r.Stderr)
		}
	}
	if data, _ := os.ReadFile(link); string(data) != "#!/bin/sh\n" {
		t.Error("the other kubelogin beside kubectl-aad was changed")
	}
}

// TestKubeloginCommands runs kubelogin's other commands through the link: get-token with the
// klog flags before and after it, convert-kubeconfig and remove-tokens.
func TestKubeloginCommands(t *testing.T) {
	w := newKubeloginWorld(t)
	if r := w.configure(t); r.Code != 0 {
		t.Fatalf("configure: %s", r.Stderr)
	}
	id, secret := w.Entra.NewServicePrincipal(fakeentra.DefaultTenant)
	w.Set("AAD_SERVICE_PRINCIPAL_CLIENT_SECRET", secret)
	args := getTokenArgs("spn", "--client-id", id)

	r := w.kubelogin(append([]string{"-v", "5", "--logtostderr"}, args...)...)
	if r.Code != 0 || !strings.Contains(r.Stdout, `"kind":"ExecCredential"`) {
		t.Fatalf("kubelogin -v 5 get-token: exit %d\n%s", r.Code, r.Stderr)
	}
	if !strings.Contains(r.Stderr, ": debug: ") || strings.Contains(r.Stderr, secret) {
		t.Errorf("-v 5 should log steps, never the secret:\n%s", r.Stderr)
	}
	for _, after := range [][]string{{"--v=4"}, {"--debug"}} {
		r = w.kubelogin(append(args, after...)...)
		if r.Code != 0 || !strings.Contains(r.Stderr, ": debug: ") {
			t.Errorf("get-token %q: exit %d, want debug lines\n%s", after, r.Code, r.Stderr)
		}
	}
	if r = w.kubelogin(append(args, "-v", "2")...); r.Code != 0 || strings.Contains(r.Stderr, ": debug: ") {
		t.Errorf("get-token -v 2: exit %d, want no debug lines\n%s", r.Code, r.Stderr)
	}

	// convert-kubeconfig as kubelogin writes what kubelogin's does: the user still runs
	// kubelogin, with ExecCredential v1beta1.
	w.writeAzKubeconfig(t)
	r = w.kubelogin("convert-kubeconfig", "-l", "azurecli")
	if r.Code != 0 {
		t.Fatalf("kubelogin convert-kubeconfig: exit %d\n%s", r.Code, r.Stderr)
	}
	cfg, err := clientcmd.LoadFromFile(w.Get("KUBECONFIG"))
	if err != nil {
		t.Fatal(err)
	}
	exec := cfg.AuthInfos["clusterUser_contoso-rg_contoso-aks"].Exec
	want := []string{"get-token", "--login", "azurecli", "--server-id", fakeentra.AKSServerAppID}
	if exec.Command != "kubelogin" || exec.APIVersion != execV1beta1 || strings.Join(exec.Args, " ") != strings.Join(want, " ") {
		t.Errorf("converted as kubelogin to %s %s %q, want kubelogin %s %q", exec.Command, exec.APIVersion, exec.Args, execV1beta1, want)
	}

	if r = w.kubelogin("remove-tokens"); r.Code != 0 || !strings.Contains(r.Stderr, "Deleted") {
		t.Errorf("kubelogin remove-tokens: exit %d\n%s", r.Code, r.Stderr)
	}
}
