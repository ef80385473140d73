package store_test

import (
	"slices"
	"testing"

	"waymark/internal/store"
)

// Before migration 0042 an entity's cases were counted across the whole
// deployment. Upgrading files each case's entities under the partnership of
// its Children's Services organisation and counts them there, so each
// partnership's network is its own from the first page after the upgrade.
func TestUpgradingFilesEachCasesEntitiesUnderItsPartnership(t *testing.T) {
	forEachStoreAtWithTwoPartnerships(t, "0041", func(t *testing.T, o oldRelease) {
		ctx, db, now, exec := o.ctx, o.db, o.now, o.exec
		for i, cs := range []string{"org-north-cs", "org-north-cs", "org-south-cs", "org-south-cs", "org-south-cs"} {
			id := "case-" + string(rune('a'+i))
			exec(`INSERT INTO cases(id, reference, stage, child_name, search_text, referrer_user_id, referrer_org_id, cs_org_id,
					family_suspected, age_uncertain, immediate_risk, raised_at, updated_at, version)
					VALUES ($1, $2, 'outcome_given', '', '', 'u', 'org-school', $3, FALSE, FALSE, FALSE, $4, $4, 3)`, id, "CS-2026-"+id, cs, now)
			exec(`INSERT INTO entity_keys(case_id, key_hash, kind) VALUES ($1, 'phone-everywhere', 'phone')`, id)
			if cs == "org-south-cs" {
				exec(`INSERT INTO entity_keys(case_id, key_hash, kind) VALUES ($1, 'car-in-south', 'vehicle')`, id)
			}
		}
		exec(`INSERT INTO entity_counts(key_hash, kind, cases) VALUES ('phone-everywhere', 'phone', 5), ('car-in-south', 'vehicle', 3)`)
		o.upgrade()
		network := func(partnership string) []string {
			t.Helper()
			var out []string
			if err := db.View(ctx, func(tx *store.Tx) error {
				list, page, err := tx.RecurringEntitiesPage(partnership, nil, 25, 20)
				if page.Next != nil {
					t.Errorf("%s: a second page", partnership)
				}
				for _, r := range list {
					var ids []string
					for _, c := range r.Cases {
						ids = append(ids, c.CaseID)
					}
					out = append(out, r.KeyHash+" "+string(rune('0'+r.Count))+" "+ids[0]+".."+ids[len(ids)-1])
				}
				return err
			}); err != nil {
				t.Fatal(err)
			}
			return out
		}
		// Each entity's cases are listed newest id first (ids lead with
		// the day they were raised).
		if got, want := network("default"), []string{"phone-everywhere 2 case-b..case-a"}; !slices.Equal(got, want) {
			t.Errorf("Northshire's network after the upgrade: %q, want %q", got, want)
		}
		if got, want := network("south"), []string{"phone-everywhere 3 case-e..case-c", "car-in-south 3 case-e..case-c"}; !slices.Equal(got, want) {
			t.Errorf("Southshire's network after the upgrade: %q, want %q", got, want)
		}
	})
}
