// Package dbusguard keeps github.com/99designs/keyring from touching the D-Bus
// session bus while the process starts.
//
// On Linux, that package's init functions connect to the session bus to decide
// whether to offer its Secret Service and KWallet backends: about a millisecond
// in every process on a desktop, dbus-launch spawned where
// DBUS_SESSION_BUS_ADDRESS is unset, and a hang on a bus that accepts the
// connection but never answers. aadcred reaches those two keyrings through its
// own client (keystore/internal/dbuskeyring), which connects only when a secret
// must be read or written, so the library's backends are never wanted.
//
// This package is initialised before godbus (Go initialises packages in
// dependency order, ties broken by import path, and it imports nothing that
// godbus does not). Its init points DBUS_SESSION_BUS_ADDRESS at an address godbus
// rejects at once, without dialling, discovering or launching anything, so the
// library's init offers neither backend and costs nothing. The importer calls
// [Restore] from its own init, which runs after the library's, to put the
// variable back for aadcred's own client and for child processes.
package dbusguard

import "os"

// envName is the variable godbus reads to find the session bus.
const envName = "DBUS_SESSION_BUS_ADDRESS"

// disabledAddress names a transport godbus does not implement, so it fails
// without dialling, discovering or launching anything.
const disabledAddress = "disabled:"

// state records what init did. It is written once, by init, before any other
// code of the program runs, and only read afterwards.
var state struct {
	original    string // DBUS_SESSION_BUS_ADDRESS as the process received it
	hadOriginal bool
	disabled    bool // init replaced the variable with disabledAddress
}

// Restore puts DBUS_SESSION_BUS_ADDRESS back as the process received it.
// Call it after github.com/99designs/keyring is initialised (from the init of
// a package that imports it); calling it again is harmless.
func Restore() error {
	if !state.disabled {
		return nil
	}
	if state.hadOriginal {
		return os.Setenv(envName, state.original)
	}
	return os.Unsetenv(envName)
}
