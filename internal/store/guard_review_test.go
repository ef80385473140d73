package store_test

import (
	"errors"
	"testing"

	"waymark/internal/store"
	"waymark/internal/storetest"
)

// A handler that panics inside a write transaction is recovered by the web
// middleware, and net/http serves the next request of the same keep-alive
// connection on the same goroutine. That goroutine must not stay marked as
// inside a write: its later audited reads (and, on SQLite, its writes) are
// legitimate work.
func TestAGoroutineWhoseWritePanickedMayStillReadAndWrite(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		done := make(chan error, 1)
		go func() {
			func() {
				defer func() { _ = recover() }()
				_ = db.Update(ctx, func(*store.Tx) error { panic("a fault in the handler") })
			}()
			if err := auditedRead(ctx, db, "the next request's read"); err != nil {
				done <- err
				return
			}
			done <- db.Update(ctx, func(*store.Tx) error { return nil })
		}()
		if err := waitFor(t, done, "the next request"); err != nil {
			t.Fatalf("after a recovered panic inside a write, the same goroutine's work gave %v", err)
		}
	})
}

// On PostgreSQL a write transaction may run inside another (on a second
// connection). When the inner one ends, the outer one's fn is still
// running: an audited read made there is still inside a write and must
// still be refused.
func TestAnAuditedReadAfterANestedWriteEndsIsStillRefused(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		if db.Dialect == store.SQLite {
			t.Skip("SQLite refuses the nested write itself")
		}
		done := make(chan error, 1)
		go func() {
			done <- db.Update(ctx, func(*store.Tx) error {
				if err := db.Update(ctx, func(*store.Tx) error { return nil }); err != nil {
					return err
				}
				return auditedRead(ctx, db, "the read made after the nested write")
			})
		}()
		if err := waitFor(t, done, "the write transaction to end"); !errors.Is(err, store.ErrAuditedReadInsideWrite) {
			t.Fatalf("an audited read inside a write, after a nested write ended, gave %v, want ErrAuditedReadInsideWrite", err)
		}
	})
}

// An audited read made by a goroutine that a write transaction's fn starts
// and waits for is as much inside the write as one made by fn itself: on
// SQLite its entry waits for the write lock fn's transaction holds. The
// guard knows goroutines, not call trees, so it lets the read through and
// the read waits out the lock (10 s) instead of being refused at once.
func TestAnAuditedReadFromAGoroutineStartedInsideAWriteIsRefused(t *testing.T) {
	t.Skip("finding: the goroutine-id guard misses an audited read made by a goroutine that a write's fn starts and waits for; on SQLite it waits out the busy timeout (a context carrying 'inside a write' would catch it)")
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		done := make(chan error, 1)
		go func() {
			done <- db.Update(ctx, func(*store.Tx) error {
				inner := make(chan error, 1)
				go func() { inner <- auditedRead(ctx, db, "the read of a helper goroutine") }()
				return <-inner
			})
		}()
		if err := waitFor(t, done, "the write transaction to end"); !errors.Is(err, store.ErrAuditedReadInsideWrite) {
			t.Fatalf("an audited read from a goroutine started inside a write gave %v, want ErrAuditedReadInsideWrite", err)
		}
	})
}

// A write whose function panics (and whose panic is recovered further up)
// leaves no transaction open behind it: the next write, from anywhere,
// goes ahead at once rather than waiting for a lock nobody will release.
func TestAWriteWhosePanicWasRecoveredLeavesNoLockBehind(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		panicked := make(chan struct{})
		go func() {
			defer close(panicked)
			defer func() { _ = recover() }()
			_ = db.Update(ctx, func(tx *store.Tx) error {
				if err := tx.AppendAudit(readEntry("the write that panics")); err != nil {
					return err
				}
				if _, err := db.SQL().ExecContext(ctx, `SELECT 1`); err != nil {
					return err
				}
				panic("a fault in the handler")
			})
		}()
		waitFor(t, panicked, "the panic")
		before := auditHead(t, db)
		done := make(chan error, 1)
		go func() {
			done <- db.Update(ctx, func(tx *store.Tx) error { return tx.AppendAudit(readEntry("the next write")) })
		}()
		if err := waitFor(t, done, "the next write"); err != nil {
			t.Fatalf("the write after a recovered panic: %v", err)
		}
		if got := auditHead(t, db); got != before+1 {
			t.Fatalf("the chain moved from %d to %d, want the next write's entry alone", before, got)
		}
		verifyChain(t, db)
	})
}
