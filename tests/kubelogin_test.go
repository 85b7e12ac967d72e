package tests

import (
	"context"
	"encoding/json"
	"io"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aadcred/aadcred/tests/fakeentra"
	"github.com/aadcred/aadcred/tests/harness"
)

// The conformance tests drive Microsoft's own client stack, Azure/kubelogin (azidentity and MSAL
// Go), against the fakes. MSAL checks the answers it gets (scopes, client_info, ID tokens,
// expiry fields), so a fake it accepts speaks Entra the way the real service does; and
// kubectl-aad, given the same command line, must come back with a token that says the same.

// kubeloginMode is one of kubelogin's login modes, set up against a world's fakes.
type kubeloginMode struct {
	login string
	name  string
	// prepare registers the identity the mode signs in as, sets the environment both tools
	// read, and returns the mode's own flags and the caller the cluster should then see.
	prepare func(t *testing.T, w *aksWorld) (flags []string, caller string)
}

var kubeloginModes = []kubeloginMode{
	{login: "spn", name: "spn-secret", prepare: func(t *testing.T, w *aksWorld) ([]string, string) {
		// An application with an app role on the cluster, so that the roles claim is compared too.
		const role, id, secret = "cluster.admin", "c1a55e55-0000-4000-8000-0000000000a1", "fake~kubelogin-conformance-secret"
		if err := w.Entra.AddResource(fakeentra.Resource{AppID: fakeentra.AKSServerAppID, Scopes: []string{"user.read"}, Roles: []string{role}}); err != nil {
			t.Fatal(err)
		}
		if err := w.Entra.AddApp(fakeentra.App{ClientID: id, Tenant: fakeentra.DefaultTenant, Secrets: []string{secret}, Roles: []string{role}}); err != nil {
			t.Fatal(err)
		}
		w.Set("AAD_SERVICE_PRINCIPAL_CLIENT_SECRET", secret)
		return []string{"--client-id", id, "--tenant-id", fakeentra.DefaultTenant}, id
	}},
	{login: "spn", name: "spn-certificate", prepare: func(t *testing.T, w *aksWorld) ([]string, string) {
		id, certFile := w.certificateApp(t)
		return []string{"--client-id", id, "--tenant-id", fakeentra.DefaultTenant, "--client-certificate", certFile}, id
	}},
	{login: "ropc", name: "ropc", prepare: func(t *testing.T, w *aksWorld) ([]string, string) {
		w.Set("AAD_USER_PRINCIPAL_NAME", fakeentra.DefaultUser)
		w.Set("AAD_USER_PRINCIPAL_PASSWORD", fakeentra.DefaultUserPassword)
		return []string{"--client-id", fakeentra.AKSClientID, "--tenant-id", fakeentra.DefaultTenant}, fakeentra.DefaultUser
	}},
	{login: "devicecode", name: "devicecode", prepare: func(t *testing.T, w *aksWorld) ([]string, string) {
		w.Entra.AutoApproveDeviceCodes(fakeentra.DefaultUser)
		return []string{"--client-id", fakeentra.AKSClientID, "--tenant-id", fakeentra.DefaultTenant}, fakeentra.DefaultUser
	}},
	{login: "workloadidentity", name: "workloadidentity", prepare: func(t *testing.T, w *aksWorld) ([]string, string) {
		return nil, w.workloadIdentity(t) // AZURE_AUTHORITY_HOST is the world's
	}},
	{login: "msi", name: "msi", prepare: func(t *testing.T, w *aksWorld) ([]string, string) {
		// MSAL Go, under azidentity, cannot be pointed at another IMDS address: the managed
		// identity is reached as App Service exposes it, through the variables that MSAL and
		// kubectl-aad both read first.
		w.Set("IDENTITY_ENDPOINT", w.Entra.AppServiceEndpoint())
		w.Set("IDENTITY_HEADER", w.Entra.AppServiceHeader())
		return nil, fakeentra.SystemIdentityClientID
	}},
}

// kubeloginArgs is a get-token command line that both kubelogin and kubectl-aad take: the login
// mode, the fake's authority, and no instance discovery (which MSAL would otherwise ask of
// login.microsoftonline.com, for any authority host it does not know).
func kubeloginArgs(w *aksWorld, login string, flags ...string) []string {
	return append([]string{"get-token", "--login", login, "--server-id", fakeentra.AKSServerAppID,
		"--authority-host", w.Entra.URL() + "/", "--disable-instance-discovery"}, flags...)
}

func TestKubeloginConformance(t *testing.T) {
	kubelogin := harness.RequireKubelogin(t)
	harness.RequireKubectl(t, kubectlMinorAny)
	for _, mode := range kubeloginModes {
		t.Run(mode.name, func(t *testing.T) {
			w := newAKSWorld(t)
			guard := w.GuardEgress()
			flags, caller := mode.prepare(t, w)
			args := kubeloginArgs(w, mode.login, flags...)

			fromKubelogin := tokenIdentityOf(t, w, kubelogin, args)
			fromAAD := tokenIdentityOf(t, w, "kubectl-aad", args)
			if fromKubelogin.UPN == "" && fromKubelogin.AppID == "" {
				t.Errorf("kubelogin's token names neither a user nor an application: %+v", fromKubelogin)
			}
			if fromAAD != fromKubelogin {
				t.Errorf("the tokens differ in the claims that matter:\nkubelogin   %+v\nkubectl-aad %+v", fromKubelogin, fromAAD)
			}

			// The real kubectl, with each of them as its credential plugin.
			for _, plugin := range []string{kubelogin, "kubectl-aad"} {
				w.writeKubeconfig(t, execUser{command: plugin, apiVersion: execV1beta1, args: args})
				w.getPods(t)
			}
			w.requireCallers(t, caller)
			if n := len(w.AKS.Authorized()); n < 2 {
				t.Errorf("the cluster let %d requests in, want at least one for each plugin", n)
			}

			if attempts := guard.Attempts(); len(attempts) > 0 {
				t.Errorf("a client tried to leave loopback: %v", attempts)
			}
		})
	}
}

// tokenIdentity is what a cluster authorizes a token on: the claims that must be the same,
// whichever tool got the token.
type tokenIdentity struct {
	Audience, TenantID, AppID, UPN, ObjectID string
	Scopes, Roles                            string // space-separated, sorted
	Version, IdentityType                    string
}

// tokenIdentityOf runs a get-token command line, decodes its ExecCredential with client-go's
// own types, verifies the token against the fake's keys for the AKS audience, and returns the
// claims that matter.
func tokenIdentityOf(t *testing.T, w *aksWorld, plugin string, args []string) tokenIdentity {
	t.Helper()
	name := filepath.Base(plugin)
	r := w.Run("", plugin, args...)
	if r.Code != 0 {
		t.Fatalf("%s %s: exit %d\nstderr: %s", name, strings.Join(args, " "), r.Code, r.Stderr)
	}
	dec := json.NewDecoder(strings.NewReader(r.Stdout))
	dec.DisallowUnknownFields()
	token, expiry, err := decodeV1beta1(dec)
	if err != nil {
		t.Fatalf("%s: client-go's ExecCredential does not decode its answer: %v\n%s", name, err, r.Stdout)
	}
	c, err := w.Entra.Verifier().Verify(token, fakeentra.AKSServerAppID)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	if !expiry.After(time.Now()) || expiry.After(c.Expiry) {
		t.Errorf("%s: expirationTimestamp %s is not between now and the token's expiry %s", name, expiry, c.Expiry)
	}
	id := tokenIdentity{
		Audience: c.Audience, TenantID: c.TenantID, AppID: c.AppID, UPN: c.UPN, ObjectID: c.ObjectID,
		Scopes: sortedWords(c.Scopes), Roles: sortedWords(c.Roles),
		Version: c.Version, IdentityType: c.IdentityType,
	}
	t.Logf("%s: %+v", name, id)
	return id
}

func sortedWords(words []string) string {
	return strings.Join(slices.Sorted(slices.Values(words)), " ")
}

// TestEgressGuardSeesKubeloginLeaveLoopback shows that the guard of the conformance tests catches
// the real kubelogin going anywhere but the fakes: without --disable-instance-discovery, MSAL
// asks login.microsoftonline.com about the fake's authority, and that request ends at the guard.
// (Nothing here provokes a request for IMDS: an unguarded one would leave the machine.)
func TestEgressGuardSeesKubeloginLeaveLoopback(t *testing.T) {
	kubelogin := harness.RequireKubelogin(t)
	w := newAKSWorld(t)
	guard := w.GuardEgress()
	id, secret := w.Entra.NewServicePrincipal(fakeentra.DefaultTenant)
	w.Set("AAD_SERVICE_PRINCIPAL_CLIENT_SECRET", secret)
	args := slices.DeleteFunc(kubeloginArgs(w, "spn", "--client-id", id, "--tenant-id", fakeentra.DefaultTenant),
		func(a string) bool { return a == "--disable-instance-discovery" })
	const dest = "login.microsoftonline.com:443"
	if !stoppedAtGuard(t, w, guard, dest, kubelogin, args) {
		t.Errorf("kubelogin did not head for %s; the guard refused %v", dest, guard.Attempts())
	}
	if n := w.Entra.Count(fakeentra.EndpointToken); n != 0 {
		t.Errorf("the fake answered %d token requests although kubelogin was stopped before any", n)
	}
}

// stoppedAtGuard runs a command until it has tried to reach dest through the guard, or has ended,
// and reports whether the guard refused it dest. The command is stopped there: azcore would go
// on retrying the refused connection for a quarter of a minute.
func stoppedAtGuard(t *testing.T, w *aksWorld, guard *harness.EgressGuard, dest, name string, args []string) bool {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd, stdout, stderr := w.Start(ctx, "", name, args...)
	go io.Copy(io.Discard, stderr)
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for {
		if slices.Contains(guard.Attempts(), dest) {
			cancel()
			<-done
			return true
		}
		select {
		case err := <-done:
			if err == nil {
				t.Errorf("%s got a token past the guard:\n%s", filepath.Base(name), stdout)
			}
			return slices.Contains(guard.Attempts(), dest)
		case <-tick.C:
		}
	}
}
