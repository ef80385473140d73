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

// §8.5, §6.5 (pathway/invitee_nrm.go): a meeting invitee is told the NRM
// referral was submitted as soon as it is, with its date and lead, never its
// contents; so what they are offered changing with it (an escalation about
// whether to submit is closed) tells them nothing they are not told.
func TestAnInviteeIsToldTheSubmissionAndWhatItCloses(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		id := e.meetingCase(nil)
		yes := true
		for _, st := range []struct {
			v   casework.Viewer
			cmd pathway.Command
		}{
			{e.p.SocialWorker, pathway.ConveneMeeting{Kind: pathway.MeetingStrategy, ScheduledFor: e.clock.Now().Add(time.Hour), InviteeEmails: []string{"doctor@riverside.example", "first.responder@police.example"}}},
			{e.p.SocialWorker, pathway.RecordMeetingHeld{AttendeeEmails: []string{"social.worker@cs.example", "first.responder@police.example", "doctor@riverside.example"}, NRMDecision: pathway.NRMSubmit, LeadOrgID: e.p.Police.ID,
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
		after := offered()
		esc := pathway.CommandName(pathway.RaiseEscalation{})
		if !before[esc] || after[esc] {
			t.Errorf("raising an escalation about submitting: offered %v before the submission, %v after; want true, then false", before[esc], after[esc])
		}
		view, err := e.svc.Case(context.Background(), e.p.GPDoctor, id)
		if err != nil {
			t.Fatal(err)
		}
		s := view.Case.NRM.Submission
		if s == nil || s.LeadOrgID != e.p.Police.ID || !s.SubmittedAt.Equal(e.clock.Now()) {
			t.Fatalf("the invitee is not told of the submission: %+v", s)
		}
		if s.Declaration.Made || s.Declaration.ExplainedToChild != "" {
			t.Errorf("the invitee is shown the referral's declaration: %+v", s.Declaration)
		}
	})
}
