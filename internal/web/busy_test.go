package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"waymark"
	"waymark/internal/store"
	"waymark/internal/storetest"
)

// While another process holds the database's write lock for longer than a
// write waits (a second serve or a command on the same SQLite file), every
// request that must write, a case page's audit entry included, is answered
// 503 "Waymark is busy" with Retry-After: a GOV.UK error page for people, a
// problem document with code "busy" for the API. Not a 500 whose request
// reference sends someone to their administrator, nor "someone else saved
// first" (nobody did). Nothing is saved, and once the lock is free the same
// requests go through.
func TestAWriteKeptFromTheLockIsAnsweredBusyAndCanBeTriedAgain(t *testing.T) {
	db, file := storetest.SQLiteWith(t, store.OpenOptions{BusyWait: 50 * time.Millisecond})
	e := newEnv(t, db)
	id := e.raiseCase()
	token := e.signInAPI("dsl@northfield.example")
	b := e.browser()
	b.signIn("dsl@northfield.example")
	version := strconv.Itoa(e.caseVersion(id, token))
	csrf := b.csrf("/cases/" + id + "/actions/note")
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
