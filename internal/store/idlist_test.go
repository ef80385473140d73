package store_test

import (
	"errors"
	"testing"

	"waymark"
	"waymark/internal/store"
	"waymark/internal/storetest"
)

// Ids in a list reach the database as they are, whatever they hold, and
// one no row can hold is refused as every other text is: a clear "invalid"
// on both stores, before the statement runs, so the transaction goes on.
// On PostgreSQL a list is one array parameter (idList), which the check of
// single text arguments alone would not see.
func TestAListOfIdsIsCheckedAndQuotedLikeAnyText(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		awkward := []string{`a'b`, `a"b`, "a,b", "{a}", `a\b`, "NULL", "null", "", " x ", "}{", `"`, `\`, "ü"}
		err := db.View(t.Context(), func(tx *store.Tx) error {
			filed, err := tx.StillFiled(awkward)
			if err != nil {
				t.Fatalf("awkward ids: %v", err)
			}
			if len(filed) != 0 {
				t.Errorf("awkward ids found %v", filed)
			}
			for _, bad := range []string{"a\x00b", "\xff\xfe"} {
				_, err := tx.StillFiled([]string{"fine", bad})
				var we *waymark.Error
				if !errors.As(err, &we) || we.Code != waymark.EINVALID {
					t.Errorf("an id holding %q: %v, want an invalid-input error", bad, err)
				}
			}
			_, err = tx.StillFiled([]string{"fine"})
			return err // the transaction is still usable
		})
		if err != nil {
			t.Fatal(err)
		}
	})
}
