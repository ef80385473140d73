package web

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"waymark/internal/casework"
	"waymark/internal/pathway"
	"waymark/internal/store"
	"waymark/internal/storetest"
)

// §8.5, §8.6: after the submission an escalation about submitting is
// refused with a problem document (and the page shows the reason instead of
// the form), and the meeting's action to submit is shown done.
func TestAfterTheSubmissionTheEscalationIsRefusedAndTheActionIsDone(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		id := e.meetingCase(nil)
		yes := true
		meetingID := func() string { return e.meetingIDs(e.signInAPI("social.worker@cs.example"), id)[0] }
		steps := []struct {
			v   casework.Viewer
			cmd func() pathway.Command
		}{
			{e.p.SocialWorker, func() pathway.Command {
				return pathway.ConveneMeeting{Kind: pathway.MeetingStrategy, ScheduledFor: e.clock.Now().Add(time.Hour), InviteeEmails: []string{"first.responder@police.example"}}
			}},
			{e.p.SocialWorker, func() pathway.Command {
				return pathway.RecordMeetingHeld{AttendeeEmails: []string{"social.worker@cs.example", "first.responder@police.example"}, NRMDecision: pathway.NRMSubmit, LeadOrgID: e.p.Police.ID,
					ChildProtectionConference: &yes, ChildProtectionPlan: &yes, InformationSharedWithPolice: &yes}
			}},
			{e.p.SocialWorker, func() pathway.Command {
				return pathway.AddMeetingAction{MeetingID: meetingID(), Text: "Submit the NRM referral", OwnerEmail: "first.responder@police.example",
					DueOn: e.clock.Now().Add(48 * time.Hour).In(pathway.London).Format("2006-01-02"), ContactsFamily: new(bool)}
			}},
			{e.p.PoliceLead, func() pathway.Command {
				return pathway.SubmitNRMReferral{SubmittedAt: e.clock.Now(), Via: "online-form", DeclarationMade: true, ExplainedToChild: pathway.ExplainedYes, ExplainedToCarer: pathway.ExplainedYes}
			}},
		}
		for _, st := range steps {
			e.clock.Advance(2 * time.Hour)
			cmd := st.cmd()
			if err := e.svc.Act(context.Background(), st.v, id, e.meetingVersion(id), cmd); err != nil {
				t.Fatalf("%s: %v", pathway.CommandName(cmd), err)
			}
		}

		teacher := e.signInAPI("dsl@northfield.example")
		rec := e.api("POST", "/api/v1/cases/"+id+"/actions/raise-escalation", teacher, map[string]any{"expectedVersion": e.versionAs(teacher, id),
			"reason": "The NRM should be submitted."})
		p := mustProblem(t, rec, http.StatusUnprocessableEntity)
		if !strings.Contains(p.Detail, "no disagreement about the NRM referral left to escalate") {
			t.Errorf("the referrer's refusal says %q", p.Detail)
		}
		b := e.browser()
		b.signIn("dsl@northfield.example")
		if page := b.get("/cases/" + id + "/actions/raise-escalation").Body.String(); strings.Contains(page, "csrf_token") && strings.Contains(page, `name="reason"`) {
			t.Error("the referrer is given the escalation form after the submission")
		}

		police := e.signInAPI("first.responder@police.example")
		var c struct {
			Meetings struct {
				Actions []struct {
					Text   string
					DoneAt *time.Time
				}
			}
		}
		decodeInto(t, e.api("GET", "/api/v1/cases/"+id, police, nil), &c)
		if len(c.Meetings.Actions) != 1 || c.Meetings.Actions[0].DoneAt == nil {
			t.Fatalf("the meeting's action to submit after the submission: %+v", c.Meetings.Actions)
		}
	})
}
