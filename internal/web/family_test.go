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

// §1.2, annex: the team records, on its own page, that the family is now
// suspected; the case page then flags it, and the referrer's API view
// carries the flag too.
func TestFamilySuspicionIsRecordedLaterOnAPageAndFlaggedEverywhere(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		id := e.raiseCase()
		supportAct(e, e.p.CSWorker, id, pathway.RecordContact{Reference: "CS-2026-000901", Method: "phone"})
		b := e.browser()
		b.signIn(e.p.SocialWorker.User.Email)
		supportRoundTrip(t, b, id, "family-suspicion",
			url.Values{"answer": {"yes"}},
			url.Values{"answer": {"yes"}, "reason": {"The child said her aunt collects her earnings"}},
			"Enter why the answer is changing")
		page := b.get("/cases/" + id).Body.String()
		if !strings.Contains(page, "Family suspected") || strings.Contains(page, "Not flagged: missing, immediate risk, family suspected") {
			t.Errorf("the case page does not flag the family after the change:\n%s", page)
		}
		token := e.signInAPI(e.p.Teacher.User.Email)
		var got struct {
			Flags struct {
				FamilySuspected bool `json:"familySuspected"`
			} `json:"flags"`
			Family any `json:"family"`
		}
		decodeInto(t, e.api("GET", "/api/v1/cases/"+id, token, nil), &got)
		if !got.Flags.FamilySuspected {
			t.Errorf("the referrer's view of the case does not carry the family flag")
		}
		if got.Family != nil {
			t.Errorf("the referrer is shown the team's reasons: %v", got.Family)
		}
	})
}

// §1.2: through the API, "not known" is an answer of its own, and an answer
// that is none of the three is a problem document naming the answer.
func TestFamilyNotKnownIsAnAnswerOfItsOwnThroughTheAPI(t *testing.T) {
	e := newEnv(t, storetest.SQLite(t))
	id := e.raiseCase()
	supportAct(e, e.p.CSWorker, id, pathway.RecordContact{Reference: "CS-2026-000902", Method: "phone"})
	token := e.signInAPI(e.p.SocialWorker.User.Email)
	path := "/api/v1/cases/" + id + "/actions/family-suspicion"
	bad := e.api("POST", path, token, map[string]any{"expectedVersion": e.versionAs(token, id), "answer": "maybe", "reason": "Unsure"})
	if bad.Code != http.StatusUnprocessableEntity || !strings.Contains(bad.Header().Get("Content-Type"), "problem+json") || !strings.Contains(bad.Body.String(), `"field":"answer"`) {
		t.Fatalf("a wrong answer: %d %s", bad.Code, bad.Body)
	}
	ok := e.api("POST", path, token, map[string]any{"expectedVersion": e.versionAs(token, id), "answer": "unknown", "reason": "The police have not finished their checks"})
	if ok.Code != http.StatusOK {
		t.Fatalf("not known: %d %s", ok.Code, ok.Body)
	}
	var got struct {
		Flags struct {
			FamilySuspected bool `json:"familySuspected"`
			FamilyNotKnown  bool `json:"familyNotKnown"`
		} `json:"flags"`
		Family struct {
			Answer string `json:"answer"`
		} `json:"family"`
	}
	decodeInto(t, ok, &got)
	if got.Flags.FamilySuspected || !got.Flags.FamilyNotKnown || got.Family.Answer != "unknown" {
		t.Errorf("after not known: %+v", got)
	}
}
