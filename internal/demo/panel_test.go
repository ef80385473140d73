package demo_test

import (
	"context"
	"testing"

	"waymark/internal/pathway"
	"waymark/internal/store"
)

// Issue 13: the demo partnership is a Devolved Decision Making pilot site
// whose panel took one case from the referral to a positive Conclusive
// Grounds decision, and decides the later referrals of children in scope.
func TestTheDemoIsAPilotSiteWithAPanelDecision(t *testing.T) {
	svc, db := seeded(t)
	ctx := context.Background()
	lead := signIn(t, svc, "partnership.lead@eastshire.example")
	pack, err := svc.PanelCases(ctx, lead)
	if err != nil {
		t.Fatal(err)
	}
	byName := map[string]pathway.Case{}
	for _, e := range pack {
		if err := db.View(ctx, func(tx *store.Tx) error {
			c, _, err := tx.LoadCase(e.CaseID)
			byName[e.ChildName] = c
			return err
		}); err != nil {
			t.Fatal(err)
		}
	}
	erin, ok := byName["Erin Walsh"]
	if !ok {
		t.Fatalf("the panel's referrals: %v", byName)
	}
	rg, cg := erin.NRM.ReasonableGrounds, erin.NRM.ConclusiveGrounds
	if rg == nil || cg == nil || !rg.Positive() || !cg.Positive() || rg.Maker != pathway.MakerPanel || cg.Maker != pathway.MakerPanel || cg.MakerLabel() != "Eastshire Child Decision Panel" {
		t.Fatalf("Erin's decisions: %+v %+v", rg, cg)
	}
	if c, ok := byName["Oliver Grant"]; !ok || c.NRM.ReasonableGrounds != nil {
		t.Errorf("Oliver Grant's referral is not waiting for the panel")
	}
	if c, ok := byName["Sophie Lambert"]; !ok || c.NRM.ReasonableGrounds == nil || c.NRM.ReasonableGrounds.Maker != pathway.MakerPanel {
		t.Errorf("Sophie Lambert's negative decision is not the panel's")
	}
}
