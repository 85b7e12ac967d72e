package keystore

import (
	"fmt"
	"strings"
)

// maxNameLen keeps entry and lock file names well inside every file system's
// limit (255 bytes), with room for the ".lock" suffix and temporary-file decoration.
const maxNameLen = 128

// validateName checks an entry or lock name chosen by the caller. Names become
// file names, so only a portable alphabet is allowed; a leading dot is reserved
// for the store's own temporary and internal files.
func validateName(name string) error {
	if name == "" {
		return fmt.Errorf("invalid entry name: empty")
	}
	if len(name) > maxNameLen {
		return fmt.Errorf("invalid entry name: %d bytes long, the limit is %d", len(name), maxNameLen)
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_' || c == '.') {
			return fmt.Errorf("invalid entry name %q: byte %d is %q; use letters, digits, '-', '_' and '.'", name, i, c)
		}
	}
	if name[0] == '.' || name[len(name)-1] == '.' {
		return fmt.Errorf("invalid entry name %q: must not start or end with '.'", name)
	}
	if isWindowsDeviceName(name) {
		return fmt.Errorf("invalid entry name %q: reserved as a device name on Windows", name)
	}
	return nil
}

// isWindowsDeviceName reports names that Windows maps to devices whatever the
// extension, which would make a store directory non-portable.
func isWindowsDeviceName(name string) bool {
	base, _, _ := strings.Cut(name, ".")
	switch strings.ToUpper(base) {
	case "CON", "PRN", "AUX", "NUL":
		return true
	}
	if len(base) == 4 {
		prefix := strings.ToUpper(base[:3])
		if (prefix == "COM" || prefix == "LPT") && '1' <= base[3] && base[3] <= '9' {
			return true
		}
	}
	return false
}
