package store_test

import (
	"errors"
	"strings"
	"testing"

	"waymark"
	"waymark/internal/store"
	"waymark/internal/storetest"
)

// Drafts written before their writers were sealed (migration 0045) carry
// no seal, so until the first start with a master key after the upgrade
// they open for nobody; that start seals each as found, once, and records
// it in the keyed audit log. A draft given to someone else after that,
// its seal stripped, is not sealed again at the next start: it stays
// unopened, and verify names it.
func TestUpgradingSealsEachDraftsWriterAsFoundOnce(t *testing.T) {
	forEachStoreAtWithTwoPartnerships(t, "0044", func(t *testing.T, o oldRelease) {
		for _, u := range []struct{ id, org string }{{"u-north", "org-north-cs"}, {"u-south", "org-south-cs"}} {
			o.exec(`INSERT INTO users(id, org_id, email, name, role, password_hash, created_at) VALUES ($1, $2, $3, $1, 'social-worker', 'x', $4)`, u.id, u.org, u.id+"@cs.example", o.now)
		}
		o.exec(`INSERT INTO concern_drafts(id, user_id, data, version, created_at, updated_at, partnership_id) VALUES
			('d-north', 'u-north', '{}', 1, $1, $1, 'default'), ('d-south', 'u-south', '{}', 1, $1, $1, 'south')`, o.now)
		o.upgrade()
		if err := o.db.Update(o.ctx, func(tx *store.Tx) error {
			return errors.Join(tx.SealUserForTest("u-north"), tx.SealUserForTest("u-south"))
		}); err != nil {
			t.Fatal(err)
		}
		opens := func(db *store.DB, draft, writer string) error {
			t.Helper()
			return db.View(o.ctx, func(tx *store.Tx) error {
				_, err := tx.DraftFor(draft, writer)
				return err
			})
		}
		if err := opens(o.db, "d-north", "u-north"); waymark.ErrorCode(err) != waymark.ENOTFOUND {
			t.Errorf("before the first start, an unsealed draft opens: %v", err)
		}
		if _, err := o.db.SealIdentityAsFound(o.ctx, o.now); err != nil {
			t.Fatal(err)
		}
		for _, d := range [][2]string{{"d-north", "u-north"}, {"d-south", "u-south"}} {
			if err := opens(o.db, d[0], d[1]); err != nil {
				t.Errorf("after the first start %s does not open for its writer: %v", d[0], err)
			}
		}
		var detail string
		if err := o.db.SQL().QueryRowContext(o.ctx, `SELECT detail FROM audit_log WHERE action = 'drafts.writers_sealed'`).Scan(&detail); err != nil || !strings.Contains(detail, "2 drafts sealed as found") {
			t.Errorf("the audit log records %q, %v", detail, err)
		}

		o.exec(`UPDATE concern_drafts SET user_id = 'u-south', seal_key = '', mac = '' WHERE id = 'd-north'`)
		next := storetest.Reopen(t, o.db) // the next start
		if n, err := next.SealIdentityAsFound(o.ctx, o.now); err != nil || n != 0 {
			t.Errorf("the next start sealed %d rows as found, %v; want none", n, err)
		}
		if err := opens(next, "d-north", "u-south"); waymark.ErrorCode(err) != waymark.ENOTFOUND {
			t.Errorf("a draft given to another writer opens for them: %v", err)
		}
		_, err := next.Verify(o.ctx, store.VerifyOptions{})
		var te *store.TamperError
		if !errors.As(err, &te) || !strings.Contains(te.Reason, "concern draft d-north") {
			t.Errorf("verify: %v, want it to name the draft", err)
		}
	})
}
