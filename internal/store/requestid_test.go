package store_test

import (
	"testing"
	"time"

	"waymark/internal/audit"
	"waymark/internal/store"
	"waymark/internal/storetest"
)

// An audit log written before request ids were recorded (schema 0013, the
// old columns, keyed seals as they were then) still verifies after the
// upgrade, with entries written for web requests appended after it; the
// request id those carry is under their seal, so removing it is tampering.
func TestAnAuditLogWrittenBeforeRequestIDsStillVerifiesAndNewEntriesSealTheirs(t *testing.T) {
	open := map[string]func(testing.TB, string) *store.DB{"sqlite": storetest.SQLiteAt, "postgres": storetest.PostgresAt}
	names := []string{"sqlite"}
	if storetest.WantPostgres(t) {
		names = append(names, "postgres")
	}
	for _, name := range names {
		t.Run(name, func(t *testing.T) {
			db := open[name](t, "0013")
			ring := storetest.KeyRing()
			keyID := ring.Primary()
			key, err := ring.SealKey(keyID)
			if err != nil {
				t.Fatal(err)
			}
			// What the release before wrote, column for column.
			at := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
			var seq int64
			prev := ""
			for i := range 3 {
				e := audit.SealKeyed(audit.Entry{At: at.Add(time.Duration(i) * time.Minute), ActorID: "user-1", OrgID: "org-1", Action: audit.ActionSignIn}, seq, prev, keyID, key, 1)
				if _, err := db.SQL().Exec(`INSERT INTO audit_log(seq, at, actor_id, org_id, case_id, action, detail, prev_hash, hash, key_id, heads) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
					e.Seq, e.At, e.ActorID, e.OrgID, e.CaseID, e.Action, e.Detail, e.PrevHash, e.Hash, e.KeyID, e.Heads); err != nil {
					t.Fatal(err)
				}
				seq, prev = e.Seq, e.Hash
			}
			if _, err := db.SQL().Exec(`UPDATE audit_head SET seq = $1, hash = $2, keyed_from = 1 WHERE id = 1`, seq, prev); err != nil {
				t.Fatal(err)
			}
			if err := db.Migrate(ctx); err != nil {
				t.Fatal(err)
			}
			if n, err := db.VerifyAudit(nil); err != nil || n != 3 {
				t.Fatalf("the old log after the upgrade: %d entries, %v", n, err)
			}
			write := func(rid string) {
				c := ctx
				if rid != "" {
					c = audit.WithRequestID(ctx, rid)
				}
				if err := db.Update(c, func(tx *store.Tx) error {
					return tx.AppendAudit(audit.Entry{At: at.Add(time.Hour), ActorID: "user-1", OrgID: "org-1", Action: audit.ActionSignOut})
				}); err != nil {
					t.Fatal(err)
				}
			}
			write("4bf92f3577b34da6")
			write("")
			if n, err := db.VerifyAudit(nil); err != nil || n != 5 {
				t.Fatalf("old and new entries: %d entries, %v", n, err)
			}
			if _, err := db.Verify(ctx, store.VerifyOptions{ReadModels: true}); err != nil {
				t.Fatalf("waymark verify's check: %v", err)
			}
			var rid string
			if err := db.SQL().QueryRow(`SELECT request_id FROM audit_log WHERE seq = 4`).Scan(&rid); err != nil || rid != "4bf92f3577b34da6" {
				t.Fatalf("entry 4 carries request id %q (%v)", rid, err)
			}
			if _, err := db.SQL().Exec(`UPDATE audit_log SET request_id = '' WHERE seq = 4`); err != nil {
				t.Fatal(err)
			}
			if _, err := db.VerifyAudit(nil); err == nil {
				t.Fatal("an entry whose request id was removed still verified")
			}
		})
	}
}
