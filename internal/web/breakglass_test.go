package web

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"waymark/internal/store"
	"waymark/internal/storetest"
)

const emergencyReason = "Police found the child at the bus station at 02:10; we need the safety plan now"

// §6.5 through the pages: a GP outside the case asks for emergency access
// with a reason and their password, sees the case with a banner saying
// until when, and the partnership lead finds it on the alerts page.
func TestBreakGlassThroughThePages(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		lead := e.meetingPartnershipLead()
		id := e.raiseCase()
		gp := e.browser()
		gp.signIn("doctor@riverside.example")
		notFound := gp.get("/cases/" + id)
		if notFound.Code != http.StatusNotFound || !strings.Contains(notFound.Body.String(), `href="/break-glass"`) {
			t.Fatalf("a case the GP is not on: %d, or no way to ask for emergency access", notFound.Code)
		}
		csrf := gp.csrf("/break-glass?case=" + id)
		form := url.Values{"csrf_token": {csrf}, "case": {id}, "reason": {emergencyReason}, "confirm": {"not my password"}}
		wrong := gp.post("/break-glass", form)
		if wrong.Code != http.StatusUnprocessableEntity || !strings.Contains(wrong.Body.String(), `href="#confirm"`) {
			t.Fatalf("a wrong password: %d", wrong.Code)
		}
		if e.count("break_glass_grants") != 0 {
			t.Fatal("a grant without confirming who is asking")
		}
		// Signed in over five minutes ago: the grant needs the password again.
		e.clock.Advance(6 * time.Minute)
		form.Del("confirm")
		if rec := gp.post("/break-glass", form); rec.Code != http.StatusForbidden || e.count("break_glass_grants") != 0 {
			t.Fatalf("without re-authenticating: %d", rec.Code)
		}
		form.Set("confirm", storetest.Password)
		granted := gp.post("/break-glass", form)
		if granted.Code != http.StatusSeeOther || granted.Header().Get("Location") != "/cases/"+id {
			t.Fatalf("break-glass: %d %q", granted.Code, granted.Header().Get("Location"))
		}
		page := gp.get("/cases/" + id)
		if page.Code != http.StatusOK || !strings.Contains(page.Body.String(), "You have emergency access until") {
			t.Fatalf("the case with emergency access: %d, banner missing", page.Code)
		}

		lb := e.browser()
		lb.signIn(lead.User.Email)
		home := lb.get("/")
		if !strings.Contains(home.Body.String(), `href="/alerts"`) {
			t.Error("the partnership lead has no link to the alerts")
		}
		alerts := lb.get("/alerts").Body.String()
		for _, want := range []string{emergencyReason, "Dee Doctor", id} {
			if !strings.Contains(alerts, want) {
				t.Errorf("the alerts page lacks %q", want)
			}
		}
		if rec := gp.get("/alerts"); rec.Code != http.StatusForbidden {
			t.Errorf("the GP reading the alerts: %d", rec.Code)
		}

		e.clock.Advance(4 * time.Hour)
		gp.signIn("doctor@riverside.example") // signed out by the idle time-out meanwhile
		if rec := gp.get("/cases/" + id); rec.Code != http.StatusNotFound {
			t.Fatalf("emergency access after it ended: %d", rec.Code)
		}
	})
}

func TestBreakGlassThroughTheAPI(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		doc := loadOpenAPI(t)
		id := e.raiseCase()
		token := e.signInAPI("doctor@riverside.example")
		short := e.api("POST", "/api/v1/break-glass", token, map[string]string{"case": id, "reason": "urgent"})
		mustProblem(t, short, http.StatusUnprocessableEntity)
		checkDocumentedResponse(t, doc, "POST /api/v1/break-glass", short)
		rec := e.api("POST", "/api/v1/break-glass", token, map[string]string{"case": id, "reason": emergencyReason, "password": storetest.Password})
		checkDocumentedResponse(t, doc, "POST /api/v1/break-glass", rec)
		var out struct {
			CaseID    string    `json:"caseId"`
			ExpiresAt time.Time `json:"expiresAt"`
		}
		decodeInto(t, rec, &out)
		if rec.Code != http.StatusCreated || out.CaseID != id || !out.ExpiresAt.Equal(e.clock.Now().Add(4*time.Hour)) {
			t.Fatalf("break-glass: %d %s", rec.Code, rec.Body)
		}
		if got := e.api("GET", "/api/v1/cases/"+id, token, nil); got.Code != http.StatusOK {
			t.Fatalf("the case after break-glass: %d", got.Code)
		}
	})
}
