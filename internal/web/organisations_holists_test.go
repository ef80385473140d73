package web

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"waymark/internal/store"
	"waymark/internal/storetest"
)

// §8.7: without JavaScript, the administrator chooses an organisation's
// entries from plain selects of every entry of the Home Office form's lists;
// the select posts the entry's value, and anything that is not exactly an
// entry is refused with a GOV.UK error that links to its select.
func TestAnAdministratorMapsAnOrganisationToTheFormsListsWithoutJavaScript(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		admin := e.browser()
		admin.signIn("admin@cs.example")
		page := admin.get("/admin/organisations/org-police")
		body := page.Body.String()
		for _, want := range []string{`<select class="govuk-select" id="hoPoliceForce" name="hoPoliceForce" data-module="list-autocomplete"`, `<option value="Kent Police">Kent Police</option>`,
			`<label class="govuk-label" for="hoLocalAuthority">`, `<option value="">Not mapped yet</option>`} {
			if !strings.Contains(body, want) {
				t.Errorf("the organisation's page has no %s", want)
			}
		}
		csrf := hiddenInput(body, "csrf_token")
		rec := admin.post("/admin/organisations/org-police/ho-lists", url.Values{"csrf_token": {csrf}, "hoPoliceForce": {"Northshire Police"}, "hoOrganisation": {"Kent Police"}})
		refused := rec.Body.String()
		if rec.Code != http.StatusUnprocessableEntity || !strings.Contains(refused, `href="#hoPoliceForce"`) || !strings.Contains(refused, `id="hoPoliceForce-error"`) ||
			!strings.Contains(refused, "Choose the police force from the Home Office form&#39;s list") ||
			!strings.Contains(refused, `<option value="Northshire Police" selected data-typed>Northshire Police (not in the list)</option>`) {
			t.Fatalf("an answer that is not an entry: %d\n%s", rec.Code, refused)
		}
		rec = admin.post("/admin/organisations/org-police/ho-lists", url.Values{"csrf_token": {csrf}, "hoPoliceForce": {"Kent Police"}, "hoOrganisation": {"Kent Police"}, "hoLocalAuthority": {""}})
		if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "/admin/organisations/org-police?done=ho-lists" {
			t.Fatalf("choosing entries: %d %s", rec.Code, rec.Header().Get("Location"))
		}
		if body := admin.get("/admin/organisations/org-police?done=ho-lists").Body.String(); !strings.Contains(body, `<option value="Kent Police" selected>`) {
			t.Fatal("the chosen entry is not selected")
		}

		// The partnership's own entries, on a page of their own.
		if rec := admin.post("/admin/organisations/partnership", url.Values{"csrf_token": {csrf}, "hoLocalAuthority": {"Northshire County Council"}}); rec.Code != http.StatusUnprocessableEntity || !strings.Contains(rec.Body.String(), `href="#hoLocalAuthority"`) {
			t.Fatalf("a local authority not on the list: %d", rec.Code)
		}
		if rec := admin.post("/admin/organisations/partnership", url.Values{"csrf_token": {csrf}, "hoLocalAuthority": {"Kent County Council"}, "hoPoliceForce": {"Kent Police"}}); rec.Code != http.StatusSeeOther {
			t.Fatalf("the partnership's entries: %d", rec.Code)
		}
		if body := admin.get("/admin/organisations/partnership").Body.String(); !strings.Contains(body, `<option value="Kent County Council" selected>`) || strings.Contains(body, `name="hoOrganisation"`) {
			t.Fatal("the partnership's page does not show its local authority, or asks for an organisation entry")
		}
	})
}
