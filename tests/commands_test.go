package tests

import (
	"encoding/base64"
	"encoding/json"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aadcred/aadcred/tests/fakeentra"
	"github.com/aadcred/aadcred/tests/harness"
)

// statusJSON is `status --output json` as the README documents it.
type statusJSON struct {
	SchemaVersion int    `json:"schemaVersion"`
	Program       string `json:"program"`
	Version       string `json:"version"`
	Store         string `json:"store"`
	Access        string `json:"access"`
	Protection    string `json:"protection"`
	Accounts      []struct {
		UPN           string `json:"upn"`
		TenantID      string `json:"tenantId"`
		ClientID      string `json:"clientId"`
		Authority     string `json:"authority"`
		SignedIn      string `json:"signedIn"`
		State         string `json:"state"`
		Reason        string `json:"reason"`
		SignInCommand string `json:"signInCommand"`
	} `json:"accounts"`
	Tokens []struct {
		ID        string `json:"id"`
		Target    string `json:"target"`
		Kind      string `json:"kind"`
		UPN       string `json:"upn"`
		TenantID  string `json:"tenantId"`
		ExpiresOn string `json:"expiresOn"`
	} `json:"tokens"`
	Quarantined []struct {
		Path  string `json:"path"`
		From  string `json:"from"`
		Since string `json:"since"`
	} `json:"quarantined"`
}

func status(t *testing.T, w *harness.World, binary string) statusJSON {
	t.Helper()
	r := w.Run("", binary, "status", "--output", "json")
	if r.Code != 0 {
		t.Fatalf("status --output json: exit %d\n%s", r.Code, r.Stderr)
	}
	var s statusJSON
	dec := json.NewDecoder(strings.NewReader(r.Stdout))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&s); err != nil {
		t.Fatalf("status --output json is not the documented JSON: %v\n%s", err, r.Stdout)
	}
	return s
}

// TestStatusShowsWhoNeedsToSignIn: status --output json describes the store, the sign-ins and
// the cached tokens; a sign-in whose refresh token was revoked shows as needing a sign-in, with
// the command that does it, in JSON and in text.
func TestStatusShowsWhoNeedsToSignIn(t *testing.T) {
	w := harness.NewWorld(t, bin, fakeentra.Options{})
	signInWithDeviceCode(t, w, "git-credential-aad")
	mustToken(t, w, "git-credential-aad", "--resource", armResource)
	s := status(t, w, "git-credential-aad")
	if s.SchemaVersion != 1 || s.Program != "git-credential-aad" || s.Version == "" || s.Store != w.Cache || s.Protection == "" || len(s.Accounts) != 1 || len(s.Tokens) != 2 ||
		!strings.HasPrefix(s.Access, "directory mode 0700, files 0600") {
		t.Fatalf("status: %+v", s)
	}
	if a := s.Accounts[0]; a.UPN != fakeentra.DefaultUser || a.TenantID != fakeentra.DefaultTenant || a.State != "signed-in" || a.SignInCommand != "" {
		t.Errorf("the account: %+v", a)
	}

	w.Entra.RevokeRefreshTokens(fakeentra.DefaultUser)
	w.Set("AADCRED_PROMPT", "never")
	if r := w.Run("", "git-credential-aad", "token", "--resource", aksResource); r.Code == 0 {
		t.Fatal("a token came from a revoked sign-in")
	}
	s = status(t, w, "docker-credential-aad")
	want := "docker-credential-aad login --tenant " + fakeentra.DefaultTenant + " --account " + fakeentra.DefaultUser
	if a := s.Accounts[0]; a.State != "needs-sign-in" || a.SignInCommand != want || !strings.Contains(a.Reason, "AADSTS") {
		t.Errorf("after the revocation the account is %+v, want needs-sign-in with %q", a, want)
	}
	text := w.Run("", "docker-credential-aad", "status").Stdout
	if !strings.Contains(text, "needs sign-in") || !strings.Contains(text, want) {
		t.Errorf("status does not say that the account needs a sign-in:\n%s", text)
	}
}

// TestNoCacheKeepsTheSignIn: token --no-cache gets a new access token from the kept sign-in
// without asking anyone, and caches nothing.
func TestNoCacheKeepsTheSignIn(t *testing.T) {
	w := harness.NewWorld(t, bin, fakeentra.Options{})
	signInWithDeviceCode(t, w, "kubectl-aad")
	w.Set("AADCRED_PROMPT", "never")
	before := len(status(t, w, "kubectl-aad").Tokens)
	var tokens []string
	for range 2 {
		tokens = append(tokens, mustToken(t, w, "kubectl-aad", "--no-cache", "--resource", armResource))
	}
	if tokens[0] == tokens[1] {
		t.Error("--no-cache served a cached token")
	}
	if after := len(status(t, w, "kubectl-aad").Tokens); after != before {
		t.Errorf("--no-cache cached tokens: %d before, %d after", before, after)
	}
	if n := w.Entra.Count(fakeentra.EndpointDeviceCode); n != 1 {
		t.Errorf("%d device codes, want only login's", n)
	}
}

// TestIDToken prints the ID token of the sign-in, on v2 and on v1.
func TestIDToken(t *testing.T) {
	w := harness.NewWorld(t, bin, fakeentra.Options{})
	signInWithDeviceCode(t, w, "git-credential-aad")
	w.Set("AADCRED_PROMPT", "never")
	for _, extra := range [][]string{nil, {"--v1"}} {
		raw := mustToken(t, w, "git-credential-aad", append([]string{"--id-token", "--resource", armResource}, extra...)...)
		claims := jwtClaims(t, raw)
		user := claims["preferred_username"] // v2; v1 names the user upn
		if extra != nil {
			user = claims["upn"]
		}
		if claims["aud"] != fakeentra.AzureCLIClientID || user != fakeentra.DefaultUser {
			t.Errorf("%v: the ID token's claims are %v", extra, claims)
		}
	}
	r := w.Run("", "git-credential-aad", "token", "--id-token", "--output", "json", "--resource", armResource)
	var out struct {
		IDToken   string `json:"idToken"`
		ExpiresOn int64  `json:"expires_on"`
		Tenant    string `json:"tenant"`
	}
	if err := json.Unmarshal([]byte(r.Stdout), &out); err != nil || out.IDToken == "" || out.ExpiresOn == 0 || out.Tenant != fakeentra.DefaultTenant {
		t.Errorf("--id-token --output json: %v %+v\n%s", err, out, r.Stderr)
	}
}

func jwtClaims(t *testing.T, token string) map[string]any {
	t.Helper()
	parts := strings.Split(strings.TrimSpace(token), ".")
	if len(parts) != 3 {
		t.Fatalf("not a JWT: %q", token)
	}
	data, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	var claims map[string]any
	if err := json.Unmarshal(data, &claims); err != nil {
		t.Fatal(err)
	}
	return claims
}

// userGrant signs alice in with her password at the fake, as an application would, and returns
// the answer: the tokens a caller of the onbehalfof and refreshtoken methods holds.
func userGrant(t *testing.T, w *harness.World, clientID, scope string) map[string]any {
	t.Helper()
	form := url.Values{"grant_type": {"password"}, "client_id": {clientID}, "username": {fakeentra.DefaultUser},
		"password": {fakeentra.DefaultUserPassword}, "scope": {scope}}
	resp, err := w.Entra.HTTPClient().PostForm(w.Entra.URL()+"/"+fakeentra.DefaultTenant+"/oauth2/v2.0/token", form)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var answer map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&answer); err != nil || resp.StatusCode != 200 {
		t.Fatalf("password grant: %d %v %v", resp.StatusCode, err, answer)
	}
	return answer
}

// TestIncomingTokensFromFileOrStdin: the onbehalfof and refreshtoken methods take the token they
// redeem from a file named by a flag or a variable, or from stdin with "-".
func TestIncomingTokensFromFileOrStdin(t *testing.T) {
	w := harness.NewWorld(t, bin, fakeentra.Options{})
	w.Set("AADCRED_PROMPT", "never")
	verifier := w.Entra.Verifier()

	rt := userGrant(t, w, fakeentra.AzureCLIClientID, armResource+".default offline_access")["refresh_token"].(string)
	file := filepath.Join(t.TempDir(), "rt")
	if err := os.WriteFile(file, []byte(rt+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	base := []string{"token", "--method", "refreshtoken", "--tenant", fakeentra.DefaultTenant, "--resource", aksResource}
	for name, run := range map[string]func() harness.Result{
		"flag": func() harness.Result { return w.Run("", "kubectl-aad", append(base, "--refresh-token-file", file)...) },
		"stdin": func() harness.Result {
			return w.Run(rt+"\n", "kubectl-aad", append(base, "--refresh-token-file", "-")...)
		},
		"variable": func() harness.Result {
			w.Set("AADCRED_REFRESH_TOKEN_FILE", file)
			defer w.Set("AADCRED_REFRESH_TOKEN_FILE", "")
			return w.Run("", "kubectl-aad", base...)
		},
	} {
		r := run()
		if r.Code != 0 {
			t.Errorf("refreshtoken from the %s: exit %d\n%s", name, r.Code, r.Stderr)
			continue
		}
		if claims, err := verifier.Verify(strings.TrimSpace(r.Stdout), aksResource); err != nil || claims.UPN != fakeentra.DefaultUser {
			t.Errorf("refreshtoken from the %s: %v %+v", name, err, claims)
		}
	}
	if r := w.Run("", "kubectl-aad", base...); r.Code == 0 || !strings.Contains(r.Stderr, "--refresh-token-file") {
		t.Errorf("refreshtoken without a token: exit %d\n%s", r.Code, r.Stderr)
	}

	apiID, apiSecret := w.Entra.NewServicePrincipal(fakeentra.DefaultTenant)
	incoming := userGrant(t, w, fakeentra.AzureCLIClientID, "api://"+apiID+"/.default")["access_token"].(string)
	w.Set("AZURE_CLIENT_SECRET", apiSecret)
	r := w.Run(incoming, "git-credential-aad", "token", "--method", "onbehalfof", "--tenant", fakeentra.DefaultTenant,
		"--client-id", apiID, "--assertion-file", "-", "--resource", armResource)
	if claims, err := verifier.Verify(strings.TrimSpace(r.Stdout), armResource); r.Code != 0 || err != nil || claims.UPN != fakeentra.DefaultUser {
		t.Errorf("onbehalfof from stdin: exit %d, %v %+v\n%s", r.Code, err, claims, r.Stderr)
	}
}

// TestLoginAsksForItsCloudsResourceManager: in a sovereign cloud, login asks for that cloud's
// Azure Resource Manager, not the public one.
func TestLoginAsksForItsCloudsResourceManager(t *testing.T) {
	w := harness.NewWorld(t, bin, fakeentra.Options{})
	const usgovARM = "https://management.core.usgovcloudapi.net/"
	if err := w.Entra.AddResource(fakeentra.Resource{AppID: "0500ab1e-0000-4000-8000-00000000a7e0", DisplayName: "ARM (US Gov)",
		IdentifierURIs: []string{usgovARM}, Scopes: []string{"user_impersonation"}}); err != nil {
		t.Fatal(err)
	}
	w.WriteConfig("cloud: usgovernment\n") // the fake stands in for its authority (AZURE_AUTHORITY_HOST)
	signInWithDeviceCode(t, w, "kubectl-aad")
	var asked []string
	for _, r := range w.Entra.Requests() {
		if r.Endpoint == fakeentra.EndpointDeviceCode {
			asked = append(asked, r.Target)
		}
	}
	if len(asked) != 1 || !strings.HasPrefix(asked[0], usgovARM+"/.default") {
		t.Errorf("login asked for %q, want US Government's Resource Manager", asked)
	}
}

// TestOneCacheEntryPerUser: a token got with --method password and one asked for by the default
// method, for the same user, client and target, are one cache entry.
func TestOneCacheEntryPerUser(t *testing.T) {
	w := harness.NewWorld(t, bin, fakeentra.Options{})
	w.Set("AZURE_USERNAME", fakeentra.DefaultUser)
	w.Set("AZURE_PASSWORD", fakeentra.DefaultUserPassword)
	first := mustToken(t, w, "git-credential-aad", "--method", "password", "--tenant", fakeentra.DefaultTenant, "--resource", armResource)
	w.Set("AZURE_USERNAME", "")
	w.Set("AZURE_PASSWORD", "")
	w.Set("AADCRED_PROMPT", "never")
	before := w.Entra.TokenRequests()
	if again := mustToken(t, w, "git-credential-aad", "--tenant", fakeentra.DefaultTenant, "--resource", armResource); again != first {
		t.Error("the default method did not get the cached token")
	}
	if n := w.Entra.TokenRequests() - before; n != 0 {
		t.Errorf("%d token requests, want none", n)
	}
	if s := status(t, w, "git-credential-aad"); len(s.Tokens) != 1 {
		t.Errorf("%d cache entries, want one: %+v", len(s.Tokens), s.Tokens)
	}
}

// TestTenantByGUIDOrDomain: a sign-in with the tenant's GUID serves a request naming its domain,
// and the other way round, with no new sign-in.
func TestTenantByGUIDOrDomain(t *testing.T) {
	w := harness.NewWorld(t, bin, fakeentra.Options{})
	signInWithDeviceCode(t, w, "git-credential-aad") // --tenant <GUID>
	w.Set("AADCRED_PROMPT", "never")
	for _, tenant := range []string{fakeentra.DefaultTenantDomain, fakeentra.DefaultTenant, "organizations"} {
		mustToken(t, w, "docker-credential-aad", "--tenant", tenant, "--resource", acrResource)
	}
	if s := status(t, w, "git-credential-aad"); len(s.Accounts) != 1 || s.Accounts[0].State != "signed-in" {
		t.Errorf("accounts %+v, want alice's one", s.Accounts)
	}
}

// TestBadInputIsRefused: an unknown cache ID, an unknown profile, and the flags every command
// takes after its name.
func TestBadInputIsRefused(t *testing.T) {
	w := harness.NewWorld(t, bin, fakeentra.Options{})
	if r := w.Run("", "git-credential-aad", "cache", "delete", "t0123456789"); r.Code != 1 || !strings.Contains(r.Stderr, "no cached token has the ID t0123456789") {
		t.Errorf("cache delete of an unknown ID: exit %d\n%s", r.Code, r.Stderr)
	}
	w.WriteConfig("profiles:\n  work: {tenant: contoso.example}\n")
	for _, args := range [][]string{{"status", "--profile", "wrok"}, {"--profile", "wrok", "token", "--resource", armResource}} {
		if r := w.Run("", "kubectl-aad", args...); r.Code != 1 || !strings.Contains(r.Stderr, `no profile named "wrok"`) || !strings.Contains(r.Stderr, "work") {
			t.Errorf("%v: exit %d\n%s", args, r.Code, r.Stderr)
		}
	}

	commands := map[string][][]string{
		"git-credential-aad":    {{"get"}, {"store"}, {"erase"}, {"capability"}, {"configure"}},
		"docker-credential-aad": {{"get"}, {"store"}, {"erase"}, {"list"}, {"version"}, {"configure"}},
		"kubectl-aad":           {{"remove-tokens"}},
	}
	for binary, own := range commands {
		for _, args := range append(own, []string{"token"}, []string{"login"}, []string{"logout"}, []string{"status"},
			[]string{"cache", "list"}, []string{"cache", "delete"}, []string{"cache", "clean"}) {
			r := w.Run("", binary, append(args, "--debug", "--profile", "work", "--help")...)
			if r.Code != 0 || r.Stderr != "" {
				t.Errorf("%s %s --debug --profile work: exit %d\n%s", binary, strings.Join(args, " "), r.Code, r.Stderr)
			}
		}
	}

	help := w.Run("", "git-credential-aad", "token", "--help").Stdout
	timeoutLines := 0
	for _, line := range strings.Split(help, "\n") {
		if strings.Contains(line, "--timeout") {
			timeoutLines++
			if strings.Count(line, "default") != 1 {
				t.Errorf("--timeout's help shows %d defaults: %q", strings.Count(line, "default"), line)
			}
		}
	}
	if timeoutLines != 1 {
		t.Errorf("token --help has %d lines about --timeout, want one:\n%s", timeoutLines, help)
	}
}

// TestGitConfigureLocalOutsideARepository says once that there is no repository, and does not
// first claim that git was configured.
func TestGitConfigureLocalOutsideARepository(t *testing.T) {
	harness.RequireTool(t, "git")
	w := harness.NewWorld(t, bin, fakeentra.Options{})
	r := w.Run("", "git", "credential-aad", "configure", "--local")
	if r.Code == 0 || strings.Count(r.Stderr, "\n") != 1 || !strings.Contains(r.Stderr, "not in a git repository") || strings.Contains(r.Stderr, "configured") {
		t.Errorf("configure --local outside a repository: exit %d\n%s", r.Code, r.Stderr)
	}
}
