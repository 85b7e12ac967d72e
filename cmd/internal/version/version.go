// Package version says which build of aadcred a program is, for --version, status and the
// User-Agent of its requests.
package version

import (
	"runtime/debug"
	"strings"
)

// stamped is the release version, which release builds set with
// -ldflags "-X github.com/aadcred/aadcred/cmd/internal/version.stamped=v1.2.3".
// It is a variable only because the linker can set nothing else; nothing assigns it.
var stamped string

// String is the version of this program: the stamped release version; else, from the build
// information the go command records, the module version of a `go install …@v1.2.3` or the
// revision of a build from a checkout, with whether its tree was modified; else "devel".
func String() string {
	if stamped != "" {
		return stamped
	}
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "devel"
	}
	return fromBuildInfo(info)
}

// fromBuildInfo reads the version out of the go command's build information.
func fromBuildInfo(info *debug.BuildInfo) string {
	var revision, modified string
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			revision = s.Value
		case "vcs.modified":
			modified = s.Value
		}
	}
	v := info.Main.Version
	if v == "" || v == "(devel)" {
		v = "devel"
	}
	if revision == "" {
		return v
	}
	// Since Go 1.24 a checkout build's module version is a pseudo-version that already names
	// the revision, and "+dirty" when modified; older builds say "(devel)". Either way the
	// revision is said plainly, as a person compares it with git log.
	v = strings.TrimSuffix(v, "+dirty")
	if len(revision) > 12 {
		revision = revision[:12]
	}
	if modified == "true" {
		return v + " (revision " + revision + ", modified)"
	}
	return v + " (revision " + revision + ")"
}
