package store_test

import (
	"errors"
	"strings"
	"testing"
	"time"

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
		upgradedDrafts(t, o)
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
		for _, d := range [][2]string{{"d-north", "u-north"}, {"d-a", "u-south"}} {
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

// upgradedDrafts sets up the previous release with a writer in each of two
// partnerships and a draft of each (d-a in Southshire, d-north in the
// first), then upgrades it, before its first start with the master key.
func upgradedDrafts(t *testing.T, o oldRelease) {
	t.Helper()
	for _, u := range []struct{ id, org string }{{"u-north", "org-north-cs"}, {"u-south", "org-south-cs"}} {
		o.exec(`INSERT INTO users(id, org_id, email, name, role, password_hash, created_at) VALUES ($1, $2, $3, $1, 'social-worker', 'x', $4)`, u.id, u.org, u.id+"@cs.example", o.now)
	}
	o.exec(`INSERT INTO concern_drafts(id, user_id, data, version, created_at, updated_at, partnership_id) VALUES
		('d-a', 'u-south', '{}', 1, $1, $1, 'south'), ('d-north', 'u-north', '{}', 1, $1, $1, 'default')`, o.now)
	o.upgrade()
	if err := o.db.Update(o.ctx, func(tx *store.Tx) error {
		return errors.Join(tx.SealUserForTest("u-north"), tx.SealUserForTest("u-south"))
	}); err != nil {
		t.Fatal(err)
	}
}

// draftWriters is upgradedDrafts then the first start, which seals the
// drafts' writers as found.
func draftWriters(t *testing.T, o oldRelease) {
	t.Helper()
	upgradedDrafts(t, o)
	if _, err := o.db.SealIdentityAsFound(o.ctx, o.now); err != nil {
		t.Fatal(err)
	}
}

// The pass that seals drafts as found does not run again for someone who
// gives a draft to themselves, strips its seal, garbles another draft's and
// deletes the pass's audit entry: any draft that still carries a seal shows
// the pass ran, so the draft stays unopened. (Stripping every draft's seal
// as well gets them all sealed again, but the deleted entry breaks the
// audit chain, and verify reports that; as for identity sealing.)
func TestADraftGivenAwayIsNotSealedForItsNewWriterWhenThePassesEntryIsDeleted(t *testing.T) {
	forEachStoreAtWithTwoPartnerships(t, "0044", func(t *testing.T, o oldRelease) {
		draftWriters(t, o)
		o.exec(`UPDATE concern_drafts SET user_id = 'u-south', partnership_id = 'south', seal_key = '', mac = '' WHERE id = 'd-north'`)
		o.exec(`UPDATE concern_drafts SET mac = 'deadbeef' WHERE id = 'd-a'`)
		o.exec(`DELETE FROM audit_log WHERE action = 'drafts.writers_sealed'`)
		next := storetest.Reopen(t, o.db) // the next start
		if n, err := next.SealIdentityAsFound(o.ctx, o.now); err != nil || n != 0 {
			t.Errorf("the next start sealed %d rows as found, %v; want none", n, err)
		}
		if err := next.View(o.ctx, func(tx *store.Tx) error {
			_, err := tx.DraftFor("d-north", "u-south")
			return err
		}); waymark.ErrorCode(err) != waymark.ENOTFOUND {
			t.Errorf("the draft given away opens for its new writer: %v", err)
		}
	})
}

// A draft given to a person of another partnership and filed there behind
// Waymark's back is on no retention review: not listed, and not opened by
// id for keeping or deleting.
func TestADraftGivenToAnotherPartnershipIsOnNoReview(t *testing.T) {
	forEachStoreAtWithTwoPartnerships(t, "0044", func(t *testing.T, o oldRelease) {
		draftWriters(t, o)
		old := o.now.AddDate(0, 0, -60)
		if err := o.db.Update(o.ctx, func(tx *store.Tx) error {
			return tx.InsertDraft(store.Draft{ID: "d-given", UserID: "u-north", Data: []byte(`{}`), CreatedAt: old})
		}); err != nil {
			t.Fatal(err)
		}
		o.exec(`UPDATE concern_drafts SET updated_at = $1`, old) // every draft due
		listed := func() (ids []string) {
			t.Helper()
			if err := o.db.View(o.ctx, func(tx *store.Tx) error {
				due, _, err := tx.UnsentDraftsDuePage("south", o.now.AddDate(0, 0, -30), o.now, nil, 10)
				for _, d := range due {
					ids = append(ids, d.DraftID)
				}
				return err
			}); err != nil {
				t.Fatal(err)
			}
			return ids
		}
		if got := listed(); len(got) != 1 || got[0] != "d-a" {
			t.Fatalf("Southshire's review before: %q, want its own draft d-a", got)
		}
		o.exec(`UPDATE concern_drafts SET user_id = 'u-south', partnership_id = 'south' WHERE id = 'd-given'`)
		if got := listed(); len(got) != 1 || got[0] != "d-a" {
			t.Errorf("Southshire's review lists %q, want only its own draft d-a", got)
		}
		if err := o.db.View(o.ctx, func(tx *store.Tx) error {
			_, err := tx.UnsentDraft("south", "d-given")
			return err
		}); waymark.ErrorCode(err) != waymark.ENOTFOUND {
			t.Errorf("Southshire's review opens the draft given to it: %v", err)
		}
	})
}

// Someone with write access to the database file but not the master key
// cannot put words into a child's concern by writing plain text over a
// draft's sealed contents: Waymark writes no draft in plain text once the
// database holds data keys, so such a draft opens, lists and saves for
// nobody, verify names it, and the next start seals the text (nothing is
// left in plain text) without giving it back to its writer.
func TestADraftsContentsReplacedWithPlainTextOpenForNobody(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		p := storetest.NewPartnership(t, db, storetest.NewClock(storetest.Start))
		writer := p.Teacher.User.ID
		if err := db.Update(ctx, func(tx *store.Tx) error {
			return errors.Join(
				tx.InsertDraft(store.Draft{ID: "d-typed", UserID: writer, Data: []byte(`{"child":"Amira"}`), CreatedAt: storetest.Start}),
				tx.InsertDraft(store.Draft{ID: "d-kept", UserID: writer, Data: []byte(`{"child":"Sami"}`), CreatedAt: storetest.Start}))
		}); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Verify(ctx, store.VerifyOptions{}); err != nil {
			t.Fatalf("verify before: %v", err)
		}
		forged := `{"child":"Amira","concern":"nothing to worry about"}`
		if _, err := db.SQL().ExecContext(ctx, `UPDATE concern_drafts SET data = $1 WHERE id = 'd-typed'`, forged); err != nil {
			t.Fatal(err)
		}
		check := func(db *store.DB, when string) {
			t.Helper()
			if err := db.View(ctx, func(tx *store.Tx) error {
				if d, err := tx.DraftFor("d-typed", writer); waymark.ErrorCode(err) != waymark.ENOTFOUND {
					t.Errorf("%s: the draft opens for its writer: %q, %v", when, d.Data, err)
				}
				open, err := tx.OpenDrafts(writer)
				if err != nil || len(open) != 1 || open[0].ID != "d-kept" || string(open[0].Data) != `{"child":"Sami"}` {
					t.Errorf("%s: the writer's drafts are %+v, %v; want d-kept alone", when, open, err)
				}
				return nil
			}); err != nil {
				t.Fatal(err)
			}
			if err := db.Update(ctx, func(tx *store.Tx) error {
				_, err := tx.UpdateDraft("d-typed", writer, 1, []byte(`{"child":"Amira","more":"x"}`), storetest.Start)
				return err
			}); waymark.ErrorCode(err) != waymark.ENOTFOUND {
				t.Errorf("%s: a save over the draft: %v, want not found", when, err)
			}
			_, err := db.Verify(ctx, store.VerifyOptions{})
			var te *store.TamperError
			if !errors.As(err, &te) || !strings.Contains(te.Reason, "concern draft d-typed") || strings.Contains(te.Reason, "d-kept") {
				t.Errorf("%s: verify says %v, want it to name d-typed alone", when, err)
			}
		}
		check(db, "while running")

		next := storetest.Reopen(t, db) // the next start
		if n, err := next.SealPlaintext(ctx); err != nil || n != 1 {
			t.Fatalf("the next start sealed %d rows, %v; want the forged draft", n, err)
		}
		var data string
		if err := next.SQL().QueryRowContext(ctx, `SELECT data FROM concern_drafts WHERE id = 'd-typed'`).Scan(&data); err != nil || strings.Contains(data, "worry") {
			t.Fatalf("after the next start the draft holds %q, %v: still in plain text", data, err)
		}
		check(next, "after the next start")
	})
}

// A draft typed before encryption was turned on is its writer's after the
// first start with a master key, as it was before: only plain text found
// once the database already held data keys is refused.
func TestADraftTypedBeforeEncryptionOpensAfterTheFirstStartWithAKey(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		db.SetKeyRing(nil)
		p := storetest.NewPartnership(t, db, storetest.NewClock(storetest.Start))
		writer := p.Teacher.User.ID
		if err := db.Update(ctx, func(tx *store.Tx) error {
			return tx.InsertDraft(store.Draft{ID: "d-early", UserID: writer, Data: []byte(`{"child":"Amira"}`), CreatedAt: storetest.Start})
		}); err != nil {
			t.Fatal(err)
		}
		next := storetest.Reopen(t, db) // the first start with a key
		next.SetKeyRing(storetest.KeyRing())
		if n, err := next.SealPlaintext(ctx); err != nil || n != 1 {
			t.Fatalf("the first start with a key sealed %d rows, %v; want the draft", n, err)
		}
		if _, err := next.SealIdentityAsFound(ctx, storetest.Start); err != nil {
			t.Fatal(err)
		}
		if err := next.View(ctx, func(tx *store.Tx) error {
			d, err := tx.DraftFor("d-early", writer)
			if err != nil || string(d.Data) != `{"child":"Amira"}` {
				t.Errorf("the draft typed before encryption, after the first start with a key: %q, %v", d.Data, err)
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		if _, err := next.Verify(ctx, store.VerifyOptions{}); err != nil {
			t.Errorf("verify after the first start with a key: %v", err)
		}
	})
}

// The other ways of writing over a draft's contents without the master
// key end as plain text does: the draft opens for nobody, its writer's
// other drafts still list, a save does not seal over it, verify names it,
// and the next start goes ahead. Sealed text that does not open; text
// spelt with the sealed prefix in capitals (SQLite's LIKE ignores case,
// the sealing code does not); text written into a sent draft of a case
// since erased, whose key is destroyed, so nothing can seal it; and a
// draft whose data key was deleted, changed or marked destroyed.
func TestADraftsContentsGarbledOrForgedOtherwiseOpenForNobodyAndNeverStopAStart(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		p := storetest.NewPartnership(t, db, storetest.NewClock(storetest.Start))
		writer := p.Teacher.User.ID
		raiseRaw(t, db, "case-erased")
		if err := db.Update(ctx, func(tx *store.Tx) error {
			for _, id := range []string{"d-garbled", "d-capitals", "d-kept", "d-sent", "d-keyless", "d-rewrapped", "d-destroyed"} {
				if err := tx.InsertDraft(store.Draft{ID: id, UserID: writer, Data: []byte(`{"child":"Amira"}`), CreatedAt: storetest.Start}); err != nil {
					return err
				}
			}
			if err := tx.MarkDraftSubmitted("d-sent", "case-erased"); err != nil {
				return err
			}
			return tx.EraseCase(store.Erasure{CaseID: "case-erased", At: storetest.Start.Add(time.Hour), By: "user-lead", Reason: "Raised about the wrong child", LegalBasis: "Article 17(1)(d)"})
		}); err != nil {
			t.Fatal(err)
		}
		for id, text := range map[string]string{
			"d-garbled":  `wm1:bm90IHNlYWxlZCBieSBXYXltYXJr`,
			"d-capitals": `WM1:{"child":"Amira","concern":"nothing to worry about"}`,
			"d-sent":     `{"child":"Amira","concern":"nothing to worry about"}`,
		} {
			if _, err := db.SQL().ExecContext(ctx, `UPDATE concern_drafts SET data = $1 WHERE id = $2`, text, id); err != nil {
				t.Fatal(err)
			}
		}
		// Its data key deleted, changed, or marked destroyed while unsent
		// (only erasing the case a draft became destroys a draft's key).
		for _, q := range []string{
			`DELETE FROM data_keys WHERE owner_kind = 'draft' AND owner_id = 'd-keyless'`,
			`UPDATE data_keys SET wrapped = 'AAAA' WHERE owner_kind = 'draft' AND owner_id = 'd-rewrapped'`,
			`UPDATE data_keys SET destroyed_at = created_at, wrapped = '' WHERE owner_kind = 'draft' AND owner_id = 'd-destroyed'`,
		} {
			if _, err := db.SQL().ExecContext(ctx, q); err != nil {
				t.Fatal(err)
			}
		}
		check := func(db *store.DB, when string, plain int) {
			t.Helper()
			if err := db.View(ctx, func(tx *store.Tx) error {
				for _, id := range []string{"d-garbled", "d-capitals", "d-sent", "d-keyless", "d-rewrapped", "d-destroyed"} {
					if d, err := tx.DraftFor(id, writer); waymark.ErrorCode(err) != waymark.ENOTFOUND {
						t.Errorf("%s: %s opens for its writer: %q, %v", when, id, d.Data, err)
					}
				}
				open, err := tx.OpenDrafts(writer)
				if err != nil || len(open) != 1 || open[0].ID != "d-kept" {
					t.Errorf("%s: the writer's drafts are %+v, %v; want d-kept alone", when, open, err)
				}
				return nil
			}); err != nil {
				t.Fatal(err)
			}
			for _, id := range []string{"d-garbled", "d-capitals", "d-keyless", "d-rewrapped", "d-destroyed"} {
				if err := db.Update(ctx, func(tx *store.Tx) error {
					_, err := tx.UpdateDraft(id, writer, 1, []byte(`{"child":"Amira","more":"x"}`), storetest.Start)
					return err
				}); waymark.ErrorCode(err) != waymark.ENOTFOUND {
					t.Errorf("%s: a save over %s: %v, want not found", when, id, err)
				}
			}
			_, err := db.Verify(ctx, store.VerifyOptions{})
			var te *store.TamperError
			named := errors.As(err, &te)
			for _, id := range []string{"d-capitals", "d-garbled", "d-sent", "d-keyless", "d-rewrapped", "d-destroyed"} {
				named = named && strings.Contains(te.Reason, id)
			}
			if !named || strings.Contains(te.Reason, "d-kept") {
				t.Errorf("%s: verify says %v, want it to name the six drafts and no other", when, err)
			}
			if r, err := db.KeyReport(ctx); err != nil || r.PlainDrafts != plain {
				t.Errorf("%s: the key report counts %d drafts in plain text (%v), want %d", when, r.PlainDrafts, err, plain)
			}
		}
		check(db, "while running", 2)   // the capitals and the erased case's
		next := storetest.Reopen(t, db) // the next start
		if _, err := next.SealPlaintext(ctx); err != nil {
			t.Fatalf("the next start fails: %v", err)
		}
		// The capitals are sealed where LIKE tells them from the prefix
		// (PostgreSQL); nothing can seal the erased case's.
		left := 1
		if db.Dialect == store.SQLite {
			left = 2
		}
		check(next, "after the next start", left)
	})
}
