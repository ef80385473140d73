package casework_test

import (
	"context"
	"database/sql"
	"runtime"
	"sync"
	"testing"
	"time"

	"waymark/internal/audit"
	"waymark/internal/casework"
	"waymark/internal/store"
	"waymark/internal/storetest"
)

// Reads never wait for the write lock (issue 10): a read takes a read-only
// snapshot and hands its audit entry to the store's group-commit writer; it
// answers once the entry is durable.

// writeLock holds, on a connection of its own, what every audit write
// needs: SQLite's write lock (a raw BEGIN IMMEDIATE) or PostgreSQL's
// audit_head row.
type writeLock struct {
	t    *testing.T
	conn *sql.Conn
	once sync.Once
}

func (p *partnership) holdWriteLock() *writeLock {
	p.t.Helper()
	conn, err := p.db.SQL().Conn(p.ctx)
	if err != nil {
		p.t.Fatal(err)
	}
	stmts := []string{`BEGIN IMMEDIATE`}
	if p.db.Dialect == store.Postgres {
		stmts = []string{`BEGIN`, `SELECT seq FROM audit_head WHERE id = 1 FOR UPDATE`}
	}
	for _, q := range stmts {
		if _, err := conn.ExecContext(p.ctx, q); err != nil {
			conn.Close()
			p.t.Fatalf("%s: %v", q, err)
		}
	}
	l := &writeLock{t: p.t, conn: conn}
	p.t.Cleanup(l.release)
	return l
}

func (l *writeLock) release() {
	l.once.Do(func() {
		if _, err := l.conn.ExecContext(context.Background(), `ROLLBACK`); err != nil {
			l.t.Errorf("releasing the lock: %v", err)
		}
		l.conn.Close()
	})
}

// untilAuditWaiting yields until n reads wait for their audit entries:
// their snapshots are read and their entries handed over.
func (p *partnership) untilAuditWaiting(n int64) {
	p.t.Helper()
	deadline := time.Now().Add(20 * time.Second) // a guard against a hang, not a timing
	for p.db.AuditBatchStats().Waiting < n {
		if time.Now().After(deadline) {
			p.t.Fatalf("%d reads wait for their audit entries, want %d: the reads are held up", p.db.AuditBatchStats().Waiting, n)
		}
		runtime.Gosched()
	}
}

func receive[T any](t *testing.T, ch <-chan T, what string) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(20 * time.Second): // a guard against a hang, not a timing
		t.Fatalf("still waiting for %s", what)
		panic("unreachable")
	}
}

func TestACaseOpensFromASnapshotWhileAnotherConnectionHoldsTheWriteLock(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		p := newPartnership(t, db)
		id := p.raise()
		p.contact(id)
		from := p.auditHead()
		lock := p.holdWriteLock()
		type answer struct {
			view casework.CaseView
			err  error
		}
		got := make(chan answer, 1)
		go func() {
			v, err := p.svc.Case(p.ctx, p.CSWorker, id)
			got <- answer{v, err}
		}()
		// The case was read while the lock is held…
		p.untilAuditWaiting(1)
		// …but it is not shown before its audit entry is durable.
		select {
		case a := <-got:
			t.Fatalf("the case was answered (%v) before its audit entry was written", a.err)
		default:
		}
		lock.release()
		a := receive(t, got, "the case")
		if a.err != nil || a.view.Case.ID != id {
			t.Fatalf("case %q, %v", a.view.Case.ID, a.err)
		}
		entries := p.auditSince(from)
		if len(entries) != 1 || entries[0].Action != audit.ActionCaseViewed || entries[0].CaseID != id || entries[0].ActorID != p.CSWorker.User.ID {
			t.Fatalf("audit = %+v, want the one case.viewed entry", entries)
		}
	})
}

func TestManyPeopleOpeningCasesAtOnceAreEachAuditedOnceAndTheChainVerifies(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		p := newPartnership(t, db)
		ids := []string{p.raise(), p.raise(), p.raise()}
		for _, id := range ids {
			p.contact(id)
		}
		from := p.auditHead()
		before := db.AuditBatchStats()
		const readers = 12
		errs := make(chan error, readers*2)
		var wg sync.WaitGroup
		for i := range readers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, err := p.svc.Case(p.ctx, p.CSWorker, ids[i%len(ids)])
				errs <- err
				_, _, err = p.svc.InboxPage(p.ctx, p.CSWorker, nil)
				errs <- err
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
		viewed, listed := 0, 0
		for _, e := range p.auditSince(from) {
			switch {
			case e.Action == audit.ActionCaseViewed && e.ActorID == p.CSWorker.User.ID:
				viewed++
			case e.Action == audit.ActionCaseListed && e.ActorID == p.CSWorker.User.ID:
				listed++
			default:
				t.Fatalf("unexpected entry %+v", e)
			}
		}
		if viewed != readers || listed != readers {
			t.Fatalf("%d case.viewed and %d case.listed entries for %d reads of each", viewed, listed, readers)
		}
		if after := db.AuditBatchStats(); after.Entries-before.Entries != 2*readers || after.Batches-before.Batches > 2*readers || after.Waiting != 0 {
			t.Fatalf("writer stats %+v after %+v", after, before)
		}
		if _, err := db.VerifyAudit(func() error { return nil }); err != nil {
			t.Fatalf("the audit chain does not verify: %v", err)
		}
	})
}

func TestARefusedCaseLookUpIsAuditedThroughTheWriter(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		p := newPartnership(t, db)
		id := p.raise()
		from := p.auditHead()
		before := db.AuditBatchStats()
		_, err := p.svc.Case(p.ctx, p.GPDoctor, id) // not a member of the case
		wantCode(t, err, "not_found")
		entries := p.auditSince(from)
		if len(entries) != 1 || entries[0].Action != audit.ActionCaseDenied || entries[0].CaseID != id {
			t.Fatalf("audit = %+v, want one case.denied entry", entries)
		}
		if after := db.AuditBatchStats(); after.Entries != before.Entries+1 {
			t.Fatalf("the refusal did not go through the audit writer: %+v", after)
		}
	})
}

func TestSearchingBeforeAnyCaseFindsNothingAndMakesNoKey(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		p := newPartnership(t, db)
		found, _, err := p.svc.SearchPage(p.ctx, p.CSWorker, "Amira", nil)
		if err != nil || len(found) != 0 {
			t.Fatalf("found %v, %v", found, err)
		}
		// A read-only snapshot writes nothing: the first case saved makes the search key.
		if n := p.count(`SELECT COUNT(*) FROM data_keys WHERE owner_kind = 'index'`); n != 0 {
			t.Fatalf("%d search keys made by a search", n)
		}
		id := p.raise()
		if found, _, err = p.svc.SearchPage(p.ctx, p.Teacher, "Amira", nil); err != nil || len(found) != 1 || found[0].ID != id {
			t.Fatalf("after raising: found %v, %v", found, err)
		}
	})
}

func TestASessionSeenWithinAMinuteIsCheckedWithoutTheWriteLock(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		p := newPartnership(t, db)
		token := p.session(p.CSWorker)
		lock := p.holdWriteLock()
		got := make(chan error, 1)
		go func() {
			v, _, err := p.svc.Authenticate(p.ctx, token)
			if err == nil && v.User.ID != p.CSWorker.User.ID {
				t.Errorf("authenticated as %q", v.User.ID)
			}
			got <- err
		}()
		if err := receive(t, got, "the session check while the lock is held"); err != nil {
			t.Fatal(err)
		}
		lock.release()

		// Over a minute later the session is touched (idleness is tracked)…
		p.clock.Advance(2 * time.Minute)
		if _, _, err := p.svc.Authenticate(p.ctx, token); err != nil {
			t.Fatal(err)
		}
		var seen time.Time
		if err := db.SQL().QueryRowContext(p.ctx, `SELECT last_seen_at FROM sessions`).Scan(&seen); err != nil {
			t.Fatal(err)
		}
		if !seen.Equal(p.clock.Now()) {
			t.Fatalf("last seen %v, want %v", seen, p.clock.Now())
		}
		// …and one idle too long is ended, as before.
		p.clock.Advance(p.svc.SessionIdle + time.Minute)
		if _, _, err := p.svc.Authenticate(p.ctx, token); err == nil {
			t.Fatal("an idle session was accepted")
		}
		if n := p.count(`SELECT COUNT(*) FROM sessions`); n != 0 {
			t.Fatalf("%d sessions left after the idle one ended", n)
		}
	})
}
