package keystore

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
)

// tempFile is the part of *os.File that writeAtomic uses; tests substitute a
// file that fails the way a full disk does.
type tempFile interface {
	io.Writer
	Sync() error
	Close() error
	Name() string
}

// tempPrefix starts every temporary file name. Entry names cannot start with a
// dot, so temporary files never collide with entries and List skips them.
const tempPrefix = ".tmp-"

// errTooLarge marks a file bigger than any entry the store writes.
var errTooLarge = errors.New("larger than any entry the store writes")

// errLink marks a symbolic link where a store file belongs. The store never makes one, and
// never follows one: its target could be anything, a named pipe whose opening never returns, or
// someone else's file.
var errLink = errors.New("it is a symbolic link, which the store never follows")

// readPrivateFile reads a whole file after checking, on the open descriptor,
// that it is a regular file only the user can access. fi describes the file
// that was read, for removing exactly that file later; for errLink and
// errTooLarge, it describes the link or the file found.
func readPrivateFile(path string, uid int, limit int64) (data []byte, fi fs.FileInfo, err error) {
	f, err := openNoFollow(path)
	if err != nil {
		if link, lerr := os.Lstat(path); lerr == nil && link.Mode()&fs.ModeSymlink != 0 {
			return nil, link, errLink
		}
		return nil, nil, err
	}
	defer f.Close()
	fi, err = f.Stat()
	if err != nil {
		return nil, nil, err
	}
	if !fi.Mode().IsRegular() {
		return nil, nil, fmt.Errorf("%s is not a regular file", path)
	}
	if err := checkPrivate(path, fi, uid); err != nil {
		return nil, nil, err
	}
	if fi.Size() > limit {
		return nil, fi, errTooLarge
	}
	data = make([]byte, fi.Size())
	if _, err := io.ReadFull(f, data); err != nil {
		return nil, nil, fmt.Errorf("reading %s: %w", path, err)
	}
	return data, fi, nil
}

// writeAtomic replaces dir/name with data: a reader, or a process that is
// killed, sees the old content or the new one, never a mixture. On failure the
// old content is left in place and no temporary file remains.
func (s *Store) writeAtomic(dir, name string, data []byte) (err error) {
	f, err := s.createTemp(dir, tempPrefix+name+"-*")
	if err != nil {
		return fmt.Errorf("creating temporary file: %w", err)
	}
	tmp := f.Name()
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(tmp)
		}
	}()
	if _, err := f.Write(data); err != nil {
		return fmt.Errorf("writing temporary file: %w", err)
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("syncing temporary file: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("closing temporary file: %w", err)
	}
	if err := replaceFile(tmp, filepath.Join(dir, name)); err != nil {
		return fmt.Errorf("renaming temporary file into place: %w", err)
	}
	// The entry is in place and readable. A failed directory sync only means
	// the rename might not survive a power cut, so it does not fail the write.
	_ = syncDir(dir)
	return nil
}

// createTempFile is the production createTemp: os.CreateTemp makes the file
// with mode 0600, so it is private from the first byte whatever the umask.
func createTempFile(dir, pattern string) (tempFile, error) {
	return os.CreateTemp(dir, pattern)
}
