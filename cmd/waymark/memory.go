package main

import (
	"runtime"
	"runtime/debug"

	"waymark/internal/access"
)

// baseMemory is what serve holds besides the password hashes running at
// once: its heap at work, and SQLite's page caches.
const baseMemory = 96 << 20

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
