package keystore

import (
	"fmt"
	"strings"
)

// The logic of Windows access control lists, kept apart from the system calls
// (perm_windows.go) so that it runs in the tests of every platform.

// Well-known SIDs that may hold a store's files without making them less
// private: the system and the administrators can read any file anyway, and the
// creator-owner and owner-rights entries stand for the owner.
const (
	sidSystem         = "S-1-5-18"
	sidAdministrators = "S-1-5-32-544"
	sidCreatorOwner   = "S-1-3-0"
	sidOwnerRights    = "S-1-3-4"
)

// aceKind is what an access control entry does.
type aceKind int

const (
	aceAllow aceKind = iota
	aceDeny
	aceOther // object, callback and other entries, which are not read
)

// aclEntry is one access control entry, as checkACL needs it.
type aclEntry struct {
	kind aceKind
	sid  string // "S-1-5-21-…"; empty for aceOther
	typ  uint8  // the entry's type, for messages
}

// ownerOnlySDDL is the security descriptor of the store's directories: owned by
// the user, a protected list (nothing inherited from the parent) with one entry
// granting the user full access, inherited by every file and directory made
// inside.
func ownerOnlySDDL(user string) string {
	return "O:" + user + "D:P(A;OICI;FA;;;" + user + ")"
}

// mayHold reports whether sid may own, or be granted access to, a store file
// of user.
func mayHold(sid, user string) bool {
	switch sid {
	case user, sidSystem, sidAdministrators:
		return true
	}
	return false
}

// checkACL refuses a store file or directory (path) that user does not own,
// or whose access control list lets anyone in but user (and those who can read
// every file anyway). dacl is nil for a file without a list, which everyone may
// access.
func checkACL(path string, isDir bool, owner, user string, dacl []aclEntry) error {
	if !mayHold(owner, user) {
		return &InsecureError{Path: path, Owner: -1, User: -1,
			Reason: fmt.Sprintf("it belongs to %s, not to you (%s)", owner, user),
			Fix:    fmt.Sprintf(`icacls "%s" /setowner *%s`, path, user)}
	}
	if dacl == nil {
		return &InsecureError{Path: path, Owner: -1, User: -1,
			Reason: "it has no access control list, so everyone can access it",
			Fix:    icaclsFix(path, isDir, user, nil)}
	}
	var others []string
	var unknown []string
	for _, e := range dacl {
		switch {
		case e.kind == aceDeny:
		case e.kind == aceOther:
			unknown = append(unknown, fmt.Sprintf("an entry of type %d", e.typ))
		case !mayHold(e.sid, user) && e.sid != sidCreatorOwner && e.sid != sidOwnerRights:
			others = append(others, e.sid)
		}
	}
	if len(others)+len(unknown) == 0 {
		return nil
	}
	return &InsecureError{Path: path, Owner: -1, User: -1,
		Reason: "its access control list lets others in (" + strings.Join(append(others, unknown...), ", ") + ")",
		Fix:    icaclsFix(path, isDir, user, others)}
}

// icaclsFix is the command that gives path the owner-only list: nothing
// inherited, full access for user, the others' entries removed.
func icaclsFix(path string, isDir bool, user string, others []string) string {
	grant := "*" + user + ":F"
	if isDir {
		grant = "*" + user + ":(OI)(CI)F"
	}
	cmd := fmt.Sprintf(`icacls "%s" /inheritance:r /grant:r %s`, path, grant)
	for _, sid := range others {
		cmd += " /remove *" + sid
	}
	return cmd
}

// describeACL says who can access the store, for status: the list in SDDL,
// and whether it is the owner-only one. dacl is nil for a directory without a
// list.
func describeACL(sddl string, dacl []aclEntry, user string) string {
	if dacl == nil {
		return "no DACL (everyone)"
	}
	for _, e := range dacl {
		if e.kind != aceDeny && e.sid != user {
			return "DACL " + sddl + " (you, and accounts that can read every file)"
		}
	}
	return "owner-only DACL " + sddl + " (you alone)"
}
