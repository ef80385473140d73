package web

import (
	"context"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"waymark/internal/casework"
	"waymark/internal/pathway"
	"waymark/internal/store"
	"waymark/internal/storetest"
)

// Every view that shows or lists a case carries the case's flags: family
// suspected, age uncertain, immediate risk (§1.2, annex, §7.4, §8.5). The
// views are not listed by hand: every GET route of the service is read from
// the source (routePatterns) and requested, as it is in the authorization
// matrix, by every kind of person; any answer that shows the case (its id,
// reference or the child's name) must carry the flags. A new page or API
// list that shows cases without them fails here.

// flagMarkers are how a page and the API show each flag.
// A page shows a flag as its tag or as its warning.
var flagMarkers = []struct {
	page []string
	api  string
}{
	{[]string{"Family suspected", "Family or carers are suspected"}, `"familySuspected":true`},
	{[]string{"Age uncertain"}, `"ageUncertain":true`},
	{[]string{"Immediate risk"}, `"immediateRisk":true`},
}

// caseViewsWithoutFlags name a case only by its reference to someone with no
// need to know the child (§6.5): oversight of emergency access and of
// retention. They must never show the child's name; showing the flags there
// would tell a non-member about the child.
var caseViewsWithoutFlags = map[string]string{
	"GET /alerts":                    "emergency access and machine clients, for the partnership lead's oversight",
	"GET /admin/retention":           "the retention review: closed cases by reference, for the administrator",
	"GET /api/v1/retention-review":   "the retention review: closed cases by reference, for the administrator",
	"GET /subject-access":            "subject access: the partnership lead's search for a person's records",
	"GET /subject-access/{id}/erase": "subject access: erasure, for the partnership lead",
}

// notCaseViews show the case's own data as a document or a file, not a view
// of the case: the NRM referral as the Home Office form (its own questions,
// where the family and age answers are the form's), and uploaded files.
var notCaseViews = map[string]string{
	"GET /cases/{id}/nrm-draft.pdf":                  "the NRM form as a PDF",
	"GET /cases/{id}/nrm-draft.txt":                  "the NRM form as text",
	"GET /api/v1/cases/{id}/nrm-draft.pdf":           "the NRM form as a PDF",
	"GET /api/v1/cases/{id}/nrm-draft.txt":           "the NRM form as text",
	"GET /cases/{id}/nrm-draft/copy":                 "the NRM form laid out for copying into the Home Office form",
	"GET /api/v1/cases/{id}/nrm-draft":               "the NRM form's answers",
	"GET /cases/{id}/documents/{file}":               "an uploaded file",
	"GET /api/v1/cases/{id}/documents/{file}":        "an uploaded file",
	"GET /api/v1/cases/{id}/documents":               "the list of uploaded files",
	"GET /api/v1/cases/{id}/actions":                 "the actions the caller may give, not the case",
	"GET /cases/{id}/nrm-reconsideration.pdf":        "the reconsideration request as a PDF",
	"GET /cases/{id}/nrm-reconsideration.txt":        "the reconsideration request as text",
	"GET /api/v1/cases/{id}/nrm-reconsideration.pdf": "the reconsideration request as a PDF",
	"GET /api/v1/cases/{id}/nrm-reconsideration.txt": "the reconsideration request as text",
	"GET /api/v1/cases/{id}/nrm-reconsideration":     "the reconsideration request's answers",
	"GET /cases/{id}/handover":                       "the case's hand-overs, for the lead of its partnership who may not be on it: nothing of the case itself (handovers.go)",
}

func TestEveryViewThatShowsACaseCarriesItsFlags(t *testing.T) {
	t.Parallel() // among the longest here: run beside each other once the rest are done
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		m := newMatrix(t, db)
		e := m.e
		ctx := context.Background()
		concern := storetest.ValidConcern(e.clock.Now())
		concern.Child.GivenNames, concern.Child.FamilyName = "Zofia", "Flagstaff" // a name no other case of the matrix has
		concern.ImmediateRisk, concern.PoliceInformed, concern.FamilySuspected, concern.FamilySuspicion, concern.Child.AgeUncertain = true, true, true, "yes", true
		id, err := e.svc.RaiseConcern(ctx, e.p.Teacher, concern)
		if err != nil {
			t.Fatal(err)
		}
		// A second case about the same child stays in the inbox, waiting for its contact.
		if _, err := e.svc.RaiseConcern(ctx, e.p.Teacher, concern); err != nil {
			t.Fatal(err)
		}
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
		// The case is in every list: the inbox, a meeting action on the
		// social worker's work, an escalation open with the partnership lead.
		act(e.p.CSWorker, pathway.RecordContact{Reference: "CS-2026-000777", Method: "phone"})
		act(e.p.CSWorker, pathway.RecordOutcome{Decision: "multi-agency-meeting", NextStep: "STRAT tomorrow"})
		act(e.p.SocialWorker, pathway.ConveneMeeting{Kind: pathway.MeetingStrategy, ScheduledFor: e.clock.Now().Add(time.Hour), InviteeEmails: []string{"first.responder@police.example"}})
		e.clock.Advance(2 * time.Hour)
		no := false
		act(e.p.SocialWorker, pathway.RecordMeetingHeld{AttendeeEmails: []string{"social.worker@cs.example", "first.responder@police.example"}, NRMDecision: pathway.NRMDoNotSubmit,
			ChildProtectionConference: &no, ChildProtectionPlan: &no, InformationSharedWithPolice: &no})
		act(e.p.SocialWorker, pathway.AddMeetingAction{Text: "Visit the child", OwnerEmail: e.p.SocialWorker.User.Email, DueOn: e.clock.Now().Add(72 * time.Hour).In(pathway.London).Format("2006-01-02"), ContactsFamily: &no})
		act(e.p.Teacher, pathway.RaiseEscalation{Reason: "The indicators meet the threshold for an NRM."})

		view, err := e.svc.Case(ctx, e.p.SocialWorker, id)
		if err != nil {
			t.Fatal(err)
		}
		name := view.Case.Concern.Child.GivenNames + " " + view.Case.Concern.Child.FamilyName
		shows := func(body string) bool {
			return strings.Contains(body, id) || strings.Contains(body, "CS-2026-000777") || strings.Contains(body, name)
		}

		table := authzRoutes()
		checked := map[string]bool{}
		for _, p := range routePatterns(t) {
			r, ok := table[p]
			if !ok || r.method != "GET" {
				continue
			}
			if _, skip := notCaseViews[p]; skip {
				continue
			}
			paths := []string{r.path}
			if p == "GET /cases" || p == "GET /api/v1/cases" {
				paths = append(paths, r.path+"?q="+view.Case.Concern.Child.FamilyName) // search results
			}
			for _, who := range authzPeople {
				if who == "anonymous" || who == "machine-client" {
					continue
				}
				token, csrf := m.session(who)
				for _, path := range paths {
					rr := r
					rr.path = path
					rec := httptest.NewRecorder()
					req := m.request(rr, id, m.draftID, "note", token, csrf)
					e.srv.ServeHTTP(rec, req)
					body := rec.Body.String()
					if rec.Code != http.StatusOK || !shows(body) {
						continue
					}
					if why, exempt := caseViewsWithoutFlags[p]; exempt {
						if strings.Contains(body, name) {
							t.Errorf("%s as %s shows the child's name, but is listed as a view without flags (%s)", path, who, why)
						}
						continue
					}
					checked[p] = true
					api := strings.HasPrefix(path, "/api/")
					for _, f := range flagMarkers {
						want := f.page
						if api {
							want = []string{f.api}
						}
						compact := strings.ReplaceAll(body, `": `, `":`)
						if !slices.ContainsFunc(want, func(w string) bool { return strings.Contains(compact, w) }) {
							t.Errorf("%s as %s shows the case without its flag %q", path, who, want[0])
						}
					}
				}
			}
		}
		// The lists the issue names must have been reached: a setup that
		// stopped putting the case in them would make the test pass vacuously.
		for _, p := range []string{"GET /cases/{id}", "GET /inbox", "GET /cases", "GET /my-work", "GET /escalations",
			"GET /api/v1/cases/{id}", "GET /api/v1/cases", "GET /api/v1/inbox", "GET /api/v1/my-work", "GET /api/v1/escalations"} {
			if !checked[p] {
				t.Errorf("%s was never seen showing the case: the test's case is not in that view", p)
			}
		}
	})
}
