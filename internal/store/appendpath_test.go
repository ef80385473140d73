package store_test

import (
	"context"
	"errors"
	"testing"

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
		found, err := svc.Search(ctx, p.Teacher, "Amira")
		if err != nil || len(found) != 1 || found[0].ID != id {
			t.Fatalf("searching from a process that reads the stored key: %+v, %v", found, err)
		}
	})
}
