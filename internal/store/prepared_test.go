package store_test

import (
	"testing"

	"waymark"
	"waymark/internal/audit"
	"waymark/internal/pathway"
	"waymark/internal/store"
	"waymark/internal/storetest"
)

// A case prepared outside the transaction (bulk loads) is stored as
// AppendEvents and SaveProjection store it: its events read back through
// their seals and data key, its read models equal a replay, and the audit
// entry after the append records its head.
func TestAPreparedCaseReadsBackAndVerifiesAsAnAppendedOne(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		e := concernRaised(t, "case-1", storetest.Start)
		c := pathway.Replay([]pathway.Event{e})
		err := db.Update(ctx, func(tx *store.Tx) error {
			prep, err := tx.CasePreparer()
			if err != nil {
				return err
			}
			pc, err := prep.NewCase(c, [][]pathway.Event{{e}}, e.At)
			if err != nil {
				return err
			}
			if err := tx.AppendPrepared(pc, 0); err != nil {
				return err
			}
			if err := tx.AppendAudit(audit.Entry{At: e.At, ActorID: e.Actor.UserID, OrgID: e.Actor.OrgID, CaseID: "case-1", Action: audit.ActionConcernRaised}); err != nil {
				return err
			}
			return tx.SavePreparedProjection(pc)
		})
		if err != nil {
			t.Fatal(err)
		}
		got, err := loadRaw(db, "case-1")
		if err != nil || got.Version != 1 || got.Concern.Child.GivenNames != c.Concern.Child.GivenNames {
			t.Fatalf("loaded %+v, %v", got, err)
		}
		if _, err := db.Verify(ctx, store.VerifyOptions{ReadModels: true}); err != nil {
			t.Fatalf("verify: %v", err)
		}
		if _, err := db.VerifyAudit(nil); err != nil {
			t.Fatalf("audit verify: %v", err)
		}
	})
}

// A prepared case is only ever a new one: one whose id already has events
// (and a data key) is refused as a conflict and nothing is written, and
// its read models cannot be saved without its events in the transaction.
func TestAPreparedCaseThatIsNotNewIsAConflictAndWritesNothing(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		raiseRaw(t, db, "case-1")
		e := concernRaised(t, "case-1", storetest.Start.Add(1))
		var pc *store.PreparedCase
		err := db.Update(ctx, func(tx *store.Tx) error {
			prep, err := tx.CasePreparer()
			if err != nil {
				return err
			}
			pc, err = prep.NewCase(pathway.Replay([]pathway.Event{e}), [][]pathway.Event{{e}}, e.At)
			if err != nil {
				return err
			}
			return tx.AppendPrepared(pc, 0)
		})
		if waymark.ErrorCode(err) != waymark.ECONFLICT {
			t.Fatalf("a prepared case over an existing one: %v, want ECONFLICT", err)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM case_events WHERE case_id = $1`, "case-1"); n != 1 {
			t.Fatalf("%d events, want 1", n)
		}
		if err := db.Update(ctx, func(tx *store.Tx) error { return tx.SavePreparedProjection(pc) }); err == nil {
			t.Fatal("read models saved without their events")
		}
		if _, err := db.Verify(ctx, store.VerifyOptions{ReadModels: true}); err != nil {
			t.Fatalf("verify: %v", err)
		}
	})
}
