//go:build linux

package core_test

import (
	"context"
	"crypto/sha256"
	"crypto/tls"
	"encoding/base64"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/aadcred/aadcred/core"
	"github.com/aadcred/aadcred/tests/fakeentra"
)

const chromiumPath = "/usr/bin/chromium"

// TestBrowserChromium signs in through a real headless Chromium: it loads the fake's authorize
// page and delivers the answer to the loopback listener by itself, by redirect or by running
// the form_post page's script. Without Chromium the test is skipped, except in CI, where a
// missing browser must not pass unnoticed.
func TestBrowserChromium(t *testing.T) {
	if _, err := os.Stat(chromiumPath); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("CI=true but Chromium is not installed at %s: %v", chromiumPath, err)
		}
		t.Skipf("Chromium is not installed at %s", chromiumPath)
	}
	t.Parallel()
	for name, formPost := range map[string]bool{"query": false, "form_post": true} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			w := newWorld(t, fakeentra.Options{}, nil)
			if err := w.fake.SetBrowserUser(fakeentra.DefaultUser); err != nil {
				t.Fatal(err)
			}
			chromium := &headlessChromium{t: t, trusted: fakeSPKIHashes(t, w.fake), output: newPromptRecorder()}
			req := w.browserRequest(core.Resource(core.AzureDevOpsResource), chromium.open)
			req.Interaction.FormPost = formPost
			req.Interaction.Timeout = 30 * time.Second
			tok, err := w.client().Acquire(context.Background(), req)
			if err != nil {
				t.Fatalf("%v\nChromium said:\n%s", err, chromium.output.String())
			}
			w.checkToken(tok, core.AzureDevOpsResource, alice)
		})
	}
}

// headlessChromium opens URLs in a headless Chromium with a profile of its own, trusting only
// the fake's certificate beyond the system's roots. The browser is stopped when the test ends.
type headlessChromium struct {
	t       *testing.T
	trusted string          // SPKI hashes whose certificate errors are ignored
	output  *promptRecorder // what Chromium prints, for a failure's message
}

func (c *headlessChromium) open(_ context.Context, signInURL string) error {
	if u, err := url.Parse(signInURL); err != nil || u.Hostname() != "127.0.0.1" {
		c.t.Fatalf("refusing to point Chromium at %q: only the loopback fake may be visited", signInURL)
	}
	profile := filepath.Join(c.t.TempDir(), "profile")
	cmd := exec.Command(chromiumPath, "--headless", "--no-sandbox", "--disable-gpu",
		"--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--no-first-run", "--user-data-dir="+profile,
		// Unlike --ignore-certificate-errors, this forgives only the fake's own certificates.
		"--ignore-certificate-errors-spki-list="+c.trusted,
		signInURL)
	cmd.Stdout, cmd.Stderr = c.output, c.output
	// A group of its own, so that its helper processes stop with it.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		return err
	}
	c.t.Cleanup(func() {
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGTERM)
		done := make(chan struct{})
		go func() { _ = cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
			<-done
		}
	})
	return nil
}

// fakeSPKIHashes returns the base64 SHA-256 hashes of the public keys the fake's authority
// presents, in the form Chromium's --ignore-certificate-errors-spki-list takes.
func fakeSPKIHashes(t *testing.T, fake *fakeentra.Server) string {
	t.Helper()
	u, err := url.Parse(fake.URL())
	if err != nil {
		t.Fatal(err)
	}
	conn, err := tls.Dial("tcp", u.Host, &tls.Config{RootCAs: fake.CertPool(), MinVersion: tls.VersionTLS12})
	if err != nil {
		t.Fatalf("connecting to the fake: %v", err)
	}
	defer conn.Close()
	var hashes []string
	for _, cert := range conn.ConnectionState().PeerCertificates {
		sum := sha256.Sum256(cert.RawSubjectPublicKeyInfo)
		hashes = append(hashes, base64.StdEncoding.EncodeToString(sum[:]))
	}
	return strings.Join(hashes, ",")
}
