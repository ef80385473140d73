package access

import (
	"context"
	"sync/atomic"
	"time"
)

// HashTime adds up the time one request spent on password hashes: waiting
// for a hash slot and deriving the key (idKey). The request's log line says
// it, and, when serve runs with --server-timing-hash, its answer's
// Server-Timing header (internal/web), so a load run can time a sign-in
// without the hash it is built to take (issue 10: the sign-in target leaves
// the deliberate hash out).
type HashTime struct{ ns atomic.Int64 }

type hashTimeKey struct{}

// WithHashTime returns a context under which every password hash adds its
// time to the HashTime returned.
func WithHashTime(ctx context.Context) (context.Context, *HashTime) {
	h := &HashTime{}
	return context.WithValue(ctx, hashTimeKey{}, h), h
}

// Duration is the time added so far; 0 when no hash ran.
func (h *HashTime) Duration() time.Duration {
	if h == nil {
		return 0
	}
	return time.Duration(h.ns.Load())
}

// hashStarted notes the start of a hash under ctx; the function it returns
// adds the time since to ctx's HashTime, if it has one.
func hashStarted(ctx context.Context) func() {
	h, _ := ctx.Value(hashTimeKey{}).(*HashTime)
	if h == nil {
		return func() {}
	}
	t0 := hashClock()
	return func() { h.ns.Add(int64(max(hashClock().Sub(t0), time.Nanosecond))) }
}

// hashClock is time.Now (a test moves it on while a check waits for a slot).
var hashClock = time.Now
