package fakerepos_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/aadcred/aadcred/tests/fakeentra"
	"github.com/aadcred/aadcred/tests/fakerepos"
	"github.com/aadcred/aadcred/tests/harness"
)

type fixture struct {
	entra *fakeentra.Server
	repos *fakerepos.Server
	clock *fakeentra.Clock
	http  *http.Client
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	harness.RequireTool(t, "git")
	entra := fakeentra.NewTest(t, fakeentra.Options{})
	c := fakeentra.NewClock(time.Now())
	f := &fixture{entra: entra, repos: fakerepos.NewTest(t, entra, fakerepos.Options{Now: c.Now}), clock: c, http: entra.HTTPClient()}
	f.repos.AddOrg("contoso", fakeentra.DefaultTenant)
	return f
}

// token gets an Azure DevOps token for a new service principal of tenant.
func (f *fixture) token(t *testing.T, tenant string) string {
	t.Helper()
	id, secret := f.entra.NewServicePrincipal(tenant)
	resp, err := f.http.PostForm(f.entra.URL()+"/"+tenant+"/oauth2/v2.0/token", url.Values{
		"grant_type": {"client_credentials"}, "client_id": {id}, "client_secret": {secret},
		"scope": {fakerepos.AzureDevOpsResource + "/.default"},
	})
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil || body.AccessToken == "" {
		t.Fatalf("getting a token: %s %v", resp.Status, err)
	}
	return body.AccessToken
}

func (f *fixture) get(t *testing.T, method, path, user, password string) *http.Response {
	t.Helper()
	req, err := http.NewRequest(method, f.repos.URL()+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if password != "" {
		req.SetBasicAuth(user, password)
	}
	resp, err := f.http.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp
}

func TestProbeAnswersAzureDevOpsHeaders(t *testing.T) {
	f := newFixture(t)
	f.repos.AddOrg("personal", fakerepos.PersonalAccounts)
	resp := f.get(t, http.MethodHead, "/contoso", "", "")
	if resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("status %s", resp.Status)
	}
	challenges := strings.Join(resp.Header.Values("WWW-Authenticate"), "|")
	want := "Bearer authorization_uri=" + f.entra.URL() + "/" + fakeentra.DefaultTenant + `|Basic realm="` + f.repos.URL() + `/"|TFS-Federated`
	if challenges != want {
		t.Errorf("WWW-Authenticate = %q, want %q", challenges, want)
	}
	if got := resp.Header.Get("X-VSS-ResourceTenant"); got != fakeentra.DefaultTenant {
		t.Errorf("X-VSS-ResourceTenant = %q", got)
	}
	resp = f.get(t, http.MethodHead, "/personal", "", "")
	if strings.Contains(strings.Join(resp.Header.Values("WWW-Authenticate"), "|"), "authorization_uri") ||
		resp.Header.Get("X-VSS-ResourceTenant") != fakerepos.PersonalAccounts {
		t.Errorf("a personal-account organisation answered %v", resp.Header)
	}
	if n := f.repos.Probes(); n != 2 {
		t.Errorf("Probes = %d, want 2", n)
	}
	if resp := f.get(t, http.MethodHead, "/nobody", "", ""); resp.StatusCode != http.StatusNotFound {
		t.Errorf("an unknown organisation answered %s", resp.Status)
	}
}

func TestTokensAreCheckedLikeAzureDevOps(t *testing.T) {
	f := newFixture(t)
	good := f.token(t, fakeentra.DefaultTenant)
	if resp := f.get(t, http.MethodGet, "/contoso", "anything", good); resp.StatusCode != http.StatusOK {
		t.Fatalf("a good token: %s", resp.Status)
	}
	if resp := f.get(t, http.MethodGet, "/contoso", "", good); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("an empty user name: %s, want 401", resp.Status)
	}
	other := "00000000-1111-4000-8000-000000000000"
	if err := f.entra.AddTenant(other); err != nil {
		t.Fatal(err)
	}
	if resp := f.get(t, http.MethodGet, "/contoso", "u", f.token(t, other)); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("a token of another tenant: %s, want 401", resp.Status)
	}
	if resp := f.get(t, http.MethodGet, "/contoso", "u", "not-a-token"); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("garbage: %s, want 401", resp.Status)
	}
	if n := f.repos.RevokeAccepted(); n != 1 {
		t.Errorf("RevokeAccepted = %d, want 1", n)
	}
	if resp := f.get(t, http.MethodGet, "/contoso", "u", good); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("a revoked token: %s, want 401", resp.Status)
	}
	fresh := f.token(t, fakeentra.DefaultTenant)
	if resp := f.get(t, http.MethodGet, "/contoso", "u", fresh); resp.StatusCode != http.StatusOK {
		t.Errorf("a token issued after the revocation: %s", resp.Status)
	}
	f.clock.Advance(61 * time.Minute)
	if resp := f.get(t, http.MethodGet, "/contoso", "u", fresh); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("an expired token: %s, want 401", resp.Status)
	}
	if n := f.repos.Rejected(); n != 5 {
		t.Errorf("Rejected = %d, want 5", n)
	}
	accepted := f.repos.Accepted()
	if len(accepted) != 2 || accepted[0].TenantID != fakeentra.DefaultTenant || accepted[0].ID == accepted[1].ID {
		t.Errorf("Accepted = %+v", accepted)
	}
}

func TestGitCloneAndPushThroughTheFake(t *testing.T) {
	f := newFixture(t)
	cloneURL, err := f.repos.CreateRepo("contoso", "web", "web")
	if err != nil {
		t.Fatal(err)
	}
	tok := f.token(t, fakeentra.DefaultTenant)
	dir := t.TempDir()
	git := func(args ...string) string {
		t.Helper()
		cmd := exec.Command("git", append([]string{"-c", "http.extraHeader=Authorization: Bearer " + tok}, args...)...)
		cmd.Dir = dir
		cmd.Env = []string{"HOME=" + dir, "PATH=" + os.Getenv("PATH"), "GIT_CONFIG_NOSYSTEM=1", "GIT_TERMINAL_PROMPT=0",
			"GIT_SSL_CAINFO=" + f.entra.CAFile(), "GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@example.invalid",
			"GIT_COMMITTER_NAME=t", "GIT_COMMITTER_EMAIL=t@example.invalid"}
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("git %s: %v\n%s", args[len(args)-1], err, out)
		}
		return string(out)
	}
	git("clone", "-q", cloneURL, "web")
	if _, err := os.Stat(dir + "/web/README.md"); err != nil {
		t.Fatalf("the clone has no README: %v", err)
	}
	git("-C", "web", "commit", "-q", "--allow-empty", "-m", "second")
	git("-C", "web", "push", "-q", "origin", "main")
	head, err := f.repos.Head("contoso", "web", "web", "main")
	if err != nil {
		t.Fatal(err)
	}
	if local := strings.TrimSpace(git("-C", "web", "rev-parse", "HEAD")); head != local {
		t.Errorf("the fake's main is %s, the pushed commit %s", head, local)
	}
	anonymous := exec.Command("git", "ls-remote", cloneURL)
	anonymous.Env = []string{"HOME=" + dir, "PATH=" + os.Getenv("PATH"), "GIT_CONFIG_NOSYSTEM=1", "GIT_TERMINAL_PROMPT=0", "GIT_SSL_CAINFO=" + f.entra.CAFile()}
	if out, err := anonymous.CombinedOutput(); err == nil {
		t.Errorf("anonymous ls-remote succeeded:\n%s", out)
	}
}
