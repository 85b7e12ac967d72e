package core

import (
	"testing"
	"time"
)

// TestRefreshMarginSpread checks the margin a token is renewed ahead of its expiry: between 5
// and 15 minutes and spread over that range, so that a fleet started together does not renew
// together; never more than half a short token's life.
func TestRefreshMarginSpread(t *testing.T) {
	minutes := map[time.Duration]bool{}
	for range 1000 {
		m := refreshMargin(time.Hour)
		if m < 5*time.Minute || m >= 15*time.Minute {
			t.Fatalf("margin %s for an hour's token is outside 5 to 15 minutes", m)
		}
		minutes[m.Truncate(time.Minute)] = true
	}
	if len(minutes) < 9 {
		t.Errorf("1000 margins fell in %d of the 10 minutes", len(minutes))
	}
	for lifetime, want := range map[time.Duration]time.Duration{4 * time.Minute: 2 * time.Minute, 0: 0, -time.Minute: 0} {
		if got := refreshMargin(lifetime); got != want {
			t.Errorf("margin for a %s token = %s, want %s", lifetime, got, want)
		}
	}
}
