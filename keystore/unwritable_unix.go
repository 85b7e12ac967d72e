//go:build unix

package keystore

import "syscall"

// refusesWrites reports a file system that takes no more writes: read-only, full, or over quota.
func refusesWrites(errno syscall.Errno) bool {
	return errno == syscall.EROFS || errno == syscall.ENOSPC || errno == syscall.EDQUOT
}
