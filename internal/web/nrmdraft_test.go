package web

import (
	"bytes"
	"context"
	"net/http"
	"net/url"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"

	"waymark/internal/nrm"
	"waymark/internal/pathway"
	"waymark/internal/store"
	"waymark/internal/storetest"
)

// nrmReadyCase is a case with the contact recorded: the reference names
// its documents.
func (e *testEnv) nrmReadyCase() (id, ref string) {
	e.t.Helper()
	id = e.raiseCase()
	ref, err := e.svc.RecordContact(context.Background(), e.p.CSWorker, id, 1, "phone", "")
	if err != nil {
		e.t.Fatal(err)
	}
	return id, ref
}

// sectionForm is what a browser would send back from a section page:
// every hidden input and every answer as the page showed it.
func sectionForm(t *testing.T, page string) url.Values {
	t.Helper()
	f := url.Values{}
	for _, m := range regexp.MustCompile(`<input type="hidden" name="([^"]+)" value="([^"]*)"`).FindAllStringSubmatch(page, -1) {
		f.Set(m[1], htmlUnescape(m[2]))
	}
	for _, m := range regexp.MustCompile(`(?s)<textarea[^>]*name="([^"]+)"[^>]*>(.*?)</textarea>`).FindAllStringSubmatch(page, -1) {
		f.Set(m[1], htmlUnescape(m[2]))
	}
	for _, m := range regexp.MustCompile(`<input class="govuk-input[^"]*" id="[^"]+" name="([^"]+)" type="text"(?: value="([^"]*)")?`).FindAllStringSubmatch(page, -1) {
		f.Set(m[1], htmlUnescape(m[2]))
	}
	for _, m := range regexp.MustCompile(`<input class="govuk-(?:radios|checkboxes)__input" id="[^"]+" name="([^"]+)" type="(?:radio|checkbox)" value="([^"]*)" checked`).FindAllStringSubmatch(page, -1) {
		f.Add(m[1], htmlUnescape(m[2]))
	}
	return f
}

func htmlUnescape(s string) string {
	return strings.NewReplacer("&amp;", "&", "&lt;", "<", "&gt;", ">", "&#34;", `"`, "&#39;", "'", "&quot;", `"`).Replace(s)
}

// The referral through its pages: the task list (200), a section saved on
// Continue (303), an impossible date refused with the error summary (422),
// an answer saved from a page read before a colleague's save (409), and an
// answer over the limit kept and shown again (422).
func TestNRMDraftPagesRoundTrip(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		id, ref := e.nrmReadyCase()
		b := e.browser()
		b.signIn("social.worker@cs.example")

		tasks := b.get("/cases/" + id + "/nrm-draft")
		if tasks.Code != http.StatusOK || !strings.Contains(tasks.Body.String(), "govuk-task-list") || !strings.Contains(tasks.Body.String(), "Case "+ref) {
			t.Fatalf("task list: %d %s", tasks.Code, snippet(tasks))
		}
		for _, want := range []string{"/cases/" + id + "/nrm-draft/background", "Incomplete", "/cases/" + id + "/nrm-draft.pdf", "/cases/" + id + "/nrm-draft/copy"} {
			if !strings.Contains(tasks.Body.String(), want) {
				t.Errorf("the task list does not show %q", want)
			}
		}
		if strings.Contains(tasks.Body.String(), "nrm-reconsideration") {
			t.Error("the task list offers a reconsideration before any negative decision (§8.9)")
		}

		path := "/cases/" + id + "/nrm-draft/background"
		page := b.get(path)
		if page.Code != http.StatusOK {
			t.Fatalf("GET %s: %d", path, page.Code)
		}
		form := sectionForm(t, page.Body.String())
		if form.Get("csrf_token") == "" || form.Get("version-birthplace") != "0" || form.Get("shown-family") == "" {
			t.Fatalf("the section page lacks its hidden inputs: %v", form)
		}
		form.Set("birthplace", "Shkodër, Albania")
		saved := b.post(path, form)
		if saved.Code != http.StatusSeeOther || !strings.HasPrefix(saved.Header().Get("Location"), "/cases/"+id+"/nrm-draft?saved=1") {
			t.Fatalf("POST %s: %d %q %s", path, saved.Code, saved.Header().Get("Location"), snippet(saved))
		}
		var n int
		db.SQL().QueryRow(`SELECT COUNT(*) FROM nrm_drafts WHERE case_id = $1`, id).Scan(&n)
		if n != 1 {
			t.Fatalf("%d answers saved, want only the one changed", n)
		}
		again := b.get(path)
		if inputValue(again.Body.String(), "birthplace") != "Shkodër, Albania" || !strings.Contains(again.Body.String(), "Saved by Sam Social") {
			t.Fatalf("the saved answer is not shown back: %s", snippet(again))
		}

		// A date that is not a date: 422 with the error summary, nothing saved, what was typed kept.
		personal := "/cases/" + id + "/nrm-draft/personal"
		pf := sectionForm(t, b.get(personal).Body.String())
		pf.Set("pv-dob-day", "31")
		pf.Set("pv-dob-month", "2")
		pf.Set("pv-dob-year", "2012")
		bad := b.post(personal, pf)
		if bad.Code != http.StatusUnprocessableEntity || !strings.Contains(bad.Body.String(), "govuk-error-summary") || !strings.Contains(bad.Body.String(), "real date") {
			t.Fatalf("an impossible date: %d %s", bad.Code, snippet(bad))
		}
		if inputValue(bad.Body.String(), "pv-dob-day") != "31" {
			t.Error("the date typed is not shown again")
		}

		// A colleague saves the same answer first: 409, nothing saved, their
		// version now behind the form so Continue saves over it on purpose.
		stale := sectionForm(t, b.get(path).Body.String())
		colleague := e.browser()
		colleague.signIn("manager@cs.example")
		cf := sectionForm(t, colleague.get(path).Body.String())
		cf.Set("birthplace", "Tirana")
		if rec := colleague.post(path, cf); rec.Code != http.StatusSeeOther {
			t.Fatalf("the colleague's save: %d %s", rec.Code, snippet(rec))
		}
		stale.Set("birthplace", "Shkodër, northern Albania")
		conflict := b.post(path, stale)
		if conflict.Code != http.StatusConflict || !strings.Contains(conflict.Body.String(), "Someone else saved an answer") {
			t.Fatalf("a stale save: %d %s", conflict.Code, snippet(conflict))
		}
		if inputValue(conflict.Body.String(), "birthplace") != "Shkodër, northern Albania" {
			t.Error("what was typed is lost on a conflict")
		}
		if again := b.post(path, sectionForm(t, conflict.Body.String())); again.Code != http.StatusSeeOther {
			t.Fatalf("saving again after reading the conflict: %d %s", again.Code, snippet(again))
		}

		// Over the limit: saved, and the page says so.
		insight := "/cases/" + id + "/nrm-draft/insight"
		inf := sectionForm(t, b.get(insight).Body.String())
		inf.Set("professional-insight", strings.Repeat("A long account. ", 1000))
		long := b.post(insight, inf)
		if long.Code != http.StatusUnprocessableEntity || !strings.Contains(long.Body.String(), "Your answer has been saved") {
			t.Fatalf("an answer over the limit: %d %s", long.Code, snippet(long))
		}
		if !strings.Contains(b.get("/cases/"+id+"/nrm-draft").Body.String(), "Over the limit") {
			t.Error("the task list does not show the section over the limit")
		}
	})
}

// The copy view: every answer in a read-only box that can be selected
// without JavaScript; the copy buttons come from a same-origin module.
func TestNRMCopyViewWorksWithoutJavaScript(t *testing.T) {
	e := newEnv(t, storetest.SQLite(t))
	id, ref := e.nrmReadyCase()
	b := e.browser()
	b.signIn("social.worker@cs.example")
	rec := b.get("/cases/" + id + "/nrm-draft/copy")
	body := rec.Body.String()
	if rec.Code != http.StatusOK {
		t.Fatalf("copy view: %d", rec.Code)
	}
	if !strings.Contains(body, `id="copy-reference" rows="2" aria-describedby="copy-reference-facts" readonly>`+ref+`</textarea>`) {
		t.Errorf("the reference is not in a read-only box")
	}
	if !strings.Contains(body, `<script type="module" src="/assets/nrm-copy.js"></script>`) || !strings.Contains(body, `data-wm-copy="copy-reference" hidden`) {
		t.Error("the copy buttons are not a hidden progressive enhancement")
	}
	if !strings.Contains(body, "OFFICIAL-SENSITIVE") {
		t.Error("no protective marking")
	}
	js := e.serve(httptestGet("/assets/nrm-copy.js"))
	if js.Code != http.StatusOK || !strings.Contains(js.Body.String(), "navigator.clipboard") {
		t.Fatalf("/assets/nrm-copy.js: %d", js.Code)
	}
}

func httptestGet(path string) *http.Request {
	r, _ := http.NewRequest("GET", path, nil)
	return r
}

// Documents download named by the case reference, never the child; a
// print opens in the browser.
func TestNRMDocumentsAreNamedByTheCaseReference(t *testing.T) {
	e := newEnv(t, storetest.SQLite(t))
	id, ref := e.nrmReadyCase()
	b := e.browser()
	b.signIn("social.worker@cs.example")
	for _, c := range []struct{ path, ctype, disposition string }{
		{"/cases/" + id + "/nrm-draft.pdf", "application/pdf", `attachment; filename="nrm-referral-` + ref + `.pdf"`},
		{"/cases/" + id + "/nrm-draft.pdf?print=1", "application/pdf", `inline; filename="nrm-referral-` + ref + `.pdf"`},
		{"/cases/" + id + "/nrm-draft.txt", "text/plain; charset=utf-8", `attachment; filename="nrm-referral-` + ref + `.txt"`},
	} {
		rec := b.get(c.path)
		if rec.Code != http.StatusOK || rec.Header().Get("Content-Type") != c.ctype || rec.Header().Get("Content-Disposition") != c.disposition {
			t.Errorf("GET %s: %d %q %q", c.path, rec.Code, rec.Header().Get("Content-Type"), rec.Header().Get("Content-Disposition"))
		}
		if rec.Header().Get("Cache-Control") != "no-store" {
			t.Errorf("GET %s may be cached", c.path)
		}
		if strings.Contains(rec.Header().Get("Content-Disposition"), "Amira") {
			t.Errorf("the file name holds the child's name")
		}
	}
}

// The API: read the draft, save an answer with its expected version, a
// stale version is 409 and a missing one 422; documents download; every
// answer matches its documented schema.
func TestNRMDraftAPI(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		d := loadOpenAPI(t)
		id, ref := e.nrmReadyCase()
		token := e.signInAPI("social.worker@cs.example")
		rec := e.api("GET", "/api/v1/cases/"+id+"/nrm-draft", token, nil)
		checkDocumentedResponse(t, d, "GET /api/v1/cases/{id}/nrm-draft", rec)
		var draft apiNRMDraft
		decodeInto(t, rec, &draft)
		if draft.CaseReference != ref || draft.Kind != nrm.Referral || len(draft.Tasks) == 0 {
			t.Fatalf("draft %s %s, %d tasks", draft.CaseReference, draft.Kind, len(draft.Tasks))
		}

		put := "/api/v1/cases/" + id + "/nrm-draft/fields/birthplace"
		rec = e.api("PUT", put, token, map[string]any{"value": "Shkodër, Albania", "expectedVersion": 0})
		checkDocumentedResponse(t, d, "PUT /api/v1/cases/{id}/nrm-draft/fields/{field}", rec)
		var saved apiNRMFieldSaved
		decodeInto(t, rec, &saved)
		if saved.Field.Value != "Shkodër, Albania" || saved.Field.Version != 1 {
			t.Fatalf("saved %+v", saved.Field)
		}
		rec = e.api("PUT", put, token, map[string]any{"value": "Tirana", "expectedVersion": 0})
		mustProblem(t, rec, http.StatusConflict)
		checkDocumentedResponse(t, d, "PUT /api/v1/cases/{id}/nrm-draft/fields/{field}", rec)
		rec = e.api("PUT", put, token, map[string]any{"value": "Tirana"})
		if p := mustProblem(t, rec, http.StatusUnprocessableEntity); true {
			if _, ok := fieldErrorFor(p, "expectedVersion"); !ok {
				t.Errorf("a save without expectedVersion: %+v", p)
			}
		}
		rec = e.api("PUT", "/api/v1/cases/"+id+"/nrm-draft/fields/pv-gender", token, map[string]any{"value": "boy", "expectedVersion": 0})
		mustProblem(t, rec, http.StatusUnprocessableEntity)

		rec = e.api("GET", "/api/v1/cases/"+id+"/nrm-draft.pdf", token, nil)
		if rec.Code != http.StatusOK || !bytes.HasPrefix(rec.Body.Bytes(), []byte("%PDF-")) || !strings.Contains(rec.Header().Get("Content-Disposition"), "nrm-referral-"+ref+".pdf") {
			t.Fatalf("PDF: %d %q", rec.Code, rec.Header().Get("Content-Disposition"))
		}
		rec = e.api("GET", "/api/v1/cases/"+id+"/nrm-reconsideration", token, nil)
		mustProblem(t, rec, http.StatusNotFound)

		// The referrer knows the case but is not on the team (§6.5).
		rec = e.api("GET", "/api/v1/cases/"+id+"/nrm-draft", e.signInAPI("dsl@northfield.example"), nil)
		mustProblem(t, rec, http.StatusForbidden)
	})
}

// The reconsideration is drafted only after a negative decision (§8.9),
// and then the referral's task list links to it.
func TestNRMReconsiderationPagesFollowANegativeDecision(t *testing.T) {
	e := newEnv(t, storetest.SQLite(t))
	id, _ := e.nrmReadyCase()
	ctx := context.Background()
	act := func(cmd pathway.Command) {
		t.Helper()
		view, err := e.svc.Case(ctx, e.p.SocialWorker, id)
		if err != nil {
			t.Fatal(err)
		}
		if err := e.svc.Act(ctx, e.p.SocialWorker, id, view.Case.Version, cmd); err != nil {
			t.Fatalf("%T: %v", cmd, err)
		}
	}
	act(pathway.SubmitNRMReferral{SubmittedAt: e.clock.Now(), Via: "online-form", DeclarationMade: true, ExplainedToChild: pathway.ExplainedYes, ExplainedToCarer: pathway.ExplainedYes, ReasonWithoutMeeting: "Moved tonight"})
	act(pathway.RecordHomeOfficeReference{Reference: "NRM-2026-000001", ReceivedOn: e.clock.Now().Format("2006-01-02")})
	act(pathway.RecordReasonableGrounds{Outcome: pathway.DecisionNegative, DecidedOn: e.clock.Now().Format("2006-01-02")})
	b := e.browser()
	b.signIn("social.worker@cs.example")
	if !strings.Contains(b.get("/cases/"+id+"/nrm-draft").Body.String(), "/cases/"+id+"/nrm-reconsideration") {
		t.Error("the referral does not link to the reconsideration")
	}
	views := "/cases/" + id + "/nrm-reconsideration/views"
	f := sectionForm(t, b.get(views).Body.String())
	f.Set("childs-views", "She wants to stay at her school and be believed.")
	if rec := b.post(views, f); rec.Code != http.StatusSeeOther {
		t.Fatalf("saving the child's views: %d %s", rec.Code, snippet(rec))
	}
	rec := b.get("/cases/" + id + "/nrm-reconsideration.txt")
	if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), "She wants to stay at her school and be believed.") {
		t.Fatalf("the reconsideration text: %d", rec.Code)
	}
}

// The documented schemas are the Go types' JSON shapes.
func TestOpenAPIDescribesTheNRMDraftAsTheGoTypesEncodeIt(t *testing.T) {
	d := loadOpenAPI(t)
	for _, sh := range []struct {
		name   string
		goType any
	}{
		{"NRMDraft", apiNRMDraft{}}, {"NRMDraftSection", nrm.Section{}}, {"NRMDraftPage", nrm.Page{}}, {"NRMDraftField", nrm.Field{}},
		{"NRMDraftOption", nrm.Option{}}, {"NRMDraftCondition", nrm.Condition{}}, {"NRMDraftEdit", nrm.Edit{}},
		{"NRMDraftProblem", nrm.Problem{}}, {"NRMDraftTask", nrm.Task{}}, {"NRMFieldSaved", apiNRMFieldSaved{}},
	} {
		goNames, goAlways := jsonFields(reflect.TypeOf(sh.goType))
		docNames, docRequired := schemaProps(d.schema(sh.name))
		if !slices.Equal(goNames, docNames) || !slices.Equal(goAlways, docRequired) {
			t.Errorf("%s: Go sends %v (always %v); openapi.json documents %v (required %v)", sh.name, goNames, goAlways, docNames, docRequired)
		}
	}
}
