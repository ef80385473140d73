package store_test

import (
	"maps"
	"strings"
	"sync"
	"testing"
	"time"

	"waymark/internal/store"
	"waymark/internal/storetest"
)

// Three readers look only at deadlines still running: /metrics counts them,
// the reminder scanner reads those due in its window, and the partnership
// lead's home counts the overdue ones by organisation. Each walks the
// partial index of running deadlines (migration 0040), so a service's years
// of stopped deadlines cost them nothing; before, each read every clock
// ever started (docs/performance.md).
func TestRunningDeadlinesAreReadByTheirOwnIndex(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		clock, p, id := teacherRaised(t, db)
		now := clock.Now().Add(25 * time.Hour) // past the first deadlines (§8.5)
		before, err := db.ReadGauges(ctx, now, 2*time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		// 3,000 deadlines met long ago, and the planner told so.
		behindWaymarksBack(t, db, `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 3000)
			INSERT INTO clocks(case_id, clock_id, kind, label, owner_org_id, owner_user_id, started_at, due_at, stopped_at, risk_window)
			SELECT $1, 'old-' || i, 'notify_childrens_services', 'Old', $2, '', $3, $3, $3, FALSE FROM n`,
			id, p.ChildrensServices.ID, clock.Now().Add(-400*24*time.Hour))
		analyze(t, db, "clocks", "cases", "organisations")

		seen := map[string]string{}
		var mu sync.Mutex
		db.ObserveStatements(func(s string, _ int64) {
			mu.Lock()
			defer mu.Unlock()
			for name, prefix := range map[string]string{"metrics": "SELECT k.kind,", "reminders": "SELECT k.case_id, k.clock_id,", "lead": "SELECT o.id, o.name, o.kind, o.first_responder_designation, o.childrens_services, o.created_at, o.partnership_id, o.seal_key, o.mac, (SELECT COUNT(*) FROM clocks"} {
				if strings.HasPrefix(strings.TrimSpace(s), prefix) {
					seen[name] = s
				}
			}
		})
		after, err := db.ReadGauges(ctx, now, 2*time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		var due []store.ReminderClock
		var overdue []store.OrganisationOverdue
		err = db.View(ctx, func(tx *store.Tx) error {
			if due, err = tx.ReminderClocks(now.Add(-48*time.Hour), now); err != nil {
				return err
			}
			overdue, err = tx.OverdueByOrganisation("default", now)
			return err
		})
		db.ObserveStatements(nil)
		if err != nil {
			t.Fatal(err)
		}
		if !maps.Equal(before.ClocksOverdue, after.ClocksOverdue) || len(after.ClocksOverdue) == 0 {
			t.Errorf("overdue by kind %v with stopped deadlines beside them, %v without", after.ClocksOverdue, before.ClocksOverdue)
		}
		for _, c := range due {
			if strings.HasPrefix(c.ClockID, "old-") {
				t.Fatalf("the reminder scanner reads a stopped deadline: %+v", c)
			}
		}
		if len(due) == 0 {
			t.Error("the reminder scanner found no running deadline")
		}
		if len(overdue) != 1 || overdue[0].OrgID != p.ChildrensServices.ID {
			t.Errorf("overdue by organisation %+v", overdue)
		}

		at, soon := now.UTC(), now.Add(2*time.Hour).UTC()
		for name, c := range map[string]struct {
			index string
			args  []any
		}{
			"metrics":   {"clocks_running", []any{at, soon}},
			"reminders": {"clocks_running", []any{at.Add(-48 * time.Hour), at}},
			"lead":      {"clocks_running_by_org", []any{at, "default"}},
		} {
			q := seen[name]
			if q == "" {
				t.Errorf("the %s query was not seen", name)
				continue
			}
			// PostgreSQL reads a small table whole whatever its indexes,
			// so it is told not to: the index it then walks is the one it
			// would at scale.
			plan := queryPlan(t, db, `SET LOCAL enable_seqscan = off`, q, c.args...)
			text := strings.Join(plan, "\n")
			if !strings.Contains(text, c.index) {
				t.Errorf("the %s query does not walk %s:\n%s", name, c.index, text)
			}
			for _, line := range plan {
				line = strings.TrimSpace(strings.TrimPrefix(line, "->"))
				if line == "SCAN k" || strings.HasPrefix(line, "Seq Scan on clocks") {
					t.Errorf("the %s query reads every clock: %q\n%s", name, line, text)
				}
			}
		}
	})
}
