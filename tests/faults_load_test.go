package tests

import (
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aadcred/aadcred/tests/fakeacr"
	"github.com/aadcred/aadcred/tests/fakeentra"
	"github.com/aadcred/aadcred/tests/harness"
)

func TestFaultsLoad(t *testing.T) { runMatrix(t, loadFaults()) }

// loadProcesses is how many processes each load case starts at once.
const loadProcesses = 50

func loadFaults() []matrixCase {
	return []matrixCase{
		{name: "50 processes on an empty cache", sees: "docker: every process gets the same token; stderr at most says it waits for another",
			keeps: "one Entra token and one registry token, from 1 request each", run: loadEmptyCache},
		{name: "50 processes on an expired token", sees: "kubectl: every process gets the same new token; stderr at most says it waits for another",
			keeps: "the sign-in, and the token of 1 refresh", run: loadExpiredToken},
		{name: "50 processes with no sign-in and no person", sees: "git: every process fails with one line naming the login command; stderr at most also says it waits for another",
			keeps: "nothing; 0 requests", run: loadNoSignIn},
	}
}

// startTogether runs n copies of a command at once, with the same stdin, and returns what each
// printed.
func startTogether(w *harness.World, n int, stdin, binary string, args ...string) []harness.Result {
	out := make([]harness.Result, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { out[i] = w.Run(stdin, binary, args...) })
	}
	wg.Wait()
	return out
}

// requireSameAnswer requires every process to succeed with the same stdout, saying nothing on
// stderr but, for each lock it waited on for more than a second, that it waits for another
// process.
func requireSameAnswer(t *testing.T, results []harness.Result) {
	t.Helper()
	for i, r := range results {
		if r.Code != 0 || r.Stdout != results[0].Stdout || withoutWaits(r.Stderr) != "" {
			t.Fatalf("process %d: exit %d, a different answer, or stderr:\n%s", i, r.Code, r.Stderr)
		}
	}
}

// withoutWaits is stderr without the lines that say a process waits for another one: how many of
// those a process prints depends only on how long the machine takes to let the others through.
func withoutWaits(stderr string) string {
	var rest strings.Builder
	for line := range strings.Lines(stderr) {
		if !strings.HasPrefix(line, "Waiting for another ") {
			rest.WriteString(line)
		}
	}
	return rest.String()
}

func loadEmptyCache(t *testing.T) {
	w := newACRWorld(t, fakeacr.Options{}, "")
	// A slow service, so that all the processes overlap.
	w.ACR.SetExchangeDelay(300 * time.Millisecond)
	if err := w.Entra.InjectFault(fakeentra.Fault{Endpoint: fakeentra.EndpointToken, Delay: 300 * time.Millisecond}); err != nil {
		t.Fatal(err)
	}
	results := startTogether(w.World, loadProcesses, w.ACR.Host()+"\n", "docker-credential-aad", "get")
	requireSameAnswer(t, results)
	decodeCredentials(t, results[0].Stdout, w.ACR.Host())
	if n := w.Entra.TokenRequests(); n != 1 {
		t.Errorf("%d Entra token requests, want 1", n)
	}
	if n := w.ACR.ExchangeCount(); n != 1 {
		t.Errorf("%d exchanges, want 1", n)
	}
}

func loadExpiredToken(t *testing.T) {
	w := newFaultWorld(t)
	outcome{0, ""}.require(t, kubectlTool.ask(w))
	expireCachedTokens(t, w.World)
	w.Entra.ResetCounts()
	if err := w.Entra.InjectFault(fakeentra.Fault{Endpoint: fakeentra.EndpointToken, Delay: 300 * time.Millisecond}); err != nil {
		t.Fatal(err)
	}
	results := startTogether(w.World, loadProcesses, "", "kubectl-aad", getTokenArgs("devicecode")...)
	requireSameAnswer(t, results)
	if n := w.Entra.TokenRequests(); n != 1 {
		t.Errorf("%d token requests, want 1 refresh", n)
	}
}

func loadNoSignIn(t *testing.T) {
	w := newRepoWorld(t)
	w.nonInteractive()
	w.Set("AZURE_TENANT_ID", fakeentra.DefaultTenant) // no probe either: nothing at all is asked
	results := startTogether(w.World, loadProcesses, w.request(), "git-credential-aad", "get")
	for i, r := range results {
		// Each process looks for a sign-in under the cache's lock, so on a busy machine one
		// may wait for the others to find none, and say so.
		if rest := withoutWaits(r.Stderr); r.Code != 1 || r.Stdout != "" || strings.Count(rest, "\n") != 1 || !strings.Contains(rest, "git credential-aad login") {
			t.Fatalf("process %d: exit %d, stdout %q, stderr %q; want exit 1 and one line naming the login command", i, r.Code, r.Stdout, r.Stderr)
		}
	}
	if n := w.Entra.Count(fakeentra.EndpointAny); n != 0 {
		t.Errorf("%d requests to Entra ID with no one to sign in", n)
	}
	if n := w.Repos.Probes(); n != 0 {
		t.Errorf("%d probes", n)
	}
}
