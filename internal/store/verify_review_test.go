package store_test

import (
	"strconv"
	"testing"
	"time"

	"waymark/internal/audit"
	"waymark/internal/store"
	"waymark/internal/storetest"
)

// dropNotNull lets a column of audit_log hold NULL, as someone holding the
// database file can (on SQLite by rewriting the table's schema text).
func dropNotNull(t *testing.T, db *store.DB, column string) {
	t.Helper()
	if db.Dialect != store.SQLite {
		if _, err := db.SQL().ExecContext(ctx, `ALTER TABLE audit_log ALTER COLUMN `+column+` DROP NOT NULL`); err != nil {
			t.Fatal(err)
		}
		return
	}
	conn, err := db.SQL().Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	var version int
	if err := conn.QueryRowContext(ctx, `PRAGMA schema_version`).Scan(&version); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		`PRAGMA writable_schema = ON`,
		`UPDATE sqlite_schema SET sql = replace(sql, '` + column + `   TEXT NOT NULL', '` + column + `   TEXT') WHERE name = 'audit_log'`,
		`PRAGMA schema_version = ` + itoa(version+1),
		`PRAGMA writable_schema = OFF`,
	} {
		if _, err := conn.ExecContext(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

// An entry whose case is moved into the column before it, joined by the
// separator the packed SQLite read splits on, with the case column set to
// NULL, no longer names its case (a search of who read the case misses
// it), so verify must refuse it, as reading the row column by column
// refuses the NULL. Joining the columns must not let a NULL's missing
// separator and a moved one cancel out.
func TestAnAuditEntryWhoseCaseIsHiddenInANullAndASeparatorDoesNotVerify(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		fillAudit(t, db, 40)
		appendSealed(t, db, audit.Entry{At: storetest.Start.Add(time.Hour), ActorID: "user-1", OrgID: "org-1", CaseID: "case-7",
			Action: audit.ActionCaseViewed, Detail: "viewed the case"})
		if got, err := db.VerifyAudit(nil); err != nil || got != 41 {
			t.Fatalf("before: verified %d, %v", got, err)
		}
		dropNotNull(t, db, "case_id")
		if _, err := db.SQL().ExecContext(ctx, `UPDATE audit_log SET org_id = $1, case_id = NULL WHERE seq = 41`, "org-1\x1fcase-7"); err != nil {
			t.Fatal(err)
		}
		var n int
		if err := db.SQL().QueryRowContext(ctx, `SELECT COUNT(*) FROM audit_log WHERE case_id = 'case-7'`).Scan(&n); err != nil || n != 0 {
			t.Fatalf("the entry still names its case: %d %v", n, err)
		}
		if got, err := db.VerifyAudit(nil); err == nil {
			t.Fatalf("an entry whose case was hidden verified (%d entries)", got)
		}
	})
}
