package keystore

import (
	"syscall"

	"golang.org/x/sys/windows"
)

// refusesWrites reports a volume that takes no more writes: write-protected, full, or over
// quota. Windows says so with codes of its own; os does not map them to EROFS or ENOSPC.
func refusesWrites(errno syscall.Errno) bool {
	switch errno {
	case windows.ERROR_WRITE_PROTECT, windows.ERROR_DISK_FULL, windows.ERROR_HANDLE_DISK_FULL, windows.ERROR_DISK_QUOTA_EXCEEDED:
		return true
	}
	return false
}
