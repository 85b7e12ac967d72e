// Package dbusguard keeps github.com/99designs/keyring from spawning dbus-launch
// or hanging when the process starts.
//
// On Linux, that package's init functions connect to the D-Bus session bus to
// decide whether to offer the Secret Service and KWallet backends. godbus, which
// they use, runs `dbus-launch` when DBUS_SESSION_BUS_ADDRESS is unset (a new
// daemon per process on machines that have it) and waits forever on a bus that
// accepts the connection but never answers. Both happen in every process that
// links the keyring, before main, including calls that only read a cached token.
//
// This package is initialised before godbus (Go initialises packages in
// dependency order, ties broken by import path, and it imports nothing that godbus
// does not). Its init probes the session bus with a short deadline; when the
// variable is unset or the bus does not answer, it points DBUS_SESSION_BUS_ADDRESS
// at an address godbus rejects at once, so the keyring's init gives up quickly and
// offers neither backend. The importer calls [Restore] from its own init, which
// runs after the keyring's, to put the variable back for child processes.
package dbusguard

import (
	"context"
	"os"
	"time"
)

// envName is the variable godbus reads to find the session bus.
const envName = "DBUS_SESSION_BUS_ADDRESS"

// disabledAddress names a transport godbus does not implement, so it fails
// without dialling, discovering or launching anything.
const disabledAddress = "disabled:"

// probeBudget bounds the whole probe; it is paid at start-up only when the
// variable names a bus that accepts connections and then stays silent.
const probeBudget = 500 * time.Millisecond

// state records what init decided. It is written once, by init, before any other
// code of the program runs, and only read afterwards.
var state struct {
	reason      string // why the session bus is not used; "" when it answered
	original    string // DBUS_SESSION_BUS_ADDRESS as the process received it
	hadOriginal bool
	disabled    bool // init replaced the variable with disabledAddress
}

// Reason says why the session bus, and with it Secret Service and KWallet, is
// unavailable to this process, or returns "" when the bus answered the probe.
func Reason() string {
	return state.reason
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

// check decides whether the session bus named by the environment can be used:
// it returns "" if so, and otherwise a short explanation for the user.
func check(getenv func(string) string, budget time.Duration) string {
	addr := getenv(envName)
	switch {
	case addr == "":
		return envName + " is not set"
	case addr == "autolaunch:":
		return envName + " asks for autolaunch, which would start a new D-Bus daemon"
	}
	addrs, err := parseAddresses(addr)
	if err != nil {
		return envName + " is malformed: " + err.Error()
	}
	ctx, cancel := context.WithTimeout(context.Background(), budget)
	defer cancel()
	if err := probe(ctx, addrs); err != nil {
		return err.Error()
	}
	return ""
}
