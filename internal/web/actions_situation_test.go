package web

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"waymark/internal/pathway"
	"waymark/internal/store"
	"waymark/internal/storetest"
)

// The team records what it learns of the child's situation on its page,
// with an error summary when an answer is refused; the page then starts
// from the answers so far, and the strategy page shows them with where
// they were learnt (§6.7, §8.8). The referrer is not offered the page (§6.5).
func TestTheSituationPageRecordsWhatTheTeamLearns(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		id := e.raiseCase()
		b := e.browser()
		b.signIn("social.worker@cs.example")
		strategyRoundTrip(t, b, id, "situation",
			url.Values{"learntAt": {pathway.LearntAtOther}, "hasChildren": {"no"}, "numberOfChildren": {"2"}},
			url.Values{"learntAt": {pathway.LearntAtOther}, "toldBy": {"the child"}, "livingConditions": {"Slept on the floor of a flat above a car wash."},
				"lastContact": {"within-the-last-week"}, "birthplace": {"Durrës, Albania"}},
			"You said the child has no children of their own")

		view, err := e.svc.Case(context.Background(), e.p.SocialWorker, id)
		if err != nil {
			t.Fatal(err)
		}
		if got, _ := view.Case.Fact(pathway.FactLivingConditions); got.Value != "Slept on the floor of a flat above a car wash." || got.ToldBy != "the child" {
			t.Fatalf("living conditions = %+v", got)
		}
		form := b.get("/cases/" + id + "/actions/situation").Body.String()
		if !strings.Contains(form, "Durrës, Albania") {
			t.Errorf("the page does not start from the answers so far: %s", form)
		}
		area := b.get("/cases/" + id + "/strategy").Body.String()
		for _, want := range []string{"What we know of the child's situation", "Within the last week", "told by the child, recorded by"} {
			if !strings.Contains(area, want) {
				t.Errorf("the strategy page does not show %q: %s", want, area)
			}
		}

		referrer := e.browser()
		referrer.signIn("dsl@northfield.example")
		if got := referrer.get("/cases/" + id + "/actions/situation"); got.Code != http.StatusNotFound {
			t.Errorf("the referrer was shown the team's situation page: %d", got.Code)
		}
		if strings.Contains(referrer.get("/cases/"+id).Body.String(), "car wash") {
			t.Error("the referrer's view of the case shows what the team recorded")
		}
	})
}

// The API takes the same answers (action `situation`, described in
// openapi.json) and gives the team every answer under situation.recorded;
// a referrer's token is told there is no such action (§6.5).
func TestTheSituationThroughTheAPI(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		id := e.raiseCase()
		token := e.signInAPI("social.worker@cs.example")
		rec := e.api("POST", "/api/v1/cases/"+id+"/actions/situation", token, map[string]any{"expectedVersion": e.versionAs(token, id),
			"learntAt": "other", "toldBy": "the school nurse", "otherVictims": "yes", "otherVictimsDetails": "Two younger girls at the same address."})
		if rec.Code != http.StatusOK {
			t.Fatalf("POST situation: %d %s", rec.Code, rec.Body)
		}
		var got struct {
			Situation struct {
				Recorded []map[string]any `json:"recorded"`
			} `json:"situation"`
		}
		if err := json.Unmarshal(e.api("GET", "/api/v1/cases/"+id, token, nil).Body.Bytes(), &got); err != nil {
			t.Fatal(err)
		}
		if r := got.Situation.Recorded; len(r) != 2 || r[0]["fact"] != "otherVictims" || r[0]["value"] != "yes" || r[0]["learntAt"] != "other" || r[0]["toldBy"] != "the school nurse" {
			t.Errorf("the case read by the team holds %+v", r)
		}
		p := mustProblem(t, e.api("POST", "/api/v1/cases/"+id+"/actions/situation", token, map[string]any{"expectedVersion": e.versionAs(token, id),
			"learntAt": "meeting", "otherVictims": "perhaps"}), http.StatusUnprocessableEntity)
		if _, ok := fieldErrorFor(p, "learntAt"); !ok {
			t.Errorf("a fact learnt at a meeting that never happened: %+v", p)
		}
		teacher := e.signInAPI("dsl@northfield.example")
		if got := e.api("GET", "/api/v1/cases/"+id, teacher, nil).Body.String(); strings.Contains(got, "Two younger girls") {
			t.Error("the referrer's read of the case shows what the team recorded")
		}
		mustProblem(t, e.api("POST", "/api/v1/cases/"+id+"/actions/situation", teacher, map[string]any{"expectedVersion": e.versionAs(teacher, id),
			"learntAt": "other", "birthplace": "Tirana"}), http.StatusNotFound)
	})
}
