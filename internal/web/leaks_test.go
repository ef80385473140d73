package web

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"waymark/internal/pathway"
	"waymark/internal/store"
	"waymark/internal/storetest"
)

// /assets/ serves files, never a listing of what is there.
func TestAssetsDoNotListDirectories(t *testing.T) {
	e := newEnv(t, storetest.SQLite(t))
	for _, path := range []string{"/assets/", "/assets/images/", "/assets/images", "/assets/./", "/assets/images/../"} {
		rec := e.serve(httpGet(path))
		if rec.Code == http.StatusOK || strings.Contains(rec.Body.String(), "govuk.css") || strings.Contains(rec.Body.String(), "<pre>") {
			t.Errorf("GET %s: %d, %q: a directory was listed", path, rec.Code, firstLine(rec.Body.String()))
		}
	}
	if rec := e.serve(httpGet("/assets/")); rec.Code != http.StatusNotFound {
		t.Errorf("GET /assets/: %d, want 404", rec.Code)
	}
	if rec := e.serve(httpGet("/assets/govuk.css")); rec.Code != http.StatusOK {
		t.Errorf("GET /assets/govuk.css: %d, want the file", rec.Code)
	}
}

func httpGet(path string) *http.Request {
	r, _ := http.NewRequest("GET", "http://waymark.test"+path, nil)
	return r
}

func firstLine(s string) string {
	l, _, _ := strings.Cut(s, "\n")
	return l
}

// Served over TLS, every cookie Waymark sets is a __Host- cookie (Secure,
// Path=/, no Domain), and only that name is accepted: a cookie planted under
// the plain name by a sibling subdomain or a plain-HTTP page opens nothing.
// On the plain-HTTP demo, where browsers refuse __Host- cookies, the plain
// names stay.
func TestSessionCookieUsesTheHostPrefixWhenSecure(t *testing.T) {
	for _, secure := range []bool{false, true} {
		t.Run(map[bool]string{false: "plain", true: "secure"}[secure], func(t *testing.T) {
			e := newEnv(t, storetest.SQLite(t), func(c *Config) { c.SecureCookie = secure })
			b := e.browser()
			first := b.post("/sign-in", url.Values{"email": {"dsl@northfield.example"}, "password": {storetest.Password}})
			rec := b.post("/sign-in/code", url.Values{"code": {e.code("dsl@northfield.example")}, "next": {"/"}})
			var set []*http.Cookie
			set = append(set, first.Result().Cookies()...)
			set = append(set, rec.Result().Cookies()...)
			prefix := map[bool]string{false: "", true: "__Host-"}[secure]
			names := map[string]bool{}
			for _, c := range set {
				names[c.Name] = true
				if !strings.HasPrefix(c.Name, prefix) || (secure && (!c.Secure || c.Path != "/" || c.Domain != "")) {
					t.Errorf("cookie %s: Secure=%v Path=%q Domain=%q; want the %q prefix, Secure, Path=/ and no Domain", c.Name, c.Secure, c.Path, c.Domain, prefix)
				}
				if !secure && strings.HasPrefix(c.Name, "__Host-") {
					t.Errorf("cookie %s on plain HTTP: browsers would refuse it", c.Name)
				}
			}
			if !names[prefix+sessionCookie] || !names[prefix+challengeCookie] {
				t.Fatalf("cookies set: %v, want %s and %s", names, prefix+sessionCookie, prefix+challengeCookie)
			}
			token := b.cookies[prefix+sessionCookie].Value
			if rec := b.get("/cases"); rec.Code != http.StatusOK {
				t.Fatalf("signed in, /cases answers %d", rec.Code)
			}
			if secure {
				// The same token under the plain name is not read.
				planted := e.browser()
				planted.cookies[sessionCookie] = &http.Cookie{Name: sessionCookie, Value: token}
				if rec := planted.get("/cases"); rec.Code != http.StatusSeeOther {
					t.Errorf("a plain-named session cookie opened /cases: %d", rec.Code)
				}
			}
		})
	}
}

// leakCase is a case whose log is: the concern (1), a team note (2), the
// contact (3), another team note (4). The referrer sees 1 and 3.
func (e *testEnv) leakCase() string {
	e.t.Helper()
	ctx := context.Background()
	id := e.raiseCase()
	if err := e.svc.Act(ctx, e.p.CSWorker, id, 1, pathway.AddNote{Text: "Checked with the police: known to them."}); err != nil {
		e.t.Fatal(err)
	}
	if _, err := e.svc.RecordContact(ctx, e.p.CSWorker, id, 2, "phone", "Called the school back."); err != nil {
		e.t.Fatal(err)
	}
	if err := e.svc.Act(ctx, e.p.CSWorker, id, 3, pathway.AddNote{Text: "Strategy discussion booked."}); err != nil {
		e.t.Fatal(err)
	}
	return id
}

type timelineJSON struct {
	Version  int
	Timeline []struct {
		Seq      int
		Type     string
		Corrects int
	}
}

func (e *testEnv) caseAs(token, id string) timelineJSON {
	e.t.Helper()
	rec := e.api("GET", "/api/v1/cases/"+id, token, nil)
	var out timelineJSON
	decodeInto(e.t, rec, &out)
	return out
}

// A referrer's timeline is numbered 1, 2, 3… over what they can see, and
// the version they are given counts only that; their changes are checked
// against it, so the team's hidden work neither shows nor makes them stale.
func TestAReferrerSeesNoGapsInTheTimelineAndNoTeamVersion(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		id := e.leakCase()
		teacher := e.signInAPI("dsl@northfield.example")
		team := e.signInAPI("social.worker@cs.example")

		got := e.caseAs(teacher, id)
		if got.Version != 2 || len(got.Timeline) != 2 || got.Timeline[0].Seq != 1 || got.Timeline[1].Seq != 2 || got.Timeline[1].Type != pathway.EventContactRecorded {
			t.Fatalf("the referrer's case (API): version %d, timeline %+v; want version 2, entries 1 and 2", got.Version, got.Timeline)
		}
		if tm := e.caseAs(team, id); tm.Version != 4 || len(tm.Timeline) != 4 || tm.Timeline[3].Seq != 4 {
			t.Fatalf("the team's case: version %d, %d entries", tm.Version, len(tm.Timeline))
		}
		// The list gives no version at all.
		if list := e.api("GET", "/api/v1/cases", teacher, nil).Body.String(); strings.Contains(list, `"version"`) {
			t.Errorf("the case list carries a version: %s", list)
		}

		// The page: entries 1 and 2, nothing numbered 3 or 4, and the form's version is theirs.
		b := e.browser()
		b.signIn("dsl@northfield.example")
		page := b.get("/cases/" + id + "/timeline").Body.String()
		if !strings.Contains(page, `id="entry-1"`) || !strings.Contains(page, `id="entry-2"`) || strings.Contains(page, `id="entry-3"`) || strings.Contains(page, `id="entry-4"`) {
			t.Errorf("the referrer's timeline is not numbered 1, 2")
		}
		if v := hiddenInput(b.get("/cases/"+id+"/actions/note").Body.String(), "version"); v != "2" {
			t.Errorf("the referrer's note form carries version %q, want 2", v)
		}

		// Acting on their version works; hidden team work since does not make it stale…
		if rec := e.api("POST", "/api/v1/cases/"+id+"/actions/note", teacher, map[string]any{"expectedVersion": 2, "text": "She has been absent today."}); rec.Code != http.StatusOK {
			t.Fatalf("a note on the referrer's version: %d %s", rec.Code, rec.Body)
		}
		if err := e.svc.Act(context.Background(), e.p.CSWorker, id, 5, pathway.AddNote{Text: "Police visited."}); err != nil {
			t.Fatal(err)
		}
		if got := e.caseAs(teacher, id); got.Version != 3 || got.Timeline[2].Seq != 3 {
			t.Fatalf("after their note and a hidden one: version %d, %+v", got.Version, got.Timeline)
		}
		if rec := e.api("POST", "/api/v1/cases/"+id+"/actions/note", teacher, map[string]any{"expectedVersion": 3, "text": "Back at school."}); rec.Code != http.StatusOK {
			t.Fatalf("a note after hidden team work: %d %s", rec.Code, rec.Body)
		}
		// …while a change they could see does, and the team's own version is refused.
		for _, v := range []int{3, 7, 8} {
			mustProblem(t, e.api("POST", "/api/v1/cases/"+id+"/actions/note", teacher, map[string]any{"expectedVersion": v, "text": "Again."}), http.StatusConflict)
		}
	})
}

// Through the API, as through the pathway: the referrer's entry 2 is the
// contact, and entries beyond what they see are refused as if absent.
func TestACorrectionAgainstAHiddenEntryIsRefusedAsNotFound(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		id := e.leakCase()
		teacher := e.signInAPI("dsl@northfield.example")
		correct := func(n int) *httptest.ResponseRecorder {
			return e.api("POST", "/api/v1/cases/"+id+"/actions/correct-entry", teacher, map[string]any{
				"expectedVersion": 2, "corrects": n, "what": "The time", "correction": "It was 9am", "reason": "Misread the register"})
		}
		before := e.saved()
		absent := mustProblem(t, correct(99), http.StatusUnprocessableEntity)
		for _, n := range []int{3, 4} { // the team's notes' stored numbers
			p := mustProblem(t, correct(n), http.StatusUnprocessableEntity)
			if p.Detail != absent.Detail || len(p.Errors) != 1 || p.Errors[0] != absent.Errors[0] {
				t.Errorf("correcting entry %d: %+v; want exactly the answer for entry 99: %+v", n, p, absent)
			}
		}
		if msg, _ := fieldErrorFor(absent, "corrects"); !strings.Contains(msg, "between 1 and 2") {
			t.Errorf("the refusal names the wrong range: %q", msg)
		}
		if after := e.saved(); after != before {
			t.Fatalf("a refused correction saved something")
		}
		if rec := correct(2); rec.Code != http.StatusOK {
			t.Fatalf("correcting the referrer's entry 2: %d %s", rec.Code, rec.Body)
		}
		tm := e.caseAs(e.signInAPI("social.worker@cs.example"), id)
		last := tm.Timeline[len(tm.Timeline)-1]
		if last.Type != pathway.EventCorrectionRecorded || last.Corrects != 3 {
			t.Errorf("the team sees the correction as %+v; want it to correct stored entry 3, the contact", last)
		}
		if mine := e.caseAs(teacher, id); mine.Timeline[len(mine.Timeline)-1].Corrects != 2 {
			t.Errorf("the referrer sees their correction as correcting %d, want their entry 2", mine.Timeline[len(mine.Timeline)-1].Corrects)
		}
	})
}
