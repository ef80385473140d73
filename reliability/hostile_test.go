package reliability

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strconv"
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

// eraseLawfully erases a case as the use case does: the key destroyed, the
// erasure recorded, and a keyed `case.erased` audit entry.
func eraseLawfully(t *testing.T, db *store.DB, caseID string) {
	t.Helper()
	err := db.Update(context.Background(), func(tx *store.Tx) error {
		if err := tx.EraseCase(store.Erasure{CaseID: caseID, At: time.Now(), By: "user-lead", Reason: "court order to erase", LegalBasis: "court-order"}); err != nil {
			return err
		}
		return tx.AppendAudit(audit.Entry{At: time.Now(), ActorID: "user-lead", CaseID: caseID, Action: "case.erased", Detail: "legal basis: court-order; reason: court order to erase"})
	})
	if err != nil {
		t.Fatal(err)
	}
}

// rowsOf reads every row of table where col = id, to be put back later.
func rowsOf(t *testing.T, db *store.DB, table, col, id string) (cols []string, rows [][]any) {
	t.Helper()
	r, err := db.SQL().Query(`SELECT * FROM `+table+` WHERE `+col+` = $1`, id)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	cols, _ = r.Columns()
	for r.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := r.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		rows = append(rows, vals)
	}
	return cols, rows
}

// putBack replaces the rows of table where col = id with saved ones.
func putBack(t *testing.T, db *store.DB, table, col, id string, cols []string, rows [][]any) {
	t.Helper()
	execSQL(t, db, `DELETE FROM `+table+` WHERE `+col+` = $1`, id)
	ph := make([]string, len(cols))
	for i := range ph {
		ph[i] = "$" + strconv.Itoa(i+1)
	}
	for _, r := range rows {
		execSQL(t, db, `INSERT INTO `+table+`(`+strings.Join(cols, ", ")+`) VALUES (`+strings.Join(ph, ", ")+`)`, r...)
	}
}

// A lawful erasure undone behind Waymark's back, although the keyed audit
// log says `case.erased`, is named by verify, refused at start-up, and the
// case is not decrypted; a restore over a database whose erasure row was
// deleted is refused, and with --force erases the case again.
func TestAnUndoneErasureIsNamedByVerify(t *testing.T) {
	type saved struct {
		cols []string
		rows [][]any
	}
	setup := func(t *testing.T, tg *target) (db *store.DB, caseID string, before map[string]saved) {
		seedDemo(t, tg)
		db = tg.open(t)
		if err := db.SQL().QueryRow(`SELECT id FROM cases WHERE child_name <> '' ORDER BY id LIMIT 1`).Scan(&caseID); err != nil {
			t.Fatal(err)
		}
		before = map[string]saved{}
		for _, tc := range [][2]string{{"data_keys", "owner_id"}, {"cases", "id"}, {"search_tokens", "case_id"}, {"clocks", "case_id"}} {
			c, r := rowsOf(t, db, tc[0], tc[1], caseID)
			before[tc[0]] = saved{c, r}
		}
		return db, caseID, before
	}
	named := func(t *testing.T, tg *target, db *store.DB, caseID string) {
		t.Helper()
		err := db.View(context.Background(), func(tx *store.Tx) error {
			_, _, err := tx.LoadCase(caseID)
			return err
		})
		var te *store.TamperError
		if !errors.As(err, &te) || te.CaseID != caseID {
			t.Fatalf("the case whose erasure was undone loaded: %v", err)
		}
		// Nor does a case list show the child's name.
		var user, org string
		db.SQL().QueryRow(`SELECT member_id FROM case_members WHERE case_id = $1 AND member_kind = 'user' LIMIT 1`, caseID).Scan(&user)
		db.SQL().QueryRow(`SELECT member_id FROM case_members WHERE case_id = $1 AND member_kind = 'org' LIMIT 1`, caseID).Scan(&org)
		err = db.View(context.Background(), func(tx *store.Tx) error {
			list, err := tx.CasesFor(user, org, 100)
			for _, c := range list {
				if c.ID == caseID && c.ChildName != "(details erased)" {
					t.Errorf("a case list shows the name of a case whose erasure was undone: %q", c.ChildName)
				}
			}
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		tg.release(t)
		out, err := waymark(t, "verify", "--database", tg.url)
		if err == nil || !strings.Contains(out, caseID) || !strings.Contains(out, "erasure was undone") {
			t.Fatalf("verify on an undone erasure: %v\n%s", err, out)
		}
		t.Logf("%s", strings.TrimSpace(out))
		if out, err := waymark(t, "rebuild", "--database", tg.url); err == nil || !strings.Contains(out, "erasure was undone") {
			t.Fatalf("start-up on an undone erasure: %v\n%s", err, out)
		}
	}
	t.Run("a: the key kept by a trigger and put back, the record deleted", func(t *testing.T) {
		forEachTarget(t, func(t *testing.T, tg *target) {
			db, caseID, before := setup(t, tg)
			eraseLawfully(t, db, caseID)
			putBack(t, db, "data_keys", "owner_id", caseID, before["data_keys"].cols, before["data_keys"].rows)
			execSQL(t, db, `DELETE FROM erasures WHERE case_id = $1`, caseID)
			named(t, tg, db, caseID)
		})
	})
	t.Run("b: key, name, search and clocks copied from a backup, the record deleted", func(t *testing.T) {
		forEachTarget(t, func(t *testing.T, tg *target) {
			db, caseID, before := setup(t, tg)
			eraseLawfully(t, db, caseID)
			for _, tc := range [][2]string{{"data_keys", "owner_id"}, {"search_tokens", "case_id"}, {"clocks", "case_id"}} {
				putBack(t, db, tc[0], tc[1], caseID, before[tc[0]].cols, before[tc[0]].rows)
			}
			var name, search string
			if err := db.SQL().QueryRow(`SELECT child_name, search_text FROM cases WHERE id = $1`, caseID).Scan(&name, &search); err != nil {
				t.Fatal(err)
			}
			c := before["cases"]
			for i, col := range c.cols {
				if col == "child_name" || col == "search_text" {
					execSQL(t, db, `UPDATE cases SET `+col+` = $1 WHERE id = $2`, c.rows[0][i], caseID)
				}
			}
			execSQL(t, db, `DELETE FROM erasures WHERE case_id = $1`, caseID)
			named(t, tg, db, caseID)
		})
	})
	t.Run("c: the record deleted, then a backup from before the erasure restored", func(t *testing.T) {
		forEachTarget(t, func(t *testing.T, tg *target) {
			if tg.name != "sqlite" {
				t.Skip("waymark restore is for SQLite; PostgreSQL is restored with pg_restore")
			}
			_, caseID, _ := setup(t, tg)
			tg.release(t)
			bak := filepath.Join(privateDir(t), "before.db")
			if out, err := waymark(t, "backup", "--database", tg.url, bak); err != nil {
				t.Fatalf("backup: %v\n%s", err, out)
			}
			db := tg.open(t)
			eraseLawfully(t, db, caseID)
			execSQL(t, db, `DELETE FROM erasures WHERE case_id = $1`, caseID)
			tg.release(t)
			data := filepath.Dir(tg.url)
			out, err := waymark(t, "restore", "--database", tg.url, "--data", data, bak)
			if err == nil || !strings.Contains(out, "does not verify") {
				t.Fatalf("restore over a database whose erasure record was deleted: %v\n%s", err, out)
			}
			out, err = waymark(t, "restore", "--force", "--database", tg.url, "--data", data, bak)
			if err != nil || !strings.Contains(out, "erased again") || !strings.Contains(out, caseID) {
				t.Fatalf("restore --force: %v\n%s", err, out)
			}
			out, err = waymark(t, "verify", "--database", tg.url)
			if err != nil || !strings.Contains(out, "1 erased") {
				t.Fatalf("after the restore: %v\n%s", err, out)
			}
		})
	})
}

// stripSeals removes every seal from the tables named, and re-links the
// audit chain with plain SHA-256 (keyed_from = 0), dropping the entries of
// the actions named: all a writer without the key can do to make a sealed
// history look like one written before sealing began.
func stripSeals(t *testing.T, db *store.DB, tables []string, dropActions ...string) {
	t.Helper()
	for _, table := range tables {
		execSQL(t, db, `UPDATE `+table+` SET seal_key = '', mac = ''`)
	}
	for _, a := range dropActions {
		execSQL(t, db, `DELETE FROM audit_log WHERE action = $1`, a)
	}
	rehashWithout(t, db, "no-such-case")
}

var sealedTables = []string{"case_events", "case_members", "break_glass_grants", "erasures", "nrm_drafts"}

// seals counts what carries a seal, and the keyed start of the audit chain.
func seals(t *testing.T, db *store.DB) string {
	t.Helper()
	var n, keyed int
	for _, table := range sealedTables {
		var c int
		if err := db.SQL().QueryRow(`SELECT COUNT(*) FROM ` + table + ` WHERE mac <> ''`).Scan(&c); err != nil {
			t.Fatal(err)
		}
		n += c
	}
	var entries int
	db.SQL().QueryRow(`SELECT keyed_from, (SELECT COUNT(*) FROM audit_log) FROM audit_head`).Scan(&keyed, &entries)
	return fmt.Sprintf("%d sealed rows, keyed from %d, %d audit entries", n, keyed, entries)
}

// After every seal is stripped and the audit chain re-hashed without the
// key, no checking command seals the history again as found: each leaves
// the database as it was, verify and audit verify fail, and a command that
// writes refuses, telling the operator about seal-history.
func TestCheckingCommandsNeverReseal(t *testing.T) {
	forEachTarget(t, func(t *testing.T, tg *target) {
		seedDemo(t, tg)
		db := tg.open(t)
		stripSeals(t, db, sealedTables)
		stripped := seals(t, db)
		tg.release(t)
		data := privateDir(t)
		for _, args := range [][]string{{"audit", "verify"}, {"verify"}, {"keys", "check"}, {"checkpoint", "--public-key"}, {"check"}} {
			out, err := waymark(t, append(args, "--database", tg.url, "--data", data)...)
			if args[0] == "verify" || args[0] == "audit" {
				if err == nil || !strings.Contains(out, "carries no seals") {
					t.Fatalf("waymark %s on a stripped history: %v\n%s", strings.Join(args, " "), err, out)
				}
			}
			db = tg.open(t)
			if got := seals(t, db); got != stripped {
				t.Fatalf("waymark %s changed the stripped history: %s, was %s\n%s", strings.Join(args, " "), got, stripped, out)
			}
			tg.release(t)
		}
		if out, err := waymark(t, "rebuild", "--database", tg.url, "--data", data); err == nil || !strings.Contains(out, "waymark seal-history") {
			t.Fatalf("a writing command on a stripped history: %v\n%s", err, out)
		}
	})
}

// `waymark seal-history` seals a history as found only when nothing shows
// it was sealed before: a seal left on any row, a keyed audit entry, a
// checkpoint or sealing entry in the log, or a checkpoint file beside the
// database (even with --checkpoint-file pointed elsewhere).
func TestSealingAsFoundRefusesWhenSealsExistedBefore(t *testing.T) {
	for _, tc := range []struct {
		name    string
		prepare func(t *testing.T, tg *target, db *store.DB, data string)
		want    string
	}{
		{"nothing left", func(t *testing.T, tg *target, db *store.DB, data string) { stripSeals(t, db, sealedTables) }, ""},
		{"a member row's seal", func(t *testing.T, tg *target, db *store.DB, data string) {
			stripSeals(t, db, []string{"case_events", "break_glass_grants", "erasures", "nrm_drafts"})
		}, "case member rows carry seals"},
		{"an erasure's seal", func(t *testing.T, tg *target, db *store.DB, data string) {
			var id string
			db.SQL().QueryRow(`SELECT id FROM cases ORDER BY id LIMIT 1`).Scan(&id)
			eraseLawfully(t, db, id)
			stripSeals(t, db, []string{"case_events", "case_members", "break_glass_grants", "nrm_drafts"})
		}, "erasure records carry seals"},
		{"a keyed audit entry", func(t *testing.T, tg *target, db *store.DB, data string) {
			for _, table := range sealedTables {
				execSQL(t, db, `UPDATE `+table+` SET seal_key = '', mac = ''`)
			}
			execSQL(t, db, `UPDATE audit_head SET keyed_from = 0`)
		}, "keyed entries"},
		{"a checkpoint in the audit log", func(t *testing.T, tg *target, db *store.DB, data string) {
			tg.release(t)
			if out, err := waymark(t, "checkpoint", "--database", tg.url, "--checkpoint-file", filepath.Join(privateDir(t), "elsewhere.json")); err != nil {
				t.Fatalf("checkpoint: %v\n%s", err, out)
			}
			stripSeals(t, tg.open(t), sealedTables)
		}, "signed checkpoint"},
		{"the checkpoint file beside the database", func(t *testing.T, tg *target, db *store.DB, data string) {
			tg.release(t)
			if out, err := waymark(t, "checkpoint", "--database", tg.url, "--data", data); err != nil {
				t.Fatalf("checkpoint: %v\n%s", err, out)
			}
			stripSeals(t, tg.open(t), sealedTables, "checkpoint.signed")
		}, "carries no seals, but the checkpoint"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			forEachTarget(t, func(t *testing.T, tg *target) {
				seedDemo(t, tg)
				data := privateDir(t)
				tc.prepare(t, tg, tg.open(t), data)
				tg.release(t)
				out, err := waymark(t, "seal-history", "--database", tg.url, "--data", data, "--checkpoint-file", filepath.Join(privateDir(t), "other.json"))
				if tc.want == "" {
					if err != nil || !strings.Contains(out, "sealed") {
						t.Fatalf("seal-history with no sign of earlier seals: %v\n%s", err, out)
					}
					if out, err := waymark(t, "verify", "--database", tg.url); err != nil {
						t.Fatalf("verify after sealing as found: %v\n%s", err, out)
					}
					return
				}
				if err == nil || !strings.Contains(out, tc.want) {
					t.Fatalf("seal-history: %v\n%s\nwant %q", err, out, tc.want)
				}
				t.Logf("%s", strings.TrimSpace(out))
			})
		})
	}
}

// The same instant spelt another way ('…T01:58:19.6284+14:00' for
// '… 11:58:19.6284 +0000 UTC') matches a seal over the parsed time, but
// SQLite compares the text: an expired break-glass grant passes as
// unexpired, and deadlines reorder. The grant is refused on use and verify
// names both; on PostgreSQL the rewrite stores the same value and changes
// nothing.
func TestATimeRewrittenInAnotherSpellingIsNamed(t *testing.T) {
	forEachTarget(t, func(t *testing.T, tg *target) {
		seedDemo(t, tg)
		db := tg.open(t)
		var caseID, userID, orgID string
		if err := db.SQL().QueryRow(`SELECT id FROM cases ORDER BY id LIMIT 1`).Scan(&caseID); err != nil {
			t.Fatal(err)
		}
		if err := db.SQL().QueryRow(`SELECT id, org_id FROM users ORDER BY id LIMIT 1`).Scan(&userID, &orgID); err != nil {
			t.Fatal(err)
		}
		now := time.Now().UTC()
		expired := now.Add(-time.Hour).Truncate(time.Microsecond)
		err := db.Update(context.Background(), func(tx *store.Tx) error {
			if err := tx.InsertBreakGlassGrant(store.BreakGlassGrant{ID: "grant-expired", CaseID: caseID, UserID: userID, OrgID: orgID,
				Reason: "urgent safeguarding check", GrantedAt: expired.Add(-time.Hour), ExpiresAt: expired}); err != nil {
				return err
			}
			return tx.AppendAudit(audit.Entry{At: now, ActorID: userID, CaseID: caseID, Action: "case.break_glass", Detail: "grant grant-expired"})
		})
		if err != nil {
			t.Fatal(err)
		}
		var original string
		db.SQL().QueryRow(`SELECT CAST(expires_at AS TEXT) FROM break_glass_grants WHERE id = 'grant-expired'`).Scan(&original)
		respelt := expired.In(time.FixedZone("", 14*3600)).Format("2006-01-02T15:04:05.999999-07:00")
		execSQL(t, db, `UPDATE break_glass_grants SET expires_at = $1 WHERE id = 'grant-expired'`, respelt)
		var active bool
		err = db.View(context.Background(), func(tx *store.Tx) error {
			var err error
			_, active, err = tx.ActiveBreakGlass(caseID, userID, now)
			return err
		})
		if tg.name == "postgres" {
			if err != nil || active {
				t.Fatalf("on PostgreSQL the respelt time is the same value: active %v, %v", active, err)
			}
			return
		}
		var te *store.TamperError
		if !errors.As(err, &te) || active {
			t.Fatalf("an expired grant respelt to sort as unexpired: active %v, %v", active, err)
		}
		tg.release(t)
		out, err := waymark(t, "verify", "--database", tg.url)
		if err == nil || !strings.Contains(out, "grant-expired") || !strings.Contains(out, "not as Waymark writes it") {
			t.Fatalf("verify on a respelt grant: %v\n%s", err, out)
		}
		db = tg.open(t)
		execSQL(t, db, `UPDATE break_glass_grants SET expires_at = $1 WHERE id = 'grant-expired'`, original)
		var clockID, due string
		if err := db.SQL().QueryRow(`SELECT clock_id, CAST(due_at AS TEXT) FROM clocks WHERE case_id = $1 ORDER BY clock_id LIMIT 1`, caseID).Scan(&clockID, &due); err != nil {
			t.Fatal(err)
		}
		var dueAt time.Time
		db.SQL().QueryRow(`SELECT due_at FROM clocks WHERE case_id = $1 AND clock_id = $2`, caseID, clockID).Scan(&dueAt)
		execSQL(t, db, `UPDATE clocks SET due_at = $1 WHERE case_id = $2 AND clock_id = $3`, dueAt.In(time.FixedZone("", -12*3600)).Format(time.RFC3339Nano), caseID, clockID)
		tg.release(t)
		out, err = waymark(t, "verify", "--database", tg.url)
		if err == nil || !strings.Contains(out, "clocks.due_at is stored as") {
			t.Fatalf("verify on a respelt deadline: %v\n%s", err, out)
		}
		t.Logf("%s", strings.TrimSpace(out))
	})
}

// A restore that would roll the history back past the local checkpoint is
// refused unless forced, and the restored database's audit log says what
// was restored and which entries were dropped.
func TestARestorePastTheCheckpointIsRefusedAndRecorded(t *testing.T) {
	forEachTarget(t, func(t *testing.T, tg *target) {
		if tg.name != "sqlite" {
			t.Skip("waymark restore is for SQLite; PostgreSQL is restored with pg_restore")
		}
		seedDemo(t, tg)
		tg.release(t)
		data := filepath.Dir(tg.url)
		bak := filepath.Join(privateDir(t), "older.db")
		if out, err := waymark(t, "backup", "--database", tg.url, "--data", data, bak); err != nil {
			t.Fatalf("backup: %v\n%s", err, out)
		}
		// Two checkpoints: the second covers the first's own audit entry,
		// which the backup does not hold.
		for range 2 {
			if out, err := waymark(t, "checkpoint", "--database", tg.url, "--data", data); err != nil {
				t.Fatalf("checkpoint: %v\n%s", err, out)
			}
		}
		out, err := waymark(t, "restore", "--database", tg.url, "--data", data, bak)
		if err == nil || !strings.Contains(out, "before the checkpoint") {
			t.Fatalf("a restore past the checkpoint: %v\n%s", err, out)
		}
		out, err = waymark(t, "restore", "--force", "--database", tg.url, "--data", data, bak)
		if err != nil || !strings.Contains(out, "rolled back past the checkpoint") || !strings.Contains(out, "are not in it") {
			t.Fatalf("restore --force: %v\n%s", err, out)
		}
		db := tg.open(t)
		var action, detail string
		if err := db.SQL().QueryRow(`SELECT action, detail FROM audit_log ORDER BY seq DESC LIMIT 1`).Scan(&action, &detail); err != nil {
			t.Fatal(err)
		}
		if action != "backup.restored" || !strings.Contains(detail, "older.db") || !strings.Contains(detail, "are not in it") {
			t.Fatalf("the restored database's last audit entry: %s %q", action, detail)
		}
		tg.release(t)
		if out, err := waymark(t, "verify", "--database", tg.url); err != nil {
			t.Fatalf("verify after the restore: %v\n%s", err, out)
		}
	})
}
