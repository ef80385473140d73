package web

import (
	"html"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"waymark/internal/store"
	"waymark/internal/storetest"
)

// expire lets the browser's session run past the idle time-out.
func (e *testEnv) expire() { e.clock.Advance(e.svc.SessionIdle + time.Minute) }

// postAfterExpiry posts a form whose session has ended, and returns the
// sign-in page it answers with.
func (b *browser) postAfterExpiry(path string, form url.Values) string {
	b.e.t.Helper()
	rec := b.post(path, form)
	body := rec.Body.String()
	if rec.Code != http.StatusUnauthorized || !strings.Contains(body, "Sign in to Waymark") {
		b.e.t.Fatalf("POST %s after the session ended: %d\n%s", path, rec.Code, body)
	}
	if !strings.Contains(body, "your answers have not been saved yet") || !keptID(hiddenInput(body, "resume")) {
		b.e.t.Fatalf("the sign-in page after POST %s does not say the answers are kept: resume=%q", path, hiddenInput(body, "resume"))
	}
	if strings.Contains(body, "Amira") || strings.Contains(body, "second address") {
		b.e.t.Errorf("the sign-in page carries the answers themselves, not only their id")
	}
	return body
}

// signInAgain signs in from the sign-in page the expired POST showed and
// follows the redirect back to the form.
func (b *browser) signInAgain(email, signInPage string) (location, page string) {
	b.e.t.Helper()
	rec := b.signInWith(url.Values{"email": {email}, "password": {storetest.Password}, "next": {hiddenInput(signInPage, "next")}, "resume": {hiddenInput(signInPage, "resume")}})
	if rec.Code != http.StatusSeeOther {
		b.e.t.Fatalf("signing in again: %d\n%s", rec.Code, rec.Body)
	}
	location = rec.Header().Get("Location")
	got := b.get(location)
	if got.Code != http.StatusOK {
		b.e.t.Fatalf("GET %s after signing in again: %d\n%s", location, got.Code, got.Body)
	}
	return location, got.Body.String()
}

// A case note typed while the session ran out is not lost, and not saved
// behind the worker's back: after signing in again the form shows it, says
// it is not saved yet, and only submitting it again adds it (§7.5: notes
// protect the child's account).
func TestACaseNoteTypedAfterTheSessionEndedIsShownAgainAfterSigningIn(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		id := e.raiseCase()
		b := e.browser()
		b.signIn("front.door@cs.example")
		form := b.get("/cases/" + id + "/actions/note").Body.String()
		csrf, version := hiddenInput(form, "csrf_token"), hiddenInput(form, "version")
		note := "The child disclosed a second address <in Leeds> & a phone number"

		e.expire()
		before := e.saved()
		signIn := b.postAfterExpiry("/cases/"+id+"/actions/note", url.Values{"csrf_token": {csrf}, "version": {version}, "text": {note}})
		if hiddenInput(signIn, "next") != "/cases/"+id+"/actions/note" {
			t.Errorf("next = %q", hiddenInput(signIn, "next"))
		}
		if after := e.saved(); after != before {
			t.Errorf("the note was written to the case before signing in again:\n before %+v\n after  %+v", before, after)
		}

		loc, page := b.signInAgain("front.door@cs.example", signIn)
		if !strings.HasPrefix(loc, "/cases/"+id+"/actions/note?restore=") {
			t.Errorf("signing in again went to %q", loc)
		}
		if !strings.Contains(page, html.EscapeString(note)+"</textarea>") {
			t.Fatalf("the note form does not show the typed note:\n%s", page)
		}
		if !strings.Contains(page, "They have not been saved yet") {
			t.Errorf("the form does not say the answers are not saved yet")
		}
		if after := e.saved(); after != before {
			t.Errorf("signing in again wrote to the case")
		}

		// Given back once: reloading shows an empty form and says so.
		again := b.get(loc).Body.String()
		if strings.Contains(again, "second address") || !strings.Contains(again, "no longer kept") {
			t.Errorf("the answers were given back a second time")
		}

		// Submitting the restored form, with its fresh CSRF token, adds the note.
		rec := b.post("/cases/"+id+"/actions/note", url.Values{"csrf_token": {hiddenInput(page, "csrf_token")}, "version": {hiddenInput(page, "version")}, "text": {note}})
		if rec.Code != http.StatusSeeOther {
			t.Fatalf("submitting the restored note: %d\n%s", rec.Code, rec.Body)
		}
		if view := b.get("/cases/" + id + "/people").Body.String(); !strings.Contains(view, html.EscapeString(note)) { // notes are on the people and notes page
			t.Errorf("the case does not show the note after it was submitted again")
		}
	})
}

// Another person who signs in at the same browser never sees the answers:
// they are deleted unseen.
func TestAnswersKeptAfterTheSessionEndedAreNeverShownToSomeoneElse(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		id := e.raiseCase()
		b := e.browser()
		b.signIn("front.door@cs.example")
		form := b.get("/cases/" + id + "/outcome").Body.String()
		e.expire()
		signIn := b.postAfterExpiry("/cases/"+id+"/outcome", url.Values{"csrf_token": {hiddenInput(form, "csrf_token")}, "version": {hiddenInput(form, "version")}, "nextStep": {"Visit with the second address in mind"}})

		_, page := b.signInAgain("dsl@northfield.example", signIn) // the teacher, at the same computer
		if strings.Contains(page, "second address") {
			t.Fatalf("another person saw the answers")
		}
		if n := e.count("saved_answers"); n != 0 {
			t.Errorf("%d kept answers remain after someone else signed in with their id", n)
		}
	})
}

// The concern journey: a page posted after the session ended is shown
// again with its answers after signing in, not yet saved to the draft.
func TestAConcernPagePostedAfterTheSessionEndedIsShownAgainAfterSigningIn(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		b := e.browser()
		b.signIn("dsl@northfield.example")
		draft, csrf := b.newDraft()

		e.clock.Advance(45 * time.Minute) // a long phone call: past the 30 idle minutes
		signIn := b.postAfterExpiry("/concerns/"+draft+"/child", childAnswers(e.clock.Now(), csrf, "1"))
		if b.cookies[sessionCookie] != nil {
			t.Errorf("the ended session's cookie was not cleared")
		}
		if v, given, _, _ := e.draftChild(draft); v != 1 || given != "" {
			t.Errorf("the answers were saved before signing in again: version %d, %q", v, given)
		}
		// A wrong password first keeps the answers' id on the page.
		wrong := b.signInWith(url.Values{"email": {"dsl@northfield.example"}, "password": {"wrong"}, "next": {hiddenInput(signIn, "next")}, "resume": {hiddenInput(signIn, "resume")}})
		if hiddenInput(wrong.Body.String(), "resume") != hiddenInput(signIn, "resume") {
			t.Errorf("a mistyped password lost the answers")
		}
		_, page := b.signInAgain("dsl@northfield.example", signIn)
		if inputValue(page, "givenNames") != "Amira" || inputValue(page, "currentLocation") != "School medical room with the school nurse" {
			t.Errorf("the child page does not show the typed answers: %q, %q", inputValue(page, "givenNames"), inputValue(page, "currentLocation"))
		}
		if _, given, _, _ := e.draftChild(draft); given != "" {
			t.Errorf("signing in again saved the answers to the draft: %q", given)
		}
	})
}

// Without a session ever signed in at the browser, a POST keeps nothing:
// no one can fill the store from outside.
func TestAFormPostedWithNoSessionKeepsNothing(t *testing.T) {
	e := newEnv(t, storetest.SQLite(t))
	id := e.raiseCase()
	rec := e.browser().post("/cases/"+id+"/actions/note", url.Values{"text": {"x"}})
	if rec.Code != http.StatusUnauthorized || hiddenInput(rec.Body.String(), "resume") != "" || e.count("saved_answers") != 0 {
		t.Errorf("an anonymous POST: %d, resume %q, %d kept", rec.Code, hiddenInput(rec.Body.String(), "resume"), e.count("saved_answers"))
	}
}

// A second form posted from another tab, after the first found the session
// ended, is kept for the same person.
func TestASecondTabsFormIsKeptForTheSamePerson(t *testing.T) {
	e := newEnv(t, storetest.SQLite(t))
	id := e.raiseCase()
	b := e.browser()
	b.signIn("front.door@cs.example")
	note := b.get("/cases/" + id + "/actions/note").Body.String()
	contact := b.get("/cases/" + id + "/contact").Body.String()
	e.expire()
	b.postAfterExpiry("/cases/"+id+"/actions/note", url.Values{"csrf_token": {hiddenInput(note, "csrf_token")}, "text": {"first tab"}})
	signIn := b.postAfterExpiry("/cases/"+id+"/contact", url.Values{"csrf_token": {hiddenInput(contact, "csrf_token")}, "method": {"phone"}, "note": {"second tab"}})
	_, page := b.signInAgain("front.door@cs.example", signIn)
	if !strings.Contains(page, "second tab</textarea>") {
		t.Errorf("the second tab's contact form does not show its answers")
	}
}

// Passwords and one-use codes are never kept: break-glass asks for one to
// confirm the person, and it is typed again.
func TestPasswordsAreNeverKept(t *testing.T) {
	for _, name := range []string{"password", "confirmPassword", "confirm", "code", "csrf_token", "token"} {
		if !neverKept(name) {
			t.Errorf("%s would be kept", name)
		}
	}
	for _, name := range []string{"text", "reason", "postcode", "note"} {
		if neverKept(name) {
			t.Errorf("%s would not be kept", name)
		}
	}
}

// Every signed-in page says when the session will end, without script,
// and carries the warning dialog; "Stay signed in" extends the session.
func TestEveryPageWarnsBeforeTheSessionEndsAndStayingSignedInExtendsIt(t *testing.T) {
	e := newEnv(t, storetest.SQLite(t))
	b := e.browser()
	b.signIn("front.door@cs.example")
	home := b.get("/").Body.String()
	if !strings.Contains(home, "you will be signed out at") || !strings.Contains(home, `id="wm-timeout"`) || !strings.Contains(home, `data-warn-before="300"`) {
		t.Fatalf("the home page has no time-out warning:\n%s", home)
	}
	csrf := hiddenInput(home, "csrf_token")
	e.clock.Advance(27 * time.Minute)
	req := httptest.NewRequest("POST", "/session/stay", strings.NewReader(url.Values{"csrf_token": {csrf}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	rec := b.do(req)
	if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), `"endsInSeconds": 1800`) {
		t.Fatalf("staying signed in: %d %s", rec.Code, rec.Body)
	}
	e.clock.Advance(27 * time.Minute) // 54 minutes after signing in, 27 after staying
	if got := b.get("/"); got.Code != http.StatusOK {
		t.Errorf("the session ended although the person chose to stay signed in: %d", got.Code)
	}
	// Without the CSRF token, nothing is extended.
	if rec := b.post("/session/stay", url.Values{}); rec.Code != http.StatusForbidden {
		t.Errorf("staying signed in without the CSRF token: %d", rec.Code)
	}
}

// Break-glass (§6.5): the reason typed before the session ended comes back
// on the form, with the case it named; the password typed to confirm does
// not, and must be typed again.
func TestABreakGlassReasonIsKeptButNotThePasswordThatConfirmsIt(t *testing.T) {
	e := newEnv(t, storetest.SQLite(t))
	id := e.raiseCase()
	gp := e.browser()
	gp.signIn("doctor@riverside.example")
	csrf := gp.csrf("/break-glass?case=" + id)
	e.expire()
	reason := "The child is at the surgery now and says he cannot go home tonight"
	signIn := gp.postAfterExpiry("/break-glass", url.Values{"csrf_token": {csrf}, "case": {id}, "reason": {reason}, "confirm": {storetest.Password}})
	if strings.Contains(signIn, storetest.Password) {
		t.Errorf("the sign-in page carries the password")
	}
	loc, page := gp.signInAgain("doctor@riverside.example", signIn)
	if !strings.HasPrefix(loc, "/break-glass?case="+id+"&restore=") {
		t.Errorf("signing in again went to %q", loc)
	}
	if !strings.Contains(page, html.EscapeString(reason)+"</textarea>") || inputValue(page, "case") != id {
		t.Errorf("the break-glass form does not show the reason and the case")
	}
	if strings.Contains(page, storetest.Password) || inputValue(page, "confirm") != "" {
		t.Errorf("the password typed to confirm came back")
	}
	if n := e.count("break_glass_grants"); n != 0 {
		t.Errorf("%d grants after signing in again: the answers were applied", n)
	}
}

// Signing in again through single sign-on carries the kept answers' id to
// the form as the password sign-in does.
func TestSingleSignOnCarriesKeptAnswersBackToTheForm(t *testing.T) {
	e, _ := ssoEnv(t, storetest.SQLite(t))
	id := e.raiseCase()
	b := e.browser()
	b.signIn("front.door@cs.example")
	csrf := b.csrf("/cases/" + id + "/actions/note")
	e.expire()
	signIn := b.postAfterExpiry("/cases/"+id+"/actions/note", url.Values{"csrf_token": {csrf}, "text": {"typed"}})
	kept := hiddenInput(signIn, "resume")
	m := regexp.MustCompile(`href="(/sign-in/sso\?next=[^"]*)"`).FindStringSubmatch(signIn)
	if m == nil {
		t.Fatalf("the sign-in page has no single sign-on link")
	}
	start := html.UnescapeString(m[1])
	u, _ := url.Parse(start)
	if want := "/cases/" + id + "/actions/note?restore=" + kept; u.Query().Get("next") != want {
		t.Fatalf("the single sign-on link goes back to %q, want %q", u.Query().Get("next"), want)
	}
	done := ssoRoundTrip(t, b, start)
	if !strings.Contains(html.UnescapeString(done.Body.String()), `href="/cases/`+id+`/actions/note?restore=`+kept+`"`) {
		t.Errorf("after single sign-on the page does not continue to the form with the kept answers:\n%s", done.Body)
	}
}
