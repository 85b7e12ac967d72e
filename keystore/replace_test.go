package keystore

import (
	"errors"
	"testing"
	"time"
)

// TestReplaceRetryingWaitsOutABusyFile drives the Windows rename's retries: a file held open
// for a moment is replaced once it is let go; any other failure, or a file held too long, is
// reported.
func TestReplaceRetryingWaitsOutABusyFile(t *testing.T) {
	errBusy, errOther := errors.New("in use by another process"), errors.New("no such directory")
	busy := func(err error) bool { return errors.Is(err, errBusy) }
	// renameFailing fails with err n times, then succeeds; calls counts its calls.
	renameFailing := func(n int, err error, calls *int) func(string, string) error {
		return func(tmp, dst string) error {
			if tmp != "tmp" || dst != "dst" {
				t.Fatalf("rename(%q, %q)", tmp, dst)
			}
			*calls++
			if *calls <= n {
				return err
			}
			return nil
		}
	}
	for _, tc := range []struct {
		name      string
		failures  int
		err       error
		patience  time.Duration
		want      error
		wantCalls int
	}{
		{"free at once", 0, nil, time.Second, nil, 1},
		{"busy for a moment", 3, errBusy, time.Second, nil, 4},
		{"another failure", 3, errOther, time.Second, errOther, 1},
		{"busy too long", 1000, errBusy, 30 * time.Millisecond, errBusy, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			calls := 0
			err := replaceRetrying(renameFailing(tc.failures, tc.err, &calls), busy, tc.patience, "tmp", "dst")
			if !errors.Is(err, tc.want) || tc.want == nil && err != nil {
				t.Errorf("replaceRetrying = %v, want %v", err, tc.want)
			}
			if tc.wantCalls > 0 && calls != tc.wantCalls {
				t.Errorf("%d renames, want %d", calls, tc.wantCalls)
			}
			if tc.wantCalls == 0 && (calls < 2 || calls >= tc.failures) {
				t.Errorf("%d renames in %v of a file held too long, want a few and then the error", calls, tc.patience)
			}
		})
	}
}
