package main

import (
	"bytes"
	"context"
	"log/slog"
	"math"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"waymark/internal/access"
	"waymark/internal/store"
)

// serve gives the heap a soft limit sized to the password hashes that may
// run at once and what it holds besides, so that an idle server does not
// keep twice the last hashes' memory; a GOMEMLIMIT the operator set is
// left as it is.
func TestServeLimitsItsHeapUnlessGOMEMLIMITIsSet(t *testing.T) {
	before := debug.SetMemoryLimit(-1)
	defer debug.SetMemoryLimit(before)
	var logged bytes.Buffer
	log := slog.New(slog.NewTextHandler(&logged, nil))
	want := int64(baseMemory) + access.HashMemory()
	if got := setMemoryLimit(env(nil), log, 20<<20); got != want || debug.SetMemoryLimit(-1) != want {
		t.Fatalf("limit %d (runtime %d), want %d", got, debug.SetMemoryLimit(-1), want)
	}
	if want > 200<<20 && access.HashMemory() <= 64<<20 {
		t.Fatalf("the default limit %d is above 200 MiB", want)
	}
	if logged.Len() > 0 {
		t.Errorf("a heap of 20 MB after starting is what the limit expects, yet it logged %q", logged.String())
	}
	if got := limitMemory(env(nil), log, func() uint64 { return 20 << 20 }); got != want || debug.SetMemoryLimit(-1) != want {
		t.Fatalf("limitMemory of a 20 MiB heap: limit %d (runtime %d), want %d", got, debug.SetMemoryLimit(-1), want)
	}
	if got, want := limitMemory(env(nil), log, func() uint64 { return 50 << 20 }), int64(100<<20)+access.HashMemory(); got != want {
		t.Fatalf("limitMemory of a 50 MiB heap: limit %d, want %d: the measurement must reach the limit", got, want)
	}
	debug.SetMemoryLimit(1 << 40)
	if got := setMemoryLimit(env(map[string]string{"GOMEMLIMIT": "1TiB"}), log, 500<<20); got != 1<<40 || debug.SetMemoryLimit(-1) != 1<<40 {
		t.Fatalf("with GOMEMLIMIT set: %d", got)
	}
}

// The heap the limit is set from is what a collection leaves live, not
// what was ever allocated or what the runtime has mapped: a start-up's
// garbage (a demo seed's hashes, 100 MB) must not raise the limit.
func TestTheLimitIsSetFromTheLiveHeapNotTheGarbage(t *testing.T) {
	defer debug.SetGCPercent(debug.SetGCPercent(-1)) // no collection but liveHeap's own
	defer debug.SetMemoryLimit(debug.SetMemoryLimit(math.MaxInt64))
	garbage := make([][]byte, 100)
	for i := range garbage {
		garbage[i] = make([]byte, 1<<20)
	}
	kept := make([]byte, 40<<20) // live while measured
	for i := range kept {
		kept[i] = 1
	}
	garbage = nil
	live := liveHeap()
	if live < 40<<20 || live > 90<<20 {
		t.Fatalf("liveHeap = %d MiB with 40 MiB kept and 100 MiB of garbage: want 40 MiB and what the test process holds besides", live>>20)
	}
	runtime.KeepAlive(kept)
	runtime.KeepAlive(garbage)
}

// A server whose heap holds more after starting than baseMemory allows for
// (55 MB of parsed pages did once) would have the collector run without
// pause whenever a password hash joins it near the limit. The limit grows
// with the heap instead, to twice what is live, and the log says so.
func TestALargerHeapAfterStartingRaisesTheLimitAndSaysSo(t *testing.T) {
	before := debug.SetMemoryLimit(-1)
	defer debug.SetMemoryLimit(before)
	for _, tt := range []struct {
		live uint64
		want int64
		warn bool
	}{
		{0, baseMemory, false},
		{baseMemory / 2, baseMemory, false},
		{baseMemory/2 + 1, baseMemory + 2, true},
		{55 << 20, 110 << 20, true},
	} {
		var logged bytes.Buffer
		got := setMemoryLimit(env(nil), slog.New(slog.NewTextHandler(&logged, nil)), tt.live)
		if want := tt.want + access.HashMemory(); got != want || debug.SetMemoryLimit(-1) != want {
			t.Errorf("live heap %d: limit %d (runtime %d), want %d", tt.live, got, debug.SetMemoryLimit(-1), want)
		}
		if warned := strings.Contains(logged.String(), "level=WARN"); warned != tt.warn {
			t.Errorf("live heap %d: warned %v, want %v (%q)", tt.live, warned, tt.warn, logged.String())
		}
	}
}

// Once sign-ins stop, serve hands the password hashes' memory back within
// two looks; while hashes follow one another, or one is running, it keeps
// it for the next; and with no hash since the last release it does nothing.
func TestServeReleasesTheHashesMemoryOnceSignInsStop(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var mu sync.Mutex
		var ended int64
		var busy bool
		releases := 0
		activity := func() (int64, bool) { mu.Lock(); defer mu.Unlock(); return ended, busy }
		set := func(e int64, b bool) { mu.Lock(); defer mu.Unlock(); ended, busy = e, b }
		ctx, cancel := context.WithCancel(t.Context())
		done := make(chan struct{})
		go func() { releaseWhenQuiet(ctx, activity, 1, func() { releases++ }); close(done) }()
		look := func() { time.Sleep(quietAfter); synctest.Wait() } // fake time: one look of the loop

		look()
		if releases != 0 {
			t.Fatalf("released %d times with no hash ever run", releases)
		}
		for i := range int64(3) { // a hash ends in every interval: people are still signing in
			set(i+1, false)
			look()
		}
		if releases != 0 {
			t.Fatalf("released %d times while hashes followed each other", releases)
		}
		set(3, true) // one running after a quiet interval
		look()
		if releases != 0 {
			t.Fatalf("released while a hash was running")
		}
		set(4, false)
		look() // it ended during this interval
		look() // and nothing since
		if releases != 1 {
			t.Fatalf("released %d times after sign-ins stopped, want 1", releases)
		}
		look()
		look()
		if releases != 1 {
			t.Fatalf("released %d times with no hash since the last release, want 1", releases)
		}
		cancel()
		<-done
	})
}

// serve's second loop closes the connections of the pools to its SQLite
// file once a busy spell of transactions has stopped for a look, not
// while one runs, and not for a quiet server's own trickle; the database
// works as before afterwards.
func TestServeClosesItsIdleConnectionsOnceTransactionsStop(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx, cancel := context.WithCancel(t.Context())
		db, err := store.Open(ctx, filepath.Join(t.TempDir(), "waymark.db"))
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		done := make(chan struct{})
		go func() { releaseWhenQuiet(ctx, db.Activity, busySpell, db.CloseIdle); close(done) }()
		look := func() { time.Sleep(quietAfter); synctest.Wait() } // fake time: one look of the loop
		use := func() {                                            // two transactions
			if err := db.View(ctx, func(*store.Tx) error { return nil }); err != nil {
				t.Fatal(err)
			}
			if err := db.Update(ctx, func(*store.Tx) error { return nil }); err != nil {
				t.Fatal(err)
			}
		}
		// A quiet server's own few transactions, a look apart (a
		// readiness probe, the heartbeat), never close its connections.
		for range 10 {
			use()
			look()
			look()
			if _, open := db.Connections(); open != 2 {
				t.Fatalf("%d connections open two looks after a read and a write, want 2: a trickle closed them", open)
			}
		}
		for range busySpell / 2 { // a busy spell
			use()
		}
		look()
		if _, open := db.Connections(); open != 2 {
			t.Fatalf("%d connections open a look after a busy spell, want 2", open)
		}
		held, ended := make(chan struct{}), make(chan struct{})
		go func() {
			defer close(ended)
			db.View(ctx, func(*store.Tx) error { <-held; return nil })
		}()
		look()
		look()
		if _, open := db.Connections(); open != 2 {
			t.Fatalf("%d connections open while a read ran, want 2 (the read's and the idle write connection)", open)
		}
		close(held)
		<-ended
		look()
		look()
		if _, open := db.Connections(); open != 0 {
			t.Fatalf("%d connections open two looks after the last transaction, want 0", open)
		}
		use()
		cancel()
		<-done
	})
}
