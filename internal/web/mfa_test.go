package web

import (
	"context"
	"html"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"waymark/internal/access"
	"waymark/internal/pathway"
	"waymark/internal/store"
	"waymark/internal/storetest"
)

// code is the code email's authenticator app shows now (each is used once).
func (e *testEnv) code(email string) string {
	e.t.Helper()
	return storetest.NextCode(e.db, email, e.clock)
}

// signInWith posts the sign-in form and then, when the code page follows,
// the authenticator's code with what the page carries; it returns the last
// answer (the code step's redirect, or the refusal of the password).
func (b *browser) signInWith(form url.Values) *httptest.ResponseRecorder {
	b.e.t.Helper()
	rec := b.post("/sign-in", form)
	body := rec.Body.String()
	if rec.Code != http.StatusOK || !strings.Contains(body, `action="/sign-in/code"`) {
		return rec
	}
	return b.post("/sign-in/code", url.Values{"code": {b.e.code(form.Get("email"))}, "next": {hiddenInput(body, "next")}, "resume": {hiddenInput(body, "resume")}})
}

// Signing in is two steps: the password opens only the code page, whose
// cookie is not a session; the code then starts the session.
func TestSignInIsTwoStepsAndThePasswordAloneOpensNothing(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		b := e.browser()
		first := b.post("/sign-in", url.Values{"email": {"dsl@northfield.example"}, "password": {storetest.Password}, "next": {"/cases"}})
		body := first.Body.String()
		if first.Code != http.StatusOK || !strings.Contains(body, "Enter the code from your authenticator app") || b.cookies[sessionCookie] != nil {
			t.Fatalf("after the password: %d, cookies %v", first.Code, b.cookies)
		}
		ch := b.cookies[challengeCookie]
		if ch == nil || !ch.HttpOnly || ch.SameSite != http.SameSiteStrictMode || ch.Path != "/" {
			t.Fatalf("challenge cookie %+v: want HttpOnly, Strict, Path=/ (cookies.go says why)", ch)
		}
		// The challenge's token is no session, whatever cookie carries it.
		thief := e.browser()
		thief.cookies[sessionCookie] = &http.Cookie{Name: sessionCookie, Value: ch.Value}
		if rec := thief.get("/cases"); rec.Code != http.StatusSeeOther {
			t.Fatalf("the challenge used as a session: %d", rec.Code)
		}
		if rec := e.api("GET", "/api/v1/cases", ch.Value, nil); rec.Code != http.StatusUnauthorized {
			t.Fatalf("the challenge used as a bearer token: %d", rec.Code)
		}
		wrong := b.post("/sign-in/code", url.Values{"code": {"000000"}, "next": {hiddenInput(body, "next")}})
		if wrong.Code != http.StatusUnauthorized || !strings.Contains(wrong.Body.String(), "govuk-error-summary") || b.cookies[sessionCookie] != nil {
			t.Fatalf("a wrong code: %d", wrong.Code)
		}
		right := b.post("/sign-in/code", url.Values{"code": {e.code("dsl@northfield.example")}, "next": {hiddenInput(body, "next")}})
		if right.Code != http.StatusSeeOther || right.Header().Get("Location") != "/cases" || b.cookies[sessionCookie] == nil || b.cookies[challengeCookie] != nil {
			t.Fatalf("the right code: %d, Location %q, cookies %v", right.Code, right.Header().Get("Location"), b.cookies)
		}
		if rec := b.get("/cases"); rec.Code != http.StatusOK {
			t.Fatalf("signed in, /cases answers %d", rec.Code)
		}
	})
}

// The first sign-in shows the secret as text and as an otpauth:// link,
// confirms it with a code, then shows ten recovery codes once.
func TestFirstSignInSetsUpTwoStepVerification(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		hash, _ := access.HashPassword(storetest.Password, storetest.FastArgon)
		err := db.Update(context.Background(), func(tx *store.Tx) error {
			return tx.InsertUser(store.User{ID: "user-new", OrgID: e.p.School.ID, Email: "new@northfield.example", Name: "Nia New", Role: pathway.RolePractitioner, PasswordHash: hash, CreatedAt: e.clock.Now()})
		})
		if err != nil {
			t.Fatal(err)
		}
		b := e.browser()
		setUp := b.post("/sign-in", url.Values{"email": {"new@northfield.example"}, "password": {storetest.Password}, "next": {"/"}})
		page := setUp.Body.String()
		m := regexp.MustCompile(`otpauth://totp/[^"]*secret=([A-Z2-7]+)`).FindStringSubmatch(html.UnescapeString(page))
		if setUp.Code != http.StatusOK || !strings.Contains(page, "Set up two-step verification") || m == nil {
			t.Fatalf("first sign-in: %d, otpauth link %v", setUp.Code, m)
		}
		secret := m[1]
		if !strings.Contains(page, `href="otpauth://totp/`) {
			t.Error("the otpauth:// link is not a working link")
		}
		if !strings.Contains(page, access.GroupSecret(secret)) {
			t.Error("the secret is not shown as text to type")
		}
		if rec := b.post("/sign-in/set-up", url.Values{"code": {"000000"}, "next": {"/"}}); rec.Code != http.StatusUnprocessableEntity || !strings.Contains(rec.Body.String(), secret) {
			t.Fatalf("a wrong first code: %d", rec.Code)
		}
		code, _ := access.TOTP(secret, e.clock.Now())
		done := b.post("/sign-in/set-up", url.Values{"code": {code}, "next": {"/"}})
		codes := regexp.MustCompile(`<li><code>([0-9a-z]{4}-[0-9a-z]{4}-[0-9a-z]{4}-[0-9a-z]{4})</code></li>`).FindAllStringSubmatch(done.Body.String(), -1)
		if done.Code != http.StatusOK || len(codes) != access.RecoveryCodeCount || b.cookies[sessionCookie] == nil {
			t.Fatalf("confirming: %d, %d recovery codes", done.Code, len(codes))
		}
		if rec := b.get("/"); rec.Code != http.StatusOK {
			t.Fatalf("after setting up: %d", rec.Code)
		}
		api := e.api("POST", "/api/v1/sessions", "", map[string]string{"email": "new@northfield.example", "password": storetest.Password, "recoveryCode": codes[0][1]})
		if api.Code != http.StatusCreated {
			t.Fatalf("a recovery code through the API: %d %s", api.Code, api.Body)
		}
	})
}

// The API says precisely what is missing when the code is.
func TestAPISignInWithoutTheCodeIsASpecific401(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		rec := e.api("POST", "/api/v1/sessions", "", map[string]string{"email": "dsl@northfield.example", "password": storetest.Password})
		p := mustProblem(t, rec, http.StatusUnauthorized)
		if msg, ok := fieldErrorFor(p, "totp"); !ok || !strings.Contains(p.Detail, "totp") || msg == "" {
			t.Fatalf("problem %+v: want the totp field named", p)
		}
		checkDocumentedResponse(t, loadOpenAPI(t), "POST /api/v1/sessions", rec)
		wrong := e.api("POST", "/api/v1/sessions", "", map[string]string{"email": "dsl@northfield.example", "password": storetest.Password, "totp": "000000"})
		mustProblem(t, wrong, http.StatusUnauthorized)
	})
}
