package main

import (
	"bytes"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"
)

// serve closes the database only once the loops beside the server have
// stopped, waiting at most the shutdown timeout for a slow one.
func TestServeWaitsForItsBackgroundLoopsBeforeClosingTheDatabase(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var logged bytes.Buffer
		log := slog.New(slog.NewTextHandler(&logged, nil))
		var bg sync.WaitGroup
		stopped := false
		bg.Go(func() { time.Sleep(2 * time.Second); stopped = true })
		start := time.Now()
		waitForBackground(&bg, 15*time.Second, log)
		if !stopped || time.Since(start) != 2*time.Second {
			t.Fatalf("returned after %v with the loop stopped %v; want after the loop's 2s", time.Since(start), stopped)
		}
		if logged.Len() > 0 {
			t.Errorf("logged %q for a loop that stopped in time", logged.String())
		}

		bg.Go(func() { time.Sleep(time.Minute) })
		start = time.Now()
		waitForBackground(&bg, 15*time.Second, log)
		if time.Since(start) != 15*time.Second {
			t.Fatalf("a stuck loop held the stop for %v, want the 15s timeout", time.Since(start))
		}
		if !strings.Contains(logged.String(), "still running after the shutdown timeout") {
			t.Errorf("a loop left running was not logged: %q", logged.String())
		}
		bg.Wait() // let the bubble's goroutine end
	})
}
