package web

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"waymark/internal/casework"
	"waymark/internal/store"
	"waymark/internal/storetest"
)

// The retention review shows a page of each list, oldest first, with
// GOV.UK pagination whose Next and Previous links carry that list's cursor
// (?drafts= for the concerns never sent, ?cases= for the closed cases) and
// keep the other list where it was; every record due is on exactly one
// page; a page link cut short or made up is a clear error that lists
// nothing, on the page and in the API.
func TestTheRetentionReviewPageIsPagedWithNextAndPreviousLinksAndRefusesABadOne(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		e.meetingPartnershipLead()
		e.svc.Retention = casework.RetentionPolicy{ClosedCaseYears: 1, UnsentDraftDays: 10, AuditYears: 5}
		var drafts []string
		for range store.PageSize + 3 {
			d, err := e.svc.NewDraft(t.Context(), e.p.Colleague)
			if err != nil {
				t.Fatal(err)
			}
			drafts = append(drafts, d.ID)
			e.clock.Advance(time.Minute)
		}
		e.clock.Advance(11 * 24 * time.Hour)
		young, err := e.svc.NewDraft(t.Context(), e.p.Colleague) // not due yet
		if err != nil {
			t.Fatal(err)
		}
		listed := func(body string) []string {
			var out []string
			for _, id := range append(append([]string{}, drafts...), young.ID) {
				if strings.Contains(body, "Draft "+id) {
					out = append(out, id)
				}
			}
			return out
		}
		b := e.browser()
		b.signIn("lead@partnership.example")
		first := b.get("/admin/retention")
		body := first.Body.String()
		m := nextLink.FindStringSubmatch(body)
		if first.Code != http.StatusOK || m == nil || prevLink.MatchString(body) || !strings.Contains(body, `aria-label="Pages of concerns never sent due for review"`) {
			t.Fatalf("the first page (%d) has no Next link, or has a Previous one:\n%s", first.Code, body)
		}
		if got := listed(body); len(got) != store.PageSize || got[0] != drafts[0] {
			t.Fatalf("the first page lists %d drafts from %v, want the %d oldest", len(got), got[:min(1, len(got))], store.PageSize)
		}
		next := strings.ReplaceAll(m[1], "&amp;", "&")
		if !strings.HasPrefix(next, "/admin/retention?drafts=") {
			t.Fatalf("Next goes to %q", next)
		}
		second := b.get(next)
		body = second.Body.String()
		if second.Code != http.StatusOK || nextLink.MatchString(body) || !prevLink.MatchString(body) {
			t.Fatalf("the last page (%d) has a Next link or no Previous one", second.Code)
		}
		if got := listed(body); len(got) != 3 || got[2] != drafts[len(drafts)-1] {
			t.Fatalf("the second page lists %v, want the 3 left", got)
		}
		// A refused form on the second page shows the second page again.
		csrf := hiddenInput(body, "csrf_token")
		cursor, _ := url.ParseQuery(strings.TrimPrefix(next, "/admin/retention?"))
		rec := b.post("/admin/retention/keep", url.Values{"csrf_token": {csrf}, "kind": {"unsent-draft"}, "id": {drafts[len(drafts)-1]}, "note": {""}, "drafts": {cursor.Get("drafts")}})
		if rec.Code != http.StatusUnprocessableEntity || !strings.Contains(rec.Body.String(), `href="#note-`+drafts[len(drafts)-1]+`"`) || len(listed(rec.Body.String())) != 3 {
			t.Fatalf("a refused keep on the second page: %d, lists %v", rec.Code, listed(rec.Body.String()))
		}
		back := b.get(strings.ReplaceAll(prevLink.FindStringSubmatch(body)[1], "&amp;", "&"))
		if back.Code != http.StatusOK || !nextLink.MatchString(back.Body.String()) || len(listed(back.Body.String())) != store.PageSize {
			t.Fatalf("Previous gives %d with %d drafts", back.Code, len(listed(back.Body.String())))
		}
		for _, bad := range []string{"drafts=x", "drafts=" + cursor.Get("drafts")[:10], "cases=not-a-cursor", "drafts=" + url.QueryEscape(`["a"]`)} {
			rec := b.get("/admin/retention?" + bad)
			body := rec.Body.String()
			if rec.Code != http.StatusUnprocessableEntity || !strings.Contains(body, "govuk-error-summary") || !strings.Contains(body, "Go to the first page") || len(listed(body)) != 0 {
				t.Fatalf("?%s: %d, lists %v:\n%s", bad, rec.Code, listed(body), body)
			}
		}
		// A forged cursor only moves within the drafts that are due.
		forged := store.Cursor{At: time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC), ID: "z", Before: true}
		if got := listed(b.get("/admin/retention?drafts=" + forged.String()).Body.String()); len(got) != store.PageSize || got[len(got)-1] != drafts[len(drafts)-1] {
			t.Fatalf("the page before the end of time lists %d drafts", len(got))
		}

		// The API: the same pages through the cursors it gives.
		admin := e.signInAPI("admin@cs.example")
		var page struct {
			Items            []casework.ReviewItem
			NextDraftsCursor string
			PrevDraftsCursor string
		}
		decodeInto(t, e.api("GET", "/api/v1/retention-review", admin, nil), &page)
		if len(page.Items) != store.PageSize || page.NextDraftsCursor == "" || page.PrevDraftsCursor != "" {
			t.Fatalf("API first page: %d items, next %q, prev %q", len(page.Items), page.NextDraftsCursor, page.PrevDraftsCursor)
		}
		rec = e.api("GET", "/api/v1/retention-review?drafts="+page.NextDraftsCursor, admin, nil)
		page.NextDraftsCursor, page.Items = "", nil
		decodeInto(t, rec, &page)
		if rec.Code != http.StatusOK || len(page.Items) != 3 || page.NextDraftsCursor != "" || page.PrevDraftsCursor == "" {
			t.Fatalf("API second page: %d %s", rec.Code, rec.Body)
		}
		if p := mustProblem(t, e.api("GET", "/api/v1/retention-review?drafts=x", admin, nil), http.StatusUnprocessableEntity); len(p.Errors) != 1 || p.Errors[0].Field != "cursor" {
			t.Fatalf("API bad cursor: %+v", p)
		}
		mustProblem(t, e.api("GET", "/api/v1/retention-review?drafts="+page.PrevDraftsCursor, e.signInAPI("dsl@northfield.example"), nil), http.StatusForbidden)
	})
}
