package casework_test

import (
	"strings"
	"testing"
	"time"

	"waymark"
	"waymark/internal/store"
	"waymark/internal/storetest"
)

// A case_members row written straight into the database (no event gives
// it, and it has no seal) opens nothing: the case page answers "not found",
// as for any stranger, and no list or search shows the case.
func TestAMemberRowWrittenBehindWaymarksBackOpensNothing(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		p := newPartnership(t, db)
		id := p.raise()
		if _, err := p.svc.Case(p.ctx, p.GPDoctor, id); waymark.ErrorCode(err) != waymark.ENOTFOUND {
			t.Fatalf("the GP before any forgery: %v", err)
		}
		if _, err := db.SQL().Exec(`INSERT INTO case_members(case_id, member_kind, member_id, role) VALUES ($1, 'user', $2, 'worker')`, id, p.GPDoctor.User.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := p.svc.Case(p.ctx, p.GPDoctor, id); waymark.ErrorCode(err) != waymark.ENOTFOUND {
			t.Fatalf("a forged member row opened the case: %v", err)
		}
		// Nor does it list the case, or find it by the child's name.
		if list, _, err := p.svc.MyCasesPage(p.ctx, p.GPDoctor, nil); err != nil || len(list) != 0 {
			t.Fatalf("the GP's cases with a forged member row: %+v %v", list, err)
		}
		if list, _, err := p.svc.SearchPage(p.ctx, p.GPDoctor, "Amira", nil); err != nil || len(list) != 0 {
			t.Fatalf("the GP's search with a forged member row: %+v %v", list, err)
		}
		if list, _, err := p.svc.MyCasesPage(p.ctx, p.Teacher, nil); err != nil || len(list) != 1 {
			t.Fatalf("the referrer's cases: %+v %v", list, err)
		}
		if _, err := p.svc.Case(p.ctx, p.Teacher, id); err != nil {
			t.Fatalf("the referrer, a member by the events: %v", err)
		}
	})
}

// A break-glass grant written straight into the database has no seal and
// opens nothing.
func TestABreakGlassGrantWrittenBehindWaymarksBackOpensNothing(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		p := newPartnership(t, db)
		id := p.raise()
		now := p.clock.Now()
		if _, err := db.SQL().Exec(`INSERT INTO break_glass_grants(id, case_id, user_id, org_id, reason, granted_at, expires_at) VALUES ('forged', $1, $2, $3, 'forged', $4, $5)`,
			id, p.GPDoctor.User.ID, p.GPDoctor.User.OrgID, now.Add(-time.Minute), now.Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		_, err := p.svc.Case(p.ctx, p.GPDoctor, id)
		if err == nil || !strings.Contains(err.Error(), "break-glass grant forged has no seal") {
			t.Fatalf("a forged grant: %v", err)
		}
	})
}

// An event altered in the database is refused when the case is loaded: the
// page never shows the forged history.
func TestAForgedEventIsRefusedNotShown(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		p := newPartnership(t, db)
		id := p.raise()
		p.contact(id)
		if _, err := db.SQL().Exec(`UPDATE case_events SET actor_id = $1 WHERE case_id = $2 AND seq = 2`, p.Manager.User.ID, id); err != nil {
			t.Fatal(err)
		}
		_, err := p.svc.Case(p.ctx, p.Teacher, id)
		if err == nil || !strings.Contains(err.Error(), "event 2: its seal does not match") {
			t.Fatalf("a forged event: %v", err)
		}
	})
}
