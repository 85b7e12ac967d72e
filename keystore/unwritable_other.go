//go:build !unix

package keystore

import "syscall"

// isQuotaExceeded reports a disk quota; Windows reports one as ERROR_DISK_FULL, which os maps to
// ENOSPC already.
func isQuotaExceeded(syscall.Errno) bool { return false }
