package store_test

import (
	"errors"
	"strings"
	"testing"

	"waymark/internal/audit"
	"waymark/internal/store"
	"waymark/internal/storetest"
)

// A key line with the id of the key the database was written with and other
// bytes (mistyped, truncated, made again) is told apart before anything is
// written with it: by a data key under it that does not unwrap, or, when it
// wraps none, by the newest audit entry's seal. The right key, a database
// with nothing under the key, and a key the file lacks (keys check's and
// /readyz's to report) all pass.
func TestAKeyWithTheRightIDAndOtherBytesIsToldApartBeforeAnythingIsWritten(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		k1 := newKeyLine(t)
		k1ID, _, _ := strings.Cut(k1, ":")
		_, otherBytes, _ := strings.Cut(newKeyLine(t), ":")
		wrong := k1ID + ":" + otherBytes

		db.SetKeyRing(newRing(t, k1))
		if err := db.CheckKeysMatch(ctx); err != nil {
			t.Fatalf("an empty database: %v", err)
		}
		// Only audit entries sealed under k1 so far: the seal tells.
		if err := db.Update(ctx, func(tx *store.Tx) error {
			return tx.AppendAudit(audit.Entry{At: storetest.Start, ActorID: "operator", Action: "keys.rotated"})
		}); err != nil {
			t.Fatal(err)
		}
		if err := db.CheckKeysMatch(ctx); err != nil {
			t.Fatalf("the right key, audit entries only: %v", err)
		}
		db.SetKeyRing(newRing(t, wrong))
		var mismatch *store.KeyMismatchError
		if err := db.CheckKeysMatch(ctx); !errors.As(err, &mismatch) || mismatch.ID != k1ID || !strings.Contains(err.Error(), "audit entry") {
			t.Fatalf("the wrong bytes, audit entries only: %v", err)
		}
		// A case: its data key is wrapped under k1, and tells first.
		db.SetKeyRing(newRing(t, k1))
		raiseRaw(t, db, "case-a")
		if err := db.CheckKeysMatch(ctx); err != nil {
			t.Fatalf("the right key: %v", err)
		}
		db.SetKeyRing(newRing(t, wrong))
		if err := db.CheckKeysMatch(ctx); !errors.As(err, &mismatch) || mismatch.ID != k1ID || !strings.Contains(err.Error(), "unwrap") {
			t.Fatalf("the wrong bytes: %v", err)
		}
		// The wrong bytes staged next to the right key are found too.
		db.SetKeyRing(newRing(t, newKeyLine(t), wrong+" unwrap-only"))
		if err := db.CheckKeysMatch(ctx); !errors.As(err, &mismatch) {
			t.Fatalf("the wrong bytes, unwrap-only: %v", err)
		}
		// A file lacking k1 is not this check's to refuse.
		db.SetKeyRing(newRing(t, newKeyLine(t)))
		if err := db.CheckKeysMatch(ctx); err != nil {
			t.Fatalf("without k1: %v", err)
		}
	})
}
