package store_test

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"waymark/internal/store"
	"waymark/internal/storetest"
)

// withLedger gives db an erasure ledger in a real file of its own.
func withLedger(t *testing.T, db *store.DB) *store.Ledger {
	t.Helper()
	l, err := store.OpenLedger(filepath.Join(t.TempDir(), "erasures.ledger"))
	if err != nil {
		t.Fatal(err)
	}
	db.SetErasureLedger(l)
	return l
}

func erase(t *testing.T, db *store.DB, id string) error {
	t.Helper()
	return db.Update(ctx, func(tx *store.Tx) error {
		return tx.EraseCase(store.Erasure{CaseID: id, At: storetest.Start.Add(time.Hour), By: "user-lead", Reason: "Raised about the wrong child", LegalBasis: "Article 17(1)(d)"})
	})
}

func ledgerCases(t *testing.T, l *store.Ledger, db *store.DB) []string {
	t.Helper()
	entries, err := l.Entries(db.KeyRing())
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, e := range store.Erased(entries) {
		ids = append(ids, e.CaseID)
	}
	return ids
}

// An erasure is in the ledger, on disk, by the time it commits; the file
// is the owner's only, and holds no reason (it may say more than it should)
// and no name.
func TestAnErasureIsInTheLedgerWhenItCommits(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		l := withLedger(t, db)
		raiseRaw(t, db, "case-a")
		if err := erase(t, db, "case-a"); err != nil {
			t.Fatal(err)
		}
		if got := ledgerCases(t, l, db); len(got) != 1 || got[0] != "case-a" {
			t.Fatalf("the ledger records %v, want case-a", got)
		}
		info, err := os.Stat(l.Path())
		if err != nil || info.Mode().Perm() != 0o600 {
			t.Fatalf("the ledger's mode: %v %v", info, err)
		}
		text, _ := os.ReadFile(l.Path())
		if strings.Contains(string(text), "wrong child") {
			t.Fatalf("the ledger keeps the reason: %s", text)
		}
	})
}

// An erasure that cannot be written to the ledger is rolled back: the case
// is not erased, and the caller is told.
func TestAnErasureTheLedgerCannotRecordIsRolledBack(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		l := withLedger(t, db)
		raiseRaw(t, db, "case-a")
		// The ledger's file is gone and a folder is in its place: no write
		// can succeed (as root too).
		if err := os.Remove(l.Path()); err != nil {
			t.Fatal(err)
		}
		if err := os.Mkdir(l.Path(), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := erase(t, db, "case-a"); err == nil || !strings.Contains(err.Error(), "erasure ledger") {
			t.Fatalf("an erasure the ledger could not record: %v", err)
		}
		if _, err := loadRaw(db, "case-a"); err != nil {
			t.Fatalf("the case was erased anyway: %v", err)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM erasures`) + count(t, db, `SELECT COUNT(*) FROM data_keys WHERE destroyed_at IS NOT NULL`); n != 0 {
			t.Fatalf("%d erasure rows or destroyed keys after a refused erasure", n)
		}
	})
}

// A database restored from before an erasure holds the case unerased: the
// ledger erases it again, audited as the system's re-application; a case the
// database does not hold is noted, not an error.
func TestTheLedgerErasesACaseARestoreBroughtBack(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		// The database as it was: both cases erased, into the ledger.
		old := storetest.SQLite(t)
		l := withLedger(t, old)
		raiseRaw(t, old, "case-a")
		raiseRaw(t, old, "case-gone")
		for _, id := range []string{"case-a", "case-gone"} {
			if err := erase(t, old, id); err != nil {
				t.Fatal(err)
			}
		}
		// The restored database, from before: case-a unerased, case-gone
		// not raised yet.
		raiseRaw(t, db, "case-a")
		raiseRaw(t, db, "case-b")
		db.SetErasureLedger(l)
		if pending, absent, err := db.LedgerPending(ctx); err != nil || len(pending) != 1 || pending[0] != "case-a" || len(absent) != 1 {
			t.Fatalf("before applying: pending %v, absent %v, %v", pending, absent, err)
		}
		r, err := db.ApplyErasureLedger(ctx, storetest.Start.Add(2*time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		if len(r.Reapplied) != 1 || r.Reapplied[0] != "case-a" || len(r.Absent) != 1 || r.Absent[0] != "case-gone" {
			t.Fatalf("applied: %+v", r)
		}
		if _, err := loadRaw(db, "case-a"); !store.IsErased(err) {
			t.Fatalf("case-a after applying the ledger: %v", err)
		}
		if _, err := loadRaw(db, "case-b"); err != nil {
			t.Fatalf("case-b: %v", err)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM audit_log WHERE case_id = 'case-a' AND action = 'case.erased' AND actor_id = 'system' AND detail LIKE 're-applied from the erasure ledger%'`); n != 1 {
			t.Fatalf("%d audit entries of the re-application", n)
		}
		if err := db.CheckErasures(ctx); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Verify(ctx, store.VerifyOptions{ReadModels: true}); err != nil {
			t.Fatalf("verify after the re-application: %v", err)
		}
		// Applying again changes nothing.
		if r, err := db.ApplyErasureLedger(ctx, storetest.Start.Add(3*time.Hour)); err != nil || len(r.Reapplied) != 0 {
			t.Fatalf("applied again: %+v, %v", r, err)
		}
	})
}

// Each replica keeps a ledger of its own: an erasure made on one reaches
// the other's ledger through the database.
func TestAnErasureOnOneReplicaReachesTheOthersLedger(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, a *store.DB) {
		b := storetest.Reopen(t, a)
		la, lb := withLedger(t, a), withLedger(t, b)
		raiseRaw(t, a, "case-a")
		if err := erase(t, a, "case-a"); err != nil {
			t.Fatal(err)
		}
		if got := ledgerCases(t, lb, b); len(got) != 0 {
			t.Fatalf("replica B's ledger has %v before it looked", got)
		}
		r, err := b.ApplyErasureLedger(ctx, storetest.Start.Add(2*time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		if len(r.Copied) != 1 || r.Copied[0] != "case-a" {
			t.Fatalf("replica B copied %v", r.Copied)
		}
		for name, l := range map[string]*store.Ledger{"A": la, "B": lb} {
			if got := ledgerCases(t, l, a); len(got) != 1 || got[0] != "case-a" {
				t.Errorf("replica %s's ledger records %v", name, got)
			}
		}
	})
}

// A line written without the master key, or edited, or a file cut short,
// is refused loudly, and nothing in the ledger is applied.
func TestAForgedOrEditedLedgerIsRefusedAndNotApplied(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		l := withLedger(t, db)
		raiseRaw(t, db, "case-a")
		raiseRaw(t, db, "case-b")
		if err := erase(t, db, "case-a"); err != nil {
			t.Fatal(err)
		}
		good, err := os.ReadFile(l.Path())
		if err != nil {
			t.Fatal(err)
		}
		// A line authenticated under another master key, chained properly,
		// naming case-b: as an attacker with the file but not the key
		// would write it.
		other := withLedger(t, storetest.SQLite(t))
		otherRing := newRing(t, newKeyLine(t))
		if _, err := other.AppendErasure(otherRing, store.Erasure{CaseID: "case-x", At: storetest.Start}); err != nil {
			t.Fatal(err)
		}
		forgedLine, _ := os.ReadFile(other.Path())
		// Re-key the forged line to the configured key's id and chain it.
		entries, _ := l.Entries(db.KeyRing())
		keyID := entries[0].Key
		forged := string(forgedLine)
		forged = strings.Replace(forged, `"case":"case-x"`, `"case":"case-b"`, 1)
		forged = strings.Replace(forged, `"n":1`, `"n":2`, 1)
		forged = replaceJSON(forged, "key", keyID)
		forged = replaceJSON(forged, "prev", lineHashOf(good))

		for name, text := range map[string]string{
			"a forged line":               string(good) + forged,
			"an edited case id":           strings.Replace(string(good), "case-a", "case-b", 1),
			"an edited author":            strings.Replace(string(good), `"by":"user-lead"`, `"by":"user-else"`, 1),
			"a line under an unknown key": string(good) + strings.Replace(replaceJSON(replaceJSON(string(forgedLine), "prev", lineHashOf(good)), "case", "case-b"), `"n":1`, `"n":2`, 1),
			"a line cut short":            string(good) + forged[:len(forged)/2],
			"a line that is not JSON":     string(good) + "case-b erased\n",
		} {
			if text == string(good) {
				t.Fatalf("%s: the edit changed nothing", name)
			}
			if err := os.WriteFile(l.Path(), []byte(text), 0o600); err != nil {
				t.Fatal(err)
			}
			_, err := db.ApplyErasureLedger(ctx, storetest.Start.Add(2*time.Hour))
			var le *store.LedgerError
			if !errors.As(err, &le) || le.Line == 0 {
				t.Errorf("%s: applied with %v", name, err)
			} else {
				t.Logf("%s: %v", name, err)
			}
			if _, err := loadRaw(db, "case-b"); err != nil {
				t.Fatalf("%s: case-b was erased: %v", name, err)
			}
		}
		if err := os.WriteFile(l.Path(), good, 0o600); err != nil {
			t.Fatal(err)
		}
		if _, err := db.ApplyErasureLedger(ctx, storetest.Start.Add(2*time.Hour)); err != nil {
			t.Fatalf("the untouched ledger: %v", err)
		}
	})
}

// A master key can be retired once every ledger has been vouched for under
// the newer one (a start does it); before, a ledger under the retired key
// alone is refused rather than trusted.
func TestTheLedgerOutlivesARetiredMasterKey(t *testing.T) {
	old, newer := newKeyLine(t), newKeyLine(t)
	db := storetest.SQLite(t)
	db.SetKeyRing(newRing(t, old))
	l := withLedger(t, db)
	raiseRaw(t, db, "case-a")
	if err := erase(t, db, "case-a"); err != nil {
		t.Fatal(err)
	}
	if _, err := l.Entries(newRing(t, newer)); err == nil {
		t.Fatal("a ledger no configured key vouches for was trusted")
	}
	db.SetKeyRing(newRing(t, old, newer))
	r, err := db.ApplyErasureLedger(ctx, storetest.Start.Add(2*time.Hour))
	if err != nil || !r.Vouched {
		t.Fatalf("vouching under the newer key: %+v %v", r, err)
	}
	entries, err := l.Entries(newRing(t, newer))
	if err != nil || len(store.Erased(entries)) != 1 {
		t.Fatalf("the ledger under the newer key alone: %v %v", entries, err)
	}
}

func replaceJSON(line, field, value string) string {
	i := strings.Index(line, `"`+field+`":"`)
	if i < 0 {
		return line
	}
	start := i + len(field) + 4
	end := start + strings.Index(line[start:], `"`)
	return line[:start] + value + line[end:]
}

// lineHashOf is the hash the next line's "prev" names: of the last line.
func lineHashOf(text []byte) string {
	lines := strings.Split(strings.TrimSuffix(string(text), "\n"), "\n")
	h := sha256.Sum256([]byte(lines[len(lines)-1]))
	return hex.EncodeToString(h[:])
}

// Someone who can write to the database but holds no master key must not be
// able to have the ledger vouch for an erasure that never happened: an
// erasure row written behind Waymark's back (its seal does not match) is not
// copied into the ledger, or the next restore, or the next start once the
// row is deleted again, would destroy the case's data key for real.
func TestAForgedErasureRowIsNotCopiedIntoTheLedger(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		l := withLedger(t, db)
		raiseRaw(t, db, "case-a")
		if _, err := db.SQL().ExecContext(ctx, `INSERT INTO erasures(case_id, erased_at, erased_by, reason, legal_basis, seal_key, mac)
			VALUES ('case-a', $1, 'user-lead', 'forged', 'Article 17(1)(d)', $2, 'not-a-seal')`, storetest.Start.Add(time.Hour), db.KeyRing().Primary()); err != nil {
			t.Fatal(err)
		}
		// A start, or the running service's sync.
		if _, err := db.ApplyErasureLedger(ctx, storetest.Start.Add(2*time.Hour)); err == nil || !strings.Contains(err.Error(), "case-a") {
			t.Errorf("a forged erasure row was taken without a word: %v", err)
		}
		if got := ledgerCases(t, l, db); len(got) != 0 {
			t.Fatalf("the ledger now vouches for a forged erasure of %v", got)
		}
		// The forger covers their tracks; the next start must leave the
		// case as it is.
		if _, err := db.SQL().ExecContext(ctx, `DELETE FROM erasures WHERE case_id = 'case-a'`); err != nil {
			t.Fatal(err)
		}
		if _, err := db.ApplyErasureLedger(ctx, storetest.Start.Add(3*time.Hour)); err != nil {
			t.Fatal(err)
		}
		if _, err := loadRaw(db, "case-a"); err != nil {
			t.Fatalf("a case no one erased was destroyed through the ledger: %v", err)
		}
	})
}

// An unsent concern draft deleted after retention review holds a child's
// details as much as a case does: a backup or dump from before the
// deletion must not bring it back readable. The deletion goes into the
// ledger before it commits, and a start deletes the draft again.
func TestAnUnsentDraftDeletedAfterReviewStaysDeletedAfterARestore(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		draft := func(db *store.DB) {
			t.Helper()
			p := storetest.NewPartnership(t, db, storetest.NewClock(storetest.Start))
			if err := db.Update(ctx, func(tx *store.Tx) error {
				return tx.InsertDraft(store.Draft{ID: "draft-a", UserID: p.Teacher.User.ID, Data: []byte(`{"child":"Amira"}`), CreatedAt: storetest.Start})
			}); err != nil {
				t.Fatal(err)
			}
		}
		// The database as it was: the draft deleted, into the ledger.
		old := storetest.SQLite(t)
		l := withLedger(t, old)
		draft(old)
		if err := old.Update(ctx, func(tx *store.Tx) error { return tx.DeleteUnsentDraft("draft-a", storetest.Start.Add(time.Hour)) }); err != nil {
			t.Fatal(err)
		}
		// The restored database, from before the deletion.
		draft(db)
		var teacher string
		if err := db.SQL().QueryRow(`SELECT user_id FROM concern_drafts WHERE id = 'draft-a'`).Scan(&teacher); err != nil {
			t.Fatal(err)
		}
		db.SetErasureLedger(l)
		if pending, _, err := db.LedgerPending(ctx); err != nil || len(pending) != 1 || !strings.Contains(pending[0], "draft-a") {
			t.Errorf("verify's list before the start: %v, %v", pending, err)
		}
		if _, err := db.ApplyErasureLedger(ctx, storetest.Start.Add(2*time.Hour)); err != nil {
			t.Fatal(err)
		}
		if err := db.Update(ctx, func(tx *store.Tx) error {
			_, err := tx.DraftFor("draft-a", teacher)
			return err
		}); err == nil {
			t.Fatal("the deleted draft came back with the restore, readable by its author")
		}
		if n := count(t, db, `SELECT COUNT(*) FROM data_keys WHERE owner_kind = 'draft' AND owner_id = 'draft-a' AND destroyed_at IS NULL`); n != 0 {
			t.Fatalf("the deleted draft's data key is live again")
		}
		if n := count(t, db, `SELECT COUNT(*) FROM audit_log WHERE action = 'draft.deleted' AND actor_id = 'system'`); n != 1 {
			t.Fatalf("%d audit entries of the deletion re-applied", n)
		}
		if r, err := db.ApplyErasureLedger(ctx, storetest.Start.Add(3*time.Hour)); err != nil || len(r.DraftsDeleted) != 0 {
			t.Fatalf("applied again: %+v, %v", r, err)
		}
	})
}

// A restore from before an erasure, with an erasure row written beside it
// behind Waymark's back: the row says "erased" but the data key is live, and
// reads go by the key and the audit log, not by that row. The ledger must
// not take the row's word: the case is erased again, its key destroyed.
func TestAForgedErasureRowDoesNotShieldARestoredCaseFromTheLedger(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		old := storetest.SQLite(t)
		l := withLedger(t, old)
		raiseRaw(t, old, "case-a")
		if err := erase(t, old, "case-a"); err != nil {
			t.Fatal(err)
		}
		// The restored database, from before the erasure, and the row.
		raiseRaw(t, db, "case-a")
		if _, err := db.SQL().ExecContext(ctx, `INSERT INTO erasures(case_id, erased_at, erased_by, reason, legal_basis, seal_key, mac)
			VALUES ('case-a', $1, 'user-lead', 'forged', 'Article 17(1)(d)', '', '')`, storetest.Start.Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		db.SetErasureLedger(l)
		if pending, _, err := db.LedgerPending(ctx); err != nil || len(pending) != 1 {
			t.Errorf("verify's list: %v, %v", pending, err)
		}
		if _, err := db.ApplyErasureLedger(ctx, storetest.Start.Add(2*time.Hour)); err != nil {
			t.Fatal(err)
		}
		if _, err := loadRaw(db, "case-a"); !store.IsErased(err) {
			t.Fatalf("the child's details read again after the start: %v", err)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM data_keys WHERE owner_kind = 'case' AND owner_id = 'case-a' AND destroyed_at IS NULL`); n != 0 {
			t.Fatal("the case's data key is still live")
		}
		if err := db.CheckErasures(ctx); err != nil {
			t.Fatal(err)
		}
	})
}

// An erasure record sealed under a master key not configured here (another
// replica's new key, mid-rotation) is not copied until the key is, and does
// not stop the start: the replica that made it has it in its ledger.
func TestAnErasureRecordUnderAKeyNotConfiguredHereWaitsForIt(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		l := withLedger(t, db)
		raiseRaw(t, db, "case-a")
		if _, err := db.SQL().ExecContext(ctx, `INSERT INTO erasures(case_id, erased_at, erased_by, reason, legal_basis, seal_key, mac)
			VALUES ('case-a', $1, 'user-lead', 'elsewhere', 'Article 17(1)(d)', 'k-not-here', 'a-seal')`, storetest.Start.Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		if _, err := db.ApplyErasureLedger(ctx, storetest.Start.Add(2*time.Hour)); err != nil {
			t.Fatal(err)
		}
		if got := ledgerCases(t, l, db); len(got) != 0 {
			t.Fatalf("the ledger vouches for a record it could not check: %v", got)
		}
	})
}
