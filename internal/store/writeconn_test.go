package store_test

import (
	"context"
	"testing"
	"time"

	"waymark/internal/audit"
	"waymark/internal/store"
	"waymark/internal/storetest"
)

// A SQLite file's writes run on a connection of their own, so a write,
// and the audit entry every read waits for (auditbatch.go), goes ahead
// while reads hold every connection of the pool (docs/performance.md,
// "Fewer SQLite connections").
func TestAWriteGoesAheadWhileReadsHoldEveryConnection(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		if db.Dialect != store.SQLite {
			t.Skip("PostgreSQL runs writes on the pool: each is a backend of its own")
		}
		ctx := t.Context()
		n := db.SQL().Stats().MaxOpenConnections
		if total := db.PoolStats().MaxOpenConnections; total != n+1 {
			t.Fatalf("%d connections in all for a pool of %d reads, want one more for writes", total, n)
		}
		release := make(chan struct{})
		held := make(chan struct{}, n)
		done := make(chan error, n)
		for range n {
			go func() {
				done <- db.View(ctx, func(*store.Tx) error { held <- struct{}{}; <-release; return nil })
			}()
		}
		for range n {
			<-held
		}
		defer func() {
			close(release)
			for range n {
				if err := <-done; err != nil {
					t.Error(err)
				}
			}
		}()
		// Both a write and a read's audit entry (written by the group-commit
		// writer through Update) finish while every read connection is held.
		wctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		defer cancel()
		if err := db.Update(wctx, func(tx *store.Tx) error {
			return tx.AppendAudit(audit.Entry{At: time.Now(), ActorID: "user-1", Action: "test.write"})
		}); err != nil {
			t.Fatalf("a write while reads held the pool: %v", err)
		}
		if err := db.RecordAudit(wctx, audit.Entry{At: time.Now(), ActorID: "user-1", Action: "test.read"}); err != nil {
			t.Fatalf("a read's audit entry while reads held the pool: %v", err)
		}
	})
}
