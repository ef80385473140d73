package store_test

import (
	"fmt"
	"strings"
	"sync"
	"testing"

	"waymark/internal/store"
	"waymark/internal/storetest"
)

// A key filing more than store.HotMatchKey cases is too common to compare
// on. A raise finds its child's such keys in a snapshot (HotMatchKeys) and
// its write walks only the others (MatchCandidatesKnowingHot), with the
// same candidates as a walk of every key.
func TestAKeyFoundTooCommonBeforeTheWriteIsNotWalkedAgain(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		const common, rare = "common-key", "rare-key"
		if err := db.Update(ctx, func(tx *store.Tx) error {
			for i := range store.HotMatchKey + 1 {
				if _, err := tx.SQLForTest(`INSERT INTO person_match_keys(key_hash, case_id) VALUES ($1, $2)`, common, fmt.Sprintf("c%05d", i)); err != nil {
					return err
				}
			}
			for _, id := range []string{"c00001", "r1", "r2"} {
				if _, err := tx.SQLForTest(`INSERT INTO person_match_keys(key_hash, case_id) VALUES ($1, $2)`, rare, id); err != nil {
					return err
				}
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		keys := []string{common, rare}
		var hot map[string]bool
		if err := db.View(ctx, func(tx *store.Tx) error {
			var err error
			hot, err = tx.HotMatchKeys(keys)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		if len(hot) != 1 || !hot[common] {
			t.Fatalf("the keys found too common: %v, want only %s", hot, common)
		}
		var walks int
		var mu sync.Mutex
		db.ObserveStatements(func(q string, _ int64) {
			if strings.Contains(q, "FROM person_match_keys WHERE key_hash") {
				mu.Lock()
				walks++
				mu.Unlock()
			}
		})
		var all, knowing []store.MatchCandidate
		var skipped int
		var left map[string]bool
		err := db.View(ctx, func(tx *store.Tx) error {
			var err error
			if all, skipped, err = tx.MatchCandidates(keys, "", 20); err != nil {
				return err
			}
			walks = 0
			knowing, left, err = tx.MatchCandidatesKnowingHot(keys, hot, "", 20)
			return err
		})
		db.ObserveStatements(nil)
		if err != nil {
			t.Fatal(err)
		}
		if walks != 1 {
			t.Errorf("knowing the common key, %d keys were walked, want only the rare one", walks)
		}
		if skipped != 1 || len(left) != 1 || !left[common] {
			t.Errorf("left out: %d by a walk of every key, %v knowing, want the common key by both", skipped, left)
		}
		if fmt.Sprint(all) != fmt.Sprint(knowing) || len(all) != 3 {
			t.Errorf("candidates walking every key %v, knowing the common one %v: want the same three", all, knowing)
		}
	})
}
