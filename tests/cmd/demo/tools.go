package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/aadcred/aadcred/tests/fakeentra"
)

// git clones a repository of a fake Azure DevOps organisation and pushes a commit to it, with
// git-credential-aad configured the way a person configures it.
func (d *demo) git(ctx context.Context) error {
	if d.repos == nil {
		d.missing("git", "the helper's answer to git's request")
		return d.showProtocol(ctx, "protocol=https\nhost=dev.azure.com\npath=contoso/web/_git/web\n\n", "git-credential-aad", "get")
	}
	d.repos.AddOrg("contoso", fakeentra.DefaultTenant)
	remoteURL, err := d.repos.CreateRepo("contoso", "web", "web")
	if err != nil {
		return err
	}
	work := filepath.Join(d.env["HOME"], "web")
	for _, c := range [][]string{
		{"git-credential-aad", "configure", "--global"},
		{"git", "clone", remoteURL, work},
		{"git", "-C", work, "-c", "user.name=Alice", "-c", "user.email=alice@contoso.example", "commit", "--allow-empty", "-m", "Hello from aadcred"},
		{"git", "-C", work, "push", "origin", "HEAD"},
	} {
		if err := d.show(ctx, c[0], c[1:]...); err != nil {
			return err
		}
	}
	return nil
}

// docker pushes a small image through go-containerregistry's default keychain (which runs
// docker-credential-aad, as crane, ko and kaniko do), then reads its manifest with the docker CLI.
func (d *demo) docker(ctx context.Context) error {
	if err := d.show(ctx, "docker-credential-aad", "configure", d.acr.Host()); err != nil {
		return err
	}
	ref := d.acr.Host() + "/demo/hello:1.0"
	fmt.Fprintf(d.out, "(pushing %s with go-containerregistry through the docker keychain)\n", ref)
	if err := pushRandomImage(ctx, ref, d.entra); err != nil {
		return err
	}
	if _, err := exec.LookPath("docker"); err != nil {
		d.missing("docker", "the helper's answer to docker's request")
		return d.showProtocol(ctx, d.acr.Host(), "docker-credential-aad", "get")
	}
	return d.show(ctx, "docker", "manifest", "inspect", ref)
}

func pushRandomImage(ctx context.Context, ref string, entra *fakeentra.Server) error {
	r, err := name.ParseReference(ref)
	if err != nil {
		return err
	}
	img, err := random.Image(1024, 1)
	if err != nil {
		return err
	}
	return remote.Write(r, img, remote.WithContext(ctx), remote.WithAuthFromKeychain(authn.DefaultKeychain),
		remote.WithTransport(entra.HTTPClient().Transport))
}

// kubectl lists pods with a kubeconfig whose user runs kubectl-aad, as convert-kubeconfig writes it.
func (d *demo) kubectl(ctx context.Context) error {
	kubeconfig := fmt.Sprintf(`apiVersion: v1
kind: Config
clusters:
- name: fake-aks
  cluster: {server: %q, certificate-authority: %q}
users:
- name: fake-aks-user
  user:
    exec:
      apiVersion: client.authentication.k8s.io/v1
      command: kubectl-aad
      args: [get-token, --login, devicecode, --server-id, 6dae42f8-4368-4678-94ff-3960e28e3630, --tenant-id, %s]
      interactiveMode: IfAvailable
contexts:
- name: fake-aks
  context: {cluster: fake-aks, user: fake-aks-user}
current-context: fake-aks
`, d.aks.URL(), d.entra.CAFile(), fakeentra.DefaultTenant)
	path := d.env["KUBECONFIG"]
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return err
	}
	if err := os.WriteFile(path, []byte(kubeconfig), 0o600); err != nil {
		return err
	}
	if _, err := exec.LookPath("kubectl"); err != nil {
		d.missing("kubectl", "the ExecCredential kubectl would receive")
		return d.showProtocol(ctx, "", "kubectl-aad", "get-token", "--login", "devicecode", "--tenant-id", fakeentra.DefaultTenant)
	}
	return d.show(ctx, "kubectl", "get", "pods", "--namespace", "default")
}

// showProtocol runs a helper the way its tool would, with stdin, and prints its answer with the
// secret masked.
func (d *demo) showProtocol(ctx context.Context, stdin, name string, args ...string) error {
	fmt.Fprintf(d.out, "$ %s %s\n", name, strings.Join(args, " "))
	cmd := d.command(ctx, name, args...)
	cmd.Stdin = strings.NewReader(stdin)
	var stdout bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, d.out
	if err := cmd.Run(); err != nil {
		return err
	}
	fmt.Fprintln(d.out, maskSecrets(stdout.String()))
	return nil
}

// maskSecrets shortens every JWT-looking value of an answer: a demo shows that a token came back,
// not the token.
func maskSecrets(s string) string {
	fields := strings.FieldsFunc(s, func(r rune) bool { return strings.ContainsRune("\"=\n ,", r) })
	for _, f := range fields {
		if strings.HasPrefix(f, "eyJ") && strings.Count(f, ".") == 2 {
			s = strings.ReplaceAll(s, f, f[:12]+"…(a JWT)")
		}
	}
	return s
}
