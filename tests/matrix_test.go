package tests

import (
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/aadcred/aadcred/tests/fakeacr"
	"github.com/aadcred/aadcred/tests/fakeentra"
	"github.com/aadcred/aadcred/tests/fakerepos"
	"github.com/aadcred/aadcred/tests/harness"
)

// The fault matrix: every way the service, the store or the load can go wrong, each run against
// the fakes through the built binaries. A case checks what a person sees (the exit status and
// stderr), what the store keeps afterwards, and, through the harness, that no secret leaked. The
// README's reliability table is made from these cases (readme_test.go), so it cannot drift.

// matrixCase is one case of the fault matrix.
type matrixCase struct {
	name  string // the subtest's name
	sees  string // what a person sees, for the README
	keeps string // what the store keeps, for the README
	run   func(t *testing.T)
	// skipped says when the case is skipped, and what stands in for it then; the README says so
	// beside it, so that a skip is never read as a pass.
	skipped string
}

// matrixTest is one test of the fault matrix: its name, its README title, and its cases.
type matrixTest struct {
	test, title string
	cases       []matrixCase
}

// matrixTests are the fault matrix's tests, in the README's order, with their cases.
func matrixTests() []matrixTest {
	return []matrixTest{
		{"TestFaultsEntra", "Entra ID answers", entraFaults()},
		{"TestFaultsStore", "The store", storeFaults()},
		{"TestFaultsLoad", "Load", loadFaults()},
	}
}

// matrixConcurrency is how many cases run at once. Most of a case's time is spent waiting (a
// device-code poll, a retry's back-off, a stalled answer), not computing, so more run at once
// than there are cores.
const matrixConcurrency = 8

// runMatrix runs each case as a subtest, matrixConcurrency at a time. The subtests are not
// t.Parallel: go test's -parallel (the number of cores) would leave them waiting on each other's
// sleeps. t.Run may be called from several goroutines at once.
func runMatrix(t *testing.T, cases []matrixCase) {
	slots := make(chan struct{}, matrixConcurrency)
	var wg sync.WaitGroup
	for _, c := range cases {
		wg.Go(func() {
			slots <- struct{}{}
			defer func() { <-slots }()
			t.Run(c.name, c.run)
		})
	}
	wg.Wait()
}

// outcome is what a person sees of a command: its exit status and, on stderr, one line that
// holds line (followed, for an error of Entra ID, by the one "hint:" line that says what to do),
// or nothing at all when line is empty.
type outcome struct {
	code int
	line string
}

func (o outcome) String() string {
	if o.line == "" {
		return fmt.Sprintf("exit %d, nothing on stderr", o.code)
	}
	return fmt.Sprintf("exit %d, one line: “…%s…”", o.code, o.line)
}

// require checks r against o.
func (o outcome) require(t *testing.T, r harness.Result) {
	t.Helper()
	t.Logf("what a person sees (exit %d):\n%s", r.Code, r.Stderr)
	lines := strings.Split(strings.TrimSuffix(r.Stderr, "\n"), "\n")
	if len(lines) == 2 && strings.HasPrefix(lines[1], "hint: ") {
		lines = lines[:1]
	}
	switch {
	case r.Code != o.code:
		t.Errorf("exit %d, want %d", r.Code, o.code)
	case o.line == "" && r.Stderr != "":
		t.Errorf("want nothing on stderr, got:\n%s", r.Stderr)
	case o.line != "" && (len(lines) != 1 || !strings.Contains(lines[0], o.line)):
		t.Errorf("want one line on stderr holding %q, got:\n%s", o.line, r.Stderr)
	}
}

// faultWorld is a world with a signed-in user, a fake registry and a fake Azure Repos that trust
// its fake Entra ID, the configuration that sends docker and git to them, and no person to ask.
type faultWorld struct {
	*harness.World
	ACR   *fakeacr.Server
	Repos *fakerepos.Server
	// offline says the fake Entra ID has been stopped.
	offline bool
}

// newFaultWorld makes a faultWorld. The sign-in left an access token for Azure Resource Manager
// in the cache; the tools ask for other resources, so their first call redeems the refresh token.
// It signs in with a password, which keeps the same account as a device code does without the
// second that a device-code poll waits: the matrix makes some sixty worlds.
func newFaultWorld(t *testing.T) *faultWorld {
	t.Helper()
	harness.RequireTool(t, "git") // fakerepos is git http-backend
	w := harness.NewWorld(t, bin, fakeentra.Options{})
	acr := fakeacr.NewTest(t, fakeacr.Options{Entra: w.Entra})
	w.WatchSecrets(acr.IssuedTokens)
	repos := fakerepos.NewTest(t, w.Entra, fakerepos.Options{})
	repos.AddOrg("contoso", fakeentra.DefaultTenant)
	w.WriteConfig(fmt.Sprintf("docker:\n  registries: [%q]\ngit:\n  hosts: [%q]\n", acr.Host(), repos.Host()))
	signInWithPassword(t, w, "kubectl-aad")
	fw := &faultWorld{World: w, ACR: acr, Repos: repos}
	fw.noPerson()
	return fw
}

// noPerson makes the binaries find no one to ask, as in CI.
func (w *faultWorld) noPerson() { w.Set("AADCRED_PROMPT", "never") }

// person makes a person approve every device code at once.
func (w *faultWorld) person() {
	w.Set("AADCRED_PROMPT", "always")
	w.Entra.AutoApproveDeviceCodes(fakeentra.DefaultUser)
}

// tool is one of the three tools as its client calls it.
type tool struct {
	name string
	ask  func(w *faultWorld) harness.Result
}

var (
	gitTool = tool{"git", func(w *faultWorld) harness.Result {
		return w.Run("protocol=https\nhost="+w.Repos.Host()+"\npath=contoso/web/_git/web\n\n", "git-credential-aad", "get")
	}}
	dockerTool = tool{"docker", func(w *faultWorld) harness.Result {
		return w.Run(w.ACR.Host()+"\n", "docker-credential-aad", "get")
	}}
	kubectlTool = tool{"kubectl", func(w *faultWorld) harness.Result {
		return w.Run("", "kubectl-aad", getTokenArgs("devicecode")...)
	}}
)
