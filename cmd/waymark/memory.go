package main

import (
	"context"
	"runtime"
	"runtime/debug"
	"time"

	"waymark/internal/access"
)

// baseMemory is what serve's Go heap holds besides the password hashes
// running at once: about 20-30 MB live under load, and room for the
// collector to work in. SQLite's page caches are outside the Go heap.
const baseMemory = 64 << 20

// limitMemory gives the Go heap a soft limit, unless GOMEMLIMIT sets one:
// the password hashes that may run at once (access.HashMemory, 64 MiB each)
// and baseMemory. Without it the collector lets the heap grow to twice
// what was live at its last collection, and a server that signed people
// in and then fell quiet keeps the hashes' 64 MiB buffers twice over. It
// then collects what starting left behind (a demo's seeding hashes
// passwords) and hands it back to the system, so an idle server holds what
// it uses.
func limitMemory(getenv func(string) string) int64 {
	limit := debug.SetMemoryLimit(-1)
	if getenv("GOMEMLIMIT") == "" {
		limit = baseMemory + access.HashMemory()
		debug.SetMemoryLimit(limit)
	}
	runtime.GC()
	debug.FreeOSMemory()
	return limit
}

// quietAfter is how long serve waits, with no password hash running or
// waiting, before it hands the hashes' memory back to the system.
const quietAfter = 15 * time.Second

// releaseWhenQuiet hands the memory the password hashes left behind back
// to the system once they have stopped: each hash takes 64 MiB, and the
// collector, paced by the soft limit, would otherwise keep it for the next
// one, so a server that signed a morning's people in held it all day. It
// looks every quietAfter; when hashes ended since the last look but none
// ended since, and none runs or waits, it collects and releases
// (debug.FreeOSMemory, which takes a few milliseconds). It never does so
// while hashes follow each other: each would then map its 64 MiB afresh,
// which cost a quarter of serve's processor time when tried.
func releaseWhenQuiet(ctx context.Context, activity func() (ended int64, busy bool), release func()) {
	t := time.NewTicker(quietAfter)
	defer t.Stop()
	released, _ := activity()
	seen := released
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		ended, busy := activity()
		if !busy && ended == seen && ended != released {
			release()
			released = ended
		}
		seen = ended
	}
}
