package web

import (
	"bytes"
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

// nrmRoundTrip drives one NRM action page: the form, a refusal shown with
// the error summary (422), and a save that returns to the case (303).
func nrmRoundTrip(t *testing.T, b *browser, caseID, slug string, invalid, valid url.Values, wantError string) {
	t.Helper()
	path := "/cases/" + caseID + "/actions/" + slug
	form := b.get(path)
	if form.Code != http.StatusOK {
		t.Fatalf("GET %s: %d %s", path, form.Code, form.Body)
	}
	csrf, version := hiddenInput(form.Body.String(), "csrf_token"), hiddenInput(form.Body.String(), "version")
	for _, f := range []url.Values{invalid, valid} {
		f.Set("csrf_token", csrf)
		f.Set("version", version)
	}
	bad := b.post(path, invalid)
	if bad.Code != http.StatusUnprocessableEntity || !strings.Contains(bad.Body.String(), "govuk-error-summary") || !strings.Contains(bad.Body.String(), wantError) {
		t.Fatalf("POST %s (invalid): %d, want 422 with an error summary saying %q: %s", path, bad.Code, wantError, bad.Body)
	}
	ok := b.post(path, valid)
	if ok.Code != http.StatusSeeOther || ok.Header().Get("Location") != "/cases/"+caseID+"?done="+slug {
		t.Fatalf("POST %s (valid): %d Location %q: %s", path, ok.Code, ok.Header().Get("Location"), ok.Body)
	}
}

// nrmArea renders the NRM section of the case page as viewer would see it,
// whether or not the case page includes it yet.
func nrmArea(t *testing.T, e *testEnv, viewer casework.Viewer, caseID string) string {
	t.Helper()
	view, err := e.svc.Case(context.Background(), viewer, caseID)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	for _, area := range []string{"area-nrm", "area-decisions"} {
		if err := e.srv.pages.ExecuteTemplate(&buf, area, e.srv.caseData(view, viewer)); err != nil {
			t.Fatalf("rendering %s: %v", area, err)
		}
	}
	return buf.String()
}

func nrmDate(field, day string) url.Values {
	d, _ := time.Parse("2006-01-02", day)
	return url.Values{field + "-day": {d.Format("2")}, field + "-month": {d.Format("1")}, field + "-year": {d.Format("2006")}}
}

func nrmForm(parts ...url.Values) url.Values {
	out := url.Values{}
	for _, p := range parts {
		for k, v := range p {
			out[k] = v
		}
	}
	return out
}

// The whole NRM area through its pages: submission (§8.1–8.5), reference and
// further information (§8.7), decisions, a reconsideration (§8.9), and the
// case page showing status, time limits and ICTG eligibility (§8.10).
func TestNRMActionPagesRoundTrip(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		id := e.raiseCase()
		b := e.browser()
		b.signIn("social.worker@cs.example")

		if page := b.get("/cases/" + id + "/nrm").Body.String(); !strings.Contains(page, "Record the NRM submission") {
			t.Fatalf("before the referral the case page does not offer the submission: %s", page)
		}
		if area := nrmArea(t, e, e.p.SocialWorker, id); !strings.Contains(area, "Not submitted") || !strings.Contains(area, "Becomes eligible once the NRM referral is submitted") {
			t.Fatalf("before the referral the NRM section does not say so or explain ICTG eligibility: %s", area)
		}
		teacher := e.browser()
		teacher.signIn("dsl@northfield.example")
		if page := workspace(teacher, id); strings.Contains(page, "Record the NRM submission") {
			t.Fatal("the school, not a First Responder, is offered the NRM submission")
		}

		submitted := url.Values{"submittedAt-day": {"10"}, "submittedAt-month": {"3"}, "submittedAt-year": {"2026"}, "submittedAt-time": {"8:30am"}, "declarationMade": {"yes"}, "explainedToChild": {"explained"}, "explainedToCarer": {"explained"}}
		nrmRoundTrip(t, b, id, "nrm-submit",
			nrmForm(submitted, url.Values{"via": {"online-form"}}),
			nrmForm(submitted, url.Values{"via": {"online-form"}, "reasonWithoutMeeting": {"The child is to be moved tonight; the meeting is on Friday."}}),
			"No multi-agency meeting has decided to submit")
		nrmRoundTrip(t, b, id, "nrm-reference",
			nrmDate("receivedOn", "2026-03-10"),
			nrmForm(nrmDate("receivedOn", "2026-03-10"), url.Values{"reference": {"NRM-2026-0042"}}),
			"Enter the reference the Home Office sent")
		nrmRoundTrip(t, b, id, "nrm-further-information",
			nrmDate("sentOn", "2026-03-10"),
			nrmForm(nrmDate("sentOn", "2026-03-10"), url.Values{"summary": {"School attendance records."}}),
			"Describe what was sent")
		nrmRoundTrip(t, b, id, "nrm-reasonable-grounds",
			nrmDate("decidedOn", "2026-03-10"),
			nrmForm(nrmDate("decidedOn", "2026-03-10"), url.Values{"outcome": {"negative"}}),
			"Select whether the decision was positive or negative")
		indicator := storetest.Catalog().Indicators[2]
		nrmRoundTrip(t, b, id, "nrm-reconsideration",
			url.Values{"decision": {pathway.ReasonableGrounds}, "childsViews": {"She wants to be heard."}},
			url.Values{"decision": {pathway.ReasonableGrounds}, "eventsSinceReferral": {"A disclosure to her teacher."}, "indicatorsAdded": {indicator.ID}, "childsViews": {"She wants to be heard."}},
			"Give the grounds for a reconsideration")
		nrmRoundTrip(t, b, id, "nrm-reconsideration-outcome",
			nrmDate("decidedOn", "2026-03-10"),
			nrmForm(nrmDate("decidedOn", "2026-03-10"), url.Values{"outcome": {pathway.ReconsiderationOverturned}}),
			"upheld or overturned")
		e.clock.Set(time.Date(2026, 4, 10, 9, 0, 0, 0, time.UTC))
		b.signIn("social.worker@cs.example") // a month later: a new session
		nrmRoundTrip(t, b, id, "nrm-conclusive-grounds",
			nrmForm(nrmDate("decidedOn", "2026-04-08"), url.Values{"outcome": {"positive"}}),
			nrmForm(nrmDate("decidedOn", "2026-04-09"), url.Values{"outcome": {"positive"}}),
			"no earlier than 9 April 2026")

		for _, area := range []string{"", "/nrm", "/decisions"} {
			if page := b.get("/cases/" + id + area); page.Code != http.StatusOK {
				t.Fatalf("case page %q after the NRM: %d", area, page.Code)
			}
		}
		page := nrmArea(t, e, e.p.SocialWorker, id)
		for _, want := range []string{"NRM decisions", "Positive Conclusive Grounds decision", "NRM-2026-0042",
			"Eligible since the NRM referral on 10 March 2026", "Reconsideration requests", "Overturned: the decision is now positive (10 March 2026)", "School attendance records.",
			strings.ReplaceAll(indicator.Label, "'", "&#39;"), "Earliest Conclusive Grounds decision"} {
			if !strings.Contains(page, want) {
				t.Errorf("the case page does not show %q", want)
			}
		}
		if area := nrmArea(t, e, e.p.Teacher, id); strings.TrimSpace(area) != "" {
			t.Error("the referrer, outside the team, sees the NRM section (§6.5)")
		}
	})
}

// §8.5: the case page offers the submission only to the lead the meeting agreed.
func TestNRMSubmissionIsOfferedOnlyToTheAgreedLead(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		id := e.raiseCase()
		ctx := context.Background()
		act := func(v casework.Viewer, cmd pathway.Command) {
			t.Helper()
			view, err := e.svc.Case(ctx, v, id)
			if err != nil {
				t.Fatal(err)
			}
			if err := e.svc.Act(ctx, v, id, view.Case.Version, cmd); err != nil {
				t.Fatalf("%T: %v", cmd, err)
			}
		}
		act(e.p.SocialWorker, pathway.ConveneMeeting{Kind: pathway.MeetingStrategy, ScheduledFor: e.clock.Now().Add(-time.Hour), InviteeEmails: []string{"first.responder@police.example"}})
		no := false
		act(e.p.SocialWorker, pathway.RecordMeetingHeld{AttendeeEmails: []string{"social.worker@cs.example", "first.responder@police.example"}, NRMDecision: pathway.NRMSubmit, LeadOrgID: e.p.Police.ID,
			ChildProtectionConference: &no, ChildProtectionPlan: &no, InformationSharedWithPolice: &no})

		cs := e.browser()
		cs.signIn("social.worker@cs.example")
		if strings.Contains(workspace(cs, id), "Record the NRM submission") {
			t.Error("Children's Services is offered the submission the meeting gave to the police")
		}
		police := e.browser()
		police.signIn("first.responder@police.example")
		if !strings.Contains(police.get("/cases/"+id+"/nrm").Body.String(), "Record the NRM submission") {
			t.Error("the agreed lead is not offered the submission")
		}
	})
}

// Refusals through the API are problem documents naming the answer or saying what to do.
func TestNRMAPIRefusalsAreSpecificProblems(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		id := e.raiseCase()
		cs := e.signInAPI("social.worker@cs.example")
		teacher := e.signInAPI("dsl@northfield.example")
		submittedAt := e.clock.Now().Add(-time.Hour).Format(time.RFC3339)

		before := e.saved()
		rec := e.api("POST", "/api/v1/cases/"+id+"/actions/nrm-submit", cs, map[string]any{"expectedVersion": 1, "submittedAt": submittedAt, "via": "online-form", "declarationMade": true, "explainedToChild": "explained", "explainedToCarer": "explained"})
		p := mustProblem(t, rec, http.StatusUnprocessableEntity)
		if msg, ok := fieldErrorFor(p, "reasonWithoutMeeting"); !ok || !strings.Contains(msg, "§8.4") {
			t.Fatalf("no reason: %s", rec.Body)
		}
		rec = e.api("POST", "/api/v1/cases/"+id+"/actions/nrm-submit", cs, map[string]any{"expectedVersion": 1, "submittedAt": submittedAt, "via": "online-form", "declarationMade": true, "explainedToChild": "explained", "explainedToCarer": "explained", "consent": true})
		if p := mustProblem(t, rec, http.StatusUnprocessableEntity); !strings.Contains(p.Detail+rec.Body.String(), "consent") {
			t.Fatalf("a consent answer was not refused as unknown (§8.3): %s", rec.Body)
		}
		rec = e.api("POST", "/api/v1/cases/"+id+"/actions/nrm-submit", teacher, map[string]any{"expectedVersion": 1, "submittedAt": submittedAt, "via": "online-form", "declarationMade": true, "explainedToChild": "explained", "explainedToCarer": "explained", "reasonWithoutMeeting": "x"})
		// The referrer outside the team: not theirs to give (§6.5).
		if p := mustProblem(t, rec, http.StatusNotFound); !strings.Contains(p.Detail, "There is no such action") {
			t.Fatalf("the school submitting: %s", rec.Body)
		}
		if after := e.saved(); after != before {
			t.Fatalf("a refusal saved something: %+v → %+v", before, after)
		}

		ok := e.api("POST", "/api/v1/cases/"+id+"/actions/nrm-submit", cs, map[string]any{"expectedVersion": 1, "submittedAt": submittedAt, "via": "online-form", "declarationMade": true, "explainedToChild": "explained", "explainedToCarer": "explained", "reasonWithoutMeeting": "Urgent move"})
		if ok.Code != http.StatusOK {
			t.Fatalf("submitting: %d %s", ok.Code, ok.Body)
		}
		ok = e.api("POST", "/api/v1/cases/"+id+"/actions/nrm-reasonable-grounds", cs, map[string]any{"expectedVersion": 2, "outcome": "positive", "decidedOn": "2026-03-10"})
		if ok.Code != http.StatusOK {
			t.Fatalf("recording the decision: %d %s", ok.Code, ok.Body)
		}
		// The school sees only its concern: version 1 (pathway.History), and
		// the NRM is not theirs to act on, so nothing tells it the decision.
		rec = e.api("POST", "/api/v1/cases/"+id+"/actions/nrm-reconsideration", teacher, map[string]any{"expectedVersion": 1, "decision": "reasonable-grounds", "eventsSinceReferral": "New disclosure"})
		if p := mustProblem(t, rec, http.StatusNotFound); !strings.Contains(p.Detail, "There is no such action") {
			t.Fatalf("the school asking for a reconsideration: %s", rec.Body)
		}
		rec = e.api("POST", "/api/v1/cases/"+id+"/actions/nrm-reconsideration", cs, map[string]any{"expectedVersion": 3, "decision": "reasonable-grounds", "eventsSinceReferral": "New disclosure"})
		if p := mustProblem(t, rec, http.StatusUnprocessableEntity); !strings.Contains(p.Detail, "only follow a negative decision") {
			t.Fatalf("reconsidering a positive decision: %s", rec.Body)
		}
		rec = e.api("POST", "/api/v1/cases/"+id+"/actions/nrm-conclusive-grounds", cs, map[string]any{"expectedVersion": 3, "outcome": "positive", "decidedOn": "2026-03-10"})
		p = mustProblem(t, rec, http.StatusUnprocessableEntity)
		if msg, ok := fieldErrorFor(p, "decidedOn"); !ok || !strings.Contains(msg, "9 April 2026") {
			t.Fatalf("a Conclusive Grounds decision too early: %s", rec.Body)
		}
	})
}
