package store_test

import (
	"strings"
	"testing"
	"time"

	"waymark/internal/store"
	"waymark/internal/storetest"
)

// §6.5: whatever words an outsider types — names in any script, prefixes
// of one or two letters, six words and more, reference fragments mixed
// with names — search lists none of another organisation's cases, while
// the members find theirs; and a cursor made from another viewer's case
// moves only through the viewer's own list.
func TestSearchRevealsNoOtherOrganisationsCaseWhateverIsTyped(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		f := newSearchFixture(t, db)
		school := f.raise(t, f.p.Teacher, "Zoë", "Ørsted-O'Brien", "Zo")
		gp := f.raise(t, f.p.GPDoctor, "Zoë", "Ørsted-O'Brien")
		var ref string
		if err := db.SQL().QueryRowContext(f.ctx, `SELECT COALESCE(reference, '') FROM cases WHERE id = $1`, school).Scan(&ref); err != nil {
			t.Fatal(err)
		}
		queries := []string{"zoe", "ZOË", "zo", "z", "ors", "ørs", "orsted", "obrien", "o'brien", "ørsted-o'brien",
			"zoe orsted obrien zoe orsted obrien zoe", "zoe zoe zoe zoe zoe zoe x", "cs zoe", "cs- orsted", "2026 zoe", strings.ToLower(ref) + " zoe"}
		for _, q := range queries {
			for _, id := range f.found(t, f.p.GPDoctor, q) {
				if id != gp {
					t.Errorf("the GP's search for %q lists %s, a case of the school's", q, id)
				}
			}
			for _, id := range f.found(t, f.p.Colleague, q) {
				t.Errorf("the teacher's colleague's search for %q lists %s", q, id)
			}
			for _, id := range f.found(t, f.p.PoliceLead, q) {
				t.Errorf("the police lead's search for %q lists %s", q, id)
			}
		}
		f.wantFound(t, f.p.Teacher, "zoe orsted", school)
		f.wantFound(t, f.p.Teacher, "ørs o'brien", school)
		f.wantFound(t, f.p.CSWorker, "zoe", gp, school)
		// A cursor made from the school's case, before it and after it.
		for _, before := range []bool{false, true} {
			for _, at := range []time.Time{storetest.Start, storetest.Start.Add(time.Hour), storetest.Start.Add(-time.Hour)} {
				var cases []store.CaseSummary
				if err := db.View(f.ctx, func(tx *store.Tx) (err error) {
					cases, _, err = tx.SearchPage(f.p.GPDoctor.User.ID, f.p.GPDoctor.User.OrgID, "zoe", &store.Cursor{At: at, ID: school, Before: before}, 2)
					return err
				}); err != nil {
					t.Fatal(err)
				}
				for _, c := range cases {
					if c.ID != gp {
						t.Errorf("a forged cursor gave the GP %s", c.ID)
					}
				}
			}
		}
	})
}

// Someone holding the database file forges search_viewer_tokens rows to
// point an outsider's search at a case (copying a member's rows, or the
// rows of the whole case): the outsider's search still lists nothing, as
// the member rows' seals do not name them, and verify names the case.
func TestAForgedSearchEntryShowsTheOutsiderNothing(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		f := newSearchFixture(t, db)
		target := f.raise(t, f.p.Teacher, "Amira", "Example")
		gp := "p:" + f.p.GPDoctor.User.ID
		if _, err := db.SQL().ExecContext(f.ctx, `INSERT INTO search_viewer_tokens(viewer, token_hash, raised_at, case_id)
			SELECT '`+gp+`', token_hash, raised_at, case_id FROM search_viewer_tokens WHERE case_id = $1 AND viewer = $2`, target, "p:"+f.p.Teacher.User.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := db.SQL().ExecContext(f.ctx, `INSERT INTO case_viewers(case_id, viewer, updated_at, escalated_since)
			SELECT case_id, '`+gp+`', updated_at, escalated_since FROM case_viewers WHERE case_id = $1 AND viewer = $2`, target, "p:"+f.p.Teacher.User.ID); err != nil {
			t.Fatal(err)
		}
		for _, q := range []string{"amira", "ami", "example amira", "cs amira"} {
			f.wantFound(t, f.p.GPDoctor, q)
		}
		if err := f.verify(t); err == nil {
			t.Fatal("verify found nothing wrong with the forged rows")
		}
	})
}
