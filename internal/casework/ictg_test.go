package casework_test

import (
	"testing"

	"waymark/internal/pathway"
	"waymark/internal/store"
	"waymark/internal/storetest"
)

// §6.8, §9.4: once the child is referred to the NRM in a partnership that
// had the ICTG service that day, the team's case view carries the prompt to
// refer the child to the service; a referrer outside the team is not told,
// and recording the referral clears it.
func TestICTGReferralIsPromptedOnTheCaseWhereTheServiceRuns(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		p := newPartnership(t, db)
		id := p.raise()
		p.nrmAct(p.CSWorker, id, pathway.AssignWorker{WorkerEmail: p.PoliceLead.User.Email})
		day := p.clock.Now().In(pathway.London).Format("2006-01-02")
		if _, err := p.svc.RecordSetting(p.ctx, p.CSAdmin, pathway.SettingChange{Key: pathway.SettingICTGAvailable, Value: "yes", From: day}); err != nil {
			t.Fatal(err)
		}
		view, err := p.svc.Case(p.ctx, p.PoliceLead, id)
		if err != nil || view.ICTG != nil {
			t.Fatalf("prompted before the NRM referral: %+v, %v", view.ICTG, err)
		}
		p.nrmAct(p.PoliceLead, id, pathway.SubmitNRMReferral{SubmittedAt: p.clock.Now(), Via: "online-form", DeclarationMade: true,
			ExplainedToChild: pathway.ExplainedYes, ExplainedToCarer: pathway.ExplainedYes, ReasonWithoutMeeting: "The child is to be moved tonight."})
		view, err = p.svc.Case(p.ctx, p.PoliceLead, id)
		if err != nil || view.ICTG == nil {
			t.Fatalf("no ICTG prompt after the NRM referral: %v", err)
		}
		if out, err := p.svc.Case(p.ctx, p.Teacher, id); err != nil || out.ICTG != nil {
			t.Fatalf("the referrer outside the team was prompted: %+v, %v", out.ICTG, err)
		}
		p.nrmAct(p.PoliceLead, id, pathway.RecordSupport{Kind: pathway.SupportICTG, Status: pathway.SupportRequested, Provider: "Barnardo's"})
		if view, err = p.svc.Case(p.ctx, p.PoliceLead, id); err != nil || view.ICTG != nil {
			t.Fatalf("still prompted after the referral was recorded: %+v, %v", view.ICTG, err)
		}
	})
}
