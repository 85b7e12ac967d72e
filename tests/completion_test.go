package tests

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/aadcred/aadcred/tests/fakeentra"
	"github.com/aadcred/aadcred/tests/harness"
)

// complete loads the program's bash completion in bash and returns what it offers for the
// words typed so far (the last one is being completed), one per line.
func complete(t *testing.T, w *harness.World, program, script string, words ...string) []string {
	t.Helper()
	fn := "_" + strings.ReplaceAll(program, "-", "_") + "_complete"
	quoted := make([]string, len(words))
	for i, word := range words {
		quoted[i] = "'" + word + "'"
	}
	r := w.Run("", harness.RequireTool(t, "bash"), "-c", `source "$1" || exit 9
COMP_WORDS=(`+program+` `+strings.Join(quoted, " ")+`); COMP_CWORD=${#COMP_WORDS[@]}; COMP_CWORD=$((COMP_CWORD-1))
`+fn+`
printf '%s\n' "${COMPREPLY[@]}"`, "bash", script)
	if r.Code != 0 {
		t.Fatalf("bash: exit %d\n%s", r.Code, r.Stderr)
	}
	return strings.Fields(r.Stdout)
}

func TestBashCompletesCommandsAndFlags(t *testing.T) {
	w := harness.NewWorld(t, bin, fakeentra.Options{})
	for _, program := range harness.Binaries {
		r := w.Run("", program, "completion", "bash")
		if r.Code != 0 || !strings.Contains(r.Stdout, "complete -o default -F") {
			t.Fatalf("%s completion bash: exit %d\nstdout %q\nstderr %s", program, r.Code, r.Stdout, r.Stderr)
		}
		script := filepath.Join(w.Home, program+".bash")
		if err := os.WriteFile(script, []byte(r.Stdout), 0o600); err != nil {
			t.Fatal(err)
		}
		if got := complete(t, w, program, script, "sta"); strings.Join(got, " ") != "status" {
			t.Errorf("%s sta<TAB> offers %q, want status", program, got)
		}
		if program == "kubectl-aad" {
			if got := complete(t, w, program, script, "get-token", "--login", "work"); strings.Join(got, " ") != "workloadidentity" {
				t.Errorf("%s get-token --login work<TAB> offers %q, want workloadidentity", program, got)
			}
			if got := complete(t, w, program, script, "get-token", "--pop-c"); strings.Join(got, " ") != "--pop-claims" {
				t.Errorf("%s get-token --pop-c<TAB> offers %q, want --pop-claims", program, got)
			}
		}
		if got := complete(t, w, program, script, "configure", "--dr"); strings.Join(got, " ") != "--dry-run" {
			t.Errorf("%s configure --dr<TAB> offers %q, want --dry-run", program, got)
		}
		got := complete(t, w, program, script, "configure", "--")
		for _, want := range []string{"--all", "--dry-run", "--debug", "--help"} {
			if !strings.Contains(" "+strings.Join(got, " ")+" ", " "+want+" ") {
				t.Errorf("%s configure --<TAB> offers %q, without %s", program, got, want)
			}
		}
	}
}

func TestCompletionScriptsForEveryShell(t *testing.T) {
	w := harness.NewWorld(t, bin, fakeentra.Options{})
	for shell, want := range map[string]string{
		"zsh":        "compdef _git_credential_aad_complete git-credential-aad",
		"fish":       "complete -c git-credential-aad",
		"powershell": "Register-ArgumentCompleter -Native -CommandName 'git-credential-aad'",
	} {
		r := w.Run("", "git-credential-aad", "completion", shell)
		if r.Code != 0 || !strings.Contains(r.Stdout, want) {
			t.Errorf("completion %s: exit %d, stdout lacks %q:\n%s\nstderr %s", shell, r.Code, want, r.Stdout, r.Stderr)
		}
	}
	r := w.Run("", "git-credential-aad", "completion", "tcsh")
	if r.Code != 2 || r.Stdout != "" || !strings.Contains(r.Stderr, `no completion for the shell "tcsh"`) {
		t.Errorf("completion tcsh: exit %d, stdout %q, stderr %s", r.Code, r.Stdout, r.Stderr)
	}
}

// TestKubectlCompletesThePluginThroughItsShim: kubectl 1.26 and later completes
// `kubectl aad …` by running kubectl_complete-aad from PATH, which releases put beside
// kubectl-aad.
func TestKubectlCompletesThePluginThroughItsShim(t *testing.T) {
	w := harness.NewWorld(t, bin, fakeentra.Options{})
	kubectl := harness.RequireKubectl(t, 26)
	root, err := harness.ModuleRoot()
	if err != nil {
		t.Fatal(err)
	}
	shim, err := os.ReadFile(filepath.Join(root, "install", "kubectl_complete-aad"))
	if err != nil {
		t.Fatal(err)
	}
	plugins := t.TempDir()
	if err := os.WriteFile(filepath.Join(plugins, "kubectl_complete-aad"), shim, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(bin, "kubectl-aad"), filepath.Join(plugins, "kubectl-aad")); err != nil {
		t.Fatal(err)
	}
	w.Set("PATH", plugins+string(os.PathListSeparator)+"/usr/bin:/bin")

	for _, tc := range []struct {
		words []string // after "kubectl aad"; the last one is being completed
		want  []string
	}{
		{[]string{""}, []string{"configure", "get-token", "login", "remove-tokens"}},
		{[]string{"configure", "--dr"}, []string{"--dry-run"}},
		{[]string{"configure", "--"}, []string{"--all", "--as-kubelogin", "--remove"}},
		// get-token reads kubelogin's flags itself, and completes them and the login modes.
		{[]string{"get-token", "--server-id", "x", "--cl"}, []string{"--client-id", "--client-secret", "--client-certificate"}},
		{[]string{"get-token", "--login", ""}, []string{"devicecode", "azurecli", "workloadidentity"}},
		{[]string{"get-token", "-l", "az"}, []string{"azurecli", "azd", "azurepipelines"}},
	} {
		r := w.Run("", kubectl, append([]string{"__complete", "aad"}, tc.words...)...)
		offered := strings.Fields(r.Stdout)
		for _, want := range tc.want {
			if r.Code != 0 || !slices.Contains(offered, want) {
				t.Errorf("kubectl aad %s<TAB>: exit %d, offers %q, without %s\n%s", strings.Join(tc.words, " "), r.Code, offered, want, r.Stderr)
			}
		}
	}
}
