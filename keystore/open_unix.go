//go:build unix

package keystore

import (
	"os"
	"syscall"
)

// openNoFollow opens a store file for reading, safely whatever is in its place: a symbolic link
// is not followed, and a named pipe does not block the open until a writer comes.
func openNoFollow(path string) (*os.File, error) {
	return os.OpenFile(path, os.O_RDONLY|syscall.O_NOFOLLOW|syscall.O_NONBLOCK, 0)
}
