package store_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"waymark/internal/pathway"
	"waymark/internal/store"
	"waymark/internal/storetest"
)

// §8.6: the partnership lead knows a case only while its escalation is
// open. Search by name finds it for them while it is, and not once it is
// resolved; the rows are what verify derives.
func TestThePartnershipLeadsSearchLosesACaseWhenItsEscalationIsResolved(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		f := newQueueFixture(t, db)
		id := f.ids["outcome"]
		viewers := func() []string {
			var out []string
			rows, err := db.SQL().QueryContext(f.ctx, `SELECT viewer FROM case_viewers WHERE case_id = $1`, id)
			if err != nil {
				t.Fatal(err)
			}
			defer rows.Close()
			for rows.Next() {
				var v string
				rows.Scan(&v)
				out = append(out, v)
			}
			return out
		}
		if err := db.Update(f.ctx, func(tx *store.Tx) error {
			return tx.InsertUser(store.User{ID: "user-lead", OrgID: f.p.ChildrensServices.ID, Email: "lead@cs.example", Name: "Lee Lead", Role: pathway.RolePartnershipLead, PasswordHash: "x", CreatedAt: f.clock.Now()})
		}); err != nil {
			t.Fatal(err)
		}
		before := viewers()
		f.escalateCase(id)
		var leads []string
		for _, v := range viewers() {
			if !slices.Contains(before, v) && v == "p:user-lead" {
				leads = append(leads, strings.TrimPrefix(v, "p:"))
			}
		}
		if len(leads) == 0 {
			t.Fatal("no partnership lead became a viewer of the case")
		}
		found := func(userID string) []string {
			var orgID string
			if err := db.SQL().QueryRowContext(f.ctx, `SELECT org_id FROM users WHERE id = $1`, userID).Scan(&orgID); err != nil {
				t.Fatal(err)
			}
			var ids []string
			for _, q := range []string{"amira", "ami exa"} {
				if err := db.View(f.ctx, func(tx *store.Tx) error {
					cases, _, err := tx.SearchPage(userID, "org-none-"+orgID, q, nil, 50)
					for _, c := range cases {
						ids = append(ids, c.ID)
					}
					return err
				}); err != nil {
					t.Fatal(err)
				}
			}
			return ids
		}
		for _, lead := range leads {
			if got := found(lead); !slices.Contains(got, id) {
				t.Fatalf("the partnership lead %s does not find the escalated case: %v", lead, got)
			}
		}
		f.clock.Advance(time.Hour)
		if err := f.svc.Act(f.ctx, f.p.SocialWorker, id, f.versionFor(f.p.SocialWorker, id), pathway.ResolveEscalation{Outcome: pathway.EscalationOtherResolution, Note: "Agreed to meet again."}); err != nil {
			t.Fatal(err)
		}
		for _, lead := range leads {
			if got := found(lead); slices.Contains(got, id) {
				t.Fatalf("the partnership lead %s still finds the case after its escalation was resolved", lead)
			}
		}
		if n := count(t, db, `SELECT COUNT(*) FROM search_viewer_tokens WHERE case_id = $1 AND viewer = $2`, id, "p:"+leads[0]); n != 0 {
			t.Fatalf("%d search entries of the lead remain", n)
		}
		if _, err := db.Verify(f.ctx, store.VerifyOptions{ReadModels: true}); err != nil {
			t.Fatal(err)
		}
	})
}
