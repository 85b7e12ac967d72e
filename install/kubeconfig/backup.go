package kubeconfig

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"time"
)

// backUp copies file beside itself under a dated name that no earlier backup has, so that the
// first conversion's backup, the one that holds the original, is never overwritten.
func backUp(file string, now time.Time) (string, error) {
	src, err := os.Open(file)
	if errors.Is(err, fs.ErrNotExist) {
		return "", fmt.Errorf("backing up the kubeconfig: %s does not exist", file)
	}
	if err != nil {
		return "", fmt.Errorf("backing up the kubeconfig: %w", err)
	}
	defer src.Close()
	stamp := now.UTC().Format("20060102T150405Z")
	for i := 0; ; i++ {
		name := fmt.Sprintf("%s.backup-%s", file, stamp)
		if i > 0 {
			name = fmt.Sprintf("%s.backup-%s-%d", file, stamp, i)
		}
		dst, err := os.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if errors.Is(err, fs.ErrExist) && i < 100 {
			continue
		}
		if err != nil {
			return "", fmt.Errorf("backing up the kubeconfig: %w", err)
		}
		if _, err := io.Copy(dst, src); err != nil {
			dst.Close()
			os.Remove(name)
			return "", fmt.Errorf("backing up the kubeconfig to %s: %w", name, err)
		}
		if err := dst.Sync(); err != nil {
			dst.Close()
			os.Remove(name)
			return "", fmt.Errorf("backing up the kubeconfig to %s: %w", name, err)
		}
		if err := dst.Close(); err != nil {
			os.Remove(name)
			return "", fmt.Errorf("backing up the kubeconfig to %s: %w", name, err)
		}
		return name, nil
	}
}
