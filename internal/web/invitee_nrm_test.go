package web

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"waymark/internal/casework"
	"waymark/internal/pathway"
	"waymark/internal/store"
	"waymark/internal/storetest"
)

// inviteeDecisionCase is a meeting case with the GP invited, the NRM
// submitted by the police as the meeting agreed, and a negative Reasonable
// Grounds decision (§8.5, §8.7).
func (e *testEnv) inviteeDecisionCase() string {
	e.t.Helper()
	id := e.meetingCase(nil)
	yes := true
	for _, st := range []struct {
		v   casework.Viewer
		cmd pathway.Command
	}{
		{e.p.SocialWorker, pathway.ConveneMeeting{Kind: pathway.MeetingStrategy, ScheduledFor: e.clock.Now().Add(time.Hour), InviteeEmails: []string{"doctor@riverside.example", "first.responder@police.example"}}},
		{e.p.SocialWorker, pathway.RecordMeetingHeld{AttendeeEmails: []string{"social.worker@cs.example", "first.responder@police.example", "doctor@riverside.example"}, NRMDecision: pathway.NRMSubmit, LeadOrgID: e.p.Police.ID,
			ChildProtectionConference: &yes, ChildProtectionPlan: &yes, InformationSharedWithPolice: &yes}},
		{e.p.PoliceLead, pathway.SubmitNRMReferral{SubmittedAt: e.clock.Now(), Via: "online-form", DeclarationMade: true, ExplainedToChild: pathway.ExplainedYes, ExplainedToCarer: pathway.ExplainedYes}},
		{e.p.PoliceLead, pathway.RecordReasonableGrounds{Outcome: pathway.DecisionNegative, DecidedOn: e.clock.Now().In(pathway.London).Format("2006-01-02")}},
	} {
		e.clock.Advance(2 * time.Hour)
		if err := e.svc.Act(context.Background(), st.v, id, e.meetingVersion(id), st.cmd); err != nil {
			e.t.Fatalf("%s: %v", pathway.CommandName(st.cmd), err)
		}
	}
	return id
}

// §8.9, §6.5: the meeting invitee's case page offers the reconsideration
// and its form names the standing negative decision, as the API shows it.
func TestAMeetingInviteeIsOfferedAReconsiderationOnTheCasePage(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		id := e.inviteeDecisionCase()
		gp := e.browser()
		gp.signIn("doctor@riverside.example")
		if page := gp.get("/cases/" + id + "/decisions").Body.String(); !strings.Contains(page, "/cases/"+id+"/actions/nrm-reconsideration") {
			t.Fatalf("the invitee's decisions page does not offer a reconsideration: %s", page)
		}
		form := gp.get("/cases/" + id + "/actions/nrm-reconsideration").Body.String()
		if strings.Contains(form, "Reasonable Grounds decision (not made yet)") || !strings.Contains(form, "Reasonable Grounds decision (negative") {
			t.Fatalf("the invitee's form does not name the negative decision: %s", form)
		}
		token := e.signInAPI("doctor@riverside.example")
		got := e.api("GET", "/api/v1/cases/"+id, token, nil)
		if got.Code != http.StatusOK || !strings.Contains(got.Body.String(), `"reasonableGrounds"`) {
			t.Fatalf("the API's case for the invitee lacks the decision: %d %s", got.Code, got.Body)
		}
		nrmRoundTrip(t, gp, id, "nrm-reconsideration",
			url.Values{"decision": {pathway.ReasonableGrounds}},
			url.Values{"decision": {pathway.ReasonableGrounds}, "eventsSinceReferral": {"She told the GP about the flat."}},
			"Give the grounds for a reconsideration")

		// The referrer was not invited: neither page nor API offers it (§6.5).
		teacher := e.browser()
		teacher.signIn("dsl@northfield.example")
		if page := teacher.get("/cases/" + id + "/actions/nrm-reconsideration").Body.String(); strings.Contains(page, "Record the request") {
			t.Fatal("the referrer who was not invited is given the reconsideration form")
		}
	})
}
