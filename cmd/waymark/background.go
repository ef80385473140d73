package main

import (
	"log/slog"
	"sync"
	"time"
)

// waitForBackground waits, at most limit, for serve's loops beside the
// server to stop once their context has ended; serve closes the database
// only after. A loop still running at the limit (an email stuck in a slow
// relay, say) is left to the process's exit and logged: its transaction, if
// any, was never acknowledged, and SQLite recovers its WAL at the next open.
func waitForBackground(bg *sync.WaitGroup, limit time.Duration, log *slog.Logger) {
	done := make(chan struct{})
	go func() { bg.Wait(); close(done) }()
	t := time.NewTimer(limit)
	defer t.Stop()
	select {
	case <-done:
	case <-t.C:
		log.Warn("stopping: a background loop was still running after the shutdown timeout; the database is closed without it", "timeout", limit.String())
	}
}
