package store

import (
	"context"
	"path/filepath"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// spin keeps a processor busy for d, as a transaction's own work does
// (the cost the gate is about is processor time shared between a write
// and the reads beside it, so the work must use it, not sleep).
func spin(d time.Duration) {
	for end := time.Now().Add(d); time.Now().Before(end); {
	}
}

// p is the q-quantile of sorted durations, in milliseconds.
func p(sorted []time.Duration, q float64) float64 {
	if len(sorted) == 0 {
		return 0
	}
	return float64(sorted[int(float64(len(sorted)-1)*q)].Microseconds()) / 1000
}

// BenchmarkReadsBesideCaseWrites: one goroutine makes case writes, each
// holding the write connection for the given time (half of it before its
// first event, as a note loads its case first, half after) and then, in
// the "half" cases, leaving it free as long again; 8 goroutines read,
// each read working 2 ms in its transaction. An op is one read: the reads
// a second are 1e9 / ns/op. Reported: the reads' p99 (from asking for the
// transaction to its end), the writes' p50 and p99 hold of the write
// connection, the writes a second, and the share of reads the gate held
// and their average wait. "gate" is the shipped gate, "none" the same file
// without it (docs/performance.md, "Only case writes close the read gate").
// The writes back to back are where the gate's budget runs out; the
// "half" ones, where it does not, are its dearest case for the reads.
//
//	go test ./internal/store -run '^$' -bench ReadsBesideCaseWrites -benchtime 1000x -count 3
func BenchmarkReadsBesideCaseWrites(b *testing.B) {
	for _, c := range []struct {
		name       string
		hold, free time.Duration
	}{
		{"5ms-back-to-back", 5 * time.Millisecond, 0},
		{"40ms-back-to-back", 40 * time.Millisecond, 0},
		{"20ms-half", 20 * time.Millisecond, 20 * time.Millisecond},
	} {
		for _, gate := range []bool{true, false} {
			name := c.name + "/gate"
			if !gate {
				name = c.name + "/none"
			}
			b.Run(name, func(b *testing.B) { benchReadsBesideCaseWrites(b, c.hold, c.free, gate) })
		}
	}
}

func benchReadsBesideCaseWrites(b *testing.B, hold, free time.Duration, gate bool) {
	db, err := Open(context.Background(), filepath.Join(b.TempDir(), "waymark.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	if err := db.Migrate(context.Background()); err != nil {
		b.Fatal(err)
	}
	if !gate {
		db.gate = nil
	}
	var timing atomic.Bool
	stop := make(chan struct{})
	var holds []time.Duration // of the writes made while timed
	var wg sync.WaitGroup
	wg.Go(func() {
		for {
			select {
			case <-stop:
				return
			default:
			}
			var took time.Time
			if err := db.Update(context.Background(), func(tx *Tx) error {
				took = time.Now()
				spin(hold / 2)
				if err := appendFirstEvent(tx); err != nil {
					return err
				}
				spin(hold / 2)
				return nil
			}); err != nil {
				b.Error(err)
				return
			}
			if timing.Load() {
				holds = append(holds, time.Since(took))
			}
			if free > 0 {
				time.Sleep(free) // the connection free: nothing to measure here
			}
		}
	})
	const readers = 8
	var next atomic.Int64
	took := make([][]time.Duration, readers)
	var before ReadGateStats
	if gate {
		before, _ = db.ReadGate()
	}
	b.ResetTimer()
	timing.Store(true)
	var rg sync.WaitGroup
	for r := range readers {
		rg.Go(func() {
			for next.Add(1) <= int64(b.N) {
				start := time.Now()
				if err := db.View(context.Background(), func(tx *Tx) error {
					var one int
					if err := tx.queryRow(`SELECT 1`).Scan(&one); err != nil {
						return err
					}
					spin(2 * time.Millisecond)
					return nil
				}); err != nil {
					b.Error(err)
					return
				}
				took[r] = append(took[r], time.Since(start))
			}
		})
	}
	rg.Wait()
	timing.Store(false)
	b.StopTimer()
	close(stop)
	wg.Wait()
	reads := slices.Concat(took...)
	slices.Sort(reads)
	b.ReportMetric(p(reads, 0.99), "read-p99-ms")
	slices.Sort(holds)
	b.ReportMetric(p(holds, 0.50), "hold-p50-ms")
	b.ReportMetric(p(holds, 0.99), "hold-p99-ms")
	b.ReportMetric(float64(len(holds))/b.Elapsed().Seconds(), "writes/s")
	if gate {
		after, _ := db.ReadGate()
		waits := after.Waits - before.Waits
		b.ReportMetric(float64(waits)/float64(b.N), "held/read")
		if waits > 0 {
			b.ReportMetric(float64((after.Wait-before.Wait).Microseconds())/1000/float64(waits), "ms/held")
		}
	}
}
