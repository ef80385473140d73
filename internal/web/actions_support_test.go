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

const supportTestAddress = "14 Larch Close, Northtown NT4 7QP"

// supportAct gives cmd straight through the use case as v.
func supportAct(e *testEnv, v casework.Viewer, caseID string, cmd pathway.Command) {
	e.t.Helper()
	view, err := e.svc.Case(context.Background(), v, caseID)
	if err != nil {
		e.t.Fatal(err)
	}
	if err := e.svc.Act(context.Background(), v, caseID, view.Case.Version, cmd); err != nil {
		e.t.Fatalf("%T refused: %v", cmd, err)
	}
}

// supportRoundTrip drives one action page: the form, a refusal shown on the
// page with the error summary, and a save that goes back to the case.
func supportRoundTrip(t *testing.T, b *browser, caseID, slug string, invalid, valid url.Values, wantError string) {
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

// supportArea renders the area's part of the case page for v, as the case
// page does, from the view the use case gives v.
func supportArea(e *testEnv, v casework.Viewer, caseID string) string {
	e.t.Helper()
	view, err := e.svc.Case(context.Background(), v, caseID)
	if err != nil {
		e.t.Fatal(err)
	}
	var buf bytes.Buffer
	for _, area := range []string{"area-support", "area-abroad", "area-age"} {
		if err := e.srv.pages.ExecuteTemplate(&buf, area, e.srv.caseData(view, v)); err != nil {
			e.t.Fatalf("rendering %s: %v", area, err)
		}
	}
	return buf.String()
}

func supportDate(prefix string, t time.Time) url.Values {
	l := t.In(pathway.London)
	return url.Values{prefix + "-day": {l.Format("2")}, prefix + "-month": {l.Format("1")}, prefix + "-year": {l.Format("2006")}}
}

func supportDateTime(prefix string, t time.Time) url.Values {
	v := supportDate(prefix, t)
	v.Set(prefix+"-time", t.In(pathway.London).Format("15:04"))
	return v
}

func supportMerge(vs ...url.Values) url.Values {
	out := url.Values{}
	for _, v := range vs {
		for k, xs := range v {
			out[k] = append(out[k], xs...)
		}
	}
	return out
}

// Each command of the area works through its page (§6.9–6.12, §7, §8.3).
func TestSupportActionPagesRoundTrip(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		id := e.raiseAgeUncertainCase()
		b := e.browser()
		b.signIn("social.worker@cs.example")
		now := e.clock.Now()
		today := supportDate("consentDate", now)
		// Children's Services submit the NRM, so they lead and refer to Beacon (annex steps 3–4).
		if err := e.svc.Act(context.Background(), e.p.SocialWorker, id, e.meetingVersion(id), pathway.SubmitNRMReferral{SubmittedAt: now, Via: "online-form", DeclarationMade: true,
			ExplainedToChild: pathway.ExplainedYes, ExplainedToCarer: pathway.ExplainedYes, ReasonWithoutMeeting: "The child is to be moved tonight."}); err != nil {
			t.Fatal(err)
		}

		supportRoundTrip(t, b, id, "record-support",
			url.Values{"kind": {pathway.SupportBeacon}, "status": {pathway.SupportRequested}},
			supportMerge(url.Values{"kind": {pathway.SupportBeacon}, "status": {pathway.SupportRequested}, "consentBy": {"child"}, "benefitAgreed": {"yes"}}, today),
			"A Beacon referral needs the consent of the child or their guardian")
		supportRoundTrip(t, b, id, "record-support",
			url.Values{"kind": {pathway.SupportImmigrationLegalAdvice}, "status": {pathway.SupportRequested}, "oiscRegulated": {"no"}},
			url.Values{"kind": {pathway.SupportImmigrationLegalAdvice}, "status": {pathway.SupportRequested}, "oiscRegulated": {"yes"}, "provider": {"Northtown Law"}},
			"Immigration advice can only come from a regulated adviser")
		supportRoundTrip(t, b, id, "record-support",
			url.Values{"kind": {pathway.SupportIndependentVisitor}, "status": {pathway.SupportDeclined}, "visitorOffer": {"declined"}},
			url.Values{"kind": {pathway.SupportIndependentVisitor}, "status": {pathway.SupportDeclined}, "visitorOffer": {"declined"}, "declineReason": {"Wants time to settle"}},
			"Record the child&#39;s reasons for declining")
		supportRoundTrip(t, b, id, "update-support",
			url.Values{"item": {"3"}, "status": {pathway.SupportRequested}},
			url.Values{"item": {"3"}, "status": {pathway.SupportInPlace}, "notes": {"Case manager allocated"}},
			"already")
		supportRoundTrip(t, b, id, "child-from-abroad",
			url.Values{"uasc": {"yes"}, "accommodationBasis": {"other"}, "documentsChecked": {"yes"}, "photographOnFile": {"no"}, "missingEducationChecked": {"yes"}, "returnSchemeInformed": {"no"}},
			url.Values{"uasc": {"yes"}, "accommodationBasis": {"section-20"}, "documentsChecked": {"yes"}, "photographOnFile": {"no"}, "missingEducationChecked": {"yes"},
				"immigrationOptions": {"asylum", "modern-slavery-leave"}, "returnSchemeInformed": {"yes"}},
			"Describe the other basis of accommodation")
		supportRoundTrip(t, b, id, "repatriation-risk",
			supportDate("assessedOn", now),
			supportMerge(supportDate("assessedOn", now), url.Values{"findings": {"The network that brought her knows her village"}}),
			"Describe the danger the child would face")
		supportRoundTrip(t, b, id, "family-tracing",
			url.Values{"discreet": {"no"}, "contactMade": {"no"}, "notes": {"Asked at the mosque"}},
			url.Values{"discreet": {"yes"}, "contactMade": {"yes"}, "notes": {"Red Cross tracing request"}},
			"Family tracing must be discreet and cautious")
		supportRoundTrip(t, b, id, "care-plan",
			supportMerge(supportDate("agreedOn", now), url.Values{"protectionPlan": {"Carers briefed about cars outside"}}),
			supportMerge(supportDate("agreedOn", now), url.Values{"protectionPlan": {"Carers briefed about cars outside"}, "missingContingency": {"Call 999 and give the police her photograph"}}),
			"A care plan cannot be agreed without a plan for what to do if the child goes missing")
		supportRoundTrip(t, b, id, "ukvi-concern",
			supportDateTime("raisedAt", now.Add(-time.Hour)),
			supportMerge(supportDateTime("raisedAt", now.Add(-time.Hour)), url.Values{"details": {"Screening officer phoned"}}),
			"Enter who at UKVI raised the concern")
		supportRoundTrip(t, b, id, "ukvi-confirmation",
			supportDateTime("receivedAt", now.Add(-3*time.Hour)),
			supportDateTime("receivedAt", now),
			"cannot arrive before UKVI raised the concern")
		supportRoundTrip(t, b, id, "start-placement",
			supportMerge(supportDateTime("startedAt", now), url.Values{"placementType": {"foster-care"}, "whereaboutsConfidential": {"yes"}}),
			supportMerge(supportDateTime("startedAt", now), url.Values{"placementType": {"foster-care"}, "whereaboutsConfidential": {"yes"}, "address": {supportTestAddress}}),
			"Enter the placement&#39;s address")
		supportRoundTrip(t, b, id, "grant-whereabouts",
			url.Values{"email": {"dsl@northfield.example"}},
			url.Values{"email": {"front.door@cs.example"}, "reason": {"Duty worker for out-of-hours calls"}},
			"Enter why they need to know")
		supportRoundTrip(t, b, id, "revoke-whereabouts",
			url.Values{"userId": {"nobody"}},
			url.Values{"userId": {"user-cs-worker"}},
			"Select a person who can see")
		supportRoundTrip(t, b, id, "whereabouts-confidentiality",
			url.Values{"confidential": {"yes"}, "reason": {"x"}},
			url.Values{"confidential": {"no"}, "reason": {"Network arrested; risk has passed"}},
			"already confidential")
		supportRoundTrip(t, b, id, "request-age-assessment",
			url.Values{"reason": {""}},
			url.Values{"reason": {"Documents found with her give two different dates of birth"}},
			"significant reason to doubt")
		supportRoundTrip(t, b, id, "complete-age-assessment",
			supportMerge(supportDate("completedOn", now), url.Values{"mertonCompliant": {"yes"}, "outcome": {"child"}, "assessedAge": {"19"}}),
			supportMerge(supportDate("completedOn", now), url.Values{"mertonCompliant": {"yes"}, "outcome": {"child"}, "assessedAge": {"15"}}),
			"which is not a child")

		view, err := e.svc.Case(context.Background(), e.p.SocialWorker, id)
		if err != nil {
			t.Fatal(err)
		}
		s := view.Case.Support
		if len(s.Items) != 3 || s.Abroad == nil || len(s.CarePlans) != 1 || len(s.UKVI) != 1 || s.UKVI[0].ConfirmedAt == nil ||
			len(s.Placements) != 1 || len(s.AgeAssessments) != 1 || !s.AgeAssessments[0].Completed || len(s.Tracing) != 1 {
			t.Fatalf("support state after the pages = %+v", s)
		}
		page := b.get("/cases/" + id)
		if page.Code != http.StatusOK {
			t.Fatalf("case page: %d", page.Code)
		}
		area := supportArea(e, e.p.SocialWorker, id)
		for _, want := range []string{"Support and justice", "Beacon", "Consent: The child on", "Unaccompanied asylum-seeking child", "Care plan", "If the child goes missing", "UKVI referrals", "Placements", supportTestAddress, ", completed "} {
			if !strings.Contains(area, strings.ReplaceAll(want, "'", "&#39;")) {
				t.Errorf("the support area does not show %q", want)
			}
		}
	})
}

// §6.5, §7.6: a member without a grant never gets a confidential address
// from the case page, the API or the timeline; with a grant they do.
func TestConfidentialAddressReachesOnlyMembersGivenAccess(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		id := e.raiseCase()
		supportAct(e, e.p.SocialWorker, id, pathway.StartPlacement{StartedAt: e.clock.Now(), PlacementType: "foster-care", Address: supportTestAddress, WhereaboutsConfidential: true})
		supportAct(e, e.p.SocialWorker, id, pathway.AssignWorker{WorkerEmail: e.p.PoliceLead.User.Email})

		leaks := func(who string, v casework.Viewer) []string {
			var where []string
			b := e.browser()
			b.signIn(v.User.Email)
			if page := workspace(b, id); strings.Contains(page, "Larch") {
				where = append(where, "case page")
			}
			if strings.Contains(supportArea(e, v, id), "Larch") {
				where = append(where, "support area")
			}
			token := e.signInAPI(v.User.Email)
			if body := e.api("GET", "/api/v1/cases/"+id, token, nil).Body.String(); strings.Contains(body, "Larch") {
				where = append(where, "API case")
			}
			view, err := e.svc.Case(context.Background(), v, id)
			if err != nil {
				t.Fatal(err)
			}
			for _, ev := range view.Events {
				if strings.Contains(ev.Summary(), "Larch") {
					t.Errorf("%s: timeline line %q shows the address", who, ev.Summary())
				}
				if d, ok := ev.Data.(pathway.PlacementStarted); ok && strings.Contains(d.Placement.Address, "Larch") {
					where = append(where, "timeline event")
				}
			}
			return where
		}
		for who, v := range map[string]casework.Viewer{"manager": e.p.Manager, "front door": e.p.CSWorker, "referrer": e.p.Teacher, "police": e.p.PoliceLead} {
			if where := leaks(who, v); len(where) > 0 {
				t.Errorf("%s without a grant sees the address in %v", who, where)
			}
		}
		if area := supportArea(e, e.p.Manager, id); !strings.Contains(area, "You have not been given access to the child") {
			t.Error("the manager is not told the address is withheld")
		}

		supportAct(e, e.p.SocialWorker, id, pathway.GrantWhereaboutsAccess{Email: e.p.PoliceLead.User.Email, Reason: "Officer in the case"})
		if where := leaks("police", e.p.PoliceLead); len(where) == 0 {
			t.Error("the police officer given access still cannot see the address")
		}
		if where := leaks("manager", e.p.Manager); len(where) > 0 {
			t.Errorf("a grant to the police showed the manager the address in %v", where)
		}
	})
}

// One refusal per family of commands reaches an API client as a problem
// document naming the answer to fix, or as forbidden.
func TestSupportAPIRefusalsAreProblems(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		id := e.raiseAgeUncertainCase()
		sw := e.signInAPI("social.worker@cs.example")
		front := e.signInAPI("front.door@cs.example")
		teacher := e.signInAPI("dsl@northfield.example")
		before := e.saved()
		for _, tc := range []struct {
			name, slug, token string
			body              map[string]any
			status            int
			field, says       string
		}{
			{"Beacon before a lead organisation is agreed", "record-support", sw, map[string]any{"kind": "beacon", "status": "requested"}, 403, "", "No lead organisation has been agreed"},
			{"unregulated immigration adviser", "record-support", sw, map[string]any{"kind": "immigration-legal-advice", "status": "in-place", "oiscRegulated": false}, 422, "oiscRegulated", "regulated adviser"},
			{"support from the referrer", "record-support", teacher, map[string]any{"kind": "education", "status": "requested"}, 404, "", "There is no such action"},
			{"care plan without contingency", "care-plan", sw, map[string]any{"agreedOn": "2026-03-10", "protectionPlan": "p"}, 422, "missingContingency", "§7.2"},
			{"UKVI confirmation without a concern", "ukvi-confirmation", sw, map[string]any{"receivedAt": "2026-03-10T08:00:00Z"}, 422, "", "Record the UKVI concern first"},
			{"placement without an address", "start-placement", sw, map[string]any{"startedAt": "2026-03-10T08:00:00Z", "placementType": "foster-care", "whereaboutsConfidential": true}, 422, "address", "Enter the placement"},
			{"grant by the front door", "grant-whereabouts", front, map[string]any{"email": "dsl@northfield.example", "reason": "r"}, 403, "", "social worker or a manager"},
			{"age assessment without a reason", "request-age-assessment", sw, map[string]any{"reason": " "}, 422, "reason", "significant reason"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				body := map[string]any{"expectedVersion": 1}
				for k, v := range tc.body {
					body[k] = v
				}
				p := mustProblem(t, e.api("POST", "/api/v1/cases/"+id+"/actions/"+tc.slug, tc.token, body), tc.status)
				msg := p.Detail
				if tc.field != "" {
					var ok bool
					if msg, ok = fieldErrorFor(p, tc.field); !ok {
						t.Fatalf("no problem for %q: %+v", tc.field, p)
					}
				}
				if !strings.Contains(msg, tc.says) {
					t.Errorf("message %q does not say %q", msg, tc.says)
				}
			})
		}
		if after := e.saved(); after != before {
			t.Fatalf("refusals saved something: %+v → %+v", before, after)
		}
	})
}
