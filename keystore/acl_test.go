package keystore

import (
	"errors"
	"strings"
	"testing"
)

const (
	alice         = "S-1-5-21-1004336348-1177238915-682003330-1001"
	bob           = "S-1-5-21-1004336348-1177238915-682003330-1002"
	sidUsers      = "S-1-5-32-545"
	sidEveryone   = "S-1-1-0"
	sidAuthUsers  = "S-1-5-11"
	storeDirPath  = `C:\Users\alice\AppData\Local\aadcred`
	storeFilePath = `C:\Users\alice\AppData\Local\aadcred\secrets\t1`
)

func allow(sid string) aclEntry { return aclEntry{kind: aceAllow, sid: sid} }
func deny(sid string) aclEntry  { return aclEntry{kind: aceDeny, sid: sid, typ: 1} }

func TestCheckACLAccepts(t *testing.T) {
	for name, tc := range map[string]struct {
		owner string
		dacl  []aclEntry
	}{
		"owner-only, as aadcred makes it": {alice, []aclEntry{allow(alice)}},
		"inherited from LocalAppData":     {alice, []aclEntry{allow(sidSystem), allow(sidAdministrators), allow(alice)}},
		"made by an elevated prompt":      {sidAdministrators, []aclEntry{allow(alice)}},
		"a deny entry for everyone else":  {alice, []aclEntry{deny(sidEveryone), allow(alice)}},
		"creator owner and owner rights":  {alice, []aclEntry{allow(alice), allow(sidCreatorOwner), allow(sidOwnerRights)}},
	} {
		if err := checkACL(storeDirPath, true, tc.owner, alice, tc.dacl); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func TestCheckACLRefuses(t *testing.T) {
	for name, tc := range map[string]struct {
		owner  string
		dacl   []aclEntry
		isDir  bool
		reason string
		fix    string
	}{
		"Users may read": {alice, []aclEntry{allow(alice), allow(sidUsers)}, true,
			"lets others in (" + sidUsers + ")",
			`icacls "` + storeDirPath + `" /inheritance:r /grant:r *` + alice + `:(OI)(CI)F /remove *` + sidUsers},
		"Everyone and Authenticated Users": {alice, []aclEntry{allow(sidEveryone), allow(alice), allow(sidAuthUsers)}, false,
			"lets others in (" + sidEveryone + ", " + sidAuthUsers + ")",
			`icacls "` + storeFilePath + `" /inheritance:r /grant:r *` + alice + `:F /remove *` + sidEveryone + ` /remove *` + sidAuthUsers},
		"another user": {alice, []aclEntry{allow(alice), allow(bob)}, false, bob, "/remove *" + bob},
		"no list":      {alice, nil, false, "no access control list, so everyone", `/grant:r *` + alice + `:F`},
		"an entry of a kind not read": {alice, []aclEntry{allow(alice), {kind: aceOther, typ: 9}}, false,
			"an entry of type 9", "/inheritance:r"},
		"owned by another user": {bob, []aclEntry{allow(alice)}, true,
			"it belongs to " + bob + ", not to you (" + alice + ")", `icacls "` + storeDirPath + `" /setowner *` + alice},
	} {
		path := storeFilePath
		if tc.isDir {
			path = storeDirPath
		}
		err := checkACL(path, tc.isDir, tc.owner, alice, tc.dacl)
		var insecure *InsecureError
		if !errors.As(err, &insecure) {
			t.Errorf("%s: got %v, want an InsecureError", name, err)
			continue
		}
		msg := err.Error()
		if !strings.HasPrefix(msg, "refusing to use "+path+": ") || !strings.Contains(msg, tc.reason) || !strings.Contains(msg, "; fix with: "+insecure.Fix) || !strings.Contains(insecure.Fix, tc.fix) {
			t.Errorf("%s: error %q; want it to say %q and fix with %q", name, msg, tc.reason, tc.fix)
		}
	}
}

// TestOwnerOnlySDDL reads the descriptor the store's directories are made
// with as Windows does, and checks what it means: owned by the user, nothing
// inherited from the parent (P), and one entry, granting the user full access
// (FA) and inherited by files (OI) and directories (CI) made inside, which the
// store's own check then accepts.
func TestOwnerOnlySDDL(t *testing.T) {
	sddl := ownerOnlySDDL(alice)
	owner, rest, ok := strings.Cut(strings.TrimPrefix(sddl, "O:"), "D:")
	if !ok || owner != alice {
		t.Fatalf("%s: owner %q, want %s", sddl, owner, alice)
	}
	flags, aces, _ := strings.Cut(rest, "(")
	if flags != "P" {
		t.Errorf("%s: DACL flags %q, want P (protected: nothing inherited)", sddl, flags)
	}
	var dacl []aclEntry
	for ace := range strings.SplitSeq(strings.TrimSuffix(aces, ")"), ")(") {
		// type;flags;rights;object;inherited object;SID
		f := strings.Split(ace, ";")
		if len(f) != 6 || f[0] != "A" || f[2] != "FA" || !strings.Contains(f[1], "OI") || !strings.Contains(f[1], "CI") {
			t.Errorf("%s: entry %q, want one that allows full access, inherited by files and directories", sddl, ace)
			continue
		}
		dacl = append(dacl, allow(f[5]))
	}
	if len(dacl) != 1 || dacl[0].sid != alice {
		t.Errorf("%s: entries for %v, want one for %s", sddl, dacl, alice)
	}
	if err := checkACL(storeDirPath, true, owner, alice, dacl); err != nil {
		t.Errorf("the store refuses its own descriptor: %v", err)
	}
}

func TestDescribeACL(t *testing.T) {
	sddl := "D:P(A;OICI;FA;;;" + alice + ")"
	if got := describeACL(sddl, []aclEntry{allow(alice)}, alice); got != "owner-only DACL "+sddl+" (you alone)" {
		t.Errorf("describeACL of the owner-only list = %q", got)
	}
	if got := describeACL("D:NO_ACCESS_CONTROL", nil, alice); got != "no DACL (everyone)" {
		t.Errorf("describeACL of a directory without a list = %q", got)
	}
	inherited := "D:AI(A;OICIID;FA;;;SY)(A;OICIID;FA;;;BA)(A;OICIID;FA;;;" + alice + ")"
	got := describeACL(inherited, []aclEntry{allow(sidSystem), allow(sidAdministrators), allow(alice)}, alice)
	if !strings.HasPrefix(got, "DACL "+inherited) || !strings.Contains(got, "accounts that can read every file") {
		t.Errorf("describeACL of an inherited list = %q", got)
	}
}
