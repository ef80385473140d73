package store

import (
	"context"
	"path/filepath"
	"sync"
	"testing"
)

// Replicas started together all open one new SQLite file at once; the one
// that switches it to WAL holds a lock the others' busy handlers do not wait
// on, and none of them may fail for it.
func TestManyOpeningANewSQLiteFileAtOnceAllConnect(t *testing.T) {
	rounds := 20
	if testing.Short() {
		rounds = 3
	}
	for round := range rounds {
		file := filepath.Join(t.TempDir(), "waymark.db")
		var wg sync.WaitGroup
		errs := make([]error, 8)
		for i := range errs {
			wg.Go(func() {
				db, err := Open(context.Background(), file)
				if err != nil {
					errs[i] = err
					return
				}
				_, errs[i] = db.SQL().Exec(`CREATE TABLE IF NOT EXISTS t (x INTEGER)`)
				db.Close()
			})
		}
		wg.Wait()
		for i, err := range errs {
			if err != nil {
				t.Fatalf("round %d, opener %d: %v", round, i, err)
			}
		}
	}
}

// A SQLite connection that falls idle after a busy moment is kept, with
// the statements prepared on it, rather than closed and opened again at the
// next one.
func TestSQLiteKeepsEveryConnectionOfTheBusiestMoment(t *testing.T) {
	db, err := Open(context.Background(), filepath.Join(t.TempDir(), "waymark.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	busy := db.SQL().Stats().MaxOpenConnections // the pool's size (the write connection is apart)
	if busy < 2 {
		t.Fatalf("a pool of %d for reads", busy)
	}
	var started, release sync.WaitGroup
	started.Add(busy)
	release.Add(1)
	var wg sync.WaitGroup
	errs := make([]error, busy)
	for i := range busy {
		wg.Go(func() {
			errs[i] = db.View(context.Background(), func(tx *Tx) error {
				started.Done()
				release.Wait() // every transaction holds a connection at once
				return nil
			})
		})
	}
	started.Wait()
	release.Done()
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if st := db.SQL().Stats(); st.MaxIdleClosed != 0 || st.OpenConnections != busy {
		t.Fatalf("after %d transactions at once: %d connections open, %d closed on falling idle; want %d and 0", busy, st.OpenConnections, st.MaxIdleClosed, busy)
	}
}
