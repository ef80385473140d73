package web

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"waymark/internal/pathway"
	"waymark/internal/store"
	"waymark/internal/storetest"
)

// workspace is every page of a case's workspace the browser's person can
// open (the overview, each area in its side navigation, the timeline),
// joined: what they can learn of the case from its pages.
func workspace(b *browser, caseID string) string {
	overview := b.get("/cases/" + caseID).Body.String()
	var all strings.Builder
	all.WriteString(overview)
	for _, href := range sideNavLinks(overview) {
		if href != "/cases/"+caseID {
			all.WriteString(b.get(href).Body.String())
		}
	}
	return all.String()
}

// sideNavLinks are the hrefs of the case's side navigation on a page.
func sideNavLinks(page string) []string {
	start := strings.Index(page, `<nav class="moj-side-navigation"`)
	if start < 0 {
		return nil
	}
	nav := page[start:]
	nav = nav[:strings.Index(nav, "</nav>")]
	var out []string
	for {
		i := strings.Index(nav, `href="`)
		if i < 0 {
			return out
		}
		nav = nav[i+len(`href="`):]
		out = append(out, nav[:strings.Index(nav, `"`)])
	}
}

var actionLink = regexp.MustCompile(`href="/cases/[^/"]+/actions/([a-z0-9-]+)"`)

// actionSlugs are the actions a page links to, in order, once each.
func actionSlugs(page string) []string {
	var out []string
	for _, m := range actionLink.FindAllStringSubmatch(page, -1) {
		if !slices.Contains(out, m[1]) {
			out = append(out, m[1])
		}
	}
	return out
}

// raiseChild raises the valid concern with changes, as the teacher.
func (e *testEnv) raiseChild(change func(c *pathway.Concern)) string {
	e.t.Helper()
	c := storetest.ValidConcern(e.clock.Now())
	change(&c)
	id, err := e.svc.RaiseConcern(context.Background(), e.p.Teacher, c)
	if err != nil {
		e.t.Fatalf("raising a concern: %v", err)
	}
	return id
}

// The overview says at once what matters: every flag, as a heading, the
// deadlines running, and one next step (the contact first: annex step 1).
func TestTheCaseOverviewShowsFlagsDeadlinesAndOneNextStep(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		id := e.raiseChild(func(c *pathway.Concern) { c.ImmediateRisk, c.PoliceInformed, c.FamilySuspected = true, true, true })
		sw := e.browser()
		sw.signIn("social.worker@cs.example")

		page := sw.get("/cases/" + id).Body.String()
		for _, flag := range []string{"Immediate risk", "Family suspected"} {
			if !strings.Contains(page, `<h3 class="govuk-heading-s govuk-!-margin-bottom-1">`+flag+`</h3>`) {
				t.Errorf("the overview does not show the flag %q as a heading", flag)
			}
		}
		if !strings.Contains(page, "Not flagged: missing, whereabouts confidential.") {
			t.Errorf("the overview does not say which flags are not raised: %s", regexp.MustCompile(`Not flagged[^<]*`).FindString(page))
		}
		if !strings.Contains(page, "Deadlines on this case") || !strings.Contains(page, "Due in") {
			t.Error("the overview does not show the running deadline")
		}
		if n := strings.Count(page, `class="wm-next-step"`); n != 1 {
			t.Fatalf("the overview highlights %d next steps, want 1", n)
		}
		if !strings.Contains(page, `href="/cases/`+id+`/contact">Record the contact and issue a reference</a>`) {
			t.Error("the next step before the contact is not to record it")
		}

		// Missing, and placed where only some may know: both flags, and the
		// next step moves on once the contact and outcome are recorded.
		v := e.p.SocialWorker
		if _, err := e.svc.RecordContact(context.Background(), v, id, 1, "phone", ""); err != nil {
			t.Fatal(err)
		}
		if err := e.svc.RecordOutcome(context.Background(), v, id, 2, "assessment", "Assess under section 17."); err != nil {
			t.Fatal(err)
		}
		supportAct(e, v, id, pathway.StartPlacement{StartedAt: e.clock.Now(), PlacementType: "foster-care", Address: "1 Larch Close", WhereaboutsConfidential: true})
		supportAct(e, v, id, pathway.ReportMissing{StartedAt: e.clock.Now().Add(-time.Hour), Circumstances: "Did not come home from school", PoliceInformed: true, PoliceReference: "MISS-1"})
		page = sw.get("/cases/" + id).Body.String()
		for _, flag := range []string{"Missing now", "Whereabouts confidential", "Immediate risk", "Family suspected"} {
			if !strings.Contains(page, ">"+flag+"</h3>") {
				t.Errorf("the overview does not show the flag %q", flag)
			}
		}
		if n := strings.Count(page, `class="wm-next-step"`); n != 1 || strings.Contains(page, "/contact\">") || strings.Contains(page, "/outcome\">") {
			t.Errorf("after the outcome the overview highlights %d next steps, or the outcome still", n)
		}
		if !strings.Contains(page, "Stage</dt>") {
			t.Error("the stage tag has no label")
		}
	})
}

// Each area's page offers the actions of that area and no other, and every
// action the person may take is offered on exactly one page.
func TestEachAreaPageOffersOnlyItsOwnActions(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		id := e.raiseCase()
		v := e.p.SocialWorker
		view, err := e.svc.Case(context.Background(), v, id)
		if err != nil {
			t.Fatal(err)
		}
		want := map[string][]string{}
		for _, g := range e.srv.offered(view, v) {
			for _, a := range g.Actions {
				want[areaOf(a)] = append(want[areaOf(a)], a.Slug)
			}
		}
		sw := e.browser()
		sw.signIn(v.User.Email)
		seen := map[string]string{}
		for _, href := range sideNavLinks(sw.get("/cases/" + id).Body.String()) {
			slug := strings.TrimPrefix(strings.TrimPrefix(href, "/cases/"+id), "/")
			// The entities page links to its own area's actions as the
			// people area offers them (entities.go).
			if slug == "" || slug == "timeline" || slug == "entities" {
				continue
			}
			rec := sw.get(href)
			if rec.Code != http.StatusOK {
				t.Fatalf("%s: %d", href, rec.Code)
			}
			got := actionSlugs(rec.Body.String())
			for _, s := range got {
				if other, dup := seen[s]; dup {
					t.Errorf("%q is offered on %s and %s", s, other, slug)
				}
				seen[s] = slug
			}
			if !slices.Equal(got, want[slug]) {
				t.Errorf("the %s page offers %v, want %v", slug, got, want[slug])
			}
		}
		d := e.srv.caseData(view, v)
		for area, slugs := range want {
			if a, _ := areaBySlug(area); a.applies(d) && seen[slugs[0]] == "" {
				t.Errorf("the %s area's actions %v are offered nowhere", area, slugs)
			}
		}
	})
}

// §7.1–7.7, §7.4: a British child of known age has no "from abroad" or
// "age" page, and their actions are not offered; a child from abroad whose
// age is uncertain has both.
func TestAreasThatDoNotConcernTheChildAreLeftOut(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		british := e.raiseChild(func(c *pathway.Concern) { c.Child.Nationality = "British" })
		abroad := e.raiseChild(func(c *pathway.Concern) {
			c.Child.Nationality, c.Child.DateOfBirth, c.Child.EstimatedAge, c.Child.AgeUncertain = "Eritrean", "", 15, true
		})
		sw := e.browser()
		sw.signIn("social.worker@cs.example")

		nav := strings.Join(sideNavLinks(sw.get("/cases/"+british).Body.String()), " ")
		for _, area := range []string{"/abroad", "/age"} {
			if strings.Contains(nav, area) {
				t.Errorf("the British child's case lists %s: %s", area, nav)
			}
			if rec := sw.get("/cases/" + british + area); rec.Code != http.StatusNotFound {
				t.Errorf("the British child's %s page: %d, want 404", area, rec.Code)
			}
		}
		for _, slug := range []string{"child-from-abroad", "ukvi-concern", "request-age-assessment"} {
			if strings.Contains(workspace(sw, british), "/actions/"+slug+`"`) {
				t.Errorf("the British child's case offers %s", slug)
			}
		}
		nav = strings.Join(sideNavLinks(sw.get("/cases/"+abroad).Body.String()), " ")
		for _, area := range []string{"/abroad", "/age", "/concern", "/children-services", "/timeline"} {
			if !strings.Contains(nav, area) {
				t.Errorf("the case of a child from abroad of uncertain age does not list %s: %s", area, nav)
			}
		}
		if page := sw.get("/cases/" + abroad + "/age").Body.String(); !strings.Contains(page, "/actions/request-age-assessment") {
			t.Error("the age page does not offer an age assessment for a child whose age is uncertain")
		}
	})
}

// §6.5: every page of the workspace is a read of the case, audited as the
// case page is, and a person outside the case meets the case page's 404,
// byte for byte, whatever page they ask for.
func TestEveryCasePageIsAuditedAndHidesTheCaseFromNonMembers(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		id := e.raiseChild(func(c *pathway.Concern) { c.Child.AgeUncertain = true })
		gp := e.browser()
		gp.signIn("doctor@riverside.example")
		sw := e.browser()
		sw.signIn("social.worker@cs.example")
		audits := func() int {
			var n int
			if err := e.db.SQL().QueryRow(`SELECT COUNT(*) FROM audit_log WHERE case_id = $1`, id).Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		caseNotFound := gp.get("/cases/" + id)
		if caseNotFound.Code != http.StatusNotFound {
			t.Fatalf("the GP reads the case page: %d", caseNotFound.Code)
		}
		paths := []string{"/timeline"}
		for _, a := range workspaceAreas {
			paths = append(paths, "/"+a.Slug)
		}
		for _, p := range paths {
			before := audits()
			rec := gp.get("/cases/" + id + p)
			if normalised(rec, id) != normalised(caseNotFound, id) {
				t.Errorf("the GP's %s differs from the case page's 404: %d", p, rec.Code)
			}
			if audits() != before+1 {
				t.Errorf("the GP's %s was not audited", p)
			}
			before = audits()
			if rec := sw.get("/cases/" + id + p); rec.Code == http.StatusOK && audits() <= before { // the NRM area also lists the documents, a read of its own
				t.Errorf("the social worker's read of %s was not audited", p)
			}
		}
	})
}

// The timeline says when each thing happened (the concern when the child
// was seen, the contact when it arrived) and when it was recorded, and
// keeps, on a plain GET form, the entries of one area or one person.
func TestTheTimelineFiltersByAreaAndPerson(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		id := e.raiseCase()
		v := e.p.SocialWorker
		if _, err := e.svc.RecordContact(context.Background(), v, id, 1, "phone", ""); err != nil {
			t.Fatal(err)
		}
		supportAct(e, v, id, pathway.AddNote{Text: "Spoke to the school nurse."})
		sw := e.browser()
		sw.signIn(v.User.Email)

		all := sw.get("/cases/" + id + "/timeline").Body.String()
		for _, want := range []string{`id="entry-1"`, `id="entry-2"`, `id="entry-3"`, "Happened <time", "; recorded <time", `<form method="get" action="/cases/` + id + `/timeline"`} {
			if !strings.Contains(all, want) {
				t.Errorf("the timeline does not show %q", want)
			}
		}
		identified := e.clock.Now().Add(-2 * time.Hour).In(pathway.London).Format("2 January 2006 at 3:04pm")
		if !strings.Contains(all, identified) {
			t.Errorf("the concern's entry does not say it happened when the child was seen (%s)", identified)
		}

		byArea := sw.get("/cases/" + id + "/timeline?" + url.Values{"area": {"children-services"}}.Encode()).Body.String()
		if !strings.Contains(byArea, `id="entry-2"`) || strings.Contains(byArea, `id="entry-1"`) || strings.Contains(byArea, `id="entry-3"`) {
			t.Error("filtered to Children's Services, the timeline does not keep only the contact")
		}
		if !strings.Contains(byArea, "Showing 1 of 3 entries") || !strings.Contains(byArea, `<option value="children-services" selected>`) {
			t.Error("the filtered timeline does not say what it shows, or forgets the choice")
		}
		byPerson := sw.get("/cases/" + id + "/timeline?" + url.Values{"person": {e.p.Teacher.User.ID}}.Encode()).Body.String()
		if !strings.Contains(byPerson, `id="entry-1"`) || strings.Contains(byPerson, `id="entry-2"`) || strings.Contains(byPerson, `id="entry-3"`) {
			t.Error("filtered to the teacher, the timeline does not keep only their concern")
		}
	})
}

// A case without a reference still has a title of its own.
func TestCasesWithoutAReferenceHaveUniqueTitles(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		a, b := e.raiseCase(), e.raiseCase()
		sw := e.browser()
		sw.signIn("social.worker@cs.example")
		ta, tb := pageTitle(sw.get("/cases/"+a).Body.String()), pageTitle(sw.get("/cases/"+b).Body.String())
		if ta == tb || !strings.Contains(ta, "no reference yet") {
			t.Errorf("two cases without a reference are titled %q and %q", ta, tb)
		}
		if tm := pageTitle(sw.get("/cases/" + a + "/meetings").Body.String()); !strings.HasPrefix(tm, "Meetings – ") || !strings.Contains(tm, a[:8]) {
			t.Errorf("the meetings page of a case is titled %q", tm)
		}
	})
}

// Success and overdue banners do not stack: after a save, only the success
// shows; the team-wide overdue banner is never inside the page's main.
func TestOneBannerAtATime(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		id := e.raiseCase()
		e.clock.Set(e.clock.Now().Add(72 * time.Hour)) // the contact is overdue
		sw := e.browser()
		sw.signIn("social.worker@cs.example")
		page := sw.get("/cases/" + id).Body.String()
		main := page[strings.Index(page, `<main`):]
		if !strings.Contains(page, "wm-overdue-title") || strings.Contains(main, "wm-overdue-title") {
			t.Error("the overdue banner is missing, or inside the case's own content")
		}
		saved := sw.get("/cases/" + id + "?done=note").Body.String()
		if !strings.Contains(saved, "govuk-notification-banner--success") || strings.Contains(saved, "wm-overdue-title") {
			t.Error("after a save the success and overdue banners both show")
		}
	})
}
