package web

import (
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"waymark/internal/casework"
	"waymark/internal/store"
	"waymark/internal/storetest"
)

var (
	nextLink = regexp.MustCompile(`href="([^"]*)" rel="next"`)
	prevLink = regexp.MustCompile(`href="([^"]*)" rel="prev"`)
)

// The inbox and my work show a page at a time, with GOV.UK pagination
// whose Next and Previous links carry the cursor (plain links: no
// JavaScript); a link cut short or made up is a clear error, not a crash.
func TestTheInboxAndMyWorkPagesHaveNextAndPreviousLinksAndRefuseABadOne(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		for range casework.PageSize + 1 {
			e.raiseCase()
			e.clock.Advance(time.Minute)
		}
		b := e.browser()
		b.signIn("front.door@cs.example")
		for _, path := range []string{"/inbox", "/my-work"} {
			first := b.get(path)
			if first.Code != http.StatusOK {
				t.Fatalf("%s: %d", path, first.Code)
			}
			body := first.Body.String()
			m := nextLink.FindStringSubmatch(body)
			if !strings.Contains(body, `class="govuk-pagination`) || m == nil || prevLink.MatchString(body) {
				t.Fatalf("%s: the first page has no Next link, or has a Previous one", path)
			}
			next := strings.ReplaceAll(m[1], "&amp;", "&")
			if !strings.HasPrefix(next, path+"?after=") {
				t.Fatalf("%s: Next goes to %q", path, next)
			}
			second := b.get(next)
			body = second.Body.String()
			if second.Code != http.StatusOK || nextLink.MatchString(body) || !prevLink.MatchString(body) {
				t.Fatalf("%s: the last page (%d) has a Next link or no Previous one", path, second.Code)
			}
			if n := strings.Count(body, `<tr class="govuk-table__row">`) - strings.Count(body, "<thead"); n != 1 {
				t.Fatalf("%s: the second page lists %d rows, want the 1 left", path, n)
			}
			back := b.get(strings.ReplaceAll(prevLink.FindStringSubmatch(body)[1], "&amp;", "&"))
			if back.Code != http.StatusOK || !nextLink.MatchString(back.Body.String()) {
				t.Fatalf("%s: Previous gives %d without a Next link", path, back.Code)
			}
			for _, bad := range []string{"x", "not-a-cursor", next[len(path+"?after=") : len(next)-6], url.QueryEscape(`["a"]`)} {
				for _, q := range []string{"?after=", "?before="} {
					rec := b.get(path + q + bad)
					checkPageHygiene(t, path+q+bad, rec)
					page := rec.Body.String()
					if rec.Code != http.StatusBadRequest || !strings.Contains(page, "govuk-error-summary") || !strings.Contains(page, "This page link is not one Waymark gave") ||
						!strings.Contains(page, `href="`+path+`">Go to the first page`) {
						t.Fatalf("%s%s%s: %d, want 400 with the error summary and a link to the first page:\n%s", path, q, bad, rec.Code, page)
					}
				}
			}
		}
	})
}

// The API lists pages too: "next" to pass as ?after=, "previous" as
// ?before=; a bad cursor is a problem document naming it.
func TestTheInboxAndMyWorkAPIsTakeACursorAndGiveTheNextOne(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		for range casework.PageSize + 1 {
			e.raiseCase()
			e.clock.Advance(time.Minute)
		}
		token := e.signInAPI("front.door@cs.example")
		for _, tc := range []struct{ path, list string }{{"/api/v1/inbox", "cases"}, {"/api/v1/my-work", "work"}} {
			var first map[string]json.RawMessage
			decodeInto(t, e.api("GET", tc.path, token, nil), &first)
			var next, prev string
			var items []json.RawMessage
			json.Unmarshal(first["next"], &next)
			json.Unmarshal(first[tc.list], &items)
			if next == "" || len(items) != casework.PageSize || first["previous"] != nil {
				t.Fatalf("%s: first page of %d, next %q, previous %s", tc.path, len(items), next, first["previous"])
			}
			var second map[string]json.RawMessage
			rec := e.api("GET", tc.path+"?after="+url.QueryEscape(next), token, nil)
			decodeInto(t, rec, &second)
			json.Unmarshal(second[tc.list], &items)
			json.Unmarshal(second["previous"], &prev)
			if len(items) != 1 || second["next"] != nil || prev == "" {
				t.Fatalf("%s: second page %s", tc.path, rec.Body)
			}
			for _, q := range []string{"?after=bad", "?before=bad"} {
				p := mustProblem(t, e.api("GET", tc.path+q, token, nil), http.StatusUnprocessableEntity)
				if p.Code != "invalid" || !strings.Contains(p.Detail, "page link") {
					t.Fatalf("%s%s: %+v", tc.path, q, p)
				}
			}
		}
	})
}
