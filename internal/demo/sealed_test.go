package demo_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"waymark"
	"waymark/internal/casework"
	"waymark/internal/catalog"
	"waymark/internal/demo"
	"waymark/internal/store"
	"waymark/internal/storetest"
)

// seedStore loads the demo partnership into a fresh store through the use
// cases, so it holds every kind of record the demo makes.
func seedStore(t *testing.T, db *store.DB) *casework.Service {
	t.Helper()
	svc := casework.New(db, catalog.MustLoad(), func() time.Time { return seedTime }, nil)
	svc.Argon = fastArgon
	if err := demo.Seed(context.Background(), svc, svc.Now); err != nil {
		t.Fatalf("Seed: %v %v", err, waymark.ErrorFields(err))
	}
	return svc
}

// readModelRows renders every row of every table derived from or hanging
// off a case, the child's name decrypted, so two moments can be compared.
func readModelRows(t *testing.T, db *store.DB) []string {
	t.Helper()
	var out []string
	for _, q := range []string{
		`SELECT id, COALESCE(reference, ''), stage, search_text, referrer_user_id, referrer_org_id, cs_org_id, family_suspected, age_uncertain, immediate_risk,
			raised_at, updated_at, version, missing, closed, open_escalations, high_missing_risk_until, whereabouts_confidential, closed_at FROM cases`,
		`SELECT case_id, member_kind, member_id, role FROM case_members`,
		`SELECT case_id, clock_id, kind, label, owner_org_id, owner_user_id, started_at, due_at, stopped_at, risk_window FROM clocks`,
		`SELECT case_id, token_hash FROM search_tokens`,
		`SELECT queue, owner_id, lane, due_at, tie_at, case_id, item_id, until_at FROM queue_items`,
		`SELECT case_id, kind, field_id, version, value, saved_at, saved_by FROM nrm_drafts`,
		`SELECT id, case_id, user_id, reason, granted_at FROM break_glass_grants`,
		`SELECT id, kind, recipient_user_id, COALESCE(grant_id, '') FROM alerts`,
		`SELECT case_id, erased_at, erased_by, reason FROM erasures`,
		`SELECT item_kind, item_id, decided_at, keep_until FROM retention_decisions`,
	} {
		rows, err := db.SQL().Query(q)
		if err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		cols, _ := rows.Columns()
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			out = append(out, strings.Fields(q)[len(strings.Fields(q))-1]+": "+fmt.Sprint(vals...))
		}
		rows.Close()
	}
	err := db.View(context.Background(), func(tx *store.Tx) error {
		ids, err := tx.CaseIDs()
		if err != nil {
			return err
		}
		for _, id := range ids {
			row, err := tx.CaseRowByID(id)
			if err != nil {
				return err
			}
			out = append(out, "child name of "+id+": "+row.ChildName)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(out)
	return out
}

// Rebuild is the documented recovery path: on a database holding every kind
// of record the demo makes (NRM drafts among them, which point at their
// case), it rewrites every read model to exactly what it was, on both stores.
func TestRebuildRestoresEveryReadModelOfTheDemoExactly(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		svc := seedStore(t, db)
		// The demo tells no NRM draft or emergency access: add one of each,
		// pointing at a demo case, as the use cases would store them.
		err := db.Update(context.Background(), func(tx *store.Tx) error {
			var g store.BreakGlassGrant
			if err := db.SQL().QueryRow(`SELECT id, referrer_user_id, referrer_org_id FROM cases ORDER BY id LIMIT 1`).Scan(&g.CaseID, &g.UserID, &g.OrgID); err != nil {
				return err
			}
			if _, err := tx.AppendNRMDraftEdit(store.NRMDraftEdit{CaseID: g.CaseID, Kind: "referral", FieldID: "birthplace", Value: "Tirana",
				SavedAt: seedTime, SavedBy: g.UserID, SavedByName: "A social worker"}, 0); err != nil {
				return err
			}
			g.ID, g.Reason, g.GrantedAt, g.ExpiresAt = "grant-1", "out of hours", seedTime, seedTime.Add(time.Hour)
			return tx.InsertBreakGlassGrant(g)
		})
		if err != nil {
			t.Fatal(err)
		}
		var drafts int
		if err := db.SQL().QueryRow(`SELECT COUNT(*) FROM nrm_drafts`).Scan(&drafts); err != nil || drafts == 0 {
			t.Fatalf("the demo made %d NRM drafts (%v): the test needs some", drafts, err)
		}
		if _, err := db.Verify(context.Background(), store.VerifyOptions{ReadModels: true}); err != nil {
			t.Fatalf("the demo as seeded does not verify: %v", err)
		}
		before := readModelRows(t, db)
		// Spoil the read models every way at once; rebuild must put them back.
		for _, q := range []string{`DELETE FROM case_members`, `DELETE FROM clocks`, `DELETE FROM search_tokens`, `DELETE FROM queue_items`, `UPDATE cases SET stage = 'closed', version = 0`} {
			if _, err := db.SQL().Exec(q); err != nil {
				t.Fatal(err)
			}
		}
		n, err := svc.RebuildReadModels(context.Background())
		if err != nil {
			t.Fatalf("rebuild: %v", err)
		}
		if n == 0 {
			t.Fatal("rebuilt no cases")
		}
		after := readModelRows(t, db)
		if !slices.Equal(before, after) {
			for i := range min(len(before), len(after)) {
				if before[i] != after[i] {
					t.Fatalf("after rebuild, row %d differs:\nbefore %s\nafter  %s", i, before[i], after[i])
				}
			}
			t.Fatalf("after rebuild %d rows, before %d", len(after), len(before))
		}
		if _, err := db.Verify(context.Background(), store.VerifyOptions{ReadModels: true}); err != nil {
			t.Fatalf("the rebuilt demo does not verify: %v", err)
		}
	})
}

// Rebuild proves the seals before it trusts the events: a forged event is
// refused, and the read models are left as they were.
func TestRebuildRefusesAForgedHistory(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		svc := seedStore(t, db)
		if _, err := db.SQL().Exec(`UPDATE case_events SET actor_id = 'user-forger' WHERE seq = 2`); err != nil {
			t.Fatal(err)
		}
		_, err := svc.RebuildReadModels(context.Background())
		if err == nil || !strings.Contains(err.Error(), "event 2") || !strings.Contains(err.Error(), "seal does not match") {
			t.Fatalf("rebuild over a forged event: %v", err)
		}
	})
}
