package tests

import (
	"bufio"
	"context"
	"io"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aadcred/aadcred/tests/fakeentra"
	"github.com/aadcred/aadcred/tests/harness"
)

// TestTokenAgainstStandaloneFake runs the fake as its own process, the way the README's demo does,
// and asks each binary for a token with a service principal: stdout holds the JWT and nothing else.
func TestTokenAgainstStandaloneFake(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	fake := exec.CommandContext(ctx, filepath.Join(bin, "fakeazure"), "--state-dir", t.TempDir())
	out, err := fake.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := fake.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cancel(); fake.Wait() })
	env := readExports(t, out)

	w := harness.NewWorld(t, bin, fakeentra.Options{})
	for _, name := range []string{"SSL_CERT_FILE", "AZURE_AUTHORITY_HOST", "AZURE_TENANT_ID", "AZURE_CLIENT_ID", "AZURE_CLIENT_SECRET"} {
		w.Set(name, env[name])
	}
	verifier := fakeentra.NewVerifier(env["FAKEAZURE_JWKS_URL"], httpClientTrusting(t, env["SSL_CERT_FILE"]))
	for _, b := range harness.Binaries {
		const resource = "https://management.azure.com/"
		r := w.Run("", b, "token", "--method", "clientsecret", "--resource", resource)
		if r.Code != 0 {
			t.Fatalf("%s token: exit %d\n%s", b, r.Code, r.Stderr)
		}
		token, rest, _ := strings.Cut(r.Stdout, "\n")
		if rest != "" {
			t.Errorf("%s token: stdout has more than the token: %q", b, rest)
		}
		claims, err := verifier.Verify(token, resource)
		if err != nil {
			t.Fatalf("%s token: the printed token does not verify for %s: %v", b, resource, err)
		}
		if claims.TenantID != env["AZURE_TENANT_ID"] || claims.AppID != env["AZURE_CLIENT_ID"] {
			t.Errorf("%s token: tid %s appid %s", b, claims.TenantID, claims.AppID)
		}
	}
}

// readExports reads fakeazure's `export NAME='value'` lines up to the line that says it is ready.
func readExports(t *testing.T, r io.Reader) map[string]string {
	t.Helper()
	result := make(chan map[string]string, 1)
	go func() {
		env := map[string]string{}
		sc := bufio.NewScanner(r)
		for sc.Scan() {
			if sc.Text() == "# ready" {
				break
			}
			line, ok := strings.CutPrefix(sc.Text(), "export ")
			if !ok {
				continue
			}
			name, value, _ := strings.Cut(line, "=")
			env[name] = strings.Trim(value, "'")
		}
		result <- env
	}()
	select {
	case env := <-result:
		if env["AZURE_CLIENT_SECRET"] == "" {
			t.Fatalf("fakeazure printed no service principal: %v", env)
		}
		return env
	case <-time.After(30 * time.Second):
		t.Fatal("fakeazure did not print its environment")
		return nil
	}
}

// TestTokenInAzurePipelinesJob asks each binary for a token inside an Azure Pipelines task with a
// workload-identity service connection, as git and docker steps of a pipeline would: the job's
// variables are all it takes, with --method azurepipelines or with auto, and the job's access
// token never shows, not even in --debug's log.
func TestTokenInAzurePipelinesJob(t *testing.T) {
	w := harness.NewWorld(t, bin, fakeentra.Options{})
	clientID, connection := w.Entra.NewAzurePipelinesConnection(fakeentra.DefaultTenant, "deploy")
	uri, accessToken := w.Entra.AzurePipelinesJob()
	for name, value := range map[string]string{
		"AZURE_TENANT_ID": fakeentra.DefaultTenant, "AZURE_CLIENT_ID": clientID,
		"AZURESUBSCRIPTION_SERVICE_CONNECTION_ID": connection,
		"SYSTEM_OIDCREQUESTURI":                   uri, "SYSTEM_ACCESSTOKEN": accessToken, "TF_BUILD": "True",
	} {
		w.Set(name, value)
	}
	const resource = "https://management.azure.com/"
	for i, b := range harness.Binaries {
		args := []string{"token", "--resource", resource, "--no-cache", "--debug"}
		if i%2 == 0 {
			args = append(args, "--method", "azurepipelines")
		}
		r := w.Run("", b, args...)
		if r.Code != 0 {
			t.Fatalf("%s %s: exit %d\n%s", b, strings.Join(args, " "), r.Code, r.Stderr)
		}
		claims, err := w.Entra.Verifier().Verify(strings.TrimSpace(r.Stdout), resource)
		if err != nil {
			t.Fatalf("%s: %v", b, err)
		}
		if claims.AppID != clientID {
			t.Errorf("%s: a token for %q, want the service connection's app %q", b, claims.AppID, clientID)
		}
		if !strings.Contains(r.Stderr, ": debug: ") || strings.Contains(r.Stderr, accessToken) {
			t.Errorf("%s --debug should log each step, never the job's access token:\n%s", b, r.Stderr)
		}
	}
	if n, want := w.Entra.Count(fakeentra.EndpointAzurePipelines), len(harness.Binaries); n != want {
		t.Errorf("the pipeline's OIDC endpoint was asked %d times for %d uncached tokens", n, want)
	}
}

// TestPlainHTTPAuthorityIsRefused gives the binaries a plain-http authority on loopback, from the
// environment and from the configuration file: the client secret goes nowhere.
func TestPlainHTTPAuthorityIsRefused(t *testing.T) {
	w := servicePrincipalWorld(t)
	listener := newSpy(t, w, false)
	for _, via := range []string{"environment", "configuration"} {
		if via == "environment" {
			w.Set("AZURE_AUTHORITY_HOST", listener.URL+"/")
		} else {
			w.Set("AZURE_AUTHORITY_HOST", "")
			w.WriteConfig("authority_host: " + listener.URL + "\n")
		}
		for _, b := range harness.Binaries {
			r := w.Run("", b, "token", "--resource", armResource)
			if r.Code == 0 || r.Stdout != "" || !strings.Contains(r.Stderr, "must use https") {
				t.Errorf("%s, authority from the %s: exit %d, stdout %q\n%s", b, via, r.Code, r.Stdout, r.Stderr)
			}
		}
	}
	if n := listener.hits.Load(); n != 0 {
		t.Errorf("%d requests reached the plain-http authority", n)
	}
	w.WriteConfig("")
}
