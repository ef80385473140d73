package web

import (
	"context"
	"strings"
	"testing"
	"time"

	"waymark/internal/casework"
	"waymark/internal/pathway"
	"waymark/internal/store"
	"waymark/internal/storetest"
)

// §8.5, §8.6: the referrer who raised an escalation sees it, and how it
// ended, on their case page and in the API, as the team does.
func TestTheRaiserSeesTheirEscalationOnThePageAndInTheAPI(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		lead := e.meetingPartnershipLead()
		id := e.meetingCase(nil)
		yes := true
		for _, st := range []struct {
			v   casework.Viewer
			cmd pathway.Command
		}{
			{e.p.SocialWorker, pathway.ConveneMeeting{Kind: pathway.MeetingStrategy, ScheduledFor: e.clock.Now().Add(time.Hour), InviteeEmails: []string{"first.responder@police.example"}}},
			{e.p.SocialWorker, pathway.RecordMeetingHeld{AttendeeEmails: []string{"social.worker@cs.example", "first.responder@police.example"}, NRMDecision: pathway.NRMDoNotSubmit,
				ChildProtectionConference: &yes, ChildProtectionPlan: &yes, InformationSharedWithPolice: &yes}},
		} {
			e.clock.Advance(2 * time.Hour)
			if err := e.svc.Act(context.Background(), st.v, id, e.meetingVersion(id), st.cmd); err != nil {
				t.Fatalf("%s: %v", pathway.CommandName(st.cmd), err)
			}
		}
		teacher := e.signInAPI("dsl@northfield.example")
		if rec := e.api("POST", "/api/v1/cases/"+id+"/actions/raise-escalation", teacher, map[string]any{"expectedVersion": e.versionAs(teacher, id),
			"reason": "RAISED-REASON the indicators meet the threshold"}); rec.Code != 200 {
			t.Fatalf("raising: %d %s", rec.Code, rec.Body)
		}
		got := e.api("GET", "/api/v1/cases/"+id, teacher, nil).Body.String()
		if !strings.Contains(got, "RAISED-REASON") || strings.Contains(got, `"Escalations": null`) || strings.Contains(got, `"Escalations":null`) {
			t.Fatalf("the raiser's case in the API lacks their escalation: %s", got)
		}
		_ = lead
		b := e.browser()
		b.signIn("dsl@northfield.example")
		if page := b.get("/cases/" + id + "/decisions").Body.String(); !strings.Contains(page, "RAISED-REASON") {
			t.Fatalf("the raiser's decisions page lacks their escalation: %s", page)
		}
	})
}
