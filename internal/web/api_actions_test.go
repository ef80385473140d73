package web

import (
	"net/http"
	"testing"

	"waymark/internal/store"
	"waymark/internal/storetest"
)

// GET /api/v1/cases/{id}/actions answers a member with every action, the
// pathway's answer and reason, and the next step; anyone else as for a case
// that does not exist (§6.5). Each answer is an audited read of the case.
func TestCaseActionsAPITellsAMemberWhatTheyMayDoAndNobodyElseAnything(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		doc := loadOpenAPI(t)
		id := e.raiseCase()

		before := e.count("audit_log")
		rec := e.api("GET", "/api/v1/cases/"+id+"/actions", e.signInAPI("front.door@cs.example"), nil)
		if rec.Code != http.StatusOK {
			t.Fatalf("a member: %d %s", rec.Code, rec.Body)
		}
		checkDocumentedResponse(t, doc, "GET /api/v1/cases/{id}/actions", rec)
		if e.count("audit_log") <= before {
			t.Error("the read was not audited")
		}
		var got caseActionsJSON
		decodeInto(t, rec, &got)
		if got.NextStep == nil || *got.NextStep != "contact" {
			t.Errorf("Children's Services' next step on a new concern: %v, want contact (annex step 1)", got.NextStep)
		}
		byslug := map[string]caseActionJSON{}
		for _, a := range got.Actions {
			byslug[a.Slug] = a
		}
		if a := byslug["contact"]; !a.Allowed || a.Reason != nil || !a.NextStep || a.Area != "childrens-services" {
			t.Errorf("contact: %+v", a)
		}
		if a := byslug["outcome"]; a.Allowed || a.Reason == nil || *a.Reason == "" {
			t.Errorf("the outcome before the contact: %+v, want refused with a reason", a)
		}
		if a := byslug["child-from-abroad"]; a.Area != "abroad" || !a.Allowed {
			t.Errorf("child from abroad, for an Albanian child: %+v", a)
		}

		referrer := e.api("GET", "/api/v1/cases/"+id+"/actions", e.signInAPI("dsl@northfield.example"), nil)
		decodeInto(t, referrer, &got)
		if referrer.Code != http.StatusOK || got.NextStep != nil {
			t.Errorf("the referrer: %d, next step %v", referrer.Code, got.NextStep)
		}

		stranger := e.api("GET", "/api/v1/cases/"+id+"/actions", e.signInAPI("doctor@riverside.example"), nil)
		p := mustProblem(t, stranger, http.StatusNotFound)
		unknown := e.api("GET", "/api/v1/cases/no-such-case/actions", e.signInAPI("doctor@riverside.example"), nil)
		if q := mustProblem(t, unknown, http.StatusNotFound); q.Detail != p.Detail {
			t.Errorf("a non-member is told %q, an unknown case %q", p.Detail, q.Detail)
		}
		checkDocumentedResponse(t, doc, "GET /api/v1/cases/{id}/actions", stranger)
		if rec := e.api("GET", "/api/v1/cases/"+id+"/actions", "", nil); rec.Code != http.StatusUnauthorized {
			t.Errorf("anonymous: %d", rec.Code)
		}
	})
}
