package web

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"waymark/internal/pathway"
	"waymark/internal/store"
	"waymark/internal/storetest"
)

// The concern form has an optional page for what the child told the
// referrer about their situation (§8.5): the task list marks it optional,
// a mistake is shown in the error summary, and the answers are checked
// before sending and kept with the concern.
func TestAReferrerMayAddWhatTheChildToldThem(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		b := e.browser()
		b.signIn("dsl@northfield.example")
		draft, csrf := b.newDraft()
		if tasks := b.get("/concerns/" + draft).Body.String(); !strings.Contains(tasks, "What the child told you (optional)") || !strings.Contains(tasks, "Optional") {
			t.Fatalf("the task list does not offer the optional page:\n%s", tasks)
		}
		page := b.get("/concerns/" + draft + "/told").Body.String()
		version := hiddenInput(page, "version")
		bad := b.post("/concerns/"+draft+"/told", url.Values{"csrf_token": {csrf}, "version": {version}, "birthplace": {strings.Repeat("Eastshire ", 30)}})
		if bad.Code != http.StatusUnprocessableEntity || !strings.Contains(bad.Body.String(), `href="#birthplace"`) {
			t.Fatalf("a birthplace too long: %d\n%s", bad.Code, bad.Body)
		}
		page = b.get("/concerns/" + draft + "/told").Body.String()
		ok := b.post("/concerns/"+draft+"/told", url.Values{"csrf_token": {csrf}, "version": {hiddenInput(page, "version")},
			"livingConditions": {"Sleeps on a sofa at her 'boyfriend's' flat at weekends."}, "otherVictims": {"not-sure"}})
		if ok.Code != http.StatusSeeOther || ok.Header().Get("Location") != "/concerns/"+draft+"/check" {
			t.Fatalf("saving the optional page: %d %s\n%s", ok.Code, ok.Header().Get("Location"), ok.Body)
		}
		_, a, err := e.svc.Draft(context.Background(), e.p.Teacher, draft)
		if err != nil {
			t.Fatal(err)
		}
		want := []pathway.FactAnswer{{Fact: pathway.FactLivingConditions, Value: "Sleeps on a sofa at her 'boyfriend's' flat at weekends."}, {Fact: pathway.FactOtherVictims, Value: "not-sure"}}
		if len(a.Concern.Facts) != 2 || a.Concern.Facts[0] != want[0] || a.Concern.Facts[1] != want[1] {
			t.Fatalf("the draft's facts = %+v", a.Concern.Facts)
		}
		check := b.get("/concerns/" + draft + "/check")
		if check.Code != http.StatusOK || !strings.Contains(check.Body.String(), "Whether there are other potential victims") || !strings.Contains(check.Body.String(), "Not sure") {
			t.Errorf("check your answers does not show what the child told them:\n%s", check.Body)
		}
	})
}
