package web

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"waymark/internal/casework"
	"waymark/internal/nrm"
	"waymark/internal/store"
	"waymark/internal/storetest"
)

const (
	teacherWords = "TEACHER-WORDS she sleeps on the floor above the takeaway."
	gpWords      = "GP-WORDS a man called Dee waits in a silver van."
)

// contributedCase is the outsider case (the team's hidden work, the GP
// invited to a meeting) to which the teacher who raised the concern and the
// GP have each given information for the NRM referral (§8.5).
func (e *testEnv) contributedCase() outsiderCase {
	e.t.Helper()
	oc := e.outsiderCase(true)
	for email, body := range map[string]map[string]any{
		"dsl@northfield.example":   {"topic": "living-conditions", "text": teacherWords},
		"doctor@riverside.example": {"topic": "exploiters", "text": gpWords},
	} {
		tok := e.signInAPI(email)
		body["expectedVersion"] = e.versionAs(tok, oc.ID)
		if rec := e.api("POST", "/api/v1/cases/"+oc.ID+"/actions/"+contributeSlug, tok, body); rec.Code != http.StatusOK {
			e.t.Fatalf("%s contributing: %d %s", email, rec.Code, rec.Body)
		}
	}
	return oc
}

// §6.5, §8.5: the contributor's page shows the questions asked of them and
// their own words, and none of the team's work, nor another contributor's.
func TestTheContributorsPageShowsTheirOwnWordsAndNoneOfTheTeamsWork(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		oc := e.contributedCase()
		sw := e.browser()
		sw.signIn("social.worker@cs.example")
		if rec := sw.post("/cases/"+oc.ID+"/nrm-draft/exploitation", url.Values{"csrf_token": {sw.csrf("/cases/" + oc.ID + "/nrm-draft/exploitation")},
			"living-conditions": {"DRAFT-ANSWER foster placement"}, "version-living-conditions": {"0"}, "shown-living-conditions": {"x"}}); rec.Code != http.StatusSeeOther {
			t.Fatalf("the team's draft save: %d", rec.Code)
		}
		for who, c := range map[string]struct {
			email, own, other string
		}{"referrer": {"dsl@northfield.example", teacherWords, gpWords}, "invitee": {"doctor@riverside.example", gpWords, teacherWords}} {
			b := e.browser()
			b.signIn(c.email)
			page := b.get("/cases/" + oc.ID + "/nrm")
			if page.Code != http.StatusOK {
				t.Fatalf("%s: their NRM page: %d", who, page.Code)
			}
			body := html.UnescapeString(page.Body.String())
			if !strings.Contains(body, c.own) || !strings.Contains(body, "How the exploiters treated the child") {
				t.Errorf("%s: their page does not show their words and the questions asked of them", who)
			}
			invitedFrom := map[string]string{"referrer": "/concern", "invitee": "/meetings"}[who]
			if page := b.get("/cases/" + oc.ID + invitedFrom).Body.String(); !strings.Contains(page, `href="/cases/`+oc.ID+`/actions/`+contributeSlug+`"`) {
				t.Errorf("%s: %s does not invite them to give information", who, invitedFrom)
			}
			mustNotShow(t, who+"'s pages", html.UnescapeString(workspace(b, oc.ID)), append(teamSecrets, c.other, "DRAFT-ANSWER", "nrm-draft", "nrm-contributions")...)
			var apiCase struct {
				NRM *struct {
					Contributions []struct{ Text string }
					Submission    any
				}
			}
			decodeInto(t, e.api("GET", "/api/v1/cases/"+oc.ID, e.signInAPI(c.email), nil), &apiCase)
			if apiCase.NRM == nil || len(apiCase.NRM.Contributions) != 1 || apiCase.NRM.Contributions[0].Text != c.own {
				t.Errorf("%s: the API shows them %+v, want their own contribution only", who, apiCase.NRM)
			}
			// The team's pages of contributions do not exist for them (404, not 403).
			for _, path := range []string{"/nrm-contributions", "/nrm-contributions/1/edit?field=living-conditions"} {
				if rec := b.get("/cases/" + oc.ID + path); rec.Code != http.StatusNotFound {
					t.Errorf("%s: %s answers %d, want 404", who, path, rec.Code)
				}
			}
		}
		stranger := e.browser()
		stranger.signIn("colleague@northfield.example")
		if rec := stranger.get("/cases/" + oc.ID + "/nrm-contributions"); rec.Code != http.StatusNotFound {
			t.Errorf("someone outside the case: %d, want 404", rec.Code)
		}
	})
}

// §8.5: the lead First Responder's team sees each contribution beside the
// question it answers, who gave it and when, and "Use this answer" saves it
// into the draft through the draft's own form.
func TestTheTeamUsesAContributionFromBesideItsQuestion(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		oc := e.contributedCase()
		sw := e.browser()
		sw.signIn("social.worker@cs.example")
		if page := sw.get("/cases/" + oc.ID + "/nrm").Body.String(); !strings.Contains(page, `href="/cases/`+oc.ID+`/nrm-contributions"`) {
			t.Fatal("the team's NRM page does not link the contributions")
		}
		list := html.UnescapeString(sw.get("/cases/" + oc.ID + "/nrm-contributions").Body.String())
		for _, want := range []string{teacherWords, gpWords, "Northfield Academy", "Their living conditions", "Who exploited them"} {
			if !strings.Contains(list, want) {
				t.Errorf("the contributions page does not show %q", want)
			}
		}
		section := sw.get("/cases/" + oc.ID + "/nrm-draft/exploitation")
		page := section.Body.String()
		if !strings.Contains(html.UnescapeString(page), teacherWords) || strings.Contains(html.UnescapeString(page), gpWords) {
			t.Fatal("the draft's section does not show the teacher's words beside living conditions, or shows the GP's")
		}
		// The button belongs to a form of its own after the draft's, so
		// that Enter in the draft still means Continue.
		m := regexp.MustCompile(`<form id="(wm-use-[^"]+)" method="post" action="([^"]+)"`).FindStringSubmatch(page)
		if m == nil || !strings.Contains(page, `form="`+m[1]+`">Use this answer`) {
			t.Fatal("no Use this answer button on the draft")
		}
		use := html.UnescapeString(m[2])
		rec := sw.post(use, url.Values{"csrf_token": {hiddenInput(page, "csrf_token")}})
		if rec.Code != http.StatusSeeOther || !strings.Contains(rec.Header().Get("Location"), "/nrm-draft/exploitation") {
			t.Fatalf("using the answer: %d %s", rec.Code, rec.Header().Get("Location"))
		}
		after := html.UnescapeString(sw.get("/cases/" + oc.ID + "/nrm-draft/exploitation").Body.String())
		if !strings.Contains(after, ">"+teacherWords+"</textarea>") || !strings.Contains(after, "Used in 'Their living conditions' (version 1), as given") {
			t.Error("the draft's answer is not the teacher's words, or the use is not shown")
		}
		// Used as given, their words go after the answer as it is now: from
		// a page read before, nothing saved meanwhile is lost, and words
		// already there are not added twice.
		if _, err := e.svc.SaveNRMDraft(context.Background(), e.p.SocialWorker, oc.ID, nrm.Referral, []casework.NRMFieldSave{{Field: "living-conditions", Value: "SAVED-MEANWHILE\n\n" + teacherWords, ExpectedVersion: 1}}); err != nil {
			t.Fatal(err)
		}
		if rec = sw.post(use, url.Values{"csrf_token": {hiddenInput(page, "csrf_token")}}); rec.Code != http.StatusSeeOther {
			t.Fatalf("using it again: %d", rec.Code)
		}
		again := html.UnescapeString(sw.get("/cases/" + oc.ID + "/nrm-draft/exploitation").Body.String())
		if !strings.Contains(again, ">SAVED-MEANWHILE\n\n"+teacherWords+"</textarea>") {
			t.Error("using it again lost what was saved meanwhile, or added the words twice")
		}
		// Edited from a page read before a save: a conflict, shown to edit again.
		edit := html.UnescapeString(regexp.MustCompile(`href="([^"]+/edit\?[^"]+)"`).FindStringSubmatch(page)[1])
		editPage := sw.get(edit).Body.String()
		action := html.UnescapeString(regexp.MustCompile(`<form method="post" action="([^"]+/use\?[^"]+)"`).FindStringSubmatch(editPage)[1])
		if _, err := e.svc.SaveNRMDraft(context.Background(), e.p.SocialWorker, oc.ID, nrm.Referral, []casework.NRMFieldSave{{Field: "living-conditions", Value: "NEWER", ExpectedVersion: 2}}); err != nil {
			t.Fatal(err)
		}
		rec = sw.post(action, url.Values{"csrf_token": {hiddenInput(editPage, "csrf_token")}, "answer": {"MY EDIT"}})
		if rec.Code != http.StatusConflict || !strings.Contains(rec.Body.String(), "Someone else saved") || !strings.Contains(rec.Body.String(), "NEWER") {
			t.Errorf("a stale edit: %d", rec.Code)
		}
	})
}

// §8.7, §6.5: what arrives after the referral was sent is shown to the team
// as further information for the Home Office, never offered for the draft;
// its giver is not shown how the team filed it.
func TestAContributionAfterTheSubmissionIsForFurtherInformation(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		oc := e.outsiderCase(true)
		sw := e.signInAPI("social.worker@cs.example")
		if rec := e.api("POST", "/api/v1/cases/"+oc.ID+"/actions/nrm-submit", sw, map[string]any{"expectedVersion": e.versionAs(sw, oc.ID),
			"submittedAt": e.clock.Now().Add(-time.Hour), "via": "online-form", "reasonWithoutMeeting": "About to be moved.", "declarationMade": true, "explainedToChild": "explained", "explainedToCarer": "explained"}); rec.Code != http.StatusOK {
			t.Fatalf("submitting: %d %s", rec.Code, rec.Body)
		}
		gp := e.signInAPI("doctor@riverside.example")
		if rec := e.api("POST", "/api/v1/cases/"+oc.ID+"/actions/"+contributeSlug, gp, map[string]any{"expectedVersion": e.versionAs(gp, oc.ID),
			"topic": "exploiters", "text": gpWords}); rec.Code != http.StatusOK {
			t.Fatalf("the GP contributing after the submission: %d %s", rec.Code, rec.Body)
		}
		team := e.browser()
		team.signIn("social.worker@cs.example")
		page := html.UnescapeString(team.get("/cases/" + oc.ID + "/nrm").Body.String())
		if !strings.Contains(page, "Information received after the referral was sent") || !strings.Contains(page, gpWords) ||
			strings.Contains(page, `href="/cases/`+oc.ID+`/nrm-contributions"`) {
			t.Error("the team's NRM page does not show the late contribution as further information, or offers it for the draft")
		}
		if strings.Contains(team.get("/cases/"+oc.ID+"/nrm-draft/exploiters").Body.String(), ">Use this answer") {
			t.Error("the sent referral's draft offers the late contribution")
		}
		b := e.browser()
		b.signIn("doctor@riverside.example")
		// The GP, a meeting invitee, is told the referral went (pathway/invitee_nrm.go), but not how the team filed their words.
		mustNotShow(t, "the GP's pages", workspace(b, oc.ID), "after the referral was sent", "Use this answer")
	})
}
