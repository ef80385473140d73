package casework_test

import (
	"testing"

	"waymark/internal/pathway"
	"waymark/internal/store"
	"waymark/internal/storetest"
)

// §8.5, §8.6: whoever raised an escalation sees it on the case — its level
// while it is open and its outcome once resolved — whatever else of the
// team's work they may not see.
func TestThePersonWhoRaisedAnEscalationSeesItAndItsOutcome(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		p := newPartnership(t, db)
		mp := addMeetingPeople(t, p)
		id := meetingCase(p)
		convene(p, id, p.GPDoctor.User.Email)
		p.meetingMustAct(p.SocialWorker, id, recordHeld(pathway.NRMDoNotSubmit, ""))
		p.meetingMustAct(p.GPDoctor, id, pathway.RaiseEscalation{Reason: "The indicators meet the threshold for an NRM."})
		view, ok := seesCase(t, p, p.GPDoctor, id)
		if !ok || len(view.Case.Meetings.Escalations) != 1 || !view.Case.Meetings.Escalations[0].Open() {
			t.Fatalf("the GP who raised the escalation sees %+v on the case", view.Case.Meetings.Escalations)
		}
		p.meetingMustAct(p.SocialWorker, id, pathway.EscalateFurther{Note: "Line managers could not agree."})
		p.meetingMustAct(p.Manager, id, pathway.EscalateFurther{Note: "Senior managers could not agree."})
		p.meetingMustAct(mp.Lead, id, pathway.ResolveEscalation{Outcome: pathway.EscalationSubmit, LeadOrgID: p.Police.ID, Note: "Submit."})
		view, _ = seesCase(t, p, p.GPDoctor, id)
		if len(view.Case.Meetings.Escalations) != 1 || view.Case.Meetings.Escalations[0].Resolution == nil ||
			view.Case.Meetings.Escalations[0].Resolution.Outcome != pathway.EscalationSubmit {
			t.Fatalf("the GP does not see how the escalation ended: %+v", view.Case.Meetings.Escalations)
		}
	})
}
