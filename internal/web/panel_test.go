package web

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"waymark/internal/casework"
	"waymark/internal/pathway"
	"waymark/internal/store"
	"waymark/internal/storetest"
)

// The local decision panel's pages and API (Devolved Decision Making,
// issue 13): a pilot site's panel decides a child's referral from its
// evidence pack; nobody else learns anything of it.

// pilotCase makes the partnership a pilot site with a panel (the teacher's
// colleague in the chair, on no case; the front door; the police lead; the
// GP, on no case) and returns a child's referral the police submitted,
// routed to the panel.
func (e *testEnv) pilotCase(change func(*pathway.Concern)) string {
	e.t.Helper()
	ctx := context.Background()
	for _, c := range []pathway.SettingChange{
		{Key: pathway.SettingDDMPilot, Value: "yes", From: "2026-01-01"},
		{Key: pathway.SettingDDMPanelName, Value: "Northshire Child Decision Panel", From: "2026-01-01"},
	} {
		if _, err := e.svc.RecordSetting(ctx, e.p.CSAdmin, c); err != nil {
			e.t.Fatal(err)
		}
	}
	for _, s := range []struct {
		v    casework.Viewer
		seat string
	}{{e.p.Colleague, pathway.PanelChair}, {e.p.CSWorker, pathway.PanelLocalAuthority},
		{e.p.PoliceLead, pathway.PanelPolice}, {e.p.GPDoctor, pathway.PanelHealth}} {
		if err := e.svc.SeatPanelMember(ctx, e.p.CSAdmin, s.v.User.Email, s.seat); err != nil {
			e.t.Fatal(err)
		}
	}
	id := e.raiseChild(change)
	act := func(v casework.Viewer, cmd pathway.Command) {
		view, err := e.svc.Case(ctx, v, id)
		if err == nil {
			err = e.svc.Act(ctx, v, id, view.Case.Version, cmd)
		}
		if err != nil {
			e.t.Fatalf("%T: %v", cmd, err)
		}
	}
	act(e.p.CSWorker, pathway.AssignWorker{WorkerEmail: e.p.PoliceLead.User.Email})
	act(e.p.PoliceLead, pathway.SubmitNRMReferral{SubmittedAt: e.clock.Now(), Via: "online-form", DeclarationMade: true,
		ExplainedToChild: pathway.ExplainedYes, ExplainedToCarer: pathway.ExplainedYes, ReasonWithoutMeeting: "The child is to be moved tonight."})
	return id
}

func panelForm(csrf, grounds, outcome string, day time.Time, reasons string, present ...string) url.Values {
	d := day.In(pathway.London)
	f := url.Values{"csrf_token": {csrf}, "grounds": {grounds}, "outcome": {outcome}, "reasons": {reasons},
		"decidedOn-day": {itoa(d.Day())}, "decidedOn-month": {itoa(int(d.Month()))}, "decidedOn-year": {itoa(d.Year())}}
	f["present"] = present
	return f
}

func itoa(n int) string { return strconv.Itoa(n) }

var panelPresent = []string{"user-colleague", "user-cs-worker", "user-police", "user-gp"}

// A pilot-site referral goes to the panel: its chair, on no case, decides
// Reasonable Grounds and then, 30 days on, Conclusive Grounds from the
// evidence pack, with an error summary when the panel is not quorate; the
// team sees who decided and why, and the letters are written.
func TestPilotSiteReferralGoesToThePanelFromSubmissionToConclusiveGrounds(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		id := e.pilotCase(func(*pathway.Concern) {})
		chair := e.browser()
		chair.signIn("colleague@northfield.example")
		list := chair.get("/panel").Body.String()
		if !strings.Contains(list, "/panel/cases/"+id) {
			t.Fatalf("the panel's list does not show the referral: %s", list)
		}
		page := chair.get("/panel/cases/" + id)
		if page.Code != http.StatusOK || !strings.Contains(page.Body.String(), "suspect, though not yet to prove") {
			t.Fatalf("evidence pack: %d %s", page.Code, page.Body)
		}
		csrf := chair.csrf("/panel/cases/" + id)
		reasons := "The account and the indicators give a founded suspicion of criminal exploitation."
		bad := chair.post("/panel/cases/"+id+"/decision", panelForm(csrf, pathway.ReasonableGrounds, pathway.DecisionPositive, e.clock.Now(), reasons, panelPresent[:3]...))
		if bad.Code != http.StatusUnprocessableEntity || !strings.Contains(bad.Body.String(), "govuk-error-summary") || !strings.Contains(bad.Body.String(), "not quorate") {
			t.Fatalf("without a health member: %d %s", bad.Code, bad.Body)
		}
		ok := chair.post("/panel/cases/"+id+"/decision", panelForm(csrf, pathway.ReasonableGrounds, pathway.DecisionPositive, e.clock.Now(), reasons, panelPresent...))
		if ok.Code != http.StatusSeeOther {
			t.Fatalf("the decision: %d %s", ok.Code, ok.Body)
		}
		e.clock.Advance(31 * 24 * time.Hour)
		chair = e.browser() // signed out long since
		chair.signIn("colleague@northfield.example")
		csrf = chair.csrf("/panel/cases/" + id)
		ok = chair.post("/panel/cases/"+id+"/decision", panelForm(csrf, pathway.ConclusiveGrounds, pathway.DecisionPositive, e.clock.Now(), "On the balance of probabilities the account is credible and consistent.", panelPresent...))
		if ok.Code != http.StatusSeeOther {
			t.Fatalf("the Conclusive Grounds decision: %d %s", ok.Code, ok.Body)
		}
		sw := e.browser()
		sw.signIn("front.door@cs.example")
		c := sw.get("/cases/" + id + "/decisions").Body.String()
		for _, want := range []string{"Northshire Child Decision Panel", "balance of probabilities the account", "Statutory guidance"} {
			if !strings.Contains(c, want) {
				t.Errorf("the case's decisions do not show %q", want)
			}
		}
		var seq int
		for _, d := range mustCase(t, e, id).NRM.Decisions {
			if d.Grounds == pathway.ConclusiveGrounds {
				seq = d.Seq
			}
		}
		letter := chair.get("/panel/cases/" + id + "/letters/" + itoa(seq) + "/child.txt")
		if letter.Code != http.StatusOK || !strings.Contains(letter.Body.String(), "more likely than not") {
			t.Fatalf("the child's letter: %d %s", letter.Code, letter.Body)
		}
		if pdf := sw.get("/panel/cases/" + id + "/letters/" + itoa(seq) + "/first-responder.pdf"); pdf.Code != http.StatusOK || pdf.Header().Get("Content-Type") != "application/pdf" {
			t.Fatalf("the team's PDF letter: %d", pdf.Code)
		}
	})
}

func mustCase(t *testing.T, e *testEnv, id string) pathway.Case {
	t.Helper()
	view, err := e.svc.Case(context.Background(), e.p.CSWorker, id)
	if err != nil {
		t.Fatal(err)
	}
	return view.Case
}

// Need to know (§6.5): a panel member of another organisation, on no case,
// learns nothing beyond the evidence pack, and a non-member nothing at all,
// not even that the case exists.
func TestPanelMemberLearnsNothingBeyondTheEvidencePack(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		id := e.pilotCase(func(c *pathway.Concern) { c.Child.CurrentLocation = "Flat 9, Secret Street" })
		gp := e.signInAPI("doctor@riverside.example")
		pack := e.api("GET", "/api/v1/panel/cases/"+id, gp, nil)
		if pack.Code != http.StatusOK || strings.Contains(pack.Body.String(), "Secret Street") {
			t.Fatalf("the evidence pack: %d %s", pack.Code, pack.Body)
		}
		for _, path := range []string{"/api/v1/cases/" + id, "/api/v1/cases/" + id + "/actions"} {
			if rec := e.api("GET", path, gp, nil); rec.Code != http.StatusNotFound {
				t.Errorf("a panel member read %s: %d", path, rec.Code)
			}
		}
		teacher := e.signInAPI("colleague@northfield.example") // the chair: also sees only the pack
		if rec := e.api("GET", "/api/v1/cases/"+id, teacher, nil); rec.Code != http.StatusNotFound {
			t.Errorf("the chair read the case: %d", rec.Code)
		}
		sw := e.signInAPI("social.worker@cs.example") // on the case's organisation, not on the panel
		real := e.api("GET", "/api/v1/panel/cases/"+id, sw, nil)
		none := e.api("GET", "/api/v1/panel/cases/case-that-does-not-exist", sw, nil)
		if real.Code != http.StatusNotFound || normalised(real, id) != normalised(none, "case-that-does-not-exist") {
			t.Fatalf("a non-member of the panel: %d %s / %s", real.Code, real.Body, none.Body)
		}
		if rec := e.api("GET", "/api/v1/panel/cases", sw, nil); rec.Code != http.StatusForbidden {
			t.Fatalf("a non-member listed the panel's referrals: %d", rec.Code)
		}
	})
}

// A child within 100 days of their 18th birthday goes to the Single
// Competent Authority, and the case page says why.
func TestChildNear18GoesToTheSingleCompetentAuthorityOnTheCasePage(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		dob := e.clock.Now().In(pathway.London).AddDate(-18, 0, 50).Format(time.DateOnly)
		id := e.pilotCase(func(c *pathway.Concern) { c.Child.DateOfBirth = dob })
		sw := e.browser()
		sw.signIn("front.door@cs.example")
		page := sw.get("/cases/" + id + "/nrm").Body.String()
		if !strings.Contains(page, "Single Competent Authority") || !strings.Contains(page, "turns 18") {
			t.Fatalf("the case page does not say who decides and why")
		}
		gp := e.signInAPI("doctor@riverside.example")
		if rec := e.api("GET", "/api/v1/panel/cases/"+id, gp, nil); rec.Code != http.StatusNotFound {
			t.Fatalf("the panel read a Single Competent Authority referral: %d", rec.Code)
		}
	})
}

// A panel member finds the panel's referrals from their home page; nobody
// else is shown the way there.
func TestPanelMemberFindsThePanelFromTheirHome(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		e.pilotCase(func(*pathway.Concern) {})
		gp := e.browser()
		gp.signIn("doctor@riverside.example")
		if home := gp.get("/").Body.String(); !strings.Contains(home, `href="/panel"`) {
			t.Errorf("a panel member's home does not link to the panel:\n%s", home)
		}
		teacher := e.browser()
		teacher.signIn("dsl@northfield.example")
		if home := teacher.get("/").Body.String(); strings.Contains(home, `href="/panel"`) {
			t.Error("the home of someone not on the panel links to it")
		}
	})
}
