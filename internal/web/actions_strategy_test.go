package web

import (
	"bytes"
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"waymark/internal/casework"
	"waymark/internal/pathway"
	"waymark/internal/store"
	"waymark/internal/storetest"
)

// strategyRegister adds an interpreter to the register as the administrator.
func strategyRegister(e *testEnv, name string, approved bool) string {
	e.t.Helper()
	i, err := e.svc.RegisterInterpreter(context.Background(), e.p.CSAdmin, casework.InterpreterEntry{Name: name, Languages: []string{"Albanian"},
		Dialects: []string{"Gheg"}, Gender: "female", Professional: true, Approved: approved, DBSCheckedOn: "2025-11-03", Active: true})
	if err != nil {
		e.t.Fatalf("registering %s: %v", name, err)
	}
	return i.ID
}

// strategyAct gives cmd straight through the use case as v.
func strategyAct(e *testEnv, v casework.Viewer, caseID string, cmd pathway.Command) {
	e.t.Helper()
	view, err := e.svc.Case(context.Background(), v, caseID)
	if err != nil {
		e.t.Fatal(err)
	}
	if err := e.svc.Act(context.Background(), v, caseID, view.Case.Version, cmd); err != nil {
		e.t.Fatalf("%T refused: %v", cmd, err)
	}
}

// strategyRoundTrip drives one action page: the form, a refusal shown on
// the page with the error summary, and a save that goes back to the case.
func strategyRoundTrip(t *testing.T, b *browser, caseID, slug string, invalid, valid url.Values, wantError string) {
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

// Each command of the area works through its page (§6.7, §7.5, §7.6).
func TestStrategyActionPagesRoundTrip(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		id := e.raiseCase()
		elira := strategyRegister(e, "Elira Interpreter", true)
		b := e.browser()
		b.signIn("social.worker@cs.example")

		strategyRoundTrip(t, b, id, "linked-person",
			url.Values{"name": {"Viktor Kola"}},
			url.Values{"name": {"Viktor Kola"}, "relationship": {pathway.RelationshipSponsor}, "notes": {"Met her off the coach"}},
			"Select how the person is linked")
		strategyRoundTrip(t, b, id, "strategy-discussion",
			url.Values{"heldAt-day": {"10"}, "heldAt-month": {"3"}, "heldAt-year": {"2026"}, "heldAt-time": {"8:30am"}, "participants": {"Sam Social"}, "section47": {"yes"}},
			url.Values{"heldAt-day": {"10"}, "heldAt-month": {"3"}, "heldAt-year": {"2026"}, "heldAt-time": {"8:30am"},
				"participants": {"Sam Social, Northshire Children's Services\nPat Police, Northshire Police"}, "section47": {"yes"}, "jointInterview": {"yes"}},
			"Select yes or no: Was a joint interview")
		strategyRoundTrip(t, b, id, "interview-plan",
			url.Values{"plannedFor-day": {"12"}, "plannedFor-month": {"3"}, "plannedFor-year": {"2026"}, "plannedFor-time": {"10:00"},
				"interviewers": {"Sam Social"}, "present": {"viktor   kola"}},
			url.Values{"plannedFor-day": {"12"}, "plannedFor-month": {"3"}, "plannedFor-year": {"2026"}, "plannedFor-time": {"10:00"},
				"interviewers": {"Sam Social\nDC Pat Police"}, "present": {"Ivy Advocate"}, "interpreterId": {elira}},
			"Viktor Kola is recorded on this case as the child&#39;s sponsor")
		strategyRoundTrip(t, b, id, "book-interpreter",
			url.Values{"interpreterId": {elira}, "language": {"Albanian"}, "childAskedForChange": {"no"}},
			url.Values{"interpreterId": {elira}, "genderPreference": {"female"}, "language": {"Albanian"}, "dialect": {"Gheg"}, "childAskedForChange": {"no"}},
			"Ask the child whether they want a female or male interpreter")

		s := e.svc
		view, err := s.Case(context.Background(), e.p.SocialWorker, id)
		if err != nil {
			t.Fatal(err)
		}
		st := view.Case.Strategy
		if len(st.LinkedPeople) != 1 || len(st.Discussions) != 1 || len(st.Interviews) != 1 || len(st.Interpreters) != 1 {
			t.Fatalf("strategy state after the pages = %+v", st)
		}
	})
}

// The booking page offers only interpreters fit to interpret for a child,
// each with what the child's choice depends on (§6.7, §7.5).
func TestBookingPageOffersOnlyVettedInterpreters(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		id := e.raiseCase()
		strategyRegister(e, "Elira Interpreter", true)
		strategyRegister(e, "Unapproved Person", false)
		b := e.browser()
		b.signIn("social.worker@cs.example")
		page := b.get("/cases/" + id + "/actions/book-interpreter").Body.String()
		if !strings.Contains(page, "Elira Interpreter – Albanian (Gheg), female") || strings.Contains(page, "Unapproved Person") {
			t.Fatalf("booking page offers the wrong interpreters: %s", page)
		}
	})
}

// The API refuses with a problem document naming the field (§6.7, §7.6).
func TestStrategyAPIRefusals(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		id := e.raiseCase()
		strategyAct(e, e.p.SocialWorker, id, pathway.RecordLinkedPerson{Name: "Viktor Kola", Relationship: pathway.RelationshipSponsor})
		viktor := strategyRegister(e, "Viktor Kola", true)
		token := e.signInAPI("social.worker@cs.example")
		version := 2

		for _, tc := range []struct {
			slug, field, says string
			body              map[string]any
		}{
			{"book-interpreter", "interpreterId", "must never interpret", map[string]any{"interpreterId": viktor, "genderPreference": "none", "language": "Albanian"}},
			{"interview-plan", "present", "must never be present", map[string]any{"plannedFor": "2026-03-12T10:00:00Z", "interviewers": []string{"Sam Social"}, "present": []string{"VIKTOR KOLA"}}},
			{"linked-person", "relationship", "Select how the person is linked", map[string]any{"name": "Agim", "relationship": "uncle-ish"}},
			{"strategy-discussion", "participants", "name, organisation", map[string]any{"heldAt": "2026-03-10T08:30:00Z", "participants": []string{"Sam Social"}}},
		} {
			t.Run(tc.slug, func(t *testing.T) {
				before := e.saved()
				tc.body["expectedVersion"] = version
				p := mustProblem(t, e.api("POST", "/api/v1/cases/"+id+"/actions/"+tc.slug, token, tc.body), http.StatusUnprocessableEntity)
				msg, ok := fieldErrorFor(p, tc.field)
				if !ok || !strings.Contains(msg, tc.says) {
					t.Fatalf("problem %+v does not name %s saying %q", p, tc.field, tc.says)
				}
				if after := e.saved(); after != before {
					t.Fatalf("a refusal saved something: %+v → %+v", before, after)
				}
			})
		}

		teacher := e.signInAPI("dsl@northfield.example")
		p := mustProblem(t, e.api("POST", "/api/v1/cases/"+id+"/actions/strategy-discussion", teacher,
			map[string]any{"expectedVersion": e.versionAs(teacher, id), "heldAt": "2026-03-10T08:30:00Z", "participants": []string{"A, B", "C, D"}}), http.StatusNotFound)
		if !strings.Contains(p.Detail, "There is no such action") { // not theirs to give (§6.5)
			t.Fatalf("teacher's refusal: %+v", p)
		}
	})
}

// §6.7, §7.5: administrators keep the register through its page; nobody else may.
func TestInterpreterRegisterPage(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		sw := e.browser()
		sw.signIn("social.worker@cs.example")
		if rec := sw.get("/admin/interpreters"); rec.Code != http.StatusForbidden {
			t.Fatalf("social worker GET register: %d", rec.Code)
		}

		b := e.browser()
		b.signIn("admin@cs.example")
		csrf := b.csrf("/admin/interpreters")
		valid := url.Values{"csrf_token": {csrf}, "name": {"Elira Hoxha"}, "languages": {"Albanian\nItalian"}, "dialects": {"Gheg"}, "gender": {"female"},
			"professional": {"yes"}, "approved": {"yes"}, "dbsCheckedOn-day": {"3"}, "dbsCheckedOn-month": {"11"}, "dbsCheckedOn-year": {"2025"}, "active": {"yes"}}
		invalid := url.Values{}
		for k, v := range valid {
			invalid[k] = v
		}
		invalid.Del("name")
		invalid.Set("dbsCheckedOn-year", "")
		bad := b.post("/admin/interpreters", invalid)
		if bad.Code != http.StatusUnprocessableEntity || !strings.Contains(bad.Body.String(), "govuk-error-summary") ||
			!strings.Contains(bad.Body.String(), "must include a year") || !strings.Contains(bad.Body.String(), "Albanian\nItalian") {
			t.Fatalf("invalid entry: %d %s", bad.Code, bad.Body)
		}
		if e.count("interpreters") != 0 {
			t.Fatal("an invalid entry was saved")
		}
		ok := b.post("/admin/interpreters", valid)
		if ok.Code != http.StatusSeeOther || ok.Header().Get("Location") != "/admin/interpreters?done=added" {
			t.Fatalf("valid entry: %d %s", ok.Code, ok.Body)
		}
		list := b.get("/admin/interpreters?done=added").Body.String()
		for _, want := range []string{"Interpreter added to the register", "Elira Hoxha", "Albanian, Italian", "2025-11-03", "Can be booked"} {
			if !strings.Contains(list, want) {
				t.Errorf("register page does not show %q", want)
			}
		}
		if rec := sw.post("/admin/interpreters", url.Values{"csrf_token": {sw.csrf("/cases")}, "name": {"X"}}); rec.Code != http.StatusForbidden {
			t.Fatalf("social worker POST register: %d", rec.Code)
		}
	})
}

// The case page's area shows the team what was recorded, and warns when a
// later record shows an earlier arrangement is unsafe (§6.5, §6.7, §7.5).
func TestStrategyAreaShowsTheTeamAndHidesFromTheReferrer(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		id := e.raiseCase()
		elira := strategyRegister(e, "Elira Interpreter", true)
		sw := e.p.SocialWorker
		strategyAct(e, sw, id, pathway.BookInterpreter{InterpreterID: elira, GenderPreference: "male", Language: "Albanian", Dialect: "Tosk"})
		strategyAct(e, sw, id, pathway.RecordLinkedPerson{Name: "Elira Interpreter", Relationship: pathway.RelationshipSuspectedExploiter})

		render := func(v casework.Viewer) string {
			view, err := e.svc.Case(context.Background(), v, id)
			if err != nil {
				t.Fatal(err)
			}
			var buf bytes.Buffer
			for _, area := range []string{"area-strategy", "area-linked-people"} {
				if err := e.srv.pages.ExecuteTemplate(&buf, area, e.srv.caseData(view, v)); err != nil {
					t.Fatalf("rendering %s: %v", area, err)
				}
			}
			return buf.String()
		}
		team := render(sw)
		for _, want := range []string{"People linked to the child", "Suspected exploiter", "The child&#39;s interpreter", "Stop using them at once",
			"Not on the register", "Not met"} {
			if !strings.Contains(team, want) {
				t.Errorf("the team's view does not show %q", want)
			}
		}
		if referrer := render(e.p.Teacher); strings.Contains(referrer, "Elira") || strings.Contains(referrer, "linked") {
			t.Fatalf("the referrer sees the strategy area: %s", referrer)
		}
	})
}
