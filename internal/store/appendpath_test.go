package store_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"waymark/internal/pathway"
	"waymark/internal/store"
	"waymark/internal/storetest"
)

// The process keeps the search index key only once the transaction that
// made it has committed: a key made by a write that rolled back was never
// stored, and the next write makes and stores the one every process uses.
func TestASearchKeyMadeByAWriteThatRolledBackIsNotKept(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		clock := storetest.NewClock(storetest.Start)
		p := storetest.NewPartnership(t, db, clock)
		svc := storetest.Service(t, db, clock)
		rollBack := errors.New("rolled back")
		err := db.Update(ctx, func(tx *store.Tx) error {
			if _, err := tx.SearchCases(p.CSWorker.User.ID, p.CSWorker.User.OrgID, "Amira", 10); err != nil {
				return err
			}
			return rollBack
		})
		if !errors.Is(err, rollBack) {
			t.Fatalf("the write that makes the key: %v", err)
		}
		id, err := svc.RaiseConcern(ctx, p.Teacher, storetest.ValidConcern(clock.Now()))
		if err != nil {
			t.Fatal(err)
		}
		store.ForgetIndexKey(db) // as another process, or this one started again
		found, _, err := svc.SearchPage(ctx, p.Teacher, "Amira", nil)
		if err != nil || len(found) != 1 || found[0].ID != id {
			t.Fatalf("searching from a process that reads the stored key: %+v, %v", found, err)
		}
	})
}

// The authors of a case's events are checked against their sealed rows in
// one query for the people and one for the organisations, however many
// there are, and a renamed one is still shown as altered while the others
// keep their names.
func TestACasesAuthorsAreCheckedInOneQueryEachAndOnlyTheRenamedOneIsShownAsAltered(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		clock := storetest.NewClock(storetest.Start)
		p := storetest.NewPartnership(t, db, clock)
		svc := storetest.Service(t, db, clock)
		id, err := svc.RaiseConcern(ctx, p.Teacher, storetest.ValidConcern(clock.Now()))
		if err != nil {
			t.Fatal(err)
		}
		clock.Advance(time.Minute)
		if _, err := svc.RecordContact(ctx, p.CSWorker, id, 1, "phone", "Called by the school's DSL"); err != nil {
			t.Fatal(err)
		}
		behindWaymarksBack(t, db, `UPDATE users SET name = 'Mo Manager' WHERE id = 'user-teacher'`)
		var people, orgs int
		var mu sync.Mutex
		db.ObserveStatements(func(q string, _ int64) {
			mu.Lock()
			defer mu.Unlock()
			if strings.Contains(q, "FROM users u JOIN organisations o ON o.id = u.org_id WHERE u.id") {
				people++
			}
			if strings.Contains(q, "FROM organisations o WHERE o.id") {
				orgs++
			}
		})
		var events []pathway.Event
		err = db.Update(ctx, func(tx *store.Tx) error {
			events, err = tx.CaseEvents(id)
			return err
		})
		db.ObserveStatements(nil)
		if err != nil {
			t.Fatal(err)
		}
		if people != 1 || orgs != 1 {
			t.Errorf("the authors were read in %d queries of people and %d of organisations, want 1 and 1", people, orgs)
		}
		if len(events) != 2 {
			t.Fatalf("%d events, want 2", len(events))
		}
		for _, e := range events {
			switch e.Actor.UserID {
			case p.Teacher.User.ID:
				if e.Actor.Name != store.AlteredName {
					t.Errorf("event %d by the renamed teacher is shown as by %q", e.Seq, e.Actor.Name)
				}
			case p.CSWorker.User.ID:
				if e.Actor.Name != p.CSWorker.User.Name || e.Actor.OrgName == store.AlteredName {
					t.Errorf("event %d by the worker is shown as by %q (%q)", e.Seq, e.Actor.Name, e.Actor.OrgName)
				}
			}
		}
	})
}
