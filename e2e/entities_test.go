package e2e

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"waymark/internal/pathway"
	"waymark/internal/storetest"
)

// The same exploiters across children (issue 14 §2, §6.8, §8.8): a phone
// number recorded on one case that is already on another is flagged to the
// meeting chair, by the other case's reference and team only; the
// partnership lead's network view draws it, with a table of the same data.
// Both work without JavaScript, axe-core checks every page, and the network
// view fits 320 CSS px.

// meetingCaseFor raises a concern as the teacher, has Children's Services
// give the reference and call a meeting, and the social worker convene it;
// it returns the case id and its reference.
func meetingCaseFor(t *testing.T, base, given, family string) (id, ref string) {
	t.Helper()
	c := storetest.ValidConcern(time.Now())
	c.Child.GivenNames, c.Child.FamilyName, c.Child.Aliases = given, family, nil
	teacher := signInAPI(t, base, teacherEmail)
	var cs struct {
		ID string `json:"id"`
	}
	teacher.call("POST", "/api/v1/cases", c, http.StatusCreated, &cs)
	step := func(a *apiClient, path string, body map[string]any) {
		t.Helper()
		var v struct {
			Version int `json:"version"`
		}
		a.call("GET", "/api/v1/cases/"+cs.ID, nil, http.StatusOK, &v)
		body["expectedVersion"] = v.Version
		a.call("POST", "/api/v1/cases/"+cs.ID+path, body, http.StatusOK, nil)
	}
	front := signInAPI(t, base, csEmail)
	step(front, "/contact", map[string]any{"method": "phone", "note": "Call from the school."})
	step(front, "/outcome", map[string]any{"decision": "multi-agency-meeting", "nextStep": "A STRAT meeting this week."})
	sw := signInAPI(t, base, socialWorkerEmail)
	step(sw, "/actions/convene-meeting", map[string]any{"kind": pathway.MeetingStrategy,
		"scheduledFor": time.Now().Add(48 * time.Hour).UTC().Format(time.RFC3339), "inviteeEmails": []string{firstResponderEmail}})
	var out struct {
		Reference string `json:"reference"`
	}
	sw.call("GET", "/api/v1/cases/"+cs.ID, nil, http.StatusOK, &out)
	if out.Reference == "" {
		t.Fatalf("case %s has no reference", cs.ID)
	}
	return cs.ID, out.Reference
}

func TestSharedPhoneNumberIsFlaggedToTheMeetingChair(t *testing.T) {
	b := newBrowserFor(t, false, 4*time.Minute)
	earlier, earlierRef := meetingCaseFor(t, b.base, "Dani", "Roberts")
	later, _ := meetingCaseFor(t, b.base, "Lee", "Marsh")
	// The number is on the earlier case, written the international way.
	sw := signInAPI(t, b.base, socialWorkerEmail)
	var v struct {
		Version int `json:"version"`
	}
	sw.call("GET", "/api/v1/cases/"+earlier, nil, http.StatusOK, &v)
	sw.call("POST", "/api/v1/cases/"+earlier+"/actions/record-entity", map[string]any{"expectedVersion": v.Version,
		"kind": pathway.EntityPhone, "value": "+44 7700 900777", "role": pathway.EntityRoleContact}, http.StatusOK, nil)

	// The social worker, who convened the later case's meeting and so
	// chairs it, records the number there through the form.
	b.signIn(socialWorkerEmail, socialWorkerName)
	casePath := "/cases/" + later
	b.open(casePath + "/entities")
	b.expectHeading("People, places and numbers")
	b.expectText("None of these has been recorded on another case")
	b.open(casePath + "/actions/record-entity")
	b.tick(radioFor(b, "kind", pathway.EntityPhone))
	b.fill("value", "12")
	b.tick(radioFor(b, "role", pathway.EntityRoleContact))
	b.submit()
	b.expectText("There is a problem", "07700 900123") // the error summary says what a number looks like
	b.narrowAxe("record-entity-error")
	b.clear("value")
	b.fill("value", "07700 900777")
	b.submit()
	b.open(casePath + "/entities")
	b.expectText("1 of these appears in other cases", "Appears in 1 other case: "+earlierRef, "Ask their teams")
	b.narrowAxe("entities-recurring")
	if strings.Contains(b.text("main"), "+44 7700 900777") {
		b.fatalf("the other case's record of the number is shown")
	}
	b.signOut()

	// The partnership lead sees the number on the network view, drawn and
	// tabled, by fingerprint, at desktop width and on a phone.
	b.signIn(partnershipLeadEmail, partnershipLeadName)
	b.open("/network")
	b.expectHeading("Network of recurring people, places and numbers")
	if !b.exists(`svg[role="img"] title#net-title`) || !b.exists(`svg desc#net-desc`) {
		b.fatalf("the network picture has no accessible name and description")
	}
	b.expectText("Recurring details and their cases", earlierRef)
	if strings.Contains(b.text("main"), "7700") {
		b.fatalf("the network view shows a phone number")
	}
	b.narrowAxe("network")
	b.signOut()
}
