package azurecli

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
)

// path finds the program's executable: Path when set, else the first one in PATH. Relative PATH
// entries are skipped: they would run whatever sits in the current directory.
func (r *Runner) path(p program) (string, error) {
	if r.Path != "" {
		return r.Path, nil
	}
	for _, dir := range filepath.SplitList(r.getenv("PATH")) {
		if !filepath.IsAbs(dir) {
			continue
		}
		for _, name := range p.names() {
			if path := filepath.Join(dir, name); isExecutable(path) {
				return path, nil
			}
		}
	}
	return "", fmt.Errorf("%w on PATH; install it or choose another method", p.notInstalled)
}

func isExecutable(path string) bool {
	info, err := os.Stat(path)
	if err != nil || !info.Mode().IsRegular() {
		return false
	}
	return runtime.GOOS == "windows" || info.Mode().Perm()&0o111 != 0
}
