package web

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"waymark/internal/store"
	"waymark/internal/storetest"
)

// §6.8, §7.4: an API client that types who attended is refused with a
// problem naming "attendees" and saying how to choose them; nothing is saved.
func TestTypedMeetingAttendeesAreRefusedByTheAPI(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		doc := loadOpenAPI(t)
		id := e.meetingCase(nil)
		sw := e.signInAPI("social.worker@cs.example")
		post := func(slug string, body map[string]any) *httptest.ResponseRecorder {
			body["expectedVersion"] = e.versionAs(sw, id)
			return e.api("POST", "/api/v1/cases/"+id+"/actions/"+slug, sw, body)
		}
		rec := post("convene-meeting", map[string]any{"kind": "strat", "scheduledFor": "2026-03-10T08:00:00Z", "inviteeEmails": []string{"first.responder@police.example"}})
		if rec.Code != http.StatusOK {
			t.Fatalf("convening through the API: %d %s", rec.Code, rec.Body)
		}
		before := e.saved()
		rec = post("record-meeting", map[string]any{"attendees": []string{"Sam Social, social worker", "Pat Police, Northshire Police"}, "nrmDecision": "submit", "leadOrgId": "org-police",
			"childProtectionConference": false, "childProtectionPlan": false, "informationSharedWithPolice": true})
		p := mustProblem(t, rec, http.StatusUnprocessableEntity)
		if msg, ok := fieldErrorFor(p, "attendees"); !ok || !strings.Contains(msg, "attendeeIds") || !strings.Contains(msg, "attendeeEmails") {
			t.Fatalf("typed attendees: %s", rec.Body)
		}
		checkDocumentedResponse(t, doc, "POST /api/v1/cases/{id}/actions/record-meeting", rec)
		if after := e.saved(); after != before {
			t.Fatalf("a refusal saved something: %+v → %+v", before, after)
		}
		// Chosen by email, the same people are taken.
		rec = post("record-meeting", map[string]any{"attendeeEmails": []string{"social.worker@cs.example", "first.responder@police.example"}, "nrmDecision": "submit", "leadOrgId": "org-police",
			"childProtectionConference": false, "childProtectionPlan": false, "informationSharedWithPolice": true})
		if rec.Code != http.StatusOK {
			t.Fatalf("recording the meeting by email: %d %s", rec.Code, rec.Body)
		}
	})
}
