package web

import (
	"context"
	"testing"
	"time"

	"waymark/internal/casework"
	"waymark/internal/pathway"
	"waymark/internal/store"
	"waymark/internal/storetest"
)

// §6.5 (pathway/invitee_nrm.go): until a decision is made, a meeting invitee
// outside the team is told nothing of the NRM submission. What they are
// offered must not tell them either: Allows checks an outsider's command
// against the whole case too, so "raise escalation" (refused once the NRM is
// submitted, issue 13) disappears, and with it the case's Decisions page.
func TestAnInviteeLearnsNothingOfTheSubmissionFromWhatTheyAreOffered(t *testing.T) {

	t.Skip("found by review, not fixed: the two issue-13 rules conflict (refuse escalations after the submission; tell invitees nothing of it before a decision); the lead decides which gives way")
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		id := e.meetingCase(nil)
		yes := true
		for _, st := range []struct {
			v   casework.Viewer
			cmd pathway.Command
		}{
			{e.p.SocialWorker, pathway.ConveneMeeting{Kind: pathway.MeetingStrategy, ScheduledFor: e.clock.Now().Add(time.Hour), InviteeEmails: []string{"doctor@riverside.example", "first.responder@police.example"}}},
			{e.p.SocialWorker, pathway.RecordMeetingHeld{Attendees: []string{"Sam Social", "Pat Police", "Dee Doctor"}, NRMDecision: pathway.NRMSubmit, LeadOrgID: e.p.Police.ID,
				ChildProtectionConference: &yes, ChildProtectionPlan: &yes, InformationSharedWithPolice: &yes}},
		} {
			e.clock.Advance(2 * time.Hour)
			if err := e.svc.Act(context.Background(), st.v, id, e.meetingVersion(id), st.cmd); err != nil {
				t.Fatalf("%s: %v", pathway.CommandName(st.cmd), err)
			}
		}
		offered := func() map[string]bool {
			view, err := e.svc.Case(context.Background(), e.p.GPDoctor, id)
			if err != nil {
				t.Fatal(err)
			}
			out := map[string]bool{}
			for _, a := range view.Actions {
				out[a.Name] = a.Allowed
			}
			return out
		}
		before := offered()
		e.clock.Advance(time.Minute)
		if err := e.svc.Act(context.Background(), e.p.PoliceLead, id, e.meetingVersion(id), pathway.SubmitNRMReferral{SubmittedAt: e.clock.Now(), Via: "online-form",
			DeclarationMade: true, ExplainedToChild: pathway.ExplainedYes, ExplainedToCarer: pathway.ExplainedYes}); err != nil {
			t.Fatal(err)
		}
		for name, allowed := range offered() {
			if before[name] != allowed {
				t.Errorf("the submission changed whether the invitee may %s: %v, then %v", name, before[name], allowed)
			}
		}
	})
}
