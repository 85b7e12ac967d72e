package main

import (
	"bufio"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"
)

func TestRunPrintsAUsableEnvironment(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	out, stdout := io.Pipe()
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"--state-dir", t.TempDir(), "--auto-approve"}, stdout, io.Discard)
		stdout.Close()
	}()

	env := map[string]string{}
	lines := bufio.NewScanner(out)
	for len(env) < 14 && lines.Scan() {
		name, value, ok := strings.Cut(strings.TrimPrefix(lines.Text(), "export "), "=")
		if !ok || !strings.HasPrefix(value, "'") || !strings.HasSuffix(value, "'") {
			t.Fatalf("line is not export NAME='value': %q", lines.Text())
		}
		env[name] = strings.Trim(value, "'")
	}
	go io.Copy(io.Discard, out)

	pem, err := os.ReadFile(env["SSL_CERT_FILE"])
	if err != nil {
		t.Fatalf("SSL_CERT_FILE: %v", err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		t.Fatal("SSL_CERT_FILE holds no certificate")
	}
	client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	if !strings.HasSuffix(env["AZURE_AUTHORITY_HOST"], "/") {
		t.Errorf("AZURE_AUTHORITY_HOST %q lacks the trailing slash", env["AZURE_AUTHORITY_HOST"])
	}
	form := url.Values{"grant_type": {"client_credentials"}, "client_id": {env["AZURE_CLIENT_ID"]},
		"client_secret": {env["AZURE_CLIENT_SECRET"]}, "scope": {"499b84ac-1321-427f-aa17-267ca6975798/.default"}}
	resp, err := client.PostForm(env["AZURE_AUTHORITY_HOST"]+env["AZURE_TENANT_ID"]+"/oauth2/v2.0/token", form)
	if err != nil {
		t.Fatal(err)
	}
	var answer struct {
		AccessToken string `json:"access_token"`
	}
	json.NewDecoder(resp.Body).Decode(&answer)
	resp.Body.Close()
	if resp.StatusCode != 200 || answer.AccessToken == "" {
		t.Fatalf("the printed service principal got %s", resp.Status)
	}

	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("run returned %v after cancel", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("run did not return after its context ended")
	}
}

func TestRunRejectsBadArguments(t *testing.T) {
	for _, args := range [][]string{{"--no-such-flag"}, {"extra"}} {
		if err := run(context.Background(), args, io.Discard, io.Discard); err == nil {
			t.Errorf("run(%q) succeeded", args)
		}
	}
}
