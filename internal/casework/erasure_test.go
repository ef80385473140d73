package casework_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"waymark"
	"waymark/internal/casework"
	"waymark/internal/pathway"
	"waymark/internal/store"
	"waymark/internal/storetest"
)

// An erasure is acknowledged only once the erasure ledger outside the
// database holds it, flushed to disk: when the ledger cannot be written, the
// lead is told it failed, and the case is as it was (nothing half-erased).
func TestAnErasureTheLedgerCannotRecordIsNotAcknowledged(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		p := newPartnership(t, db)
		lead, token := p.privacyLead()
		id := p.raiseChild(dumpChildren[0], true)
		path := filepath.Join(t.TempDir(), "erasures.ledger")
		l, err := store.OpenLedger(path)
		if err != nil {
			t.Fatal(err)
		}
		db.SetErasureLedger(l)
		reason := "Concern raised about the wrong child: confirmed by the school"

		// The disk holding the ledger is gone from under it: a folder now
		// stands where the file was, so no append can succeed, even as root.
		if err := os.Remove(path); err != nil {
			t.Fatal(err)
		}
		if err := os.Mkdir(path, 0o700); err != nil {
			t.Fatal(err)
		}
		err = p.svc.EraseCase(p.ctx, lead, token, storetest.Password, id, reason, "art17-1d")
		if err == nil || waymark.ErrorCode(err) != waymark.EINTERNAL || !strings.Contains(err.Error(), "erasure ledger") {
			t.Fatalf("an erasure the ledger could not record was acknowledged: %v", err)
		}
		if _, err := p.loadCaseErr(id); err != nil {
			t.Fatalf("the case was erased though the erasure failed: %v", err)
		}
		if n := p.count(`SELECT COUNT(*) FROM erasures`) + p.count(`SELECT COUNT(*) FROM audit_log WHERE action = 'case.erased'`); n != 0 {
			t.Fatalf("%d erasure records or audit entries of an erasure that failed", n)
		}

		// With the ledger back, the same erasure goes through, into it.
		if err := os.Remove(path); err != nil {
			t.Fatal(err)
		}
		if l, err = store.OpenLedger(path); err != nil {
			t.Fatal(err)
		}
		db.SetErasureLedger(l)
		if err := p.svc.EraseCase(p.ctx, lead, token, storetest.Password, id, reason, "art17-1d"); err != nil {
			t.Fatal(err)
		}
		entries, err := l.Entries(db.KeyRing())
		if erased := store.Erased(entries); err != nil || len(erased) != 1 || erased[0].CaseID != id || erased[0].By != lead.User.ID {
			t.Fatalf("the ledger after the erasure: %+v %v", entries, err)
		}
	})
}

// §9, §6.5: someone holding a copy of the database after an erasure learns
// nothing of the child's pathway from the case's row: not the Home Office's
// decision (the lists' progress), and no answers typed about the case and
// kept across a time-out, which would otherwise still open until they expire.
func TestAnErasedCaseLeavesNoProgressOrKeptAnswers(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		p := newPartnership(t, db)
		lead, token := p.privacyLead()
		id := p.raise()
		p.contact(id)
		p.outcome(id)
		p.homesMeetingAgreesPoliceSubmit(id)
		p.nrmAct(p.PoliceLead, id, pathway.SubmitNRMReferral{SubmittedAt: p.clock.Now().Add(-time.Minute), Via: "online-form", DeclarationMade: true, ExplainedToChild: pathway.ExplainedYes, ExplainedToCarer: pathway.ExplainedYes})
		p.nrmAct(p.SocialWorker, id, pathway.RecordReasonableGrounds{Outcome: pathway.DecisionPositive, DecidedOn: p.clock.Now().Format("2006-01-02")})
		if _, err := p.svc.KeepAnswers(p.ctx, casework.KeptAnswers{UserID: p.SocialWorker.User.ID, CaseID: id, Form: "/cases/" + id + "/actions/add-note",
			Data: []byte(`{"page":"/cases/` + id + `/actions/add-note","form":{"text":["Her uncle collects her after school"]}}`)}); err != nil {
			t.Fatal(err)
		}
		if err := p.svc.EraseCase(p.ctx, lead, token, storetest.Password, id, "Concern raised about the wrong child", "art17-1d"); err != nil {
			t.Fatal(err)
		}
		if n := p.count(`SELECT COUNT(*) FROM cases WHERE id = $1 AND COALESCE(progress, '') <> ''`, id); n != 0 {
			t.Errorf("the erased case's row still says where its pathway stood")
		}
		if n := p.count(`SELECT COUNT(*) FROM saved_answers WHERE case_id = $1`, id); n != 0 {
			t.Errorf("%d kept answers about the erased case remain", n)
		}
		if n := p.count(`SELECT COUNT(*) FROM data_keys WHERE owner_kind = 'answers'`); n != 0 {
			t.Errorf("%d keys of kept answers remain", n)
		}
	})
}
