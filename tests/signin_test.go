package tests

import (
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/aadcred/aadcred/tests/fakeentra"
	"github.com/aadcred/aadcred/tests/harness"
)

// loginPurpose is the first thing login says, wrapped at 80 columns between words.
var loginPurpose = []string{
	"Signing in to Microsoft Entra ID (tenant " + fakeentra.DefaultTenant + ")",
	"for git, docker and kubectl.",
}

// waitingLine is the status line that counts down while a sign-in waits for the person.
var waitingLine = regexp.MustCompile(`^Waiting for you to sign in: (\d+):(\d\d) left \(Ctrl-C cancels\)$`)

// deviceCodes hands the test each device code the fake issues, for the test to approve when a
// person would.
func deviceCodes(t *testing.T, w *harness.World) <-chan string {
	codes := make(chan string, 4)
	w.Entra.OnDeviceCode(func(dc fakeentra.DeviceCodeInfo) { codes <- dc.UserCode })
	t.Cleanup(func() { w.Entra.OnDeviceCode(nil) })
	return codes
}

func nextCode(t *testing.T, codes <-chan string) string {
	t.Helper()
	select {
	case c := <-codes:
		return c
	case <-time.After(30 * time.Second):
		t.Fatal("no device code was issued")
		return ""
	}
}

// TestDeviceCodeScreenInTmux signs in at a terminal 80 columns wide, as a person would: the
// block says who asks and for what, the page, the code on a line of its own and when it expires,
// no line broken mid-word; one status line counts down in place; after the sign-in it is gone
// and one line says who signed in.
func TestDeviceCodeScreenInTmux(t *testing.T) {
	w := harness.NewWorld(t, bin, fakeentra.Options{})
	w.Set("AADCRED_PROMPT", "") // the terminal is what says a person is there
	codes := deviceCodes(t, w)
	tm := w.StartTmux(t, 80, "git-credential-aad login --method devicecode --tenant "+fakeentra.DefaultTenant)
	code := nextCode(t, codes)
	first := tm.WaitFor(20*time.Second, "the waiting line", func(s string) bool { return strings.Contains(s, "Waiting for you") })

	want := append(append([]string{}, loginPurpose...),
		"To sign in, open this page in a browser on any device:",
		"    "+w.Entra.URL()+"/devicelogin",
		"and enter the code:",
		"    "+code,
	)
	if len(first) != len(want)+2 || strings.Join(first[:len(want)], "\n") != strings.Join(want, "\n") {
		t.Fatalf("the screen shows\n%s\nwant it to start\n%s", strings.Join(first, "\n"), strings.Join(want, "\n"))
	}
	if !regexp.MustCompile(`^The code expires in 15 minutes, at \d\d:\d\d\.$`).MatchString(first[len(want)]) {
		t.Errorf("the expiry line is %q", first[len(want)])
	}
	m := waitingLine.FindStringSubmatch(first[len(want)+1])
	if m == nil || m[1] != "14" && m[1] != "15" {
		t.Fatalf("the last line is %q, want the time left", first[len(want)+1])
	}

	// The line counts down in place: the same number of lines, a smaller time left.
	later := tm.WaitFor(10*time.Second, "the countdown moving", func(s string) bool {
		lines := strings.Split(s, "\n")
		return lines[len(lines)-1] != first[len(first)-1]
	})
	if len(later) != len(first) || !waitingLine.MatchString(later[len(later)-1]) || later[len(later)-1] > first[len(first)-1] {
		t.Errorf("the status line did not update in place:\n%s", strings.Join(later, "\n"))
	}

	if err := w.Entra.ApproveDeviceCode(code, fakeentra.DefaultUser); err != nil {
		t.Fatal(err)
	}
	done := tm.WaitFor(20*time.Second, "the sign-in finishing", func(s string) bool { return strings.Contains(s, "EXIT=") })
	end := strings.Join(done, "\n")
	if strings.Contains(end, "Waiting for you") {
		t.Errorf("the status line was left on the screen:\n%s", end)
	}
	wantEnd := "Signed in as " + fakeentra.DefaultUser + ".\nEXIT=0"
	if !strings.HasSuffix(end, wantEnd) || strings.Count(end, "Signed in as") != 1 {
		t.Errorf("the screen ends\n%s\nwant it to end with one line saying who signed in, and exit 0", end)
	}
}

// TestDeviceCodeScreenCtrlC: Ctrl-C while the sign-in waits clears the status line, says
// "sign-in cancelled" and exits with status 130.
func TestDeviceCodeScreenCtrlC(t *testing.T) {
	w := harness.NewWorld(t, bin, fakeentra.Options{})
	w.Set("AADCRED_PROMPT", "")
	tm := w.StartTmux(t, 80, "kubectl-aad login --method devicecode")
	tm.WaitFor(20*time.Second, "the waiting line", func(s string) bool { return strings.Contains(s, "Waiting for you") })
	tm.SendKeys("C-c")
	lines := tm.WaitFor(10*time.Second, "the program ending", func(s string) bool { return strings.Contains(s, "EXIT=") })
	screen := strings.Join(lines, "\n")
	if !strings.HasSuffix(screen, "kubectl-aad: sign-in cancelled\nEXIT=130") || strings.Contains(screen, "Waiting for you") {
		t.Errorf("after Ctrl-C the screen shows\n%s\nwant the status line gone, then \"kubectl-aad: sign-in cancelled\" and exit status 130", screen)
	}
}

// TestSignInTerminated: SIGTERM (from a supervisor, an IDE stopping a task, `timeout`) while a
// sign-in waits says "sign-in terminated" and exits with status 143, as a shell reports a command
// SIGTERM stopped.
func TestSignInTerminated(t *testing.T) {
	w := harness.NewWorld(t, bin, fakeentra.Options{})
	errFile := filepath.Join(w.Home, "login.stderr") // in the home, where the leak search reads it
	f, err := os.Create(errFile)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	cmd := w.Command(t.Context(), "git-credential-aad", "login", "--method", "devicecode")
	cmd.Stderr = f
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// The person has the code in front of them: the sign-in is waiting.
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		if data, _ := os.ReadFile(errFile); strings.Contains(string(data), "The code expires") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the sign-in never showed its code")
		}
	}
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	err = cmd.Wait()
	data, _ := os.ReadFile(errFile)
	if code := cmd.ProcessState.ExitCode(); code != 143 || lastLine(string(data)) != "git-credential-aad: sign-in terminated" {
		t.Errorf("after SIGTERM: %v, exit %d, stderr\n%s\nwant \"git-credential-aad: sign-in terminated\" and exit status 143", err, code, data)
	}
}

// TestLoginWithoutTerminal signs in where stderr is a file, as in a notebook, an IDE's task pane
// or `login 2>&1 | tee log`, and in CI: the sign-in goes ahead; the block is written once, with no
// animation, and one line ends it.
func TestLoginWithoutTerminal(t *testing.T) {
	w := harness.NewWorld(t, bin, fakeentra.Options{})
	w.Set("AADCRED_PROMPT", "")
	w.Set("CI", "true")
	codes := deviceCodes(t, w)
	errFile := filepath.Join(w.Home, "login.stderr") // in the home, where the leak search reads it
	f, err := os.Create(errFile)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	cmd := w.Command(t.Context(), "docker-credential-aad", "login", "--method", "devicecode", "--tenant", fakeentra.DefaultTenant)
	cmd.Stderr = f
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	code := nextCode(t, codes)
	time.Sleep(1500 * time.Millisecond) // long enough for an animation, were there one
	if err := w.Entra.ApproveDeviceCode(code, fakeentra.DefaultUser); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("login: %v", err)
	}
	data, _ := os.ReadFile(errFile)
	got := string(data)
	want := strings.Join(loginPurpose, "\n") + "\n" +
		"To sign in, open this page in a browser on any device:\n" +
		"    " + w.Entra.URL() + "/devicelogin\n" +
		"and enter the code:\n" +
		"    " + code + "\n"
	if !strings.HasPrefix(got, want) || strings.ContainsAny(got, "\r\x1b") || strings.Contains(got, "Waiting") {
		t.Fatalf("stderr is\n%q\nwant the block once, without animation, starting\n%q", got, want)
	}
	lines := strings.Split(strings.TrimSuffix(got, "\n"), "\n")
	if n := len(lines); n != 8 || lines[n-1] != "Signed in as "+fakeentra.DefaultUser+"." {
		t.Errorf("stderr has %d lines, want the block's 7 and one line saying who signed in:\n%s", n, got)
	}
}

// TestEachToolSaysWhatItNeeds: the sign-in a tool's protocol starts says which tool asks, and for
// what: git an organisation, docker a registry, kubectl a cluster.
func TestEachToolSaysWhatItNeeds(t *testing.T) {
	w := harness.NewWorld(t, bin, fakeentra.Options{})
	w.Set("AZURE_TENANT_ID", fakeentra.DefaultTenant) // git finds no organisation's tenant here
	w.Entra.AutoApproveDeviceCodes(fakeentra.DefaultUser)
	for _, c := range []struct {
		binary, stdin, want string
		args                []string
	}{
		{"git-credential-aad", "protocol=https\nhost=dev.azure.com\npath=contoso/web/_git/web\n\n",
			"git needs a token for Azure DevOps organisation contoso.", []string{"get"}},
		{"docker-credential-aad", "contoso.azurecr.io\n", "docker needs a token for registry contoso.azurecr.io.", []string{"get"}},
	} {
		r := w.Run(c.stdin, c.binary, c.args...)
		if first, _, _ := strings.Cut(r.Stderr, "\n"); first != c.want {
			t.Errorf("%s %s: stderr starts %q, want %q\n%s", c.binary, c.args[0], first, c.want, r.Stderr)
		}
		w.Run("", c.binary, "logout", "--all")
	}
	w.Set("KUBERNETES_EXEC_INFO", `{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","spec":{"interactive":true,"cluster":{"server":"https://aks-prod-dns-1a2b3c4d.hcp.westeurope.azmk8s.io:443"}}}`)
	r := w.Run("", "kubectl-aad", "get-token", "--login", "devicecode", "--tenant-id", fakeentra.DefaultTenant)
	if lines := strings.SplitN(r.Stderr, "\n", 3); r.Code != 0 || len(lines) < 3 ||
		lines[0]+" "+lines[1] != "kubectl needs a token for cluster aks-prod-dns-1a2b3c4d.hcp.westeurope.azmk8s.io." {
		t.Errorf("kubectl-aad get-token: exit %d, stderr\n%s", r.Code, r.Stderr)
	}
}

// TestProtocolCallsNeverWaitForNobody: git get, docker get and kubectl get-token without a
// terminal fail at once, naming the sign-in command and AADCRED_PROMPT=always; GIT_TERMINAL_PROMPT=0
// stops every sign-in a command did not ask for, token's included; AADCRED_PROMPT=never stops
// login too; and AADCRED_PROMPT must be a value it knows.
func TestProtocolCallsNeverWaitForNobody(t *testing.T) {
	w := harness.NewWorld(t, bin, fakeentra.Options{})
	w.Set("AADCRED_PROMPT", "") // and stderr is a pipe: no terminal
	w.Set("AZURE_TENANT_ID", fakeentra.DefaultTenant)
	for _, c := range []struct {
		binary, stdin, signIn string
		args                  []string
	}{
		{"git-credential-aad", "protocol=https\nhost=dev.azure.com\npath=contoso/web/_git/web\n\n", "git credential-aad login", []string{"get"}},
		{"docker-credential-aad", "contoso.azurecr.io\n", "docker-credential-aad login", []string{"get"}},
		{"kubectl-aad", "", "kubectl aad login", []string{"get-token"}},
	} {
		start := time.Now()
		r := w.Run(c.stdin, c.binary, c.args...)
		if r.Code == 0 || !strings.Contains(r.Stderr, c.signIn) || !strings.Contains(r.Stderr, "AADCRED_PROMPT=always") ||
			!strings.Contains(r.Stderr, "stderr is not a terminal") {
			t.Errorf("%s %s without a terminal: exit %d, stderr\n%s", c.binary, c.args[0], r.Code, r.Stderr)
		}
		if d := time.Since(start); d > 5*time.Second {
			t.Errorf("%s %s took %s to give up", c.binary, c.args[0], d)
		}
	}

	w.Set("AADCRED_PROMPT", "always")
	w.Set("GIT_TERMINAL_PROMPT", "0")
	// Were the variable ignored, the --timeout would end the sign-in this started, not a hang.
	r := w.Run("", "kubectl-aad", "token", "--resource", aksResource, "--timeout", "5s")
	if r.Code == 0 || !strings.Contains(r.Stderr, "GIT_TERMINAL_PROMPT=0") || !strings.Contains(r.Stderr, "kubectl aad login") {
		t.Errorf("token with GIT_TERMINAL_PROMPT=0: exit %d, stderr\n%s", r.Code, r.Stderr)
	}
	w.Set("GIT_TERMINAL_PROMPT", "")

	w.Set("AADCRED_PROMPT", "never")
	if r := w.Run("", "git-credential-aad", "login", "--method", "devicecode"); r.Code == 0 || !strings.Contains(r.Stderr, "AADCRED_PROMPT=never") {
		t.Errorf("login with AADCRED_PROMPT=never: exit %d, stderr\n%s", r.Code, r.Stderr)
	}
	w.Set("AADCRED_PROMPT", "sometimes")
	if r := w.Run("", "git-credential-aad", "token", "--resource", armResource); r.Code == 0 || !strings.Contains(r.Stderr, `AADCRED_PROMPT="sometimes"`) {
		t.Errorf("AADCRED_PROMPT=sometimes: exit %d, stderr\n%s", r.Code, r.Stderr)
	}
	if n := w.Entra.Count(fakeentra.EndpointDeviceCode); n != 0 {
		t.Errorf("%d device codes were started where no one could answer", n)
	}
}

// TestSignInErrorsAreOneActionableLine: no answer from the sign-in service, and a sign-in that
// runs out of time, are each one line that says what to do.
func TestSignInErrorsAreOneActionableLine(t *testing.T) {
	w := harness.NewWorld(t, bin, fakeentra.Options{})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := ln.Addr().String()
	ln.Close()
	id, secret := w.Entra.NewServicePrincipal(fakeentra.DefaultTenant)
	w.Set("AZURE_AUTHORITY_HOST", "https://"+closed+"/")
	w.Set("AZURE_CLIENT_SECRET", secret)
	r := w.Run("", "git-credential-aad", "token", "--method", "clientsecret", "--tenant", fakeentra.DefaultTenant, "--client-id", id, "--resource", armResource)
	want := "git-credential-aad: cannot reach " + closed + " (connection refused): check the network or proxy (HTTPS_PROXY)\n"
	if r.Code != 1 || r.Stderr != want {
		t.Errorf("offline: exit %d, stderr %q, want %q", r.Code, r.Stderr, want)
	}

	w.Set("AZURE_AUTHORITY_HOST", w.Entra.URL()+"/")
	r = w.Run("", "git-credential-aad", "token", "--method", "devicecode", "--timeout", "2s", "--resource", armResource)
	last := lastLine(r.Stderr)
	if r.Code != 1 || last != "git-credential-aad: the device code sign-in was not finished within 2 seconds (--timeout sets how long to wait, e.g. --timeout 30m)" {
		t.Errorf("timeout: exit %d, last line %q\n%s", r.Code, last, r.Stderr)
	}
}

// TestSilentTimeoutNamesTheFlag: a get-token whose token request gets no answer within
// --timeout says so in one line that names the flag, not "context deadline exceeded".
func TestSilentTimeoutNamesTheFlag(t *testing.T) {
	w := harness.NewWorld(t, bin, fakeentra.Options{})
	id, secret := w.Entra.NewServicePrincipal(fakeentra.DefaultTenant)
	w.Set("AZURE_CLIENT_ID", id)
	w.Set("AZURE_CLIENT_SECRET", secret)
	if err := w.Entra.InjectFault(fakeentra.Fault{Endpoint: fakeentra.EndpointToken, Hang: true, Times: 1}); err != nil {
		t.Fatal(err)
	}
	r := w.Run("", "kubectl-aad", "get-token", "--login", "spn", "--tenant-id", fakeentra.DefaultTenant, "--server-id", armResource, "--timeout", "2s")
	want := "kubectl-aad: no token within 2 seconds: cannot reach " + strings.TrimPrefix(w.Entra.URL(), "https://") +
		" (no answer in time): check the network or proxy (HTTPS_PROXY)" +
		" (--timeout or AZURE_CLI_TIMEOUT sets how long to wait, e.g. --timeout 2m)\n"
	if r.Code != 1 || r.Stderr != want {
		t.Errorf("no answer: exit %d, stderr\n%q\nwant\n%q", r.Code, r.Stderr, want)
	}
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimSuffix(s, "\n"), "\n")
	return lines[len(lines)-1]
}

// TestBrowserSignInSaysSoAndGivesTheAddress: when a browser is opened, the person is told so,
// with the address to open by hand should none appear.
func TestBrowserSignInSaysSoAndGivesTheAddress(t *testing.T) {
	w := harness.NewWorld(t, bin, fakeentra.Options{})
	if err := w.Entra.SetBrowserUser(fakeentra.DefaultUser); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	opened := filepath.Join(dir, "opened")
	browser := filepath.Join(dir, "browser")
	if err := os.WriteFile(browser, []byte("#!/bin/sh\necho \"$1\" > "+opened+".tmp && mv "+opened+".tmp "+opened+"\n"), 0o700); err != nil {
		t.Fatal(err)
	}
	w.Set("BROWSER", browser)
	cmd := w.Command(t.Context(), "git-credential-aad", "login", "--method", "browser", "--tenant", fakeentra.DefaultTenant)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// The person's browser: it loads the page, and the fake signs alice in and sends it back.
	var signInURL string
	for deadline := time.Now().Add(20 * time.Second); signInURL == ""; time.Sleep(50 * time.Millisecond) {
		if data, err := os.ReadFile(opened); err == nil {
			signInURL = strings.TrimSpace(string(data))
		} else if time.Now().After(deadline) {
			t.Fatal("the browser was never opened")
		}
	}
	resp, err := w.Entra.HTTPClient().Get(signInURL)
	if err != nil {
		t.Fatalf("the browser's visit: %v", err)
	}
	resp.Body.Close()
	if err := cmd.Wait(); err != nil {
		t.Fatalf("login: %v\n%s", err, stderr.String())
	}
	want := strings.Join(loginPurpose, "\n") + "\n" +
		"Opening a browser to sign in. If none opens, open this address in a browser\non this machine:\n" +
		signInURL + "\nSigned in as " + fakeentra.DefaultUser + ".\n"
	if stderr.String() != want {
		t.Errorf("stderr is\n%s\nwant\n%s", stderr.String(), want)
	}
}
