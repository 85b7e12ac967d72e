package git

import (
	"strings"
	"testing"
)

func TestHelperValue(t *testing.T) {
	for path, want := range map[string]string{
		"/usr/local/bin/git-credential-aad":               "/usr/local/bin/git-credential-aad",
		"C:/Tools/git-credential-aad.exe":                 "C:/Tools/git-credential-aad.exe",
		"/opt/my tools/git-credential-aad":                "!'/opt/my tools/git-credential-aad'",
		"/home/o'brien/bin/git-credential-aad":            `!'/home/o'\''brien/bin/git-credential-aad'`,
		`C:\Program Files\aadcred\git-credential-aad.exe`: `!'C:/Program Files/aadcred/git-credential-aad.exe'`,
		`C:\Users\me\bin\git-credential-aad.exe`:          `C:/Users/me/bin/git-credential-aad.exe`,
		`\\server\tools\git-credential-aad.exe`:           `//server/tools/git-credential-aad.exe`,
		`/home/a\b/git-credential-aad`:                    `!'/home/a\b/git-credential-aad'`,
		"/x/$HOME/git-credential-aad":                     "!'/x/$HOME/git-credential-aad'",
	} {
		got := HelperValue(path)
		if got != want {
			t.Errorf("HelperValue(%q) = %q, want %q", path, got, want)
		}
		if !isHelper(got) {
			t.Errorf("isHelper(%q) = false for a value HelperValue wrote", got)
		}
	}
}

// TestIsHelperKnowsWindowsValues: values an earlier release wrote with backslashes, and any
// spelling of the .exe's name, are this helper's, so configure replaces and --remove removes them.
func TestIsHelperKnowsWindowsValues(t *testing.T) {
	for _, v := range []string{
		`!'C:\Program Files\aadcred\git-credential-aad.exe'`,
		`C:/Tools/GIT-CREDENTIAL-AAD.EXE`,
		`!'\\server\tools\git-credential-aad.exe'`,
	} {
		if !isHelper(v) {
			t.Errorf("isHelper(%q) = false", v)
		}
	}
}

func TestIsHelperLeavesOtherHelpersAlone(t *testing.T) {
	for _, v := range []string{
		"", "aad", "cache --timeout=300", "manager", "git-credential-aad", "!git-credential-aad",
		"/usr/bin/git-credential-manager", "/usr/bin/git-credential-aad-old", "!'/x/git-credential-aad' --debug",
		"!'/x/git-credential-aad", "!f() { /x/git-credential-aad \"$@\"; }; f",
	} {
		if isHelper(v) {
			t.Errorf("isHelper(%q) = true", v)
		}
	}
}

func TestWithoutHelper(t *testing.T) {
	h := "/bin/git-credential-aad"
	tests := []struct{ in, want []string }{
		{[]string{"", h}, nil},
		{[]string{"cache", "", h}, []string{"cache"}},
		{[]string{"", "cache", h}, []string{"", "cache"}},
		{[]string{"", "", h}, []string{""}},
		{[]string{"a", "b"}, []string{"a", "b"}},
	}
	for _, tt := range tests {
		got := withoutHelper(tt.in)
		if len(got) != len(tt.want) {
			t.Errorf("withoutHelper(%q) = %q, want %q", tt.in, got, tt.want)
			continue
		}
		for i := range got {
			if got[i] != tt.want[i] {
				t.Errorf("withoutHelper(%q) = %q, want %q", tt.in, got, tt.want)
			}
		}
	}
}

// FuzzHelperValue checks that every absolute path of the helper is written so that isHelper
// recognises it, and that the quoted form reads back as the same path.
func FuzzHelperValue(f *testing.F) {
	for _, s := range []string{"/usr/bin/git-credential-aad", "/a b/'c'/git-credential-aad", `C:\x y\git-credential-aad.exe`, "/\x00/git-credential-aad"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, path string) {
		v := HelperValue(path)
		written := path // a Windows path is written with forward slashes
		if isWindowsAbsolute(path) {
			written = strings.ReplaceAll(path, `\`, "/")
		}
		if strings.HasPrefix(v, "!") {
			back, ok := shellUnquote(v[1:])
			if !ok || back != written {
				t.Fatalf("HelperValue(%q) = %q, which reads back as %q, %v", path, v, back, ok)
			}
		} else if v != written {
			t.Fatalf("HelperValue(%q) = %q changed a safe path", path, v)
		}
		base := path[lastSep(path)+1:]
		want := isAbsolute(path) && (strings.EqualFold(base, "git-credential-aad") || strings.EqualFold(base, "git-credential-aad.exe"))
		if isHelper(v) != want {
			t.Fatalf("isHelper(HelperValue(%q)) = %v, want %v", path, !want, want)
		}
	})
}

func lastSep(s string) int {
	for i := len(s) - 1; i >= 0; i-- {
		if s[i] == '/' || s[i] == '\\' {
			return i
		}
	}
	return -1
}
