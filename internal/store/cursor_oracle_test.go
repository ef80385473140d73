package store_test

import (
	"fmt"
	"testing"
	"time"

	"waymark/internal/store"
	"waymark/internal/storetest"
)

// Someone outside a case who forges a cursor naming it (its id, at times
// around its own) gets from every list exactly what a cursor naming a
// made-up id at the same time gets: the pages show nothing of whether the
// case exists.
func TestAForgedCursorNamingACaseOutsideTheViewersSaysNothingOfIt(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		w := newListWorld(t, db, 6)
		now := w.clock.Now()
		target := w.ids[0] // raised by the teacher: the GP and the colleague are not in it
		for _, v := range []struct {
			name      string
			user, org string
			manager   bool
		}{{"gp", w.p.GPDoctor.User.ID, w.p.GPDoctor.User.OrgID, false}, {"colleague", w.p.Colleague.User.ID, w.p.Colleague.User.OrgID, false}} {
			run := func(c store.Cursor) string {
				var out string
				w.view(t, func(tx *store.Tx) error {
					show := func(name string, ids []string, p store.Page, err error) {
						out += fmt.Sprintf("%s %v next=%v prev=%v err=%v\n", name, ids, p.Next != nil, p.Prev != nil, err)
					}
					cs, p, err := tx.CasesPage(v.user, v.org, &c, 2)
					show("cases", idsOf(cs), p, err)
					cs, p, err = tx.EscalatedPage(v.user, v.org, &c, 2)
					show("escalations", idsOf(cs), p, err)
					cs, p, err = tx.SearchPage(v.user, v.org, "amira", &c, 2)
					show("search", idsOf(cs), p, err)
					cs, p, err = tx.InboxPage(v.user, v.org, now, &c, 2)
					show("inbox", idsOf(cs), p, err)
					wi, p, err := tx.WorkPage(v.user, v.org, v.manager, now, &c, 2)
					show("work", []string{fmt.Sprint(len(wi))}, p, err)
					al, p, err := tx.AlertsPage(v.user, &c, 2)
					show("alerts", []string{fmt.Sprint(len(al))}, p, err)
					return nil
				})
				return out
			}
			for step := -3; step <= 3; step++ {
				at := storetest.Start.Add(time.Duration(step) * 30 * time.Second).Add(time.Minute)
				for _, before := range []bool{false, true} {
					for part := 0; part <= 1; part++ {
						real := run(store.Cursor{Part: part, At: at, ID: target, Before: before})
						fake := run(store.Cursor{Part: part, At: at, ID: target[:len(target)-1] + "~", Before: before})
						if real != fake {
							t.Errorf("%s, at %v before %v part %d: a cursor naming the case answers\n%s\nwhere a made-up id answers\n%s", v.name, at, before, part, real, fake)
						}
					}
				}
			}
		}
	})
}

func idsOf(cs []store.CaseSummary) []string {
	var out []string
	for _, c := range cs {
		out = append(out, c.ID)
	}
	return out
}
