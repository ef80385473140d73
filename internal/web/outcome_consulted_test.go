package web

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"waymark/internal/pathway"
	"waymark/internal/store"
	"waymark/internal/storetest"
)

// §6.2: the outcome page asks who the decision was discussed with; an
// outcome decided without the police is recorded, and the case page warns.
func TestOutcomePageRecordsWhoWasConsultedAndWarnsWithoutThePolice(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		id := e.raiseCase()
		supportAct(e, e.p.CSWorker, id, pathway.RecordContact{Reference: "CS-2026-000904", Method: "phone"})
		b := e.browser()
		b.signIn(e.p.CSWorker.User.Email)
		path := "/cases/" + id + "/outcome"
		form := b.get(path)
		if !strings.Contains(form.Body.String(), "Who did you discuss the decision with?") {
			t.Fatalf("the outcome page does not ask who was consulted")
		}
		f := url.Values{"csrf_token": {hiddenInput(form.Body.String(), "csrf_token")}, "version": {hiddenInput(form.Body.String(), "version")},
			"decision": {"assessment"}, "nextStep": {"Child and family assessment"}, "consulted": {"referrer", "other-professionals"}}
		bad := b.post(path, f)
		if bad.Code != http.StatusUnprocessableEntity || !strings.Contains(bad.Body.String(), "govuk-error-summary") || !strings.Contains(bad.Body.String(), "Name the other professionals") {
			t.Fatalf("other professionals without names: %d", bad.Code)
		}
		f.Set("consultedOthersNames", "School nurse")
		if rec := b.post(path, f); rec.Code != http.StatusSeeOther {
			t.Fatalf("recording the outcome: %d %s", rec.Code, rec.Body)
		}
		page := b.get("/cases/" + id).Body.String()
		if !strings.Contains(page, "Discussed with: The person who made the referral, Other professionals or services (School nurse)") || !strings.Contains(page, "without discussion with the police") {
			t.Errorf("the case page does not show who was consulted and the warning:\n%s", page)
		}
	})
}

// §6.2: through the API, who was consulted is recorded and returned on the outcome.
func TestOutcomeAPIRecordsWhoWasConsulted(t *testing.T) {
	e := newEnv(t, storetest.SQLite(t))
	id := e.raiseCase()
	supportAct(e, e.p.CSWorker, id, pathway.RecordContact{Reference: "CS-2026-000905", Method: "phone"})
	token := e.signInAPI(e.p.CSWorker.User.Email)
	rec := e.api("POST", "/api/v1/cases/"+id+"/outcome", token, map[string]any{"expectedVersion": e.versionAs(token, id),
		"decision": "strategy-discussion", "nextStep": "Strategy discussion at 3pm", "consulted": []string{"police", "referrer"}})
	if rec.Code != http.StatusOK {
		t.Fatalf("%d %s", rec.Code, rec.Body)
	}
	var got struct {
		Outcome pathway.Outcome `json:"outcome"`
	}
	decodeInto(t, rec, &got)
	if len(got.Outcome.Consulted) != 2 || got.Outcome.ConsultationGap() != "" {
		t.Errorf("outcome = %+v", got.Outcome)
	}
}
