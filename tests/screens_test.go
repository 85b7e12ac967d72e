package tests

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/aadcred/aadcred/tests/fakeacr"
	"github.com/aadcred/aadcred/tests/fakeentra"
	"github.com/aadcred/aadcred/tests/harness"
)

// requireFits fails for each line of out wider than 80 columns, but those that are allowed to
// be: a path or a command that a person copies, which is never broken.
func requireFits(t *testing.T, what, out string, allowed ...string) {
	t.Helper()
	for _, line := range strings.Split(out, "\n") {
		if utf8.RuneCountInString(line) <= 80 {
			continue
		}
		if !containsAny(line, allowed) {
			t.Errorf("%s: a line wider than 80 columns: %q", what, line)
		}
	}
}

func containsAny(s string, subs []string) bool {
	for _, sub := range subs {
		if sub != "" && strings.Contains(s, sub) {
			return true
		}
	}
	return false
}

// TestStatusReadsAtEightyColumns: after one sign-in has served git, docker and kubectl, status
// and cache list fit 80 columns, in a file and in a terminal: the tokens are listed under the
// account and tenant they are for, by IDs short enough to read, which cache delete takes; status
// --output json still has every ID in full.
func TestStatusReadsAtEightyColumns(t *testing.T) {
	w := harness.NewWorld(t, bin, fakeentra.Options{})
	aw := withACR(t, w, fakeacr.Options{}, "")
	signInWithDeviceCode(t, w, "kubectl-aad")
	w.Set("AADCRED_PROMPT", "never")
	aw.mustGet(t, aw.ACR.Host())
	mustToken(t, w, "git-credential-aad", "--resource", adoResource, "--tenant", fakeentra.DefaultTenant)
	mustToken(t, w, "kubectl-aad", "--scope", aksResource+"/.default", "--tenant", fakeentra.DefaultTenant)

	r := w.Run("", "git-credential-aad", "status")
	if r.Code != 0 || r.Stderr != "" {
		t.Fatalf("status: exit %d\n%s", r.Code, r.Stderr)
	}
	requireFits(t, "status", r.Stdout, w.Cache)
	heading := "  " + fakeentra.DefaultUser + " in tenant " + fakeentra.DefaultTenant
	for _, want := range []string{
		"\n  " + fakeentra.DefaultUser + ", signed in ",
		"\n    tenant  " + fakeentra.DefaultTenant + "\n",
		"\n    client  04b07795-8ddb-461a-bbee-02f9e1bf7b46 (Azure CLI)\n",
		"\nCached tokens (`git credential-aad cache delete ID` removes one):\n" + heading + "\n",
		"  " + aksResource + "/.default\n",
		"  " + aw.ACR.Host() + " (registry token)\n",
	} {
		if !strings.Contains(r.Stdout, want) {
			t.Errorf("status does not show %q:\n%s", want, r.Stdout)
		}
	}

	s := status(t, w, "git-credential-aad")
	var ado string
	for _, tok := range s.Tokens {
		if len(tok.ID) < 40 {
			t.Errorf("status --output json shortened the ID %q", tok.ID)
		}
		if strings.HasPrefix(tok.Target, adoResource) {
			ado = tok.ID
		}
		if strings.Contains(r.Stdout, tok.ID) {
			t.Errorf("status shows the whole ID %s, not its short form", tok.ID)
		}
	}
	short := ado[:8]
	if !strings.Contains(r.Stdout, "\n    "+short+"  ") {
		t.Fatalf("status does not show the Azure DevOps token by its short ID %s:\n%s", short, r.Stdout)
	}

	list := w.Run("", "kubectl-aad", "cache", "list")
	if list.Code != 0 || !strings.HasPrefix(list.Stdout, "Cached tokens (`kubectl aad cache delete ID` removes one):\n"+heading+"\n") {
		t.Errorf("cache list: exit %d\n%s", list.Code, list.Stdout)
	}
	requireFits(t, "cache list", list.Stdout)

	tm := w.StartTmux(t, 80, "git-credential-aad status")
	screen := tm.WaitFor(10*time.Second, "the status", func(s string) bool { return strings.Contains(s, "EXIT=") })
	if !slicesContain(screen, heading) {
		t.Errorf("in a terminal, the account's heading is not one line of its own:\n%s", strings.Join(screen, "\n"))
	}

	if r := w.Run("", "docker-credential-aad", "cache", "delete", ado[:3]); r.Code == 0 || !strings.Contains(r.Stderr, ado[:3]+" is too short") {
		t.Errorf("cache delete of 3 characters: exit %d\n%s", r.Code, r.Stderr)
	}
	if r := w.Run("", "docker-credential-aad", "cache", "delete", "t000"); r.Code == 0 || !strings.Contains(r.Stderr, "nothing was deleted") {
		t.Errorf("cache delete of an ID no token starts with: exit 0\n%s", r.Stderr)
	}
	if r := w.Run("", "docker-credential-aad", "cache", "delete", short); r.Code != 0 || r.Stderr != "Deleted 1 cached token.\n" {
		t.Fatalf("cache delete %s: exit %d\n%s", short, r.Code, r.Stderr)
	}
	for _, tok := range status(t, w, "git-credential-aad").Tokens {
		if tok.ID == ado {
			t.Error("cache delete by the short ID left the token")
		}
	}

	r = w.Run("", "kubectl-aad", "logout", "--all")
	if want := "Signed out " + fakeentra.DefaultUser + "; removed 1 other kept entry (registry tokens, organisation notes, quarantined entries).\n"; r.Code != 0 || r.Stderr != want {
		t.Errorf("logout --all: exit %d, stderr %q, want %q", r.Code, r.Stderr, want)
	}
}

func slicesContain(lines []string, want string) bool {
	for _, l := range lines {
		if strings.TrimRight(l, " ") == want {
			return true
		}
	}
	return false
}

// TestLoginSaysWhoMaySignIn: login without a tenant says, in words, which accounts may sign in,
// not Entra's name for them ("organizations"); stderr to a file, as a notebook reads it.
func TestLoginSaysWhoMaySignIn(t *testing.T) {
	w := harness.NewWorld(t, bin, fakeentra.Options{})
	w.Entra.OnDeviceCode(func(dc fakeentra.DeviceCodeInfo) { go w.Entra.ApproveDeviceCode(dc.UserCode, fakeentra.DefaultUser) })
	t.Cleanup(func() { w.Entra.OnDeviceCode(nil) })
	r := w.Run("", "kubectl-aad", "login", "--method", "devicecode")
	want := "Signing in to Microsoft Entra ID with a work or school account, for git, docker\nand kubectl.\n" +
		"To sign in, open this page in a browser on any device:\n"
	if r.Code != 0 || !strings.HasPrefix(r.Stderr, want) || strings.Contains(r.Stderr, "organizations") {
		t.Errorf("login without a tenant: exit %d\n%s\nwant it to begin\n%s", r.Code, r.Stderr, want)
	}
	requireFits(t, "login", r.Stderr, w.Entra.URL())
}

// TestGitConfigureSaysWhatWhereAndHowToUndo: configure's report names the file once, the URLs,
// what that means, the helper once and the command that undoes it, in lines that fit 80
// columns; --remove says what it took away, and from where.
func TestGitConfigureSaysWhatWhereAndHowToUndo(t *testing.T) {
	harness.RequireTool(t, "git")
	w := harness.NewWorld(t, bin, fakeentra.Options{})
	gitconfig := filepath.Join(w.Home, ".gitconfig")
	writeTestFile(t, gitconfig, "[credential \"https://dev.azure.com\"]\n\tuseHttpPath = false\n")
	helper := filepath.Join(w.Bin, "git-credential-aad")

	r := w.Run("", "git-credential-aad", "configure")
	want := "Configured git in " + gitconfig + ":\n" +
		"  https://dev.azure.com\n" +
		"  https://*.visualstudio.com\n" +
		"For these URLs git asks git-credential-aad alone (helpers set earlier for them\n" +
		"are no longer asked), and sends the path, which names the organisation.\n" +
		"Helper:   " + helper + "\n" +
		"To undo:  git credential-aad configure --remove\n"
	if r.Code != 0 || r.Stdout != "" || r.Stderr != want {
		t.Errorf("configure: exit %d, stdout %q, stderr\n%s\nwant\n%s", r.Code, r.Stdout, r.Stderr, want)
	}
	requireFits(t, "configure", r.Stderr, helper, gitconfig)

	r = w.Run("", "git-credential-aad", "configure")
	if want := "git is already configured in " + gitconfig + "; nothing changed.\n"; r.Code != 0 || r.Stderr != want {
		t.Errorf("configure again: exit %d, stderr %q, want %q", r.Code, r.Stderr, want)
	}

	r = w.Run("", "git-credential-aad", "configure", "--remove")
	want = "Removed git-credential-aad from " + gitconfig + ":\n" +
		"  https://dev.azure.com (useHttpPath back to false)\n" +
		"  https://*.visualstudio.com\n"
	if r.Code != 0 || r.Stderr != want {
		t.Errorf("configure --remove: exit %d, stderr\n%s\nwant\n%s", r.Code, r.Stderr, want)
	}
	if data, _ := os.ReadFile(gitconfig); string(data) != "[credential \"https://dev.azure.com\"]\n\tuseHttpPath = false\n" {
		t.Errorf("after --remove ~/.gitconfig is\n%s", data)
	}
}

// TestDockerConfigureGroupsByFile: docker configure names each file before what it changed in
// it, then says how to take it out again; a dry run says that nothing was written.
func TestDockerConfigureGroupsByFile(t *testing.T) {
	w := harness.NewWorld(t, bin, fakeentra.Options{})
	dockerConfig := filepath.Join(w.Home, ".docker", "config.json")
	containersAuth := filepath.Join(w.Home, "auth.json")
	w.Set("REGISTRY_AUTH_FILE", containersAuth)
	writeTestFile(t, dockerConfig, `{"credHelpers": {"fabrikam.azurecr.io": "acr-env"}}`)
	writeTestFile(t, containersAuth, `{}`)

	r := w.Run("", "docker-credential-aad", "configure", "--dry-run", "contoso.azurecr.io")
	want := "docker: " + dockerConfig + "\n  contoso.azurecr.io: would be added\n" +
		"podman, buildah, skopeo: " + containersAuth + "\n  contoso.azurecr.io: would be added\n" +
		"Dry run: nothing was written.\n"
	if r.Code != 0 || r.Stdout != "" || r.Stderr != want {
		t.Errorf("configure --dry-run: exit %d, stdout %q, stderr\n%s\nwant\n%s", r.Code, r.Stdout, r.Stderr, want)
	}

	r = w.Run("", "docker-credential-aad", "configure", "contoso.azurecr.io", "fabrikam.azurecr.io")
	want = "docker: " + dockerConfig + "\n" +
		"  contoso.azurecr.io: added\n" +
		"  fabrikam.azurecr.io: now uses this helper (was docker-credential-acr-env)\n" +
		"podman, buildah, skopeo: " + containersAuth + "\n" +
		"  contoso.azurecr.io: added\n" +
		"  fabrikam.azurecr.io: added\n" +
		"To remove: docker-credential-aad configure --remove contoso.azurecr.io fabrikam.azurecr.io\n"
	if r.Code != 0 || r.Stdout != "" || r.Stderr != want {
		t.Errorf("configure: exit %d, stdout %q, stderr\n%s\nwant\n%s", r.Code, r.Stdout, r.Stderr, want)
	}
	requireFits(t, "docker configure", r.Stderr, dockerConfig, containersAuth, "To remove: ")
}

// TestHelpFitsEightyColumns: the help of every binary and every command it lists, subcommands
// included, fits 80 columns, says no "(default: false)" of a switch, and gives each variable in
// one form.
func TestHelpFitsEightyColumns(t *testing.T) {
	w := harness.NewWorld(t, bin, fakeentra.Options{})
	seen := 0
	var visit func(binary string, command []string)
	visit = func(binary string, command []string) {
		r := w.Run("", binary, append(command, "--help")...)
		what := strings.Join(append([]string{binary}, command...), " ") + " --help"
		help := r.Stdout + r.Stderr // get-token's and convert-kubeconfig's go to stderr
		if r.Code != 0 || !strings.Contains(help, "Usage") && !strings.Contains(help, "USAGE") {
			t.Errorf("%s: exit %d\n%s", what, r.Code, help)
			return
		}
		seen++
		requireFits(t, what, help)
		for _, bad := range []string{"(default: false)", "[$"} {
			if strings.Contains(help, bad) {
				t.Errorf("%s says %q:\n%s", what, bad, help)
			}
		}
		_, commands, ok := strings.Cut(r.Stdout, "\nCOMMANDS:\n")
		if !ok {
			return
		}
		commands, _, _ = strings.Cut(commands, "\n\n")
		for _, line := range strings.Split(commands, "\n") {
			name, _, _ := strings.Cut(strings.TrimSpace(line), " ")
			name = strings.TrimSuffix(name, ",")
			if strings.HasPrefix(line, "   ") && !strings.HasPrefix(line, "    ") && name != "help" {
				visit(binary, append(append([]string{}, command...), name))
			}
		}
	}
	for _, binary := range []string{"git-credential-aad", "docker-credential-aad", "kubectl-aad", "kubectl-aad-convert_kubeconfig"} {
		visit(binary, nil)
	}
	if seen < 40 {
		t.Errorf("only %d help texts were read", seen)
	}
}

// TestMistakesReadAlikeInEveryBinary: an unknown flag is the same two lines from each binary and
// command, flag package or urfave/cli: what is wrong, with the flag meant, and where the usage is;
// exit status 2. An unknown command typed at a terminal is said even by git's helper, which
// ignores the actions it does not know when git runs it.
func TestMistakesReadAlikeInEveryBinary(t *testing.T) {
	w := harness.NewWorld(t, bin, fakeentra.Options{})
	for _, c := range []struct {
		binary string
		args   []string
		want   string
	}{
		{"git-credential-aad", []string{"login", "--tenat", "x"},
			"git-credential-aad: unknown flag --tenat. Did you mean --tenant?\nRun 'git credential-aad login --help' for usage.\n"},
		{"docker-credential-aad", []string{"login", "--tenat", "x"},
			"docker-credential-aad: unknown flag --tenat. Did you mean --tenant?\nRun 'docker-credential-aad login --help' for usage.\n"},
		{"kubectl-aad", []string{"login", "--tenat", "x"},
			"kubectl-aad: unknown flag --tenat. Did you mean --tenant?\nRun 'kubectl aad login --help' for usage.\n"},
		{"kubectl-aad", []string{"get-token", "--tenat", "x"},
			"kubectl-aad: unknown flag --tenat. Did you mean --tenant?\nRun 'kubectl aad get-token --help' for usage.\n"},
		{"kubectl-aad", []string{"convert-kubeconfig", "--contxt", "x"},
			"kubectl-aad convert-kubeconfig: unknown flag --contxt. Did you mean --context?\nRun 'kubectl aad convert-kubeconfig --help' for usage.\n"},
		{"kubectl-aad", []string{"logn"},
			"kubectl-aad: unknown command \"logn\". Did you mean \"login\"?\nRun 'kubectl aad --help' for usage.\n"},
	} {
		r := w.Run("", c.binary, c.args...)
		if r.Code != 2 || r.Stdout != "" || r.Stderr != c.want {
			t.Errorf("%s %s: exit %d, stdout %q, stderr\n%s\nwant exit 2 and\n%s", c.binary, strings.Join(c.args, " "), r.Code, r.Stdout, r.Stderr, c.want)
		}
	}

	if r := w.Run("", "git-credential-aad", "logn"); r.Code != 0 || r.Stdout+r.Stderr != "" {
		t.Errorf("an action git's helper does not know, from git: exit %d, %q %q; want nothing", r.Code, r.Stdout, r.Stderr)
	}
	tm := w.StartTmux(t, 80, "git-credential-aad logn")
	screen := strings.Join(tm.WaitFor(10*time.Second, "the command ending", func(s string) bool { return strings.Contains(s, "EXIT=") }), "\n")
	if want := "git-credential-aad: unknown command \"logn\". Did you mean \"login\"?\nRun 'git credential-aad --help' for usage.\nEXIT=2"; screen != want {
		t.Errorf("typed at a terminal, the screen shows\n%s\nwant\n%s", screen, want)
	}
}
