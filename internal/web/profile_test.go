package web

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"waymark/internal/casework"
	"waymark/internal/store"
	"waymark/internal/storetest"
)

// A person keeps their own work details on a page of plain HTML: a mistake
// is shown in the error summary with the answers kept, and a save comes
// back to the page with the details shown (§8.7: the NRM form asks them).
func TestAPersonKeepsTheirWorkDetailsOnTheirOwnPage(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		b := e.browser()
		b.signIn("social.worker@cs.example")
		page := b.get("/account/profile")
		if page.Code != http.StatusOK || !strings.Contains(page.Body.String(), "Your work details") {
			t.Fatalf("GET /account/profile: %d", page.Code)
		}
		csrf := hiddenInput(page.Body.String(), "csrf_token")
		bad := b.post("/account/profile", url.Values{"csrf_token": {csrf}, "jobTitle": {"Senior social worker"}, "workPhone": {"ring the office"}})
		if bad.Code != http.StatusUnprocessableEntity || !strings.Contains(bad.Body.String(), `href="#workPhone"`) || !strings.Contains(bad.Body.String(), `value="Senior social worker"`) {
			t.Fatalf("a phone number that is not one: %d\n%s", bad.Code, bad.Body)
		}
		ok := b.post("/account/profile", url.Values{"csrf_token": {csrf}, "jobTitle": {"Senior social worker"}, "workPhone": {"01632 960 411"}, "awayEmail": {"duty@cs.example"}})
		if ok.Code != http.StatusSeeOther || ok.Header().Get("Location") != "/account/profile?done=saved" {
			t.Fatalf("saving: %d %s", ok.Code, ok.Header().Get("Location"))
		}
		if body := b.get("/account/profile?done=saved").Body.String(); !strings.Contains(body, `value="01632 960 411"`) || !strings.Contains(body, "Your work details are saved") {
			t.Errorf("the saved details are not shown:\n%s", body)
		}
	})
}

// An administrator gives a person's work details when adding them, sees
// them on the person's page and changes them there, after confirming who
// they are as for every staff change.
func TestAnAdministratorSeesAndChangesAPersonsWorkDetails(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		admin := e.browser()
		admin.signIn("admin@cs.example")
		form := admin.get("/admin/staff/new").Body.String()
		if !strings.Contains(form, `name="jobTitle"`) || !strings.Contains(form, `name="awayEmail"`) {
			t.Fatal("the add form does not ask for the work details")
		}
		csrf := hiddenInput(form, "csrf_token")
		added := admin.post("/admin/staff", url.Values{"csrf_token": {csrf}, "email": {"nia@cs.example"}, "name": {"Nia New"}, "organisation": {"org-cs"},
			"role": {"social_worker"}, "jobTitle": {"Social worker"}, "workPhone": {"01632 960 500"}})
		m := staffPersonPath.FindStringSubmatch(added.Header().Get("Location"))
		if added.Code != http.StatusSeeOther || m == nil {
			t.Fatalf("adding: %d %s\n%s", added.Code, added.Header().Get("Location"), added.Body)
		}
		person := admin.get("/admin/staff/" + m[1]).Body.String()
		if !strings.Contains(person, "Social worker") || !strings.Contains(person, "01632 960 500") || !strings.Contains(person, "Change their work details") {
			t.Fatalf("the person's page does not show their work details:\n%s", person)
		}
		changed := admin.post("/admin/staff/"+m[1]+"/profile", url.Values{"csrf_token": {csrf}, "jobTitle": {"Senior social worker"}, "workPhone": {"01632 960 500"}, "awayEmail": {"duty@cs.example"}})
		if changed.Code != http.StatusSeeOther {
			t.Fatalf("changing: %d\n%s", changed.Code, changed.Body)
		}
		got, err := e.svc.StaffProfile(context.Background(), e.p.CSAdmin, m[1])
		if err != nil || got != (casework.Profile{JobTitle: "Senior social worker", WorkPhone: "01632 960 500", AwayEmail: "duty@cs.example"}) {
			t.Fatalf("after the change: %+v, %v", got, err)
		}
	})
}

// The API gives and changes a person's own work details; a mistake is a
// problem naming the answer.
func TestAPersonsWorkDetailsThroughTheAPI(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		token := e.signInAPI("social.worker@cs.example")
		p := mustProblem(t, e.api("PUT", "/api/v1/account/profile", token, map[string]any{"jobTitle": "Senior social worker", "awayEmail": "the duty team"}), http.StatusUnprocessableEntity)
		if _, ok := fieldErrorFor(p, "awayEmail"); !ok {
			t.Fatalf("problem %+v does not name awayEmail", p)
		}
		rec := e.api("PUT", "/api/v1/account/profile", token, map[string]any{"jobTitle": "Senior social worker", "workPhone": "01632 960 411", "awayEmail": "Duty@CS.example"})
		if rec.Code != http.StatusOK {
			t.Fatalf("PUT: %d %s", rec.Code, rec.Body)
		}
		var got casework.Profile
		if err := json.Unmarshal(e.api("GET", "/api/v1/account/profile", token, nil).Body.Bytes(), &got); err != nil {
			t.Fatal(err)
		}
		if got != (casework.Profile{JobTitle: "Senior social worker", WorkPhone: "01632 960 411", AwayEmail: "duty@cs.example"}) {
			t.Errorf("GET after PUT: %+v", got)
		}
	})
}
