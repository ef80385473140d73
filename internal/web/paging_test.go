package web

import (
	"html"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"waymark/internal/store"
	"waymark/internal/storetest"
)

var (
	caseLinkRE = regexp.MustCompile(`href="/cases/([0-9a-f]{24,})"`)
	relRE      = regexp.MustCompile(`href="([^"]*)" rel="(next|prev)"`)
)

// pageLinks reads a list page's case links and its Previous and Next links.
func pageLinks(body string) (ids []string, prev, next string) {
	for _, m := range caseLinkRE.FindAllStringSubmatch(body, -1) {
		ids = append(ids, m[1])
	}
	for _, m := range relRE.FindAllStringSubmatch(body, -1) {
		if m[2] == "next" {
			next = html.UnescapeString(m[1])
		} else {
			prev = html.UnescapeString(m[1])
		}
	}
	return ids, prev, next
}

// "Your cases" and search come a page at a time with GOV.UK Previous and
// Next links (plain links: no JavaScript), the API with cursors; a cursor
// Waymark did not make is a clear 422, never a failure.
func TestCaseListPagesLinkToEachOtherAndRefuseABadCursor(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		raised := map[string]bool{}
		for range store.PageSize + 7 {
			e.clock.Advance(time.Minute)
			raised[e.raiseCase()] = true
		}
		b := e.browser()
		b.signIn("dsl@northfield.example")
		for _, start := range []string{"/cases", "/cases?q=amira"} {
			first := b.get(start)
			if first.Code != http.StatusOK {
				t.Fatalf("GET %s: %d", start, first.Code)
			}
			// A search by name lists the newest raised first, the case list
			// by last activity, and each table says so.
			caption := map[string]string{"/cases": "Your cases, most recently updated first", "/cases?q=amira": "Cases matching “amira”, the most recently raised first"}[start]
			if !strings.Contains(first.Body.String(), caption) {
				t.Errorf("%s: no caption %q", start, caption)
			}
			ids1, prev, next := pageLinks(first.Body.String())
			if len(ids1) != store.PageSize || prev != "" || next == "" || !strings.Contains(first.Body.String(), `class="govuk-pagination`) {
				t.Fatalf("%s: first page lists %d, previous %q, next %q", start, len(ids1), prev, next)
			}
			if strings.Contains(start, "q=") && !strings.Contains(next, "q=amira") {
				t.Errorf("the next page of a search forgets the search: %q", next)
			}
			second := b.get(next)
			ids2, prev2, next2 := pageLinks(second.Body.String())
			if second.Code != http.StatusOK || len(ids2) != 7 || prev2 == "" || next2 != "" {
				t.Fatalf("%s: second page %d lists %d, previous %q, next %q", start, second.Code, len(ids2), prev2, next2)
			}
			seen := map[string]bool{}
			for _, id := range append(ids1, ids2...) {
				if seen[id] || !raised[id] {
					t.Fatalf("%s: case %s listed twice or not raised", start, id)
				}
				seen[id] = true
			}
			back, _, _ := pageLinks(b.get(prev2).Body.String())
			if strings.Join(back, ",") != strings.Join(ids1, ",") {
				t.Errorf("%s: Previous gives %v, want the first page %v", start, back, ids1)
			}
			bad := b.get(start + map[bool]string{true: "&", false: "?"}[strings.Contains(start, "?")] + "cursor=not-a-cursor")
			if bad.Code != http.StatusUnprocessableEntity || !strings.Contains(bad.Body.String(), "govuk-error-summary") ||
				!strings.Contains(bad.Body.String(), "The link to this page of the list is not valid") {
				t.Errorf("%s with a bad cursor: %d", start, bad.Code)
			}
		}

		doc := loadOpenAPI(t)
		token := e.signInAPI("dsl@northfield.example")
		var page struct {
			Cases      []struct{ ID string }
			NextCursor string
			PrevCursor string
		}
		first := e.api("GET", "/api/v1/cases", token, nil)
		checkDocumentedResponse(t, doc, "GET /api/v1/cases", first)
		decodeInto(t, first, &page)
		if len(page.Cases) != store.PageSize || page.NextCursor == "" || page.PrevCursor != "" {
			t.Fatalf("API first page: %d cases, next %q, prev %q", len(page.Cases), page.NextCursor, page.PrevCursor)
		}
		second := e.api("GET", "/api/v1/cases?cursor="+page.NextCursor, token, nil)
		checkDocumentedResponse(t, doc, "GET /api/v1/cases", second)
		page.NextCursor, page.PrevCursor = "", ""
		decodeInto(t, second, &page)
		if len(page.Cases) != 7 || page.NextCursor != "" || page.PrevCursor == "" {
			t.Fatalf("API second page: %d cases, next %q, prev %q", len(page.Cases), page.NextCursor, page.PrevCursor)
		}
		p := mustProblem(t, e.api("GET", "/api/v1/cases?q=amira&cursor=%00", token, nil), http.StatusUnprocessableEntity)
		if _, ok := fieldErrorFor(p, "cursor"); !ok {
			t.Errorf("a bad cursor's problem names no cursor field: %+v", p)
		}
	})
}
