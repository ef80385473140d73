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

// §6.4: the case overview lists every immediate action not ticked on the
// concern as outstanding, until someone records it on its page; the API
// carries the same list.
func TestOutstandingImmediateActionsStayOnTheCaseUntilRecorded(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		id := e.raiseCase()
		supportAct(e, e.p.CSWorker, id, pathway.RecordContact{Reference: "CS-2026-000903", Method: "phone"})
		view, err := e.svc.Case(context.Background(), e.p.SocialWorker, id)
		if err != nil {
			t.Fatal(err)
		}
		first := pathway.OutstandingImmediateActions(e.srv.cat, view.Case)[0]
		b := e.browser()
		b.signIn(e.p.SocialWorker.User.Email)
		page := b.get("/cases/" + id).Body.String()
		if !strings.Contains(page, first.Label) || !strings.Contains(page, "Outstanding") {
			t.Fatalf("the overview does not list %q as outstanding:\n%s", first.Label, page)
		}
		supportRoundTrip(t, b, id, "immediate-action",
			url.Values{"action": {first.ID}, "status": {"not-needed"}},
			url.Values{"action": {first.ID}, "status": {"not-needed"}, "reason": {"Assessed by the police on arrival"}},
			"Enter why the action is not needed")
		page = b.get("/cases/" + id).Body.String()
		if !strings.Contains(page, "Assessed by the police on arrival") {
			t.Errorf("the overview does not show the recorded action with its reason")
		}

		// The referrer undertakes them too, through the API (§6.4).
		token := e.signInAPI(e.p.Teacher.User.Email)
		second := ""
		var got struct {
			ImmediateActions []pathway.ImmediateActionStatus `json:"immediateActions"`
		}
		decodeInto(t, e.api("GET", "/api/v1/cases/"+id, token, nil), &got)
		for _, a := range got.ImmediateActions {
			if a.ID == first.ID && a.Status != "not-needed" {
				t.Errorf("the API says %+v", a)
			}
			if a.Status == "outstanding" && second == "" {
				second = a.ID
			}
		}
		rec := e.api("POST", "/api/v1/cases/"+id+"/actions/immediate-action", token, map[string]any{
			"expectedVersion": e.versionAs(token, id), "action": second, "status": "done", "reason": "Told our designated lead at 10am"})
		if rec.Code != http.StatusOK {
			t.Fatalf("the referrer records an immediate action: %d %s", rec.Code, rec.Body)
		}
	})
}
