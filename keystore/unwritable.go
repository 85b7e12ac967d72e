package keystore

import (
	"errors"
	"io/fs"
	"syscall"
)

// asUnwritable returns the store's UnwritableError when err is a file system's refusal to write
// (read-only, full, over quota, not permitted), and nil otherwise.
func (s *Store) asUnwritable(err error) *UnwritableError {
	var errno syscall.Errno
	if !errors.As(err, &errno) {
		return nil
	}
	if errors.Is(errno, fs.ErrPermission) || refusesWrites(errno) {
		return &UnwritableError{Dir: s.dir, Err: errno}
	}
	return nil
}
