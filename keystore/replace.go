package keystore

import "time"

// replaceRetrying renames tmp over dst with rename, and tries again every 10 ms for up to
// patience while busy says the failure is one that passes: on Windows, another process reading
// dst for a moment. Any other failure, or one that outlasts patience, is returned.
func replaceRetrying(rename func(tmp, dst string) error, busy func(error) bool, patience time.Duration, tmp, dst string) error {
	deadline := time.Now().Add(patience)
	for {
		err := rename(tmp, dst)
		if err == nil || !busy(err) || time.Now().After(deadline) {
			return err
		}
		time.Sleep(10 * time.Millisecond)
	}
}
