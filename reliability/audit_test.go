package reliability

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"waymark/internal/audit"
	"waymark/internal/store"
)

// An entry forged into the audit chain behind the application's back is
// found by `waymark audit verify`, on both stores: inserted between two
// entries (the later entries renumbered to make room, the forged entry
// itself correctly sealed after the one before it), or added after the last
// entry without moving the chain's head.
//
// The chain is keyed, so a forged entry sealed with plain SHA-256 is
// refused itself. Cutting the tail and moving audit_head is found with a
// signed checkpoint kept elsewhere (sealed_test.go, docs/operations.md).
func TestAuditVerifyFindsAnInsertedEntry(t *testing.T) {
	const entries = 8
	for _, tc := range []struct {
		name   string
		insert func(t *testing.T, db *store.DB)
		want   string
	}{
		{"between two entries", func(t *testing.T, db *store.DB) {
			// Make room after entry 4, then seal a forged entry onto entry 4.
			execSQL(t, db, `UPDATE audit_log SET seq = -seq WHERE seq > 4`)
			execSQL(t, db, `UPDATE audit_log SET seq = 1 - seq WHERE seq < 0`)
			prev := entry(t, db, 4)
			forged := audit.Seal(audit.Entry{At: prev.At.Add(time.Second), ActorID: "user-forger", CaseID: prev.CaseID, Action: audit.ActionCaseViewed, Detail: "forged"}, 4, prev.Hash)
			insertEntry(t, db, forged)
			execSQL(t, db, `UPDATE audit_head SET seq = seq + 1`)
		}, "entry 5"}, // the forgery itself: it has no keyed seal
		{"after the last entry, head not moved", func(t *testing.T, db *store.DB) {
			last := entry(t, db, entries)
			insertEntry(t, db, audit.Seal(audit.Entry{At: last.At.Add(time.Second), ActorID: "user-forger", Action: audit.ActionSignIn, Detail: "forged"}, entries, last.Hash))
		}, fmt.Sprintf("entry %d", entries+1)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			forEachTarget(t, func(t *testing.T, tg *target) {
				db := tg.open(t)
				// A partnership, so the administrative commands take it for the right
				// database; adding it writes the first of the entries.
				if err := db.Update(context.Background(), func(tx *store.Tx) error {
					return tx.InsertOrganisation(store.Organisation{ID: "org-school", Name: "School", Kind: "school", CreatedAt: time.Now()})
				}); err != nil {
					t.Fatal(err)
				}
				for i := range entries - 1 { // the organisation's entry is the first
					e := audit.Entry{At: time.Now().UTC(), ActorID: "user-teacher", OrgID: "org-school", CaseID: "case-1", Action: audit.ActionCaseViewed, Detail: fmt.Sprintf("view %d", i+1)}
					if err := db.Update(context.Background(), func(tx *store.Tx) error { return tx.AppendAudit(e) }); err != nil {
						t.Fatal(err)
					}
				}
				tg.release(t)
				if out, err := waymark(t, "audit", "verify", "--database", tg.url); err != nil || !strings.Contains(out, fmt.Sprintf("%d entries", entries)) {
					t.Fatalf("untouched chain: %v\n%s", err, out)
				}
				tc.insert(t, tg.open(t))
				tg.release(t)
				out, err := waymark(t, "audit", "verify", "--database", tg.url)
				if err == nil {
					t.Fatalf("the chain with an inserted entry verified:\n%s", out)
				}
				if !strings.Contains(out, "FAILED") || !strings.Contains(out, tc.want) {
					t.Fatalf("report %q does not name %s", out, tc.want)
				}
				t.Logf("%s", strings.TrimSpace(out))
			})
		})
	}
}

func execSQL(t *testing.T, db *store.DB, q string, args ...any) {
	t.Helper()
	if _, err := db.SQL().Exec(q, args...); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
}

func entry(t *testing.T, db *store.DB, seq int64) audit.Entry {
	t.Helper()
	var e audit.Entry
	err := db.SQL().QueryRow(`SELECT seq, at, actor_id, org_id, case_id, action, detail, prev_hash, hash FROM audit_log WHERE seq = $1`, seq).
		Scan(&e.Seq, &e.At, &e.ActorID, &e.OrgID, &e.CaseID, &e.Action, &e.Detail, &e.PrevHash, &e.Hash)
	if err != nil {
		t.Fatalf("reading audit entry %d: %v", seq, err)
	}
	return e
}

func insertEntry(t *testing.T, db *store.DB, e audit.Entry) {
	t.Helper()
	execSQL(t, db, `INSERT INTO audit_log(seq, at, actor_id, org_id, case_id, action, detail, prev_hash, hash) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
		e.Seq, e.At, e.ActorID, e.OrgID, e.CaseID, e.Action, e.Detail, e.PrevHash, e.Hash)
}
