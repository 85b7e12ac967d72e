// Package kubeloginlink puts a link called kubelogin beside kubectl-aad, so that kubeconfigs that
// run kubelogin (every one `az aks get-credentials` writes) run kubectl-aad instead, unchanged.
// kubectl-aad answers as kubelogin when it is run by that name.
//
// It never replaces or removes a file it did not make: a kubelogin that is not a link to
// kubectl-aad is left alone, and one found earlier on PATH is reported, since kubectl would run
// it and not the link.
package kubeloginlink

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
)

// Name is the program name kubeconfigs run.
const Name = "kubelogin"

// Link describes where the link goes and what it points at.
type Link struct {
	// Target is the kubectl-aad executable the link runs.
	Target string
	// Dir is where the link is made; empty means Target's directory.
	Dir string
	// PATH is the search path kubectl will look kubelogin up in.
	PATH string
	// GOOS decides the file name (kubelogin.exe on Windows) and how links are made; empty means
	// runtime.GOOS.
	GOOS string
	// symlink makes a symbolic link; nil means os.Symlink. On Windows, where symbolic links need
	// a privilege, a hard link is made when it fails.
	symlink func(oldname, newname string) error
}

// Report says what was done and what the person should know.
type Report struct {
	// Path is the link's path.
	Path string
	// Changed says the link was made or removed; false when it was already as asked.
	Changed bool
	// Notes are things to tell the person: another kubelogin on PATH, a directory not on PATH.
	Notes []string
}

// ErrOtherKubelogin is wrapped by errors about a kubelogin that is not kubectl-aad's link.
var ErrOtherKubelogin = errors.New("another kubelogin")

// Install makes the link. When another kubelogin comes first on PATH, kubectl would run it, so
// nothing is changed unless force is set; a kubelogin at the link's own path that is not the
// link is never replaced.
func (l Link) Install(force bool) (Report, error) {
	path, err := l.path()
	if err != nil {
		return Report{}, err
	}
	r := Report{Path: path}
	ours, exists, err := l.isOurs(path)
	if err != nil {
		return r, err
	}
	if exists && !ours {
		return r, fmt.Errorf("%w is already at %s, and it is not kubectl-aad's link: it is left alone; move it away (or uninstall it) and run this again", ErrOtherKubelogin, path)
	}
	earlier, later, onPath := l.others(path)
	if earlier != "" && !force {
		return r, fmt.Errorf("%w comes first on PATH, %s: kubectl would run it, not kubectl-aad. Nothing was changed; remove it, put %s before %s on PATH, or give --force to make the link anyway",
			ErrOtherKubelogin, earlier, filepath.Dir(path), filepath.Dir(earlier))
	}
	if !exists {
		if err := l.makeLink(path); err != nil {
			return r, fmt.Errorf("making the %s link: %w", Name, err)
		}
		r.Changed = true
	}
	switch {
	case earlier != "":
		r.Notes = append(r.Notes, fmt.Sprintf("%s comes first on PATH, so kubectl runs it, not this link, until it is removed or %s is put before it", earlier, filepath.Dir(path)))
	case !onPath:
		r.Notes = append(r.Notes, fmt.Sprintf("%s is not on PATH: kubectl finds kubelogin only on PATH", filepath.Dir(path)))
	case later != "":
		r.Notes = append(r.Notes, fmt.Sprintf("kubectl now runs this link instead of %s, which comes later on PATH", later))
	}
	return r, nil
}

// Remove deletes the link, and only the link: a kubelogin that is not kubectl-aad's is left.
func (l Link) Remove() (Report, error) {
	path, err := l.path()
	if err != nil {
		return Report{}, err
	}
	r := Report{Path: path}
	ours, exists, err := l.isOurs(path)
	switch {
	case err != nil:
		return r, err
	case !exists:
		r.Notes = append(r.Notes, "there is no kubelogin link at "+path)
		return r, nil
	case !ours:
		return r, fmt.Errorf("%w is at %s, and it is not kubectl-aad's link: it is left alone", ErrOtherKubelogin, path)
	}
	if err := os.Remove(path); err != nil {
		return r, fmt.Errorf("removing the %s link: %w", Name, err)
	}
	r.Changed = true
	return r, nil
}

func (l Link) goos() string {
	if l.GOOS != "" {
		return l.GOOS
	}
	return runtime.GOOS
}

// fileName is kubelogin's file name on l's system.
func (l Link) fileName() string {
	if l.goos() == "windows" {
		return Name + ".exe"
	}
	return Name
}

// path is where the link is: in Dir, else beside the kubectl-aad it leads to.
func (l Link) path() (string, error) {
	if l.Target == "" {
		return "", errors.New("no kubectl-aad executable to link to")
	}
	dir := l.Dir
	if dir == "" {
		dir = filepath.Dir(l.target())
	}
	return filepath.Join(dir, l.fileName()), nil
}

// target is the kubectl-aad the link leads to: the name PATH finds it by, when that is Target
// itself, else Target. A package manager (Homebrew, for one) puts a link to kubectl-aad in its
// bin directory and the file in a versioned tree of its own; the kubelogin link belongs beside
// the name on PATH, where kubectl finds it, and leading to that name it survives an upgrade.
func (l Link) target() string {
	name := filepath.Base(l.Target)
	for _, entry := range filepath.SplitList(l.PATH) {
		if entry == "" || !filepath.IsAbs(entry) {
			continue
		}
		candidate := filepath.Join(entry, name)
		if sameFile(candidate, l.Target) {
			return candidate
		}
	}
	return l.Target
}

// isOurs reports whether a file is at path and whether it is kubectl-aad: a symbolic link that
// leads to Target, or a hard link to it.
func (l Link) isOurs(path string) (ours, exists bool, err error) {
	if _, err := os.Lstat(path); errors.Is(err, fs.ErrNotExist) {
		return false, false, nil
	} else if err != nil {
		return false, true, fmt.Errorf("looking at %s: %w", path, err)
	}
	return sameFile(path, l.Target), true, nil
}

// sameFile reports whether a and b, symbolic links followed, are one file.
func sameFile(a, b string) bool {
	ai, errA := os.Stat(a)
	bi, errB := os.Stat(b)
	return errA == nil && errB == nil && os.SameFile(ai, bi)
}

// makeLink links path to the kubectl-aad it leads to: by a relative name when they share a
// directory, so that moving the directory keeps the link working.
func (l Link) makeLink(path string) error {
	target := l.target()
	if filepath.Dir(target) == filepath.Dir(path) {
		target = filepath.Base(target)
	}
	symlink := l.symlink
	if symlink == nil {
		symlink = os.Symlink
	}
	err := symlink(target, path)
	if err != nil && l.goos() == "windows" {
		// Symbolic links need a privilege on Windows; a hard link does not.
		err = os.Link(l.Target, path)
	}
	return err
}

// others finds the kubelogins on PATH other than the link at path: the first one before the
// link's directory, and the first one after it. onPath says whether the link's directory is on
// PATH at all.
func (l Link) others(path string) (earlier, later string, onPath bool) {
	dir := filepath.Clean(filepath.Dir(path))
	for _, entry := range filepath.SplitList(l.PATH) {
		if entry == "" || !filepath.IsAbs(entry) {
			continue // kubectl's lookup skips these too, as exec.LookPath does for ""
		}
		entry = filepath.Clean(entry)
		if sameDir(entry, dir, l.goos()) {
			onPath = true
			continue
		}
		candidate := filepath.Join(entry, l.fileName())
		info, err := os.Stat(candidate)
		if err != nil || info.IsDir() || (l.goos() != "windows" && info.Mode().Perm()&0o111 == 0) || sameFile(candidate, l.Target) {
			continue
		}
		if !onPath && earlier == "" {
			earlier = candidate
		} else if onPath && later == "" {
			later = candidate
		}
	}
	return earlier, later, onPath
}

// sameDir compares directories as the system does: without case on Windows.
func sameDir(a, b, goos string) bool {
	if goos == "windows" {
		return strings.EqualFold(a, b)
	}
	return a == b
}
