package web

import (
	"context"
	"html"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"waymark"
	"waymark/internal/access"
	"waymark/internal/pathway"
	"waymark/internal/store"
	"waymark/internal/storetest"
)

// busyNoteForm is a server whose writes wait 50 ms for SQLite's write lock,
// with the path of its file (to lock it from a second connection), a case,
// and email's API token and browser, signed in, at the case's note form:
// its version and CSRF token.
func busyNoteForm(t *testing.T, email string) (e *testEnv, file, id, token string, b *browser, version, csrf string) {
	t.Helper()
	db, file := storetest.SQLiteWith(t, store.OpenOptions{BusyWait: 50 * time.Millisecond})
	e = newEnv(t, db)
	id = e.raiseCase()
	token = e.signInAPI(email)
	b = e.browser()
	b.signIn(email)
	return e, file, id, token, b, strconv.Itoa(e.caseVersion(id, token)), b.csrf("/cases/" + id + "/actions/note")
}

// While another process holds the database's write lock for longer than a
// write waits (a second serve or a command on the same SQLite file), every
// request that must write, a case page's audit entry included, is answered
// 503 "Waymark is busy" with Retry-After: a GOV.UK error page for people, a
// problem document with code "busy" for the API. Not a 500 whose request
// reference sends someone to their administrator, nor "someone else saved
// first" (nobody did). Nothing is saved, and once the lock is free the same
// requests go through.
func TestAWriteKeptFromTheLockIsAnsweredBusyAndCanBeTriedAgain(t *testing.T) {
	e, file, id, token, b, version, csrf := busyNoteForm(t, "dsl@northfield.example")
	halfway := e.browser() // past the password, at the code
	if rec := halfway.post("/sign-in", url.Values{"email": {"social.worker@cs.example"}, "password": {storetest.Password}, "next": {"/"}}); !strings.Contains(rec.Body.String(), `action="/sign-in/code"`) {
		t.Fatalf("the password step: %d %s", rec.Code, rec.Body)
	}
	before := e.saved()

	release := storetest.HoldWriteLock(t, file)
	rec := e.api("GET", "/api/v1/cases/"+id, token, nil)
	if p := mustProblem(t, rec, http.StatusServiceUnavailable); p.Code != waymark.EBUSY || p.Detail != store.ErrBusy.Message {
		t.Errorf("API read while busy: code %q detail %q", p.Code, p.Detail)
	}
	if ra := rec.Header().Get("Retry-After"); ra != busyRetryAfter {
		t.Errorf("API read while busy: Retry-After %q, want %q", ra, busyRetryAfter)
	}

	page := b.get("/cases/" + id)
	body := page.Body.String()
	if page.Code != http.StatusServiceUnavailable || !strings.Contains(body, "Waymark is busy") || !strings.Contains(body, "Try again in a moment") {
		t.Errorf("case page while busy: %d, want 503 with the busy heading and message:\n%s", page.Code, body)
	}
	if page.Header().Get("Retry-After") != busyRetryAfter {
		t.Errorf("case page while busy: Retry-After %q", page.Header().Get("Retry-After"))
	}
	if strings.Contains(body, "Someone else saved first") || strings.Contains(body, "contact your administrator") {
		t.Errorf("case page while busy reads as a clash or an internal error:\n%s", body)
	}

	note := url.Values{"csrf_token": {csrf}, "version": {version}, "text": {"Spoke to the child's aunt."}}
	if rec := b.post("/cases/"+id+"/actions/note", note); rec.Code != http.StatusServiceUnavailable {
		t.Errorf("a note while busy: %d, want 503:\n%s", rec.Code, rec.Body)
	}

	other := e.browser()
	signIn := other.signInWith(url.Values{"email": {"social.worker@cs.example"}, "password": {storetest.Password}, "next": {"/"}})
	if signIn.Code != http.StatusServiceUnavailable || !strings.Contains(signIn.Body.String(), store.ErrBusy.Message[:20]) ||
		inputValue(signIn.Body.String(), "email") != "social.worker@cs.example" {
		t.Errorf("signing in while busy: %d, want 503 with the busy notice and the email address kept:\n%s", signIn.Code, signIn.Body)
	}
	if strings.Contains(signIn.Body.String(), "govuk-error-summary") {
		t.Errorf("signing in while busy marks what was typed as wrong:\n%s", signIn.Body)
	}
	code := halfway.post("/sign-in/code", url.Values{"code": {e.code("social.worker@cs.example")}, "next": {"/"}})
	if code.Code != http.StatusServiceUnavailable || !strings.Contains(code.Body.String(), `action="/sign-in/code"`) ||
		!strings.Contains(code.Body.String(), "govuk-error-summary") || strings.Contains(code.Body.String(), "govuk-form-group--error") {
		t.Errorf("the code while busy: %d, want 503 with the code page again, the busy message in its summary and no field marked:\n%s", code.Code, code.Body)
	}
	release()

	if rec := halfway.post("/sign-in/code", url.Values{"code": {e.code("social.worker@cs.example")}, "next": {"/"}}); rec.Code != http.StatusSeeOther || halfway.cookies[sessionCookie] == nil {
		t.Errorf("the code once the lock was free: %d, want 303 and a session:\n%s", rec.Code, rec.Body)
	}
	if after := e.saved(); after != before {
		t.Errorf("saved while busy: %+v, want %+v", after, before)
	}
	if rec := b.post("/cases/"+id+"/actions/note", note); rec.Code != http.StatusSeeOther {
		t.Errorf("the same note once the lock was free: %d, want 303:\n%s", rec.Code, rec.Body)
	}
	if rec := e.api("GET", "/api/v1/cases/"+id, token, nil); rec.Code != http.StatusOK {
		t.Errorf("the same API read once the lock was free: %d", rec.Code)
	}
}

// hiddenFields reads the busy page's form: its action and every hidden
// input, unescaped, in order.
func hiddenFields(t *testing.T, page string) (action string, form url.Values) {
	t.Helper()
	main := page[max(0, strings.Index(page, "<main")):] // not the header's sign-out form
	m := regexp.MustCompile(`(?s)<form method="post" action="([^"]*)" novalidate>(.*?)</form>`).FindStringSubmatch(main)
	if m == nil {
		t.Fatalf("the busy page has no form to send again:\n%s", page)
	}
	form = url.Values{}
	for _, f := range regexp.MustCompile(`<input type="hidden" name="([^"]*)" value="([^"]*)">`).FindAllStringSubmatch(m[2], -1) {
		form.Add(html.UnescapeString(f[1]), html.UnescapeString(f[2]))
	}
	return html.UnescapeString(m[1]), form
}

// Noting a session's use is a write. A person whose session was last used
// over a minute ago, meeting a busy database, is not signed out: a page is
// answered busy and the session stands. A form they post comes back on the
// busy page with every answer in it, and its Try again button sends them
// again once the lock is free: a long note is not lost to a moment's lock.
func TestABusyDatabaseNeitherSignsAPersonOutNorLosesWhatTheyTyped(t *testing.T) {
	e, file, id, _, b, version, csrf := busyNoteForm(t, "front.door@cs.example")
	e.clock.Advance(2 * time.Minute) // the session's next use is noted
	text := "Spoke to the child's aunt at 4pm.\nShe said <the boy> & his cousin \"went to London\"."

	release := storetest.HoldWriteLock(t, file)
	page := b.get("/cases/" + id)
	if page.Code != http.StatusServiceUnavailable || b.cookies[sessionCookie] == nil {
		t.Fatalf("a page while busy, the session to be noted: %d (Location %q), session cookie kept %v; want 503 and the cookie",
			page.Code, page.Header().Get("Location"), b.cookies[sessionCookie] != nil)
	}
	busy := b.post("/cases/"+id+"/actions/note", url.Values{"csrf_token": {csrf}, "version": {version}, "text": {text}})
	body := busy.Body.String()
	if busy.Code != http.StatusServiceUnavailable || !strings.Contains(body, "Waymark is busy") || !strings.Contains(body, "Try again") {
		t.Fatalf("a note while busy: %d, want 503 and the busy page with Try again:\n%s", busy.Code, body)
	}
	if busy.Header().Get("Retry-After") != busyRetryAfter {
		t.Errorf("the busy page: Retry-After %q", busy.Header().Get("Retry-After"))
	}
	action, carried := hiddenFields(t, body)
	if action != "/cases/"+id+"/actions/note" || carried.Get("text") != text || carried.Get("version") != version || carried.Get("csrf_token") != csrf {
		t.Fatalf("the busy page carries %q to %q; want the note, its version and the form's token, to the same address", carried, action)
	}
	release()

	if rec := b.post(action, carried); rec.Code != http.StatusSeeOther {
		t.Fatalf("Try again once the lock was free: %d\n%s", rec.Code, rec.Body)
	}
	if got := b.get("/cases/" + id + "/people").Body.String(); !strings.Contains(got, html.EscapeString(text)) { // notes are on the people and notes page
		t.Errorf("the note sent again is not on the case, whole and as typed")
	}
}

// A password or a one-time code is never written back into a page: the
// busy page carries the rest and says it will be asked for again.
func TestTheBusyPageCarriesNoPasswordOrCode(t *testing.T) {
	db, file := storetest.SQLiteWith(t, store.OpenOptions{BusyWait: 50 * time.Millisecond})
	e := newEnv(t, db)
	b := e.browser()
	b.signIn("dsl@northfield.example")
	csrf := b.csrf("/account/tokens")
	e.clock.Advance(2 * time.Minute)
	release := storetest.HoldWriteLock(t, file)
	rec := b.post("/account/tokens", url.Values{"csrf_token": {csrf}, "name": {"Nightly export"}, "confirm": {storetest.Password}, "code": {"123456"}})
	release()
	body := rec.Body.String()
	if rec.Code != http.StatusServiceUnavailable {
		t.Fatalf("busy: %d\n%s", rec.Code, body)
	}
	_, carried := hiddenFields(t, body)
	if strings.Contains(body, storetest.Password) || carried.Has("confirm") || carried.Has("code") || carried.Get("name") != "Nightly export" {
		t.Errorf("the busy page carries %q: want the name, and neither the password nor the code", carried)
	}
	if !strings.Contains(body, "you will be asked for that again") {
		t.Errorf("the busy page does not say the password will be asked for again:\n%s", body)
	}
}

// A new user setting up two-step verification who meets a busy database
// keeps their place: the same code works once the lock is free.
func TestABusySetUpOfTwoStepVerificationKeepsThePersonsPlace(t *testing.T) {
	db, file := storetest.SQLiteWith(t, store.OpenOptions{BusyWait: 50 * time.Millisecond})
	e := newEnv(t, db)
	hash, err := access.HashPassword(storetest.Password, storetest.FastArgon)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Update(context.Background(), func(tx *store.Tx) error {
		return tx.InsertUser(store.User{ID: "user-new", OrgID: e.p.School.ID, Email: "new@northfield.example", Name: "Nia New",
			Role: pathway.RolePractitioner, PasswordHash: hash, CreatedAt: e.clock.Now()})
	}); err != nil {
		t.Fatal(err)
	}
	b := e.browser()
	setUp := b.post("/sign-in", url.Values{"email": {"new@northfield.example"}, "password": {storetest.Password}, "next": {"/"}})
	m := regexp.MustCompile(`otpauth://totp/[^"]*secret=([A-Z2-7]+)`).FindStringSubmatch(html.UnescapeString(setUp.Body.String()))
	if m == nil {
		t.Fatalf("no set-up page after the password: %d", setUp.Code)
	}
	code, err := access.TOTP(m[1], e.clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	release := storetest.HoldWriteLock(t, file)
	busy := b.post("/sign-in/set-up", url.Values{"code": {code}, "next": {"/"}})
	release()
	if busy.Code != http.StatusServiceUnavailable || b.cookies[challengeCookie] == nil {
		t.Fatalf("set-up while busy: %d, sign-in kept %v; want 503 and the sign-in kept", busy.Code, b.cookies[challengeCookie] != nil)
	}
	if rec := b.post("/sign-in/set-up", url.Values{"code": {code}, "next": {"/"}}); rec.Code != http.StatusOK || b.cookies[sessionCookie] == nil {
		t.Errorf("the same code once the lock was free: %d, signed in %v", rec.Code, b.cookies[sessionCookie] != nil)
	}
}

// A sign-in the database was too busy to take checked nothing, so it does
// not count against the address's limit of failed sign-ins: a client that
// waits its Retry-After and tries again is not then refused 429.
func TestBusySignInsDoNotSpendTheAddressesLimit(t *testing.T) {
	db, file := storetest.SQLiteWith(t, store.OpenOptions{BusyWait: 50 * time.Millisecond})
	e := newEnv(t, db)
	e.srv.limits.SignInPerIP = e.limiter(3)
	good := url.Values{"email": {"dsl@northfield.example"}, "password": {storetest.Password}, "next": {"/"}}
	release := storetest.HoldWriteLock(t, file)
	for range 4 {
		if rec := e.serve(fromAddress(formRequest("/sign-in", good), "203.0.113.7")); rec.Code != http.StatusServiceUnavailable {
			t.Fatalf("a sign-in while busy: %d, want 503", rec.Code)
		}
	}
	release()
	if rec := e.serve(fromAddress(formRequest("/sign-in", good), "203.0.113.7")); rec.Code != http.StatusOK {
		t.Errorf("the right password once the lock was free: %d (Retry-After %q), want the code page", rec.Code, rec.Header().Get("Retry-After"))
	}
}

// A back-channel logout the database was too busy to record ended nothing,
// so the provider is told to send it again (503, Retry-After), not that
// the server failed; sent again once the lock is free, it signs the person
// out.
func TestABusyBackChannelLogoutAsksTheProviderToSendItAgain(t *testing.T) {
	db, file := storetest.SQLiteWith(t, store.OpenOptions{BusyWait: 50 * time.Millisecond})
	e, p := ssoEnv(t, db)
	b, _, _ := ssoSignInWithAPIToken(t, e)
	tok := logoutToken(p, e.clock.Now(), nil)
	release := storetest.HoldWriteLock(t, file)
	rec := e.serve(formRequest("/sign-in/sso/backchannel-logout", url.Values{"logout_token": {tok}}))
	release()
	if rec.Code != http.StatusServiceUnavailable || rec.Header().Get("Retry-After") == "" || !strings.Contains(rec.Body.String(), "temporarily_unavailable") {
		t.Fatalf("a back-channel logout while busy: %d %q %s; want 503 temporarily_unavailable with Retry-After", rec.Code, rec.Header().Get("Retry-After"), rec.Body)
	}
	if rec := e.serve(formRequest("/sign-in/sso/backchannel-logout", url.Values{"logout_token": {tok}})); rec.Code != http.StatusOK {
		t.Fatalf("the same logout token sent again once the lock was free: %d %s", rec.Code, rec.Body)
	}
	if rec := b.get("/cases"); rec.Code != http.StatusSeeOther {
		t.Errorf("after the logout sent again, the session: %d", rec.Code)
	}
}

// A request one of whose writes went in before a busy refusal (the page
// that follows a save, whose own audit entry could not be written) says
// the change was saved and offers no Try again: sending it again would save
// it twice.
func TestABusyAnswerAfterAWriteWentInSaysItWasSavedAndOffersNoTryAgain(t *testing.T) {
	db, _ := storetest.SQLiteWith(t, store.OpenOptions{BusyWait: 50 * time.Millisecond})
	e := newEnv(t, db)
	r := httptest.NewRequest("POST", "/account/tokens", strings.NewReader("name=Nightly"))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	r = r.WithContext(store.NoteCommits(r.Context()))
	fail := func() string {
		rec := httptest.NewRecorder()
		e.srv.failErr(rec, r, store.ErrBusy)
		if rec.Code != http.StatusServiceUnavailable {
			t.Fatalf("busy: %d", rec.Code)
		}
		return rec.Body.String()
	}
	if page := fail(); !strings.Contains(page, "Try again") {
		t.Fatalf("before any write went in, the busy page offers no Try again:\n%s", page)
	}
	if err := db.Update(r.Context(), func(tx *store.Tx) error { return nil }); err != nil {
		t.Fatal(err)
	}
	page := fail()
	if strings.Contains(page, "Try again") || strings.Contains(page, `name="name"`) || !strings.Contains(page, "Your change has been saved") {
		t.Errorf("after a write went in, the busy page offers to send it again, or does not say it was saved:\n%s", page)
	}
}

// Signing out while the database is busy signs the browser out all the
// same, whether or not the session's use was to be noted first: a person
// at a shared computer walks away believing they have.
func TestSigningOutWhileBusySignsTheBrowserOut(t *testing.T) {
	for _, stale := range []bool{false, true} {
		e, file, _, _, b, _, _ := busyNoteForm(t, "front.door@cs.example")
		csrf := b.csrf("/account/tokens")
		if stale {
			e.clock.Advance(2 * time.Minute)
		}
		release := storetest.HoldWriteLock(t, file)
		rec := b.post("/sign-out", url.Values{"csrf_token": {csrf}})
		release()
		if rec.Code != http.StatusSeeOther || b.cookies[sessionCookie] != nil {
			t.Errorf("signing out while busy (session to be noted first: %v): %d, session cookie kept %v; want 303 and no cookie", stale, rec.Code, b.cookies[sessionCookie] != nil)
		}
		if rec := b.get("/cases"); rec.Code != http.StatusSeeOther {
			t.Errorf("after signing out while busy: /cases %d, want 303 to sign in", rec.Code)
		}
	}
}

// Answers kept across signing in again that the database was too busy to
// give back are said to be still kept, not lost, and a reload once the lock
// is free shows them.
func TestKeptAnswersABusyDatabaseCouldNotGiveBackAreStillKept(t *testing.T) {
	e, file, id, _, b, _, _ := busyNoteForm(t, "front.door@cs.example")
	form := b.get("/cases/" + id + "/actions/note").Body.String()
	e.expire()
	signIn := b.postAfterExpiry("/cases/"+id+"/actions/note", url.Values{"csrf_token": {hiddenInput(form, "csrf_token")},
		"version": {hiddenInput(form, "version")}, "text": {"The child disclosed a second address"}})
	loc := b.signInWith(url.Values{"email": {"front.door@cs.example"}, "password": {storetest.Password},
		"next": {hiddenInput(signIn, "next")}, "resume": {hiddenInput(signIn, "resume")}}).Header().Get("Location")
	release := storetest.HoldWriteLock(t, file)
	busy := b.get(loc).Body.String()
	release()
	if strings.Contains(busy, "no longer kept") || !strings.Contains(busy, "They are still kept") {
		t.Errorf("kept answers while busy: the page says they are lost, or does not say they are still kept:\n%s", busy)
	}
	if again := b.get(loc).Body.String(); !strings.Contains(again, "second address") {
		t.Errorf("the kept answers after a reload once the lock was free are not shown")
	}
}

// A form too long to read, refused as busy, cannot be carried: the plain
// busy page says to go back, rather than a page that claims to keep what
// was sent and carries nothing.
func TestAFormTooLongToCarryGetsThePlainBusyPage(t *testing.T) {
	e, file, id, _, b, version, csrf := busyNoteForm(t, "front.door@cs.example")
	e.clock.Advance(2 * time.Minute)
	release := storetest.HoldWriteLock(t, file)
	rec := b.post("/cases/"+id+"/actions/note", url.Values{"csrf_token": {csrf}, "version": {version}, "text": {strings.Repeat("A", 2<<20)}})
	release()
	body := rec.Body.String()
	if rec.Code != http.StatusServiceUnavailable || strings.Contains(body, "kept on this page") || !strings.Contains(body, "Go back to the form") {
		t.Errorf("a form too long to carry, while busy: %d\n%s", rec.Code, body)
	}
}

// The API likewise: a command whose change went in before a busy refusal
// of its answer (the case read back) is answered busy_saved, which says not
// to send it again, never busy, which says nothing was saved.
func TestTheAPISaysAChangeSavedBeforeABusyRefusalWasSaved(t *testing.T) {
	db, _ := storetest.SQLiteWith(t, store.OpenOptions{BusyWait: 50 * time.Millisecond})
	e := newEnv(t, db)
	r := httptest.NewRequest("POST", "/api/v1/cases", nil)
	r = r.WithContext(store.NoteCommits(context.WithValue(r.Context(), keyRequestID, "4f1c2a9be07d3356")))
	answer := func() problemDoc {
		rec := httptest.NewRecorder()
		rec.Header().Set("X-Request-Id", "4f1c2a9be07d3356") // as the middleware sets it
		e.srv.problemErr(rec, r, store.ErrBusy)
		return mustProblem(t, rec, http.StatusServiceUnavailable)
	}
	if p := answer(); p.Code != waymark.EBUSY {
		t.Fatalf("before any write went in: code %q, want busy", p.Code)
	}
	if err := db.Update(r.Context(), func(tx *store.Tx) error { return nil }); err != nil {
		t.Fatal(err)
	}
	if p := answer(); p.Code != codeBusySaved || !strings.Contains(p.Detail, "Do not send the change again") {
		t.Errorf("after the change went in: code %q, detail %q; want busy_saved", p.Code, p.Detail)
	}
}
