package web

import (
	"encoding/json"
	"html"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"waymark/internal/store"
	"waymark/internal/storetest"
)

// textFieldsOf lists an action's answers that are typed text, with whether
// each may be several lines.
func textFieldsOf(a *action) map[string]bool {
	out := map[string]bool{}
	for _, fd := range a.Fields {
		switch fd.Kind {
		case kindText, kindEmail:
			out[fd.Name] = false
		case kindTextarea, kindLines:
			out[fd.Name] = true
		}
	}
	return out
}

// refusedInEveryField sends bad in every text field of every action and of
// the concern, as a page's form and as an API body, and checks each is
// refused with a message naming the field, and nothing is saved.
func refusedInEveryField(t *testing.T, e *testEnv, bad, wantWord string) {
	t.Helper()
	caseID := e.raiseCase()
	teacher := e.browser()
	teacher.signIn("dsl@northfield.example")
	csrf := teacher.csrf("/concerns/new")
	token := e.signInAPI("social.worker@cs.example")
	before := e.saved()
	fields := 0
	for _, slug := range testActions.sortedSlugs() {
		a := testActions.bySlug[slug]
		for name, multi := range textFieldsOf(a) {
			fields++
			value := "before" + bad + "after"
			// The page.
			rec := teacher.post("/cases/"+caseID+"/actions/"+slug, url.Values{"csrf_token": {csrf}, "version": {"1"}, name: {value}})
			// The action's page again, its summary linking to the field.
			body := html.UnescapeString(rec.Body.String())
			if rec.Code != http.StatusUnprocessableEntity || !strings.Contains(body, "govuk-error-summary") || !strings.Contains(body, `href="#`+name+`"`) || !strings.Contains(body, wantWord) {
				t.Errorf("page %s field %s (multi-line %v): %d, want 422 with an error summary linking to #%s and saying %q", slug, name, multi, rec.Code, name, wantWord)
			}
			// The API, with the value where the command has it.
			var v any = value
			for _, fd := range a.Fields {
				if fd.Name == name && fd.Kind == kindLines {
					v = []string{"fine", value}
				}
			}
			b, _ := json.Marshal(map[string]any{"expectedVersion": 1, name: v})
			p := mustProblem(t, e.api("POST", "/api/v1/cases/"+caseID+"/actions/"+slug, token, b), http.StatusUnprocessableEntity)
			if msg, ok := fieldErrorFor(p, name); !ok || !strings.Contains(msg, wantWord) {
				t.Errorf("API %s field %s: errors %+v, want one for %s saying %q", slug, name, p.Errors, name, wantWord)
			}
		}
	}
	if fields < 20 {
		t.Fatalf("only %d action text fields were tried", fields)
	}

	// The concern: its page…
	draft, csrf := teacher.newDraft()
	for _, name := range []string{"givenNames", "familyName", "aliases", "nationality", "languages", "currentLocation"} {
		form := childAnswers(e.clock.Now(), csrf, "1")
		form.Set(name, "Am"+bad+"ira")
		rec := teacher.post("/concerns/"+draft+"/child", form)
		// The step again, its summary linking to the field, what was typed still there.
		if body := html.UnescapeString(rec.Body.String()); rec.Code != http.StatusUnprocessableEntity || !strings.Contains(body, "govuk-error-summary") ||
			!strings.Contains(body, `href="#`+name+`"`) || !strings.Contains(body, fieldLabel(name)) || !strings.Contains(body, "Am") {
			t.Errorf("concern page field %s: %d, want 422 with an error summary linking to #%s", name, rec.Code, name)
		}
	}
	if _, given, _, _ := e.draftChild(draft); strings.Contains(given, bad) {
		t.Errorf("the draft kept %q", given)
	}
	// …and its API.
	for _, name := range []string{"givenNames", "familyName", "nationality", "currentLocation", "identifiedWhere", "summary", "policeReference"} {
		c := storetest.ValidConcern(e.clock.Now())
		var m map[string]any
		b, _ := json.Marshal(c)
		json.Unmarshal(b, &m)
		if child := m["child"].(map[string]any); name == "givenNames" || name == "familyName" || name == "nationality" || name == "currentLocation" {
			child[name] = "Am" + bad + "ira"
		} else {
			m[name] = "Am" + bad + "ira"
		}
		p := mustProblem(t, e.api("POST", "/api/v1/cases", e.signInAPI("dsl@northfield.example"), m), http.StatusUnprocessableEntity)
		if msg, ok := fieldErrorFor(p, name); !ok || !strings.Contains(msg, wantWord) {
			t.Errorf("concern API field %s: errors %+v, want one for it saying %q", name, p.Errors, wantWord)
		}
	}
	if after := e.saved(); after.Cases != before.Cases || after.Events != before.Events {
		t.Errorf("refused input saved something: before %+v, after %+v", before, after)
	}
}

// NUL and every other control character (C0 but tab, line feed and carriage
// return in multi-line answers; DEL; C1) are refused in every text field of
// every action and of the concern, on the page and in the API.
func TestControlCharactersAreRefusedInEveryTextField(t *testing.T) {
	t.Parallel() // among the longest here: run beside each other once the rest are done
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		refusedInEveryField(t, e, "\x00", "control character (U+0000)")
	})
	e := newEnv(t, storetest.SQLite(t))
	chars := []string{"\x01", "\x07", "\x0b", "\x0c", "\x1b", "\x7f", "\u0085", "\u009b"}
	if testing.Short() {
		chars = []string{"\x1b", "\u009b"} // a C0 and a C1 beside NUL; every one in the full run
	}
	for _, c := range chars {
		refusedInEveryField(t, e, c, "control character")
	}
	// Single-line answers refuse line breaks and tabs; multi-line ones keep them.
	token := e.signInAPI("dsl@northfield.example")
	c := storetest.ValidConcern(e.clock.Now())
	c.Child.GivenNames = "Amira\nExample"
	p := mustProblem(t, e.api("POST", "/api/v1/cases", token, c), http.StatusUnprocessableEntity)
	if msg, _ := fieldErrorFor(p, "givenNames"); !strings.Contains(msg, "one line") {
		t.Errorf("a given name over two lines: %+v", p.Errors)
	}
	c = storetest.ValidConcern(e.clock.Now())
	c.Summary = "First line.\r\n\tSecond, indented."
	if rec := e.api("POST", "/api/v1/cases", token, c); rec.Code != http.StatusCreated {
		t.Errorf("a summary over two lines with a tab: %d %s", rec.Code, rec.Body)
	}
}

// Text-direction embeddings, overrides and isolates are refused; a
// right-to-left name, and the plain direction marks, are not.
func TestBidiOverridesAreRefused(t *testing.T) {
	t.Parallel() // among the longest here: run beside each other once the rest are done
	e := newEnv(t, storetest.SQLite(t))
	chars := []string{"\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2067", "\u2068", "\u2069"}
	if testing.Short() {
		chars = []string{"\u202e", "\u2067"} // an override and an isolate; every one in the full run
	}
	for _, c := range chars {
		refusedInEveryField(t, e, c, "text-direction control")
	}
	c := storetest.ValidConcern(e.clock.Now())
	c.Child.GivenNames, c.Child.FamilyName = "أمينة", "\u200fحداد"
	if rec := e.api("POST", "/api/v1/cases", e.signInAPI("dsl@northfield.example"), c); rec.Code != http.StatusCreated {
		t.Errorf("an Arabic name: %d %s", rec.Code, rec.Body)
	}
}

// Bytes that are not UTF-8, and escapes that are not Unicode, are refused
// with the field named, not quietly replaced by U+FFFD; a U+FFFD the sender
// typed is kept.
func TestInvalidUTF8IsRefusedNotReplaced(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		token := e.signInAPI("dsl@northfield.example")
		valid, _ := json.Marshal(storetest.ValidConcern(e.clock.Now()))
		before := e.saved()
		for what, body := range map[string]string{
			"a byte that is not UTF-8": strings.Replace(string(valid), `"summary":"Arrived`, "\"summary\":\"Arr\xffived", 1),
			"a truncated sequence":     strings.Replace(string(valid), `"summary":"Arrived`, "\"summary\":\"Arr\xe2\x82ived", 1),
			"an unpaired surrogate":    strings.Replace(string(valid), `"summary":"Arrived`, `"summary":"Arr\ud800ived`, 1),
			"an overlong encoding":     strings.Replace(string(valid), `"summary":"Arrived`, "\"summary\":\"Arr\xc0\xafived", 1),
		} {
			p := mustProblem(t, e.api("POST", "/api/v1/cases", token, body), http.StatusUnprocessableEntity)
			if msg, ok := fieldErrorFor(p, "summary"); !ok || !strings.Contains(msg, "UTF-8") {
				t.Errorf("%s: errors %+v, want one for summary saying it is not UTF-8", what, p.Errors)
			}
		}
		// On a page: %FF in a note.
		id := e.raiseCase()
		b := e.browser()
		b.signIn("dsl@northfield.example")
		csrf := b.csrf("/concerns/new")
		r := formRequest("/cases/"+id+"/actions/note", nil)
		r.Body = nopBody("csrf_token=" + url.QueryEscape(csrf) + "&version=1&text=caf%E9")
		rec := b.do(r)
		if rec.Code != http.StatusUnprocessableEntity || !strings.Contains(rec.Body.String(), "govuk-error-summary") || !strings.Contains(rec.Body.String(), "UTF-8") {
			t.Errorf("a Latin-1 é in a note: %d, want 422 with an error summary", rec.Code)
		}
		if after := e.saved(); after.Events != before.Events+1 { // the one raiseCase
			t.Errorf("refused input saved something: before %+v, after %+v", before, after)
		}
		// A replacement character the sender meant is kept.
		c := storetest.ValidConcern(e.clock.Now())
		c.Summary = "The note said \uFFFD where the ink had run."
		if rec := e.api("POST", "/api/v1/cases", token, c); rec.Code != http.StatusCreated {
			t.Errorf("a typed U+FFFD: %d %s", rec.Code, rec.Body)
		}
	})
}

// A key sent twice in one object, at any depth, is refused: the last would
// win silently, and what was checked might not be what was saved.
func TestDuplicateJSONKeysAreRefused(t *testing.T) {
	e := newEnv(t, storetest.SQLite(t))
	token := e.signInAPI("dsl@northfield.example")
	id := e.raiseCase()
	valid, _ := json.Marshal(storetest.ValidConcern(e.clock.Now()))
	before := e.saved()
	for what, tc := range map[string]struct{ path, body, field string }{
		"top level":            {"/api/v1/cases", strings.Replace(string(valid), `"summary":`, `"summary":"first","summary":`, 1), "summary"},
		"nested object":        {"/api/v1/cases", strings.Replace(string(valid), `"givenNames":`, `"givenNames":"Mallory","givenNames":`, 1), "givenNames"},
		"object in an array":   {"/api/v1/cases", strings.Replace(string(valid), `"evidence":`, `"evidence":"x","evidence":`, 1), "evidence"},
		"an action":            {"/api/v1/cases/" + id + "/actions/note", `{"expectedVersion":1,"text":"a","text":"b"}`, "text"},
		"the expected version": {"/api/v1/cases/" + id + "/actions/note", `{"expectedVersion":99,"text":"a","expectedVersion":1}`, "expectedVersion"},
		"sign-in":              {"/api/v1/sessions", `{"email":"dsl@northfield.example","email":"x@y","password":"p"}`, "email"},
		"differing in case":    {"/api/v1/cases/" + id + "/actions/note", `{"expectedVersion":1,"text":"a","TEXT":"b"}`, "TEXT"},
	} {
		p := mustProblem(t, e.api("POST", tc.path, token, tc.body), http.StatusUnprocessableEntity)
		if msg, ok := fieldErrorFor(p, tc.field); !ok || !strings.Contains(msg, "twice") {
			t.Errorf("%s: errors %+v, want one for %s saying it was sent twice", what, p.Errors, tc.field)
		}
	}
	// The same key in two different objects is no duplicate.
	if rec := e.api("POST", "/api/v1/cases", token, valid); rec.Code != http.StatusCreated {
		t.Errorf("a valid concern (summary and evidence keys at several depths): %d %s", rec.Code, rec.Body)
	}
	if after := e.saved(); after.Cases != before.Cases+1 {
		t.Errorf("refused bodies saved something: before %+v, after %+v", before, after)
	}
}

// A body that says it is not JSON is refused with 415 and a problem
// document, before anything is read.
func TestWrongContentTypeIs415(t *testing.T) {
	e := newEnv(t, storetest.SQLite(t))
	token := e.signInAPI("dsl@northfield.example")
	valid, _ := json.Marshal(storetest.ValidConcern(e.clock.Now()))
	before := e.saved()
	for _, ct := range []string{"text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "application/json; charset=iso-8859-1", "application/jsonx", "text/json", "nonsense;;"} {
		r := formRequest("/api/v1/cases", nil)
		r.Body = nopBody(string(valid))
		r.Header.Set("Content-Type", ct)
		r.Header.Set("Authorization", "Bearer "+token)
		p := mustProblem(t, e.serve(r), http.StatusUnsupportedMediaType)
		if p.Code != codeUnsupportedType || !strings.Contains(p.Detail, "application/json") {
			t.Errorf("Content-Type %q: code %q detail %q", ct, p.Code, p.Detail)
		}
	}
	if after := e.saved(); after != before {
		t.Errorf("refused bodies saved something: before %+v, after %+v", before, after)
	}
	for _, ct := range []string{"application/json", "application/json; charset=utf-8", "Application/JSON; charset=UTF-8"} {
		r := formRequest("/api/v1/cases", nil)
		r.Body = nopBody(string(valid))
		r.Header.Set("Content-Type", ct)
		r.Header.Set("Authorization", "Bearer "+token)
		if rec := e.serve(r); rec.Code != http.StatusCreated {
			t.Errorf("Content-Type %q: %d %s", ct, rec.Code, rec.Body)
		}
	}
}

func nopBody(s string) io.ReadCloser { return io.NopCloser(strings.NewReader(s)) }

// A body nested deeper than any Waymark takes is refused before it is walked further.
func TestDeeplyNestedJSONIsRefused(t *testing.T) {
	body := []byte(`{"summary":` + strings.Repeat("[", 100000) + strings.Repeat("]", 100000) + `}`)
	err := checkJSON(body)
	if err == nil || !strings.Contains(err.Error(), "nested") {
		t.Fatalf("100,000 levels: %v", err)
	}
}
