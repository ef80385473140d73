package web

import (
	"net/http"
	"strings"
	"testing"

	"waymark/internal/store"
	"waymark/internal/storetest"
)

// An administrator sees no case data (docs/security.md): their home lists
// their tools and no case, and a case list answers with a page saying why
// there is none, naming no child.
func TestAnAdministratorIsToldWhyThereAreNoCasesAndSeesNone(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		e.raiseCase()
		child := storetest.ValidConcern(e.clock.Now()).Child.FullName()
		b := e.browser()
		b.signIn("admin@cs.example")
		home := b.get("/")
		if home.Code != http.StatusOK || !strings.Contains(home.Body.String(), `href="/admin/staff"`) || strings.Contains(home.Body.String(), child) {
			t.Fatalf("the administrator's home (%d) lacks the staff link or names the child", home.Code)
		}
		for _, path := range []string{"/cases", "/my-work"} {
			rec := b.get(path)
			body := rec.Body.String()
			if rec.Code != http.StatusOK || !strings.Contains(body, "Administrators do not see cases") || strings.Contains(body, child) {
				t.Fatalf("%s: %d, or the page names the child or does not say why", path, rec.Code)
			}
			if strings.Contains(body, `govuk-service-navigation__link" href="/cases"`) {
				t.Fatalf("%s: the navigation offers the case list", path)
			}
		}
	})
}
