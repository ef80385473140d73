package web

import (
	"encoding/json"
	"net/http"
	"net/url"
	"reflect"
	"slices"
	"strings"
	"testing"

	"waymark/internal/pathway"
	"waymark/internal/store"
	"waymark/internal/storetest"
)

// §6.9–6.11: each record of the child in the criminal justice system works
// through its page, with an error summary on a bad answer, and the support
// area shows it with what is still to do.
func TestCriminalJusticePagesRecordAndPrompt(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		id := e.raiseCase()
		supportAct(e, e.p.CSWorker, id, pathway.RecordContact{Reference: "CS-2026-000001", Method: "phone"})
		b := e.browser()
		b.signIn("social.worker@cs.example")
		now := e.clock.Now()

		area := supportArea(e, e.p.SocialWorker, id)
		if !strings.Contains(area, `data-prompt="rights-not-told"`) {
			t.Fatalf("the support area does not prompt to tell the child their rights (§6.9): %s", area)
		}
		supportRoundTrip(t, b, id, "rights-told",
			url.Values{},
			supportMerge(supportDate("toldOn", now), url.Values{"toldBy": {"Sam, with a Tigrinya interpreter"}}),
			"Enter the date the child was told")
		supportRoundTrip(t, b, id, "victim-liaison-officer",
			url.Values{"name": {"DC Amara Obi"}, "force": {"Eastshire Police"}},
			url.Values{"name": {"DC Amara Obi"}, "force": {"Eastshire Police"}, "contact": {"01632 960123"}},
			"Enter how to contact the officer")
		supportRoundTrip(t, b, id, "suspected-offence",
			url.Values{"offence": {"Robbery of a phone"}, "scheduleFour": {""}},
			url.Values{"offence": {"Robbery of a phone"}, "scheduleFour": {"theft-1968.s8"}},
			"Select the Schedule 4 offence")
		supportRoundTrip(t, b, id, "record-support",
			url.Values{"kind": {pathway.SupportCAMHS}, "status": {pathway.SupportRequested}, "traffickingSpecialist": {"yes"}},
			url.Values{"kind": {pathway.SupportCriminalLegalAdvice}, "status": {pathway.SupportInPlace}, "provider": {"Harbour Law"}, "traffickingSpecialist": {"no"}, "concernsShared": {"no"}},
			"Only a lawyer acting for the child")
		supportRoundTrip(t, b, id, "crime-reference",
			url.Values{"reference": {"EP-26-0042"}},
			url.Values{"reference": {"EP-26-0042"}, "force": {"Eastshire Police"}},
			"Enter the police force that recorded the crime")

		area = supportArea(e, e.p.SocialWorker, id)
		for _, want := range []string{"Criminal justice", "DC Amara Obi", "01632 960123", "Robbery of a phone", "Schedule 4: outside the defence",
			"legislation.gov.uk", "EP-26-0042", "Trafficking specialist: No", `data-prompt="solicitor-concerns"`, `data-prompt="section-45-excluded"`} {
			if !strings.Contains(area, strings.ReplaceAll(want, "'", "&#39;")) {
				t.Errorf("the support area does not show %q", want)
			}
		}
		if strings.Contains(area, `data-prompt="rights-not-told"`) {
			t.Error("still prompted to tell the child their rights once recorded")
		}
		// §6.5: the referrer learns nothing of it.
		if outsider := supportArea(e, e.p.Teacher, id); strings.Contains(outsider, "Robbery") || strings.Contains(outsider, "Amara") {
			t.Error("the referrer sees the child's criminal matters")
		}
		// The timeline files them under support, without naming the offence.
		if tl := b.get("/cases/" + id + "/timeline?area=support").Body.String(); !strings.Contains(tl, "told their rights") || !strings.Contains(tl, "Victim liaison officer recorded") || strings.Contains(tl, "Robbery") {
			t.Errorf("the support timeline: %s", tl)
		}
		form := b.get("/cases/" + id + "/actions/suspected-offence")
		if form.Code != http.StatusOK || !strings.Contains(form.Body.String(), "Theft Act 1968: Section 8 (robbery or assault with intent to rob)") {
			t.Fatalf("the offence page does not offer Schedule 4 from the catalogue: %d", form.Code)
		}
	})
}

// An API client gets a problem document naming the answer to fix.
func TestCriminalJusticeAPIRefusalsAreProblems(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		id := e.raiseCase()
		sw := e.signInAPI("social.worker@cs.example")
		teacher := e.signInAPI("dsl@northfield.example")
		before := e.saved()
		for _, tc := range []struct {
			name, slug, token string
			body              map[string]any
			status            int
			field, says       string
		}{
			{"an offence not in the catalogue", "suspected-offence", sw, map[string]any{"offence": "Robbery", "scheduleFour": "theft-1968.s99"}, 422, "scheduleFour", "Select the Schedule 4 offence"},
			{"the decision passed on with none made", "conclusive-grounds-to-defence", sw, map[string]any{"passedOn": "2026-03-10", "passedTo": "Harbour Law"}, 422, "", "no positive Conclusive Grounds decision"},
			{"an officer without a contact", "victim-liaison-officer", sw, map[string]any{"name": "DC Obi", "force": "Eastshire Police"}, 422, "contact", "Enter how to contact"},
			{"the referrer records an offence", "suspected-offence", teacher, map[string]any{"offence": "Robbery", "scheduleFour": "not-sure"}, 404, "", "There is no such action"},
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

// The API gives the team what the support page lists as still to do, and
// nobody else; openapi.json documents it as the pathway gives it.
func TestCriminalJusticePromptsReachTheTeamThroughTheAPI(t *testing.T) {
	d := loadOpenAPI(t)
	schema := d.schema("JusticePrompt")
	goNames, goAlways := jsonFields(reflect.TypeOf(pathway.Prompt{}))
	docNames, docRequired := schemaProps(schema)
	if !slices.Equal(goNames, docNames) || !slices.Equal(goAlways, docRequired) {
		t.Errorf("JusticePrompt: Go sends %v (always %v), openapi.json documents %v (required %v)", goNames, goAlways, docNames, docRequired)
	}
	if got, want := enumOf(obj(obj(schema["properties"])["kind"])), slices.Sorted(slices.Values(pathway.JusticePromptKinds())); !slices.Equal(got, want) {
		t.Errorf("JusticePrompt.kind documents %v, the pathway gives %v", got, want)
	}

	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		id := e.raiseCase()
		supportAct(e, e.p.CSWorker, id, pathway.RecordContact{Reference: "CS-2026-000001", Method: "phone"})
		supportAct(e, e.p.SocialWorker, id, pathway.RecordSuspectedOffence{Offence: "Robbery", ScheduleFour: "theft-1968.s8"})
		var team struct {
			JusticePrompts []struct{ Kind, Text string } `json:"justicePrompts"`
		}
		res := e.api("GET", "/api/v1/cases/"+id, e.signInAPI("social.worker@cs.example"), nil)
		if err := json.Unmarshal(res.Body.Bytes(), &team); err != nil || res.Code != http.StatusOK {
			t.Fatalf("GET the case: %d %v", res.Code, err)
		}
		var kinds []string
		for _, p := range team.JusticePrompts {
			kinds = append(kinds, p.Kind)
		}
		if !slices.Contains(kinds, "rights-not-told") || !slices.Contains(kinds, "section-45-excluded") {
			t.Errorf("the team's prompts through the API: %v", kinds)
		}
		if body := e.api("GET", "/api/v1/cases/"+id, e.signInAPI("dsl@northfield.example"), nil).Body.String(); strings.Contains(body, "justicePrompts") || strings.Contains(body, "Robbery") {
			t.Errorf("the referrer is told of the child's criminal matters: %s", body)
		}
	})
}
