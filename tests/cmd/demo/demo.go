package main

import (
	"bytes"
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

	"github.com/aadcred/aadcred/tests/fakeentra"
	"github.com/aadcred/aadcred/tests/harness"
)

// demo is the fakes, the built binaries and a private home for them.
type demo struct {
	out   io.Writer
	dir   string
	entra *fakeentra.Server
	env   map[string]string
}

type step struct {
	title string
	run   func(ctx context.Context) error
}

func newDemo(out io.Writer) (*demo, error) {
	dir, err := os.MkdirTemp("", "aadcred-demo-")
	if err != nil {
		return nil, err
	}
	d := &demo{out: out, dir: dir}
	fmt.Fprintln(out, "Building git-credential-aad, docker-credential-aad and kubectl-aad…")
	if err := harness.Build(filepath.Join(dir, "bin")); err != nil {
		d.close()
		return nil, err
	}
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		d.close()
		return nil, err
	}
	d.entra, err = fakeentra.Start(fakeentra.Options{StateDir: filepath.Join(dir, "fake"), SigningKey: key, DeviceCodeInterval: time.Second})
	if err != nil {
		d.close()
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
	home := filepath.Join(dir, "home")
	d.env = map[string]string{
		"PATH":                  filepath.Join(dir, "bin") + string(os.PathListSeparator) + os.Getenv("PATH"),
		"HOME":                  home,
		"SSL_CERT_FILE":         d.entra.CAFile(),
		"AZURE_AUTHORITY_HOST":  d.entra.URL() + "/",
		"AZURE_TENANT_ID":       fakeentra.DefaultTenant,
		"AADCRED_CACHE_DIR":     filepath.Join(dir, "cache"),
		"AADCRED_CONFIG":        filepath.Join(dir, "config.yaml"),
		"AADCRED_IMDS_ENDPOINT": d.entra.IMDSEndpoint(),
		"AADCRED_PROMPT":        "always",
	}
	return d, os.MkdirAll(home, 0o700)
}

func (d *demo) close() {
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
		{"git: a token for Azure DevOps, no prompt", func(ctx context.Context) error {
			return d.showToken(ctx, "git-credential-aad", "499b84ac-1321-427f-aa17-267ca6975798")
		}},
		{"docker: a token for Azure Container Registry, no prompt", func(ctx context.Context) error {
			return d.showToken(ctx, "docker-credential-aad", "https://containerregistry.azure.net")
		}},
		{"kubectl: a token for AKS, no prompt", func(ctx context.Context) error {
			return d.showToken(ctx, "kubectl-aad", "6dae42f8-4368-4678-94ff-3960e28e3630")
		}},
		{"What is kept, and how it is protected", func(ctx context.Context) error {
			return d.show(ctx, "git-credential-aad", "status")
		}},
		{"Requests the fake Entra ID saw", func(context.Context) error {
			refreshes := 0
			for _, r := range d.entra.Requests() {
				if r.GrantType == "refresh_token" {
					refreshes++
				}
			}
			fmt.Fprintf(d.out, "device codes shown: %d; refresh-token redemptions: %d (one per resource, none of them a prompt)\n",
				d.entra.Count(fakeentra.EndpointDeviceCode), refreshes)
			return nil
		}},
	}
}

// show runs a binary with its output going to the demo's output, as a person would see it.
func (d *demo) show(ctx context.Context, name string, args ...string) error {
	fmt.Fprintf(d.out, "$ %s %s\n", name, strings.Join(args, " "))
	cmd := d.command(ctx, name, args...)
	cmd.Stdout, cmd.Stderr = d.out, d.out
	return cmd.Run()
}

// showToken asks for a token and shows who it is for, not the token itself.
func (d *demo) showToken(ctx context.Context, name, resource string) error {
	fmt.Fprintf(d.out, "$ %s token --resource %s\n", name, resource)
	cmd := d.command(ctx, name, "token", "--resource", resource)
	var stdout bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, d.out
	if err := cmd.Run(); err != nil {
		return err
	}
	claims, err := d.entra.Verifier().Verify(strings.TrimSpace(stdout.String()), resource)
	if err != nil {
		return fmt.Errorf("the token does not verify: %w", err)
	}
	fmt.Fprintf(d.out, "a %d-byte JWT for %s, user %s, tenant %s, valid until %s\n",
		stdout.Len()-1, claims.Audience, claims.UPN, claims.TenantID, claims.Expiry.Local().Format(time.Kitchen))
	return nil
}

func (d *demo) command(ctx context.Context, name string, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, filepath.Join(d.dir, "bin", name), args...)
	for k, v := range d.env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	sort.Strings(cmd.Env)
	return cmd
}
