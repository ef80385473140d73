package store_test

import (
	"testing"
	"time"

	"waymark/internal/store"
	"waymark/internal/storetest"
)

// §6.5: migration 0033 widens case_members' key to the role, on a database
// that already holds cases: every stored row is kept with its seal, and a
// second role for the same person, which the old key refused, is kept too.
func TestMemberRolesMigrationKeepsAPopulatedDatabasesRows(t *testing.T) {
	dbs := []*store.DB{storetest.SQLiteAt(t, "0030")}
	if storetest.WantPostgres(t) {
		dbs = append(dbs, storetest.PostgresAt(t, "0030"))
	}
	at := time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)
	for _, db := range dbs {
		sql := db.SQL()
		if _, err := sql.ExecContext(ctx, `INSERT INTO cases(id, stage, child_name, search_text, referrer_user_id, referrer_org_id, cs_org_id,
				family_suspected, age_uncertain, immediate_risk, raised_at, updated_at, version)
			VALUES ('case-1', 'concern', '', '', 'user-teacher', 'org-school', 'org-cs', FALSE, FALSE, FALSE, $1, $1, 1)`, at); err != nil {
			t.Fatalf("%s: %v", db.Dialect, err)
		}
		for _, row := range [][]string{{"user", "user-teacher", "referrer", "k1", "mac-1"}, {"org", "org-cs", "childrens_services", "k1", "mac-2"}} {
			if _, err := sql.ExecContext(ctx, `INSERT INTO case_members(case_id, member_kind, member_id, role, seal_key, mac) VALUES ('case-1', $1, $2, $3, $4, $5)`,
				row[0], row[1], row[2], row[3], row[4]); err != nil {
				t.Fatalf("%s: %v", db.Dialect, err)
			}
		}
		if _, err := sql.ExecContext(ctx, `INSERT INTO case_members(case_id, member_kind, member_id, role) VALUES ('case-1', 'user', 'user-teacher', 'worker')`); err == nil {
			t.Fatalf("%s: before 0033 the key already took a second role: the test no longer shows the old key", db.Dialect)
		}
		if err := db.Migrate(ctx); err != nil {
			t.Fatalf("%s: migrating a populated database: %v", db.Dialect, err)
		}
		var n int
		if err := sql.QueryRowContext(ctx, `SELECT COUNT(*) FROM case_members WHERE case_id = 'case-1'
			AND ((member_id = 'user-teacher' AND role = 'referrer' AND mac = 'mac-1') OR (member_id = 'org-cs' AND mac = 'mac-2'))`).Scan(&n); err != nil || n != 2 {
			t.Fatalf("%s: %d of the 2 rows kept with their seals (%v)", db.Dialect, n, err)
		}
		if _, err := sql.ExecContext(ctx, `INSERT INTO case_members(case_id, member_kind, member_id, role) VALUES ('case-1', 'user', 'user-teacher', 'worker')`); err != nil {
			t.Fatalf("%s: a second role for the referrer is refused after 0033: %v", db.Dialect, err)
		}
		if _, err := sql.ExecContext(ctx, `INSERT INTO case_members(case_id, member_kind, member_id, role) VALUES ('case-1', 'user', 'user-teacher', 'worker')`); err == nil {
			t.Fatalf("%s: the same role twice is taken", db.Dialect)
		}
	}
}
