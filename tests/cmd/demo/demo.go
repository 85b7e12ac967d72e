package main

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/aadcred/aadcred/tests/fakeacr"
	"github.com/aadcred/aadcred/tests/fakeaks"
	"github.com/aadcred/aadcred/tests/fakeentra"
	"github.com/aadcred/aadcred/tests/fakerepos"
	"github.com/aadcred/aadcred/tests/harness"
)

// demo is the fakes, the built binaries and a private home for them.
type demo struct {
	out   io.Writer
	dir   string
	bin   string
	entra *fakeentra.Server
	repos *fakerepos.Server // nil without git
	acr   *fakeacr.Server
	aks   *fakeaks.Server
	env   map[string]string
}

type step struct {
	title string
	run   func(ctx context.Context) error
}

func newDemo(out io.Writer) (d *demo, err error) {
	dir, err := os.MkdirTemp("", "aadcred-demo-")
	if err != nil {
		return nil, err
	}
	d = &demo{out: out, dir: dir, bin: filepath.Join(dir, "bin")}
	defer func() {
		if err != nil {
			d.close()
		}
	}()
	fmt.Fprintln(out, "Building git-credential-aad, docker-credential-aad and kubectl-aad…")
	if err := harness.Build(d.bin); err != nil {
		return nil, err
	}
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, err
	}
	d.entra, err = fakeentra.Start(fakeentra.Options{StateDir: filepath.Join(dir, "fake"), SigningKey: key, DeviceCodeInterval: time.Second})
	if err != nil {
		return nil, err
	}
	// The fake approves every device code as its default user a moment after it is shown,
	// standing in for the person who would enter the code in a browser.
	d.entra.OnDeviceCode(func(dc fakeentra.DeviceCodeInfo) {
		go func() {
			time.Sleep(1500 * time.Millisecond)
			d.entra.ApproveDeviceCode(dc.UserCode, fakeentra.DefaultUser)
		}()
	})
	if _, err := exec.LookPath("git"); err == nil {
		if d.repos, err = fakerepos.Start(d.entra, fakerepos.Options{Dir: filepath.Join(dir, "repos")}); err != nil {
			return nil, err
		}
	}
	if d.acr, err = fakeacr.Start(fakeacr.Options{Entra: d.entra}); err != nil {
		return nil, err
	}
	if d.aks, err = fakeaks.Start(fakeaks.Options{Entra: d.entra}); err != nil {
		return nil, err
	}
	return d, d.prepareHome()
}

// prepareHome writes the configuration the tools read and the environment they run in. The
// fakes listen on 127.0.0.1, so aadcred's configuration lists them beside the real Azure hosts.
func (d *demo) prepareHome() error {
	home := filepath.Join(d.dir, "home")
	if err := os.MkdirAll(home, 0o700); err != nil {
		return err
	}
	config := filepath.Join(d.dir, "config.yaml")
	hosts := "docker:\n  registries: [\"" + d.acr.Host() + "\"]\n"
	if d.repos != nil {
		hosts += "git:\n  hosts: [\"" + d.repos.Host() + "\"]\n"
	}
	if err := os.WriteFile(config, []byte("tenant: "+fakeentra.DefaultTenant+"\n"+hosts), 0o600); err != nil {
		return err
	}
	d.env = map[string]string{
		"PATH":                  d.bin + string(os.PathListSeparator) + os.Getenv("PATH"),
		"HOME":                  home,
		"SSL_CERT_FILE":         d.entra.CAFile(),
		"GIT_SSL_CAINFO":        d.entra.CAFile(),
		"GIT_TERMINAL_PROMPT":   "0", // after the one sign-in, nothing may ask again
		"DOCKER_CONFIG":         filepath.Join(home, ".docker"),
		"KUBECONFIG":            filepath.Join(home, ".kube", "config"),
		"AZURE_AUTHORITY_HOST":  d.entra.URL() + "/",
		"AADCRED_CACHE_DIR":     filepath.Join(d.dir, "cache"),
		"AADCRED_CONFIG":        config,
		"AADCRED_IMDS_ENDPOINT": d.entra.IMDSEndpoint(),
		"AADCRED_PROMPT":        "always",
	}
	// go-containerregistry runs the docker helper from inside this process, with its environment.
	for k, v := range d.env {
		if err := os.Setenv(k, v); err != nil {
			return err
		}
	}
	return nil
}

func (d *demo) close() {
	if d.repos != nil {
		d.repos.Close()
	}
	if d.acr != nil {
		d.acr.Close()
	}
	if d.aks != nil {
		d.aks.Close()
	}
	if d.entra != nil {
		d.entra.Close()
	}
	os.RemoveAll(d.dir)
}

func (d *demo) steps() []step {
	return []step{
		{"Sign in once (device code; the fake approves it as " + fakeentra.DefaultUser + ")", func(ctx context.Context) error {
			return d.show(ctx, "kubectl-aad", "login", "--method", "devicecode")
		}},
		{"git: clone from and push to Azure Repos", d.git},
		{"docker: push an image to Azure Container Registry and inspect it", d.docker},
		{"kubectl: list the pods of an AKS cluster", d.kubectl},
		{"What is kept, and how it is protected", func(ctx context.Context) error {
			return d.show(ctx, "git-credential-aad", "status")
		}},
	}
}

// show runs a program with its output going to the demo's output, as a person would see it.
func (d *demo) show(ctx context.Context, name string, args ...string) error {
	fmt.Fprintf(d.out, "$ %s %s\n", name, strings.Join(args, " "))
	cmd := d.command(ctx, name, args...)
	cmd.Stdout, cmd.Stderr = d.out, d.out
	return cmd.Run()
}

func (d *demo) command(ctx context.Context, name string, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, name, args...)
	if p, err := exec.LookPath(filepath.Join(d.bin, name)); err == nil {
		cmd = exec.CommandContext(ctx, p, args...)
	}
	for k, v := range d.env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	sort.Strings(cmd.Env)
	cmd.Dir = d.env["HOME"]
	return cmd
}

// missing says that a tool is not installed and what the demo shows instead.
func (d *demo) missing(tool, instead string) {
	fmt.Fprintf(d.out, "(%s is not installed here; showing %s instead)\n", tool, instead)
}
