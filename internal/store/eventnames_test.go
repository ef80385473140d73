package store_test

import (
	"database/sql"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"waymark/internal/pathway"
	"waymark/internal/store"
	"waymark/internal/storetest"
)

// Naming the actors of a case's events looks each one up by its key: its
// cost is the case's, not the service's. As joins, PostgreSQL chose to read
// the whole users and organisations tables for every case opened, at
// 100,000 cases with 1,950 people (docs/performance.md,
// "PostgreSQL: a pool that keeps its connections").
func TestOpeningACaseReadsNoWholeTableOfPeopleOrOrganisations(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		clock, _, id := teacherRaised(t, db)
		// A service of 3,000 organisations with one person each, and the
		// planner told so.
		many := `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 3000) `
		behindWaymarksBack(t, db, many+`INSERT INTO organisations(id, name, kind, created_at) SELECT 'bulk-org-' || i, 'Bulk', 'school', $1 FROM n`, clock.Now())
		behindWaymarksBack(t, db, many+`INSERT INTO users(id, org_id, email, name, role, password_hash, created_at) SELECT 'bulk-user-' || i, 'bulk-org-' || i, 'bulk' || i || '@example.org', 'Bulk', 'worker', 'x', $1 FROM n`, clock.Now())
		analyze(t, db, "users", "organisations")
		var q string
		var mu sync.Mutex
		db.ObserveStatements(func(s string, _ int64) {
			mu.Lock()
			defer mu.Unlock()
			if strings.HasPrefix(strings.TrimSpace(s), "SELECT e.seq, e.type") {
				q = s
			}
		})
		var events []pathway.Event
		err := db.View(ctx, func(tx *store.Tx) error {
			var err error
			events, err = tx.CaseEvents(id)
			return err
		})
		db.ObserveStatements(nil)
		if err != nil || len(events) == 0 || events[0].Actor.Name == "" {
			t.Fatalf("events %+v, %v", events, err)
		}
		if q == "" {
			t.Fatal("the events query was not seen")
		}
		if strings.Contains(strings.ToUpper(q), " JOIN ") {
			t.Errorf("the events query joins tables: %s", q)
		}
		// A test's few events do not tempt PostgreSQL's planner to hash
		// joins as 100,000 cases did, so it is told not to walk them one by
		// one: joins would then be hashed over the whole tables, and lookups
		// by key stay lookups.
		scanned := "Seq Scan on "
		if db.Dialect == store.SQLite {
			scanned = "SCAN "
		}
		plan := queryPlan(t, db, `SET LOCAL enable_nestloop = off`, q, id)
		for _, line := range plan {
			line = strings.TrimSpace(strings.TrimPrefix(line, "->"))
			whole := strings.HasPrefix(line, scanned) && (strings.Contains(line, "users") || strings.Contains(line, "organisations") ||
				strings.HasPrefix(line, scanned+"au") || strings.HasPrefix(line, scanned+"ao"))
			if whole {
				t.Errorf("opening a case reads a whole table: %q\nplan:\n%s", line, strings.Join(plan, "\n"))
			}
		}
	})
}

// An event's actor who is a person is named as that person, whose row the
// identity check seals, even if a machine client's row carries the same id
// (a row no Waymark path writes: ids of people and clients never meet).
// Naming it from the client's row would put an unsealed name on the
// person's events, unflagged.
func TestAnActorIsNamedFromTheirPersonRowBeforeAnyClientRow(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		clock, p, id := teacherRaised(t, db)
		behindWaymarksBack(t, db, `INSERT INTO machine_clients(id, org_id, name, scopes, token_hash, created_by, created_at, expires_at)
			VALUES ($1, $2, 'Impostor Robot', 'read', 'not-a-token', $1, $3, $3)`, p.Teacher.User.ID, p.Teacher.User.OrgID, clock.Now())
		var events []pathway.Event
		err := db.View(ctx, func(tx *store.Tx) error {
			var err error
			events, err = tx.CaseEvents(id)
			return err
		})
		if err != nil || len(events) == 0 {
			t.Fatalf("events %+v, %v", events, err)
		}
		if a := events[0].Actor; a.UserID != p.Teacher.User.ID || a.Name != p.Teacher.User.Name {
			t.Errorf("the teacher's raise is shown as by %q (%q), want %q", a.Name, a.UserID, p.Teacher.User.Name)
		}
	})
}

// analyze brings the planner's statistics of the tables up to date. Each
// table is named: a bare ANALYZE on PostgreSQL reads every schema of the
// database, and fails when another test drops its schema meanwhile.
func analyze(t *testing.T, db *store.DB, tables ...string) {
	t.Helper()
	for _, table := range tables {
		behindWaymarksBack(t, db, `ANALYZE `+table)
	}
}

// queryPlan is the plan the database chooses for q with args, one line a
// step: EXPLAIN on PostgreSQL, after pgSetting (a SET LOCAL, or "") in the
// same transaction; EXPLAIN QUERY PLAN on SQLite. The plan's text is the
// last column on both stores.
func queryPlan(t *testing.T, db *store.DB, pgSetting, q string, args ...any) []string {
	t.Helper()
	ctx := t.Context()
	tx, err := db.SQL().BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	explain := "EXPLAIN "
	if db.Dialect == store.SQLite {
		explain = "EXPLAIN QUERY PLAN "
	} else if pgSetting != "" {
		if _, err := tx.ExecContext(ctx, pgSetting); err != nil {
			t.Fatal(err)
		}
	}
	rows, err := tx.QueryContext(ctx, explain+q, args...)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	var plan []string
	for rows.Next() {
		vals := make([]sql.NullString, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		plan = append(plan, strings.TrimSpace(vals[len(vals)-1].String))
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return plan
}

// planWalks fails the test unless the plan uses index, or if any of its
// steps is one that reads more than the walk should: a line equal to a
// SQLite step in scans ("SCAN d"), or containing any of avoid (a
// PostgreSQL "Seq Scan on t", an index the walk replaced).
func planWalks(t *testing.T, plan []string, index string, scans []string, avoid ...string) {
	t.Helper()
	text := strings.Join(plan, "\n")
	if !strings.Contains(text, index) {
		t.Errorf("the plan does not walk %s:\n%s", index, text)
	}
	for _, line := range plan {
		line = strings.TrimSpace(strings.TrimPrefix(line, "->"))
		if slices.Contains(scans, line) || slices.ContainsFunc(avoid, func(a string) bool { return strings.Contains(line, a) }) {
			t.Errorf("the plan reads more than its walk: %q\n%s", line, text)
		}
	}
}

// teacherRaised is a partnership whose teacher has raised one concern.
func teacherRaised(t *testing.T, db *store.DB) (*storetest.Clock, storetest.Partnership, string) {
	t.Helper()
	clock := storetest.NewClock(time.Date(2026, 12, 5, 9, 0, 0, 0, time.UTC))
	p := storetest.NewPartnership(t, db, clock)
	id, err := storetest.Service(t, db, clock).RaiseConcern(t.Context(), p.Teacher, storetest.ValidConcern(clock.Now()))
	if err != nil {
		t.Fatal(err)
	}
	return clock, p, id
}
