package store_test

import (
	"errors"
	"strings"
	"testing"

	"waymark/internal/audit"
	"waymark/internal/pathway"
	"waymark/internal/store"
	"waymark/internal/storetest"
)

// A history written without a master key (--insecure-no-encryption, or
// before this release) is sealed as found, once, by `waymark seal-history` with
// a key; from then on an unsealed event is tampering.
func TestHistoryWrittenWithoutAKeyIsSealedOnceAsFound(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		db.SetKeyRing(nil)
		raiseRaw(t, db, "case-a")
		raiseRaw(t, db, "case-b")
		appendAudit(t, db, 3)
		r, err := db.Verify(ctx, store.VerifyOptions{ReadModels: true})
		if err != nil || !r.Unsealed {
			t.Fatalf("the unsealed history: %+v %v", r, err)
		}
		db.SetKeyRing(storetest.KeyRing())
		if _, err := db.SealPlaintext(ctx); err != nil {
			t.Fatal(err)
		}
		n, err := db.SealHistory(ctx, storetest.Start, nil)
		if err != nil || n != 2 {
			t.Fatalf("sealed %d events, %v; want 2", n, err)
		}
		r, err = db.Verify(ctx, store.VerifyOptions{ReadModels: true})
		if err != nil || r.Unsealed || r.KeyedFrom != 4 || r.Cases != 2 {
			t.Fatalf("after sealing: %+v %v", r, err)
		}
		if n, err := db.SealHistory(ctx, storetest.Start, nil); err != nil || n != 0 {
			t.Fatalf("sealed again: %d %v", n, err)
		}
		if _, err := db.SQL().Exec(`UPDATE case_events SET seal_key = '', mac = '' WHERE case_id = 'case-a'`); err != nil {
			t.Fatal(err)
		}
		_, err = db.Verify(ctx, store.VerifyOptions{})
		var te *store.TamperError
		if !errors.As(err, &te) || te.CaseID != "case-a" || te.Seq != 1 || !strings.Contains(te.Reason, "no seal") {
			t.Fatalf("an unsealed event in a sealed history: %v", err)
		}
	})
}

// Once the history is sealed, nothing is written without the key: not an
// audit entry, not an event.
func TestASealedHistoryRefusesWritesWithoutTheKey(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		appendAudit(t, db, 1)
		db.SetKeyRing(nil)
		err := db.Update(ctx, func(tx *store.Tx) error {
			return tx.AppendAudit(audit.Entry{At: storetest.Start, Action: audit.ActionSignIn})
		})
		if err == nil || !strings.Contains(err.Error(), "history is sealed but no master key") {
			t.Fatalf("an audit entry without the key: %v", err)
		}
	})
}

// The start of keyed sealing is covered by every keyed entry: moving it
// either way, or removing it, is found.
func TestTheStartOfKeyedSealingCannotBeMoved(t *testing.T) {
	for _, tc := range []struct {
		name      string
		keyedFrom int
		brokeAt   int64
	}{
		{"moved forward", 5, 4},
		{"moved back", 3, 3},
		{"removed", 0, 4},
	} {
		t.Run(tc.name, func(t *testing.T) {
			storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
				db.SetKeyRing(nil)
				appendAudit(t, db, 3)
				db.SetKeyRing(storetest.KeyRing())
				appendAudit(t, db, 3) // keyed from entry 4
				if n, err := db.VerifyAudit(nil); err != nil || n != 6 {
					t.Fatalf("untouched: %d %v", n, err)
				}
				if _, err := db.SQL().Exec(`UPDATE audit_head SET keyed_from = $1`, tc.keyedFrom); err != nil {
					t.Fatal(err)
				}
				_, err := db.VerifyAudit(nil)
				var b *audit.BrokenError
				if !errors.As(err, &b) || b.Seq != tc.brokeAt {
					t.Fatalf("keyed_from set to %d: %v, want broken at %d", tc.keyedFrom, err, tc.brokeAt)
				}
			})
		})
	}
}

// A member row is sealed as of the case's last event: a row saved earlier
// and put back later (after the member was removed, say) gives nothing.
func TestAMemberRowPutBackFromEarlierGivesNothing(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		raiseRaw(t, db, "case-a")
		first := concernRaised(t, "case-a", storetest.Start)
		var kind, id, role, keyID, mac string
		if err := db.SQL().QueryRow(`SELECT member_kind, member_id, role, seal_key, mac FROM case_members WHERE case_id = 'case-a' AND member_kind = 'user'`).
			Scan(&kind, &id, &role, &keyID, &mac); err != nil {
			t.Fatal(err)
		}
		membership := func() []string {
			var m []string
			err := db.Update(ctx, func(tx *store.Tx) error {
				got, err := tx.Membership("case-a", id, "org-none")
				m = got.Roles
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			return m
		}
		if len(membership()) != 1 {
			t.Fatal("the referrer is not a member")
		}
		second := first
		second.Seq = 2
		err := db.Update(ctx, func(tx *store.Tx) error {
			if err := tx.AppendEvents("case-a", 1, []pathway.Event{second}); err != nil {
				return err
			}
			c := pathway.Replay([]pathway.Event{first})
			c.Version = 2
			return tx.SaveProjection(c, storetest.Start)
		})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.SQL().Exec(`UPDATE case_members SET mac = $1, seal_key = $2 WHERE case_id = 'case-a' AND member_kind = $3 AND member_id = $4`, mac, keyID, kind, id); err != nil {
			t.Fatal(err)
		}
		if m := membership(); len(m) != 0 {
			t.Fatalf("a member row from version 1 put back at version 2 gave %v", m)
		}
	})
}

// A saved NRM draft answer whose value, author or time is changed in the
// database is refused when the draft is read, and named by verify.
func TestAnNRMDraftAnswerChangedBehindWaymarksBackIsRefused(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		p := storetest.NewPartnership(t, db, storetest.NewClock(storetest.Start))
		raiseRaw(t, db, "case-a")
		appendAudit(t, db, 1)
		err := db.Update(ctx, func(tx *store.Tx) error {
			_, err := tx.AppendNRMDraftEdit(store.NRMDraftEdit{CaseID: "case-a", Kind: "referral", FieldID: "birthplace", Value: "Tirana",
				SavedAt: storetest.Start, SavedBy: p.SocialWorker.User.ID, SavedByName: "A social worker"}, 0)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		read := func() error {
			return db.Update(ctx, func(tx *store.Tx) error {
				_, err := tx.NRMDraftEdits("case-a", "referral")
				return err
			})
		}
		if err := read(); err != nil {
			t.Fatal(err)
		}
		if _, err := db.SQL().Exec(`UPDATE nrm_drafts SET saved_by_name = 'Someone else'`); err != nil {
			t.Fatal(err)
		}
		if err := read(); err == nil || !strings.Contains(err.Error(), "answer birthplace, version 1, does not match its seal") {
			t.Fatalf("a changed answer: %v", err)
		}
		_, err = db.Verify(ctx, store.VerifyOptions{})
		var te *store.TamperError
		if !errors.As(err, &te) || te.CaseID != "case-a" || !strings.Contains(te.Reason, "birthplace") {
			t.Fatalf("verify: %v", err)
		}
	})
}
