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
