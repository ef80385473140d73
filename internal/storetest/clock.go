package storetest

import (
	"sync"
	"time"
)

// Start is where test clocks begin: a Tuesday morning in March 2026, on a
// whole second so that both stores keep it exactly.
var Start = time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC)

// Clock is a fake clock for the procedure's time limits: it moves only when a
// test moves it, so nothing ever sleeps. Safe for concurrent use.
type Clock struct {
	mu  sync.Mutex
	now time.Time
}

// NewClock returns a clock stopped at t.
func NewClock(t time.Time) *Clock { return &Clock{now: t} }

// Now is the clock's time; pass the method value as a use case's clock.
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

// Set moves the clock to t.
func (c *Clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = t
}
