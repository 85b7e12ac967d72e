package fakeentra

import (
	"sync"
	"time"
)

// Clock is a settable clock for tests: hand its Now to Options.Now and to the clients under test
// so that both see the same time, then Advance it past an expiry.
type Clock struct {
	mu  sync.Mutex
	now time.Time
}

// NewClock starts a clock at t, or at the current second when t is zero.
func NewClock(t time.Time) *Clock {
	if t.IsZero() {
		t = time.Now().Truncate(time.Second)
	}
	return &Clock{now: t}
}

// Now is the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Advance moves the clock forward by d.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}
