package web

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"waymark/internal/store"
	"waymark/internal/storetest"
)

// §6.5: to a member of another organisation, and to an administrator, every page and answer the
// case workspace added is the answer for a case that does not exist: the
// same status, headers and body, whatever area, filter or slug is asked.
func TestAStrangerCannotTellAnExistingCaseFromNoneOnAnyWorkspacePage(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		id := e.raiseCase()
		none := strings.Map(func(r rune) rune {
			if r >= '0' && r <= '9' {
				return '0' + (r-'0'+5)%10
			}
			return r
		}, id)
		if none == id {
			t.Fatalf("case id %q has no digit to change", id)
		}
		suffixes := []string{"/timeline", "/timeline?area=nrm", "/timeline?person=user-social-worker&area=", "/no-such-area", "/nrm", "/decisions", "/people", "/abroad"}
		for _, a := range workspaceAreas {
			suffixes = append(suffixes, "/"+a.Slug)
		}
		// The GP is on no case; the administrator's organisation is
		// Children's Services, a member of every case, yet they see none.
		for _, email := range []string{"doctor@riverside.example", "admin@cs.example"} {
			b := e.browser()
			b.signIn(email)
			for _, s := range suffixes {
				there, absent := b.get("/cases/"+id+s), b.get("/cases/"+none+s)
				if there.Code != http.StatusNotFound || normalised(there, id) != normalised(absent, none) {
					t.Errorf("%s, %s: an existing case answers %d, none %d, and they differ", email, s, there.Code, absent.Code)
				}
			}
			token := e.signInAPI(email)
			there := e.api("GET", "/api/v1/cases/"+id+"/actions", token, nil)
			absent := e.api("GET", "/api/v1/cases/"+none+"/actions", token, nil)
			if there.Code != http.StatusNotFound || normalised(there, id) != normalised(absent, none) {
				t.Errorf("%s, /actions: an existing case answers %d %s, none %d %s", email, there.Code, there.Body, absent.Code, absent.Body)
			}
		}
	})
}

// §6.5: what the referrer is told they may do, and why not, is the same
// whether or not the team has done hidden work on the case (notes, a
// meeting they were not invited to, an action, an escalation): the reasons
// and the next step read only what the referrer sees.
func TestTheReferrersActionsSayNothingOfTheTeamsHiddenWork(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		hidden := e.outsiderCase(false).ID
		plain := e.raiseCase()
		cs := e.signInAPI("front.door@cs.example")
		for _, rec := range []*httptest.ResponseRecorder{
			e.api("POST", "/api/v1/cases/"+plain+"/contact", cs, map[string]any{"expectedVersion": e.versionAs(cs, plain), "method": "phone", "note": "x"}),
			e.api("POST", "/api/v1/cases/"+plain+"/outcome", cs, map[string]any{"expectedVersion": e.versionAs(cs, plain), "decision": "multi-agency-meeting", "nextStep": "x"}),
		} {
			if rec.Code != http.StatusOK {
				t.Fatalf("%d %s", rec.Code, rec.Body)
			}
		}
		teacher := e.signInAPI("dsl@northfield.example")
		answer := func(id string) string {
			rec := e.api("GET", "/api/v1/cases/"+id+"/actions", teacher, nil)
			if rec.Code != http.StatusOK {
				t.Fatalf("the referrer's actions: %d %s", rec.Code, rec.Body)
			}
			var doc map[string]any
			if err := json.Unmarshal(rec.Body.Bytes(), &doc); err != nil {
				t.Fatal(err)
			}
			delete(doc, "caseId")
			b, _ := json.MarshalIndent(doc, "", " ")
			return string(b)
		}
		if a, b := answer(hidden), answer(plain); a != b {
			t.Errorf("the referrer's actions differ with the team's hidden work:\n%s", firstDiff(a, b))
		}
		br := e.browser()
		br.signIn("dsl@northfield.example")
		nav := func(id string) string {
			body := br.get("/cases/" + id + "/timeline").Body.String()
			body = strings.ReplaceAll(body, id, "{id}")
			i := strings.Index(body, `<nav class="moj-side-navigation"`)
			if i < 0 {
				t.Fatalf("no case navigation on the referrer's timeline")
			}
			j := strings.Index(body[i:], "</nav>")
			return body[i : i+j]
		}
		if a, b := nav(hidden), nav(plain); a != b {
			t.Errorf("the referrer's area navigation differs with the team's hidden work:\n%s", firstDiff(a, b))
		}
	})
}

func firstDiff(a, b string) string {
	al, bl := strings.Split(a, "\n"), strings.Split(b, "\n")
	var out bytes.Buffer
	for i := range max(len(al), len(bl)) {
		var x, y string
		if i < len(al) {
			x = al[i]
		}
		if i < len(bl) {
			y = bl[i]
		}
		if x != y {
			out.WriteString("- " + x + "\n+ " + y + "\n")
		}
	}
	return out.String()
}
