//go:build unix

package keystore

import "syscall"

func isQuotaExceeded(errno syscall.Errno) bool { return errno == syscall.EDQUOT }
