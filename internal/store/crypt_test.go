package store_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"waymark"
	"waymark/internal/crypt"
	"waymark/internal/pathway"
	"waymark/internal/store"
	"waymark/internal/storetest"
)

func newRing(t *testing.T, lines ...string) *crypt.KeyRing {
	t.Helper()
	r, err := crypt.ParseKeys(strings.Join(lines, "\n"))
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func newKeyLine(t *testing.T) string {
	t.Helper()
	line, err := crypt.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	return line
}

// raiseRaw appends a case's first event and its read model, as casework does.
func raiseRaw(t *testing.T, db *store.DB, id string) {
	t.Helper()
	e := concernRaised(t, id, storetest.Start)
	err := db.Update(ctx, func(tx *store.Tx) error {
		if err := tx.AppendEvents(id, 0, []pathway.Event{e}); err != nil {
			return err
		}
		return tx.SaveProjection(pathway.Replay([]pathway.Event{e}), storetest.Start)
	})
	if err != nil {
		t.Fatal(err)
	}
}

func loadRaw(db *store.DB, id string) (pathway.Case, error) {
	var c pathway.Case
	err := db.Update(ctx, func(tx *store.Tx) error {
		var err error
		c, _, err = tx.LoadCase(id)
		return err
	})
	return c, err
}

// The payload, the child's name and the draft are stored sealed, and open
// again with the key; the name is not in the row.
func TestCaseDataIsStoredSealedAndReadsBack(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		raiseRaw(t, db, "case-a")
		var payload, name, search string
		db.SQL().QueryRow(`SELECT payload FROM case_events WHERE case_id = 'case-a'`).Scan(&payload)
		db.SQL().QueryRow(`SELECT child_name, search_text FROM cases WHERE id = 'case-a'`).Scan(&name, &search)
		for what, v := range map[string]string{"payload": payload, "child_name": name} {
			if !crypt.IsSealed(v) || strings.Contains(strings.ToLower(v), "amira") {
				t.Errorf("%s stored as %q", what, v)
			}
		}
		if strings.Contains(search, "amira") {
			t.Errorf("search_text holds the name: %q", search)
		}
		if c, err := loadRaw(db, "case-a"); err != nil || c.Concern.Child.FullName() != "Amira Example" {
			t.Fatalf("load: %v %+v", err, c.Concern.Child)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM data_keys WHERE owner_kind = 'case' AND owner_id = 'case-a' AND master_key_id = $1`, storetest.KeyRing().Primary()); n != 1 {
			t.Fatalf("%d data keys for the case under the master key", n)
		}
	})
}

// Associated data binds each ciphertext to its case and place in the log: a
// payload copied to another case, or to another position, does not open.
func TestCiphertextMovedToAnotherCaseOrPositionDoesNotOpen(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		raiseRaw(t, db, "case-a")
		raiseRaw(t, db, "case-b")
		// Within one case (one data key), swapping two events' payloads is caught.
		second := concernRaised(t, "case-a", storetest.Start)
		second.Seq = 2
		if err := db.Update(ctx, func(tx *store.Tx) error { return tx.AppendEvents("case-a", 1, []pathway.Event{second}) }); err != nil {
			t.Fatal(err)
		}
		if _, err := loadRaw(db, "case-a"); err != nil {
			t.Fatal(err)
		}
		if _, err := db.SQL().Exec(`UPDATE case_events SET payload = CASE seq WHEN 1 THEN (SELECT payload FROM case_events WHERE case_id = 'case-a' AND seq = 2)
			ELSE (SELECT payload FROM case_events WHERE case_id = 'case-a' AND seq = 1) END WHERE case_id = 'case-a'`); err != nil {
			t.Fatal(err)
		}
		// The events' seals catch it before decryption is tried.
		if _, err := loadRaw(db, "case-a"); err == nil || !strings.Contains(err.Error(), "seal does not match") {
			t.Fatalf("case A loaded with its events' payloads swapped: %v", err)
		}
		if _, err := db.SQL().Exec(`UPDATE case_events SET payload = (SELECT payload FROM case_events WHERE case_id = 'case-a' AND seq = 1) WHERE case_id = 'case-b'`); err != nil {
			t.Fatal(err)
		}
		if _, err := loadRaw(db, "case-b"); err == nil || !strings.Contains(err.Error(), "seal does not match") {
			t.Fatalf("case B loaded with case A's ciphertext: %v", err)
		}
		if _, err := db.SQL().Exec(`UPDATE cases SET child_name = (SELECT child_name FROM cases WHERE id = 'case-a') WHERE id = 'case-b'`); err != nil {
			t.Fatal(err)
		}
		err := db.Update(ctx, func(tx *store.Tx) error {
			_, err := tx.CaseRowByID("case-b")
			return err
		})
		if err == nil {
			t.Fatal("case B's row opened case A's sealed name")
		}
	})
}

// Without the master key nothing opens; a wrong key does not open it either.
func TestWithoutTheMasterKeyNothingOpens(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		raiseRaw(t, db, "case-a")
		db.SetKeyRing(newRing(t, newKeyLine(t)))
		if _, err := loadRaw(db, "case-a"); err == nil || !strings.Contains(err.Error(), "not configured") {
			t.Fatalf("loaded with another master key: %v", err)
		}
		db.SetKeyRing(nil)
		if _, err := loadRaw(db, "case-a"); err == nil {
			t.Fatal("loaded without a master key")
		}
		// An encrypted database refuses to take plain text.
		err := db.Update(ctx, func(tx *store.Tx) error {
			return tx.AppendEvents("case-c", 0, []pathway.Event{concernRaised(t, "case-c", storetest.Start)})
		})
		if err == nil || !strings.Contains(err.Error(), "no master key") {
			t.Fatalf("plain write to an encrypted database: %v", err)
		}
	})
}

// Rotation re-wraps every data key under the newest master key; after it
// the old key is no longer needed.
func TestRotationRewrapsEveryDataKeyUnderTheNewestMasterKey(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		oldKey, newKey := newKeyLine(t), newKeyLine(t)
		db.SetKeyRing(newRing(t, oldKey))
		raiseRaw(t, db, "case-a")
		raiseRaw(t, db, "case-b")
		both := newRing(t, oldKey, newKey)
		db.SetKeyRing(both)
		raiseRaw(t, db, "case-c") // new data keys go under the newest key at once
		r, err := db.KeyReport(ctx)
		if err != nil || len(r.Uses) != 2 {
			t.Fatalf("before rotation: %+v %v", r, err)
		}
		db.SetKeyRing(newRing(t, newKey))
		if _, err := loadRaw(db, "case-a"); err == nil {
			t.Fatal("an old case loaded without the old key before rotation")
		}
		if _, err := db.RotateKeys(ctx); err == nil {
			t.Fatal("rotation without the old key succeeded")
		}
		db.SetKeyRing(both)
		n, err := db.RotateKeys(ctx)
		if err != nil || n != 3 { // two cases and the search index key
			t.Fatalf("rotated %d, %v; want 3", n, err)
		}
		// The old key wraps nothing now, but the history sealed under it is
		// checked with a key derived from it: it stays configured for that.
		db.SetKeyRing(newRing(t, newKey))
		if _, err := loadRaw(db, "case-a"); err == nil || !strings.Contains(err.Error(), "not configured") {
			t.Fatalf("case-a's seals were checked without the key that made them: %v", err)
		}
		db.SetKeyRing(both)
		for _, id := range []string{"case-a", "case-b", "case-c"} {
			if c, err := loadRaw(db, id); err != nil || c.Concern.Child.GivenNames != "Amira" {
				t.Fatalf("%s after rotation: %v", id, err)
			}
		}
		r, err = db.KeyReport(ctx)
		if err != nil || len(r.Uses) != 1 || r.Uses[0].MasterKeyID != both.Primary() || !r.Uses[0].Configured || r.Uses[0].DataKeys != 4 {
			t.Fatalf("after rotation: %+v %v", r, err)
		}
		var found []store.CaseSummary
		err = db.Update(ctx, func(tx *store.Tx) error {
			var err error
			found, err = tx.SearchCases("user-teacher", "org-school", "amira", 10)
			return err
		})
		if err != nil || len(found) != 3 || found[0].ChildName != "Amira Example" {
			t.Fatalf("search after rotation: %+v %v", found, err)
		}
	})
}

// A database written without a master key is sealed when one is given.
func TestPlainTextWrittenBeforeEncryptionIsSealed(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		db.SetKeyRing(nil)
		raiseRaw(t, db, "case-a")
		if n := count(t, db, `SELECT COUNT(*) FROM cases WHERE child_name = 'Amira Example'`); n != 1 {
			t.Fatalf("without a key the name is not stored as it is (%d)", n)
		}
		db.SetKeyRing(storetest.KeyRing())
		n, err := db.SealPlaintext(ctx)
		if err != nil || n < 2 {
			t.Fatalf("sealed %d, %v", n, err)
		}
		r, err := db.KeyReport(ctx)
		if err != nil || r.PlainEvents+r.PlainDrafts+r.PlainChildNames != 0 {
			t.Fatalf("after sealing: %+v %v", r, err)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM cases WHERE child_name LIKE '%Amira%' OR search_text LIKE '%amira%'`); n != 0 {
			t.Fatal("the name is still in the read model")
		}
		if c, err := loadRaw(db, "case-a"); err != nil || c.Concern.Child.GivenNames != "Amira" {
			t.Fatalf("after sealing: %v", err)
		}
		if n, err := db.SealPlaintext(ctx); err != nil || n != 0 {
			t.Fatalf("sealing twice: %d %v", n, err)
		}
	})
}

// Rows in plain text can reach a database that already holds data keys: a
// table restored from a backup taken before encryption, or a replica still
// without its key while encryption is turned on. The next start seals them,
// however many rows are sealed already, and the case can then be erased. A
// restored event does not match the sealed history and is still named as
// tampering (by `waymark verify`), but it does not stop the start, and its
// contents and the child's name do not stay in plain text.
func TestPlainTextRestoredIntoAnEncryptedDatabaseIsSealedAtTheNextStart(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		db.SetKeyRing(nil)
		plain := map[string][2]string{}
		for _, id := range []string{"case-old", "case-unsealed"} {
			raiseRaw(t, db, id)
			var payload, name string
			if err := db.SQL().QueryRowContext(ctx, `SELECT e.payload, c.child_name FROM case_events e JOIN cases c ON c.id = e.case_id WHERE e.case_id = $1 AND e.seq = 1`, id).Scan(&payload, &name); err != nil {
				t.Fatal(err)
			}
			plain[id] = [2]string{payload, name}
		}
		db.SetKeyRing(storetest.KeyRing())
		if _, err := db.SealPlaintext(ctx); err != nil {
			t.Fatal(err)
		}
		if _, err := db.SealHistory(ctx, storetest.Start, nil); err != nil {
			t.Fatal(err)
		}
		raiseRaw(t, db, "case-new")
		// The old backup's rows come back over the sealed ones, one case's
		// from before its history was sealed.
		for id, p := range plain {
			if _, err := db.SQL().ExecContext(ctx, `UPDATE case_events SET payload = $1 WHERE case_id = $2 AND seq = 1`, p[0], id); err != nil {
				t.Fatal(err)
			}
			if _, err := db.SQL().ExecContext(ctx, `UPDATE cases SET child_name = $1 WHERE id = $2`, p[1], id); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := db.SQL().ExecContext(ctx, `UPDATE case_events SET seal_key = '', mac = '' WHERE case_id = 'case-unsealed'`); err != nil {
			t.Fatal(err)
		}
		if _, err := db.SQL().ExecContext(ctx, `UPDATE cases SET child_name = 'Amira Restored' WHERE id = 'case-new'`); err != nil {
			t.Fatal(err)
		}
		if r, err := db.KeyReport(ctx); err != nil || r.PlainEvents != 2 || r.PlainChildNames != 3 {
			t.Fatalf("the restored rows: %+v %v", r, err)
		}
		n, err := db.SealPlaintext(ctx)
		if err != nil || n < 5 {
			t.Fatalf("the next start sealed %d rows (%v): the restored rows stay in plain text", n, err)
		}
		if r, err := db.KeyReport(ctx); err != nil || r.PlainEvents+r.PlainDrafts+r.PlainChildNames != 0 {
			t.Fatalf("after the next start: %+v %v", r, err)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM cases WHERE child_name LIKE '%Amira%'`); n != 0 {
			t.Fatal("a name is still in the read model")
		}
		if c, err := loadRaw(db, "case-new"); err != nil || c.Concern.Child.GivenNames != "Amira" {
			t.Fatalf("the case whose name was restored, after sealing: %v", err)
		}
		for _, id := range []string{"case-old", "case-unsealed"} {
			var te *store.TamperError
			if _, err := loadRaw(db, id); !errors.As(err, &te) {
				t.Fatalf("%s, an event restored over the sealed history: %v", id, err)
			}
		}
		if n, err := db.SealPlaintext(ctx); err != nil || n != 0 {
			t.Fatalf("a start with nothing in plain text sealed %d (%v)", n, err)
		}
		if err := db.Update(ctx, func(tx *store.Tx) error {
			return tx.EraseCase(store.Erasure{CaseID: "case-old", At: storetest.Start.Add(time.Hour), By: "user-lead", Reason: "Raised about the wrong child", LegalBasis: "Article 17(1)(d)"})
		}); err != nil {
			t.Fatalf("erasing the restored case: %v", err)
		}
	})
}

// Asking whether anything is in plain text is a probe of the partial
// indexes that hold only such rows (migration 0021), not a walk of the
// tables: the start of a sealed database reads no row of them.
func TestLookingForPlainTextProbesAnIndexAndWalksNoTable(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		raiseRaw(t, db, "case-a")
		for _, q := range store.PlaintextProbes {
			explain := `EXPLAIN QUERY PLAN `
			if db.Dialect != store.SQLite {
				explain = `EXPLAIN `
			}
			rows, err := db.SQL().QueryContext(ctx, explain+q)
			if err != nil {
				t.Fatal(err)
			}
			cols, _ := rows.Columns()
			var plan []string
			for rows.Next() {
				vals := make([]any, len(cols))
				ptrs := make([]any, len(cols))
				for i := range vals {
					ptrs[i] = &vals[i]
				}
				if err := rows.Scan(ptrs...); err != nil {
					t.Fatal(err)
				}
				plan = append(plan, fmt.Sprint(vals[len(vals)-1]))
			}
			rows.Close()
			text := strings.Join(plan, "\n")
			if !strings.Contains(text, "_plain") || strings.Contains(text, "Seq Scan") {
				t.Errorf("%s\nis planned as\n%s\nnot as a probe of its partial index", q, text)
			}
		}
	})
}

// Erasure destroys the data key: the events stay, unreadable even with the
// master key, and the read model keeps no name or search token.
func TestErasureLeavesTheEventsUnreadable(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		raiseRaw(t, db, "case-a")
		raiseRaw(t, db, "case-b")
		at := storetest.Start.Add(time.Hour)
		err := db.Update(ctx, func(tx *store.Tx) error {
			return tx.EraseCase(store.Erasure{CaseID: "case-a", At: at, By: "user-lead", Reason: "Raised about the wrong child", LegalBasis: "Article 17(1)(d)"})
		})
		if err != nil {
			t.Fatal(err)
		}
		_, err = loadRaw(db, "case-a")
		if !store.IsErased(err) || waymark.ErrorCode(err) != waymark.EFORBIDDEN || !strings.Contains(waymark.ErrorMessage(err), "Raised about the wrong child") {
			t.Fatalf("loading an erased case: %v", err)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM case_events WHERE case_id = 'case-a'`); n != 1 {
			t.Fatalf("%d events left: history must not be rewritten", n)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM data_keys WHERE owner_id = 'case-a' AND wrapped = '' AND destroyed_at IS NOT NULL`); n != 1 {
			t.Fatal("the data key was not destroyed")
		}
		if n := count(t, db, `SELECT COUNT(*) FROM search_tokens WHERE case_id = 'case-a'`) + count(t, db, `SELECT COUNT(*) FROM cases WHERE id = 'case-a' AND child_name <> ''`); n != 0 {
			t.Fatal("the read model keeps the name or its tokens")
		}
		if _, err := loadRaw(db, "case-b"); err != nil {
			t.Fatalf("another case: %v", err)
		}
		err = db.Update(ctx, func(tx *store.Tx) error {
			return tx.AppendEvents("case-a", 1, []pathway.Event{{CaseID: "case-a", Seq: 2, Type: pathway.EventConcernRaised, At: at}})
		})
		if !store.IsErased(err) {
			t.Fatalf("appending to an erased case: %v", err)
		}
	})
}

// Rotation across replicas (docs/operations.md "Encryption keys"): while the
// new key is unwrap-only on one replica, what it writes is wrapped and sealed
// under the old key, so a replica that does not know the new key yet reads
// it; once every replica knows it and it is made the primary, each reads
// what the other writes. Appending the key as the primary on one replica
// alone (the old single-instance steps) is what broke the other.
func TestAReplicaWithoutTheNewKeyReadsWhatAnotherWritesWhileTheKeyIsUnwrapOnly(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		k1, k2 := newKeyLine(t), newKeyLine(t)
		k2ID, _, _ := strings.Cut(k2, ":")
		old := newRing(t, k1)
		staged := newRing(t, k1, k2+" unwrap-only")
		promoted := newRing(t, k1, k2)
		readAs := func(r *crypt.KeyRing, id string) error {
			db.SetKeyRing(r)
			c, err := loadRaw(db, id)
			if err == nil && c.Concern.Child.GivenNames != "Amira" {
				t.Fatalf("%s read back as %+v", id, c.Concern.Child)
			}
			return err
		}
		db.SetKeyRing(old)
		raiseRaw(t, db, "case-before")
		// Step (a): one replica restarted with k2 unwrap-only writes; the
		// other, not restarted yet, reads.
		db.SetKeyRing(staged)
		raiseRaw(t, db, "case-staged")
		if err := readAs(old, "case-staged"); err != nil {
			t.Fatalf("a replica without k2 cannot read a case written with k2 unwrap-only: %v", err)
		}
		if r, err := db.KeyReport(ctx); err != nil || r.SealedUnder[k2ID] != 0 || r.OtherSealsUnder[k2ID] != 0 || len(r.Uses) != 1 {
			t.Fatalf("something was wrapped or sealed under the unwrap-only key: %+v %v", r, err)
		}
		// Step (b): every replica knows k2; one has it as primary already.
		db.SetKeyRing(promoted)
		raiseRaw(t, db, "case-promoted")
		for _, id := range []string{"case-before", "case-staged", "case-promoted"} {
			if err := readAs(staged, id); err != nil {
				t.Fatalf("a replica with k2 unwrap-only cannot read %s: %v", id, err)
			}
		}
		if r, err := db.KeyReport(ctx); err != nil || r.SealedUnder[k2ID] == 0 || r.OtherSealsUnder[k2ID] == 0 {
			t.Fatalf("the primary k2 sealed nothing: %+v %v", r, err)
		}
		// What the naive flow did: the replica without k2 cannot read a
		// case wrapped and sealed under it.
		if err := readAs(old, "case-promoted"); err == nil || !strings.Contains(err.Error(), "not configured") {
			t.Fatalf("a replica without k2 read a case made under k2: %v", err)
		}
	})
}

// /readyz asks whether the configured master keys open the data keys in use:
// not when the key that wrapped them is missing, nor when a key line has the
// right id and the wrong bytes, nor with no key at all.
func TestMasterKeyCheckFailsWhenTheKeyThatWrappedTheDataIsNotConfigured(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		k1 := newKeyLine(t)
		k1ID, _, _ := strings.Cut(k1, ":")
		db.SetKeyRing(newRing(t, k1))
		if err := db.CheckMasterKeys(ctx); err != nil {
			t.Fatalf("an empty database: %v", err)
		}
		raiseRaw(t, db, "case-a")
		if err := db.CheckMasterKeys(ctx); err != nil {
			t.Fatalf("with its key: %v", err)
		}
		db.SetKeyRing(newRing(t, newKeyLine(t)))
		if err := db.CheckMasterKeys(ctx); err == nil || !strings.Contains(err.Error(), k1ID) || !strings.Contains(err.Error(), "not configured") {
			t.Fatalf("without the key that wrapped the data: %v", err)
		}
		_, other, _ := strings.Cut(newKeyLine(t), ":")
		db.SetKeyRing(newRing(t, k1ID+":"+other))
		if err := db.CheckMasterKeys(ctx); err == nil || !strings.Contains(err.Error(), "does not unwrap") {
			t.Fatalf("with the right id and the wrong key: %v", err)
		}
		db.SetKeyRing(nil)
		if err := db.CheckMasterKeys(ctx); err == nil {
			t.Fatal("an encrypted database without a key passed")
		}
	})
}

// Each serving replica notes which master keys it holds; re-wrapping under a
// primary is not safe while a replica seen running does not hold it or
// still wraps under another key, and a replica that stopped (or has not been
// seen for a while) no longer counts.
func TestRotationIsBlockedWhileARunningReplicaDoesNotWrapUnderTheSamePrimary(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		k1, k2 := newKeyLine(t), newKeyLine(t)
		now := storetest.Start
		note := func(replica string, r *crypt.KeyRing) {
			t.Helper()
			db.SetKeyRing(r)
			if err := db.NoteReplicaKeys(ctx, replica, now, now); err != nil {
				t.Fatal(err)
			}
		}
		promoted := newRing(t, k1, k2)
		blockers := func() []string {
			t.Helper()
			b, err := db.RotationBlockers(ctx, promoted, now.Add(-store.ReplicaStale))
			if err != nil {
				t.Fatal(err)
			}
			return b
		}
		note("a:8080", newRing(t, k1))
		note("b:8080", promoted)
		if b := blockers(); len(b) != 1 || !strings.Contains(b[0], "replica a:8080") || !strings.Contains(b[0], "does not hold") {
			t.Fatalf("a replica without k2: %q", b)
		}
		note("a:8080", newRing(t, k1, k2+" unwrap-only"))
		if b := blockers(); len(b) != 1 || !strings.Contains(b[0], "unwrap-only") {
			t.Fatalf("a replica with k2 unwrap-only: %q", b)
		}
		reps, err := db.RunningReplicas(ctx, now.Add(-time.Minute))
		if err != nil || len(reps) != 2 || reps[0].Replica != "a:8080" || len(reps[0].UnwrapOnly) != 1 || reps[1].Primary != promoted.Primary() {
			t.Fatalf("replicas %+v %v", reps, err)
		}
		note("a:8080", promoted)
		if b := blockers(); len(b) != 0 {
			t.Fatalf("every replica wraps under k2: %q", b)
		}
		note("a:8080", newRing(t, k1))
		if err := db.ForgetReplica(ctx, "a:8080"); err != nil {
			t.Fatal(err)
		}
		if b := blockers(); len(b) != 0 {
			t.Fatalf("a stopped replica still counts: %q", b)
		}
		note("a:8080", newRing(t, k1))
		now = now.Add(store.ReplicaStale + time.Second)
		if b := blockers(); len(b) != 0 {
			t.Fatalf("a replica not seen for a while still counts: %q", b)
		}
	})
}
