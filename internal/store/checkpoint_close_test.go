package store

import (
	"context"
	"os"
	"path/filepath"
	"sync"
	"testing"
)

// Closing a database stops its background checkpoint however Close is
// called: twice, from several goroutines at once, or while a commit has
// just asked for a checkpoint. Its goroutine has ended when Close returns
// (tests and commands open many databases), and the WAL is gone.
func TestClosingADatabaseStopsItsCheckpointOnceAndLeavesNoGoroutine(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	for i := range 20 {
		file := filepath.Join(dir, "waymark.db")
		db, err := Open(ctx, file)
		if err != nil {
			t.Fatal(err)
		}
		db.checkpointer.setEvery(0)
		fillWAL(t, db, 3)
		if i%2 == 0 {
			if _, err := db.checkpointWAL(ctx); err != nil {
				t.Fatal(err)
			}
		}
		var wg sync.WaitGroup
		for range 3 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				db.Close()
			}()
		}
		wg.Wait()
		if err := db.Close(); err != nil {
			t.Fatalf("closing again: %v", err)
		}
		if _, err := os.Stat(file + "-wal"); !os.IsNotExist(err) {
			t.Fatalf("the WAL is still there after the database closed: %v", err)
		}
		select {
		case <-db.checkpointer.done: // the loop has returned
		default:
			t.Fatal("the background checkpoint's goroutine still runs after Close")
		}
		if _, err := db.checkpointWAL(ctx); err == nil {
			t.Fatal("a closed database's checkpoint ran")
		}
	}
}
