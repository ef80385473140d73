package access

import (
	"fmt"
	"testing"
	"time"
)

func TestLimiterAllowsABurstThenRefillsAtTheRate(t *testing.T) {
	now := time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC)
	l := NewLimiter(6, 3) // one every 10 s, three at once
	l.Now = func() time.Time { return now }
	for i := range 3 {
		if ok, _ := l.Allow("203.0.113.9"); !ok {
			t.Fatalf("request %d of the burst refused", i+1)
		}
	}
	ok, retry := l.Allow("203.0.113.9")
	if ok || retry != 10*time.Second {
		t.Fatalf("fourth request: allowed %v, retry after %v; want refused, 10s", ok, retry)
	}
	if ok, _ := l.Allow("198.51.100.7"); !ok {
		t.Fatal("another key shares the bucket")
	}
	now = now.Add(10 * time.Second)
	if ok, _ := l.Allow("203.0.113.9"); !ok {
		t.Fatal("no token back after 10 s")
	}
	if ok, _ := l.Allow("203.0.113.9"); ok {
		t.Fatal("more than one token back after 10 s")
	}
}

func TestLimiterKeepsABoundedNumberOfBuckets(t *testing.T) {
	now := time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC)
	l := NewLimiter(60, 5)
	l.Now = func() time.Time { return now }
	l.Max = 100
	for i := range 1000 {
		l.Allow(fmt.Sprint("key-", i))
	}
	if n := len(l.buckets); n > 100 {
		t.Fatalf("%d buckets kept, limit 100", n)
	}
}

func TestZeroRateMeansNoLimit(t *testing.T) {
	l := NewLimiter(0, 0)
	for range 100 {
		if ok, _ := l.Allow("k"); !ok {
			t.Fatal("a limiter with no rate refused")
		}
	}
	var none *Limiter
	if ok, _ := none.Allow("k"); !ok {
		t.Fatal("a nil limiter refused")
	}
}
