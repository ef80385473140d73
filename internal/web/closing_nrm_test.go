package web

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"waymark/internal/store"
	"waymark/internal/storetest"
)

// §8.2, §2.4: the close page asks why a case closes without an NRM referral
// and, left empty when the NRM is not accounted for, shows the reason in an
// error summary; the API answers the same as a problem document.
func TestClosingWithoutTheNRMAccountedForAsksWhy(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		id := e.meetingCase(nil)
		sw := e.signInAPI("social.worker@cs.example")
		rec := e.api("POST", "/api/v1/cases/"+id+"/actions/close", sw, map[string]any{"expectedVersion": e.versionAs(sw, id),
			"reason": "Settled.", "monitoring": "School monitors attendance."})
		p := mustProblem(t, rec, http.StatusUnprocessableEntity)
		if msg, ok := fieldErrorFor(p, "noNrmReason"); !ok || !strings.Contains(msg, "§8.2") || !strings.Contains(msg, "decision not to submit") {
			t.Fatalf("the API's refusal names noNrmReason as %q (%v): %+v", msg, ok, p)
		}

		b := e.browser()
		b.signIn("social.worker@cs.example")
		form := b.get("/cases/" + id + "/actions/close")
		page := form.Body.String()
		if !strings.Contains(page, "Why is the case closing without an NRM referral?") {
			t.Fatalf("the close page does not ask why there is no NRM referral: %s", page)
		}
		values := url.Values{"csrf_token": {hiddenInput(page, "csrf_token")}, "version": {hiddenInput(page, "version")},
			"reason": {"Settled."}, "monitoring": {"School monitors attendance."}}
		bad := b.post("/cases/"+id+"/actions/close", values)
		if bad.Code != http.StatusUnprocessableEntity || !strings.Contains(bad.Body.String(), "govuk-error-summary") || !strings.Contains(bad.Body.String(), "No NRM referral was submitted") {
			t.Fatalf("closing with no reason for the missing NRM: %d %s", bad.Code, bad.Body)
		}
		values.Set("noNrmReason", "Assessed at the strategy discussion: no indicators of exploitation.")
		if ok := b.post("/cases/"+id+"/actions/close", values); ok.Code != http.StatusSeeOther {
			t.Fatalf("closing with the reason: %d %s", ok.Code, ok.Body)
		}
	})
}
