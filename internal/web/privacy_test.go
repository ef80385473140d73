package web

import (
	"context"
	"encoding/json"
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

// closedCase raises a case and takes it through contact and outcome to closure.
func (e *testEnv) closedCase() (id, ref string) {
	e.t.Helper()
	ctx := context.Background()
	id = e.raiseCase()
	ref, err := e.svc.RecordContact(ctx, e.p.CSWorker, id, 1, "phone", "Called")
	if err != nil {
		e.t.Fatal(err)
	}
	if err := e.svc.RecordOutcome(ctx, e.p.CSWorker, id, 2, "strategy-discussion", "Strategy discussion"); err != nil {
		e.t.Fatal(err)
	}
	if err := e.svc.Act(ctx, e.p.SocialWorker, id, 3, pathway.CloseCase{NoNRMReason: "No indicators of exploitation after assessment.", Reason: "Child safe and settled", Monitoring: "School keeps watch"}); err != nil {
		e.t.Fatal(err)
	}
	return id, ref
}

func TestRetentionReviewPageAndAPIListWhatIsDueWithoutNamingTheChild(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		e.meetingPartnershipLead()
		e.svc.Retention = casework.RetentionPolicy{ClosedCaseYears: 1, UnsentDraftDays: 10, AuditYears: 5}
		id, ref := e.closedCase()
		e.clock.Advance(400 * 24 * time.Hour)

		for _, email := range []string{"lead@partnership.example", "admin@cs.example"} {
			b := e.browser()
			b.signIn(email)
			rec := b.get("/admin/retention")
			body := rec.Body.String()
			if rec.Code != http.StatusOK || !strings.Contains(body, "Case "+ref) || strings.Contains(body, "Amira") {
				t.Fatalf("%s: retention page %d:\n%s", email, rec.Code, body)
			}
			if lead := strings.HasPrefix(email, "lead"); strings.Contains(body, "/subject-access?case="+id) != lead {
				t.Errorf("%s: the erase link is offered %v", email, !lead)
			}
		}
		teacher := e.browser()
		teacher.signIn("dsl@northfield.example")
		if rec := teacher.get("/admin/retention"); rec.Code != http.StatusForbidden {
			t.Fatalf("a teacher sees the retention review: %d", rec.Code)
		}

		admin := e.signInAPI("admin@cs.example")
		rec := e.api("GET", "/api/v1/retention-review", admin, nil)
		var out struct {
			Items  []casework.ReviewItem
			Policy map[string]int
		}
		decodeInto(t, rec, &out)
		if rec.Code != http.StatusOK || len(out.Items) != 1 || out.Items[0].ID != id || out.Policy["closedCaseYears"] != 1 || strings.Contains(rec.Body.String(), "Amira") {
			t.Fatalf("API review: %d %s", rec.Code, rec.Body)
		}
		mustProblem(t, e.api("GET", "/api/v1/retention-review", e.signInAPI("dsl@northfield.example"), nil), http.StatusForbidden)

		// Keeping the case takes it off the list.
		b := e.browser()
		b.signIn("lead@partnership.example")
		csrf := b.csrf("/admin/retention")
		if rec := b.post("/admin/retention/keep", url.Values{"csrf_token": {csrf}, "kind": {"closed-case"}, "id": {id}, "note": {""}}); rec.Code != http.StatusUnprocessableEntity || !strings.Contains(rec.Body.String(), `href="#note-`+id+`"`) {
			t.Fatalf("keeping without a reason: %d %s", rec.Code, rec.Body)
		}
		if rec := b.post("/admin/retention/keep", url.Values{"csrf_token": {csrf}, "kind": {"closed-case"}, "id": {id}, "note": {"Court proceedings continue"}}); rec.Code != http.StatusSeeOther {
			t.Fatalf("keeping: %d %s", rec.Code, rec.Body)
		}
		if rec := b.get("/admin/retention?done=kept"); !strings.Contains(rec.Body.String(), "Nothing is due for review") {
			t.Fatalf("after keeping: %s", rec.Body)
		}
	})
}

func TestSubjectAccessExportAndErasurePages(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		e.meetingPartnershipLead()
		id := e.raiseCase()
		ref, err := e.svc.RecordContact(context.Background(), e.p.CSWorker, id, 1, "phone", "Called")
		if err != nil {
			t.Fatal(err)
		}
		teacher := e.browser()
		teacher.signIn("dsl@northfield.example")
		if rec := teacher.get("/subject-access"); rec.Code != http.StatusForbidden {
			t.Fatalf("a teacher reaches subject access: %d", rec.Code)
		}

		b := e.browser()
		b.signIn("lead@partnership.example")
		rec := b.get("/subject-access?case=" + url.QueryEscape(ref))
		if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), "Case "+ref) || strings.Contains(rec.Body.String(), "Amira") {
			t.Fatalf("finding the case: %d %s", rec.Code, rec.Body)
		}
		if rec := b.get("/subject-access?case=CS-1999-000000"); rec.Code != http.StatusNotFound {
			t.Fatalf("an unknown reference: %d", rec.Code)
		}
		csrf := hiddenInput(rec.Body.String(), "csrf_token")
		if rec := b.post("/subject-access/"+id+"/export", url.Values{"csrf_token": {csrf}, "format": {"json"}, "confirm": {"wrong"}}); rec.Code != http.StatusUnprocessableEntity || !strings.Contains(rec.Body.String(), `href="#confirm"`) {
			t.Fatalf("export with a wrong password: %d %s", rec.Code, rec.Body)
		}
		rec = b.post("/subject-access/"+id+"/export", url.Values{"csrf_token": {csrf}, "format": {"json"}, "confirm": {storetest.Password}})
		var x casework.SubjectExport
		if rec.Code != http.StatusOK || !strings.HasPrefix(rec.Header().Get("Content-Disposition"), "attachment") || json.Unmarshal(rec.Body.Bytes(), &x) != nil || x.Child.GivenNames != "Amira" || len(x.Events) != 2 {
			t.Fatalf("export: %d %v %s", rec.Code, rec.Header(), rec.Body)
		}
		if rec.Header().Get("Cache-Control") != "no-store" {
			t.Errorf("the export may be cached: %q", rec.Header().Get("Cache-Control"))
		}
		rec = b.post("/subject-access/"+id+"/export", url.Values{"csrf_token": {csrf}, "format": {"text"}, "confirm": {storetest.Password}})
		if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), "Name: Amira Example") {
			t.Fatalf("text export: %d %s", rec.Code, rec.Body)
		}

		if rec := b.get("/subject-access/" + id + "/erase"); rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), "Legal basis") {
			t.Fatalf("erasure form: %d %s", rec.Code, rec.Body)
		}
		rec = b.post("/subject-access/"+id+"/erase", url.Values{"csrf_token": {csrf}, "legalBasis": {"art17-1d"}, "reason": {"Amira was never a pupil here"}, "confirm": {storetest.Password}})
		if rec.Code != http.StatusUnprocessableEntity || !strings.Contains(rec.Body.String(), `href="#reason"`) {
			t.Fatalf("erasing with a reason naming the child: %d %s", rec.Code, rec.Body)
		}
		rec = b.post("/subject-access/"+id+"/erase", url.Values{"csrf_token": {csrf}, "legalBasis": {"art17-1d"}, "reason": {"Raised about the wrong child"}, "confirm": {storetest.Password}})
		if rec.Code != http.StatusSeeOther {
			t.Fatalf("erasing: %d %s", rec.Code, rec.Body)
		}
		rec = teacher.get("/cases/" + id)
		if rec.Code != http.StatusForbidden || !strings.Contains(rec.Body.String(), "erased on") || !strings.Contains(rec.Body.String(), "Raised about the wrong child") {
			t.Fatalf("the erased case for a member: %d %s", rec.Code, rec.Body)
		}
		if rec := teacher.get("/cases"); strings.Contains(rec.Body.String(), "Amira") || !strings.Contains(rec.Body.String(), "(details erased)") {
			t.Fatalf("the erased case in the list: %s", rec.Body)
		}
	})
}
