//go:build !unix && !windows

package keystore

import "syscall"

// refusesWrites reports a file system that takes no more writes; elsewhere only a refused
// permission says so.
func refusesWrites(syscall.Errno) bool { return false }
