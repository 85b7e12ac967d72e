package tests

import (
	"bytes"
	"compress/gzip"
	"context"
	"io"
	"io/fs"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aadcred/aadcred/tests/harness"
)

// platform is this machine's, as release archives name it.
const platform = runtime.GOOS + "_" + runtime.GOARCH

// releaseSnapshotDir is the snapshot release, with its archive for this machine.
type releaseSnapshotDir struct {
	dir, version, archive string
}

func releaseSnapshot(t *testing.T) releaseSnapshotDir {
	t.Helper()
	snap := harness.RequireSnapshot(t)
	s := releaseSnapshotDir{dir: snap.Dir, version: snap.Version, archive: "aadcred_" + snap.Version + "_" + platform + ".tar.gz"}
	if _, err := os.Stat(filepath.Join(s.dir, s.archive)); err != nil {
		t.Fatalf("the snapshot has no archive for this machine: %v", err)
	}
	return s
}

// releaseServer serves a copy of the snapshot's archive and checksums.txt the way GitHub serves
// release assets: /releases/download/v<version>/<file> and /releases/latest/download/<file>.
type releaseServer struct {
	URL      string // the base URL install.sh takes
	dir      string // the files served, which a test may change
	requests atomic.Int64
}

func newReleaseServer(t *testing.T, s releaseSnapshotDir) *releaseServer {
	t.Helper()
	rs := &releaseServer{dir: t.TempDir()}
	for _, name := range []string{"checksums.txt", s.archive} {
		data, err := os.ReadFile(filepath.Join(s.dir, name))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(rs.dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	files := http.FileServer(http.Dir(rs.dir))
	mux := http.NewServeMux()
	mux.Handle("/releases/latest/download/", http.StripPrefix("/releases/latest/download", files))
	mux.Handle("/releases/download/v"+s.version+"/", http.StripPrefix("/releases/download/v"+s.version, files))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rs.requests.Add(1)
		mux.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	rs.URL = srv.URL + "/releases"
	return rs
}

// installer runs install.sh as a person would, with sh, in a home of its own.
type installer struct {
	t              *testing.T
	home, tmp, pfx string
	path           string // PATH: the system's programs, not the e2e binaries
}

func newInstaller(t *testing.T) *installer {
	t.Helper()
	root := t.TempDir()
	in := &installer{t: t, home: filepath.Join(root, "home"), tmp: filepath.Join(root, "tmp"), pfx: filepath.Join(root, "prefix"), path: "/usr/local/bin:/usr/bin:/bin"}
	for _, d := range []string{in.home, in.tmp} {
		if err := os.Mkdir(d, 0o700); err != nil {
			t.Fatal(err)
		}
	}
	return in
}

func (in *installer) run(extraEnv []string, args ...string) harness.Result {
	in.t.Helper()
	root, err := harness.ModuleRoot()
	if err != nil {
		in.t.Fatal(err)
	}
	script := filepath.Join(root, "install", "install.sh")
	// sh reads the script, which go test cannot see: stat it here, so that a changed script is
	// tested again and not replayed from the test cache.
	if _, err := os.Stat(script); err != nil {
		in.t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "sh", append([]string{script}, args...)...)
	cmd.Env = append([]string{"HOME=" + in.home, "PATH=" + in.path, "TMPDIR=" + in.tmp, "LANG=C.UTF-8"}, extraEnv...)
	cmd.Dir = in.home
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err = cmd.Run()
	if _, exit := err.(*exec.ExitError); err != nil && !exit {
		in.t.Fatalf("running install.sh: %v", err)
	}
	return harness.Result{Stdout: stdout.String(), Stderr: stderr.String(), Code: cmd.ProcessState.ExitCode()}
}

// requireRefused checks a failed install: exit 1, one clear line on stderr, nothing installed
// and nothing left behind in TMPDIR.
func (in *installer) requireRefused(r harness.Result, want string) {
	in.t.Helper()
	if r.Code != 1 || !strings.Contains(r.Stderr, want) || strings.Count(r.Stderr, "\n") != 1 || !strings.HasPrefix(r.Stderr, "aadcred-install: ") {
		in.t.Errorf("exit %d, want 1 with one line saying %q\nstdout %s\nstderr %s", r.Code, want, r.Stdout, r.Stderr)
	}
	for _, dir := range []string{in.pfx, in.tmp} {
		var left []string
		filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
			if err == nil && path != dir {
				left = append(left, path)
			}
			return nil
		})
		if len(left) > 0 {
			in.t.Errorf("a refused install left %q", left)
		}
	}
}

func TestInstallScriptInstallsTheRelease(t *testing.T) {
	s := releaseSnapshot(t)
	rs := newReleaseServer(t, s)
	in := newInstaller(t)

	r := in.run(nil, "--base-url", rs.URL, "--prefix", in.pfx)
	if r.Code != 0 {
		t.Fatalf("exit %d\nstdout %s\nstderr %s", r.Code, r.Stdout, r.Stderr)
	}
	bindir := filepath.Join(in.pfx, "bin")
	for _, want := range []string{"Installed aadcred v" + s.version + " into " + bindir, bindir + " is not on your PATH"} {
		if !strings.Contains(r.Stdout, want) {
			t.Errorf("the installer does not say %q:\n%s", want, r.Stdout)
		}
	}
	for _, program := range append(harness.Binaries, harness.Converter) {
		out, err := exec.Command(filepath.Join(bindir, program), "--version").Output()
		if want := program + " version v" + s.version + "\n"; err != nil || string(out) != want {
			t.Errorf("installed %s --version: %q (%v), want %q", program, out, err, want)
		}
	}
	for _, file := range []string{
		"bin/kubectl_complete-aad",
		"share/man/man1/git-credential-aad.1.gz", "share/man/man1/kubectl-aad-convert_kubeconfig.1.gz",
		"share/bash-completion/completions/docker-credential-aad", "share/zsh/site-functions/_kubectl-aad",
		"share/fish/vendor_completions.d/git-credential-aad.fish",
	} {
		if _, err := os.Stat(filepath.Join(in.pfx, file)); err != nil {
			t.Errorf("not installed: %v", err)
		}
	}
	// The page as man reads it: gzip'd roff, named for its program and section.
	if page, err := readGzip(filepath.Join(in.pfx, "share/man/man1/git-credential-aad.1.gz")); err != nil ||
		!strings.Contains(page, "\n.TH git-credential-aad 1\n") || !strings.Contains(page, "configure") {
		t.Errorf("the installed manual page (%v):\n%s", err, page)
	}
	if entries, _ := os.ReadDir(in.tmp); len(entries) != 0 {
		t.Errorf("the installer left %d files in TMPDIR", len(entries))
	}

	// A named version, over the earlier install, with the prefix on PATH.
	in.path = bindir + ":" + in.path
	r = in.run([]string{"AADCRED_VERSION=" + s.version, "AADCRED_BASE_URL=" + rs.URL, "AADCRED_PREFIX=" + in.pfx})
	if r.Code != 0 || !strings.Contains(r.Stdout, bindir+" is on your PATH.") {
		t.Errorf("reinstall of %s: exit %d\nstdout %s\nstderr %s", s.version, r.Code, r.Stdout, r.Stderr)
	}
}

func TestInstallScriptConfigures(t *testing.T) {
	s := releaseSnapshot(t)
	rs := newReleaseServer(t, s)
	h := newSetupHome(t)
	in := newInstaller(t)
	in.home = h.Home
	in.path += ":" + filepath.Dir(harness.RequireTool(t, "git"))

	r := in.run(nil, "--base-url", rs.URL, "--prefix", in.pfx, "--configure", "extra.azurecr.io")
	if r.Code != 0 {
		t.Fatalf("exit %d\nstdout %s\nstderr %s", r.Code, r.Stdout, r.Stderr)
	}
	for _, registry := range []string{"contoso.azurecr.io", "extra.azurecr.io"} {
		if got := credHelpers(t, h.dockerConfig)[registry]; got != "aad" {
			t.Errorf("docker's credHelpers[%s] = %q after install.sh --configure", registry, got)
		}
	}
	out, err := exec.Command("git", "config", "--file", h.gitconfig, "--get-all", "credential.https://dev.azure.com.helper").Output()
	if err != nil || !strings.Contains(string(out), filepath.Join(in.pfx, "bin", "git-credential-aad")) {
		t.Errorf("git runs no installed helper for dev.azure.com (%v): %s", err, out)
	}
	if kubeconfig, _ := os.ReadFile(h.kubeconfig); !strings.Contains(string(kubeconfig), "command: kubectl-aad") {
		t.Errorf("the kubeconfig was not converted:\n%s", kubeconfig)
	}
}

func TestInstallScriptRefusesATamperedArchive(t *testing.T) {
	s := releaseSnapshot(t)
	rs := newReleaseServer(t, s)
	in := newInstaller(t)
	path := filepath.Join(rs.dir, s.archive)
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	data[len(data)/2] ^= 0xff
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	in.requireRefused(in.run(nil, "--base-url", rs.URL, "--prefix", in.pfx), "checksum mismatch for "+s.archive)
}

func TestInstallScriptRefusesAMissingChecksumsFile(t *testing.T) {
	s := releaseSnapshot(t)
	rs := newReleaseServer(t, s)
	in := newInstaller(t)
	if err := os.Remove(filepath.Join(rs.dir, "checksums.txt")); err != nil {
		t.Fatal(err)
	}
	in.requireRefused(in.run(nil, "--base-url", rs.URL, "--prefix", in.pfx), "/releases/latest/download/checksums.txt: not found (HTTP 404)")

	// checksums.txt that lists no archive for this machine.
	if err := os.WriteFile(filepath.Join(rs.dir, "checksums.txt"), []byte(strings.Repeat("0", 64)+"  aadcred_"+s.version+"_linux_riscv64.tar.gz\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	in.requireRefused(in.run(nil, "--base-url", rs.URL, "--prefix", in.pfx), "checksums.txt lists no archive for "+runtime.GOOS+"/"+runtime.GOARCH+": refusing to install")
}

func TestInstallScriptRefusesAnUnknownRelease(t *testing.T) {
	s := releaseSnapshot(t)
	rs := newReleaseServer(t, s)
	in := newInstaller(t)
	in.requireRefused(in.run(nil, "--base-url", rs.URL, "--prefix", in.pfx, "--version", "9.9.9"),
		"/releases/download/v9.9.9/checksums.txt: not found (HTTP 404): is there a release 9.9.9 for "+runtime.GOOS+"/"+runtime.GOARCH+"?")
}

func TestInstallScriptWithoutNetwork(t *testing.T) {
	in := newInstaller(t)
	// A port on loopback where nothing listens: the connection is refused, as offline.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := l.Addr().String()
	l.Close()
	r := in.run(nil, "--base-url", "http://"+closed+"/releases", "--prefix", in.pfx)
	in.requireRefused(r, "cannot download http://"+closed+"/releases/latest/download/checksums.txt: ")
	if !strings.Contains(r.Stderr, "(is the network up?)") {
		t.Errorf("the line does not say the network may be down: %s", r.Stderr)
	}
}

func TestInstallScriptRefusesAnUnknownArchitecture(t *testing.T) {
	s := releaseSnapshot(t)
	rs := newReleaseServer(t, s)
	in := newInstaller(t)
	// uname of a RISC-V machine, ahead of the real one on PATH.
	fake := t.TempDir()
	if err := os.WriteFile(filepath.Join(fake, "uname"), []byte("#!/bin/sh\ncase $1 in -m) echo riscv64;; *) echo Linux;; esac\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	in.path = fake + ":" + in.path
	in.requireRefused(in.run(nil, "--base-url", rs.URL, "--prefix", in.pfx), "unsupported architecture: riscv64 (releases are built for amd64 and arm64)")
	if n := rs.requests.Load(); n != 0 {
		t.Errorf("the installer downloaded %d files for a machine it cannot serve", n)
	}
}

func TestInstallScriptRefusesAnUnwritablePrefix(t *testing.T) {
	s := releaseSnapshot(t)
	rs := newReleaseServer(t, s)
	in := newInstaller(t)
	// A regular file where the prefix's directory would be: no one, root included, can create
	// directories inside it.
	file := filepath.Join(in.home, "not-a-directory")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	in.pfx = filepath.Join(file, "prefix")
	in.requireRefused(in.run(nil, "--base-url", rs.URL, "--prefix", in.pfx), "cannot install into "+in.pfx+": "+file+" is not a directory")
	if n := rs.requests.Load(); n != 0 {
		t.Errorf("the installer downloaded %d files before finding it cannot install", n)
	}
	if os.Geteuid() != 0 {
		readOnly := filepath.Join(in.home, "read-only")
		if err := os.Mkdir(readOnly, 0o500); err != nil {
			t.Fatal(err)
		}
		in.pfx = filepath.Join(readOnly, "prefix")
		in.requireRefused(in.run(nil, "--base-url", rs.URL, "--prefix", in.pfx), readOnly+" is not writable")
	}
}

func TestInstallScriptRefusesPlainHTTPFromElsewhere(t *testing.T) {
	in := newInstaller(t)
	r := in.run(nil, "--base-url", "http://releases.example/aadcred", "--prefix", in.pfx)
	in.requireRefused(r, "the base URL must be https:// (plain http only from this machine)")
	if ok, _ := regexp.MatchString(`Downloading`, r.Stdout); ok {
		t.Error("it downloaded from a plain http server elsewhere")
	}
}

func TestInstallScriptLeavesNothingWhenAnInstallStepFails(t *testing.T) {
	s := releaseSnapshot(t)
	rs := newReleaseServer(t, s)
	in := newInstaller(t)
	// The programs can be staged in bin, but share cannot be made: a file is in the way.
	share := filepath.Join(in.pfx, "share")
	if err := os.MkdirAll(in.pfx, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(share, []byte("in the way"), 0o644); err != nil {
		t.Fatal(err)
	}
	r := in.run(nil, "--base-url", rs.URL, "--prefix", in.pfx)
	if r.Code != 1 || r.Stderr != "aadcred-install: cannot create the directory "+share+": a file is in the way\n" {
		t.Errorf("exit %d\nstdout %s\nstderr %s", r.Code, r.Stdout, r.Stderr)
	}
	entries, _ := os.ReadDir(in.pfx)
	if len(entries) != 1 || entries[0].Name() != "share" {
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		t.Errorf("the failed install left %q in the prefix (the staged programs and their directory must go)", names)
	}
	if entries, _ := os.ReadDir(in.tmp); len(entries) != 0 {
		t.Errorf("the installer left %d files in TMPDIR", len(entries))
	}
}

func TestInstallScriptWithWgetInsteadOfCurl(t *testing.T) {
	s := releaseSnapshot(t)
	rs := newReleaseServer(t, s)
	in := newInstaller(t)
	harness.RequireTool(t, "wget")
	// The system's programs, without curl.
	noCurl := t.TempDir()
	for _, dir := range []string{"/usr/bin", "/bin"} {
		entries, _ := os.ReadDir(dir)
		for _, e := range entries {
			link := filepath.Join(noCurl, e.Name())
			if _, err := os.Lstat(link); err == nil || e.Name() == "curl" {
				continue
			}
			if err := os.Symlink(filepath.Join(dir, e.Name()), link); err != nil {
				t.Fatal(err)
			}
		}
	}
	in.path = noCurl
	r := in.run(nil, "--base-url", rs.URL, "--prefix", in.pfx)
	if r.Code != 0 || !strings.Contains(r.Stdout, "Installed aadcred v"+s.version) {
		t.Fatalf("exit %d\nstdout %s\nstderr %s", r.Code, r.Stdout, r.Stderr)
	}
	if err := os.RemoveAll(in.pfx); err != nil {
		t.Fatal(err)
	}
	in.requireRefused(in.run(nil, "--base-url", rs.URL, "--prefix", in.pfx, "--version", "9.9.9"),
		"/releases/download/v9.9.9/checksums.txt: the server answered with an error (no release 9.9.9 for "+runtime.GOOS+"/"+runtime.GOARCH+"?)")
}

// TestInstallScriptPutsTheEarlierInstallBackWhenARenameFails stops the install at its third
// rename, after two programs replaced the earlier install's: those two go back, and nothing of
// the new release stays. A fresh install stopped alike leaves nothing.
func TestInstallScriptPutsTheEarlierInstallBackWhenARenameFails(t *testing.T) {
	s := releaseSnapshot(t)
	rs := newReleaseServer(t, s)
	in := newInstaller(t)
	// An mv that cannot rename the new kubectl-aad into place (programs are renamed in the order
	// git-credential-aad, docker-credential-aad, kubectl-aad).
	fake := t.TempDir()
	mv := "#!/bin/sh\ncase \"$2 $3\" in *.aadcred-install.*\" \"*/kubectl-aad) exit 1;; esac\nexec /bin/mv \"$@\"\n"
	if err := os.WriteFile(filepath.Join(fake, "mv"), []byte(mv), 0o755); err != nil {
		t.Fatal(err)
	}
	in.path = fake + ":" + in.path

	bindir := filepath.Join(in.pfx, "bin")
	earlier := map[string]string{}
	for _, p := range append(harness.Binaries, harness.Converter) {
		earlier[filepath.Join(bindir, p)] = "#!/bin/sh\necho earlier " + p + "\n"
	}
	earlier[filepath.Join(in.pfx, "share/man/man1/git-credential-aad.1.gz")] = "earlier page"
	for path, content := range earlier {
		writeTestFile(t, path, content)
	}
	r := in.run(nil, "--base-url", rs.URL, "--prefix", in.pfx)
	if r.Code != 1 || r.Stderr != "aadcred-install: cannot move "+filepath.Join(bindir, "kubectl-aad")+" into place\n" {
		t.Errorf("exit %d\nstdout %s\nstderr %s", r.Code, r.Stdout, r.Stderr)
	}
	got := filesUnder(t, in.pfx)
	for path, content := range earlier {
		if got[path] != content {
			t.Errorf("the failed install did not put back %s", path)
		}
	}
	for path := range got {
		if _, ok := earlier[path]; !ok {
			t.Errorf("the failed install left %s", path)
		}
	}

	if err := os.RemoveAll(in.pfx); err != nil {
		t.Fatal(err)
	}
	in.requireRefused(in.run(nil, "--base-url", rs.URL, "--prefix", in.pfx), "cannot move "+filepath.Join(bindir, "kubectl-aad")+" into place")
}

func TestInstallScriptLinksKubelogin(t *testing.T) {
	s := releaseSnapshot(t)
	rs := newReleaseServer(t, s)
	in := newInstaller(t)
	bindir := filepath.Join(in.pfx, "bin")
	in.path = bindir + ":" + in.path

	r := in.run(nil, "--base-url", rs.URL, "--prefix", in.pfx, "--as-kubelogin")
	link := filepath.Join(bindir, "kubelogin")
	if target, err := os.Readlink(link); r.Code != 0 || err != nil || target != "kubectl-aad" || !strings.Contains(unwrapped(r.Stderr), "Linked "+link) {
		t.Fatalf("exit %d, %s leads to %q (%v)\nstdout %s\nstderr %s", r.Code, link, target, err, r.Stdout, r.Stderr)
	}
	// A reinstall keeps the link, which leads to kubectl-aad by name.
	if r := in.run(nil, "--base-url", rs.URL, "--prefix", in.pfx, "--as-kubelogin"); r.Code != 0 || !strings.Contains(unwrapped(r.Stderr), link+" already runs kubectl-aad") {
		t.Errorf("reinstall: exit %d\nstdout %s\nstderr %s", r.Code, r.Stdout, r.Stderr)
	}

	// Another kubelogin first on PATH: the programs are installed, the link is not made, and
	// the installer says so and fails.
	if err := os.RemoveAll(in.pfx); err != nil {
		t.Fatal(err)
	}
	other := t.TempDir()
	writeTestFile(t, filepath.Join(other, "kubelogin"), "#!/bin/sh\n")
	if err := os.Chmod(filepath.Join(other, "kubelogin"), 0o755); err != nil {
		t.Fatal(err)
	}
	in.path = other + ":" + in.path
	r = in.run(nil, "--base-url", rs.URL, "--prefix", in.pfx, "--as-kubelogin")
	if r.Code != 1 || !strings.Contains(unwrapped(r.Stderr), "another kubelogin comes first on PATH, "+filepath.Join(other, "kubelogin")) ||
		!strings.HasSuffix(r.Stderr, "aadcred-install: installed, but the kubelogin link was not made (see above); run: "+filepath.Join(bindir, "kubectl-aad")+" configure --as-kubelogin\n") {
		t.Errorf("exit %d\nstdout %s\nstderr %s", r.Code, r.Stdout, r.Stderr)
	}
	if _, err := os.Lstat(link); !os.IsNotExist(err) {
		t.Errorf("the link was made although another kubelogin comes first (%v)", err)
	}
	if _, err := os.Stat(filepath.Join(bindir, "kubectl-aad")); err != nil {
		t.Errorf("kubectl-aad is not installed: %v", err)
	}
}

func readGzip(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		return "", err
	}
	data, err := io.ReadAll(zr)
	return string(data), err
}
