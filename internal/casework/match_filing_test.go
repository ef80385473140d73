package casework_test

import (
	"errors"
	"strings"
	"testing"

	"waymark/internal/store"
	"waymark/internal/storetest"
)

// TestACaseHiddenFromMatchingAfterEveryCaseWasFiledIsNamedByVerify: once
// the start has filed every case for finding earlier records (issue 14 §1,
// §4.3, §7.1) and recorded so on the audit chain, a database writer who
// deletes a case's match keys and lists it as unfiled has hidden the child
// from matching: verify names the case, and the start stops naming it
// rather than quietly filing it again.
func TestACaseHiddenFromMatchingAfterEveryCaseWasFiledIsNamedByVerify(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		p := newPartnership(t, db)
		id := p.raise(bornOnAmirasBirthday)
		exec := func(q string, args ...any) {
			t.Helper()
			if _, err := db.SQL().ExecContext(p.ctx, q, args...); err != nil {
				t.Fatal(err)
			}
		}
		// A database upgraded with the case recorded before migration
		// 0034, not yet filed: the first start files it and records so.
		exec(`DELETE FROM match_keys_filed`)
		for _, q := range []string{`DELETE FROM person_match_keys WHERE case_id = $1`, `DELETE FROM person_match_records WHERE case_id = $1`, `INSERT INTO person_match_keys_unfiled(case_id) VALUES ($1)`} {
			exec(q, id)
		}
		if n, err := db.FileUnfiledMatchKeys(p.ctx); err != nil || n != 1 {
			t.Fatalf("the first start: %d filed, %v", n, err)
		}
		if n := p.count(`SELECT COUNT(*) FROM audit_log WHERE action = $1`, store.ActionMatchKeysFiled); n != 1 {
			t.Fatalf("%d audit entries record the filing, want 1", n)
		}
		if _, err := db.FileUnfiledMatchKeys(p.ctx); err != nil {
			t.Fatalf("a second start: %v", err)
		}
		if _, err := db.Verify(p.ctx, store.VerifyOptions{ReadModels: true}); err != nil {
			t.Fatalf("verify after filing: %v", err)
		}
		for _, q := range []string{`DELETE FROM person_match_keys WHERE case_id = $1`, `DELETE FROM person_match_records WHERE case_id = $1`, `INSERT INTO person_match_keys_unfiled(case_id) VALUES ($1)`} {
			exec(q, id)
		}
		var tamper *store.TamperError
		_, err := db.Verify(p.ctx, store.VerifyOptions{ReadModels: true})
		if !errors.As(err, &tamper) || tamper.CaseID != id || !strings.Contains(err.Error(), "person_match_keys_unfiled") {
			t.Fatalf("verify of a case hidden from matching: %v, want it named", err)
		}
		if _, err := db.FileUnfiledMatchKeys(p.ctx); !errors.As(err, &tamper) || tamper.CaseID != id {
			t.Fatalf("the next start: %v, want it to stop naming the case", err)
		}
		if n := p.count(`SELECT COUNT(*) FROM person_match_keys WHERE case_id = $1`, id); n != 0 {
			t.Errorf("the start filed the hidden case again (%d keys): the evidence is gone", n)
		}
		// Deleting the record of the filing too, so that the next start
		// files it again, is named from the audit entry.
		exec(`DELETE FROM match_keys_filed`)
		if _, err := db.Verify(p.ctx, store.VerifyOptions{ReadModels: true}); err == nil || !strings.Contains(err.Error(), "match_keys_filed row was deleted") {
			t.Fatalf("verify with the record of the filing deleted: %v", err)
		}
	})
}
