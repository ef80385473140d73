package web

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"waymark/internal/store"
	"waymark/internal/storetest"
)

var requestIDs = regexp.MustCompile(`[0-9a-f]{16,}`)

// §6.5: someone not on the case (another organisation's doctor, an
// administrator) is told the same about a case's documents, contributions
// and situation actions whether the case exists or was made up; the
// referrer and a meeting's invitee (the police), who know the case, cannot
// tell a document that exists from a made-up one.
func TestAStrangerCannotTellWhetherADocumentExists(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		oc := e.outsiderCase(false)
		sw := e.signInAPI("social.worker@cs.example")
		rec := e.apiUpload(sw, oc.ID, "scan.pdf", tinyPNG)
		if rec.Code != http.StatusCreated {
			t.Fatalf("upload: %d %s", rec.Code, rec.Body)
		}
		var doc apiDocument
		decodeInto(t, rec, &doc)
		fake := "0123456789abcdef01234567"
		for _, who := range []string{"first.responder@police.example", "dsl@northfield.example", "doctor@riverside.example", "admin@cs.example"} {
			token := e.signInAPI(who)
			b := e.browser()
			b.signIn(who)
			try := func(label string, real, made func(id, file string) *httptest.ResponseRecorder) {
				t.Helper()
				a, z := real(oc.ID, doc.ID), made(fake, "fedcba9876543210fedcba98")
				a2 := made(oc.ID, "fedcba9876543210fedcba98")
				clean := func(r *httptest.ResponseRecorder) string {
					return requestIDs.ReplaceAllString(strings.ReplaceAll(strings.ReplaceAll(r.Body.String(), oc.ID, "ID"), fake, "ID"), "X")
				}
				if a.Code >= 500 || z.Code >= 500 {
					t.Errorf("%s %s: %d / %d", who, label, a.Code, z.Code)
				}
				stranger := who != "dsl@northfield.example" && who != "first.responder@police.example"
				if !stranger {
					z = a2 // they know the case: they must not learn whether the file exists
				}
				if a.Code != z.Code || clean(a) != clean(z) {
					ca, cz := clean(a), clean(z)
					i := 0
					for i < len(ca) && i < len(cz) && ca[i] == cz[i] {
						i++
					}
					t.Errorf("%s %s: real case %d, made-up case %d\nreal: %.300s\nmade: %.300s", who, label, a.Code, z.Code, ca[max(0, i-100):], cz[max(0, i-100):])
				}
				if stranger && a2.Code != z.Code {
					t.Errorf("%s %s: made-up file on the real case %d, made-up case %d", who, label, a2.Code, z.Code)
				}
			}
			get := func(path string) func(id, file string) *httptest.ResponseRecorder {
				return func(id, file string) *httptest.ResponseRecorder {
					p := strings.NewReplacer("{id}", id, "{file}", file).Replace(path)
					if strings.HasPrefix(p, "/api/") {
						return e.api("GET", p, token, nil)
					}
					return b.get(p)
				}
			}
			try("api list", get("/api/v1/cases/{id}/documents"), get("/api/v1/cases/{id}/documents"))
			try("api download", get("/api/v1/cases/{id}/documents/{file}"), get("/api/v1/cases/{id}/documents/{file}"))
			try("page download", get("/cases/{id}/documents/{file}"), get("/cases/{id}/documents/{file}"))
			try("contributions", get("/cases/{id}/nrm-contributions"), get("/cases/{id}/nrm-contributions"))
			try("contribution edit", get("/cases/{id}/nrm-contributions/1/edit?field=x"), get("/cases/{id}/nrm-contributions/1/edit?field=x"))
			up := func(id, file string) *httptest.ResponseRecorder {
				return e.apiUpload(token, id, "scan.png", tinyPNG)
			}
			try("api upload", up, up)
			empty := func(id, file string) *httptest.ResponseRecorder {
				body, ct := uploadBody([][2]string{{"what", strings.Repeat("x", 600)}}, "", nil)
				r := httptest.NewRequest("POST", "/api/v1/cases/"+id+"/documents", body)
				r.Header.Set("Content-Type", ct)
				r.Header.Set("Authorization", "Bearer "+token)
				return e.serve(r)
			}
			try("api upload, bad", empty, empty)
			pageUp := func(id, file string) *httptest.ResponseRecorder {
				csrf := b.csrf("/account/profile")
				body, ct := uploadBody([][2]string{{"csrf_token", csrf}, {"what", "x"}}, "scan.png", tinyPNG)
				r := httptest.NewRequest("POST", "/cases/"+id+"/documents", body)
				r.Header.Set("Content-Type", ct)
				return b.do(r)
			}
			try("page upload", pageUp, pageUp)
			for _, slug := range []string{"situation", "child-origin", "exploitation-places", "where-child-is-now", "nrm-contribute", "nrm-submit"} {
				act := func(id, file string) *httptest.ResponseRecorder {
					return e.api("POST", "/api/v1/cases/"+id+"/actions/"+slug, token, map[string]any{"expectedVersion": 1})
				}
				try("action "+slug, act, act)
				pg := func(id, file string) *httptest.ResponseRecorder { return b.get("/cases/" + id + "/actions/" + slug) }
				try("page "+slug, pg, pg)
			}
		}
	})
}

// A script sending the wrong JSON types, overlong or odd text to the new
// actions is answered with a problem document, never a server error.
func TestTheNewActionsAnswerBadJSONWithAProblem(t *testing.T) {
	t.Parallel() // among the longest here: run beside each other once the rest are done
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		id := e.raiseCase()
		sw := e.signInAPI("social.worker@cs.example")
		odd := []any{12, -1, 1e308, true, nil, map[string]any{"a": 1}, []any{1, "x"}, strings.Repeat("é", 70000), "😀\r\n\x00<script>", "", []any{}, "2026-13-45"}
		for _, slug := range []string{"situation", "child-origin", "exploitation-places", "where-child-is-now", "nrm-contribute", "nrm-submit"} {
			a, ok := e.srv.actions.bySlug[slug]
			if !ok {
				t.Errorf("no action %s", slug)
				continue
			}
			var example map[string]any
			if a.example != nil {
				raw, _ := json.Marshal(a.example)
				json.Unmarshal(raw, &example)
			}
			keys := map[string]bool{}
			for k := range example {
				keys[k] = true
			}
			for _, f := range a.Fields {
				keys[f.Name] = true
			}
			for k := range keys {
				for _, val := range odd {
					body := map[string]any{}
					for kk, vv := range example {
						body[kk] = vv
					}
					body[k] = val
					body["expectedVersion"] = e.versionAs(sw, id)
					rec := e.api("POST", "/api/v1/cases/"+id+"/actions/"+slug, sw, body)
					if rec.Code >= 500 {
						t.Errorf("%s %s=%.40v: %d %.300s", slug, k, val, rec.Code, rec.Body)
					}
				}
			}
			for _, raw := range []string{`[]`, `"x"`, `{"expectedVersion":"1"}`, `{"expectedVersion":1,`, `{"expectedVersion":1}{}`} {
				rec := e.api("POST", "/api/v1/cases/"+id+"/actions/"+slug, sw, raw)
				if rec.Code >= 500 || rec.Code < 400 {
					t.Errorf("%s %s: %d %.300s", slug, raw, rec.Code, rec.Body)
				}
			}
		}
	})
}

// The administrators' mapping pages and a person's work details refuse
// what is not theirs or not well formed, with an answer, never a server
// error, and the mapping shows nothing of any case.
func TestTheMappingAndWorkDetailsPagesRefuseBadInput(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		e.raiseCase()
		admin := e.browser()
		admin.signIn("admin@cs.example")
		csrf := admin.csrf("/account/profile")
		long := strings.Repeat("Ł", 5000)
		for _, c := range []struct {
			path string
			form url.Values
		}{
			{"/admin/organisations/no-such-org/ho-lists", url.Values{"hoPoliceForce": {"Kent Police"}}},
			{"/admin/organisations/" + strings.Repeat("x", 500) + "/ho-lists", url.Values{"hoPoliceForce": {"Kent Police"}}},
			{"/admin/organisations/org-police/ho-lists", url.Values{"hoPoliceForce": {long}, "hoOrganisation": {"Kent Police\r\nX"}}},
			{"/admin/organisations/org-police/ho-lists", url.Values{"hoPoliceForce": {"Kent Police", "Essex Police"}}},
			{"/admin/organisations/partnership", url.Values{"hoLocalAuthority": {"\x00"}}},
			{"/account/profile", url.Values{"jobTitle": {long}, "workPhone": {"😀\r\n"}, "awayEmail": {"a@b\r\nBcc: c@d"}}},
		} {
			c.form.Set("csrf_token", csrf)
			rec := admin.post(c.path, c.form)
			if rec.Code >= 500 || rec.Code == http.StatusOK && c.path != "/account/profile" {
				t.Errorf("POST %s: %d %.300s", c.path, rec.Code, rec.Body)
			}
		}
		for _, p := range []string{"/admin/organisations/no-such-org", "/admin/organisations/partnership", "/admin/organisations/org-police"} {
			if rec := admin.get(p); rec.Code >= 500 {
				t.Errorf("GET %s: %d", p, rec.Code)
			} else if strings.Contains(rec.Body.String(), "/cases/") {
				t.Errorf("GET %s links to a case", p)
			}
		}
		sw := e.browser()
		sw.signIn("social.worker@cs.example")
		swcsrf := sw.csrf("/account/profile")
		for _, p := range []string{"/admin/organisations/org-police/ho-lists", "/admin/organisations/partnership"} {
			rec := sw.post(p, url.Values{"csrf_token": {swcsrf}, "hoPoliceForce": {"Kent Police"}})
			if rec.Code < 400 || rec.Code >= 500 {
				t.Errorf("a social worker's POST %s: %d", p, rec.Code)
			}
		}
		token := e.signInAPI("social.worker@cs.example")
		for _, body := range []any{map[string]any{"jobTitle": 12}, map[string]any{"jobTitle": []string{"a"}}, "[]", `{"jobTitle":`, map[string]any{"jobTitle": long}, map[string]any{"awayEmail": "x\r\n@y"}} {
			rec := e.api("PUT", "/api/v1/account/profile", token, body)
			if rec.Code < 400 || rec.Code >= 500 {
				t.Errorf("PUT profile %v: %d %.300s", body, rec.Code, rec.Body)
			}
		}
	})
}
