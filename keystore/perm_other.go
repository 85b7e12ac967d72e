//go:build !unix && !windows

package keystore

import (
	"io/fs"
	"os"
)

// checkPrivate accepts everything on systems that are neither Unix nor Windows
// (Plan 9, WebAssembly), which have no notion aadcred checks.
func checkPrivate(path string, fi fs.FileInfo, uid int) error { return nil }

// makePrivateDir creates dir and its parents.
func makePrivateDir(dir string) error { return os.MkdirAll(dir, 0o700) }

// describeAccess says nothing is checked.
func describeAccess(dir string, uid int) (string, error) {
	return "not checked on this system", nil
}

// replaceFile renames tmp over dst.
func replaceFile(tmp, dst string) error { return os.Rename(tmp, dst) }

// syncDir is a no-op.
func syncDir(dir string) error { return nil }
