package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"waymark/internal/audit"
	"waymark/internal/pathway"
	"waymark/internal/store"
	"waymark/internal/storetest"
)

// The audit entry of an action is chained onto the log only as the
// transaction commits (the head row is locked for the last statements
// only). When that last step fails, the action goes with it: no event, no
// entry, the head where it was, on both stores.
func TestAnActionRollsBackWithItsAuditEntryWhenTheEntryCannotBeChainedAtCommit(t *testing.T) {
	for _, tc := range []struct {
		name            string
		sqlite, pg      []string
		wantNotStored   bool
		wantErrContains string
	}{
		{
			name:   "the audit insert fails",
			sqlite: []string{`CREATE TRIGGER zz_refuse BEFORE INSERT ON audit_log BEGIN SELECT RAISE(ABORT, 'audit log refused'); END`},
			pg: []string{
				`CREATE FUNCTION zz_refuse() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'audit log refused'; END $$`,
				`CREATE TRIGGER zz_refuse BEFORE INSERT ON audit_log FOR EACH ROW EXECUTE FUNCTION zz_refuse()`,
			},
		},
		{
			name:   "the audit insert is swallowed",
			sqlite: []string{`CREATE TRIGGER zz_swallow BEFORE INSERT ON audit_log BEGIN SELECT RAISE(IGNORE); END`},
			pg: []string{
				`CREATE FUNCTION zz_swallow() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NULL; END $$`,
				`CREATE TRIGGER zz_swallow BEFORE INSERT ON audit_log FOR EACH ROW EXECUTE FUNCTION zz_swallow()`,
			},
			wantNotStored: true,
		},
		{
			name: "the commit itself fails",
			pg: []string{
				`CREATE FUNCTION zz_at_commit() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'refused at commit'; END $$`,
				`CREATE CONSTRAINT TRIGGER zz_at_commit AFTER INSERT ON audit_log DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION zz_at_commit()`,
			},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
				setup := tc.sqlite
				if db.Dialect == store.Postgres {
					setup = tc.pg
				}
				if setup == nil {
					t.Skip("no way to fail this step on this store")
				}
				appendAudit(t, db, 2)
				for _, q := range setup {
					if _, err := db.SQL().ExecContext(ctx, q); err != nil {
						t.Fatalf("%s: %v", q, err)
					}
				}
				err := db.Update(ctx, func(tx *store.Tx) error {
					if err := tx.AppendEvents("case-1", 0, []pathway.Event{concernRaised(t, "case-1", storetest.Start)}); err != nil {
						return err
					}
					return tx.AppendAudit(audit.Entry{At: storetest.Start, ActorID: "user-teacher", CaseID: "case-1", Action: audit.ActionConcernRaised})
				})
				if err == nil {
					t.Fatal("the transaction committed although its audit entry could not be written")
				}
				if tc.wantNotStored && !errors.Is(err, store.ErrAuditNotStored) {
					t.Fatalf("Update returned %v, want ErrAuditNotStored", err)
				}
				if n := count(t, db, `SELECT COUNT(*) FROM case_events`); n != 0 {
					t.Fatalf("%d events committed without their audit entry", n)
				}
				if n := count(t, db, `SELECT COUNT(*) FROM audit_log`); n != 2 {
					t.Fatalf("%d audit entries, want the 2 from before", n)
				}
				if n := count(t, db, `SELECT seq FROM audit_head WHERE id = 1`); n != 2 {
					t.Fatalf("audit head at %d, want 2", n)
				}
			})
		})
	}
}

// A transaction that only writes audit entries (a batch of reads' entries,
// say) writes them all, in order, as one stretch of the chain.
func TestATransactionOfAuditEntriesOnlyChainsThemAllInOrder(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		appendAudit(t, db, 1)
		if err := db.Update(ctx, func(tx *store.Tx) error {
			for _, d := range []string{"first", "second", "third"} {
				if err := tx.AppendAudit(audit.Entry{At: storetest.Start, ActorID: "user-cs-worker", Action: audit.ActionCaseListed, Detail: d}); err != nil {
					return err
				}
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		rows, err := db.SQL().QueryContext(ctx, `SELECT seq, detail FROM audit_log WHERE seq > 1 ORDER BY seq`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var got []string
		for rows.Next() {
			var seq int
			var d string
			if err := rows.Scan(&seq, &d); err != nil {
				t.Fatal(err)
			}
			got = append(got, d)
		}
		if len(got) != 3 || got[0] != "first" || got[1] != "second" || got[2] != "third" {
			t.Fatalf("entries %q, want first, second, third", got)
		}
		if n, err := db.VerifyAudit(nil); err != nil || n != 4 {
			t.Fatalf("verified %d entries, %v; want 4, nil", n, err)
		}
	})
}

// An entry appended earlier in a transaction is on the chain for any
// statement of the same transaction that reads the audit log (a check that
// looks for a marker entry, say): the transaction sees its own entries.
func TestATransactionSeesItsOwnAuditEntries(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		if err := db.Update(ctx, func(tx *store.Tx) error {
			if err := tx.AppendAudit(audit.Entry{At: storetest.Start, ActorID: "user-cs-worker", CaseID: "case-9", Action: audit.ActionCaseViewed}); err != nil {
				return err
			}
			entries, err := tx.AuditForCase("case-9")
			if err != nil {
				return err
			}
			if len(entries) != 1 || entries[0].Seq != 1 {
				t.Errorf("the transaction's own entry read back as %+v, want one entry at seq 1", entries)
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		if n, err := db.VerifyAudit(nil); err != nil || n != 1 {
			t.Fatalf("verified %d entries, %v; want 1, nil", n, err)
		}
	})
}

// An audit entry cannot be written in a read-only transaction: it is
// refused at once, never silently dropped.
func TestAnAuditEntryInAReadOnlyTransactionIsRefused(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		err := db.View(ctx, func(tx *store.Tx) error {
			return tx.AppendAudit(audit.Entry{At: storetest.Start, ActorID: "user-cs-worker", Action: audit.ActionCaseListed})
		})
		if err == nil {
			t.Fatal("an audit entry in a read-only transaction was accepted")
		}
	})
}

// On PostgreSQL a transaction that has appended an audit entry, or taken a
// contact reference, and is still working holds neither the chain's head
// nor the reference counter: another writer's transaction commits in the
// meantime, rather than waiting for it. (SQLite runs one writer at a time
// by design.) The held transaction then commits after it, onto the chain.
func TestAWriterStillWorkingHoldsNeitherTheAuditHeadNorTheReferenceCounter(t *testing.T) {
	if !storetest.WantPostgres(t) {
		t.Skip("PostgreSQL only: SQLite transactions are one at a time")
	}
	db := storetest.Postgres(t)
	holding, release, done := make(chan struct{}), make(chan struct{}), make(chan error, 1)
	var heldRef int64
	go func() {
		done <- db.Update(ctx, func(tx *store.Tx) error {
			if err := tx.AppendAudit(audit.Entry{At: storetest.Start, ActorID: "user-slow", Action: audit.ActionCaseListed, Detail: "slow"}); err != nil {
				return err
			}
			n, err := tx.NextNumber("contact-reference")
			if err != nil {
				return err
			}
			heldRef = n
			close(holding)
			<-release
			return nil
		})
	}()
	<-holding
	// Bounded so that the old behaviour fails rather than hangs: waiting
	// for the held transaction would never end, as it waits for this one.
	quick, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	var ref int64
	err := db.Update(quick, func(tx *store.Tx) error {
		var err error
		if ref, err = tx.NextNumber("contact-reference"); err != nil {
			return err
		}
		return tx.AppendAudit(audit.Entry{At: storetest.Start, ActorID: "user-quick", Action: audit.ActionCaseListed, Detail: "quick"})
	})
	close(release)
	if err != nil {
		t.Fatalf("a second writer waited for the first to commit: %v", err)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if heldRef == ref {
		t.Fatalf("both writers took reference %d", ref)
	}
	var first, second string
	if err := db.SQL().QueryRowContext(ctx, `SELECT (SELECT detail FROM audit_log WHERE seq = 1), (SELECT detail FROM audit_log WHERE seq = 2)`).Scan(&first, &second); err != nil {
		t.Fatal(err)
	}
	if first != "quick" || second != "slow" {
		t.Fatalf("chain holds %q then %q, want the entry committed first first", first, second)
	}
	if n, err := db.VerifyAudit(nil); err != nil || n != 2 {
		t.Fatalf("verified %d entries, %v; want 2, nil", n, err)
	}
}
