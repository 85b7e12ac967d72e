package tests

import (
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aadcred/aadcred/tests/fakeaks"
	"github.com/aadcred/aadcred/tests/fakeentra"
	"github.com/aadcred/aadcred/tests/harness"
)

// arcClusterID is the ARM ID of the fake Azure Arc-connected cluster, the u claim of its PoP
// requests.
const arcClusterID = "/subscriptions/00000000-0000-4000-8000-00000000005b/resourceGroups/contoso-rg/providers/Microsoft.Kubernetes/connectedClusters/contoso-arc"

// TestKubectlWithPoP reaches an Arc-connected cluster, which accepts only proof-of-possession
// requests, with a service principal and kubelogin's --pop-enabled --pop-claims.
func TestKubectlWithPoP(t *testing.T) {
	harness.RequireKubectl(t, kubectlMinorAny)
	w := newAKSWorld(t)
	w.AKS = fakeaks.NewTest(t, fakeaks.Options{Entra: w.Entra, PoPHost: arcClusterID})
	id, secret := w.Entra.NewServicePrincipal(fakeentra.DefaultTenant)
	w.Set("AAD_SERVICE_PRINCIPAL_CLIENT_SECRET", secret)

	// A bearer token, however valid, does not get in.
	w.writeKubeconfig(t, execUser{apiVersion: execV1beta1, args: getTokenArgs("spn", "--client-id", id)})
	if r := w.Run("", "kubectl", "get", "pods", "--namespace", "default"); r.Code == 0 || w.AKS.Refused() == 0 {
		t.Fatalf("the Arc cluster let a bearer token in: exit %d\n%s", r.Code, r.Stdout)
	}

	popArgs := getTokenArgs("spn", "--client-id", id, "--pop-enabled", "--pop-claims", "u="+arcClusterID)
	w.writeKubeconfig(t, execUser{apiVersion: execV1beta1, args: popArgs})
	w.getPods(t)
	w.getPods(t)
	w.requireCallers(t, id)

	// Each get-token signs a fresh request with the same key for the cached bound token.
	var keys, nonces []string
	before := w.Entra.TokenRequests()
	for range 2 {
		r := w.Run("", "kubectl-aad", popArgs...)
		if r.Code != 0 {
			t.Fatalf("get-token: exit %d\n%s", r.Code, r.Stderr)
		}
		var cred struct{ Status struct{ Token string } }
		if err := json.Unmarshal([]byte(r.Stdout), &cred); err != nil {
			t.Fatal(err)
		}
		signed, err := w.Entra.Verifier().VerifyPoP(cred.Status.Token, fakeentra.AKSServerAppID, arcClusterID)
		if err != nil {
			t.Fatalf("the ExecCredential's token is not a signed request the cluster accepts: %v", err)
		}
		keys, nonces = append(keys, signed.KeyID), append(nonces, signed.Nonce)
	}
	if keys[0] != keys[1] || nonces[0] == nonces[1] {
		t.Errorf("keys %q nonces %q: want one key and two nonces", keys, nonces)
	}
	if n := w.Entra.TokenRequests() - before; n != 0 {
		t.Errorf("get-token made %d token requests; the bound token is cached", n)
	}
	if _, err := os.Stat(filepath.Join(w.Cache, "secrets")); err != nil {
		t.Errorf("the PoP key is not in the store's secrets tier: %v", err)
	}

	// kubelogin's rule: the flags come together, and u= names the cluster.
	for _, args := range [][]string{
		getTokenArgs("spn", "--client-id", id, "--pop-enabled"),
		getTokenArgs("spn", "--client-id", id, "--pop-claims", "u="+arcClusterID),
		getTokenArgs("spn", "--client-id", id, "--pop-enabled", "--pop-claims", "1=2"),
	} {
		if r := w.Run("", "kubectl-aad", args...); r.Code == 0 || r.Stdout != "" || !strings.Contains(r.Stderr, "--pop-") {
			t.Errorf("get-token %q: exit %d, want a refusal naming the PoP flags\n%s", args, r.Code, r.Stderr)
		}
	}
}

// TestKubectlWithAzurePipelines runs kubectl as a step of an AzureCLI@2 task with a service
// connection would: the task sets AZURESUBSCRIPTION_*, the job SYSTEM_OIDCREQUESTURI and (mapped
// in) SYSTEM_ACCESSTOKEN, and the kubeconfig names only the server, as kubelogin's docs show.
func TestKubectlWithAzurePipelines(t *testing.T) {
	harness.RequireKubectl(t, kubectlMinorAny)
	w := newAKSWorld(t)
	clientID, connection := w.Entra.NewAzurePipelinesConnection(fakeentra.DefaultTenant, "aks-deploy")
	uri, accessToken := w.Entra.AzurePipelinesJob()
	for name, value := range map[string]string{
		"AZURESUBSCRIPTION_CLIENT_ID": clientID, "AZURESUBSCRIPTION_TENANT_ID": fakeentra.DefaultTenant,
		"AZURESUBSCRIPTION_SERVICE_CONNECTION_ID": connection,
		"SYSTEM_OIDCREQUESTURI":                   uri, "SYSTEM_ACCESSTOKEN": accessToken, "TF_BUILD": "True",
	} {
		w.Set(name, value)
	}
	w.writeKubeconfig(t, execUser{apiVersion: execV1beta1, args: []string{"get-token", "--server-id", fakeentra.AKSServerAppID, "--login", "azurepipelines"}})
	w.getPods(t)
	w.getPods(t)
	w.requireCallers(t, clientID)
	if n := w.Entra.Count(fakeentra.EndpointAzurePipelines); n != 1 {
		t.Errorf("the pipeline's OIDC endpoint was asked %d times for one cached token, want once", n)
	}

	// Without the job's access token, the error says how to map it in.
	w.Set("SYSTEM_ACCESSTOKEN", "")
	r := w.Run("", "kubectl-aad", "get-token", "--server-id", fakeentra.AKSServerAppID, "--login", "azurepipelines", "--tenant-id", fakeentra.DefaultTenant,
		"--client-id", clientID, "--azure-pipelines-service-connection-id", connection, "--cache-dir", filepath.Join(t.TempDir(), "store"))
	if r.Code == 0 || !strings.Contains(r.Stderr, "SYSTEM_ACCESSTOKEN") {
		t.Errorf("without SYSTEM_ACCESSTOKEN: exit %d\n%s", r.Code, r.Stderr)
	}
}

// fakeAzdScript is an azd that records its arguments, says it is not signed in until an answer
// is prepared, and then prints it.
const fakeAzdScript = `#!/bin/sh
printf '%%s\n' "$@" >> '%[1]s/runs'
if [ ! -f '%[1]s/answer.json' ]; then
  echo 'ERROR: not logged in, run ` + "`azd auth login`" + ` to login' >&2
  exit 1
fi
exec cat '%[1]s/answer.json'
`

// TestKubectlWithAzd puts a fake azd on PATH, as the Azure CLI's tests put a fake az, and runs
// kubectl with kubelogin's azd mode.
func TestKubectlWithAzd(t *testing.T) {
	harness.RequireKubectl(t, kubectlMinorAny)
	w := newAKSWorld(t)
	azdDir := t.TempDir()
	if err := os.WriteFile(filepath.Join(azdDir, "azd"), []byte(fmt.Sprintf(fakeAzdScript, azdDir)), 0o755); err != nil {
		t.Fatal(err)
	}
	w.Set("PATH", strings.Join([]string{azdDir, bin, "/usr/bin", "/bin"}, string(os.PathListSeparator)))
	w.Set("AZD_CONFIG_DIR", filepath.Join(azdDir, "config"))
	args := []string{"get-token", "--login", "azd", "--server-id", fakeentra.AKSServerAppID}

	// Not signed in to azd: one line naming the command that signs in.
	r := w.Run("", "kubectl-aad", args...)
	if r.Code == 0 || !strings.Contains(r.Stderr, "run `azd auth login`") {
		t.Fatalf("azd not signed in: exit %d\n%s", r.Code, r.Stderr)
	}

	// `azd auth login` as alice: azd's config names her, and azd hands out her token.
	if err := os.MkdirAll(filepath.Join(azdDir, "config"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(azdDir, "config", "config.json"), []byte(`{"auth":{"account":{"currentUser":{"homeAccountId":"alice.home"}}}}`), 0o600); err != nil {
		t.Fatal(err)
	}
	token, expires := userToken(t, w.World, fakeentra.AKSServerAppID+"/.default")
	answer, _ := json.Marshal(map[string]string{"token": token, "expiresOn": expires.UTC().Format(time.RFC3339)})
	if err := os.WriteFile(filepath.Join(azdDir, "answer.json"), answer, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(filepath.Join(azdDir, "runs")); err != nil {
		t.Fatal(err)
	}
	w.writeKubeconfig(t, execUser{apiVersion: execV1beta1, args: args})
	w.getPods(t)
	w.getPods(t)
	w.requireCallers(t, fakeentra.DefaultUser)
	runs, _ := os.ReadFile(filepath.Join(azdDir, "runs"))
	want := "auth\ntoken\n--output\njson\n--no-prompt\n--scope\n" + fakeentra.AKSServerAppID + "/.default\n"
	if string(runs) != want {
		t.Errorf("azd ran with:\n%s\nwant once, with:\n%s", runs, want)
	}
}

// userToken gets the default user an access token for scope from the fake, as a CLI signed in as
// that user would have.
func userToken(t *testing.T, w *harness.World, scope string) (string, time.Time) {
	t.Helper()
	form := url.Values{"grant_type": {"password"}, "client_id": {fakeentra.AzureCLIClientID}, "scope": {scope},
		"username": {fakeentra.DefaultUser}, "password": {fakeentra.DefaultUserPassword}}
	resp, err := w.Entra.HTTPClient().PostForm(w.Entra.URL()+"/"+fakeentra.DefaultTenant+"/oauth2/v2.0/token", form)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var answer struct {
		AccessToken string `json:"access_token"`
		ExpiresIn   int64  `json:"expires_in"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&answer); err != nil || answer.AccessToken == "" {
		t.Fatalf("getting a user token from the fake: %s, %v", resp.Status, err)
	}
	return answer.AccessToken, time.Now().Add(time.Duration(answer.ExpiresIn) * time.Second)
}

// TestGetTokenTakesProfileAndDebugAfterTheCommand: --profile and --debug may follow get-token,
// where kubeconfigs put every argument.
func TestGetTokenTakesProfileAndDebugAfterTheCommand(t *testing.T) {
	w := newAKSWorld(t)
	id, secret := w.Entra.NewServicePrincipal(fakeentra.DefaultTenant)
	w.Set("AAD_SERVICE_PRINCIPAL_CLIENT_SECRET", secret)
	w.WriteConfig("profiles:\n  work: {tenant: " + fakeentra.DefaultTenant + "}\n")
	// No --tenant-id: only the profile names the tenant.
	args := []string{"get-token", "--login", "spn", "--server-id", fakeentra.AKSServerAppID, "--client-id", id}
	if r := w.Run("", "kubectl-aad", args...); r.Code == 0 || !strings.Contains(r.Stderr, "tenant") {
		t.Fatalf("without the profile: exit %d, want an error asking for a tenant\n%s", r.Code, r.Stderr)
	}
	r := w.Run("", "kubectl-aad", append(args, "--profile", "work", "--debug")...)
	if r.Code != 0 || !strings.Contains(r.Stdout, `"token":`) {
		t.Fatalf("--profile work --debug after get-token: exit %d\n%s", r.Code, r.Stderr)
	}
	if !strings.Contains(r.Stderr, ": debug: ") || strings.Contains(r.Stderr, secret) {
		t.Errorf("--debug after get-token should log each step, never the secret:\n%s", r.Stderr)
	}
	if r := w.Run("", "kubectl-aad", append(args, "--profile=nosuch")...); r.Code == 0 || !strings.Contains(r.Stderr, "nosuch") {
		t.Errorf("an unknown profile after get-token: exit %d\n%s", r.Code, r.Stderr)
	}
}
