package web

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"waymark/internal/access"
	"waymark/internal/casework"
	"waymark/internal/pathway"
	"waymark/internal/store"
	"waymark/internal/storetest"
)

// meetingVersion reads the case's version from the read model.
func (e *testEnv) meetingVersion(id string) int {
	e.t.Helper()
	var v int
	if err := e.db.SQL().QueryRow(`SELECT version FROM cases WHERE id = $1`, id).Scan(&v); err != nil {
		e.t.Fatalf("reading version: %v", err)
	}
	return v
}

// meetingCase raises a concern and has the front door give the outcome
// "multi-agency meeting"; change may alter the concern first.
func (e *testEnv) meetingCase(change func(*pathway.Concern)) string {
	e.t.Helper()
	ctx := context.Background()
	c := storetest.ValidConcern(e.clock.Now())
	if change != nil {
		change(&c)
	}
	id, err := e.svc.RaiseConcern(ctx, e.p.Teacher, c)
	if err != nil {
		e.t.Fatal(err)
	}
	if _, err := e.svc.RecordContact(ctx, e.p.CSWorker, id, e.meetingVersion(id), "phone", ""); err != nil {
		e.t.Fatal(err)
	}
	if err := e.svc.RecordOutcome(ctx, e.p.CSWorker, id, e.meetingVersion(id), "multi-agency-meeting", "STRAT tomorrow"); err != nil {
		e.t.Fatal(err)
	}
	return id
}

// meetingPartnershipLead adds a partnership lead who can sign in.
func (e *testEnv) meetingPartnershipLead() casework.Viewer {
	e.t.Helper()
	hash, err := access.HashPassword(storetest.Password, storetest.FastArgon)
	if err != nil {
		e.t.Fatal(err)
	}
	var v casework.Viewer
	err = e.db.Update(context.Background(), func(tx *store.Tx) error {
		if err := tx.InsertOrganisation(store.Organisation{ID: "org-partnership", Name: "Northshire Safeguarding Children Partnership", Kind: "local-authority", CreatedAt: e.clock.Now()}); err != nil {
			return err
		}
		if err := tx.InsertUser(store.User{ID: "user-lead", OrgID: "org-partnership", Email: "lead@partnership.example", Name: "Pip Partnership", Role: pathway.RolePartnershipLead, PasswordHash: hash, CreatedAt: e.clock.Now()}); err != nil {
			return err
		}
		if err := casework.EnrolTOTP(tx, "user-lead", storetest.TOTPSecret, e.clock.Now()); err != nil {
			return err
		}
		u, err := tx.UserByID("user-lead")
		v = casework.Viewer{User: u}
		return err
	})
	if err != nil {
		e.t.Fatal(err)
	}
	return v
}

// meetingRoundTrip is one action page's life: the form, a refused answer
// (422 with the error summary naming field), then an accepted one (303).
func meetingRoundTrip(t *testing.T, b *browser, caseID, slug string, bad url.Values, badField string, good url.Values) string {
	t.Helper()
	path := "/cases/" + caseID + "/actions/" + slug
	form := b.get(path)
	if form.Code != http.StatusOK {
		t.Fatalf("GET %s: %d %s", path, form.Code, form.Body)
	}
	page := form.Body.String()
	csrf, version := hiddenInput(page, "csrf_token"), hiddenInput(page, "version")
	if csrf == "" || version == "" {
		t.Fatalf("GET %s: no csrf token or version", path)
	}
	for _, vs := range []url.Values{bad, good} {
		vs.Set("csrf_token", csrf)
		vs.Set("version", version)
	}
	rec := b.post(path, bad)
	if rec.Code != http.StatusUnprocessableEntity || !strings.Contains(rec.Body.String(), "govuk-error-summary") || !strings.Contains(rec.Body.String(), `href="#`+badField+`"`) {
		t.Fatalf("POST %s with a wrong answer: %d, want 422 with an error summary naming %s:\n%s", path, rec.Code, badField, rec.Body)
	}
	rec = b.post(path, good)
	if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "/cases/"+caseID+"?done="+slug {
		t.Fatalf("POST %s: %d %q, want 303 back to the case:\n%s", path, rec.Code, rec.Header().Get("Location"), rec.Body)
	}
	return page
}

// §6.8: the social worker convenes the meeting, records what it agreed, the
// powers it considered and its actions, each through its own page; the
// action's owner marks it done.
func TestMeetingPagesCarryAMeetingFromConveningToActionDone(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		id := e.meetingCase(func(c *pathway.Concern) { c.FamilySuspected = true })
		sw := e.browser()
		sw.signIn("social.worker@cs.example")

		casePage := sw.get("/cases/" + id + "/meetings").Body.String()
		if !strings.Contains(casePage, "/actions/convene-meeting") || strings.Contains(casePage, "/actions/record-meeting") {
			t.Fatal("the case page does not offer convening (and only convening) to the social worker")
		}
		meetingRoundTrip(t, sw, id, "convene-meeting",
			url.Values{"kind": {"strat"}, "scheduledFor-day": {"10"}, "scheduledFor-month": {"3"}, "scheduledFor-year": {"2026"}, "scheduledFor-time": {"08:00"},
				"inviteeEmails": {"first.responder@police.example\nnobody@nowhere.example"}}, "inviteeEmails",
			url.Values{"kind": {"strat"}, "scheduledFor-day": {"10"}, "scheduledFor-month": {"3"}, "scheduledFor-year": {"2026"}, "scheduledFor-time": {"08:00"},
				"inviteeEmails": {"first.responder@police.example\r\ndsl@northfield.example\r\n"}})

		form := meetingRoundTrip(t, sw, id, "record-meeting",
			url.Values{"meetingId": {""}, "attendeeIds": {"user:user-social-worker", "user:user-police"}, "nrmDecision": {"submit"}, "leadOrgId": {"org-school"},
				"childProtectionConference": {"yes"}, "childProtectionPlan": {"no"}, "informationSharedWithPolice": {"yes"}}, "leadOrgId",
			url.Values{"meetingId": {""}, "attendeeIds": {"user:user-social-worker", "user:user-police"}, "nrmDecision": {"submit"}, "leadOrgId": {"org-police"},
				"childProtectionConference": {"yes"}, "childProtectionPlan": {"no"}, "informationSharedWithPolice": {"yes"}, "notes": {"Police lead."}})
		if !strings.Contains(form, `value="org-police"`) || strings.Contains(form, `value="org-school"`) {
			t.Error("the lead organisation list is not the First Responder organisations")
		}
		if !strings.Contains(form, "STRAT meeting on 10 March 2026 at 8:00am") {
			t.Error("the meeting is not offered by its kind and time")
		}

		form = meetingRoundTrip(t, sw, id, "disruption-power",
			url.Values{"power": {"cawn"}, "outcome": {"to-apply"}, "reason": {""}}, "reason",
			url.Values{"power": {"cawn"}, "outcome": {"to-apply"}, "reason": {"Adults seen collecting her."}})
		for _, p := range pathway.DisruptionPowers() {
			if !strings.Contains(form, `value="`+p.Value+`"`) {
				t.Errorf("the power %s is not offered", p.Text)
			}
		}

		// annex, §1.2: the family is suspected, so an action may not contact them.
		meetingRoundTrip(t, sw, id, "meeting-action",
			url.Values{"text": {"Tell her mother"}, "ownerEmail": {"first.responder@police.example"}, "dueOn-day": {"20"}, "dueOn-month": {"3"}, "dueOn-year": {"2026"}, "contactsFamily": {"yes"}}, "contactsFamily",
			url.Values{"text": {"Visit the address"}, "ownerEmail": {"first.responder@police.example"}, "dueOn-day": {"20"}, "dueOn-month": {"3"}, "dueOn-year": {"2026"}, "contactsFamily": {"no"}})

		// The area on the case page shows what was agreed and the action's clock.
		view, err := e.svc.Case(context.Background(), e.p.SocialWorker, id)
		if err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		if err := e.srv.pages.ExecuteTemplate(&buf, "area-meetings", e.srv.caseData(view, e.p.SocialWorker)); err != nil {
			t.Fatalf("rendering area-meetings: %v", err)
		}
		area := buf.String()
		for _, want := range []string{"STRAT meeting on 10 March 2026", "Northshire Police", "Child Abduction Warning Notice", "Visit the address", "20 March 2026", "Due in 10 days"} {
			if !strings.Contains(area, want) {
				t.Errorf("the meeting area does not show %q:\n%s", want, area)
			}
		}

		police := e.browser()
		police.signIn("first.responder@police.example")
		actionID := view.Case.Meetings.Actions[0].ID
		meetingRoundTrip(t, police, id, "meeting-action-done",
			url.Values{"actionId": {"action-999"}}, "actionId",
			url.Values{"actionId": {actionID}, "note": {"Visited."}})
		c := view.Case
		if after, _ := e.svc.Case(context.Background(), e.p.PoliceLead, id); after.Case.Version != c.Version+1 || !after.Case.Meetings.Actions[0].Done() {
			t.Fatal("the action was not marked done")
		}
	})
}

// §8.5, §8.6: a member escalates, the escalation climbs, the partnership lead
// finds it on their list and settles it.
func TestEscalationPagesAndThePartnershipLeadsList(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		e.meetingPartnershipLead()
		id := e.meetingCase(nil)
		teacher := e.browser()
		teacher.signIn("dsl@northfield.example")
		meetingRoundTrip(t, teacher, id, "raise-escalation",
			url.Values{"reason": {" "}}, "reason",
			url.Values{"reason": {"The school believes an NRM referral is needed."}})
		meetingRoundTrip(t, teacher, id, "escalate-further",
			url.Values{"note": {""}}, "note",
			url.Values{"note": {"Line managers could not agree."}})
		meetingRoundTrip(t, teacher, id, "escalate-further",
			url.Values{"note": {""}}, "note",
			url.Values{"note": {"Senior managers could not agree."}})

		pl := e.browser()
		pl.signIn("lead@partnership.example")
		list := pl.get("/escalations")
		body := list.Body.String()
		if list.Code != http.StatusOK || !strings.Contains(body, `href="/cases/`+id+`#escalations"`) || !strings.Contains(body, "Level 3") || !strings.Contains(body, `href="/escalations"`) {
			t.Fatalf("GET /escalations as the partnership lead: %d\n%s", list.Code, body)
		}
		meetingRoundTrip(t, pl, id, "resolve-escalation",
			url.Values{"outcome": {"submit"}, "note": {"Agreed."}, "leadOrgId": {""}}, "leadOrgId",
			url.Values{"outcome": {"submit"}, "note": {"The partnership agrees the referral is needed."}, "leadOrgId": {"org-police"}})
		if c, err := e.svc.Case(context.Background(), e.p.SocialWorker, id); err != nil || c.Case.Flags(e.clock.Now()).OpenEscalations != 0 {
			t.Fatalf("after resolution: %v", err)
		}
		if body := pl.get("/escalations").Body.String(); strings.Contains(body, id) {
			t.Fatal("a resolved escalation is still listed")
		}

		sw := e.browser()
		sw.signIn("social.worker@cs.example")
		if rec := sw.get("/escalations"); rec.Code != http.StatusForbidden || !strings.Contains(rec.Body.String(), "partnership lead") {
			t.Fatalf("GET /escalations as a social worker: %d", rec.Code)
		}
	})
}

// Each command family's API refusal is a problem document naming the field.
func TestMeetingAPIRefusalsNameTheField(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		doc := loadOpenAPI(t)
		id := e.meetingCase(func(c *pathway.Concern) { c.FamilySuspected = true })
		sw := e.signInAPI("social.worker@cs.example")
		post := func(token, slug string, body map[string]any) *httptest.ResponseRecorder {
			body["expectedVersion"] = e.versionAs(token, id)
			return e.api("POST", "/api/v1/cases/"+id+"/actions/"+slug, token, body)
		}

		before := e.saved()
		rec := post(sw, "convene-meeting", map[string]any{"kind": "strat", "scheduledFor": "2026-03-10T08:00:00Z", "inviteeEmails": []string{"nobody@nowhere.example"}})
		p := mustProblem(t, rec, http.StatusUnprocessableEntity)
		if msg, ok := fieldErrorFor(p, "inviteeEmails"); !ok || !strings.Contains(msg, "nobody@nowhere.example") {
			t.Fatalf("unknown invitee: %s", rec.Body)
		}
		checkDocumentedResponse(t, doc, "POST /api/v1/cases/{id}/actions/convene-meeting", rec)
		if after := e.saved(); after != before {
			t.Fatalf("a refusal saved something: %+v → %+v", before, after)
		}

		rec = post(sw, "convene-meeting", map[string]any{"kind": "strat", "scheduledFor": "2026-03-10T08:00:00Z", "inviteeEmails": []string{"first.responder@police.example"}})
		if rec.Code != http.StatusOK {
			t.Fatalf("convening through the API: %d %s", rec.Code, rec.Body)
		}
		// No meeting id: the API records the meeting waiting to be recorded.
		rec = post(sw, "record-meeting", map[string]any{"attendeeEmails": []string{"social.worker@cs.example"}, "nrmDecision": "submit", "leadOrgId": "org-police",
			"childProtectionConference": false, "childProtectionPlan": false, "informationSharedWithPolice": true})
		if rec.Code != http.StatusOK {
			t.Fatalf("recording the meeting through the API: %d %s", rec.Code, rec.Body)
		}
		// Every meeting is recorded now: there is none left to record (§6.8).
		rec = post(sw, "record-meeting", map[string]any{"attendeeEmails": []string{"social.worker@cs.example"}, "nrmDecision": "submit"})
		mustProblem(t, rec, http.StatusConflict)

		rec = post(sw, "meeting-action", map[string]any{"text": "Call her father", "ownerEmail": "first.responder@police.example", "dueOn": "2026-03-12", "contactsFamily": true})
		p = mustProblem(t, rec, http.StatusUnprocessableEntity)
		if msg, ok := fieldErrorFor(p, "contactsFamily"); !ok || !strings.Contains(msg, "police and Children's Services") {
			t.Fatalf("family contact while suspected: %s", rec.Body)
		}

		rec = post(sw, "disruption-power", map[string]any{"power": "curfew", "outcome": "granted", "reason": "x"})
		if _, ok := fieldErrorFor(mustProblem(t, rec, http.StatusUnprocessableEntity), "power"); !ok {
			t.Fatalf("unknown power: %s", rec.Body)
		}

		teacher := e.signInAPI("dsl@northfield.example")
		rec = post(teacher, "raise-escalation", map[string]any{"reason": ""})
		if _, ok := fieldErrorFor(mustProblem(t, rec, http.StatusUnprocessableEntity), "reason"); !ok {
			t.Fatalf("escalation without a reason: %s", rec.Body)
		}
		rec = post(teacher, "convene-meeting", map[string]any{"kind": "strat", "scheduledFor": "2026-03-10T08:00:00Z", "inviteeEmails": []string{"first.responder@police.example"}})
		// Not theirs to give: answered as an action that does not exist (§6.5).
		if p := mustProblem(t, rec, http.StatusNotFound); !strings.Contains(p.Detail, "There is no such action") {
			t.Fatalf("the teacher convening: %s", rec.Body)
		}
	})
}

// WCAG 3.3.7 (redundant entry): "Who attended?" starts with whoever
// convened the meeting and everyone invited, so the person recording it
// only unticks those who did not come (§6.8, attendees are chosen, not typed).
func TestWhoAttendedStartsWithThoseInvited(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		id := e.meetingCase(nil)
		sw := e.browser()
		sw.signIn("social.worker@cs.example")
		meetingRoundTrip(t, sw, id, "convene-meeting",
			url.Values{"kind": {"strat"}}, "scheduledFor",
			url.Values{"kind": {"strat"}, "scheduledFor-day": {"10"}, "scheduledFor-month": {"3"}, "scheduledFor-year": {"2026"}, "scheduledFor-time": {"08:00"},
				"inviteeEmails": {"first.responder@police.example\r\ndsl@northfield.example"}})
		page := sw.get("/cases/" + id + "/actions/record-meeting").Body.String()
		for _, who := range []struct{ value, name string }{
			{"user:user-social-worker", "Sam Social, Northshire Children&#39;s Services"},
			{"user:user-police", "Pat Police, Northshire Police"},
			{"user:user-teacher", "Tara Teacher, Northfield Academy"},
		} {
			i := strings.Index(page, `name="attendeeIds" type="checkbox" value="`+who.value+`"`)
			if i < 0 {
				t.Fatalf("%s is not offered as an attendee:\n%s", who.name, page)
			}
			box := page[i : i+strings.Index(page[i:], ">")]
			if !strings.Contains(box, "checked") || !strings.Contains(page[i:], who.name) {
				t.Errorf("%s is not ticked to start with: %s", who.name, box)
			}
		}
		if strings.Contains(page, `<textarea class="govuk-textarea" id="attendees"`) {
			t.Error("attendees are still typed")
		}
	})
}
