//go:build !unix

package keystore

import "io/fs"

// checkPrivate accepts everything outside Unix. On Windows permission bits mean
// nothing, and the store lives under %LOCALAPPDATA%, whose inherited ACL already
// limits it to the user (and administrators).
func checkPrivate(path string, fi fs.FileInfo, uid int) error { return nil }

// syncDir is a no-op outside Unix: Windows cannot open directories for
// syncing and a rename is made durable by the file system itself.
func syncDir(dir string) error { return nil }
