package web

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"waymark/internal/pathway"
	"waymark/internal/store"
	"waymark/internal/storetest"
)

// §6.8: the child's household is recorded on its page; when the child is
// unrelated to it, the meetings area prompts the meeting to consider moving
// the child and a separate immigration application, until what it decided
// is recorded (here through the API).
func TestChildUnrelatedToTheHouseholdIsPromptedOnTheMeetingsPage(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		id := e.raiseCase()
		supportAct(e, e.p.CSWorker, id, pathway.RecordContact{Reference: "CS-2026-000906", Method: "phone"})
		supportAct(e, e.p.SocialWorker, id, pathway.ConveneMeeting{Kind: pathway.MeetingStrategy, ScheduledFor: e.clock.Now().Add(time.Hour), InviteeEmails: []string{"first.responder@police.example"}})
		e.clock.Advance(2 * time.Hour)
		no := false
		supportAct(e, e.p.SocialWorker, id, pathway.RecordMeetingHeld{AttendeeEmails: []string{"social.worker@cs.example", "first.responder@police.example"}, NRMDecision: pathway.NRMSubmit, LeadOrgID: e.p.Police.ID,
			ChildProtectionConference: &no, ChildProtectionPlan: &no, InformationSharedWithPolice: &no})

		b := e.browser()
		b.signIn(e.p.SocialWorker.User.Email)
		supportRoundTrip(t, b, id, "household",
			url.Values{"livesWith": {"Mr and Mrs Hoxha"}, "memberOfFamily": {"no"}},
			url.Values{"livesWith": {"Mr and Mrs Hoxha, who say they are her aunt and uncle"}, "memberOfFamily": {"no"}, "relatedInUK": {"no"}},
			"related to anyone else in this country")
		meetings := b.get("/cases/" + id + "/meetings").Body.String()
		if !strings.Contains(meetings, "moved from the household") || !strings.Contains(meetings, "/actions/unrelated-child") {
			t.Fatalf("the meetings page does not prompt the meeting about the household:\n%s", meetings)
		}

		token := e.signInAPI(e.p.SocialWorker.User.Email)
		rec := e.api("POST", "/api/v1/cases/"+id+"/actions/unrelated-child", token, map[string]any{"expectedVersion": e.versionAs(token, id),
			"move": "Moved to foster care today", "immigrationAdvice": "Referred to an OISC-regulated solicitor"})
		if rec.Code != http.StatusOK {
			t.Fatalf("recording the meeting's decision: %d %s", rec.Code, rec.Body)
		}
		meetings = b.get("/cases/" + id + "/meetings").Body.String()
		if strings.Contains(meetings, "moved from the household") || !strings.Contains(meetings, "Moved to foster care today") {
			t.Errorf("after the decision the meetings page still prompts, or does not show it")
		}
	})
}
