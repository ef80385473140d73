package web

import (
	"encoding/json"
	"maps"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"waymark/internal/pathway"
	"waymark/internal/store"
	"waymark/internal/storetest"
)

// caseOut is the part of a case response the tests read.
type caseOut struct {
	ID        string
	Version   int
	Stage     string
	Reference string
	Contact   *struct{ Reference, Method string }
	Outcome   *struct{ Decision, NextStep string }
	YourRoles []string
	Concern   struct{ Child struct{ GivenNames string } }
	Timeline  []struct{ Type string }
}

func decodeCase(t *testing.T, body []byte) caseOut {
	t.Helper()
	var c caseOut
	if err := json.Unmarshal(body, &c); err != nil {
		t.Fatalf("decoding case %s: %v", body, err)
	}
	return c
}

// A teacher raises a concern, Children's Services records the contact and
// the outcome, and the teacher sees the reference and the outcome: every
// answer on the way is the documented shape.
func TestAPICarriesAConcernFromRaisedToOutcome(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		doc := loadOpenAPI(t)

		signIn := e.api("POST", "/api/v1/sessions", "", map[string]string{"email": "dsl@northfield.example", "password": storetest.Password, "totp": e.code("dsl@northfield.example")})
		checkDocumentedResponse(t, doc, "POST /api/v1/sessions", signIn)
		var sess struct {
			Token, TokenType   string
			IdleTimeoutSeconds int
			User               struct{ Email, Role string }
		}
		decodeInto(t, signIn, &sess)
		if signIn.Code != http.StatusCreated || sess.Token == "" || sess.TokenType != "Bearer" || sess.User.Role != pathway.RolePractitioner || sess.IdleTimeoutSeconds != 1800 {
			t.Fatalf("sign-in: %d %s", signIn.Code, signIn.Body)
		}
		teacher := sess.Token

		cat := e.api("GET", "/api/v1/catalog", teacher, nil)
		checkDocumentedResponse(t, doc, "GET /api/v1/catalog", cat)

		raised := e.api("POST", "/api/v1/cases", teacher, storetest.ValidConcern(e.clock.Now()))
		if raised.Code != http.StatusCreated {
			t.Fatalf("raising the concern: %d %s", raised.Code, raised.Body)
		}
		checkDocumentedResponse(t, doc, "POST /api/v1/cases", raised)
		c := decodeCase(t, raised.Body.Bytes())
		if loc := raised.Header().Get("Location"); loc != "/api/v1/cases/"+c.ID || c.ID == "" {
			t.Fatalf("Location %q for case %q", loc, c.ID)
		}
		if c.Version != 1 || c.Stage != string(pathway.StageConcernRaised) || c.Reference != "" || c.Concern.Child.GivenNames != "Amira" {
			t.Fatalf("raised case: %s", raised.Body)
		}

		cs := e.signInAPI("front.door@cs.example")
		inbox := e.api("GET", "/api/v1/inbox", cs, nil)
		checkDocumentedResponse(t, doc, "GET /api/v1/inbox", inbox)
		if !strings.Contains(inbox.Body.String(), c.ID) {
			t.Fatalf("the new case is not in Children's Services' inbox: %s", inbox.Body)
		}

		e.clock.Advance(10 * time.Minute) // sessions end after 30 idle minutes: stay within them
		contact := e.api("POST", "/api/v1/cases/"+c.ID+"/contact", cs, map[string]any{"expectedVersion": 1, "method": "phone", "note": "Call from the school"})
		if contact.Code != http.StatusOK {
			t.Fatalf("recording the contact: %d %s", contact.Code, contact.Body)
		}
		checkDocumentedResponse(t, doc, "POST /api/v1/cases/{id}/contact", contact)
		c = decodeCase(t, contact.Body.Bytes())
		if c.Version != 2 || c.Stage != string(pathway.StageContactRecorded) || c.Reference != "CS-2026-000001" {
			t.Fatalf("after the contact: %s", contact.Body)
		}

		e.clock.Advance(10 * time.Minute)
		outcome := e.api("POST", "/api/v1/cases/"+c.ID+"/outcome", cs, map[string]any{"expectedVersion": 2, "decision": "strategy-discussion", "nextStep": "Strategy discussion with police at 3pm"})
		if outcome.Code != http.StatusOK {
			t.Fatalf("recording the outcome: %d %s", outcome.Code, outcome.Body)
		}
		checkDocumentedResponse(t, doc, "POST /api/v1/cases/{id}/outcome", outcome)

		for who, token := range map[string]string{"Children's Services": cs, "the referrer": teacher} {
			got := e.api("GET", "/api/v1/cases/"+c.ID, token, nil)
			if got.Code != http.StatusOK {
				t.Fatalf("%s reading the case: %d %s", who, got.Code, got.Body)
			}
			checkDocumentedResponse(t, doc, "GET /api/v1/cases/{id}", got)
			c := decodeCase(t, got.Body.Bytes())
			if c.Version != 3 || c.Stage != string(pathway.StageOutcomeGiven) || c.Reference != "CS-2026-000001" ||
				c.Outcome == nil || c.Outcome.Decision != "strategy-discussion" || c.Outcome.NextStep != "Strategy discussion with police at 3pm" {
				t.Errorf("%s sees: %s", who, got.Body)
			}
		}
		if got := decodeCase(t, e.api("GET", "/api/v1/cases/"+c.ID, teacher, nil).Body.Bytes()); len(got.YourRoles) != 1 || got.YourRoles[0] != "referrer" {
			t.Errorf("the teacher's roles on the case: %v, want [referrer]", got.YourRoles)
		}

		list := e.api("GET", "/api/v1/cases", teacher, nil)
		checkDocumentedResponse(t, doc, "GET /api/v1/cases", list)
		search := e.api("GET", "/api/v1/cases?q=CS-2026-000001", teacher, nil)
		checkDocumentedResponse(t, doc, "GET /api/v1/cases", search)
		if !strings.Contains(search.Body.String(), c.ID) {
			t.Errorf("searching by reference does not find the case: %s", search.Body)
		}

		// Signing out ends the token at once.
		out := e.api("DELETE", "/api/v1/sessions/current", teacher, nil)
		checkDocumentedResponse(t, doc, "DELETE /api/v1/sessions/current", out)
		if out.Code != http.StatusNoContent {
			t.Fatalf("signing out: %d %s", out.Code, out.Body)
		}
		mustProblem(t, e.api("GET", "/api/v1/cases/"+c.ID, teacher, nil), http.StatusUnauthorized)
	})
}

// A case note and an assigned worker go through the generic action operation.
func TestAPIActionsChangeTheCaseWithTheExpectedVersion(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		doc := loadOpenAPI(t)
		id := e.raiseCase()
		cs := e.signInAPI("front.door@cs.example")

		note := e.api("POST", "/api/v1/cases/"+id+"/actions/note", cs, map[string]any{"expectedVersion": 1, "text": "Spoke to the school nurse."})
		if note.Code != http.StatusOK {
			t.Fatalf("adding a note: %d %s", note.Code, note.Body)
		}
		checkDocumentedResponse(t, doc, "POST /api/v1/cases/{id}/actions/note", note)
		if c := decodeCase(t, note.Body.Bytes()); c.Version != 2 {
			t.Fatalf("after the note the case is version %d, want 2", c.Version)
		}
		assign := e.api("POST", "/api/v1/cases/"+id+"/actions/assign-worker", cs, map[string]any{"expectedVersion": 2, "workerEmail": "social.worker@cs.example"})
		if assign.Code != http.StatusOK {
			t.Fatalf("assigning a worker: %d %s", assign.Code, assign.Body)
		}
		checkDocumentedResponse(t, doc, "POST /api/v1/cases/{id}/actions/assign-worker", assign)

		before := e.saved()
		for _, tc := range []struct {
			name   string
			path   string
			body   any
			status int
			field  string
		}{
			{"stale version", "note", map[string]any{"expectedVersion": 1, "text": "x"}, http.StatusConflict, ""},
			{"no version", "note", map[string]any{"text": "x"}, http.StatusUnprocessableEntity, "expectedVersion"},
			{"version not a number", "note", map[string]any{"expectedVersion": "3", "text": "x"}, http.StatusUnprocessableEntity, "expectedVersion"},
			{"unknown answer", "note", map[string]any{"expectedVersion": 3, "text": "x", "urgent": true}, http.StatusUnprocessableEntity, "urgent"},
			{"empty note", "note", map[string]any{"expectedVersion": 3, "text": ""}, http.StatusUnprocessableEntity, "text"},
			{"unknown worker", "assign-worker", map[string]any{"expectedVersion": 3, "workerEmail": "nobody@cs.example"}, http.StatusUnprocessableEntity, "workerEmail"},
			{"unknown action", "close-everything", map[string]any{"expectedVersion": 3}, http.StatusNotFound, ""},
		} {
			t.Run(tc.name, func(t *testing.T) {
				rec := e.api("POST", "/api/v1/cases/"+id+"/actions/"+tc.path, cs, tc.body)
				p := mustProblem(t, rec, tc.status)
				if testActions.bySlug[tc.path] != nil {
					checkDocumentedResponse(t, doc, "POST /api/v1/cases/{id}/actions/"+tc.path, rec)
				} else if !strings.Contains(p.Detail, "There is no action") {
					t.Errorf("an unknown action: %s", rec.Body)
				}
				if _, ok := fieldErrorFor(p, tc.field); tc.field != "" && !ok {
					t.Errorf("no error for field %s: %s", tc.field, rec.Body)
				}
				if after := e.saved(); after != before {
					t.Errorf("the refusal changed what is saved: %+v → %+v", before, after)
				}
			})
		}
	})
}

// Every way a request can be wrong gets its own problem document, and none
// of them leaves anything half-saved.
func TestAPIRefusalsAreSpecificProblemsAndSaveNothing(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		doc := loadOpenAPI(t)
		id := e.raiseCase()
		teacher := e.signInAPI("dsl@northfield.example")
		cs := e.signInAPI("front.door@cs.example")
		admin := e.signInAPI("admin@cs.example")
		now := e.clock.Now()

		concern := func(change func(c *pathway.Concern)) pathway.Concern {
			c := storetest.ValidConcern(now)
			change(&c)
			return c
		}
		// concernJSON is a valid concern as a JSON object, with one property replaced.
		concernJSON := func(path []string, v any) map[string]any {
			var m map[string]any
			data, _ := json.Marshal(storetest.ValidConcern(now))
			json.Unmarshal(data, &m)
			at := m
			for _, p := range path[:len(path)-1] {
				at = at[p].(map[string]any)
			}
			at[path[len(path)-1]] = v
			return m
		}
		hugeSummary := concernJSON([]string{"summary"}, strings.Repeat("a", 1<<20))

		cases := []struct {
			name        string
			op          string // as documented
			method      string
			path        string
			token       string
			contentType string // when set, the body (a string) is sent with this Content-Type
			body        any
			status      int
			detail      string // in the problem's detail
			field       string // in the problem's errors, when set
			code        string
		}{
			{name: "syntax error", op: "POST /api/v1/cases", path: "/api/v1/cases", token: teacher, body: `{"child": }`, status: 422, detail: "not valid JSON", code: "invalid"},
			{name: "JSON cut short", op: "POST /api/v1/cases", path: "/api/v1/cases", token: teacher, body: `{"child": {"givenNames": "Amira"`, status: 422, detail: "ends too early", code: "invalid"},
			{name: "unknown field", op: "POST /api/v1/cases", path: "/api/v1/cases", token: teacher, body: concernJSON([]string{"childName"}, "Amira"), status: 422, detail: `Unknown field "childName"`, field: "childName", code: "invalid"},
			{name: "unknown field inside the child", op: "POST /api/v1/cases", path: "/api/v1/cases", token: teacher, body: concernJSON([]string{"child", "nickname"}, "Mimi"), status: 422, detail: `Unknown field "nickname"`, field: "nickname", code: "invalid"},
			{name: "wrong type", op: "POST /api/v1/cases", path: "/api/v1/cases", token: teacher, body: concernJSON([]string{"child", "ageUncertain"}, "yes"), status: 422, detail: "child.ageUncertain must be true or false, not string", field: "child.ageUncertain", code: "invalid"},
			{name: "a list where an object belongs", op: "POST /api/v1/cases", path: "/api/v1/cases", token: teacher, body: `[]`, status: 422, detail: "must be an object", field: "body", code: "invalid"},
			{name: "time not RFC 3339", op: "POST /api/v1/cases", path: "/api/v1/cases", token: teacher, body: concernJSON([]string{"identifiedAt"}, "yesterday"), status: 422, detail: "RFC 3339", code: "invalid"},
			{name: "empty body", op: "POST /api/v1/cases", path: "/api/v1/cases", token: teacher, body: "", status: 422, detail: "The request body is empty", code: "invalid"},
			{name: "data after the object", op: "POST /api/v1/cases", path: "/api/v1/cases", token: teacher, body: `{} {}`, status: 422, detail: "data after the JSON object", code: "invalid"},
			{name: "not sent as JSON", op: "POST /api/v1/cases", path: "/api/v1/cases", token: teacher, body: `{}`, contentType: "text/plain", status: 415, detail: "application/json", code: "unsupported_media_type"},
			{name: "body over the limit", op: "POST /api/v1/cases", path: "/api/v1/cases", token: teacher, body: hugeSummary, status: 413, detail: "larger than the limit of 1048576 bytes", code: "too_large"},
			{name: "unknown indicator", op: "POST /api/v1/cases", path: "/api/v1/cases", token: teacher,
				body: concern(func(c *pathway.Concern) {
					c.Indicators = []pathway.ObservedIndicator{{ID: "made-up", Evidence: "seen"}}
				}), status: 422, detail: `"made-up" is not in catalogue`, field: "indicators", code: "invalid"},
			{name: "indicator without evidence", op: "POST /api/v1/cases", path: "/api/v1/cases", token: teacher,
				body: concern(func(c *pathway.Concern) { c.Indicators[0].Evidence = " " }), status: 422, field: "evidence-" + storetest.Catalog().Indicators[0].ID, code: "invalid"},
			{name: "date of birth in the future", op: "POST /api/v1/cases", path: "/api/v1/cases", token: teacher,
				body: concern(func(c *pathway.Concern) { c.Child.DateOfBirth = now.AddDate(0, 0, 2).Format("2006-01-02") }), status: 422, detail: "must be in the past", field: "dateOfBirth", code: "invalid"},
			{name: "adult date of birth without age uncertain", op: "POST /api/v1/cases", path: "/api/v1/cases", token: teacher,
				body: concern(func(c *pathway.Concern) { c.Child.DateOfBirth = now.AddDate(-20, 0, -1).Format("2006-01-02") }), status: 422, detail: "makes the person 20", field: "dateOfBirth", code: "invalid"},
			{name: "no name and no location", op: "POST /api/v1/cases", path: "/api/v1/cases", token: teacher,
				body: concern(func(c *pathway.Concern) {
					c.Child.GivenNames, c.Child.FamilyName, c.Child.Aliases, c.Child.CurrentLocation = "", "", nil, ""
				}), status: 422, field: "currentLocation", code: "invalid"},
			{name: "immediate risk without the police", op: "POST /api/v1/cases", path: "/api/v1/cases", token: teacher,
				body: concern(func(c *pathway.Concern) { c.ImmediateRisk = true }), status: 422, field: "policeInformed", code: "invalid"},
			{name: "administrator raising a concern", op: "POST /api/v1/cases", path: "/api/v1/cases", token: admin,
				body: storetest.ValidConcern(now), status: 403, code: "forbidden"},
			{name: "missing expectedVersion", op: "POST /api/v1/cases/{id}/contact", path: "/api/v1/cases/" + id + "/contact", token: cs,
				body: map[string]any{"method": "phone"}, status: 422, detail: "Send expectedVersion", field: "expectedVersion", code: "invalid"},
			{name: "expectedVersion null", op: "POST /api/v1/cases/{id}/contact", path: "/api/v1/cases/" + id + "/contact", token: cs,
				body: `{"expectedVersion": null, "method": "phone"}`, status: 422, field: "expectedVersion", code: "invalid"},
			{name: "stale expectedVersion", op: "POST /api/v1/cases/{id}/contact", path: "/api/v1/cases/" + id + "/contact", token: cs,
				body: map[string]any{"expectedVersion": 0, "method": "phone"}, status: 409, detail: "Someone else updated this case", code: "conflict"},
			{name: "expectedVersion from the future", op: "POST /api/v1/cases/{id}/contact", path: "/api/v1/cases/" + id + "/contact", token: cs,
				body: map[string]any{"expectedVersion": 7, "method": "phone"}, status: 409, code: "conflict"},
			{name: "unknown contact method", op: "POST /api/v1/cases/{id}/contact", path: "/api/v1/cases/" + id + "/contact", token: cs,
				body: map[string]any{"expectedVersion": 1, "method": "carrier-pigeon"}, status: 422, field: "method", code: "invalid"},
			{name: "referrer recording the contact", op: "POST /api/v1/cases/{id}/contact", path: "/api/v1/cases/" + id + "/contact", token: teacher,
				body: map[string]any{"expectedVersion": 1, "method": "phone"}, status: 403, detail: "Only Children's Services", code: "forbidden"},
			{name: "outcome before the contact", op: "POST /api/v1/cases/{id}/outcome", path: "/api/v1/cases/" + id + "/outcome", token: cs,
				body: map[string]any{"expectedVersion": 1, "decision": "assessment", "nextStep": "Assessment"}, status: 422, detail: "Record the contact first", code: "invalid"},
			{name: "missing expectedVersion on the outcome", op: "POST /api/v1/cases/{id}/outcome", path: "/api/v1/cases/" + id + "/outcome", token: cs,
				body: map[string]any{"decision": "assessment", "nextStep": "Assessment"}, status: 422, field: "expectedVersion", code: "invalid"},
			{name: "administrator making a token for someone else", op: "POST /api/v1/tokens", path: "/api/v1/tokens", token: admin,
				body: map[string]any{"userEmail": "dsl@northfield.example", "name": "theirs", "scopes": []string{"cases:write"}, "expiresInDays": 30}, status: 422, field: "userEmail", code: "invalid"},
			{name: "token with an unknown scope", op: "POST /api/v1/tokens", path: "/api/v1/tokens", token: teacher,
				body: map[string]any{"name": "all", "scopes": []string{"cases:everything"}, "expiresInDays": 30}, status: 422, field: "scopes", code: "invalid"},
			{name: "token that never expires", op: "POST /api/v1/tokens", path: "/api/v1/tokens", token: teacher,
				body: map[string]any{"name": "forever", "scopes": []string{"cases:read"}, "expiresInDays": 5000}, status: 422, field: "expiresInDays", code: "invalid"},
			{name: "empty search", op: "GET /api/v1/cases", method: "GET", path: "/api/v1/cases?q=", token: teacher, status: 422, field: "q", code: "invalid"},
			{name: "inbox outside Children's Services", op: "GET /api/v1/inbox", method: "GET", path: "/api/v1/inbox", token: teacher, status: 403, code: "forbidden"},
			{name: "sign-in with a wrong password", op: "POST /api/v1/sessions", path: "/api/v1/sessions",
				body: map[string]string{"email": "colleague@northfield.example", "password": "wrong"}, status: 401, field: "email", code: "unauthorized"},
			{name: "sign-in without a password", op: "POST /api/v1/sessions", path: "/api/v1/sessions",
				body: map[string]string{"email": "colleague@northfield.example"}, status: 422, field: "password", code: "invalid"},
		}
		before := e.saved()
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				method := tc.method
				if method == "" {
					method = "POST"
				}
				var rec *httptest.ResponseRecorder
				if tc.contentType != "" {
					r := httptest.NewRequest(method, tc.path, strings.NewReader(tc.body.(string)))
					r.Header.Set("Content-Type", tc.contentType)
					r.Header.Set("Authorization", "Bearer "+tc.token)
					rec = e.serve(r)
				} else {
					rec = e.api(method, tc.path, tc.token, tc.body)
				}
				p := mustProblem(t, rec, tc.status)
				checkDocumentedResponse(t, doc, tc.op, rec)
				if !strings.Contains(p.Detail, tc.detail) {
					t.Errorf("detail %q does not say %q", p.Detail, tc.detail)
				}
				if p.Code != tc.code {
					t.Errorf("code %q, want %q", p.Code, tc.code)
				}
				if tc.field != "" {
					if msg, ok := fieldErrorFor(p, tc.field); !ok || strings.TrimSpace(msg) == "" {
						t.Errorf("no error for field %q in %+v", tc.field, p.Errors)
					}
				}
				if tc.status == http.StatusUnauthorized && rec.Header().Get("WWW-Authenticate") != `Bearer realm="waymark"` {
					t.Errorf("WWW-Authenticate %q", rec.Header().Get("WWW-Authenticate"))
				}
				if after := e.saved(); after != before {
					t.Errorf("the refusal changed what is saved: %+v → %+v", before, after)
				}
			})
		}

		// No refused command took a reference number: the first contact gets the first.
		rec := e.api("POST", "/api/v1/cases/"+id+"/contact", cs, map[string]any{"expectedVersion": 1, "method": "phone"})
		if c := decodeCase(t, rec.Body.Bytes()); rec.Code != http.StatusOK || c.Reference != "CS-2026-000001" {
			t.Fatalf("the contact after the refusals: %d %s", rec.Code, rec.Body)
		}
		// Recording it again, even with the right version, is a conflict.
		again := e.api("POST", "/api/v1/cases/"+id+"/contact", cs, map[string]any{"expectedVersion": 2, "method": "phone"})
		if p := mustProblem(t, again, http.StatusConflict); !strings.Contains(p.Detail, "already recorded") {
			t.Errorf("recording the contact twice: %s", again.Body)
		}
	})
}

// A case the caller has no need to know about answers exactly as a case that
// does not exist: the only difference is the request id (§6.5).
func TestAPINonMemberGetsTheSameNotFoundAsAMissingCase(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		id := e.raiseCase()
		missing := "0123456789abcdef01234567"
		before := e.saved()
		for _, who := range []string{"doctor@riverside.example", "first.responder@police.example", "colleague@northfield.example", "admin@cs.example"} {
			token := e.signInAPI(who)
			for _, req := range []struct {
				method, suffix string
				body           any
			}{
				{"GET", "", nil},
				{"POST", "/contact", map[string]any{"expectedVersion": 1, "method": "phone"}},
				{"POST", "/outcome", map[string]any{"expectedVersion": 1, "decision": "assessment", "nextStep": "x"}},
				{"POST", "/actions/note", map[string]any{"expectedVersion": 1, "text": "x"}},
			} {
				real := e.api(req.method, "/api/v1/cases/"+id+req.suffix, token, req.body)
				fake := e.api(req.method, "/api/v1/cases/"+missing+req.suffix, token, req.body)
				pr, pf := mustProblem(t, real, http.StatusNotFound), mustProblem(t, fake, http.StatusNotFound)
				pr.RequestID, pf.RequestID = "", ""
				if !equalProblems(pr, pf) {
					t.Errorf("%s %s%s: a real case answers %+v, a missing one %+v", who, req.method, req.suffix, pr, pf)
				}
				if !maps.EqualFunc(headerWithout(real.Header(), "X-Request-Id"), headerWithout(fake.Header(), "X-Request-Id"), func(a, b []string) bool { return strings.Join(a, ",") == strings.Join(b, ",") }) {
					t.Errorf("%s %s%s: the headers differ: %v and %v", who, req.method, req.suffix, real.Header(), fake.Header())
				}
				if strings.Contains(real.Body.String(), "Amira") {
					t.Errorf("the not-found answer names the child: %s", real.Body)
				}
			}
		}
		if after := e.saved(); after.Cases != before.Cases || after.Events != before.Events {
			t.Errorf("refused look-ups changed the cases: %+v → %+v", before, after)
		}
	})
}

func equalProblems(a, b problemDoc) bool {
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	return string(ja) == string(jb)
}

func headerWithout(h http.Header, name string) map[string][]string {
	out := maps.Clone(map[string][]string(h))
	delete(out, name)
	return out
}

// Without a valid bearer token, nothing but the description and sign-in answers.
func TestAPIRequestsWithoutAValidTokenAreUnauthorized(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		id := e.raiseCase()
		expired := e.signInAPI("front.door@cs.example")
		e.clock.Advance(31 * time.Minute) // past the 30 minutes of idleness
		for name, auth := range map[string]string{
			"no header":        "",
			"empty bearer":     "Bearer ",
			"basic auth":       "Basic ZHNsOnBhc3N3b3Jk",
			"unknown token":    "Bearer not-a-real-token",
			"idle session":     "Bearer " + expired,
			"very long token":  "Bearer " + strings.Repeat("x", 5000),
			"token with space": "Bearer abc def",
		} {
			t.Run(name, func(t *testing.T) {
				for _, path := range []string{"/api/v1/cases/" + id, "/api/v1/cases", "/api/v1/catalog"} {
					r := httptest.NewRequest("GET", path, nil)
					if auth != "" {
						r.Header.Set("Authorization", auth)
					}
					rec := e.serve(r)
					p := mustProblem(t, rec, http.StatusUnauthorized)
					if p.Code != "unauthorized" || rec.Header().Get("WWW-Authenticate") != `Bearer realm="waymark"` {
						t.Errorf("GET %s: code %q, WWW-Authenticate %q", path, p.Code, rec.Header().Get("WWW-Authenticate"))
					}
					if strings.Contains(rec.Body.String(), "Amira") {
						t.Errorf("GET %s: the refusal names the child", path)
					}
				}
			})
		}
	})
}

// A Children's Services worker's own read-only token can read the case but
// not change it.
func TestAPIReadOnlyTokenCannotRecordAnOutcome(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		doc := loadOpenAPI(t)
		id := e.raiseCase()
		cs := e.signInAPI("front.door@cs.example")
		if rec := e.api("POST", "/api/v1/cases/"+id+"/contact", cs, map[string]any{"expectedVersion": 1, "method": "email"}); rec.Code != http.StatusOK {
			t.Fatalf("recording the contact: %d %s", rec.Code, rec.Body)
		}

		created := e.api("POST", "/api/v1/tokens", cs, map[string]any{"name": "Reporting dashboard", "scopes": []string{"cases:read"}, "expiresInDays": 30})
		if created.Code != http.StatusCreated {
			t.Fatalf("creating the token: %d %s", created.Code, created.Body)
		}
		checkDocumentedResponse(t, doc, "POST /api/v1/tokens", created)
		var tok struct {
			Token  string
			Scopes []string
		}
		decodeInto(t, created, &tok)

		if rec := e.api("GET", "/api/v1/cases/"+id, tok.Token, nil); rec.Code != http.StatusOK {
			t.Fatalf("reading the case with the read-only token: %d %s", rec.Code, rec.Body)
		}
		before := e.saved()
		for _, req := range []struct {
			path string
			body any
		}{
			{"/api/v1/cases/" + id + "/outcome", map[string]any{"expectedVersion": 2, "decision": "assessment", "nextStep": "Child and family assessment"}},
			{"/api/v1/cases/" + id + "/actions/note", map[string]any{"expectedVersion": 2, "text": "A note"}},
			{"/api/v1/cases", storetest.ValidConcern(e.clock.Now())},
		} {
			rec := e.api("POST", req.path, tok.Token, req.body)
			p := mustProblem(t, rec, http.StatusForbidden)
			if p.Code != "forbidden" || !strings.Contains(p.Detail, "cases:write") && !strings.Contains(p.Detail, "cannot raise") {
				t.Errorf("POST %s with a read-only token: %s", req.path, rec.Body)
			}
		}
		// The token cannot make tokens either.
		mustProblem(t, e.api("POST", "/api/v1/tokens", tok.Token, map[string]any{"name": "x", "scopes": []string{"cases:write"}, "expiresInDays": 1}), http.StatusForbidden)
		if after := e.saved(); after != before {
			t.Errorf("a read-only token changed what is saved: %+v → %+v", before, after)
		}
		// With the worker's own session the outcome goes through.
		if rec := e.api("POST", "/api/v1/cases/"+id+"/outcome", cs, map[string]any{"expectedVersion": 2, "decision": "assessment", "nextStep": "Child and family assessment"}); rec.Code != http.StatusOK {
			t.Fatalf("recording the outcome with a session: %d %s", rec.Code, rec.Body)
		}
	})
}

// A person whose age is uncertain is treated as a child (§7.4): the same
// adult date of birth is accepted once ageUncertain is true.
func TestAPIAcceptsAnAdultDateOfBirthWhenTheAgeIsUncertain(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		teacher := e.signInAPI("dsl@northfield.example")
		c := storetest.ValidConcern(e.clock.Now())
		c.Child.DateOfBirth = e.clock.Now().AddDate(-19, 0, 0).Format("2006-01-02")
		mustProblem(t, e.api("POST", "/api/v1/cases", teacher, c), http.StatusUnprocessableEntity)
		c.Child.AgeUncertain = true
		rec := e.api("POST", "/api/v1/cases", teacher, c)
		if rec.Code != http.StatusCreated {
			t.Fatalf("%d %s", rec.Code, rec.Body)
		}
		if !strings.Contains(rec.Body.String(), `"age-uncertain"`) {
			t.Errorf("the case does not carry the age-uncertain warning: %s", rec.Body)
		}
	})
}

// After five wrong passwords from one address the API answers that
// address 429 with Retry-After, even for the right password.
func TestAPISignInFromOneAddressWaitsAfterFiveFailures(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		doc := loadOpenAPI(t)
		wrong := map[string]string{"email": "doctor@riverside.example", "password": "guess"}
		for i := 1; i <= 5; i++ {
			mustProblem(t, e.api("POST", "/api/v1/sessions", "", wrong), http.StatusUnauthorized)
		}
		right := e.api("POST", "/api/v1/sessions", "", map[string]string{"email": "doctor@riverside.example", "password": storetest.Password})
		if p := mustProblem(t, right, http.StatusTooManyRequests); p.Code != "too_many" || !strings.Contains(p.Detail, "Wait 30 seconds") || right.Header().Get("Retry-After") != "30" {
			t.Errorf("the right password while held back: %s", right.Body)
		}
		checkDocumentedResponse(t, doc, "POST /api/v1/sessions", right)
	})
}
