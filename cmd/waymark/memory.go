package main

import (
	"context"
	"log/slog"
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
// and what the heap needs besides (heapAllowance). Without it the collector
// lets the heap grow to twice what was live at its last collection, and a
// server that signed people in and then fell quiet keeps the hashes' 64 MiB
// buffers twice over. It then collects what starting left behind (a demo's
// seeding hashes passwords) and hands it back to the system, so an idle
// server holds what it uses. Call it once the server is built, so that
// what it keeps for good (the parsed pages, say) is in the heap it
// measures.
func limitMemory(getenv func(string) string, log *slog.Logger, live func() uint64) int64 {
	return setMemoryLimit(getenv, log, live())
}

// liveHeap is the heap that is live now: what a full collection leaves.
// The collection also hands what it freed back to the system.
func liveHeap() uint64 {
	debug.FreeOSMemory()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// setMemoryLimit sets the soft limit for a heap of live bytes, unless
// GOMEMLIMIT set one, and returns the limit in force.
func setMemoryLimit(getenv func(string) string, log *slog.Logger, live uint64) int64 {
	if getenv("GOMEMLIMIT") != "" {
		return debug.SetMemoryLimit(-1)
	}
	base, grown := heapAllowance(live)
	limit := base + access.HashMemory()
	if grown {
		log.Warn("the heap holds more after starting than the memory limit allows for: the limit is raised to match, and this server will use more memory than docs/performance.md gives",
			"live_heap_mib", live>>20, "expected_at_most_mib", baseMemory>>21, "limit_mib", limit>>20)
	}
	debug.SetMemoryLimit(limit)
	return limit
}

// heapAllowance is the room the soft limit gives the heap besides the
// password hashes, for a heap of live bytes after starting: baseMemory,
// which allows for half of it live, or twice what is live when more is.
// A limit the live heap and a hash come near makes the collector run
// without pause while the hash runs (a server that held 55 MB of parsed
// pages spent 1.7-1.8 cores, and its requests p50s of 0.5-2.8 s, serving
// 200 people: docs/performance.md), so a heap grown past what baseMemory
// assumed raises the limit with it, and says so (grown).
func heapAllowance(live uint64) (base int64, grown bool) {
	if 2*live <= baseMemory {
		return baseMemory, false
	}
	return int64(2 * live), true
}

// busySpell is how many database transactions since the last close of
// the idle connections make a busy spell whose end closes them again
// (releaseWhenQuiet): a person's visit of a few pages is some tens (each
// request reads its session, then its page), 200 people make about 200 a
// second, and a quiet server's probes and heartbeat about 3 a minute.
const busySpell = 200

// quietAfter is how long serve waits, with no password hash running or
// waiting, before it hands the hashes' memory back to the system; and,
// with no database transaction, before it closes the connections to a
// SQLite file that nothing uses (run.go).
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
//
// serve runs a second loop on the database's transactions
// (store.DB.Activity) whose release closes the SQLite connections nothing
// uses (store.DB.CloseIdle): their page caches and statements are
// SQLite's memory, outside the Go heap, and the pools would otherwise
// close them only after a minute unused. At a million cases, a server
// quiet for three minutes after 200 people held 58.4-64.7 MB without it
// and 52.9-55.5 MB with it (docs/performance.md, "Idle after use").
//
// least is how much must have ended since the last release for the next:
// 1 for hashes; busySpell for transactions, so that a quiet server's own
// few (a balancer's readiness probe every 30 s, the replica heartbeat
// every minute) do not have its connections closed and opened again
// every look, while a busy spell's are handed back once it ends.
func releaseWhenQuiet(ctx context.Context, activity func() (ended int64, busy bool), least int64, release func()) {
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
		if !busy && ended == seen && ended-released >= least {
			release()
			released = ended
		}
		seen = ended
	}
}
