package reliability

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"waymark/internal/audit"
	"waymark/internal/store"
)

// Findings of a hostile pass by someone with write access to the database
// (no master key), each through the real program on both stores.

// hideReads installs what hides one kind of audit entry, and the head
// update that would follow it, leaving the chain intact.
func hideReads(t *testing.T, tg *target, db *store.DB) {
	t.Helper()
	if tg.name == "sqlite" {
		execSQL(t, db, `CREATE TRIGGER zz_hide BEFORE INSERT ON audit_log WHEN NEW.action = 'case.viewed' BEGIN SELECT RAISE(IGNORE); END`)
		execSQL(t, db, `CREATE TRIGGER zz_hide_head BEFORE UPDATE ON audit_head WHEN NOT EXISTS (SELECT 1 FROM audit_log WHERE seq = NEW.seq) BEGIN SELECT RAISE(IGNORE); END`)
		return
	}
	execSQL(t, db, `CREATE FUNCTION zz_hide() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN IF NEW.action = 'case.viewed' THEN RETURN NULL; END IF; RETURN NEW; END $$`)
	execSQL(t, db, `CREATE TRIGGER zz_hide BEFORE INSERT ON audit_log FOR EACH ROW EXECUTE FUNCTION zz_hide()`)
	execSQL(t, db, `CREATE FUNCTION zz_hide_head() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN IF NOT EXISTS (SELECT 1 FROM audit_log WHERE seq = NEW.seq) THEN RETURN NULL; END IF; RETURN NEW; END $$`)
	execSQL(t, db, `CREATE TRIGGER zz_hide_head BEFORE UPDATE ON audit_head FOR EACH ROW EXECUTE FUNCTION zz_hide_head()`)
}

// A trigger that swallows the audit entries of reads (and the head update
// with them) leaves the chain intact: the write it records fails instead,
// and every command that opens the database, and verify, refuse the trigger
// by name. So do a view and a table no migration made.
func TestATriggerThatHidesAuditEntriesIsRefused(t *testing.T) {
	forEachTarget(t, func(t *testing.T, tg *target) {
		seedDemo(t, tg)
		db := tg.open(t)
		var caseID string
		if err := db.SQL().QueryRow(`SELECT id FROM cases ORDER BY id LIMIT 1`).Scan(&caseID); err != nil {
			t.Fatal(err)
		}
		hideReads(t, tg, db)
		var before int
		db.SQL().QueryRow(`SELECT COUNT(*) FROM audit_log`).Scan(&before)
		err := db.Update(context.Background(), func(tx *store.Tx) error {
			return tx.AppendAudit(audit.Entry{At: time.Now(), ActorID: "user-x", CaseID: caseID, Action: "case.viewed"})
		})
		if !errors.Is(err, store.ErrAuditNotStored) {
			t.Fatalf("a read whose audit entry was swallowed: %v", err)
		}
		// Other entries still go through the trigger: they are stored.
		if err := db.Update(context.Background(), func(tx *store.Tx) error {
			return tx.AppendAudit(audit.Entry{At: time.Now(), ActorID: "user-x", Action: "user.signed_in"})
		}); err != nil {
			t.Fatal(err)
		}
		tg.release(t)
		for _, args := range [][]string{{"verify"}, {"audit", "verify"}, {"rebuild"}, {"check"}} {
			out, err := waymark(t, append(args, "--database", tg.url)...)
			if err == nil || !strings.Contains(out, "trigger zz_hide") || !strings.Contains(out, "trigger zz_hide_head") {
				t.Fatalf("waymark %s with the triggers in place: %v\n%s", strings.Join(args, " "), err, out)
			}
		}
		out, _ := waymark(t, "verify", "--database", tg.url)
		t.Logf("%s", strings.TrimSpace(out))

		db = tg.open(t)
		if tg.name == "sqlite" {
			execSQL(t, db, `DROP TRIGGER zz_hide`)
			execSQL(t, db, `DROP TRIGGER zz_hide_head`)
		} else {
			execSQL(t, db, `DROP TRIGGER zz_hide ON audit_log`)
			execSQL(t, db, `DROP TRIGGER zz_hide_head ON audit_head`)
		}
		execSQL(t, db, `CREATE VIEW zz_view AS SELECT id FROM cases`)
		execSQL(t, db, `CREATE TABLE zz_stash (x TEXT)`)
		tg.release(t)
		out, err = waymark(t, "verify", "--database", tg.url)
		if err == nil || !strings.Contains(out, "view zz_view") || !strings.Contains(out, "table zz_stash") {
			t.Fatalf("a view and a table no migration made: %v\n%s", err, out)
		}
		db = tg.open(t)
		execSQL(t, db, `DROP VIEW zz_view`)
		execSQL(t, db, `DROP TABLE zz_stash`)
		if tg.name == "postgres" {
			execSQL(t, db, `CREATE RULE zz_rule AS ON INSERT TO audit_log WHERE NEW.action = 'case.viewed' DO INSTEAD NOTHING`)
			out, err := waymark(t, "verify", "--database", tg.url)
			if err == nil || !strings.Contains(out, "rule zz_rule on audit_log") {
				t.Fatalf("a rule: %v\n%s", err, out)
			}
			execSQL(t, db, `DROP RULE zz_rule ON audit_log`)
		}
		tg.release(t)
		if out, err := waymark(t, "verify", "--database", tg.url); err != nil {
			t.Fatalf("with them all removed: %v\n%s", err, out)
		}
	})
}
