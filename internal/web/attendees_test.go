package web

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"waymark/internal/pathway"
	"waymark/internal/store"
	"waymark/internal/storetest"
)

// §7.4: a purported parent, sponsor or carer cannot attend a meeting about
// future action. The page does not offer them; the API refuses them with a
// problem naming the answer; the page that sends one anyway keeps what was
// typed and says why.
func TestPurportedParentCannotAttendFutureActionMeetingThroughPagesOrAPI(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		doc := loadOpenAPI(t)
		id := e.meetingCase(nil)
		sw := e.signInAPI("social.worker@cs.example")
		post := func(slug string, body map[string]any) (int, string) {
			body["expectedVersion"] = e.versionAs(sw, id)
			rec := e.api("POST", "/api/v1/cases/"+id+"/actions/"+slug, sw, body)
			if slug == "record-meeting" && rec.Code != http.StatusOK {
				checkDocumentedResponse(t, doc, "POST /api/v1/cases/{id}/actions/record-meeting", rec)
			}
			return rec.Code, rec.Body.String()
		}
		for _, p := range []map[string]any{
			{"name": "Arben Kola", "relationship": "sponsor"},
			{"name": "Drita Kola", "relationship": "sibling"},
		} {
			if code, body := post("linked-person", p); code != http.StatusOK {
				t.Fatalf("recording %v: %d %s", p, code, body)
			}
		}
		if code, body := post("convene-meeting", map[string]any{"kind": "strat", "scheduledFor": e.clock.Now().Add(-time.Hour), "inviteeEmails": []string{"first.responder@police.example"}}); code != http.StatusOK {
			t.Fatalf("convening: %d %s", code, body)
		}
		view, err := e.svc.Case(context.Background(), e.p.SocialWorker, id)
		if err != nil {
			t.Fatal(err)
		}
		seq := map[string]int{}
		for _, lp := range view.Case.Strategy.LinkedPeople {
			seq[lp.Name] = lp.Seq
		}

		b := e.browser()
		b.signIn("social.worker@cs.example")
		form := b.get("/cases/" + id + "/actions/record-meeting").Body.String()
		if strings.Contains(form, "Arben Kola") || !strings.Contains(form, "Drita Kola (brother or sister)") {
			t.Fatalf("the form offers the sponsor, or not the sibling:\n%s", form)
		}

		sponsor := pathway.AttendeeLinked(seq["Arben Kola"])
		code, body := post("record-meeting", map[string]any{"attendeeIds": []string{"user:user-social-worker", sponsor}, "nrmDecision": "not-decided",
			"childProtectionConference": false, "childProtectionPlan": false, "informationSharedWithPolice": true})
		if code != http.StatusUnprocessableEntity || !strings.Contains(body, `"field":"attendeeIds"`) || !strings.Contains(body, "cannot attend a meeting that decides future action") {
			t.Fatalf("the API took the sponsor as an attendee: %d %s", code, body)
		}

		// A page posted with the sponsor ticked (an old form, a crafted one).
		csrf, version := hiddenInput(form, "csrf_token"), hiddenInput(form, "version")
		rec := b.post("/cases/"+id+"/actions/record-meeting", url.Values{"csrf_token": {csrf}, "version": {version},
			"attendeeIds": {"user:user-social-worker", pathway.AttendeeLinked(seq["Drita Kola"]), sponsor}, "nrmDecision": {"not-decided"},
			"childProtectionConference": {"no"}, "childProtectionPlan": {"no"}, "informationSharedWithPolice": {"yes"}, "notes": {"KEPT-NOTES"}})
		page := rec.Body.String()
		if rec.Code != http.StatusUnprocessableEntity || !strings.Contains(page, "govuk-error-summary") || !strings.Contains(page, `href="#attendeeIds"`) ||
			!strings.Contains(page, "Arben Kola is recorded on this case as the child&#39;s sponsor") || !strings.Contains(page, "KEPT-NOTES") {
			t.Fatalf("the page with the sponsor: %d\n%s", rec.Code, page)
		}
		if i := strings.Index(page, `value="`+pathway.AttendeeLinked(seq["Drita Kola"])+`"`); i < 0 || !strings.Contains(page[i:i+strings.Index(page[i:], ">")], "checked") {
			t.Error("the sibling ticked before the refusal is not ticked after it")
		}

		code, body = post("record-meeting", map[string]any{"attendeeIds": []string{"user:user-social-worker", pathway.AttendeeLinked(seq["Drita Kola"])}, "nrmDecision": "not-decided",
			"childProtectionConference": false, "childProtectionPlan": false, "informationSharedWithPolice": true})
		if code != http.StatusOK {
			t.Fatalf("recording with the sibling: %d %s", code, body)
		}
	})
}

// §6.8: a meeting cannot be recorded as held before its time; the page says
// so against the meeting, and keeps the answers given.
func TestMeetingCannotBeHeldBeforeItsTimeOnThePage(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		id := e.meetingCase(nil)
		sw := e.browser()
		sw.signIn("social.worker@cs.example")
		meetingRoundTrip(t, sw, id, "convene-meeting",
			url.Values{"kind": {"strat"}}, "scheduledFor",
			url.Values{"kind": {"strat"}, "scheduledFor-day": {"11"}, "scheduledFor-month": {"3"}, "scheduledFor-year": {"2026"}, "scheduledFor-time": {"10:00"},
				"inviteeEmails": {"first.responder@police.example"}})
		held := url.Values{"meetingId": {""}, "attendeeIds": {"user:user-social-worker", "user:user-police"}, "nrmDecision": {"not-decided"},
			"childProtectionConference": {"no"}, "childProtectionPlan": {"no"}, "informationSharedWithPolice": {"yes"}, "notes": {"TYPED-NOTES"}}
		form := sw.get("/cases/" + id + "/actions/record-meeting").Body.String()
		held.Set("csrf_token", hiddenInput(form, "csrf_token"))
		held.Set("version", hiddenInput(form, "version"))
		rec := sw.post("/cases/"+id+"/actions/record-meeting", held)
		if page := rec.Body.String(); rec.Code != http.StatusUnprocessableEntity || !strings.Contains(page, `href="#meetingId"`) ||
			!strings.Contains(page, "has not happened yet") || !strings.Contains(page, "TYPED-NOTES") {
			t.Fatalf("recording the meeting before its time: %d\n%s", rec.Code, page)
		}
		e.clock.Advance(25 * time.Hour)
		sw = e.browser() // the session before has timed out
		sw.signIn("social.worker@cs.example")
		form = sw.get("/cases/" + id + "/actions/record-meeting").Body.String()
		held.Set("csrf_token", hiddenInput(form, "csrf_token"))
		held.Set("version", hiddenInput(form, "version"))
		if rec := sw.post("/cases/"+id+"/actions/record-meeting", held); rec.Code != http.StatusSeeOther {
			t.Fatalf("recording the meeting after its time: %d\n%s", rec.Code, rec.Body)
		}
	})
}

// §6.7, §6.8: the Section 47 enquiry is recorded through its pages; the
// meeting area says whether it finished before the meeting, and the API
// case view carries the enquiry and the team's warnings.
func TestSection47PagesAndTheMeetingShowWhetherItFinishedFirst(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		id := e.meetingCase(func(c *pathway.Concern) { c.Child.Languages = []string{"Albanian"} })
		sw := e.browser()
		sw.signIn("social.worker@cs.example")
		day := func(t time.Time) url.Values {
			t = t.In(pathway.London)
			return url.Values{"-day": {strconv.Itoa(t.Day())}, "-month": {strconv.Itoa(int(t.Month()))}, "-year": {strconv.Itoa(t.Year())}, "-time": {t.Format("15:04")}}
		}
		at := func(name string, t time.Time, more url.Values) url.Values {
			out := url.Values{}
			for k, v := range day(t) {
				out[name+k] = v
			}
			for k, v := range more {
				out[k] = v
			}
			return out
		}
		now := e.clock.Now()
		meetingRoundTrip(t, sw, id, "section47-start", at("startedAt", now.Add(time.Hour), nil), "startedAt", at("startedAt", now.Add(-time.Hour), nil))
		meetingRoundTrip(t, sw, id, "convene-meeting", url.Values{"kind": {"strat"}}, "scheduledFor",
			at("scheduledFor", now.Add(48*time.Hour), url.Values{"kind": {"strat"}, "inviteeEmails": {"first.responder@police.example\nmanager@cs.example"}}))

		// The case warns of the open enquiry and the missing interpreter, in pages and API alike.
		overview := sw.get("/cases/" + id).Body.String()
		for _, want := range []string{"is not recorded as completed", "The child&#39;s language is Albanian and no interpreter is booked"} {
			if !strings.Contains(overview, want) {
				t.Errorf("the case page does not warn %q", want)
			}
		}
		token := e.signInAPI("social.worker@cs.example")
		var api struct {
			Warnings []pathway.Warning
			Strategy struct{ Section47 []pathway.Section47Enquiry }
		}
		decodeInto(t, e.api("GET", "/api/v1/cases/"+id, token, nil), &api)
		kinds := map[string]string{}
		for _, w := range api.Warnings {
			kinds[w.Kind] += w.Text
		}
		if !strings.Contains(kinds["meeting"], "no interpreter is booked") || !strings.Contains(kinds["meeting"], "not recorded as completed") || len(api.Strategy.Section47) != 1 {
			t.Errorf("the API case view lacks the warnings or the enquiry: %+v", api)
		}

		meetingRoundTrip(t, sw, id, "section47-complete",
			at("completedAt", now.Add(-30*time.Minute), url.Values{"outcome": {"unknown"}}), "outcome",
			at("completedAt", now.Add(-30*time.Minute), url.Values{"outcome": {pathway.Section47NoContinuingRisk}, "summary": {"No continuing risk."}}))
		area := sw.get("/cases/" + id + "/meetings").Body.String()
		if !strings.Contains(area, "Section 47 enquiry") || !strings.Contains(area, "before the meeting: concerns substantiated, but the child is not judged") {
			t.Errorf("the meeting area does not say the enquiry finished first:\n%s", area)
		}
		strategy := sw.get("/cases/" + id + "/strategy").Body.String()
		if !strings.Contains(strategy, `id="section47"`) || !strings.Contains(strategy, "No continuing risk.") {
			t.Errorf("the strategy area does not show the enquiry:\n%s", strategy)
		}
		// The referrer, outside the team, is told none of it (§6.5).
		teacher := e.signInAPI("dsl@northfield.example")
		if body := e.api("GET", "/api/v1/cases/"+id, teacher, nil).Body.String(); strings.Contains(body, "Section 47") || strings.Contains(body, "section47") || strings.Contains(body, "no interpreter is booked") {
			// (The §6.4 checklist the referrer shares names interpreters as an action; that is not the team's work.)
			t.Errorf("the referrer's case view tells of the team's work:\n%s", body)
		}
	})
}
