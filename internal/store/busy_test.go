package store_test

import (
	"context"
	"database/sql"
	"errors"
	"testing"
	"time"

	"waymark"
	"waymark/internal/casework"
	"waymark/internal/store"
	"waymark/internal/storetest"
)

// countRows counts a table's rows through a connection of its own.
func countRows(t *testing.T, file, table string) int {
	t.Helper()
	other, err := sql.Open("sqlite", "file:"+file)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	var n int
	if err := other.QueryRow(`SELECT COUNT(*) FROM ` + table).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// busyWorld is a partnership on a SQLite file whose writes wait 50 ms for
// the write lock, and the file's path, for a second connection to lock it.
type busyWorld struct {
	db    *store.DB
	file  string
	clock *storetest.Clock
	p     storetest.Partnership
	svc   *casework.Service
}

func newBusyWorld(t *testing.T) busyWorld {
	t.Helper()
	db, file := storetest.SQLiteWith(t, store.OpenOptions{BusyWait: 50 * time.Millisecond})
	clock := storetest.NewClock(storetest.Start)
	return busyWorld{db: db, file: file, clock: clock, p: storetest.NewPartnership(t, db, clock), svc: storetest.Service(t, db, clock)}
}

func wantBusy(t *testing.T, what string, err error) {
	t.Helper()
	if code := waymark.ErrorCode(err); code != waymark.EBUSY {
		t.Fatalf("%s while another write held the lock past the wait: code %q (%v), want %q", what, code, err, waymark.EBUSY)
	}
	if msg := waymark.ErrorMessage(err); msg != store.ErrBusy.Message {
		t.Errorf("%s: message %q, want the busy message", what, msg)
	}
}

// A write that cannot have SQLite's write lock within the busy wait, because
// another process holds it, is refused as busy with nothing saved: not an
// internal error, and not a clash with someone's save of the same case
// (there was none). A read of a case is refused the same way, since its
// audit entry is a write and a read nobody recorded must not be shown
// (§6.5, docs/security.md). Once the lock is free, the same write goes in.
func TestAWriteKeptFromTheLockByAnotherProcessIsRefusedAsBusyAndSavesNothing(t *testing.T) {
	b := newBusyWorld(t)
	file, clock, p, svc, ctx := b.file, b.clock, b.p, b.svc, context.Background()
	first, err := svc.RaiseConcern(ctx, p.Teacher, storetest.ValidConcern(clock.Now()))
	if err != nil {
		t.Fatal(err)
	}
	cases, events, entries := countRows(t, file, "cases"), countRows(t, file, "case_events"), countRows(t, file, "audit_log")

	release := storetest.HoldWriteLock(t, file)
	_, err = svc.RaiseConcern(ctx, p.Teacher, storetest.ValidConcern(clock.Now()))
	wantBusy(t, "raising a concern", err)
	_, err = svc.Case(ctx, p.Teacher, first)
	wantBusy(t, "reading a case", err)
	release()

	if c, e, a := countRows(t, file, "cases"), countRows(t, file, "case_events"), countRows(t, file, "audit_log"); c != cases || e != events || a != entries {
		t.Errorf("after the busy refusals: %d cases, %d events, %d audit entries; want %d, %d, %d as before", c, e, a, cases, events, entries)
	}
	if _, err := svc.RaiseConcern(ctx, p.Teacher, storetest.ValidConcern(clock.Now())); err != nil {
		t.Fatalf("raising the concern again once the lock was free: %v", err)
	}
	if _, err := svc.Case(ctx, p.Teacher, first); err != nil {
		t.Fatalf("reading the case once the lock was free: %v", err)
	}
}

// The same within one process: a write queued behind another of this
// process's writes that holds the lock past the busy wait is refused as
// busy, and the write holding it is unharmed.
func TestAWriteQueuedBehindALongWriteOfThisProcessIsRefusedAsBusy(t *testing.T) {
	b := newBusyWorld(t)
	db, file, clock, p, svc, ctx := b.db, b.file, b.clock, b.p, b.svc, context.Background()
	cases := countRows(t, file, "cases")

	inside, letGo := make(chan struct{}), make(chan struct{})
	long := make(chan error, 1)
	go func() {
		long <- db.Update(ctx, func(*store.Tx) error {
			close(inside)
			<-letGo
			return nil
		})
	}()
	<-inside
	_, err := svc.RaiseConcern(ctx, p.Teacher, storetest.ValidConcern(clock.Now()))
	close(letGo)
	wantBusy(t, "raising a concern", err)
	if err := <-long; err != nil {
		t.Fatalf("the write that held the lock: %v", err)
	}
	if n := countRows(t, file, "cases"); n != cases {
		t.Errorf("%d cases after the busy refusal, want %d", n, cases)
	}
}

// A busy wait the store cannot honour is refused when the database is opened.
func TestABusyWaitOutOfRangeIsRefusedAtOpen(t *testing.T) {
	for _, wait := range []time.Duration{-time.Second, time.Microsecond, 10 * time.Minute} {
		file := t.TempDir() + "/waymark.db"
		if db, err := store.Open(context.Background(), file, store.OpenOptions{BusyWait: wait}); err == nil {
			db.Close()
			t.Errorf("a busy wait of %s was accepted", wait)
		}
	}
}

// A request's count of commits (NoteCommits) counts the writes made with
// its context, and not those made Uncounted (confirming who the person is
// before the change they ask for), nor any that failed.
func TestARequestsCommitsCountOnlyItsOwnChanges(t *testing.T) {
	b := newBusyWorld(t)
	ctx := store.NoteCommits(context.Background())
	if err := b.db.Update(ctx, func(*store.Tx) error { return errors.New("refused") }); err == nil || store.Committed(ctx) {
		t.Fatalf("a write that failed (%v) counts as committed: %v", err, store.Committed(ctx))
	}
	if err := b.db.Update(store.Uncounted(ctx), func(*store.Tx) error { return nil }); err != nil || store.Committed(ctx) {
		t.Fatalf("an uncounted write (%v) counts as the request's change: %v", err, store.Committed(ctx))
	}
	if err := b.db.Update(ctx, func(*store.Tx) error { return nil }); err != nil || !store.Committed(ctx) {
		t.Fatalf("the request's own write (%v) is not counted", err)
	}
	if store.Committed(context.Background()) {
		t.Error("a context with no count says it committed")
	}
}
