package store_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"waymark"
	"waymark/internal/audit"
	"waymark/internal/pathway"
	"waymark/internal/store"
	"waymark/internal/storetest"
)

var ctx = context.Background()

func count(t *testing.T, db *store.DB, query string, args ...any) int {
	t.Helper()
	var n int
	if err := db.SQL().QueryRowContext(ctx, query, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}

// concernRaised is the first event of a case, as the pathway decides it.
func concernRaised(t *testing.T, caseID string, at time.Time) pathway.Event {
	t.Helper()
	actor := pathway.Actor{Party: pathway.Party{UserID: "user-teacher", OrgID: "org-school"}, Role: pathway.RolePractitioner}
	events, err := pathway.New(storetest.Catalog()).Decide(pathway.Case{}, actor,
		pathway.RaiseConcern{CaseID: caseID, Concern: storetest.ValidConcern(at), ChildrensServicesOrg: "org-cs"}, at)
	if err != nil {
		t.Fatal(err)
	}
	return events[0]
}

// §7.5: the log is append-only and ordered; an append made against an old
// version is refused whole.
func TestAppendingAtAStaleVersionIsAConflictAndWritesNothing(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		first := concernRaised(t, "case-1", storetest.Start)
		if err := db.Update(ctx, func(tx *store.Tx) error { return tx.AppendEvents("case-1", 0, []pathway.Event{first}) }); err != nil {
			t.Fatal(err)
		}
		err := db.Update(ctx, func(tx *store.Tx) error { return tx.AppendEvents("case-1", 0, []pathway.Event{first}) })
		if waymark.ErrorCode(err) != waymark.ECONFLICT {
			t.Fatalf("append at version 0 of a case at version 1: %v, want ECONFLICT", err)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM case_events WHERE case_id = $1`, "case-1"); n != 1 {
			t.Fatalf("%d events, want 1", n)
		}

		var loaded []pathway.Event
		err = db.Update(ctx, func(tx *store.Tx) error {
			var err error
			_, loaded, err = tx.LoadCase("case-1")
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		if len(loaded) != 1 || loaded[0].Seq != 1 || !loaded[0].At.Equal(first.At) || loaded[0].Data.(pathway.ConcernRaised).Concern.Child.GivenNames != "Amira" {
			t.Fatalf("loaded %+v", loaded)
		}
	})
}

// An append that claims a version the log has not reached would leave a gap.
func TestAppendingAheadOfTheLogIsAConflictAndWritesNothing(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		first := concernRaised(t, "case-1", storetest.Start)
		if err := db.Update(ctx, func(tx *store.Tx) error { return tx.AppendEvents("case-1", 0, []pathway.Event{first}) }); err != nil {
			t.Fatal(err)
		}
		later := first
		later.Seq = 6
		err := db.Update(ctx, func(tx *store.Tx) error { return tx.AppendEvents("case-1", 5, []pathway.Event{later}) })
		if waymark.ErrorCode(err) != waymark.ECONFLICT {
			t.Fatalf("append at version 5 of a case at version 1: %v, want ECONFLICT", err)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM case_events WHERE case_id = $1`, "case-1"); n != 1 {
			t.Fatalf("%d events, want 1", n)
		}
	})
}

func TestEventsWithOutOfOrderSeqAreRefused(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		e := concernRaised(t, "case-1", storetest.Start)
		e.Seq = 2
		if err := db.Update(ctx, func(tx *store.Tx) error { return tx.AppendEvents("case-1", 0, []pathway.Event{e}) }); err == nil {
			t.Fatal("an event at seq 2 was appended to an empty log")
		}
		if n := count(t, db, `SELECT COUNT(*) FROM case_events`); n != 0 {
			t.Fatalf("%d events written", n)
		}
	})
}

func TestAnUnknownCaseIsNotFound(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		err := db.Update(ctx, func(tx *store.Tx) error {
			_, _, err := tx.LoadCase("no-such-case")
			return err
		})
		if waymark.ErrorCode(err) != waymark.ENOTFOUND {
			t.Fatalf("loading a case that does not exist: %v, want ENOTFOUND", err)
		}
	})
}

// A transaction that fails leaves nothing behind: not the events, and not the
// audit entry that would have recorded them.
func TestAFailedTransactionWritesNeitherEventsNorAudit(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		boom := errors.New("the use case failed after writing")
		err := db.Update(ctx, func(tx *store.Tx) error {
			if err := tx.AppendEvents("case-1", 0, []pathway.Event{concernRaised(t, "case-1", storetest.Start)}); err != nil {
				return err
			}
			if err := tx.AppendAudit(audit.Entry{At: storetest.Start, ActorID: "user-teacher", CaseID: "case-1", Action: audit.ActionConcernRaised}); err != nil {
				return err
			}
			return boom
		})
		if !errors.Is(err, boom) {
			t.Fatalf("Update returned %v, want the use case's error", err)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM case_events`) + count(t, db, `SELECT COUNT(*) FROM audit_log`); n != 0 {
			t.Fatalf("%d rows left by a rolled-back transaction", n)
		}
		if _, err := db.VerifyAudit(nil); err != nil {
			t.Fatalf("audit head moved by a rolled-back transaction: %v", err)
		}
	})
}

// annex step 1: references come from a counter that never repeats and, since
// a rolled-back number is taken again, never skips. On PostgreSQL contact
// references come from a sequence instead (migration 0020), so that writers
// do not queue on one row: it never repeats either, and a command refused
// before it takes a number leaves no gap (casework's
// TestContactReferencesStayUniqueAndGapFreeWhileOthersAreRefused), but a
// transaction that rolls back after taking one leaves that number unused.
func TestCounterNumbersFollowOnWithoutGaps(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		take := func(name string) int64 {
			t.Helper()
			var n int64
			if err := db.Update(ctx, func(tx *store.Tx) error {
				var err error
				n, err = tx.NextNumber(name)
				return err
			}); err != nil {
				t.Fatal(err)
			}
			return n
		}
		if a, b, c := take("contact-reference"), take("contact-reference"), take("other"); a != 1 || b != 2 || c != 1 {
			t.Fatalf("numbers %d, %d and another counter's %d; want 1, 2, 1", a, b, c)
		}
		rollBack := func(name string) {
			_ = db.Update(ctx, func(tx *store.Tx) error {
				if _, err := tx.NextNumber(name); err != nil {
					return err
				}
				return errors.New("refused after taking a number")
			})
		}
		rollBack("other")
		if n := take("other"); n != 2 {
			t.Fatalf("after a rolled-back take, next number %d, want 2", n)
		}
		rollBack("contact-reference")
		want := int64(3)
		if db.Dialect == store.Postgres {
			want = 4 // the sequence does not give 3 back
		}
		if n := take("contact-reference"); n != want {
			t.Fatalf("after a rolled-back take, next contact reference %d, want %d", n, want)
		}
	})
}

// appendAudit adds n entries, each in its own transaction, as use cases do.
func appendAudit(t *testing.T, db *store.DB, n int) {
	t.Helper()
	for i := range n {
		e := audit.Entry{
			At:      storetest.Start.Add(time.Duration(i)*time.Minute + 123456789), // sub-microsecond part is dropped by Seal
			ActorID: "user-cs-worker", OrgID: "org-cs", CaseID: fmt.Sprintf("case-%d", i%2),
			Action: audit.ActionCaseViewed, Detail: fmt.Sprintf("view %d", i+1),
		}
		if err := db.Update(ctx, func(tx *store.Tx) error { return tx.AppendAudit(e) }); err != nil {
			t.Fatal(err)
		}
	}
}

// §6.5, PATHWAY.md §1.7: the audit trail proves it is whole. Any change made
// behind the application's back — altering, deleting or swapping entries,
// even re-hashing the altered one — is found, at the first entry affected.
func TestVerifyAuditFindsTampering(t *testing.T) {
	const entries = 6
	exec := func(t *testing.T, db *store.DB, query string, args ...any) {
		t.Helper()
		if _, err := db.SQL().ExecContext(ctx, query, args...); err != nil {
			t.Fatalf("%s: %v", query, err)
		}
	}
	for _, tc := range []struct {
		name    string
		tamper  func(t *testing.T, db *store.DB)
		brokeAt int64
		reason  string
	}{
		{"detail of an entry altered", func(t *testing.T, db *store.DB) {
			exec(t, db, `UPDATE audit_log SET detail = 'nothing to see' WHERE seq = 3`)
		}, 3, "altered"},
		{"actor of an entry altered", func(t *testing.T, db *store.DB) {
			exec(t, db, `UPDATE audit_log SET actor_id = 'someone-else' WHERE seq = 2`)
		}, 2, "altered"},
		{"time of an entry altered", func(t *testing.T, db *store.DB) {
			var at time.Time
			if err := db.SQL().QueryRowContext(ctx, `SELECT at FROM audit_log WHERE seq = 4`).Scan(&at); err != nil {
				t.Fatal(err)
			}
			exec(t, db, `UPDATE audit_log SET at = $1 WHERE seq = 4`, at.Add(-time.Hour).UTC())
		}, 4, "altered"},
		{"entry altered and its hash recomputed", func(t *testing.T, db *store.DB) {
			var e audit.Entry
			if err := db.SQL().QueryRowContext(ctx, `SELECT seq, at, actor_id, org_id, case_id, action, detail, prev_hash FROM audit_log WHERE seq = 3`).
				Scan(&e.Seq, &e.At, &e.ActorID, &e.OrgID, &e.CaseID, &e.Action, &e.Detail, &e.PrevHash); err != nil {
				t.Fatal(err)
			}
			e.Detail = "nothing to see"
			exec(t, db, `UPDATE audit_log SET detail = $1, hash = $2 WHERE seq = 3`, e.Detail, audit.Hash(e.PrevHash, e))
		}, 3, "re-hashed without the key"},
		{"a middle entry deleted", func(t *testing.T, db *store.DB) {
			exec(t, db, `DELETE FROM audit_log WHERE seq = 3`)
		}, 4, "expected entry 3"},
		{"the last entry deleted", func(t *testing.T, db *store.DB) {
			exec(t, db, fmt.Sprintf(`DELETE FROM audit_log WHERE seq = %d`, entries))
		}, entries, "removed from the end"},
		{"two entries' contents swapped", func(t *testing.T, db *store.DB) {
			type row struct {
				at                                                 time.Time
				actor, org, caseID, action, detail, prevHash, hash string
			}
			read := func(seq int) row {
				var r row
				if err := db.SQL().QueryRowContext(ctx, `SELECT at, actor_id, org_id, case_id, action, detail, prev_hash, hash FROM audit_log WHERE seq = $1`, seq).
					Scan(&r.at, &r.actor, &r.org, &r.caseID, &r.action, &r.detail, &r.prevHash, &r.hash); err != nil {
					t.Fatal(err)
				}
				return r
			}
			write := func(seq int, r row) {
				exec(t, db, `UPDATE audit_log SET at = $1, actor_id = $2, org_id = $3, case_id = $4, action = $5, detail = $6, prev_hash = $7, hash = $8 WHERE seq = $9`,
					r.at.UTC(), r.actor, r.org, r.caseID, r.action, r.detail, r.prevHash, r.hash, seq)
			}
			two, five := read(2), read(5)
			write(2, five)
			write(5, two)
		}, 2, "link to the previous entry"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
				appendAudit(t, db, entries)
				if n, err := db.VerifyAudit(nil); err != nil || n != entries {
					t.Fatalf("untouched chain: verified %d entries, %v; want %d, nil", n, err, entries)
				}
				tc.tamper(t, db)
				_, err := db.VerifyAudit(nil)
				var broken *audit.BrokenError
				if !errors.As(err, &broken) {
					t.Fatalf("tampered chain verified: %v", err)
				}
				if broken.Seq != tc.brokeAt || !strings.Contains(broken.Reason, tc.reason) {
					t.Fatalf("broken at %d (%s), want at %d (%s)", broken.Seq, broken.Reason, tc.brokeAt, tc.reason)
				}
			})
		})
	}
}

// Concurrent writers never fork the chain: every entry links to the one
// before, on both stores.
func TestConcurrentAuditEntriesFormOneChain(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		const writers = 12
		var wg sync.WaitGroup
		errs := make([]error, writers)
		start := make(chan struct{})
		for i := range writers {
			wg.Go(func() {
				<-start
				errs[i] = db.Update(ctx, func(tx *store.Tx) error {
					return tx.AppendAudit(audit.Entry{At: storetest.Start, ActorID: fmt.Sprintf("user-%d", i), Action: audit.ActionCaseListed})
				})
			})
		}
		close(start)
		wg.Wait()
		for i, err := range errs {
			if err != nil {
				t.Fatalf("writer %d: %v", i, err)
			}
		}
		if n, err := db.VerifyAudit(nil); err != nil || n != writers {
			t.Fatalf("verified %d entries, %v; want %d, nil", n, err, writers)
		}
	})
}
