package web

import (
	"context"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"waymark/internal/pathway"
	"waymark/internal/store"
	"waymark/internal/storetest"
)

// entityCasesWithSharedPhone are two meeting cases whose meetings the social
// worker convened, each with the same phone number written differently.
func (e *testEnv) entityCasesWithSharedPhone() (a, b string) {
	e.t.Helper()
	ctx := context.Background()
	a, b = e.meetingCase(nil), e.meetingCase(nil)
	for _, id := range []string{a, b} {
		if err := e.svc.Act(ctx, e.p.SocialWorker, id, e.meetingVersion(id), pathway.ConveneMeeting{Kind: pathway.MeetingStrategy, ScheduledFor: e.clock.Now().Add(time.Hour), InviteeEmails: []string{"first.responder@police.example"}}); err != nil {
			e.t.Fatal(err)
		}
	}
	if err := e.svc.Act(ctx, e.p.SocialWorker, b, e.meetingVersion(b), pathway.RecordEntity{Kind: pathway.EntityPhone, Value: "+44 7700 900123", Role: pathway.EntityRoleContact}); err != nil {
		e.t.Fatal(err)
	}
	return a, b
}

// §6.8, §8.8: the chair records a phone number through the form (a bad one
// gets the error summary), and the entities page flags that it is on
// another case, by reference only; the manager, who chairs nothing, is
// told who may see it instead.
func TestSharedPhoneNumberIsFlaggedOnTheChairsEntitiesPage(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		a, b := e.entityCasesWithSharedPhone()
		sw := e.browser()
		sw.signIn(e.p.SocialWorker.User.Email)
		meetingRoundTrip(t, sw, a, "record-entity",
			url.Values{"kind": {pathway.EntityPhone}, "value": {"12"}, "role": {pathway.EntityRoleContact}}, "value",
			url.Values{"kind": {pathway.EntityPhone}, "value": {"07700 900123"}, "role": {pathway.EntityRoleContact}, "notes": {"Texted the child"}})
		rec := sw.get("/cases/" + a + "/entities")
		page := html.UnescapeString(rec.Body.String())
		if rec.Code != http.StatusOK {
			t.Fatalf("entities page: %d %s", rec.Code, page)
		}
		checkPageHygiene(t, "entities page", rec)
		ref := e.loadRef(b)
		if !strings.Contains(page, "1 of these appears in other cases") || !strings.Contains(page, "Appears in 1 other case: "+ref) || !strings.Contains(page, e.p.ChildrensServices.Name) {
			t.Fatalf("the chair is not told the number is on %s:\n%s", ref, page)
		}
		if strings.Contains(page, "+44 7700 900123") {
			t.Error("the other case's way of writing the number leaked")
		}
		mgr := e.browser()
		mgr.signIn(e.p.Manager.User.Email)
		page = mgr.get("/cases/" + a + "/entities").Body.String()
		if strings.Contains(page, ref) || !strings.Contains(page, "Only the chair") {
			t.Errorf("the manager, who chairs no meeting, is shown recurrence:\n%s", page)
		}
		// The API says the same, with a problem document for the referrer.
		tok := e.signInAPI(e.p.SocialWorker.User.Email)
		rec = e.api("GET", "/api/v1/cases/"+a+"/entities", tok, nil)
		var out entitiesJSON
		decodeInto(t, rec, &out)
		if rec.Code != http.StatusOK || !out.RecurrenceShown || len(out.Entities) != 1 || out.Entities[0].Recurrence == nil ||
			out.Entities[0].Recurrence.OtherCases != 1 || out.Entities[0].Recurrence.Cases[0].Reference != ref {
			t.Fatalf("API entities: %d %s", rec.Code, rec.Body)
		}
		mustProblem(t, e.api("GET", "/api/v1/cases/"+a+"/entities", e.signInAPI(e.p.Teacher.User.Email), nil), http.StatusForbidden)
	})
}

// §6.8: the partnership lead's network view draws the recurring number and
// its two cases as an SVG with a title and description, and gives the same
// in a table; nobody else may see it; no value is shown.
func TestNetworkViewIsAnAccessiblePictureWithATableForThePartnershipLead(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		lead := e.meetingPartnershipLead()
		a, b := e.entityCasesWithSharedPhone()
		if err := e.svc.Act(context.Background(), e.p.SocialWorker, a, e.meetingVersion(a), pathway.RecordEntity{Kind: pathway.EntityPhone, Value: "07700900123", Role: pathway.EntityRoleContact}); err != nil {
			t.Fatal(err)
		}
		lb := e.browser()
		lb.signIn(lead.User.Email)
		rec := lb.get("/network")
		page := rec.Body.String()
		if rec.Code != http.StatusOK {
			t.Fatalf("network: %d %s", rec.Code, page)
		}
		checkPageHygiene(t, "network page", rec)
		for _, want := range []string{`role="img"`, `aria-labelledby="net-title net-desc"`, `<title id="net-title">`, `<desc id="net-desc">`,
			`<caption class="govuk-table__caption govuk-table__caption--m" id="net-table-caption">`, `tabindex="0"`, e.loadRef(a), e.loadRef(b), "Phone number"} {
			if !strings.Contains(page, want) {
				t.Errorf("the network page lacks %s", want)
			}
		}
		if strings.Contains(page, "7700") {
			t.Errorf("the network page shows a value:\n%s", page)
		}
		sw := e.browser()
		sw.signIn(e.p.SocialWorker.User.Email)
		if rec := sw.get("/network"); rec.Code != http.StatusForbidden {
			t.Errorf("the social worker gets %d from the network view", rec.Code)
		}
		rec = e.api("GET", "/api/v1/network", e.signInAPI(lead.User.Email), nil)
		var out networkJSON
		decodeInto(t, rec, &out)
		if rec.Code != http.StatusOK || len(out.Entities) != 1 || out.Entities[0].Cases != 2 || len(out.Entities[0].CaseRefs) != 2 {
			t.Fatalf("API network: %d %s", rec.Code, rec.Body)
		}
		mustProblem(t, e.api("GET", "/api/v1/network?cursor=nonsense", e.signInAPI(lead.User.Email), nil), http.StatusUnprocessableEntity)
		// A page link cut short or made up gets the error summary and the
		// way back to the first page, not an empty network.
		for _, bad := range []string{"nonsense", "!!!", store.Cursor{Part: 1, ID: "x"}.String()} {
			rec := lb.get("/network?cursor=" + url.QueryEscape(bad))
			body := rec.Body.String()
			if rec.Code != http.StatusBadRequest || !strings.Contains(body, "govuk-error-summary") || !strings.Contains(body, `href="/network"`) ||
				strings.Contains(body, "No person, place or number") {
				t.Errorf("a made-up page link %q: %d\n%s", bad, rec.Code, body)
			}
			checkPageHygiene(t, "network page with a bad link", rec)
		}
	})
}

func (e *testEnv) loadRef(id string) string {
	e.t.Helper()
	var ref string
	if err := e.db.SQL().QueryRow(`SELECT reference FROM cases WHERE id = $1`, id).Scan(&ref); err != nil {
		e.t.Fatal(err)
	}
	return ref
}

// §6.8: a partnership with more recurring entities than a page holds shows
// its lead every one of them: the page's "Next page" link and the API's
// nextCursor open the next page (a cursor carries the count the list is
// ordered by, which is two or more).
func TestTheLeadFollowsTheNetworkOntoItsNextPage(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		lead := e.meetingPartnershipLead()
		a, b := e.entityCasesWithSharedPhone()
		ctx := context.Background()
		for i := range 26 { // 26 numbers on both cases, and the shared one on b
			for _, id := range []string{a, b} {
				if err := e.svc.Act(ctx, e.p.SocialWorker, id, e.meetingVersion(id), pathway.RecordEntity{Kind: pathway.EntityPhone, Value: fmt.Sprintf("07700 9%05d", 10000+i), Role: pathway.EntityRoleContact}); err != nil {
					t.Fatal(err)
				}
			}
		}
		lb := e.browser()
		lb.signIn(lead.User.Email)
		first := lb.get("/network").Body.String()
		m := regexp.MustCompile(`href="(/network\?cursor=[^"]+)" rel="next"`).FindStringSubmatch(first)
		if m == nil {
			t.Fatalf("the first page of 26 recurring numbers has no next link:\n%s", first)
		}
		next := lb.get(html.UnescapeString(m[1]))
		if next.Code != http.StatusOK || !strings.Contains(next.Body.String(), "Phone number") {
			t.Fatalf("following the next link: %d\n%s", next.Code, next.Body)
		}
		tok := e.signInAPI(lead.User.Email)
		var out networkJSON
		decodeInto(t, e.api("GET", "/api/v1/network", tok, nil), &out)
		if len(out.Entities) != 25 || out.NextCursor == "" {
			t.Fatalf("API first page: %d entities, next %q", len(out.Entities), out.NextCursor)
		}
		rec := e.api("GET", "/api/v1/network?cursor="+url.QueryEscape(out.NextCursor), tok, nil)
		var rest networkJSON
		decodeInto(t, rec, &rest)
		if rec.Code != http.StatusOK || len(rest.Entities) != 1 || rest.NextCursor != "" {
			t.Fatalf("API next page: %d, %d entities, next %q", rec.Code, len(rest.Entities), rest.NextCursor)
		}
	})
}
