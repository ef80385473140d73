package store_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"waymark/internal/audit"
	"waymark/internal/store"
	"waymark/internal/storetest"
)

// auditLock holds, on a connection of its own, what an audit write needs:
// SQLite's write lock (a raw BEGIN IMMEDIATE), PostgreSQL's audit_head row.
type auditLock struct {
	t    *testing.T
	conn *sql.Conn
	once sync.Once
}

func holdAuditLock(t *testing.T, db *store.DB) *auditLock {
	t.Helper()
	conn, err := db.SQL().Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	stmts := []string{`BEGIN IMMEDIATE`}
	if db.Dialect == store.Postgres {
		stmts = []string{`BEGIN`, `SELECT seq FROM audit_head WHERE id = 1 FOR UPDATE`}
	}
	for _, q := range stmts {
		if _, err := conn.ExecContext(ctx, q); err != nil {
			conn.Close()
			t.Fatalf("%s: %v", q, err)
		}
	}
	l := &auditLock{t: t, conn: conn}
	t.Cleanup(l.release)
	return l
}

func (l *auditLock) release() {
	l.once.Do(func() {
		if _, err := l.conn.ExecContext(ctx, `ROLLBACK`); err != nil {
			l.t.Errorf("releasing the lock: %v", err)
		}
		l.conn.Close()
	})
}

// watchWriter reports each entry handed to the audit writer and the size of
// each batch it takes, on channels a test waits on.
func watchWriter(db *store.DB) (handed chan struct{}, taken chan int) {
	handed, taken = make(chan struct{}, 1000), make(chan int, 1000)
	store.WatchAuditWriter(db, func() { handed <- struct{}{} }, func(n int) { taken <- n })
	return handed, taken
}

func waitFor[T any](t *testing.T, ch <-chan T, what string) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(30 * time.Second): // a guard against a hang, not a timing
		t.Fatalf("still waiting for %s", what)
		panic("unreachable")
	}
}

func readEntry(detail string) audit.Entry {
	return audit.Entry{At: storetest.Start, ActorID: "user-1", OrgID: "org-1", Action: audit.ActionCaseListed, Detail: detail}
}

// auditedRead is a read of the organisations in a snapshot, audited with detail.
func auditedRead(ctx context.Context, db *store.DB, detail string) error {
	return db.ViewAudited(ctx, func(tx *store.Tx) (audit.Entry, error) {
		if _, err := tx.Organisations(); err != nil {
			return audit.Entry{}, err
		}
		return readEntry(detail), nil
	})
}

func auditHead(t *testing.T, db *store.DB) int {
	return count(t, db, `SELECT seq FROM audit_head WHERE id = 1`)
}

func verifyChain(t *testing.T, db *store.DB) int64 {
	t.Helper()
	n, err := db.VerifyAudit(func() error { return nil })
	if err != nil {
		t.Fatalf("the audit chain does not verify: %v", err)
	}
	return n
}

func TestManyConcurrentAuditedReadsWriteOneEntryEachInSharedTransactions(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		handed, _ := watchWriter(db)
		before := auditHead(t, db)
		// Every read hands its entry over while the lock is held, so the
		// writer cannot commit any of them until all are waiting.
		lock := holdAuditLock(t, db)
		const n = 24
		errs := make(chan error, n)
		for i := range n {
			go func() { errs <- auditedRead(ctx, db, fmt.Sprintf("concurrent read %d", i)) }()
		}
		for range n {
			waitFor(t, handed, "an entry to be handed over")
		}
		lock.release()
		for range n {
			if err := waitFor(t, errs, "a read's answer"); err != nil {
				t.Fatal(err)
			}
		}
		if got := count(t, db, `SELECT COUNT(*) FROM audit_log WHERE detail LIKE 'concurrent read %'`); got != n {
			t.Fatalf("%d entries written for %d reads", got, n)
		}
		if got := count(t, db, `SELECT COUNT(DISTINCT detail) FROM audit_log WHERE detail LIKE 'concurrent read %'`); got != n {
			t.Fatalf("%d distinct entries for %d reads", got, n)
		}
		if got := auditHead(t, db); got != before+n {
			t.Fatalf("the chain moved from %d to %d, want %d", before, got, before+n)
		}
		if checked := verifyChain(t, db); checked != int64(before+n) {
			t.Fatalf("verify checked %d entries, want %d", checked, before+n)
		}
		// One transaction for the entry the writer took before the others
		// arrived (if it did), one for all the rest.
		st := db.AuditBatchStats()
		if st.Entries != n || st.Batches > 2 || st.Failed != 0 || st.Queued != 0 {
			t.Fatalf("writer stats %+v: want %d entries in at most 2 transactions", st, n)
		}
	})
}

func TestAReadsSnapshotDoesNotWaitForTheWriteLockButItsAnswerWaitsForItsEntry(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		handed, _ := watchWriter(db)
		lock := holdAuditLock(t, db)
		ran := make(chan struct{})
		answer := make(chan error, 1)
		go func() {
			answer <- db.ViewAudited(ctx, func(tx *store.Tx) (audit.Entry, error) {
				if _, err := tx.Organisations(); err != nil {
					return audit.Entry{}, err
				}
				close(ran)
				return readEntry("read under the lock"), nil
			})
		}()
		waitFor(t, ran, "the read's snapshot while another connection holds the lock")
		waitFor(t, handed, "the read's entry to be handed over")
		select {
		case err := <-answer:
			t.Fatalf("the read answered (%v) before its audit entry could be written", err)
		default:
		}
		lock.release()
		if err := waitFor(t, answer, "the read's answer"); err != nil {
			t.Fatal(err)
		}
		if got := count(t, db, `SELECT COUNT(*) FROM audit_log WHERE detail = 'read under the lock'`); got != 1 {
			t.Fatalf("%d entries for the read", got)
		}
		verifyChain(t, db)
	})
}

func TestAFailedBatchFailsEveryReadInItAndWritesNoneOfThem(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		// A trigger refuses one entry; the innocent entry in the same
		// transaction must not be written without it, nor answered.
		poison := []string{
			`CREATE TRIGGER poison BEFORE INSERT ON audit_log WHEN NEW.detail = 'poison' BEGIN SELECT RAISE(ABORT, 'poisoned entry'); END`,
		}
		if db.Dialect == store.Postgres {
			poison = []string{
				`CREATE FUNCTION poison() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN IF NEW.detail = 'poison' THEN RAISE EXCEPTION 'poisoned entry'; END IF; RETURN NEW; END $$`,
				`CREATE TRIGGER poison BEFORE INSERT ON audit_log FOR EACH ROW EXECUTE FUNCTION poison()`,
			}
		}
		for _, q := range poison {
			if _, err := db.SQL().ExecContext(ctx, q); err != nil {
				t.Fatalf("%s: %v", q, err)
			}
		}
		handed, taken := watchWriter(db)
		before := auditHead(t, db)
		lock := holdAuditLock(t, db)
		first := make(chan error, 1)
		go func() { first <- auditedRead(ctx, db, "first, alone in its batch") }()
		waitFor(t, handed, "the first entry to be handed over")
		if n := waitFor(t, taken, "the writer to take the first batch"); n != 1 {
			t.Fatalf("first batch of %d", n)
		}
		// These two wait together for the next batch.
		poisoned, innocent := make(chan error, 1), make(chan error, 1)
		go func() { poisoned <- auditedRead(ctx, db, "poison") }()
		waitFor(t, handed, "the poisoned entry to be handed over")
		go func() { innocent <- auditedRead(ctx, db, "innocent") }()
		waitFor(t, handed, "the innocent entry to be handed over")
		lock.release()
		if err := waitFor(t, first, "the first read"); err != nil {
			t.Fatalf("the first read, in a batch of its own: %v", err)
		}
		if n := waitFor(t, taken, "the writer to take the second batch"); n != 2 {
			t.Fatalf("second batch of %d, want the poisoned and the innocent entry together", n)
		}
		for name, ch := range map[string]chan error{"poisoned": poisoned, "innocent": innocent} {
			if err := waitFor(t, ch, "the "+name+" read"); err == nil {
				t.Fatalf("the %s read was answered though its batch failed", name)
			}
		}
		if got := count(t, db, `SELECT COUNT(*) FROM audit_log WHERE detail IN ('poison', 'innocent')`); got != 0 {
			t.Fatalf("%d entries of the failed batch were written", got)
		}
		if got := auditHead(t, db); got != before+1 {
			t.Fatalf("the chain is at %d, want %d (only the first read)", got, before+1)
		}
		if st := db.AuditBatchStats(); st.Failed != 1 || st.Entries != 1 {
			t.Fatalf("writer stats %+v", st)
		}
		// (verify refuses a database with a trigger it did not make)
		cure := []string{`DROP TRIGGER poison`}
		if db.Dialect == store.Postgres {
			cure = []string{`DROP TRIGGER poison ON audit_log`, `DROP FUNCTION poison()`}
		}
		for _, q := range cure {
			if _, err := db.SQL().ExecContext(ctx, q); err != nil {
				t.Fatalf("%s: %v", q, err)
			}
		}
		verifyChain(t, db)
		// The writer goes on: the next read is written.
		if err := auditedRead(ctx, db, "after the failure"); err != nil {
			t.Fatal(err)
		}
		verifyChain(t, db)
	})
}

func TestAReadIsRefusedWhenTheDatabaseCannotTakeItsEntry(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		db.WriteSQL().Close() // the connection writes run on is gone under the writer
		db.SQL().Close()      // and the pool (the same one where writes have no connection of their own)
		err := db.RecordAudit(ctx, readEntry("into a closed pool"))
		if err == nil {
			t.Fatal("an entry was reported durable on a closed database")
		}
	})
}

func TestACancelledReadDoesNotDropOrBreakTheOthersEntries(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		handed, _ := watchWriter(db)
		before := auditHead(t, db)
		lock := holdAuditLock(t, db)
		cctx, cancel := context.WithCancel(ctx)
		cancelled, other := make(chan error, 1), make(chan error, 1)
		go func() { cancelled <- auditedRead(cctx, db, "cancelled reader") }()
		waitFor(t, handed, "the cancelled reader's entry to be handed over")
		go func() { other <- auditedRead(ctx, db, "patient reader") }()
		waitFor(t, handed, "the patient reader's entry to be handed over")
		cancel()
		if err := waitFor(t, cancelled, "the cancelled read"); !errors.Is(err, context.Canceled) {
			t.Fatalf("the cancelled read answered %v, want context.Canceled", err)
		}
		lock.release()
		if err := waitFor(t, other, "the other read"); err != nil {
			t.Fatal(err)
		}
		// The cancelled reader's entry was handed over, so it is written:
		// the snapshot was read.
		if got := count(t, db, `SELECT COUNT(*) FROM audit_log WHERE detail IN ('cancelled reader', 'patient reader')`); got != 2 {
			t.Fatalf("%d entries, want both", got)
		}
		if got := auditHead(t, db); got != before+2 {
			t.Fatalf("chain at %d, want %d", got, before+2)
		}
		verifyChain(t, db)
	})
}

func TestClosingTheDatabaseWritesTheEntriesHandedOverThenRefusesMore(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		handed, _ := watchWriter(db)
		lock := holdAuditLock(t, db)
		read := make(chan error, 1)
		go func() { read <- auditedRead(ctx, db, "just before closing") }()
		waitFor(t, handed, "the entry to be handed over")
		closed := make(chan error, 1)
		go func() { closed <- db.Close() }()
		lock.release() // the lock's connection goes back to the pool, which Close then ends
		if err := waitFor(t, read, "the read"); err != nil {
			t.Fatalf("the entry handed over before closing: %v", err)
		}
		if err := waitFor(t, closed, "Close"); err != nil {
			t.Fatal(err)
		}
		if err := db.RecordAudit(ctx, readEntry("after closing")); !errors.Is(err, store.ErrAuditWriterClosed) {
			t.Fatalf("an entry after Close: %v, want ErrAuditWriterClosed", err)
		}
	})
}

func TestAnEntryNoRowCanHoldIsRefusedToItsOwnReadAlone(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		// A case id typed into a link can hold any bytes; it must fail
		// its own request, never the batch it would have shared.
		bad := readEntry("bad")
		bad.CaseID = "case\x00id"
		if err := db.RecordAudit(ctx, bad); err == nil {
			t.Fatal("an entry with a NUL byte was accepted")
		}
		if st := db.AuditBatchStats(); st.Batches != 0 || st.Failed != 0 {
			t.Fatalf("the refused entry reached the writer: %+v", st)
		}
		if err := auditedRead(ctx, db, "good"); err != nil {
			t.Fatal(err)
		}
	})
}

func TestAnAuditedReadThatShowedNothingRecordsNothing(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		before := auditHead(t, db)
		if err := db.ViewAudited(ctx, func(tx *store.Tx) (audit.Entry, error) { return audit.Entry{}, nil }); err != nil {
			t.Fatal(err)
		}
		want := errors.New("the read failed")
		if err := db.ViewAudited(ctx, func(tx *store.Tx) (audit.Entry, error) { return readEntry("failed"), want }); !errors.Is(err, want) {
			t.Fatalf("got %v", err)
		}
		if got := auditHead(t, db); got != before {
			t.Fatalf("chain moved from %d to %d", before, got)
		}
	})
}

// An audited read waits for the audit writer, and the writer needs the write
// lock: made inside a write transaction it would wait for its own
// transaction. It is refused at once instead, on both stores, and the
// transaction it was made in rolls back with nothing written.
func TestAnAuditedReadInsideAWriteTransactionIsRefusedAtOnce(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		before := auditHead(t, db)
		done := make(chan error, 1)
		go func() {
			done <- db.Update(ctx, func(tx *store.Tx) error {
				if err := tx.AppendAudit(readEntry("the outer write")); err != nil {
					return err
				}
				return auditedRead(ctx, db, "the read made inside it")
			})
		}()
		err := waitFor(t, done, "the write transaction to end")
		if !errors.Is(err, store.ErrAuditedReadInsideWrite) {
			t.Fatalf("an audited read inside a write transaction gave %v, want ErrAuditedReadInsideWrite", err)
		}
		// On SQLite, the same for a write transaction begun inside another
		// (PostgreSQL runs the two side by side, on two connections).
		if db.Dialect == store.SQLite {
			go func() {
				done <- db.Update(ctx, func(*store.Tx) error {
					return db.Update(ctx, func(*store.Tx) error { return nil })
				})
			}()
			if err := waitFor(t, done, "the nested write to end"); !errors.Is(err, store.ErrAuditedReadInsideWrite) {
				t.Fatalf("a write transaction inside another gave %v, want ErrAuditedReadInsideWrite", err)
			}
		}
		if got := auditHead(t, db); got != before {
			t.Fatalf("the chain moved from %d to %d: something of the refused transactions was written", before, got)
		}
		// Outside any transaction the same read is audited as usual, also
		// from a goroutine that ran a write transaction before.
		if err := db.Update(ctx, func(*store.Tx) error { return nil }); err != nil {
			t.Fatal(err)
		}
		if err := auditedRead(ctx, db, "the read made after it"); err != nil {
			t.Fatal(err)
		}
		if got := auditHead(t, db); got != before+1 {
			t.Fatalf("the chain moved from %d to %d, want one entry", before, got)
		}
		verifyChain(t, db)
	})
}
