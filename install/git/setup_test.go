package git_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/aadcred/aadcred/install/git"
	"github.com/aadcred/aadcred/tests/harness"
)

// home is a private git configuration: a global file, a system file, and a repository.
type home struct {
	t                 *testing.T
	dir, global, repo string
	system            string
	env               []string
}

func newHome(t *testing.T) *home {
	t.Helper()
	harness.RequireTool(t, "git")
	dir := t.TempDir()
	h := &home{t: t, dir: dir, global: filepath.Join(dir, "gitconfig"), system: filepath.Join(dir, "system-gitconfig"), repo: filepath.Join(dir, "repo")}
	h.env = []string{
		"HOME=" + dir, "PATH=" + os.Getenv("PATH"), "GIT_CONFIG_GLOBAL=" + h.global, "GIT_CONFIG_SYSTEM=" + h.system,
		"XDG_CONFIG_HOME=" + filepath.Join(dir, ".config"), "LANG=C",
	}
	h.git("init", "-q", h.repo)
	return h
}

func (h *home) git(args ...string) string {
	h.t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Env, cmd.Dir = h.env, h.dir
	out, err := cmd.CombinedOutput()
	if err != nil {
		h.t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

func (h *home) setup(scope git.Scope, helper string, urls ...string) *git.Setup {
	if len(urls) == 0 {
		urls = []string{"https://dev.azure.com", "https://*.visualstudio.com"}
	}
	return &git.Setup{Scope: scope, Helper: helper, URLs: urls, Dir: h.repo, Env: h.env}
}

func (h *home) write(path, content string) {
	h.t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		h.t.Fatal(err)
	}
}

func (h *home) read(path string) string {
	h.t.Helper()
	b, err := os.ReadFile(path)
	if err != nil && !os.IsNotExist(err) {
		h.t.Fatal(err)
	}
	return string(b)
}

// values is every value of key in the file, in order.
func (h *home) values(file, key string) []string {
	h.t.Helper()
	cmd := exec.Command("git", "config", "--file", file, "--get-all", key)
	cmd.Env = h.env
	out, err := cmd.Output()
	if err != nil {
		return nil
	}
	return strings.Split(strings.TrimSuffix(string(out), "\n"), "\n")
}

// settings is the file's configuration by key, each key's values in order: what git reads,
// whatever the layout of the file.
func (h *home) settings(file string) map[string][]string {
	h.t.Helper()
	cmd := exec.Command("git", "config", "--file", file, "--list")
	cmd.Env = h.env
	out, _ := cmd.Output()
	m := map[string][]string{}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		if line == "" {
			continue
		}
		k, v, _ := strings.Cut(line, "=")
		m[k] = append(m[k], v)
	}
	return m
}

const helper = "/usr/local/bin/git-credential-aad"

func TestConfigureWritesTheEntriesAndRemoveTakesThemAway(t *testing.T) {
	h := newHome(t)
	original := "[user]\n\tname = Alice\n[credential]\n\thelper = cache\n"
	h.write(h.global, original)
	ctx := context.Background()

	changes, err := h.setup(git.Global, helper).Configure(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := []git.Change{
		{URL: "https://dev.azure.com", Helper: true, UseHTTPPath: true, UseHTTPPathNow: "true"},
		{URL: "https://*.visualstudio.com", Helper: true, UseHTTPPath: true, UseHTTPPathNow: "true"},
	}
	if !reflect.DeepEqual(changes, want) {
		t.Errorf("changes = %+v, want a helper and useHttpPath for each of two URLs", changes)
	}
	for _, url := range []string{"https://dev.azure.com", "https://*.visualstudio.com"} {
		if got := h.values(h.global, "credential."+url+".helper"); !reflect.DeepEqual(got, []string{"", helper}) {
			t.Errorf("%s helpers = %q, want an empty entry, then the helper", url, got)
		}
		if got := h.values(h.global, "credential."+url+".usehttppath"); !reflect.DeepEqual(got, []string{"true"}) {
			t.Errorf("%s useHttpPath = %q", url, got)
		}
	}
	// What git would run for a remote: only this helper, whatever came before.
	if got := strings.TrimSpace(h.git("config", "--get-urlmatch", "credential.helper", "https://dev.azure.com/contoso/web/_git/web")); got != helper {
		t.Errorf("git's helper for dev.azure.com = %q", got)
	}
	if got := strings.TrimSpace(h.git("config", "--get-urlmatch", "credential.helper", "https://github.com/")); got != "cache" {
		t.Errorf("other hosts lost their helper: %q", got)
	}

	configured := h.read(h.global)
	changes, err = h.setup(git.Global, helper).Configure(ctx)
	if err != nil || len(changes) != 0 {
		t.Errorf("configuring again: %+v, %v; want no change", changes, err)
	}
	if h.read(h.global) != configured {
		t.Errorf("configuring again changed the file:\n%s", h.read(h.global))
	}

	changes, err = h.setup(git.Global, helper).Remove(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want = []git.Change{
		{URL: "https://dev.azure.com", Helper: true, UseHTTPPath: true},
		{URL: "https://*.visualstudio.com", Helper: true, UseHTTPPath: true},
	}
	if !reflect.DeepEqual(changes, want) {
		t.Errorf("removed %+v, want both helpers and both useHttpPath unset", changes)
	}
	if got := h.read(h.global); got != original {
		t.Errorf("after remove the file is\n%s\nwant\n%s", got, original)
	}
	if changes, err := h.setup(git.Global, helper).Remove(ctx); err != nil || len(changes) != 0 {
		t.Errorf("removing again: %+v, %v; want nothing to do", changes, err)
	}
}

func TestRemoveKeepsWhatTheUserHad(t *testing.T) {
	h := newHome(t)
	h.write(h.global, `[credential "https://dev.azure.com"]
	helper = manager
	username = contoso
	helper =
	helper = aad
[credential "https://*.visualstudio.com"]
	useHttpPath = false
`)
	before := h.settings(h.global)
	ctx := context.Background()
	if _, err := h.setup(git.Global, helper).Configure(ctx); err != nil {
		t.Fatal(err)
	}
	if got := h.values(h.global, "credential.https://dev.azure.com.helper"); !reflect.DeepEqual(got, []string{"manager", "", "aad", "", helper}) {
		t.Errorf("helpers = %q", got)
	}
	if got := h.values(h.global, "credential.https://*.visualstudio.com.usehttppath"); !reflect.DeepEqual(got, []string{"true"}) {
		t.Errorf("useHttpPath = %q, want true", got)
	}
	if _, err := h.setup(git.Global, helper).Remove(ctx); err != nil {
		t.Fatal(err)
	}
	if after := h.settings(h.global); !reflect.DeepEqual(after, before) {
		t.Errorf("after remove:\n%v\nwant\n%v", after, before)
	}
}

func TestConfigureReplacesAnOldPathOfTheHelper(t *testing.T) {
	h := newHome(t)
	ctx := context.Background()
	if _, err := h.setup(git.Global, "/old/bin/git-credential-aad").Configure(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := h.setup(git.Global, helper).Configure(ctx); err != nil {
		t.Fatal(err)
	}
	if got := h.values(h.global, "credential.https://dev.azure.com.helper"); !reflect.DeepEqual(got, []string{"", helper}) {
		t.Errorf("helpers = %q, want only the new path", got)
	}
}

func TestConfigureSystemAndLocal(t *testing.T) {
	h := newHome(t)
	ctx := context.Background()
	for _, tc := range []struct {
		scope git.Scope
		file  string
	}{
		{git.System, h.system},
		{git.Local, filepath.Join(h.repo, ".git", "config")},
	} {
		before := h.read(tc.file)
		if _, err := h.setup(tc.scope, helper).Configure(ctx); err != nil {
			t.Fatalf("%s: %v", tc.scope, err)
		}
		if got := h.values(tc.file, "credential.https://dev.azure.com.helper"); !reflect.DeepEqual(got, []string{"", helper}) {
			t.Errorf("%s: helpers = %q", tc.scope, got)
		}
		if h.read(h.global) != "" {
			t.Errorf("%s: the global file was written", tc.scope)
		}
		if _, err := h.setup(tc.scope, helper).Remove(ctx); err != nil {
			t.Fatalf("%s: %v", tc.scope, err)
		}
		if got := h.read(tc.file); got != before {
			t.Errorf("%s: after remove the file is\n%s\nwant\n%s", tc.scope, got, before)
		}
	}
}

func TestLocalOutsideARepositoryFails(t *testing.T) {
	h := newHome(t)
	s := h.setup(git.Local, helper)
	s.Dir = h.dir
	_, err := s.Configure(context.Background())
	if err == nil || !strings.Contains(err.Error(), "repository") {
		t.Errorf("err = %v, want git's complaint about the missing repository", err)
	}
}

func TestConfigureRefusesARelativeHelper(t *testing.T) {
	h := newHome(t)
	if _, err := h.setup(git.Global, "git-credential-aad").Configure(context.Background()); err == nil {
		t.Error("a relative helper path was accepted")
	}
	if _, err := h.setup("user", helper).Configure(context.Background()); err == nil {
		t.Error("an unknown scope was accepted")
	}
}

func TestCheckWarnsAboutHelpersGitRunsAfterThisOne(t *testing.T) {
	h := newHome(t)
	ctx := context.Background()
	s := h.setup(git.Global, helper)
	if _, err := s.Configure(ctx); err != nil {
		t.Fatal(err)
	}
	if warnings, err := s.Check(ctx); err != nil || len(warnings) != 0 {
		t.Errorf("Check = %q, %v; want no warning", warnings, err)
	}
	h.git("-C", h.repo, "config", "--local", "credential.helper", "store")
	warnings, err := s.Check(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := "https://dev.azure.com, https://*.visualstudio.com: git also runs the helper \"store\" after git-credential-aad; " +
		"one that stores credentials may serve expired tokens (see `git config --show-origin --get-regexp credential`)"
	if len(warnings) != 1 || warnings[0] != want {
		t.Errorf("Check = %q, want one warning naming store and both URLs", warnings)
	}

	h.git("-C", h.repo, "config", "--local", "--unset", "credential.helper")
	h.git("-C", h.repo, "config", "--local", "--add", "credential.https://dev.azure.com.helper", "")
	h.git("-C", h.repo, "config", "--local", "--add", "credential.https://dev.azure.com.helper", "manager")
	warnings, err = s.Check(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(warnings) != 1 || !strings.Contains(warnings[0], "https://dev.azure.com: git does not run git-credential-aad first") {
		t.Errorf("Check = %q, want one warning that dev.azure.com no longer runs this helper", warnings)
	}
}

// TestHelperPathWithSpacesRunsThroughGit checks the quoting against git itself: git runs a
// helper through the shell, so a path with a space must be quoted to be run at all.
func TestHelperPathWithSpacesRunsThroughGit(t *testing.T) {
	h := newHome(t)
	dir := filepath.Join(h.dir, "my tools", "it's here")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	script := filepath.Join(dir, "git-credential-aad")
	h.write(script, "#!/bin/sh\ntest \"$1\" = get && printf 'username=u\\npassword=from-the-script\\n'\n")
	if err := os.Chmod(script, 0o700); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if _, err := h.setup(git.Global, script).Configure(ctx); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("git", "credential", "fill")
	cmd.Env = append(h.env, "GIT_TERMINAL_PROMPT=0")
	cmd.Stdin = strings.NewReader("protocol=https\nhost=dev.azure.com\npath=contoso/p/_git/r\n\n")
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "password=from-the-script") {
		t.Fatalf("git credential fill: %v\n%s\nconfig:\n%s", err, out, h.read(h.global))
	}
	if _, err := h.setup(git.Global, script).Remove(ctx); err != nil {
		t.Fatal(err)
	}
	if got := h.read(h.global); got != "" {
		t.Errorf("after remove the file is\n%s", got)
	}
}

func TestDryRunReportsTheChangesAndWritesNothing(t *testing.T) {
	h := newHome(t)
	h.write(h.global, "[credential]\n\thelper = store\n")
	ctx := context.Background()

	dry := h.setup(git.Global, "/usr/bin/git-credential-aad")
	dry.DryRun = true
	planned, err := dry.Configure(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got := h.read(h.global); got != "[credential]\n\thelper = store\n" {
		t.Fatalf("a dry run changed the file:\n%s", got)
	}
	done, err := h.setup(git.Global, "/usr/bin/git-credential-aad").Configure(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(planned) == 0 || !reflect.DeepEqual(planned, done) {
		t.Errorf("the dry run planned %+v, the real run did %+v", planned, done)
	}

	configured := h.read(h.global)
	dry.DryRun = true
	planned, err = dry.Remove(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(planned) == 0 || h.read(h.global) != configured {
		t.Errorf("a dry run of remove planned %+v and left:\n%s", planned, h.read(h.global))
	}
}

// TestConfigureStoppedHalfWayLeavesTheFileAsItWas stops configure at its second change, as an
// interruption would: the file must not keep the first change (an empty helper entry, which
// drops the user's helpers, without this helper after it).
func TestConfigureStoppedHalfWayLeavesTheFileAsItWas(t *testing.T) {
	h := newHome(t)
	const before = "[credential]\n\thelper = store\n"
	h.write(h.global, before)
	count := filepath.Join(h.dir, "count")
	gitPath := filepath.Join(h.dir, "git-stopping")
	h.write(gitPath, `#!/bin/sh
case " $* " in *" --add "*)
  n=$(cat "`+count+`" 2>/dev/null || echo 0); n=$((n+1)); echo $n > "`+count+`"
  if [ $n -ge 2 ]; then echo "fatal: stopped" >&2; exit 128; fi ;;
esac
exec git "$@"
`)
	if err := os.Chmod(gitPath, 0o755); err != nil {
		t.Fatal(err)
	}
	setup := h.setup(git.Global, "/usr/bin/git-credential-aad")
	setup.GitPath = gitPath
	changes, err := setup.Configure(context.Background())
	if err == nil || len(changes) != 0 {
		t.Fatalf("Configure: changes %+v, error %v; want an error and no changes", changes, err)
	}
	if got := h.read(h.global); got != before {
		t.Errorf("a configure stopped half-way changed the file:\n%s", got)
	}
	entries, _ := os.ReadDir(h.dir)
	for _, e := range entries {
		if strings.Contains(e.Name(), ".aadcred-") {
			t.Errorf("a temporary copy was left behind: %s", e.Name())
		}
	}
}

func TestConfigureKeepsALinkedGitconfigALink(t *testing.T) {
	h := newHome(t)
	dotfiles := filepath.Join(h.dir, "dotfiles", "gitconfig")
	if err := os.MkdirAll(filepath.Dir(dotfiles), 0o700); err != nil {
		t.Fatal(err)
	}
	h.write(dotfiles, "[user]\n\tname = Someone\n")
	if err := os.Symlink(dotfiles, h.global); err != nil {
		t.Fatal(err)
	}
	if _, err := h.setup(git.Global, "/usr/bin/git-credential-aad").Configure(context.Background()); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Lstat(h.global); err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Fatalf("%s is no longer a link (%v)", h.global, err)
	}
	if got := h.values(dotfiles, "credential.https://dev.azure.com.helper"); !reflect.DeepEqual(got, []string{"", "/usr/bin/git-credential-aad"}) {
		t.Errorf("the linked file holds helpers %q", got)
	}
	if got := h.values(dotfiles, "user.name"); !reflect.DeepEqual(got, []string{"Someone"}) {
		t.Errorf("user.name = %q", got)
	}
}
