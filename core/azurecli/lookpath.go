package azurecli

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
)

// azPath finds the az executable: Path when set, else the first az in PATH. Relative PATH entries
// are skipped: they would run whatever az sits in the current directory.
func (r *Runner) azPath() (string, error) {
	if r.Path != "" {
		return r.Path, nil
	}
	names := []string{"az"}
	if runtime.GOOS == "windows" {
		names = []string{"az.cmd", "az.exe"}
	}
	for _, dir := range filepath.SplitList(r.getenv("PATH")) {
		if !filepath.IsAbs(dir) {
			continue
		}
		for _, name := range names {
			if p := filepath.Join(dir, name); isExecutable(p) {
				return p, nil
			}
		}
	}
	return "", fmt.Errorf("%w on PATH; install it or choose another method", ErrNotInstalled)
}

func isExecutable(path string) bool {
	info, err := os.Stat(path)
	if err != nil || !info.Mode().IsRegular() {
		return false
	}
	return runtime.GOOS == "windows" || info.Mode().Perm()&0o111 != 0
}
