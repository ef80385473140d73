package casework_test

import (
	"testing"

	"waymark"
	"waymark/internal/store"
	"waymark/internal/storetest"
)

// TestAForgedLinkedTeamRowOpensNothingAndVerifyNamesIt: a link confirmed
// and then undone leaves read models `waymark verify` accepts; a member row
// for the unlinked team written behind Waymark's back, to give it the
// earlier case again, opens nothing and verify names it (issue 14 §1, §6.5).
func TestAForgedLinkedTeamRowOpensNothingAndVerifyNamesIt(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		w := newLinkWorld(t, db)
		id := w.ask()
		if err := w.svc.ConfirmLink(w.ctx, w.CSWorker, w.first, id); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Verify(w.ctx, store.VerifyOptions{ReadModels: true}); err != nil {
			t.Fatalf("verify after a link: %v", err)
		}
		if err := w.svc.Unlink(w.ctx, w.CSWorker, w.first, id, "The DNA result shows a different child"); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Verify(w.ctx, store.VerifyOptions{ReadModels: true}); err != nil {
			t.Fatalf("verify after an unlink: %v", err)
		}
		if _, err := db.SQL().Exec(`INSERT INTO case_members(case_id, member_kind, member_id, role) VALUES ($1, 'org', $2, 'linked_case')`, w.first, w.south.User.OrgID); err != nil {
			t.Fatal(err)
		}
		if _, err := w.svc.Case(w.ctx, w.south, w.first); waymark.ErrorCode(err) != waymark.ENOTFOUND {
			t.Errorf("a forged linked-team row opened the earlier case: %v", err)
		}
		if list, _, err := w.svc.SearchPage(w.ctx, w.south, "Amira", nil); err != nil || len(list) != 0 {
			t.Errorf("a forged linked-team row let the search find it: %+v %v", list, err)
		}
		if _, err := db.Verify(w.ctx, store.VerifyOptions{ReadModels: true}); err == nil {
			t.Errorf("verify did not name the forged linked-team row")
		}
	})
}
