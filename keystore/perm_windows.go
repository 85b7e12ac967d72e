package keystore

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"
	"unsafe"

	"golang.org/x/sys/windows"
)

// On Windows, mode bits mean little: who may open a file is decided by its
// access control list. The store's directories are made with an owner-only,
// protected list that every file made inside inherits, and each directory and
// file is checked against it when it is used. The rules are in acl.go.

// currentUser returns the SID of the user this process runs as.
func currentUser() (string, error) {
	tu, err := windows.GetCurrentProcessToken().GetTokenUser()
	if err != nil {
		return "", fmt.Errorf("finding who this process runs as: %w", err)
	}
	return tu.User.Sid.String(), nil
}

// checkPrivate refuses a store directory or file that another user owns, or
// that its access control list lets others into. uid is unused: Windows users
// are told apart by SID.
func checkPrivate(path string, fi fs.FileInfo, uid int) error {
	user, err := currentUser()
	if err != nil {
		return err
	}
	owner, dacl, err := readACL(path)
	if err != nil {
		return err
	}
	return checkACL(path, fi.IsDir(), owner, user, dacl)
}

// readACL returns the owner and the access control list (nil when there is none).
func readACL(path string) (owner string, dacl []aclEntry, err error) {
	sd, err := windows.GetNamedSecurityInfo(path, windows.SE_FILE_OBJECT,
		windows.OWNER_SECURITY_INFORMATION|windows.DACL_SECURITY_INFORMATION)
	if err != nil {
		return "", nil, fmt.Errorf("reading the access control list of %s: %w", path, err)
	}
	sid, _, err := sd.Owner()
	if err != nil {
		return "", nil, fmt.Errorf("reading the owner of %s: %w", path, err)
	}
	if dacl, err = aclEntries(sd); err != nil {
		return "", nil, fmt.Errorf("reading the access control list of %s: %w", path, err)
	}
	return sid.String(), dacl, nil
}

// aclEntries returns the entries of sd's access control list, or nil when it
// has none (a missing or NULL list, which lets everyone in).
func aclEntries(sd *windows.SECURITY_DESCRIPTOR) ([]aclEntry, error) {
	acl, _, err := sd.DACL()
	switch {
	case errors.Is(err, windows.ERROR_OBJECT_NOT_FOUND):
		return nil, nil
	case err != nil:
		return nil, err
	case acl == nil:
		return nil, nil
	}
	dacl := make([]aclEntry, 0, acl.AceCount)
	for i := range uint32(acl.AceCount) {
		var ace *windows.ACCESS_ALLOWED_ACE
		if err := windows.GetAce(acl, i, &ace); err != nil {
			return nil, err
		}
		e := aclEntry{kind: aceOther, typ: ace.Header.AceType}
		switch ace.Header.AceType {
		case windows.ACCESS_ALLOWED_ACE_TYPE, windows.ACCESS_DENIED_ACE_TYPE:
			// Both start with the header and mask, then the SID.
			e.sid = (*windows.SID)(unsafe.Pointer(&ace.SidStart)).String()
			e.kind = aceAllow
			if ace.Header.AceType == windows.ACCESS_DENIED_ACE_TYPE {
				e.kind = aceDeny
			}
		}
		dacl = append(dacl, e)
	}
	return dacl, nil
}

// makePrivateDir creates dir (and any missing parents) with the owner-only
// list, set as the directory is created so that it is never open to others.
func makePrivateDir(dir string) error {
	if err := os.MkdirAll(filepath.Dir(dir), 0o700); err != nil {
		return err
	}
	user, err := currentUser()
	if err != nil {
		return err
	}
	sd, err := windows.SecurityDescriptorFromString(ownerOnlySDDL(user))
	if err != nil {
		return fmt.Errorf("making the owner-only access control list: %w", err)
	}
	sa := windows.SecurityAttributes{SecurityDescriptor: sd}
	sa.Length = uint32(unsafe.Sizeof(sa))
	name, err := windows.UTF16PtrFromString(dir)
	if err != nil {
		return err
	}
	if err := windows.CreateDirectory(name, &sa); err != nil && !errors.Is(err, windows.ERROR_ALREADY_EXISTS) {
		return &os.PathError{Op: "mkdir", Path: dir, Err: err}
	}
	return nil
}

// describeAccess says who can open the store's files, for status.
func describeAccess(dir string, uid int) (string, error) {
	user, err := currentUser()
	if err != nil {
		return "", err
	}
	sd, err := windows.GetNamedSecurityInfo(dir, windows.SE_FILE_OBJECT, windows.DACL_SECURITY_INFORMATION)
	if err != nil {
		return "", fmt.Errorf("reading the access control list of %s: %w", dir, err)
	}
	dacl, err := aclEntries(sd)
	if err != nil {
		return "", fmt.Errorf("reading the access control list of %s: %w", dir, err)
	}
	return describeACL(sd.String(), dacl, user), nil
}

// replaceFile renames tmp over dst. Windows refuses to replace a file that
// another process has open without FILE_SHARE_DELETE, which is how Go opens
// files: a reader of the old entry holds it for a moment, so the rename is
// retried for up to a second.
func replaceFile(tmp, dst string) error {
	return replaceRetrying(os.Rename, func(err error) bool {
		return errors.Is(err, windows.ERROR_ACCESS_DENIED) || errors.Is(err, windows.ERROR_SHARING_VIOLATION)
	}, time.Second, tmp, dst)
}

// syncDir is a no-op on Windows: directories cannot be opened for syncing, and
// NTFS makes a rename durable by itself.
func syncDir(dir string) error { return nil }
