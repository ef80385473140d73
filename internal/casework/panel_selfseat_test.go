package casework_test

import (
	"testing"

	"waymark"
	"waymark/internal/pathway"
	"waymark/internal/store"
	"waymark/internal/storetest"
)

// Need to know (§6.5): the partnership lead keeps who sits on the panel,
// but cannot seat themselves and so open every panel referral's evidence
// pack on their own say; another lead or an administrator seats them.
func TestPartnershipLeadCannotSeatThemselvesOnThePanel(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		p := newPartnership(t, db)
		p.pilotPanel()
		id := p.raise()
		p.submitNRM(id)
		lead := p.lead()
		wantCode(t, p.svc.SeatPanelMember(p.ctx, lead, lead.User.Email, pathway.PanelLocalAuthority), waymark.EINVALID)
		if _, _, err := p.svc.PanelEvidence(p.ctx, lead, id); waymark.ErrorCode(err) != waymark.ENOTFOUND {
			t.Fatalf("the lead who tried to seat themselves read the evidence pack: %v", err)
		}
		// Someone else may seat them, audited as every seat is.
		if err := p.svc.SeatPanelMember(p.ctx, p.CSAdmin, lead.User.Email, pathway.PanelLocalAuthority); err != nil {
			t.Fatal(err)
		}
		// Taking yourself off the panel is always allowed.
		if err := p.svc.SeatPanelMember(p.ctx, lead, lead.User.Email, ""); err != nil {
			t.Fatalf("the lead could not step down from the panel: %v", err)
		}
	})
}
