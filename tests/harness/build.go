package harness

import (
	"bytes"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
)

// Binaries are the aadcred commands the tests run.
var Binaries = []string{"git-credential-aad", "docker-credential-aad", "kubectl-aad"}

// Converter is kubectl-aad's convert-kubeconfig, a program of its own (it links client-go,
// whose start-up cost get-token must not pay); Build builds it with the binaries.
const Converter = "kubectl-aad-convert_kubeconfig"

// BuildFlags build the binaries the way releases are built: without cgo (a statically linked
// binary starts a millisecond sooner than one that loads libc, on every credential request) and
// without urfave/cli's documentation generators, whose tables would be set up at every start.
// -buildvcs=auto records the checkout's revision for --version, as go build does by default,
// even where GOFLAGS turns that off.
var BuildFlags = []string{"-trimpath", "-tags", "urfave_cli_no_docs", "-buildvcs=auto"}

// Build compiles the binaries (and any extra main packages, given as module-relative paths such
// as ./tests/cmd/fakeazure) into dir.
func Build(dir string, extra ...string) error {
	root, err := ModuleRoot()
	if err != nil {
		return err
	}
	pkgs := append([]string{}, extra...)
	for _, b := range append(Binaries, Converter) {
		pkgs = append(pkgs, "./cmd/"+b)
	}
	args := append(append([]string{"build"}, BuildFlags...), "-o", dir+string(filepath.Separator))
	cmd := exec.Command("go", append(args, pkgs...)...)
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("go build %s: %v\n%s", strings.Join(pkgs, " "), err, out.String())
	}
	return nil
}

// watchSources stats every Go source file of the module, and every file under install/ (the
// install script and the packages' scripts, which tests run), from this process. go test caches
// a package's result by the files its tests touched; the binaries are built, and the scripts
// run, by child processes, which go test cannot see, so without this a change to the product
// would replay the end-to-end results of the old one. It must run inside a test (go test
// records nothing during TestMain before m.Run), so NewWorld and RequireSnapshot call it.
var watchSources = sync.OnceValue(func() error {
	root, err := ModuleRoot()
	if err != nil {
		return err
	}
	return statSources(root)
})

func statSources(root string) error {
	install := filepath.Join(root, "install") + string(filepath.Separator)
	return filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		name := d.Name()
		if d.IsDir() && path != root && (strings.HasPrefix(name, ".") || name == "testdata") {
			return filepath.SkipDir
		}
		if !d.IsDir() && (strings.HasSuffix(name, ".go") || name == "go.mod" || name == "go.sum" || strings.HasPrefix(path, install)) {
			_, err := os.Stat(path)
			return err
		}
		return nil
	})
}

// ModuleRoot is the directory of aadcred's go.mod.
func ModuleRoot() (string, error) {
	out, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		return "", fmt.Errorf("go env GOMOD: %w", err)
	}
	gomod := strings.TrimSpace(string(out))
	if gomod == "" || gomod == os.DevNull {
		return "", fmt.Errorf("not inside the aadcred module")
	}
	return filepath.Dir(gomod), nil
}
