package web

import (
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	"waymark/internal/pathway"
)

var camelCase = regexp.MustCompile(`^[a-z][a-zA-Z0-9]*$`)

// checkAPIResponseShape fails the test when a JSON answer of the API names a
// property other than in camelCase, or sends the zero time for "none" rather
// than null. Every API request of the web tests passes through it (serve).
func checkAPIResponseShape(t *testing.T, op string, rec *httptest.ResponseRecorder) {
	t.Helper()
	ct := rec.Header().Get("Content-Type")
	if !strings.HasPrefix(ct, "application/json") && !strings.HasPrefix(ct, "application/problem+json") {
		return
	}
	if strings.HasSuffix(op, "/openapi.json") {
		return // a document about the API, with "$ref" and status codes for keys
	}
	var v any
	if err := json.Unmarshal(rec.Body.Bytes(), &v); err != nil {
		t.Errorf("%s: the answer is not JSON: %v", op, err)
		return
	}
	for _, p := range apiShapeProblems(v, "") {
		t.Errorf("%s: %s", op, p)
	}
}

func apiShapeProblems(v any, at string) []string {
	var out []string
	switch v := v.(type) {
	case map[string]any:
		for k, x := range v {
			if !camelCase.MatchString(k) {
				out = append(out, fmt.Sprintf("%s.%s is not camelCase", at, k))
			}
			out = append(out, apiShapeProblems(x, at+"."+k)...)
		}
	case []any:
		for i, x := range v {
			out = append(out, apiShapeProblems(x, fmt.Sprintf("%s[%d]", at, i))...)
		}
	case string:
		if t, err := time.Parse(time.RFC3339, v); err == nil && t.IsZero() {
			out = append(out, fmt.Sprintf("%s is the zero time %q; send null for none", at, v))
		}
	}
	return out
}

func TestAPINamesAreCamelCase(t *testing.T) {
	for goName, want := range map[string]string{
		"Kind": "kind", "NRMDecision": "nrmDecision", "ID": "id", "OpenEscalations": "openEscalations",
		"HighMissingRiskUntil": "highMissingRiskUntil", "UKVIConcern": "ukviConcern",
		"ClockID": "clockId", "LeadOrgID": "leadOrgId", "DBSCheckedOn": "dbsCheckedOn", "Text": "text",
	} {
		if got := apiName(goName); got != want {
			t.Errorf("apiName(%q) = %q, want %q", goName, got, want)
		}
	}
}

// A time not yet known is null, never 0001-01-01T00:00:00Z.
func TestAPISendsNullForATimeNotKnown(t *testing.T) {
	type flags struct {
		Until   time.Time
		Since   time.Time `json:"since"`
		Stopped *time.Time
		Kept    time.Time `json:"kept,omitempty"`
	}
	b, err := json.Marshal(apiValue(flags{Since: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)}))
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"kept":null,"since":"2026-03-01T09:00:00Z","stopped":null,"until":null}`; string(b) != want {
		t.Errorf("got %s, want %s", b, want)
	}
}

// The API's camelCase is made at the edge: what the store keeps (an open
// escalation in case_escalations is pathway.Escalation as encoding/json
// writes it) keeps its Go names, so rows written before still read.
func TestTheAPIViewLeavesTheStoredJSONAsItWas(t *testing.T) {
	raised := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	stored := `{"ID":"esc-1","Seq":7,"RaisedAt":"2026-03-01T09:00:00Z","RaisedBy":{"userId":"user-sw","name":"Sam Social","orgId":"org-cs","orgName":"Northshire Children's Services"},"Reason":"The police do not agree.","Level":1,"LevelSince":"2026-03-01T09:00:00Z","Steps":null,"PartnershipLeads":null,"Resolution":null}`
	var e pathway.Escalation
	if err := json.Unmarshal([]byte(stored), &e); err != nil || e.ID != "esc-1" || !e.RaisedAt.Equal(raised) || e.Reason != "The police do not agree." {
		t.Fatalf("a stored escalation no longer reads: %+v %v", e, err)
	}
	again, _ := json.Marshal(e)
	var a, b map[string]any
	json.Unmarshal(again, &a)
	json.Unmarshal([]byte(stored), &b)
	if !reflect.DeepEqual(a, b) {
		t.Errorf("pathway.Escalation is stored as %s, was %s", again, stored)
	}
	view, _ := json.Marshal(apiValue(e))
	var v map[string]any
	json.Unmarshal(view, &v)
	if v["raisedAt"] != "2026-03-01T09:00:00Z" || v["resolution"] != nil || v["RaisedAt"] != nil {
		t.Errorf("the API view of an escalation: %s", view)
	}
}
