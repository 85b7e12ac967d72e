package git

import "strings"

// helperNames are the file names of git-credential-aad.
var helperNames = []string{"git-credential-aad", "git-credential-aad.exe"}

// HelperValue is how the helper at path is written as a credential.helper value. git runs the
// value through the shell with the action appended, so a path that the shell would split or
// interpret (a space, a quote, a '$') is written as a shell command, !'<path>'. A Windows path
// is written with forward slashes, as Git for Windows writes its own helpers' paths: its shell
// (MSYS) takes a backslash outside quotes for an escape, and git reads C:/... as absolute.
func HelperValue(path string) string {
	if isWindowsAbsolute(path) {
		path = strings.ReplaceAll(path, `\`, "/")
	}
	if strings.Trim(path, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/._+-:@,=") == "" {
		return path
	}
	return "!" + shellQuote(path)
}

// isHelper reports whether a credential.helper value is one that HelperValue wrote: an absolute
// path to git-credential-aad, bare or as a quoted shell command. A helper configured any other
// way (such as "aad", which git runs as git credential-aad) is the user's, and is left alone.
func isHelper(value string) bool {
	path := value
	if rest, ok := strings.CutPrefix(value, "!"); ok {
		unquoted, ok := shellUnquote(rest)
		if !ok {
			return false
		}
		path = unquoted
	}
	if !isAbsolute(path) {
		return false
	}
	base := path[strings.LastIndexAny(path, `/\`)+1:]
	for _, name := range helperNames {
		// Windows file names are case-insensitive.
		if strings.EqualFold(base, name) {
			return true
		}
	}
	return false
}

// withoutHelper returns values without this helper's entries and the empty entry that
// Configure put before each.
func withoutHelper(values []string) []string {
	var kept []string
	for _, v := range values {
		if isHelper(v) {
			if n := len(kept); n > 0 && kept[n-1] == "" {
				kept = kept[:n-1]
			}
			continue
		}
		kept = append(kept, v)
	}
	if len(kept) == len(values) {
		return values
	}
	return kept
}

// isAbsolute reports whether path is absolute on Unix or on Windows, whichever git this is.
func isAbsolute(path string) bool {
	return strings.HasPrefix(path, "/") || isWindowsAbsolute(path)
}

// isWindowsAbsolute reports whether path is an absolute Windows path: a drive letter and a
// separator (C:\ or C:/), or a UNC path (\\server\share).
func isWindowsAbsolute(path string) bool {
	if strings.HasPrefix(path, `\\`) {
		return true
	}
	return len(path) >= 3 && path[1] == ':' && (path[2] == '/' || path[2] == '\\') &&
		('a' <= path[0]|0x20 && path[0]|0x20 <= 'z')
}

// shellQuote quotes s for a POSIX shell.
func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// shellUnquote reverses shellQuote; it accepts nothing else.
func shellUnquote(s string) (string, bool) {
	if s == "" {
		return "", false
	}
	var b strings.Builder
	for s != "" {
		switch {
		case s[0] == '\'':
			end := strings.IndexByte(s[1:], '\'')
			if end < 0 {
				return "", false
			}
			b.WriteString(s[1 : 1+end])
			s = s[end+2:]
		case strings.HasPrefix(s, `\'`):
			b.WriteByte('\'')
			s = s[2:]
		default:
			return "", false
		}
	}
	return b.String(), true
}
