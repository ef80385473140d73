package web

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"waymark/internal/casework"
	"waymark/internal/pathway"
	"waymark/internal/store"
	"waymark/internal/storetest"
)

// actAs gives a command as v against the case as v last saw it.
func (e *testEnv) actAs(v casework.Viewer, id string, cmd pathway.Command) {
	e.t.Helper()
	view, err := e.svc.Case(context.Background(), v, id)
	if err != nil {
		e.t.Fatal(err)
	}
	if err := e.svc.Act(context.Background(), v, id, view.Case.Version, cmd); err != nil {
		e.t.Fatalf("%T: %v", cmd, err)
	}
}

// §6.8, §9.4: in a partnership with the ICTG service on the day of the NRM
// referral, the case page, the NRM area and the API prompt the team to refer
// the child to the service, until the referral is recorded.
func TestICTGReferralIsPromptedWhereTheServiceRuns(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		day := e.clock.Now().In(pathway.London).Format("2006-01-02")
		if _, err := e.svc.RecordSetting(ctx, e.p.CSAdmin, pathway.SettingChange{Key: pathway.SettingICTGAvailable, Value: "yes", From: day}); err != nil {
			t.Fatal(err)
		}
		id := e.raiseCase()
		e.actAs(e.p.CSWorker, id, pathway.AssignWorker{WorkerEmail: e.p.PoliceLead.User.Email})
		b := e.browser()
		b.signIn("first.responder@police.example")
		if page := b.get("/cases/" + id).Body.String(); strings.Contains(page, "Refer to the ICTG service") {
			t.Fatal("prompted before the NRM referral")
		}
		e.actAs(e.p.PoliceLead, id, pathway.SubmitNRMReferral{SubmittedAt: e.clock.Now(), Via: "online-form", DeclarationMade: true,
			ExplainedToChild: pathway.ExplainedYes, ExplainedToCarer: pathway.ExplainedYes, ReasonWithoutMeeting: "The child is to be moved tonight."})
		for _, path := range []string{"/cases/" + id, "/cases/" + id + "/nrm"} {
			rec := b.get(path)
			if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), "Refer to the ICTG service") || !strings.Contains(rec.Body.String(), "/cases/"+id+"/actions/record-support") {
				t.Errorf("%s: %d, no ICTG prompt", path, rec.Code)
			}
		}
		token := e.signInAPI("first.responder@police.example")
		if rec := e.api("GET", "/api/v1/cases/"+id, token, nil); !strings.Contains(rec.Body.String(), `"ictgReferralPrompt"`) {
			t.Errorf("the API case has no ictgReferralPrompt: %s", rec.Body)
		}
		e.actAs(e.p.PoliceLead, id, pathway.RecordSupport{Kind: pathway.SupportICTG, Status: pathway.SupportRequested, Provider: "Barnardo's"})
		if page := b.get("/cases/" + id).Body.String(); strings.Contains(page, "Refer to the ICTG service") {
			t.Error("still prompted after the referral was recorded")
		}
		if rec := e.api("GET", "/api/v1/cases/"+id, token, nil); strings.Contains(rec.Body.String(), `"ictgReferralPrompt"`) {
			t.Error("the API still prompts after the referral was recorded")
		}
	})
}
