package casework_test

import (
	"testing"

	"waymark"
	"waymark/internal/pathway"
	"waymark/internal/store"
	"waymark/internal/storetest"
)

// inviteeNegativeDecisionCase is a case whose meeting, with the GP invited,
// agreed the police submit the NRM, which the Home Office answered with a
// negative Reasonable Grounds decision (§8.5, §8.7).
func inviteeNegativeDecisionCase(p *partnership) string {
	p.t.Helper()
	id := meetingCase(p)
	convene(p, id, p.GPDoctor.User.Email, p.PoliceLead.User.Email)
	p.meetingMustAct(p.SocialWorker, id, recordHeld(pathway.NRMSubmit, p.Police.ID))
	p.nrmAct(p.PoliceLead, id, pathway.SubmitNRMReferral{SubmittedAt: p.clock.Now(), Via: "online-form", DeclarationMade: true,
		ExplainedToChild: pathway.ExplainedYes, ExplainedToCarer: pathway.ExplainedYes})
	p.nrmAct(p.PoliceLead, id, pathway.RecordReasonableGrounds{Outcome: pathway.DecisionNegative, DecidedOn: p.clock.Now().In(pathway.London).Format("2006-01-02")})
	return id
}

// §8.9, §6.5: any organisation on the case may ask for a reconsideration,
// so a meeting invitee sees the standing decisions and is offered the
// request; the referrer who was not at the meeting still is not.
func TestAMeetingInviteeSeesTheNRMDecisionAndMayAskForAReconsideration(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		p := newPartnership(t, db)
		id := inviteeNegativeDecisionCase(p)

		view, ok := seesCase(t, p, p.GPDoctor, id)
		if !ok || view.Membership.Team() {
			t.Fatalf("the GP invitee: sees %v, roles %v", ok, view.Membership.Roles)
		}
		rg := view.Case.NRM.Decision(pathway.ReasonableGrounds)
		if rg == nil || rg.Positive() {
			t.Fatalf("the invitee's case shows the Reasonable Grounds decision as %+v, want the negative one", rg)
		}
		if view.Case.NRM.Submission == nil {
			t.Fatal("the invitee's case does not show that the NRM was submitted")
		}
		if !hasEventType(view, pathway.EventNRMDecisionRecorded) {
			t.Error("the invitee's timeline lacks the decision")
		}
		if av := view.Action(pathway.CommandName(pathway.RequestNRMReconsideration{})); !av.Allowed {
			t.Fatalf("the invitee is not offered a reconsideration: %s", av.Reason)
		}
		req := pathway.RequestNRMReconsideration{Decision: pathway.ReasonableGrounds, EventsSinceReferral: "She told the GP about the flat she was kept in."}
		p.meetingMustAct(p.GPDoctor, id, req)
		if r := p.loadCase(id).NRM.OpenReconsideration(); r == nil || r.By.UserID != p.GPDoctor.User.ID {
			t.Fatalf("the open reconsideration is %+v, want the GP's", r)
		}

		// The referrer was not at the meeting: the NRM is not theirs to see (§6.5).
		teacher, _ := seesCase(t, p, p.Teacher, id)
		if teacher.Case.NRM.Decision(pathway.ReasonableGrounds) != nil || teacher.Action(pathway.CommandName(req)).Allowed {
			t.Fatal("the referrer who was not invited sees the NRM decision or is offered a reconsideration")
		}
		wantCode(t, p.meetingAct(p.Teacher, id, req), waymark.ENOTFOUND)
	})
}
