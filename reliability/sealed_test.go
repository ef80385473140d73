package reliability

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"waymark/internal/audit"
	"waymark/internal/casework"
	"waymark/internal/catalog"
	"waymark/internal/demo"
	"waymark/internal/store"
)

// seedDemo loads the demo partnership into the target through the use
// cases: real, sealed case histories of every kind the demo makes.
func seedDemo(t *testing.T, tg *target) {
	t.Helper()
	db := tg.open(t)
	now := time.Now().UTC().Truncate(time.Second)
	svc := casework.New(db, catalog.MustLoad(), func() time.Time { return now }, nil)
	svc.Argon.Memory, svc.Argon.Time, svc.Argon.Threads = 1024, 1, 1
	if err := demo.Seed(context.Background(), svc, svc.Now); err != nil {
		t.Fatalf("seeding the demo: %v", err)
	}
}

// Someone with write access to the database file (but not the master key)
// changes the case history behind Waymark's back. `waymark verify` names
// each change: the case, the event or row, and what is wrong, on both
// stores. Each tampering is one or more SQL statements; $CASE is the case
// with the longest history, $OTHER another case.
func TestVerifyNamesEveryTamperingWithTheCaseHistory(t *testing.T) {
	for _, tc := range []struct {
		name  string
		erase bool // $OTHER is lawfully erased first
		sql   []string
		want  []string // all in the report
	}{
		{"an event deleted from the middle", false, []string{`DELETE FROM case_events WHERE case_id = '$CASE' AND seq = 2`},
			[]string{"$CASE", "event 2", "deleted"}},
		{"an event back-dated", false, []string{`UPDATE case_events SET at = at - INTERVAL_DAY WHERE case_id = '$CASE' AND seq = 3`},
			[]string{"$CASE", "event 3", "seal does not match"}},
		{"an event's type changed", false, []string{`UPDATE case_events SET type = 'case.closed' WHERE case_id = '$CASE' AND seq = 2`},
			[]string{"$CASE", "event 2", "seal does not match"}},
		{"an event's author changed", false, []string{`UPDATE case_events SET actor_id = 'user-stranger' WHERE case_id = '$CASE' AND seq = 1`},
			[]string{"$CASE", "event 1", "seal does not match"}},
		{"an event's correction link changed", false, []string{`UPDATE case_events SET corrects = 1 WHERE case_id = '$CASE' AND seq = 3`},
			[]string{"$CASE", "event 3", "seal does not match"}},
		{"two events reordered", false, []string{
			`UPDATE case_events SET seq = -1 WHERE case_id = '$CASE' AND seq = 2`,
			`UPDATE case_events SET seq = 2 WHERE case_id = '$CASE' AND seq = 3`,
			`UPDATE case_events SET seq = 3 WHERE case_id = '$CASE' AND seq = -1`},
			[]string{"$CASE", "event 2", "seal does not match"}},
		{"payloads swapped between cases", false, []string{
			`UPDATE case_events SET payload = (SELECT payload FROM case_events WHERE case_id = '$OTHER' AND seq = 1) WHERE case_id = '$CASE' AND seq = 1`},
			[]string{"$CASE", "event 1", "seal does not match"}},
		{"an event copied from another case", false, []string{
			`INSERT INTO case_events(case_id, seq, type, payload, actor_id, org_id, at, corrects, seal_key, mac)
				SELECT '$CASE', (SELECT MAX(seq) + 1 FROM case_events WHERE case_id = '$CASE'), type, payload, actor_id, org_id, at, corrects, seal_key, mac
				FROM case_events WHERE case_id = '$OTHER' AND seq = 1`},
			[]string{"$CASE", "seal does not match"}},
		{"a case rolled back to an earlier event", false, []string{`DELETE FROM case_events WHERE case_id = '$CASE' AND seq > 2`},
			[]string{"$CASE", "event 3", "rolled back"}},
		{"a whole case deleted", false, []string{
			`DELETE FROM case_events WHERE case_id = '$CASE'`, `DELETE FROM case_members WHERE case_id = '$CASE'`,
			`DELETE FROM clocks WHERE case_id = '$CASE'`, `DELETE FROM search_tokens WHERE case_id = '$CASE'`, `DELETE FROM queue_items WHERE case_id = '$CASE'`, `DELETE FROM cases WHERE id = '$CASE'`},
			[]string{"$CASE", "the case was deleted"}},
		{"a case's stage edited", false, []string{`UPDATE cases SET stage = 'closed' WHERE id = '$CASE'`},
			[]string{"$CASE", "cases.stage = closed"}},
		{"a stranger made a member", false, []string{`INSERT INTO case_members(case_id, member_kind, member_id, role) VALUES ('$CASE', 'user', 'user-stranger', 'worker')`},
			[]string{"$CASE", "case_members: user user-stranger as worker", "inserted"}},
		{"a member deleted", false, []string{`DELETE FROM case_members WHERE case_id = '$CASE' AND member_kind = 'org'`},
			[]string{"$CASE", "case_members: org", "deleted"}},
		{"an unsealed event appended", false, []string{
			`INSERT INTO case_events(case_id, seq, type, payload, actor_id, org_id, at)
				SELECT case_id, (SELECT MAX(seq) + 1 FROM case_events WHERE case_id = '$CASE'), type, payload, actor_id, org_id, at FROM case_events WHERE case_id = '$CASE' AND seq = 1`},
			[]string{"$CASE", "has no seal"}},
		{"a break-glass grant inserted", false, []string{
			`INSERT INTO break_glass_grants(id, case_id, user_id, org_id, reason, granted_at, expires_at) SELECT 'forged', id, referrer_user_id, referrer_org_id, 'forged', raised_at, raised_at FROM cases WHERE id = '$CASE'`},
			[]string{"$CASE", "break-glass grant forged has no seal"}},
		{"an erasure's reason changed", true, []string{`UPDATE erasures SET reason = 'something else' WHERE case_id = '$OTHER'`},
			[]string{"$OTHER", "erasure record does not match its seal"}},
		{"an erasure record deleted", true, []string{`DELETE FROM erasures WHERE case_id = '$OTHER'`},
			[]string{"$OTHER", "data key was destroyed but there is no erasure record"}},
		{"an erased case's member row given a bogus seal", true, []string{`UPDATE case_members SET mac = 'bogus' WHERE case_id = '$OTHER' AND member_kind = 'org'`},
			[]string{"$OTHER", "case_members: org", "seal does not match"}},
		{"an erased case's member row deleted", true, []string{`DELETE FROM case_members WHERE case_id = '$OTHER' AND member_kind = 'org'`},
			[]string{"$OTHER", "it was erased, and since then", "case_members: org"}},
		{"an erased case's stage and organisation edited", true, []string{`UPDATE cases SET stage = 'closed', cs_org_id = 'org-other' WHERE id = '$OTHER'`},
			[]string{"$OTHER", "it was erased, and since then", "cases."}},
		{"an erased case's kept read model edited", true, []string{`UPDATE erasures SET read_model = REPLACE(read_model, 'cases.stage', 'cases.stag') WHERE case_id = '$OTHER'`},
			[]string{"$OTHER", "kept with its erasure record does not match its seal"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			forEachTarget(t, func(t *testing.T, tg *target) {
				seedDemo(t, tg)
				db := tg.open(t)
				var longest, other string
				if err := db.SQL().QueryRow(`SELECT case_id FROM case_events GROUP BY case_id ORDER BY COUNT(*) DESC, case_id LIMIT 1`).Scan(&longest); err != nil {
					t.Fatal(err)
				}
				if err := db.SQL().QueryRow(`SELECT case_id FROM case_events WHERE case_id <> $1 ORDER BY case_id LIMIT 1`, longest).Scan(&other); err != nil {
					t.Fatal(err)
				}
				if tc.erase {
					if tg.name == "sqlite" { // the ledger Waymark keeps beside a SQLite database
						l, err := store.OpenLedger(filepath.Join(filepath.Dir(tg.url), "erasures.ledger"))
						if err != nil {
							t.Fatal(err)
						}
						db.SetErasureLedger(l)
					}
					err := db.Update(context.Background(), func(tx *store.Tx) error {
						return tx.EraseCase(store.Erasure{CaseID: other, At: time.Now(), By: "user-lead", Reason: "court order", LegalBasis: "court-order"})
					})
					if err != nil {
						t.Fatal(err)
					}
				}
				tg.release(t)
				if out, err := waymark(t, "verify", "--database", tg.url); err != nil || !strings.Contains(out, "history verified") {
					t.Fatalf("the untouched demo: %v\n%s", err, out)
				}
				db = tg.open(t)
				day := `'1 day'::interval`
				if tg.name == "sqlite" {
					day = "0" // SQLite keeps the time as text: rewrite it instead
				}
				for _, q := range tc.sql {
					q = strings.NewReplacer("$CASE", longest, "$OTHER", other, "INTERVAL_DAY", day).Replace(q)
					if tg.name == "sqlite" && strings.Contains(q, "at - 0") {
						q = `UPDATE case_events SET at = '2001-01-01 00:00:00+00:00' WHERE case_id = '` + longest + `' AND seq = 3`
					}
					execSQL(t, db, q)
				}
				tg.release(t)
				out, err := waymark(t, "verify", "--database", tg.url)
				if err == nil {
					t.Fatalf("the tampered history verified:\n%s", out)
				}
				for _, w := range tc.want {
					w = strings.NewReplacer("$CASE", longest, "$OTHER", other).Replace(w)
					if !strings.Contains(out, w) {
						t.Fatalf("the report does not say %q:\n%s", w, out)
					}
				}
				t.Logf("%s", strings.TrimSpace(out))
			})
		})
	}
}

// The audit chain is keyed: deleting every entry about a case and
// re-hashing the rest with plain SHA-256 no longer passes, and neither does
// cutting the tail and moving the head, once a signed checkpoint covers it.
func TestVerifyFindsTheAuditChainRewrittenOrCut(t *testing.T) {
	forEachTarget(t, func(t *testing.T, tg *target) {
		seedDemo(t, tg)
		tg.release(t)
		dir := privateDir(t)
		cpFile := filepath.Join(dir, "checkpoint.json")
		out, err := waymark(t, "checkpoint", "--database", tg.url, "--checkpoint-file", cpFile)
		if err != nil {
			t.Fatalf("checkpoint: %v\n%s", err, out)
		}
		pub, err := waymark(t, "checkpoint", "--database", tg.url, "--public-key")
		if err != nil {
			t.Fatal(err)
		}
		lines := strings.Split(strings.TrimSpace(pub), "\n") // the key is the last line: stderr names the database opened
		pub = lines[len(lines)-1]
		if out, err := waymark(t, "verify", "--database", tg.url, "--checkpoint", cpFile, "--checkpoint-public-key", strings.TrimSpace(pub)); err != nil || !strings.Contains(out, "1 checkpoints still contained") {
			t.Fatalf("untouched, with its checkpoint: %v\n%s", err, out)
		}
		// Cut the last three entries (the checkpoint's own among them) and
		// move the head back onto the new last entry: the chain alone is
		// consistent, the checkpoint is not.
		db := tg.open(t)
		var last int64
		var hash string
		if err := db.SQL().QueryRow(`SELECT seq FROM audit_head`).Scan(&last); err != nil {
			t.Fatal(err)
		}
		execSQL(t, db, `DELETE FROM audit_log WHERE seq > $1`, last-3)
		if err := db.SQL().QueryRow(`SELECT hash FROM audit_log WHERE seq = $1`, last-3).Scan(&hash); err != nil {
			t.Fatal(err)
		}
		execSQL(t, db, `UPDATE audit_head SET seq = $1, hash = $2`, last-3, hash)
		tg.release(t)
		out, err = waymark(t, "verify", "--database", tg.url, "--checkpoint", cpFile)
		if err == nil || !strings.Contains(out, "cut from its end") {
			t.Fatalf("the cut audit tail was not found:\n%s", out)
		}
		t.Logf("%s", strings.TrimSpace(out))
		// A checkpoint file altered to hide the cut does not verify.
		b, _ := os.ReadFile(cpFile)
		forged := strings.Replace(string(b), `"auditSeq": `, `"auditSeq": 1`, 1)
		os.WriteFile(cpFile, []byte(forged), 0o600)
		out, err = waymark(t, "verify", "--database", tg.url, "--checkpoint", cpFile, "--checkpoint-public-key", strings.TrimSpace(pub))
		if err == nil || !strings.Contains(out, "signature does not verify") {
			t.Fatalf("an altered checkpoint was accepted:\n%s", out)
		}
	})
}

// Deleting every audit entry about a case and re-hashing the chain with
// plain SHA-256, as the chain was before it was keyed, is found.
func TestVerifyFindsTheAuditChainReHashedWithoutTheKey(t *testing.T) {
	forEachTarget(t, func(t *testing.T, tg *target) {
		seedDemo(t, tg)
		db := tg.open(t)
		var caseID string
		if err := db.SQL().QueryRow(`SELECT case_id FROM audit_log WHERE case_id <> '' ORDER BY seq LIMIT 1`).Scan(&caseID); err != nil {
			t.Fatal(err)
		}
		rehashWithout(t, db, caseID)
		tg.release(t)
		out, err := waymark(t, "verify", "--database", tg.url)
		if err == nil || !strings.Contains(out, "FAILED") {
			t.Fatalf("a re-hashed audit chain verified:\n%s", out)
		}
		t.Logf("%s", strings.TrimSpace(out))
		if out, err := waymark(t, "audit", "verify", "--database", tg.url); err == nil {
			t.Fatalf("audit verify passed a re-hashed chain:\n%s", out)
		}
	})
}

// rehashWithout deletes a case's audit entries and re-links every entry
// with plain SHA-256, key ids and heads dropped, the head and keyed-from
// mark moved to match: all a writer without the key can do.
func rehashWithout(t *testing.T, db *store.DB, caseID string) {
	t.Helper()
	execSQL(t, db, `DELETE FROM audit_log WHERE case_id = $1`, caseID)
	rows, err := db.SQL().Query(`SELECT seq FROM audit_log ORDER BY seq`)
	if err != nil {
		t.Fatal(err)
	}
	var seqs []int64
	for rows.Next() {
		var s int64
		rows.Scan(&s)
		seqs = append(seqs, s)
	}
	rows.Close()
	prev := ""
	for i, s := range seqs {
		n := int64(i + 1)
		execSQL(t, db, `UPDATE audit_log SET seq = $1, key_id = '', heads = '' WHERE seq = $2`, n, s)
		e := entry(t, db, n)
		e.PrevHash = prev
		e.Hash = audit.Hash(prev, e)
		execSQL(t, db, `UPDATE audit_log SET prev_hash = $1, hash = $2 WHERE seq = $3`, e.PrevHash, e.Hash, n)
		prev = e.Hash
	}
	execSQL(t, db, `UPDATE audit_head SET seq = $1, hash = $2, keyed_from = 0`, len(seqs), prev)
}
