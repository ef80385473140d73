package casework_test

import (
	"testing"

	"waymark"
	"waymark/internal/store"
	"waymark/internal/storetest"
)

// An erased referral leaves the panel's list (UK GDPR art. 17): the other
// referrals are still listed, and the erased one answers as not found.
func TestAnErasedReferralLeavesThePanelsList(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		p := newPartnership(t, db)
		p.pilotPanel()
		kept := p.raise()
		p.submitNRM(kept)
		erased := p.raise()
		p.submitNRM(erased)
		lead, token := p.privacyLead()
		if err := p.svc.EraseCase(p.ctx, lead, token, storetest.Password, erased, "Concern raised about the wrong child: confirmed by the school", "art17-1d"); err != nil {
			t.Fatal(err)
		}
		list, err := p.svc.PanelCases(p.ctx, p.GPDoctor)
		if err != nil || len(list) != 1 || list[0].CaseID != kept {
			t.Fatalf("the panel's list after an erasure: %+v, %v", list, err)
		}
		if _, _, err := p.svc.PanelEvidence(p.ctx, p.GPDoctor, erased); waymark.ErrorCode(err) != waymark.ENOTFOUND {
			t.Fatalf("the erased referral's evidence pack: %v", err)
		}
		if n := p.count(`SELECT COUNT(*) FROM ddm_panel_cases WHERE case_id = $1`, erased); n != 0 {
			t.Errorf("the panel's index still names the erased case")
		}
	})
}
