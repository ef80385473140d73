package web

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"waymark/internal/store"
	"waymark/internal/storetest"
)

// TestNoOneOutsideTheTeamsLearnsOfAnEarlierRecord: the administrator, the
// referrer of the new concern and a worker on neither case get nothing of
// either case from the earlier-records, links, entities and network routes,
// pages or API (issue 14 §1, §6.5).
func TestNoOneOutsideTheTeamsLearnsOfAnEarlierRecord(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		e := newLinkEnv(t, db)
		south := e.browser()
		south.signIn(e.south)
		page := south.get("/cases/" + e.again + "/earlier-records").Body.String()
		m := askAction.FindStringSubmatch(page)
		if m == nil {
			t.Fatalf("no Ask to link form:\n%s", page)
		}
		handle := strings.TrimSuffix(m[1][strings.LastIndex(strings.TrimSuffix(m[1], "/link"), "/")+1:], "/link")
		secrets := []string{e.first, e.firstRef, "Amira", handle}

		admin := e.signInAPI(e.p.CSAdmin.User.Email)
		for _, path := range []string{"/api/v1/cases/" + e.again + "/earlier-records", "/api/v1/cases/" + e.again + "/links", "/api/v1/cases/" + e.first + "/links", "/api/v1/cases/" + e.again + "/entities", "/api/v1/network"} {
			rec := e.api("GET", path, admin, nil)
			if rec.Code == http.StatusOK {
				t.Errorf("the administrator reads %s: %s", path, rec.Body)
			}
			for _, s := range secrets {
				if strings.Contains(rec.Body.String(), s) {
					t.Errorf("the administrator's %s shows %q", path, s)
				}
			}
		}
		ab := e.browser()
		ab.signIn(e.p.CSAdmin.User.Email)
		for _, path := range []string{"/cases/" + e.again + "/earlier-records", "/cases/" + e.first + "/earlier-records", "/cases/" + e.again + "/entities", "/network"} {
			rec := ab.get(path)
			if rec.Code == http.StatusOK {
				t.Errorf("the administrator opens %s", path)
			}
		}
		if rec := ab.post(m[1], url.Values{"csrf_token": {ab.csrf("/")}, "field": {"reason-1"}, "reason-1": {"probe"}}); rec.Code != http.StatusNotFound {
			t.Errorf("the administrator replaying a handle: %d", rec.Code)
		}

		// The teacher referred both concerns: the case page shows them no
		// earlier record, and the API refuses them.
		tb := e.browser()
		tb.signIn(e.p.Teacher.User.Email)
		rec := tb.get("/cases/" + e.again)
		if strings.Contains(rec.Body.String(), "earlier record") || askAction.MatchString(rec.Body.String()) {
			t.Errorf("the referrer's case page speaks of an earlier record")
		}
		if rec := tb.post(m[1], url.Values{"csrf_token": {tb.csrf("/cases/" + e.again)}, "field": {"reason-1"}, "reason-1": {"probe"}}); rec.Code == http.StatusSeeOther {
			t.Errorf("the referrer asked for a link with the team's handle")
		}

		// A worker on the earlier case only: the new case's route is
		// not found, whatever the handle.
		north := e.signInAPI(e.p.SocialWorker.User.Email)
		for _, h := range []string{handle, "forged", strings.Repeat("a", 5000)} {
			mustProblem(t, e.api("POST", "/api/v1/cases/"+e.again+"/earlier-records/"+h+"/link", north, map[string]any{"reason": "probe"}), http.StatusNotFound)
		}
		// The handle shown for one case names nothing from another.
		southAPI := e.signInAPI(e.south)
		mustProblem(t, e.api("POST", "/api/v1/cases/"+e.first+"/earlier-records/"+handle+"/link", southAPI, map[string]any{"reason": "probe"}), http.StatusNotFound)
	})
}

// TestALinkRequestWithABadBodySavesNothing: a reason of the wrong type, a
// text-direction override, control characters or a reason far too long are
// refused as problem documents, and no request reaches either case.
func TestALinkRequestWithABadBodySavesNothing(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		e := newLinkEnv(t, db)
		tok := e.signInAPI(e.south)
		var out struct {
			EarlierRecords []struct{ Handle string }
		}
		decodeInto(t, e.api("GET", "/api/v1/cases/"+e.again+"/earlier-records", tok, nil), &out)
		if len(out.EarlierRecords) == 0 {
			t.Fatal("no earlier record")
		}
		path := "/api/v1/cases/" + e.again + "/earlier-records/" + out.EarlierRecords[0].Handle + "/link"
		for _, body := range []any{`{"reason": 5}`, `{"reason": ["a"]}`, `{"reason": "a"`, `[]`, `{"reason": "ok", "extra": 1}`,
			map[string]any{"reason": "same child\u202e"}, map[string]any{"reason": "same\x00child"}, map[string]any{"reason": strings.Repeat("x", 200000)}, ``} {
			rec := e.api("POST", path, tok, body)
			if rec.Code < 400 || rec.Code >= 500 {
				t.Errorf("body %.40v: %d %s", body, rec.Code, rec.Body)
			}
		}
		var links struct{ Asked []struct{ ID string } }
		decodeInto(t, e.api("GET", "/api/v1/cases/"+e.again+"/links", tok, nil), &links)
		if len(links.Asked) != 0 {
			t.Errorf("a refused body left a request: %+v", links.Asked)
		}
	})
}

// TestAfterUnlinkingNeitherTeamFindsTheOtherCaseAnywhere: once a link is
// undone, the other team's membership is gone from every way into a case:
// its pages, its exports, the case list and search (issue 14 §1, §6.5).
func TestAfterUnlinkingNeitherTeamFindsTheOtherCaseAnywhere(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		e := newLinkEnv(t, db)
		south := e.signInAPI(e.south)
		north := e.signInAPI(e.p.SocialWorker.User.Email)
		var out struct {
			EarlierRecords []struct{ Handle string }
		}
		decodeInto(t, e.api("GET", "/api/v1/cases/"+e.again+"/earlier-records", south, nil), &out)
		if len(out.EarlierRecords) == 0 {
			t.Fatal("no earlier record")
		}
		if rec := e.api("POST", "/api/v1/cases/"+e.again+"/earlier-records/"+out.EarlierRecords[0].Handle+"/link", south, map[string]any{"reason": "Same date of birth"}); rec.Code != http.StatusCreated {
			t.Fatalf("asking: %d %s", rec.Code, rec.Body)
		}
		var links struct {
			Received []struct{ ID string }
			Links    []struct{ ID string }
		}
		decodeInto(t, e.api("GET", "/api/v1/cases/"+e.first+"/links", north, nil), &links)
		if rec := e.api("POST", "/api/v1/cases/"+e.first+"/links/"+links.Received[0].ID+"/confirm", north, nil); rec.Code != http.StatusOK {
			t.Fatalf("confirming: %d %s", rec.Code, rec.Body)
		}
		sb, nb := e.browser(), e.browser()
		sb.signIn(e.south)
		nb.signIn(e.p.SocialWorker.User.Email)
		paths := func(id string) []string {
			return []string{"/cases/" + id, "/cases/" + id + "/timeline", "/cases/" + id + "/nrm-draft.txt", "/cases/" + id + "/earlier-records"}
		}
		if rec := sb.get("/cases/" + e.first + "/timeline"); rec.Code != http.StatusOK {
			t.Fatalf("linked, the new team cannot read the earlier history: %d", rec.Code)
		}
		if rec := e.api("POST", "/api/v1/cases/"+e.again+"/links/"+links.Received[0].ID+"/unlink", north, map[string]any{"reason": "Not the same child"}); rec.Code != http.StatusForbidden {
			t.Errorf("the earlier team, reading the new case as a linked team, unlinks through it: %d", rec.Code)
		}
		if rec := e.api("POST", "/api/v1/cases/"+e.first+"/links/"+links.Received[0].ID+"/unlink", north, map[string]any{"reason": "Not the same child"}); rec.Code != http.StatusOK {
			t.Fatalf("unlinking: %d %s", rec.Code, rec.Body)
		}
		for _, p := range paths(e.first) {
			if rec := sb.get(p); rec.Code != http.StatusNotFound {
				t.Errorf("unlinked, the new team GET %s: %d", p, rec.Code)
			}
		}
		for _, p := range paths(e.again) {
			if rec := nb.get(p); rec.Code != http.StatusNotFound {
				t.Errorf("unlinked, the earlier team GET %s: %d", p, rec.Code)
			}
		}
		for _, p := range []string{"/api/v1/cases", "/api/v1/cases?q=Hoxha", "/api/v1/cases/" + e.first, "/api/v1/cases/" + e.first + "/links"} {
			rec := e.api("GET", p, south, nil)
			if strings.Contains(rec.Body.String(), e.first) || strings.Contains(rec.Body.String(), e.firstRef) {
				t.Errorf("unlinked, the new team's %s names the earlier case: %s", p, rec.Body)
			}
		}
		for _, p := range []string{"/cases", "/cases?q=Hoxha", "/cases?q=" + e.firstRef} {
			if rec := sb.get(p); strings.Contains(rec.Body.String(), "/cases/"+e.first) {
				t.Errorf("unlinked, the new team's %s links to the earlier case", p)
			}
		}
	})
}
