package store

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"

	"waymark/internal/audit"
)

// Group commit of the audit entries of reads (docs/architecture.md, "Audit").
//
// Every read of case data is audited, and a read must not be answered
// before its entry is durable. Writing each entry in the request's own
// transaction made every page view take the write lock (SQLite) or the
// audit_head row lock (PostgreSQL). Instead a read runs in a read-only
// snapshot (View) and hands its entry to the database's audit writer: one
// goroutine, started when the first entry arrives and gone when none is
// waiting, takes every entry waiting (up to auditBatchMax) and appends them
// with AppendAudit, in the order they arrived, in one transaction — one
// head, one chain, one commit and one sync for the lot — then tells each
// waiter. While it commits, the next entries gather for the next batch.
//
// Each entry is chained, sealed and keyed exactly as in a transaction of
// its own, so `waymark audit verify` checks them as strictly as ever. When a
// batch fails, nothing of it is written and every waiter in it gets the
// error: the read is refused rather than answered unaudited. An entry
// whose request is cancelled after handing it over is still written: the
// snapshot was read, so the record says so (over-recording a read that may
// not have been shown is safe; dropping one is not).

// auditBatchMax bounds one batch, so one transaction never grows without limit.
const auditBatchMax = 256

// ErrAuditWriterClosed refuses an entry handed over after the database was closed.
var ErrAuditWriterClosed = errors.New("store: the database is closed, so the audit entry of this read cannot be written")

type auditWaiter struct {
	e    audit.Entry
	done chan error // buffered: the writer never blocks on a waiter that left
}

// auditWriter is the group-commit writer; its zero value is ready.
type auditWriter struct {
	mu      sync.Mutex
	queue   []*auditWaiter
	writing bool // the writer goroutine is running
	closed  bool
	running sync.WaitGroup

	batches, entries, failed atomic.Int64
	waiting                  atomic.Int64 // handed over, not yet told

	// Tests watch the writer through these (export_test.go); nil otherwise.
	handedOver func()      // an entry was queued
	batchTaken func(n int) // the writer took a batch of n entries
	inBatch    func()      // the writer holds the write connection for a batch (tests)
}

// AuditBatchStats counts the audit writer's work since the database was opened.
type AuditBatchStats struct {
	Batches int64 // transactions that committed entries of reads
	Entries int64 // entries they wrote
	Failed  int64 // batches that failed, none of their entries written
	Queued  int   // entries handed over and not yet in a transaction, now
	Waiting int64 // entries handed over whose reads are not yet told, now (queued or being written)
}

// AuditBatchStats reports the audit writer's counts.
func (db *DB) AuditBatchStats() AuditBatchStats {
	w := &db.audits
	w.mu.Lock()
	queued := len(w.queue)
	w.mu.Unlock()
	return AuditBatchStats{Batches: w.batches.Load(), Entries: w.entries.Load(), Failed: w.failed.Load(), Queued: queued, Waiting: w.waiting.Load()}
}

// RecordAudit appends e to the audit chain through the group-commit writer
// and returns once the batch holding it has committed (or failed: then e
// was not written and the error says why). The entry's request id is taken
// from ctx, as AppendAudit would. If ctx ends first, RecordAudit returns
// its error but the entry, already handed over, is still written.
func (db *DB) RecordAudit(ctx context.Context, e audit.Entry) error {
	if _, inside := db.updating.Load(goroutineID()); inside {
		return ErrAuditedReadInsideWrite
	}
	if e.RequestID == "" {
		e.RequestID = audit.RequestIDFrom(ctx)
	}
	// An entry no row can hold would fail the whole batch: refuse it here,
	// to its own request alone, so no one can fail other people's reads.
	if err := unstorable([]any{e.ActorID, e.OrgID, e.CaseID, e.Action, e.Detail, e.RequestID}); err != nil {
		return err
	}
	wt := &auditWaiter{e: e, done: make(chan error, 1)}
	w := &db.audits
	w.mu.Lock()
	if w.closed {
		w.mu.Unlock()
		return ErrAuditWriterClosed
	}
	w.queue = append(w.queue, wt)
	w.waiting.Add(1)
	if !w.writing {
		w.writing = true
		w.running.Add(1)
		go db.writeAudits()
	}
	w.mu.Unlock()
	if w.handedOver != nil {
		w.handedOver()
	}
	select {
	case err := <-wt.done:
		return err
	case <-ctx.Done():
		select {
		case err := <-wt.done: // written (or failed) meanwhile: say so
			return err
		default:
			return ctx.Err()
		}
	}
}

// ViewAudited runs fn in a read-only snapshot (View), then appends the
// entry fn returns through the group-commit writer (RecordAudit). It
// returns only once the entry is durable, so what fn read may be shown. An
// entry with no Action records nothing: for a read that showed nothing
// worth recording (an empty list of drafts, say).
func (db *DB) ViewAudited(ctx context.Context, fn func(*Tx) (audit.Entry, error)) error {
	var e audit.Entry
	if err := db.View(ctx, func(t *Tx) error {
		var err error
		e, err = fn(t)
		return err
	}); err != nil {
		return err
	}
	if e.Action == "" {
		return nil
	}
	return db.RecordAudit(ctx, e)
}

// writeAudits writes batches until no entry is waiting, then stops.
func (db *DB) writeAudits() {
	w := &db.audits
	defer w.running.Done()
	for {
		w.mu.Lock()
		batch := w.queue
		if len(batch) > auditBatchMax {
			batch = batch[:auditBatchMax:auditBatchMax]
			w.queue = append([]*auditWaiter(nil), w.queue[auditBatchMax:]...)
		} else {
			w.queue = nil
		}
		if len(batch) == 0 {
			w.writing = false
			w.mu.Unlock()
			return
		}
		w.mu.Unlock()
		if w.batchTaken != nil {
			w.batchTaken(len(batch))
		}
		// Not a request's context: one waiter leaving must not cancel the
		// others' entries. Each entry carries its own request id.
		// It appends no event, so it does not hold reads back (readgate.go).
		err := db.Update(context.Background(), func(t *Tx) error {
			if w.inBatch != nil {
				w.inBatch()
			}
			for _, wt := range batch {
				if err := t.AppendAudit(wt.e); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			w.failed.Add(1)
			err = fmt.Errorf("store: the audit entry of this read could not be written, so the read is refused: %w", err)
		} else {
			w.batches.Add(1)
			w.entries.Add(int64(len(batch)))
		}
		w.waiting.Add(-int64(len(batch))) // first, so a read told sees itself counted out
		for _, wt := range batch {
			wt.done <- err
		}
	}
}

// closeAudits refuses new entries and waits for the writer to write those
// already handed over.
func (db *DB) closeAudits() {
	w := &db.audits
	w.mu.Lock()
	w.closed = true
	w.mu.Unlock()
	w.running.Wait()
}
