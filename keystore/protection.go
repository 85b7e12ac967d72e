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
	// Once a store has a data key, "auto" keeps to the backend that holds
	// it, and Fallback says so when that is not the preferred one.
	Fallback string
	// Unavailable says why the data key cannot be used now, e.g. because
	// Backend cannot be reached; it is empty when it can.
	Unavailable string
}

// String returns the description followed by the fallback reason and why the
// key cannot be used, if there are any.
func (p Protection) String() string {
	s := p.Description
	if p.Fallback != "" {
		s += "; " + p.Fallback
	}
	if p.Unavailable != "" {
		s += "; cannot be used now: " + p.Unavailable
	}
	return s
}

// Protection reports which backend protects the data key of the secrets tier,
// resolving "auto" the way the first secrets-tier operation does: the backend
// recorded as holding the key, if there is one. It may open the OS keyring and
// read the key, but never creates one. Call it for status output; the Read and
// Write of secrets need not.
//
// When the key cannot be used now, the error matches ErrKeyUnavailable and the
// Protection still names the backend, with the reason in Unavailable.
func (s *Store) Protection(ctx context.Context) (Protection, error) {
	_, p, err := s.loadKey(ctx, false)
	return p, err
}

// keyringDescription returns the words Protection uses for an OS keyring
// backend, and false for names that are not OS keyring backends.
func keyringDescription(backend string) (string, bool) {
	title, ok := keyringTitle(backend)
	switch {
	case !ok:
		return "", false
	case backend == "keychain":
		return "macOS Keychain (login)", true
	case backend == "keyctl":
		return "Linux kernel keyring (keyctl user keyring; emptied at reboot)", true
	}
	return "OS keyring (" + title + ")", true
}

// keyringTitle names an OS keyring backend in messages, and returns false for
// names that are not OS keyring backends.
func keyringTitle(backend string) (string, bool) {
	switch backend {
	case "keychain":
		return "macOS Keychain", true
	case "wincred":
		return "Windows Credential Manager", true
	case "secret-service":
		return "Secret Service", true
	case "kwallet":
		return "KWallet", true
	case "pass":
		return "pass, the GPG password store", true
	case "keyctl":
		return "Linux kernel keyring", true
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
