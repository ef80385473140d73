package access

import (
	"math"
	"sync"
	"time"
)

// Limiter is a token bucket per key (an IP address, an account, an API
// token), kept in this process's memory. With several replicas each keeps its
// own buckets, so the limit a client meets is per replica (docs/operations.md).
// A zero Rate means no limit.
type Limiter struct {
	Rate  float64 // tokens added per second
	Burst float64 // the bucket's size: how many requests may come at once
	Now   func() time.Time
	Max   int // buckets kept at most; beyond it, full (idle) buckets are dropped

	mu      sync.Mutex
	buckets map[string]*bucket
}

type bucket struct {
	tokens float64
	at     time.Time
}

// NewLimiter allows perMinute requests a minute per key, in bursts of up to burst.
func NewLimiter(perMinute, burst int) *Limiter {
	return &Limiter{Rate: float64(perMinute) / 60, Burst: float64(burst), Now: time.Now, Max: 100_000}
}

// Allow takes a token from key's bucket. When it is empty it returns false
// and how long until a token is back (for Retry-After).
func (l *Limiter) Allow(key string) (ok bool, retryAfter time.Duration) {
	if l == nil || l.Rate <= 0 {
		return true, 0
	}
	now := l.Now()
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.buckets == nil {
		l.buckets = map[string]*bucket{}
	}
	b, found := l.buckets[key]
	if !found {
		if len(l.buckets) >= l.Max {
			l.sweep(now)
		}
		b = &bucket{tokens: l.Burst, at: now}
		l.buckets[key] = b
	}
	if elapsed := now.Sub(b.at).Seconds(); elapsed > 0 {
		b.tokens = math.Min(l.Burst, b.tokens+elapsed*l.Rate)
	}
	b.at = now
	if b.tokens >= 1 {
		b.tokens--
		return true, 0
	}
	secs := math.Max(1, math.Ceil((1-b.tokens)/l.Rate)) // whole seconds, for Retry-After
	return false, time.Duration(secs) * time.Second
}

// sweep drops the buckets that have refilled (whose keys have been quiet);
// if every bucket is busy it starts afresh rather than grow without bound.
func (l *Limiter) sweep(now time.Time) {
	for k, b := range l.buckets {
		if b.tokens+now.Sub(b.at).Seconds()*l.Rate >= l.Burst {
			delete(l.buckets, k)
		}
	}
	if len(l.buckets) >= l.Max {
		clear(l.buckets)
	}
}
