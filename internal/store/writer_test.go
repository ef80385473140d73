package store_test

import (
	"context"
	"path/filepath"
	"runtime"
	"sync"
	"testing"

	"waymark/internal/store"
)

// On SQLite, write transactions of one process take the write lock in the
// order they asked for it, handed over as soon as it is free: a person's
// save never waits behind people who came after them, as it could when
// every waiting writer slept and polled in SQLite's busy handler.
func TestSQLiteWritersInOneProcessTakeTheWriteLockInArrivalOrder(t *testing.T) {
	ctx := context.Background()
	db, err := store.Open(ctx, filepath.Join(t.TempDir(), "waymark.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.Update(ctx, func(tx *store.Tx) error {
		_, err := tx.SQLForTest(`CREATE TABLE arrivals (n INTEGER)`)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	holding, release := make(chan struct{}), make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		if err := db.Update(ctx, func(tx *store.Tx) error {
			close(holding)
			<-release
			return nil
		}); err != nil {
			t.Error(err)
		}
	})
	<-holding
	const writers = 6
	for i := range writers {
		wg.Go(func() {
			if err := db.Update(ctx, func(tx *store.Tx) error {
				_, err := tx.SQLForTest(`INSERT INTO arrivals (n) VALUES ($1)`, i)
				return err
			}); err != nil {
				t.Error(err)
			}
		})
		for store.QueuedWriters(db) != int64(i+1) { // queued before the next one asks
			runtime.Gosched()
		}
	}
	close(release)
	wg.Wait()
	rows, err := db.SQL().Query(`SELECT n FROM arrivals ORDER BY rowid`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var order []int
	for rows.Next() {
		var n int
		if err := rows.Scan(&n); err != nil {
			t.Fatal(err)
		}
		order = append(order, n)
	}
	for i, n := range order {
		if n != i {
			t.Fatalf("writers took the lock in the order %v, not the order they asked for it", order)
		}
	}
	if len(order) != writers {
		t.Fatalf("%d of %d writes stored", len(order), writers)
	}
}

// A write waiting for the lock gives up when its request does.
func TestAWriteWaitingForTheLockStopsWhenItsRequestIsCancelled(t *testing.T) {
	ctx := context.Background()
	db, err := store.Open(ctx, filepath.Join(t.TempDir(), "waymark.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	holding, release := make(chan struct{}), make(chan struct{})
	done := make(chan error)
	go func() {
		done <- db.Update(ctx, func(tx *store.Tx) error { close(holding); <-release; return nil })
	}()
	<-holding
	waiting, cancel := context.WithCancel(ctx)
	gaveUp := make(chan error)
	go func() { gaveUp <- db.Update(waiting, func(tx *store.Tx) error { return nil }) }()
	for store.QueuedWriters(db) != 1 {
		runtime.Gosched()
	}
	cancel()
	if err := <-gaveUp; err == nil || waiting.Err() == nil {
		t.Fatalf("a cancelled write waiting for the lock: %v", err)
	}
	close(release)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}
