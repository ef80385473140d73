package web

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"waymark/internal/pathway"
	"waymark/internal/store"
	"waymark/internal/storetest"
)

// Issue 13: an administrator records from its page that the partnership is
// a Devolved Decision Making pilot site from a date; a date that is not
// one is refused with an error summary and the answers kept, and the
// history shows every change.
func TestAdministratorRecordsThePilotSiteFromItsPage(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		sw := e.browser()
		sw.signIn("social.worker@cs.example")
		if rec := sw.get("/admin/settings"); rec.Code != http.StatusForbidden {
			t.Fatalf("social worker GET settings: %d", rec.Code)
		}
		b := e.browser()
		b.signIn("admin@cs.example")
		csrf := b.csrf("/admin/settings/ddm_pilot")
		bad := b.post("/admin/settings/ddm_pilot", url.Values{"csrf_token": {csrf}, "value": {"yes"}, "effectiveFrom-day": {"31"}, "effectiveFrom-month": {"2"}, "effectiveFrom-year": {"2026"}, "reason": {"Letter of 3 March"}})
		if bad.Code != http.StatusUnprocessableEntity || !strings.Contains(bad.Body.String(), "govuk-error-summary") ||
			!strings.Contains(bad.Body.String(), "must be a real date") || !strings.Contains(bad.Body.String(), "Letter of 3 March") {
			t.Fatalf("invalid change: %d %s", bad.Code, bad.Body)
		}
		if e.count("partnership_settings") != 0 {
			t.Fatal("an invalid change was saved")
		}
		ok := b.post("/admin/settings/ddm_pilot", url.Values{"csrf_token": {csrf}, "value": {"yes"}, "effectiveFrom-day": {"1"}, "effectiveFrom-month": {"1"}, "effectiveFrom-year": {"2026"}, "reason": {"Letter of 3 March"}})
		if ok.Code != http.StatusSeeOther || ok.Header().Get("Location") != "/admin/settings?done=recorded" {
			t.Fatalf("valid change: %d %s", ok.Code, ok.Body)
		}
		list := b.get("/admin/settings?done=recorded").Body.String()
		for _, want := range []string{"The change is recorded", "Devolved Decision Making pilot site", "Yes, since 1 January 2026"} {
			if !strings.Contains(list, want) {
				t.Errorf("settings page does not show %q", want)
			}
		}
		if h := b.get("/admin/settings/ddm_pilot").Body.String(); !strings.Contains(h, "Letter of 3 March") {
			t.Errorf("history does not show the reason")
		}
	})
}

// §4.3: one deployment may serve several partnerships, and the settings
// and the decision panel are each partnership's own, so their pages name
// whose they are: the manager's own partnership.
func TestSettingsAndPanelPagesNameTheirPartnership(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		if _, err := db.SQL().Exec(`UPDATE partnerships SET name = 'Northshire Safeguarding Children Partnership' WHERE id = 'default'`); err != nil {
			t.Fatal(err)
		}
		b := e.browser()
		b.signIn("admin@cs.example")
		for _, path := range []string{"/admin/settings", "/admin/settings/ddm_pilot", "/admin/panel"} {
			rec := b.get(path)
			if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), "Northshire Safeguarding Children Partnership") {
				t.Errorf("%s: %d, does not name the partnership", path, rec.Code)
			}
		}
		e.pilotCase(func(*pathway.Concern) {}) // seats the panel
		gp := e.browser()
		gp.signIn("doctor@riverside.example")
		if rec := gp.get("/panel"); rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), "Northshire Safeguarding Children Partnership") {
			t.Errorf("/panel: %d, does not name the partnership", rec.Code)
		}
	})
}
