//go:build !unix

package keystore

import (
	"io/fs"
	"os"
)

// openNoFollow opens a store file for reading unless it is a symbolic link. Without O_NOFOLLOW
// the check comes before the open, which leaves a window that a link made in between slips
// through; the store's directory is the user's own, so only the user could make one.
func openNoFollow(path string) (*os.File, error) {
	if fi, err := os.Lstat(path); err == nil && fi.Mode()&fs.ModeSymlink != 0 {
		return nil, &fs.PathError{Op: "open", Path: path, Err: errLink}
	}
	return os.Open(path)
}
