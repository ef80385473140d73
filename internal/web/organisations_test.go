package web

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"waymark/internal/store"
	"waymark/internal/storetest"
)

// An administrator chooses each organisation's First Responder designation
// from the catalogue's list, or "Not a First Responder" (§8.2, annex); a
// designation the list no longer has is shown as not on it.
func TestAnAdministratorChoosesAnOrganisationsFirstResponderDesignation(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		admin := e.browser()
		admin.signIn("admin@cs.example")
		list := admin.get("/admin/organisations").Body.String()
		for _, want := range []string{"Police forces", "Local authorities", "Not a First Responder", `href="/admin/organisations/org-school"`} {
			if !strings.Contains(list, want) {
				t.Errorf("the organisations list has no %q", want)
			}
		}
		page := admin.get("/admin/organisations/org-school")
		body := page.Body.String()
		if page.Code != http.StatusOK || !strings.Contains(body, `value="none" checked`) || !strings.Contains(body, "NSPCC Child Trafficking Advice Centre") {
			t.Fatalf("the school's page: %d", page.Code)
		}
		csrf := hiddenInput(body, "csrf_token")
		if rec := admin.post("/admin/organisations/org-school", url.Values{"csrf_token": {csrf}, "designation": {"made-up"}}); rec.Code != http.StatusUnprocessableEntity || !strings.Contains(rec.Body.String(), `href="#designation"`) {
			t.Fatalf("a designation not on the list: %d", rec.Code)
		}
		if rec := admin.post("/admin/organisations/org-school", url.Values{"csrf_token": {csrf}, "designation": {"nspcc-ctac"}}); rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "/admin/organisations/org-school?done=designation" {
			t.Fatalf("choosing: %d %s", rec.Code, rec.Header().Get("Location"))
		}
		if body := admin.get("/admin/organisations/org-school?done=designation").Body.String(); !strings.Contains(body, `value="nspcc-ctac" checked`) {
			t.Fatal("the chosen designation is not shown")
		}

		if err := db.Update(context.Background(), func(tx *store.Tx) error {
			return tx.SetFirstResponderDesignation("org-police", "regional-organised-crime-unit")
		}); err != nil {
			t.Fatal(err)
		}
		if list := admin.get("/admin/organisations").Body.String(); !strings.Contains(list, "Not on the list") || !strings.Contains(list, "regional-organised-crime-unit") {
			t.Fatal("a designation the list no longer has is not shown to the administrator")
		}

		// Minutes later, a change needs the administrator to confirm who they are.
		e.clock.Advance(6 * time.Minute)
		if rec := admin.post("/admin/organisations/org-police", url.Values{"csrf_token": {csrf}, "designation": {"police"}}); rec.Code != http.StatusForbidden || !strings.Contains(rec.Body.String(), "Confirm it is you") {
			t.Fatalf("a change without a recent confirmation: %d", rec.Code)
		}
		if rec := admin.post("/admin/staff/confirm", url.Values{"csrf_token": {csrf}, "next": {"/admin/organisations/org-police"}, "confirm": {storetest.Password}}); rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "/admin/organisations/org-police?done=confirmed" {
			t.Fatalf("confirming: %d %s", rec.Code, rec.Header().Get("Location"))
		}
		if rec := admin.post("/admin/organisations/org-police", url.Values{"csrf_token": {csrf}, "designation": {"police"}}); rec.Code != http.StatusSeeOther {
			t.Fatalf("after confirming: %d", rec.Code)
		}
	})
}
