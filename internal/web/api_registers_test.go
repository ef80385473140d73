package web

import (
	"net/http"
	"strings"
	"testing"

	"waymark/internal/audit"
	"waymark/internal/casework"
	"waymark/internal/store"
	"waymark/internal/storetest"
)

// §6.7, §7.5: the administrator keeps the interpreter register through the
// API with the page's rules: every yes or no answered, the gender from the
// register's list, the addition audited, and nobody else let in.
func TestAdministratorKeepsTheInterpreterRegisterThroughTheAPI(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		doc := loadOpenAPI(t)
		admin := e.signInAPI("admin@cs.example")
		entry := map[string]any{"name": "  Dara   Okafor ", "languages": []string{"Tigrinya", " tigrinya", "Amharic"}, "gender": "female",
			"professional": true, "approved": true, "active": true}

		head := e.auditHead()
		rec := e.api("POST", "/api/v1/interpreters", admin, entry)
		checkDocumentedResponse(t, doc, "POST /api/v1/interpreters", rec)
		var made apiInterpreter
		decodeInto(t, rec, &made)
		if rec.Code != http.StatusCreated || made.Name != "Dara Okafor" || strings.Join(made.Languages, ",") != "Tigrinya,Amharic" || made.DBSCheckedOn != nil {
			t.Fatalf("adding: %d %s", rec.Code, rec.Body)
		}
		if !strings.Contains(rec.Body.String(), `"dbsCheckedOn": null`) {
			t.Errorf("a DBS check never made is not null: %s", rec.Body)
		}
		audited := false
		for _, a := range e.auditSince(head) {
			audited = audited || a.Action == casework.ActionInterpreterRegistered && strings.Contains(a.Detail, made.ID)
		}
		if !audited {
			t.Errorf("the addition was not audited as %s", casework.ActionInterpreterRegistered)
		}

		rec = e.api("GET", "/api/v1/interpreters", admin, nil)
		checkDocumentedResponse(t, doc, "GET /api/v1/interpreters", rec)
		var list struct{ Interpreters []apiInterpreter }
		decodeInto(t, rec, &list)
		if rec.Code != http.StatusOK || len(list.Interpreters) == 0 || list.Interpreters[len(list.Interpreters)-1].ID != made.ID && list.Interpreters[0].ID != made.ID {
			t.Errorf("the register does not list the new entry: %s", rec.Body)
		}

		before := e.count("interpreters")
		for _, tc := range []struct {
			name  string
			body  any
			field string
		}{
			{"a yes or no left out", map[string]any{"name": "A", "languages": []string{"Urdu"}, "gender": "male", "approved": true, "active": true}, "professional"},
			{"a gender not on the list", map[string]any{"name": "A", "languages": []string{"Urdu"}, "gender": "unknown", "professional": true, "approved": true, "active": true}, "gender"},
			{"no language", map[string]any{"name": "A", "languages": []string{}, "gender": "male", "professional": true, "approved": true, "active": true}, "languages"},
			{"a DBS check in the future", map[string]any{"name": "A", "languages": []string{"Urdu"}, "gender": "male", "professional": true, "approved": true, "active": true, "dbsCheckedOn": "2999-01-01"}, "dbsCheckedOn"},
			{"an unknown answer", map[string]any{"name": "A", "languages": []string{"Urdu"}, "gender": "male", "professional": true, "approved": true, "active": true, "vetted": true}, "vetted"},
		} {
			rec := e.api("POST", "/api/v1/interpreters", admin, tc.body)
			checkDocumentedResponse(t, doc, "POST /api/v1/interpreters", rec)
			if _, ok := fieldErrorFor(mustProblem(t, rec, http.StatusUnprocessableEntity), tc.field); !ok {
				t.Errorf("%s: the problem does not name %s: %s", tc.name, tc.field, rec.Body)
			}
		}

		sw := e.signInAPI("social.worker@cs.example")
		for _, op := range []string{"GET", "POST"} {
			rec := e.api(op, "/api/v1/interpreters", sw, entry)
			if op == "GET" {
				rec = e.api(op, "/api/v1/interpreters", sw, nil)
			}
			checkDocumentedResponse(t, doc, op+" /api/v1/interpreters", rec)
			if p := mustProblem(t, rec, http.StatusForbidden); !strings.Contains(p.Detail, "administrator") {
				t.Errorf("%s by a social worker: %q", op, p.Detail)
			}
		}
		if n := e.count("interpreters"); n != before {
			t.Errorf("refused additions changed the register: %d entries, want %d", n, before)
		}
	})
}

// §8.6: the partnership lead reads the open escalations through the API,
// each with its step of the procedure; the listing is audited and nobody
// else may read it.
func TestPartnershipLeadListsTheOpenEscalationsThroughTheAPI(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		doc := loadOpenAPI(t)
		e.meetingPartnershipLead()
		id := e.meetingCase(nil)
		teacher := e.signInAPI("dsl@northfield.example")
		rec := e.api("POST", "/api/v1/cases/"+id+"/actions/raise-escalation", teacher,
			map[string]any{"expectedVersion": e.versionAs(teacher, id), "reason": "The school believes an NRM referral is needed."})
		if rec.Code != http.StatusOK {
			t.Fatalf("raising the escalation: %d %s", rec.Code, rec.Body)
		}

		lead := e.signInAPI("lead@partnership.example")
		head := e.auditHead()
		rec = e.api("GET", "/api/v1/escalations", lead, nil)
		checkDocumentedResponse(t, doc, "GET /api/v1/escalations", rec)
		var list struct{ Cases []apiEscalatedCase }
		decodeInto(t, rec, &list)
		if rec.Code != http.StatusOK || len(list.Cases) != 1 || list.Cases[0].ID != id || len(list.Cases[0].Escalations) != 1 {
			t.Fatalf("the lead's list: %d %s", rec.Code, rec.Body)
		}
		if esc := list.Cases[0].Escalations[0]; esc.Level != 1 || esc.LevelLabel == "" || esc.Reason != "The school believes an NRM referral is needed." || esc.RaisedBy.Name == "" {
			t.Errorf("the escalation as listed: %+v", esc)
		}
		audited := false
		for _, a := range e.auditSince(head) {
			audited = audited || a.Action == audit.ActionCaseListed && strings.Contains(a.Detail, id)
		}
		if !audited {
			t.Errorf("the listing was not audited")
		}

		for _, who := range []string{"social.worker@cs.example", "dsl@northfield.example", "admin@cs.example"} {
			rec := e.api("GET", "/api/v1/escalations", e.signInAPI(who), nil)
			checkDocumentedResponse(t, doc, "GET /api/v1/escalations", rec)
			mustProblem(t, rec, http.StatusForbidden)
		}
		rec = e.api("GET", "/api/v1/escalations?cursor=not-one-we-gave", lead, nil)
		checkDocumentedResponse(t, doc, "GET /api/v1/escalations", rec)
		mustProblem(t, rec, http.StatusUnprocessableEntity)
	})
}
