package casework_test

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"waymark/internal/pathway"
	"waymark/internal/store"
	"waymark/internal/storetest"
)

// §7.3, §7.6: through the service, on both stores, an entry of the police
// log quoting a confidential placement reaches only those given access to
// the whereabouts, in the case and in its events; the referrer sees no log.
func TestThePoliceLogReachesOnlyThoseWhoMayKnowWhereTheChildIs(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		p := newPartnership(t, db)
		id := p.raise()
		p.contact(id)
		p.supportAct(p.SocialWorker, id, pathway.StartPlacement{StartedAt: p.clock.Now(), PlacementType: "foster-care", Address: supportAddress, WhereaboutsConfidential: true})
		p.supportAct(p.SocialWorker, id, pathway.SharePoliceInformation{SharedAt: p.clock.Now(), Topics: []string{"crimes-against-the-child"},
			What: "Men watched 14 Larch Close from a car", SharedWith: "PC Hale", SharedBy: "Sam Social"})

		for name, want := range map[string]bool{"social worker": true, "manager": false, "front door": false} {
			viewer := p.SocialWorker
			switch name {
			case "manager":
				viewer = p.Manager
			case "front door":
				viewer = p.CSWorker
			}
			view, err := p.svc.Case(p.ctx, viewer, id)
			if err != nil {
				t.Fatal(err)
			}
			log := view.Case.Support.AbroadRecords.PoliceSharing
			if len(log) != 1 || log[0].SharedWith != "PC Hale" {
				t.Fatalf("%s: log = %+v", name, log)
			}
			inState := strings.Contains(log[0].What, "Larch")
			inEvents := false
			for _, e := range view.Events {
				if d, ok := e.Data.(pathway.PoliceInformationShared); ok && strings.Contains(d.What, "Larch") {
					inEvents = true
				}
				if strings.Contains(e.Summary(), "Larch") {
					t.Errorf("%s: timeline line %q quotes the address", name, e.Summary())
				}
			}
			if inState != want || inEvents != want {
				t.Errorf("%s reads the entry: in the case %v, in the events %v; want %v", name, inState, inEvents, want)
			}
		}
		view, err := p.svc.Case(p.ctx, p.Teacher, id)
		if err != nil {
			t.Fatal(err)
		}
		if len(view.Case.Support.AbroadRecords.PoliceSharing) != 0 {
			t.Error("the referrer sees the police log")
		}
	})
}

// §8.3: once a decision is recorded, the team's next step is to tell the
// child, until that is recorded.
func TestTheNextStepAfterADecisionIsToTellTheChild(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		p := newPartnership(t, db)
		id := p.raise()
		p.contact(id)
		p.outcome(id)
		p.supportAct(p.SocialWorker, id, pathway.RecordStrategyDiscussion{HeldAt: p.clock.Now().Add(-time.Minute), Section47: true, Participants: []string{"Sam Social, Northshire Children's Services", "Pat Police, Northshire Police"}})
		p.homesMeetingAgreesPoliceSubmit(id)
		p.nrmAct(p.PoliceLead, id, pathway.SubmitNRMReferral{SubmittedAt: p.clock.Now().Add(-time.Minute), Via: "online-form", DeclarationMade: true, ExplainedToChild: pathway.ExplainedYes, ExplainedToCarer: pathway.ExplainedYes})
		regulated := true
		p.supportAct(p.SocialWorker, id, pathway.RecordSupport{Kind: pathway.SupportImmigrationLegalAdvice, Status: pathway.SupportRequested, OISCRegulated: &regulated})
		p.nrmAct(p.SocialWorker, id, pathway.RecordHomeOfficeReference{Reference: "NRM-2026-0042", ReceivedOn: p.clock.Now().Format("2006-01-02")})
		// The police's crime record is prompted once the NRM is in (§8.10(6)); it is here, so it does not come first.
		p.supportAct(p.PoliceLead, id, pathway.RecordCrimeReference{Reference: "NS/26/0042", Force: "Northshire Police"})
		p.nrmAct(p.SocialWorker, id, pathway.RecordReasonableGrounds{Outcome: pathway.DecisionPositive, DecidedOn: p.clock.Now().Format("2006-01-02")})
		told := pathway.CommandName(pathway.RecordNRMOutcomeTold{})
		view, err := p.svc.Case(p.ctx, p.SocialWorker, id)
		if err != nil {
			t.Fatal(err)
		}
		if !view.HasNextStep || view.NextStep.Name != told {
			t.Fatalf("next step after the decision = %+v, %v", view.NextStep, view.HasNextStep)
		}
		rg := view.Case.NRM.Decisions[0]
		p.supportAct(p.SocialWorker, id, pathway.RecordNRMOutcomeTold{Decision: strconv.Itoa(rg.Seq), ToldOn: p.clock.Now().Format("2006-01-02"), ToldBy: "Sam Social", To: []string{pathway.ToldChild}, HowUnderstood: "Glad; asked about college"})
		view, err = p.svc.Case(p.ctx, p.SocialWorker, id)
		if err != nil {
			t.Fatal(err)
		}
		if view.HasNextStep && view.NextStep.Name == told {
			t.Error("still prompted after the child was told")
		}
	})
}
