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

// BenchmarkReadsBesideBackToBackCaseWrites is the read gate's worst case:
// one goroutine makes case writes back to back (each appends an event and
// then works for the given time holding the write connection), while 8
// read, each read working 2 ms in its transaction. An op is one read; the
// reads a second are 1e9 / ns/op, and p99-ms is the 99th percentile of a
// read's time from asking for its transaction to its end. "gate" is the
// shipped gate, "none" the same file without it (docs/performance.md,
// "Only case writes close the read gate").
//
//	go test ./internal/store -run '^$' -bench ReadsBesideBackToBackCaseWrites -benchtime 2000x -count 3
func BenchmarkReadsBesideBackToBackCaseWrites(b *testing.B) {
	for _, write := range []time.Duration{5 * time.Millisecond, 40 * time.Millisecond} {
		for _, gate := range []bool{true, false} {
			name := write.String() + "-writes/gate"
			if !gate {
				name = write.String() + "-writes/none"
			}
			b.Run(name, func(b *testing.B) {
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
				stop := make(chan struct{})
				var writes atomic.Int64
				var wg sync.WaitGroup
				wg.Go(func() {
					for {
						select {
						case <-stop:
							return
						default:
						}
						if err := db.Update(context.Background(), func(tx *Tx) error {
							if err := appendFirstEvent(tx); err != nil {
								return err
							}
							spin(write)
							return nil
						}); err != nil {
							b.Error(err)
							return
						}
						writes.Add(1)
					}
				})
				const readers = 8
				var next atomic.Int64
				took := make([][]time.Duration, readers)
				b.ResetTimer()
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
				b.StopTimer()
				close(stop)
				wg.Wait()
				all := slices.Concat(took...)
				slices.Sort(all)
				if len(all) > 0 {
					b.ReportMetric(float64(all[len(all)*99/100].Microseconds())/1000, "p99-ms")
				}
				b.ReportMetric(float64(writes.Load())/b.Elapsed().Seconds(), "writes/s")
				if st, ok := db.ReadGate(); ok {
					b.ReportMetric(float64(st.Waits)/float64(b.N), "held/read")
					if st.Waits > 0 {
						b.ReportMetric(float64(st.Wait.Microseconds())/1000/float64(st.Waits), "ms/held")
					}
				}
			})
		}
	}
}
