package web

import (
	"context"
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

// childAnswers are the child page's answers for a 14-year-old; drop or
// change one to see one rule at work.
func childAnswers(now time.Time, csrf, version string) url.Values {
	return url.Values{
		"csrf_token": {csrf}, "version": {version},
		"givenNames": {"Amira"}, "familyName": {"Example"}, "aliases": {"Mimi"},
		"dateOfBirth-day": {"3"}, "dateOfBirth-month": {"2"}, "dateOfBirth-year": {now.AddDate(-14, 0, 0).Format("2006")},
		"gender": {"female"}, "nationality": {"Albanian"}, "languages": {"Albanian\nEnglish"},
		"currentLocation": {"School medical room with the school nurse"},
	}
}

// draftChild reads the draft's child answers as the use case sees them.
func (e *testEnv) draftChild(id string) (version int, given, nationality, location string) {
	e.t.Helper()
	d, a, err := e.svc.Draft(context.Background(), e.p.Teacher, id)
	if err != nil {
		e.t.Fatalf("reading draft %s: %v", id, err)
	}
	ch := a.Concern.Child
	return d.Version, ch.GivenNames, ch.Nationality, ch.CurrentLocation
}

// Every page, signed in or not, error or not, carries the security headers
// (the browser helper checks each HTML response it gets).
func TestEveryHTMLPageSendsSecurityHeaders(t *testing.T) {
	e := newEnv(t, storetest.SQLite(t))
	id := e.raiseCase()
	anon := e.browser()
	for _, path := range []string{"/sign-in", "/accessibility", "/privacy", "/no-such-page", "/cases/" + id} {
		rec := anon.get(path)
		if path == "/cases/"+id && rec.Code != http.StatusSeeOther {
			t.Errorf("GET %s signed out: %d, want a redirect to sign in", path, rec.Code)
		}
	}
	anon.signInWith(url.Values{"email": {"dsl@northfield.example"}, "password": {"wrong"}})

	teacher := e.browser()
	teacher.signIn("dsl@northfield.example")
	draft, _ := teacher.newDraft()
	pages := []string{"/", "/cases", "/cases?q=Amira", "/cases?q=", "/concerns/new", "/concerns/" + draft, "/cases/" + id, "/cases/0123456789abcdef01234567", "/inbox"}
	for _, st := range concernSteps {
		pages = append(pages, "/concerns/"+draft+"/"+st.Slug)
	}
	pages = append(pages, "/concerns/"+draft+"/check")
	for _, path := range pages {
		rec := teacher.get(path)
		if !strings.HasPrefix(rec.Header().Get("Content-Type"), "text/html") {
			t.Errorf("GET %s: Content-Type %q, want an HTML page", path, rec.Header().Get("Content-Type"))
		}
	}
	teacher.post("/concerns/"+draft+"/child", url.Values{"csrf_token": {"wrong"}})

	cs := e.browser()
	cs.signIn("front.door@cs.example")
	for _, path := range []string{"/inbox", "/cases/" + id, "/cases/" + id + "/contact", "/cases/" + id + "/outcome"} {
		if rec := cs.get(path); rec.Code != http.StatusOK {
			t.Errorf("Children's Services GET %s: %d", path, rec.Code)
		}
	}
	// The headers are on what is not HTML too.
	for _, path := range []string{"/healthz", "/api/v1/openapi.json", "/assets/waymark.js"} {
		rec := e.serve(httptest.NewRequest("GET", path, nil))
		if rec.Header().Get("X-Content-Type-Options") != "nosniff" || !strings.Contains(rec.Header().Get("Content-Security-Policy"), "frame-ancestors 'none'") {
			t.Errorf("GET %s lacks the security headers: %v", path, rec.Header())
		}
	}
}

// The session cookie cannot be read by script or sent cross-site, and is
// Secure whenever the service says it is served over TLS.
func TestSessionCookieIsHttpOnlyStrictAndSecureWhenConfigured(t *testing.T) {
	for _, secure := range []bool{false, true} {
		t.Run(map[bool]string{false: "plain", true: "secure"}[secure], func(t *testing.T) {
			e := newEnv(t, storetest.SQLite(t), func(c *Config) { c.SecureCookie = secure })
			rec := e.browser().signInWith(url.Values{"email": {"dsl@northfield.example"}, "password": {storetest.Password}})
			var c *http.Cookie
			for _, ck := range rec.Result().Cookies() {
				if ck.Name == e.srv.cookieName(sessionCookie) {
					c = ck
				}
			}
			if rec.Code != http.StatusSeeOther || c == nil {
				t.Fatalf("signing in: %d, cookies %v", rec.Code, rec.Result().Cookies())
			}
			if !c.HttpOnly || c.SameSite != http.SameSiteStrictMode || c.Path != "/" || c.Secure != secure {
				t.Errorf("session cookie HttpOnly=%v SameSite=%v Path=%q Secure=%v; want HttpOnly, Strict, /, Secure=%v", c.HttpOnly, c.SameSite, c.Path, c.Secure, secure)
			}
			if len(c.Value) < 40 {
				t.Errorf("session token %q is too short to be unguessable", c.Value)
			}

			// Signing out clears it with the same attributes.
			b := e.browser()
			b.cookies[c.Name] = c
			csrf := b.csrf("/concerns/new")
			out := b.post("/sign-out", url.Values{"csrf_token": {csrf}})
			var cleared *http.Cookie
			for _, ck := range out.Result().Cookies() {
				if ck.Name == e.srv.cookieName(sessionCookie) {
					cleared = ck
				}
			}
			if out.Code != http.StatusSeeOther || cleared == nil || cleared.MaxAge >= 0 || !cleared.HttpOnly || cleared.Secure != secure {
				t.Errorf("signing out: %d, cookie %+v", out.Code, cleared)
			}
			if rec := b.get("/cases"); rec.Code != http.StatusSeeOther {
				t.Errorf("the signed-out session still works: %d", rec.Code)
			}
		})
	}
}

func formRequest(path string, form url.Values) *http.Request {
	r := httptest.NewRequest("POST", path, strings.NewReader(form.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return r
}

// HSTS pins browsers to HTTPS: right behind TLS, wrong (and sticky) on a
// plain-HTTP development server.
func TestHSTSIsSentOnlyWhenCookiesAreSecure(t *testing.T) {
	for _, secure := range []bool{false, true} {
		e := newEnv(t, storetest.SQLite(t), func(c *Config) { c.SecureCookie = secure })
		for _, path := range []string{"/sign-in", "/healthz", "/api/v1/openapi.json"} {
			got := e.serve(httptest.NewRequest("GET", path, nil)).Header().Get("Strict-Transport-Security")
			if secure && !strings.HasPrefix(got, "max-age=") {
				t.Errorf("SecureCookie: GET %s has no HSTS", path)
			}
			if !secure && got != "" {
				t.Errorf("plain HTTP: GET %s sends HSTS %q", path, got)
			}
		}
	}
}

// A form posted without the session's CSRF token is refused before
// anything is saved.
func TestFormPostWithoutTheSessionCSRFTokenIsRefusedAndSavesNothing(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		id := e.raiseCase()
		teacher := e.browser()
		teacher.signIn("dsl@northfield.example")
		draft, csrf := teacher.newDraft()
		other := e.browser()
		other.signIn("colleague@northfield.example")
		othersToken := other.csrf("/concerns/new")

		before := e.saved()
		for name, token := range map[string]string{"no token": "", "wrong token": "x" + csrf, "another session's token": othersToken} {
			form := childAnswers(e.clock.Now(), token, "1")
			if token == "" {
				form.Del("csrf_token")
			}
			rec := teacher.post("/concerns/"+draft+"/child", form)
			if rec.Code != http.StatusForbidden || !strings.Contains(rec.Body.String(), "This form has expired") {
				t.Errorf("%s: %d, want 403 with the expired-form message", name, rec.Code)
			}
			if rec := teacher.post("/concerns", url.Values{"csrf_token": {token}}); rec.Code != http.StatusForbidden {
				t.Errorf("%s: starting a draft answered %d", name, rec.Code)
			}
		}
		if v, given, _, _ := e.draftChild(draft); v != 1 || given != "" {
			t.Errorf("the draft changed: version %d, given names %q", v, given)
		}

		cs := e.browser()
		cs.signIn("front.door@cs.example")
		rec := cs.post("/cases/"+id+"/contact", url.Values{"version": {"1"}, "method": {"phone"}})
		if rec.Code != http.StatusForbidden {
			t.Errorf("recording the contact without a token: %d", rec.Code)
		}
		if after := e.saved(); after != before {
			t.Errorf("refused forms changed what is saved: %+v → %+v", before, after)
		}
		// The same form with the token goes through, so the refusals were about the token.
		if rec := teacher.post("/concerns/"+draft+"/child", childAnswers(e.clock.Now(), csrf, "1")); rec.Code != http.StatusSeeOther {
			t.Errorf("the form with its token: %d %s", rec.Code, rec.Body)
		}
	})
}

// A POST that a browser marks as coming from another site is refused, for
// pages and the API alike, even with a valid session and token.
func TestCrossSitePostsAreRefused(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		teacher := e.browser()
		teacher.signIn("dsl@northfield.example")
		draft, csrf := teacher.newDraft()
		token := e.signInAPI("dsl@northfield.example")
		before := e.saved()

		teacher.header.Set("Sec-Fetch-Site", "cross-site")
		rec := teacher.post("/concerns/"+draft+"/child", childAnswers(e.clock.Now(), csrf, "1"))
		if rec.Code != http.StatusForbidden || !strings.Contains(rec.Body.String(), "another site") {
			t.Errorf("cross-site form post: %d", rec.Code)
		}
		if rec := teacher.signInWith(url.Values{"email": {"dsl@northfield.example"}, "password": {storetest.Password}}); rec.Code != http.StatusForbidden {
			t.Errorf("cross-site sign-in: %d", rec.Code)
		}
		// A GET from another site (a link) still works.
		if rec := teacher.get("/concerns/" + draft + "/child"); rec.Code != http.StatusOK {
			t.Errorf("cross-site GET: %d", rec.Code)
		}
		teacher.header.Del("Sec-Fetch-Site")

		// An Origin that is not this host, from an older browser.
		r := formRequest("/concerns/"+draft+"/child", childAnswers(e.clock.Now(), csrf, "1"))
		r.Header.Set("Origin", "https://evil.example")
		r.AddCookie(teacher.cookies[sessionCookie])
		if rec := e.serve(r); rec.Code != http.StatusForbidden {
			t.Errorf("post with a foreign Origin: %d", rec.Code)
		}

		api := httptest.NewRequest("POST", "/api/v1/cases", strings.NewReader(`{}`))
		api.Header.Set("Content-Type", "application/json")
		api.Header.Set("Authorization", "Bearer "+token)
		api.Header.Set("Sec-Fetch-Site", "cross-site")
		p := mustProblem(t, e.serve(api), http.StatusForbidden)
		if !strings.Contains(p.Detail, "another site") {
			t.Errorf("cross-site API post: %+v", p)
		}

		if v, given, _, _ := e.draftChild(draft); v != 1 || given != "" {
			t.Errorf("the draft changed: version %d, given names %q", v, given)
		}
		if after := e.saved(); after != before {
			t.Errorf("cross-site posts changed what is saved: %+v → %+v", before, after)
		}
	})
}

// A wrong password shows the GOV.UK error summary, and the title says Error:
// so screen reader users hear it first.
func TestSignInWithAWrongPasswordShowsAnErrorSummary(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		b := e.browser()
		rec := b.signInWith(url.Values{"email": {"dsl@northfield.example"}, "password": {"wrong"}, "next": {"/cases"}})
		body := rec.Body.String()
		if rec.Code != http.StatusUnauthorized {
			t.Errorf("status %d, want 401", rec.Code)
		}
		if !strings.Contains(body, "govuk-error-summary") || !strings.Contains(body, `<a href="#email">Enter a correct email address and password</a>`) {
			t.Errorf("no error summary linking to the email field:\n%s", body)
		}
		if title := pageTitle(body); !strings.HasPrefix(title, "Error: ") {
			t.Errorf("title %q does not start with Error:", title)
		}
		if inputValue(body, "email") != "dsl@northfield.example" || inputValue(body, "password") != "" || hiddenInput(body, "next") != "/cases" {
			t.Errorf("the form should keep the email address and where to go next, never the password")
		}
		if b.cookies[sessionCookie] != nil {
			t.Errorf("a wrong password set a session cookie")
		}
		// An address nobody has reads the same, so accounts cannot be discovered.
		unknown := b.signInWith(url.Values{"email": {"nobody@northfield.example"}, "password": {"wrong"}})
		if unknown.Code != rec.Code || !strings.Contains(unknown.Body.String(), "Enter a correct email address and password") {
			t.Errorf("an unknown address answers differently: %d", unknown.Code)
		}
		// Empty answers name each field.
		empty := b.signInWith(url.Values{"email": {""}, "password": {""}}).Body.String()
		if !strings.Contains(empty, `href="#email"`) || !strings.Contains(empty, `href="#password"`) {
			t.Errorf("empty sign-in does not link to both fields")
		}
	})
}

// After five wrong passwords from one address, that address waits before
// its next try, with a page that says how long; even the right password
// waits. Another address — the account's owner at their desk — does not.
func TestSignInFromOneAddressWaitsAfterFiveFailures(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		b := e.browser()
		wrong := url.Values{"email": {"doctor@riverside.example"}, "password": {"guess"}}
		for i := 1; i <= 5; i++ {
			if rec := b.signInWith(wrong); rec.Code != http.StatusUnauthorized {
				t.Fatalf("failure %d: %d", i, rec.Code)
			}
		}
		right := url.Values{"email": {"doctor@riverside.example"}, "password": {storetest.Password}}
		held := b.signInWith(right)
		if held.Code != http.StatusTooManyRequests || held.Header().Get("Retry-After") != "30" || !strings.Contains(held.Body.String(), "Wait 30 seconds") ||
			!strings.Contains(held.Body.String(), "govuk-error-summary") || b.cookies[sessionCookie] != nil {
			t.Errorf("the right password while held back: %d, Retry-After %q, cookie %v", held.Code, held.Header().Get("Retry-After"), b.cookies[sessionCookie])
		}
		checkPageHygiene(t, "throttled sign-in page", held)
		if rec := e.serve(fromAddress(formRequest("/sign-in", right), "198.51.100.9")); rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), "authenticator app") {
			t.Errorf("the right password from another address: %d, want on to the code step", rec.Code)
		}
		e.clock.Advance(30 * time.Second)
		if rec := b.signInWith(right); rec.Code != http.StatusSeeOther || b.cookies[sessionCookie] == nil {
			t.Errorf("the right password after the wait: %d", rec.Code)
		}
	})
}

// Someone who is not a member sees "Page not found", exactly as for a case
// that does not exist, and nothing about the child (§6.5).
func TestCasePageForANonMemberIsNotFoundAndDoesNotNameTheChild(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		id := e.raiseCase()
		requestRef := regexp.MustCompile(`<span class="wm-request-id">[0-9a-f]+</span>`)
		for _, who := range []string{"doctor@riverside.example", "colleague@northfield.example", "first.responder@police.example"} {
			b := e.browser()
			b.signIn(who)
			for _, suffix := range []string{"", "/contact", "/outcome"} {
				real := b.get("/cases/" + id + suffix)
				missing := b.get("/cases/0123456789abcdef01234567" + suffix)
				if real.Code != http.StatusNotFound || missing.Code != http.StatusNotFound {
					t.Errorf("%s GET /cases/{id}%s: %d, and %d for a missing case; want 404", who, suffix, real.Code, missing.Code)
				}
				body := real.Body.String()
				for _, secret := range []string{"Amira", "Example", "Mimi", "Northfield Academy, Year 9", "School medical room"} {
					if strings.Contains(body, secret) {
						t.Errorf("%s: the not-found page shows %q", who, secret)
					}
				}
				if !strings.HasPrefix(pageTitle(body), "Page not found") {
					t.Errorf("%s: title %q", who, pageTitle(body))
				}
				if requestRef.ReplaceAllString(body, "") != requestRef.ReplaceAllString(missing.Body.String(), "") {
					t.Errorf("%s GET /cases/{id}%s: the page differs from a missing case's", who, suffix)
				}
			}
		}
		teacher := e.browser()
		teacher.signIn("dsl@northfield.example")
		if rec := teacher.get("/cases/" + id); rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), "Amira") {
			t.Errorf("the referrer's own case: %d", rec.Code)
		}
	})
}

// A missing answer on the child page shows the error summary and keeps
// everything else typed: the draft is saved, valid or not (§6.2).
func TestConcernChildPageWithAMissingAnswerShowsErrorsAndSavesTheDraft(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		b := e.browser()
		b.signIn("dsl@northfield.example")
		draft, csrf := b.newDraft()

		form := childAnswers(e.clock.Now(), csrf, "1")
		form.Del("gender")
		rec := b.post("/concerns/"+draft+"/child", form)
		body := rec.Body.String()
		if rec.Code != http.StatusUnprocessableEntity {
			t.Fatalf("status %d, want 422", rec.Code)
		}
		if !strings.Contains(body, "govuk-error-summary") || !strings.Contains(body, `<a href="#gender">`) {
			t.Errorf("no error summary linking to the gender question:\n%s", body)
		}
		if !strings.HasPrefix(pageTitle(body), "Error: ") {
			t.Errorf("title %q does not start with Error:", pageTitle(body))
		}
		if inputValue(body, "givenNames") != "Amira" || hiddenInput(body, "version") != "2" {
			t.Errorf("the page with errors lost the answers or the new version: given %q, version %q", inputValue(body, "givenNames"), hiddenInput(body, "version"))
		}

		if v, given, nat, loc := e.draftChild(draft); v != 2 || given != "Amira" || nat != "Albanian" || loc != "School medical room with the school nurse" {
			t.Errorf("the draft: version %d, %q, %q, %q; want everything typed saved", v, given, nat, loc)
		}
		reload := b.get("/concerns/" + draft + "/child").Body.String()
		for name, want := range map[string]string{"givenNames": "Amira", "familyName": "Example", "nationality": "Albanian", "currentLocation": "School medical room with the school nurse", "dateOfBirth-month": "2"} {
			if got := inputValue(reload, name); got != want {
				t.Errorf("reloaded page: %s = %q, want %q", name, got, want)
			}
		}
		if !strings.Contains(reload, ">Mimi</textarea>") {
			t.Errorf("reloaded page lost the other names")
		}

		// A half-typed date is kept as typed, so it can be corrected.
		form = childAnswers(e.clock.Now(), csrf, "2")
		form.Set("dateOfBirth-month", "13")
		rec = b.post("/concerns/"+draft+"/child", form)
		if rec.Code != http.StatusUnprocessableEntity || inputValue(rec.Body.String(), "dateOfBirth-month") != "13" || !strings.Contains(rec.Body.String(), `<a href="#dateOfBirth">`) {
			t.Errorf("an impossible date: %d, month shown %q", rec.Code, inputValue(rec.Body.String(), "dateOfBirth-month"))
		}
	})
}

// A signed-out visit to a page goes to sign-in and comes back afterwards.
func TestSignedOutVisitGoesToSignInAndComesBack(t *testing.T) {
	e := newEnv(t, storetest.SQLite(t))
	b := e.browser()
	rec := b.get("/cases?q=Amira")
	loc := rec.Header().Get("Location")
	if rec.Code != http.StatusSeeOther || loc != "/sign-in?next="+url.QueryEscape("/cases?q=Amira") {
		t.Fatalf("signed-out GET: %d, Location %q", rec.Code, loc)
	}
	form := b.get(loc).Body.String()
	signIn := b.signInWith(url.Values{"email": {"dsl@northfield.example"}, "password": {storetest.Password}, "next": {hiddenInput(form, "next")}})
	if signIn.Header().Get("Location") != "/cases?q=Amira" {
		t.Errorf("after sign-in: Location %q", signIn.Header().Get("Location"))
	}
	// Never to another site.
	for _, next := range []string{"https://evil.example/", "//evil.example/", `/\evil.example`} {
		b := e.browser()
		rec := b.signInWith(url.Values{"email": {"dsl@northfield.example"}, "password": {storetest.Password}, "next": {next}})
		if rec.Header().Get("Location") != "/" {
			t.Errorf("next=%q: redirected to %q", next, rec.Header().Get("Location"))
		}
	}
}

// The probes and metrics an operator needs answer without signing in (the
// metrics to their bearer token).
func TestHealthReadinessAndMetricsAnswer(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db, withMetricsToken)
		for path, want := range map[string]string{"/healthz": "ok", "/readyz": `{"status":"ready","checks":{"database":"ok","master_keys":"ok"}}`} {
			rec := e.serve(httptest.NewRequest("GET", path, nil))
			if rec.Code != http.StatusOK || strings.TrimSpace(rec.Body.String()) != want {
				t.Errorf("GET %s: %d %q", path, rec.Code, rec.Body)
			}
		}
		e.serve(httptest.NewRequest("GET", "/sign-in", nil))
		r := httptest.NewRequest("GET", "/metrics", nil)
		r.Header.Set("Authorization", "Bearer "+testMetricsToken)
		rec := e.serve(r)
		body := rec.Body.String()
		if rec.Code != http.StatusOK || !strings.HasPrefix(rec.Header().Get("Content-Type"), "text/plain") {
			t.Fatalf("GET /metrics: %d %q", rec.Code, rec.Header().Get("Content-Type"))
		}
		for _, want := range []string{"# TYPE waymark_http_requests_total counter", `waymark_http_requests_total{route="GET /sign-in",status="200"} 1`, `waymark_http_requests_total{route="GET /healthz",status="200"} 1`, "waymark_http_request_duration_seconds_bucket"} {
			if !strings.Contains(body, want) {
				t.Errorf("/metrics lacks %s:\n%s", want, body)
			}
		}
	})
}

// When the database is gone, readiness says so (and the process stays up).
func TestReadinessFailsWhenTheDatabaseIsClosed(t *testing.T) {
	e := newEnv(t, storetest.SQLite(t))
	e.db.Close()
	rec := e.serve(httptest.NewRequest("GET", "/readyz", nil))
	if rec.Code != http.StatusServiceUnavailable {
		t.Errorf("GET /readyz with the database closed: %d %q", rec.Code, rec.Body)
	}
	if rec := e.serve(httptest.NewRequest("GET", "/healthz", nil)); rec.Code != http.StatusOK {
		t.Errorf("GET /healthz: %d", rec.Code)
	}
}
