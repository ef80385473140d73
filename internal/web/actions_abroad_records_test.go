package web

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"waymark/internal/casework"
	"waymark/internal/pathway"
	"waymark/internal/store"
	"waymark/internal/storetest"
)

// The records of a child from abroad and the child's voice work through
// their pages, each refusal shown with the error summary (§4.11, §7.3–7.6,
// §8.3), and the areas show what was recorded.
func TestAbroadRecordsAndTheChildsVoiceThroughThePages(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		id := e.raiseAgeUncertainCase()
		b := e.browser()
		b.signIn("social.worker@cs.example")
		now := e.clock.Now()

		supportRoundTrip(t, b, id, "ukvi-contact",
			supportDateTime("contactAt", now.Add(-time.Hour)),
			supportMerge(supportDateTime("contactAt", now.Add(-time.Hour)), url.Values{"with": {"UKVI asylum intake unit"}, "about": {"Her screening interview"}}),
			"Enter who at UKVI")
		supportRoundTrip(t, b, id, "overseas-request",
			supportMerge(supportDate("requestedOn", now), url.Values{"authority": {"State Social Services"}, "asked": {"Child protection history"}}),
			supportMerge(supportDate("requestedOn", now), url.Values{"authority": {"State Social Services"}, "country": {"Albania"}, "via": {"Albanian Embassy"}, "asked": {"Child protection history"}}),
			"Enter the country")
		view, err := e.svc.Case(context.Background(), e.p.SocialWorker, id)
		if err != nil {
			t.Fatal(err)
		}
		request := strconv.Itoa(view.Case.Support.AbroadRecords.OverseasRequests[0].Seq)
		supportRoundTrip(t, b, id, "overseas-reply",
			supportMerge(supportDate("repliedOn", now), url.Values{"request": {request}}),
			supportMerge(supportDate("repliedOn", now), url.Values{"request": {request}, "reply": {"No record of her"}}),
			"Enter what the reply said")
		supportRoundTrip(t, b, id, "document-seen",
			supportMerge(supportDate("seenOn", now), url.Values{"kind": {"passport"}, "seenBy": {"PC Hale"}, "genuineness": {"doubts"}}),
			supportMerge(supportDate("seenOn", now), url.Values{"kind": {"passport"}, "number": {"AL1234567"}, "issuer": {"Republic of Albania"}, "seenBy": {"PC Hale"}, "genuineness": {"doubts"}, "doubtsDetails": {"Photo page relaminated"}}),
			"Describe the doubts")
		supportAct(e, e.p.SocialWorker, id, pathway.StartPlacement{StartedAt: now, PlacementType: "foster-care", Address: supportTestAddress, WhereaboutsConfidential: true})
		supportRoundTrip(t, b, id, "police-sharing",
			supportMerge(supportDateTime("sharedAt", now), url.Values{"what": {"A car waited outside school"}, "sharedWith": {"DC Rowe"}, "sharedBy": {"Sam Social"}, "revealsWhereabouts": {"no"}}),
			supportMerge(supportDateTime("sharedAt", now), url.Values{"topics": {"risk-to-other-children", "immigration"}, "what": {"A car waited outside school"}, "sharedWith": {"DC Rowe"}, "sharedBy": {"Sam Social"}, "revealsWhereabouts": {"no"}}),
			"Select what the information is about")
		supportRoundTrip(t, b, id, "key-worker",
			supportMerge(supportDate("from", now), url.Values{"name": {"Ana Berisha"}}),
			supportMerge(supportDate("from", now), url.Values{"name": {"Ana Berisha"}, "role": {"Foster carer"}}),
			"Enter who they are to the child")
		supportRoundTrip(t, b, id, "key-worker",
			supportMerge(supportDate("from", now), url.Values{"name": {"Joe Marsh"}, "role": {"Residential worker"}}),
			supportMerge(supportDate("from", now), url.Values{"name": {"Joe Marsh"}, "role": {"Residential worker"}, "reason": {"She moved to a children's home"}}),
			"same trusted adult")
		supportRoundTrip(t, b, id, "childs-wishes",
			supportDate("saidOn", now),
			supportMerge(supportDate("saidOn", now), url.Values{"words": {"I want to stay with Ana and go to college"}, "how": {"With an Albanian interpreter"}}),
			"in their own words")
		supportRoundTrip(t, b, id, "nrm-explained",
			supportMerge(supportDate("explainedOn", now), url.Values{"explainedBy": {"Sam Social"}, "howUnderstood": {"Said it means help"}}),
			supportMerge(supportDate("explainedOn", now), url.Values{"explainedBy": {"Sam Social"}, "to": {"child"}, "howUnderstood": {"Said it means help"}}),
			"Select who was told")
		supportRoundTrip(t, b, id, "age-decision",
			url.Values{"guidanceConsulted": {"yes"}, "decision": {"no-assessment"}},
			url.Values{"guidanceConsulted": {"yes"}, "decision": {"no-assessment"}, "reasons": {"Birth certificate seen"}},
			"Enter the reasons")
		supportRoundTrip(t, b, id, "age-decision-home-office",
			supportDate("communicatedOn", now),
			supportMerge(supportDate("communicatedOn", now), url.Values{"communicatedTo": {"Asylum intake unit"}, "communicatedHow": {"Secure email"}}),
			"Enter who at the Home Office")

		area := supportArea(e, e.p.SocialWorker, id)
		var more strings.Builder
		view, _ = e.svc.Case(context.Background(), e.p.SocialWorker, id)
		for _, name := range []string{"area-abroad-records", "area-placement-records", "area-voice", "area-age-records"} {
			if err := e.srv.pages.ExecuteTemplate(&more, name, e.srv.caseData(view, e.p.SocialWorker)); err != nil {
				t.Fatalf("rendering %s: %v", name, err)
			}
		}
		area += more.String()
		for _, want := range []string{
			"Immigration was discussed with UKVI before the child's protection was addressed", "Before protection was addressed",
			"Documents seen", "AL1234567", "Doubts", "Information sought from overseas", "No record of her",
			"Key worker", "Joe Marsh", "Earlier key workers", "She moved to a children's home",
			"Information shared with the police", "A car waited outside school", "DC Rowe",
			"The child's voice", "I want to stay with Ana", "The NRM explained", "Home Office told on",
		} {
			if !strings.Contains(area, want) && !strings.Contains(area, strings.ReplaceAll(want, "'", "&#39;")) {
				t.Errorf("the areas do not show %q", want)
			}
		}
		for _, slug := range []string{"abroad", "support", "age"} {
			if page := b.get("/cases/" + id + "/" + slug); page.Code != http.StatusOK {
				t.Errorf("GET the %s area: %d", slug, page.Code)
			}
		}
	})
}

// §7.3, §7.6: an entry of the police log that says where the child lives
// reaches only those given access to the whereabouts: not the rest of the
// team, on the page, in the API or in the timeline's events.
func TestThePoliceLogDoesNotLeakTheConfidentialPlacement(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		id := e.raiseCase()
		now := e.clock.Now()
		supportAct(e, e.p.SocialWorker, id, pathway.StartPlacement{StartedAt: now, PlacementType: "foster-care", Address: supportTestAddress, WhereaboutsConfidential: true})
		supportAct(e, e.p.SocialWorker, id, pathway.SharePoliceInformation{SharedAt: now, Topics: []string{"crimes-against-the-child"},
			What: "Men seen outside 14 Larch Close at night", SharedWith: "PC Hale", SharedBy: "Sam Social"})

		seesIt := func(v casework.Viewer) []string {
			var where []string
			b := e.browser()
			b.signIn(v.User.Email)
			if page := b.get("/cases/" + id + "/support").Body.String(); strings.Contains(page, "Larch") {
				where = append(where, "support page")
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
				if d, ok := ev.Data.(pathway.PoliceInformationShared); ok && strings.Contains(d.What, "Larch") {
					where = append(where, "timeline event")
				}
			}
			return where
		}
		if where := seesIt(e.p.Manager); len(where) > 0 {
			t.Errorf("the manager without access reads the entry in %v", where)
		}
		if page := e.browser(); page != nil {
			page.signIn(e.p.Manager.User.Email)
			if body := page.get("/cases/" + id + "/support").Body.String(); !strings.Contains(body, "It says where the child is living") {
				t.Error("the manager is not told the entry is withheld")
			}
		}
		if where := seesIt(e.p.SocialWorker); len(where) < 3 {
			t.Errorf("the social worker who made the placement reads it only in %v", where)
		}
	})
}

// The API refuses these records with problem documents naming the answer to
// fix, and the referrer is not offered them (§6.5).
func TestAbroadRecordAPIRefusalsAreProblems(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		id := e.raiseCase()
		sw := e.signInAPI("social.worker@cs.example")
		teacher := e.signInAPI("dsl@northfield.example")
		for _, tc := range []struct {
			name, slug, token string
			body              map[string]any
			status            int
			field, says       string
		}{
			{"police log before a placement", "police-sharing", sw, map[string]any{"sharedAt": "2026-03-10T08:00:00Z", "topics": []string{"immigration"}, "what": "w", "sharedWith": "x", "sharedBy": "y", "revealsWhereabouts": false}, 422, "", "record the placement first"},
			{"document with an unknown kind", "document-seen", sw, map[string]any{"kind": "diary", "seenBy": "x", "seenOn": "2026-03-10", "genuineness": "no-doubts"}, 422, "kind", "Select the kind"},
			{"wishes from the referrer", "childs-wishes", teacher, map[string]any{"saidOn": "2026-03-10", "words": "w"}, 404, "", "There is no such action"},
			{"outcome told before any decision", "nrm-outcome-told", sw, map[string]any{"decision": "1", "toldOn": "2026-03-10", "toldBy": "x", "to": []string{"child"}, "howUnderstood": "y"}, 422, "", "No NRM decision is recorded yet"},
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
	})
}
