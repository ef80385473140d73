package store_test

import (
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"waymark/internal/store"
)

// Before migration 0043 the retention review walked every partnership's
// closed cases in one order, erased ones included, and passed over those
// not its own (§4.3). Upgrading files each closed, unerased case under the
// partnership of its Children's Services organisation, and each
// partnership's review walks its own part of closed_cases_walk: the plan
// reads neither the cases table whole nor another partnership's rows.
func TestUpgradingPutsEachClosedCaseOnItsOwnPartnershipsReview(t *testing.T) {
	forEachStoreAtWithTwoPartnerships(t, "0042", func(t *testing.T, o oldRelease) {
		ctx, db, now, exec := o.ctx, o.db, o.now, o.exec
		longAgo := now.AddDate(-8, 0, 0)
		for i, c := range []struct {
			cs       string
			closed   bool
			closedAt any
		}{
			{"org-north-cs", true, longAgo},                    // a: North's
			{"org-north-cs", false, nil},                       // b: open
			{"org-south-cs", true, longAgo.Add(time.Hour)},     // c: South's
			{"org-south-cs", true, longAgo.Add(2 * time.Hour)}, // d: South's, erased
			{"org-south-cs", true, nil},                        // e: closed before closures were timed
			{"org-north-cs", true, longAgo.Add(3 * time.Hour)}, // f: North's
		} {
			id := "case-" + string(rune('a'+i))
			exec(`INSERT INTO cases(id, reference, stage, child_name, search_text, referrer_user_id, referrer_org_id, cs_org_id,
					family_suspected, age_uncertain, immediate_risk, raised_at, updated_at, version, closed, closed_at)
					VALUES ($1, $2, 'closed', '', '', 'u', 'org-school', $3, FALSE, FALSE, FALSE, $4, $4, 3, $5, $6)`, id, "CS-2026-"+id, c.cs, longAgo, c.closed, c.closedAt)
			exec(`INSERT INTO case_members(case_id, member_kind, member_id, role) VALUES ($1, 'org', $2, 'childrens_services')`, id, c.cs) // its team (sealed by upgrade)
		}
		exec(`INSERT INTO erasures(case_id, erased_at, erased_by, reason, legal_basis) VALUES ('case-d', $1, 'lead', 'Past retention', 'Article 17(1)(a)')`, now)
		o.upgrade()
		var seen string
		var mu sync.Mutex
		db.ObserveStatements(func(s string, _ int64) {
			mu.Lock()
			defer mu.Unlock()
			if strings.Contains(s, "FROM closed_cases k") && strings.HasPrefix(strings.TrimSpace(s), "SELECT k.case_id, COALESCE") {
				seen = s
			}
		})
		review := func(partnership string) []string {
			t.Helper()
			var ids []string
			if err := db.View(ctx, func(tx *store.Tx) error {
				due, page, err := tx.ClosedCasesDuePage(partnership, now.AddDate(-7, 0, 0), now, nil, 25)
				if page.Next != nil {
					t.Errorf("%s: a second page", partnership)
				}
				for _, c := range due {
					ids = append(ids, c.CaseID)
				}
				return err
			}); err != nil {
				t.Fatal(err)
			}
			return ids
		}
		if got, want := review("default"), []string{"case-a", "case-f"}; !slices.Equal(got, want) {
			t.Errorf("Northshire's review after the upgrade: %q, want %q", got, want)
		}
		if got, want := review("south"), []string{"case-c"}; !slices.Equal(got, want) {
			t.Errorf("Southshire's review after the upgrade: %q, want %q", got, want)
		}
		db.ObserveStatements(nil)

		// The review walks its partnership's part of the index.
		analyze(t, db, "closed_cases", "cases", "organisations", "erasures", "retention_decisions")
		if seen == "" {
			t.Fatal("the review's query was not seen")
		}
		plan := queryPlan(t, db, `SET LOCAL enable_seqscan = off`, seen, now.AddDate(-7, 0, 0), now, 26, time.Time{}, "", "south")
		planWalks(t, plan, "closed_cases_walk", []string{"SCAN c"}, "Seq Scan on cases", "cases_closed_walk")
	})
}

// A closed case the review finds changed behind Waymark's back (its row
// names another partnership's Children's Services than its member rows
// do, or it is no longer closed, or it has no case row at all) is not listed, and the review
// reads on past it: every page is still full, and no case after it is
// hidden from the lead (§4.3).
func TestAClosedCaseChangedBehindWaymarksBackDoesNotCutTheReviewShort(t *testing.T) {
	forEachStoreAtWithTwoPartnerships(t, "0042", func(t *testing.T, o oldRelease) {
		longAgo := o.now.AddDate(-8, 0, 0)
		var all []string
		for i := range 9 {
			id := fmt.Sprintf("case-%d", i)
			o.exec(`INSERT INTO cases(id, reference, stage, child_name, search_text, referrer_user_id, referrer_org_id, cs_org_id,
					family_suspected, age_uncertain, immediate_risk, raised_at, updated_at, version, closed, closed_at)
					VALUES ($1, $2, 'closed', '', '', 'u', 'org-school', 'org-north-cs', FALSE, FALSE, FALSE, $3, $3, 3, TRUE, $3)`,
				id, "CS-2026-"+id, longAgo.Add(time.Duration(i)*time.Hour))
			o.exec(`INSERT INTO case_members(case_id, member_kind, member_id, role) VALUES ($1, 'org', 'org-north-cs', 'childrens_services')`, id)
			all = append(all, id)
		}
		o.upgrade()
		behindWaymarksBack(t, o.db, `UPDATE cases SET cs_org_id = 'org-south-cs' WHERE id = 'case-1'`)
		behindWaymarksBack(t, o.db, `UPDATE cases SET closed = FALSE WHERE id = 'case-4'`)
		behindWaymarksBack(t, o.db, `DELETE FROM case_members WHERE case_id = 'case-5'`)
		behindWaymarksBack(t, o.db, `DELETE FROM cases WHERE id = 'case-5'`)
		want := slices.DeleteFunc(slices.Clone(all), func(id string) bool { return id == "case-1" || id == "case-4" || id == "case-5" })
		for _, limit := range []int{1, 2, 4} {
			var got []string
			var at *store.Cursor
			for pages := 0; pages <= len(all); pages++ {
				var page store.Page
				if err := o.db.View(o.ctx, func(tx *store.Tx) error {
					due, pg, err := tx.ClosedCasesDuePage("default", o.now.AddDate(-7, 0, 0), o.now, at, limit)
					if len(due) != limit && pg.Next != nil {
						t.Errorf("pages of %d: a page of %d before the last", limit, len(due))
					}
					for _, c := range due {
						got = append(got, c.CaseID)
					}
					page = pg
					return err
				}); err != nil {
					t.Fatal(err)
				}
				if at = page.Next; at == nil {
					break
				}
			}
			if !slices.Equal(got, want) {
				t.Errorf("Northshire's review in pages of %d: %q, want %q", limit, got, want)
			}
		}
	})
}
