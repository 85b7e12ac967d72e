//go:build unix

package keystore

import (
	"fmt"
	"io/fs"
	"os"
	"syscall"
)

// checkPrivate refuses a store directory or file that group or others can
// access, or that belongs to another user: either would let someone else read
// the credentials or plant their own.
func checkPrivate(path string, fi fs.FileInfo, uid int) error {
	if st, ok := fi.Sys().(*syscall.Stat_t); ok && int(st.Uid) != uid {
		return &InsecureError{Path: path, Mode: fi.Mode(), Owner: int(st.Uid), User: uid}
	}
	if fi.Mode().Perm()&0o077 != 0 {
		return &InsecureError{Path: path, Mode: fi.Mode(), Owner: -1, User: uid}
	}
	return nil
}

// makePrivateDir creates dir, and any missing parents, with mode 0700. Parents
// hold nothing of ours (a fresh ~/.cache), but there is no reason to make them
// wider than the store itself.
func makePrivateDir(dir string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	// MkdirAll's mode is filtered by the umask; set it exactly.
	return os.Chmod(dir, 0o700)
}

// describeAccess says who can open the store's files, for status.
func describeAccess(dir string, uid int) (string, error) {
	fi, err := os.Stat(dir)
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("directory mode %04o, files 0600, owner uid %d (you alone)", fi.Mode().Perm(), uid), nil
}

// replaceFile renames tmp over dst, atomically.
func replaceFile(tmp, dst string) error { return os.Rename(tmp, dst) }

// syncDir makes a rename or create in dir durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("opening directory to sync it: %w", err)
	}
	err = d.Sync()
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("syncing directory %s: %w", dir, err)
	}
	return nil
}
