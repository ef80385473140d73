package web

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

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
