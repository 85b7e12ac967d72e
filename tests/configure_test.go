package tests

import (
	"encoding/json"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aadcred/aadcred/tests/fakeentra"
	"github.com/aadcred/aadcred/tests/harness"
)

// kubeloginKubeconfig is what `az aks get-credentials` followed by `kubelogin convert-kubeconfig`
// leaves.
const kubeloginKubeconfig = `apiVersion: v1
kind: Config
clusters:
- name: aks
  cluster:
    server: https://aks.example:443
contexts:
- name: aks
  context:
    cluster: aks
    user: clusterUser_rg_aks
current-context: aks
users:
- name: clusterUser_rg_aks
  user:
    exec:
      apiVersion: client.authentication.k8s.io/v1beta1
      command: kubelogin
      args: [get-token, --login, devicecode, --server-id, 6dae42f8-4368-4678-94ff-3960e28e3630, --tenant-id, 72f988bf-86f1-41af-91ab-2d7cd011db47]
`

// setupHome is a person's home as other tools left it: a registry that `az acr login` stored in
// docker's config.json, one that `podman login` stored in the containers' auth.json, and a
// kubeconfig of kubelogin users.
type setupHome struct {
	*harness.World
	gitconfig, dockerConfig, containersAuth, kubeconfig string
}

func newSetupHome(t *testing.T) *setupHome {
	t.Helper()
	harness.RequireTool(t, "git")
	w := harness.NewWorld(t, bin, fakeentra.Options{})
	h := &setupHome{
		World:          w,
		gitconfig:      filepath.Join(w.Home, ".gitconfig"),
		dockerConfig:   filepath.Join(w.Home, ".docker", "config.json"),
		containersAuth: filepath.Join(w.Home, ".config", "containers", "auth.json"),
		kubeconfig:     filepath.Join(w.Home, ".kube", "config"),
	}
	writeTestFile(t, h.dockerConfig, `{"auths": {"contoso.azurecr.io": {"auth": "MDAwMDAwMDAtMDAwMC0wMDAwLTAwMDAtMDAwMDAwMDAwMDAwOnRva2Vu"}, "ghcr.io": {}}}`)
	writeTestFile(t, h.containersAuth, `{"auths": {"fabrikam.azurecr.io": {"auth": "dXNlcjpwYXNz"}}}`)
	writeTestFile(t, h.kubeconfig, kubeloginKubeconfig)
	return h
}

func writeTestFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}

// filesUnder is every file under dir with its content.
func filesUnder(t *testing.T, dir string) map[string]string {
	t.Helper()
	files := map[string]string{}
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(path)
		files[path] = string(data)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

func credHelpers(t *testing.T, path string) map[string]string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var v struct{ CredHelpers map[string]string }
	if err := json.Unmarshal(data, &v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return v.CredHelpers
}

func TestConfigureAllDryRunWritesNothing(t *testing.T) {
	h := newSetupHome(t)
	before := filesUnder(t, h.Home)
	r := h.Run("", "git-credential-aad", "configure", "--all", "--dry-run", "extra.azurecr.io")
	if r.Code != 0 || r.Stdout != "" {
		t.Fatalf("exit %d\nstdout %q\nstderr %s", r.Code, r.Stdout, r.Stderr)
	}
	for _, want := range []string{
		"Would configure git in " + h.gitconfig + " (dry run: nothing written):", "\n  https://dev.azure.com\n",
		"contoso.azurecr.io: would be added", "fabrikam.azurecr.io: would be added", "extra.azurecr.io: would be added",
		"\ndocker: " + h.dockerConfig + "\n", "\npodman, buildah, skopeo: " + h.containersAuth + "\n",
		`Would convert user "clusterUser_rg_aks"`, "Dry run: nothing was written.",
	} {
		if !strings.Contains(r.Stderr, want) {
			t.Errorf("the dry run does not say %q:\n%s", want, r.Stderr)
		}
	}
	if strings.Contains(r.Stderr, "ghcr.io") {
		t.Errorf("the dry run offers to wire ghcr.io, which this helper never answers:\n%s", r.Stderr)
	}
	after := filesUnder(t, h.Home)
	if len(after) != len(before) {
		t.Errorf("files before %d, after %d", len(before), len(after))
	}
	for path, content := range before {
		if after[path] != content {
			t.Errorf("%s changed", path)
		}
	}
}

func TestConfigureAllWiresEveryClient(t *testing.T) {
	h := newSetupHome(t)
	r := h.Run("", "docker-credential-aad", "configure", "--all", "extra.azurecr.io")
	if r.Code != 0 || r.Stdout != "" {
		t.Fatalf("exit %d\nstdout %q\nstderr %s", r.Code, r.Stdout, r.Stderr)
	}

	out, err := exec.Command("git", "config", "--file", h.gitconfig, "--get-all", "credential.https://dev.azure.com.helper").Output()
	if err != nil || !strings.HasSuffix(strings.TrimSpace(string(out)), filepath.Join(h.Bin, "git-credential-aad")) {
		t.Errorf("git's configuration does not run the helper for dev.azure.com (%v):\n%s", err, out)
	}
	for _, path := range []string{h.dockerConfig, h.containersAuth} {
		helpers := credHelpers(t, path)
		for _, registry := range []string{"contoso.azurecr.io", "fabrikam.azurecr.io", "extra.azurecr.io"} {
			if helpers[registry] != "aad" {
				t.Errorf("%s: credHelpers[%s] = %q, want aad", path, registry, helpers[registry])
			}
		}
		if _, ok := helpers["ghcr.io"]; ok {
			t.Errorf("%s: ghcr.io was given to this helper", path)
		}
	}
	kubeconfig, err := os.ReadFile(h.kubeconfig)
	if err != nil || !strings.Contains(string(kubeconfig), "command: kubectl-aad") || strings.Contains(string(kubeconfig), "command: kubelogin") {
		t.Errorf("the kubeconfig was not converted (%v):\n%s", err, kubeconfig)
	}

	// Once more, from kubectl-aad: everything is in place, and nothing is written again.
	before := filesUnder(t, h.Home)
	r = h.Run("", "kubectl-aad", "configure", "--all")
	if r.Code != 0 {
		t.Fatalf("second run: exit %d\n%s", r.Code, r.Stderr)
	}
	for _, want := range []string{"already configured", "contoso.azurecr.io: unchanged", `User "clusterUser_rg_aks" is already converted.`} {
		if !strings.Contains(r.Stderr, want) {
			t.Errorf("the second run does not say %q:\n%s", want, r.Stderr)
		}
	}
	after := filesUnder(t, h.Home)
	for path, content := range before {
		if after[path] != content {
			t.Errorf("the second run changed %s", path)
		}
	}
}

func TestConfigureAllNamesTheProgramsItCannotFind(t *testing.T) {
	h := newSetupHome(t)
	// Only git-credential-aad is installed, as after a go install of that one command.
	alone := t.TempDir()
	data, err := os.ReadFile(filepath.Join(h.Bin, "git-credential-aad"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(alone, "git-credential-aad"), data, 0o755); err != nil {
		t.Fatal(err)
	}
	gitDir := filepath.Dir(harness.RequireTool(t, "git"))
	h.Set("PATH", alone+string(os.PathListSeparator)+gitDir)
	kubeconfigBefore, _ := os.ReadFile(h.kubeconfig)

	r := h.Run("", filepath.Join(alone, "git-credential-aad"), "configure", "--all")
	if r.Code != 1 {
		t.Fatalf("exit %d, want 1\n%s", r.Code, r.Stderr)
	}
	for _, want := range []string{
		"Configured git in " + h.gitconfig + ":",
		"docker-credential-aad is not installed beside this program or on PATH",
		"kubectl-aad-convert_kubeconfig is not installed beside this program or on PATH",
		"configure --all: docker and kubectl not configured (see above)",
	} {
		if !strings.Contains(r.Stderr, want) {
			t.Errorf("stderr does not say %q:\n%s", want, r.Stderr)
		}
	}
	if after, _ := os.ReadFile(h.kubeconfig); string(after) != string(kubeconfigBefore) {
		t.Error("the kubeconfig changed")
	}
}

// TestConfigureAllRefusesWhatItWouldDrop: --all configures each tool its default way, so a
// configure flag beside it is refused, not dropped (--all --remove would otherwise configure
// everything), while --profile goes on to every step that reads the configuration.
func TestConfigureAllRefusesWhatItWouldDrop(t *testing.T) {
	h := newSetupHome(t)
	before := filesUnder(t, h.Home)
	for _, args := range [][]string{
		{"git-credential-aad", "--remove"},
		{"docker-credential-aad", "--remove"},
		{"kubectl-aad", "--as-kubelogin"},
		{"git-credential-aad", "--system"},
	} {
		r := h.Run("", args[0], "configure", "--all", args[1])
		if r.Code != 2 || !strings.Contains(r.Stderr, "configure --all does not take "+args[1]) {
			t.Errorf("%s configure --all %s: exit %d\n%s", args[0], args[1], r.Code, r.Stderr)
		}
	}
	r := h.Run("", "kubectl-aad", "configure", "--all", "--dry-run", "--profile", "nope")
	if r.Code != 1 || strings.Count(r.Stderr, `no profile named "nope"`) != 2 || !strings.Contains(r.Stderr, "git and docker not configured") {
		t.Errorf("configure --all --dry-run --profile nope: exit %d\n%s", r.Code, r.Stderr)
	}
	after := filesUnder(t, h.Home)
	for path, content := range before {
		if after[path] != content {
			t.Errorf("%s changed", path)
		}
	}
}
