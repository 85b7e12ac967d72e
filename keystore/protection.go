package keystore

import (
	"context"
	"runtime"
)

// Protection says what protects the data key of the secrets tier.
type Protection struct {
	// Backend is the backend in force, named as in Options.Backend
	// ("secret-service", "passphrase", "file", ...).
	Backend string
	// Description says the same in words for the user, e.g.
	// "OS keyring (Secret Service)".
	Description string
	// Fallback explains why "auto" did not use a backend it prefers, e.g.
	// "not using Secret Service: not available: DBUS_SESSION_BUS_ADDRESS is not set".
	// It is empty when the preferred backend is in use or one was chosen.
	Fallback string
}

// String returns the description followed by the fallback reason, if any.
func (p Protection) String() string {
	if p.Fallback == "" {
		return p.Description
	}
	return p.Description + "; " + p.Fallback
}

// Protection reports which backend protects the data key of the secrets tier,
// resolving "auto" the way the first secrets-tier operation does. It may open
// the OS keyring and read the key, but never creates one. Call it for status
// output; the Read and Write of secrets need not.
func (s *Store) Protection(ctx context.Context) (Protection, error) {
	_, p, err := s.loadKey(ctx, false)
	return p, err
}

// keyringDescription returns the words Protection uses for an OS keyring
// backend, and false for names that are not OS keyring backends.
func keyringDescription(backend string) (string, bool) {
	switch backend {
	case "keychain":
		return "OS keyring (macOS Keychain)", true
	case "wincred":
		return "OS keyring (Windows Credential Manager)", true
	case "secret-service":
		return "OS keyring (Secret Service)", true
	case "kwallet":
		return "OS keyring (KWallet)", true
	case "pass":
		return "OS keyring (pass, the GPG password store)", true
	case "keyctl":
		return "Linux kernel keyring (keyctl user keyring; emptied at reboot)", true
	}
	return "", false
}

// platformKeyring is the OS keyring that "auto" tries first, or "" where
// there is none worth trying without being asked.
func platformKeyring() string {
	switch runtime.GOOS {
	case "darwin":
		return "keychain"
	case "windows":
		return "wincred"
	case "linux":
		return "secret-service"
	}
	return ""
}
