package dbusguard

import "os"

// The keyring's D-Bus backends exist only on Linux, so only there does the
// guard act.
func init() {
	state.original, state.hadOriginal = os.LookupEnv(envName)
	// If this fails, godbus sees the original value and behaves as it would
	// without the guard; there is nothing better to do in an init.
	state.disabled = os.Setenv(envName, disabledAddress) == nil
}
