package web

import (
	"bytes"
	"context"
	"encoding/json"
	"html"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"waymark/internal/casework"
	"waymark/internal/store"
	"waymark/internal/storetest"
)

// testEnv is a Waymark server over a real, freshly migrated store, with the
// storetest partnership signed up and a fake clock that moves only when told.
type testEnv struct {
	t     *testing.T
	db    *store.DB
	clock *storetest.Clock
	svc   *casework.Service
	srv   *Server
	p     storetest.Partnership
}

// newEnv builds the server; opts may change its Config (SecureCookie, MaxBodyBytes).
func newEnv(t *testing.T, db *store.DB, opts ...func(*Config)) *testEnv {
	t.Helper()
	clock := storetest.NewClock(storetest.Start)
	p := storetest.NewPartnership(t, db, clock)
	svc := storetest.Service(t, db, clock)
	cfg := Config{
		Service: svc, DB: db, Catalog: storetest.Catalog(), Now: clock.Now,
		// Warnings and errors (internal errors above all) show in the test's output.
		Log: slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelWarn})),
	}
	for _, o := range opts {
		o(&cfg)
	}
	srv, err := NewServer(cfg)
	if err != nil {
		t.Fatalf("NewServer: %v", err)
	}
	return &testEnv{t: t, db: db, clock: clock, svc: svc, srv: srv, p: p}
}

// serve sends one request through the whole server (middleware included).
func (e *testEnv) serve(r *http.Request) *httptest.ResponseRecorder {
	e.t.Helper()
	rec := httptest.NewRecorder()
	e.srv.ServeHTTP(rec, r)
	if strings.HasPrefix(r.URL.Path, "/api/") {
		checkAPIResponseShape(e.t, r.Method+" "+r.URL.Path, rec)
	}
	return rec
}

// api sends a JSON API request. body may be nil (no body), a string or
// []byte (sent as it is), or anything else (sent as JSON).
func (e *testEnv) api(method, path, token string, body any) *httptest.ResponseRecorder {
	e.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	case []byte:
		rd = bytes.NewReader(b)
	default:
		data, err := json.Marshal(b)
		if err != nil {
			e.t.Fatalf("encoding request body: %v", err)
		}
		rd = bytes.NewReader(data)
	}
	r := httptest.NewRequest(method, path, rd)
	if body != nil {
		r.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		r.Header.Set("Authorization", "Bearer "+token)
	}
	return e.serve(r)
}

// signInAPI signs in through POST /api/v1/sessions and returns the bearer token.
func (e *testEnv) signInAPI(email string) string {
	e.t.Helper()
	rec := e.api("POST", "/api/v1/sessions", "", map[string]string{"email": email, "password": storetest.Password, "totp": e.code(email)})
	if rec.Code != http.StatusCreated {
		e.t.Fatalf("API sign-in as %s: %d %s", email, rec.Code, rec.Body)
	}
	var out struct{ Token string }
	decodeInto(e.t, rec, &out)
	if out.Token == "" {
		e.t.Fatalf("API sign-in as %s: no token in %s", email, rec.Body)
	}
	return out.Token
}

// versionAs is the case's version as the holder of token is shown it
// (GET /api/v1/cases/{id}): for someone outside the team, that of the
// entries they can see.
func (e *testEnv) versionAs(token, caseID string) int {
	e.t.Helper()
	rec := e.api("GET", "/api/v1/cases/"+caseID, token, nil)
	var out struct{ Version int }
	decodeInto(e.t, rec, &out)
	if rec.Code != http.StatusOK || out.Version == 0 {
		e.t.Fatalf("reading the version of %s: %d %s", caseID, rec.Code, rec.Body)
	}
	return out.Version
}

// raiseCase raises storetest.ValidConcern as the teacher, straight through
// the use case, and returns the case id.
func (e *testEnv) raiseCase() string {
	e.t.Helper()
	id, err := e.svc.RaiseConcern(context.Background(), e.p.Teacher, storetest.ValidConcern(e.clock.Now()))
	if err != nil {
		e.t.Fatalf("raising a concern: %v", err)
	}
	return id
}

// raiseAgeUncertainCase raises a concern about a child whose age is in
// doubt, so an age assessment applies (§7.4).
func (e *testEnv) raiseAgeUncertainCase() string {
	e.t.Helper()
	c := storetest.ValidConcern(e.clock.Now())
	c.Child.AgeUncertain = true
	id, err := e.svc.RaiseConcern(context.Background(), e.p.Teacher, c)
	if err != nil {
		e.t.Fatalf("raising a concern: %v", err)
	}
	return id
}

// count counts the rows of a table, to prove a refusal saved nothing.
func (e *testEnv) count(table string) int {
	e.t.Helper()
	var n int
	if err := e.db.SQL().QueryRow(`SELECT COUNT(*) FROM ` + table).Scan(&n); err != nil {
		e.t.Fatalf("counting %s: %v", table, err)
	}
	return n
}

// savedState is what a refused request must leave exactly as it was.
type savedState struct{ Cases, Events, Drafts, Tokens, Counters int }

func (e *testEnv) saved() savedState {
	e.t.Helper()
	return savedState{e.count("cases"), e.count("case_events"), e.count("concern_drafts"), e.count("api_tokens"), e.count("counters")}
}

func decodeInto(t *testing.T, rec *httptest.ResponseRecorder, dst any) {
	t.Helper()
	if err := json.Unmarshal(rec.Body.Bytes(), dst); err != nil {
		t.Fatalf("decoding %q: %v", rec.Body, err)
	}
}

// mustProblem checks that rec is an RFC 9457 problem document with status
// and returns it. Every refusal must be one, with a detail and the request id.
func mustProblem(t *testing.T, rec *httptest.ResponseRecorder, status int) problemDoc {
	t.Helper()
	if rec.Code != status {
		t.Fatalf("status %d, want %d: %s", rec.Code, status, rec.Body)
	}
	if ct := rec.Header().Get("Content-Type"); ct != "application/problem+json" {
		t.Fatalf("Content-Type %q, want application/problem+json", ct)
	}
	var p problemDoc
	dec := json.NewDecoder(bytes.NewReader(rec.Body.Bytes()))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&p); err != nil {
		t.Fatalf("problem document %q: %v", rec.Body, err)
	}
	if p.Status != status || p.Title != http.StatusText(status) || p.Type != "about:blank" {
		t.Errorf("problem status %d title %q type %q, want %d %q about:blank", p.Status, p.Title, p.Type, status, http.StatusText(status))
	}
	if strings.TrimSpace(p.Detail) == "" {
		t.Errorf("problem has no detail: %s", rec.Body)
	}
	if p.RequestID == "" || p.RequestID != rec.Header().Get("X-Request-Id") {
		t.Errorf("problem requestId %q, X-Request-Id %q: want the same, non-empty", p.RequestID, rec.Header().Get("X-Request-Id"))
	}
	return p
}

// fieldErrorFor returns the message for field in p.Errors.
func fieldErrorFor(p problemDoc, field string) (string, bool) {
	for _, fe := range p.Errors {
		if fe.Field == field {
			return fe.Message, true
		}
	}
	return "", false
}

// browser is a person using the HTML pages: it keeps cookies, sends no
// Sec-Fetch-Site header unless told, does not follow redirects, and checks
// every HTML response it receives for the security headers.
type browser struct {
	e       *testEnv
	cookies map[string]*http.Cookie
	header  http.Header
}

func (e *testEnv) browser() *browser {
	return &browser{e: e, cookies: map[string]*http.Cookie{}, header: http.Header{}}
}

func (b *browser) do(r *http.Request) *httptest.ResponseRecorder {
	b.e.t.Helper()
	for _, c := range b.cookies {
		r.AddCookie(c)
	}
	for k, vs := range b.header {
		r.Header[k] = vs
	}
	rec := b.e.serve(r)
	for _, c := range rec.Result().Cookies() {
		if c.MaxAge < 0 || c.Value == "" {
			delete(b.cookies, c.Name)
		} else {
			b.cookies[c.Name] = c
		}
	}
	if strings.HasPrefix(rec.Header().Get("Content-Type"), "text/html") {
		checkPageHygiene(b.e.t, r.Method+" "+r.URL.Path, rec)
	}
	return rec
}

func (b *browser) get(path string) *httptest.ResponseRecorder {
	b.e.t.Helper()
	return b.do(httptest.NewRequest("GET", path, nil))
}

func (b *browser) post(path string, form url.Values) *httptest.ResponseRecorder {
	b.e.t.Helper()
	r := httptest.NewRequest("POST", path, strings.NewReader(form.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return b.do(r)
}

// signIn signs in through the sign-in page and the code page.
func (b *browser) signIn(email string) {
	b.e.t.Helper()
	rec := b.signInWith(url.Values{"email": {email}, "password": {storetest.Password}, "next": {"/"}})
	if rec.Code != http.StatusSeeOther || b.cookies[sessionCookie] == nil {
		b.e.t.Fatalf("signing in as %s: %d, cookies %v: %s", email, rec.Code, b.cookies, rec.Body)
	}
}

// csrf reads the session's CSRF token from a page that has a form.
func (b *browser) csrf(path string) string {
	b.e.t.Helper()
	rec := b.get(path)
	tok := hiddenInput(rec.Body.String(), "csrf_token")
	if rec.Code != http.StatusOK || tok == "" {
		b.e.t.Fatalf("GET %s: %d, csrf_token %q", path, rec.Code, tok)
	}
	return tok
}

// newDraft starts a concern draft through the pages and returns its id and
// the session's CSRF token.
func (b *browser) newDraft() (id, csrf string) {
	b.e.t.Helper()
	csrf = b.csrf("/concerns/new")
	rec := b.post("/concerns", url.Values{"csrf_token": {csrf}})
	loc := rec.Header().Get("Location")
	m := regexp.MustCompile(`^/concerns/([0-9a-f]+)/child$`).FindStringSubmatch(loc)
	if rec.Code != http.StatusSeeOther || m == nil {
		b.e.t.Fatalf("starting a draft: %d, Location %q: %s", rec.Code, loc, rec.Body)
	}
	return m[1], csrf
}

// hiddenInput returns the value of the hidden input named name, unescaped.
func hiddenInput(page, name string) string {
	m := regexp.MustCompile(`<input type="hidden" name="` + regexp.QuoteMeta(name) + `" value="([^"]*)"`).FindStringSubmatch(page)
	if m == nil {
		return ""
	}
	return html.UnescapeString(m[1])
}

// inputValue returns the value attribute of the input whose name is name.
func inputValue(page, name string) string {
	tag := regexp.MustCompile(`<input[^>]*\sname="` + regexp.QuoteMeta(name) + `"[^>]*>`).FindString(page)
	m := regexp.MustCompile(`\svalue="([^"]*)"`).FindStringSubmatch(tag)
	if m == nil {
		return ""
	}
	return html.UnescapeString(m[1])
}

// pageTitle returns the text of the page's <title>.
func pageTitle(page string) string {
	m := regexp.MustCompile(`(?s)<title>(.*?)</title>`).FindStringSubmatch(page)
	if m == nil {
		return ""
	}
	return html.UnescapeString(strings.TrimSpace(m[1]))
}

// checkPageHygiene is what every HTML response must carry: a Content
// Security Policy that allows no inline or eval'd script and no framing,
// nosniff, a referrer policy and no caching of pages about children; and no
// inline script or style that the policy would block.
func checkPageHygiene(t *testing.T, what string, rec *httptest.ResponseRecorder) {
	t.Helper()
	h := rec.Header()
	csp := h.Get("Content-Security-Policy")
	directives := map[string]string{}
	for _, d := range strings.Split(csp, ";") {
		name, value, _ := strings.Cut(strings.TrimSpace(d), " ")
		if name != "" {
			directives[name] = value
		}
	}
	scripts, ok := directives["script-src"]
	if !ok {
		scripts, ok = directives["default-src"]
	}
	if !ok || strings.Contains(scripts, "'unsafe-inline'") || strings.Contains(scripts, "'unsafe-eval'") || strings.Contains(scripts, "*") {
		t.Errorf("%s: scripts are not locked down by the CSP %q", what, csp)
	}
	if directives["frame-ancestors"] != "'none'" {
		t.Errorf("%s: CSP %q lacks frame-ancestors 'none'", what, csp)
	}
	if directives["object-src"] != "'none'" || directives["base-uri"] != "'none'" {
		t.Errorf("%s: CSP %q lacks object-src 'none' and base-uri 'none'", what, csp)
	}
	if got := h.Get("X-Content-Type-Options"); got != "nosniff" {
		t.Errorf("%s: X-Content-Type-Options %q, want nosniff", what, got)
	}
	if got := h.Get("Referrer-Policy"); got != "no-referrer" && got != "same-origin" && got != "strict-origin-when-cross-origin" {
		t.Errorf("%s: Referrer-Policy %q", what, got)
	}
	if got := h.Get("Cache-Control"); got != "no-store" {
		t.Errorf("%s: Cache-Control %q, want no-store", what, got)
	}
	body := rec.Body.String()
	for rest := body; ; {
		i := strings.Index(rest, "<script")
		if i < 0 {
			break
		}
		tag, _, _ := strings.Cut(rest[i:], ">")
		if !strings.Contains(tag, ` src="/`) {
			t.Errorf("%s: inline script %s would be blocked by the CSP", what, tag)
		}
		rest = rest[i+len("<script"):]
	}
	if strings.Contains(body, "<style") || blockedAttribute(body) {
		t.Errorf("%s: inline style or event handler attribute would be blocked by the CSP", what)
	}
}

// blockedAttribute reports whether body has a style attribute or an event
// handler (on…=") after white space: the CSP would block either. It scans
// each `="` once; a regular expression doing the same was a tenth of the
// package's test time.
func blockedAttribute(body string) bool {
	for at := 0; ; {
		i := strings.Index(body[at:], `="`)
		if i < 0 {
			return false
		}
		end := at + i
		at = end + 2
		start := end
		for start > 0 && body[start-1] >= 'a' && body[start-1] <= 'z' {
			start--
		}
		if start == 0 || !isHTMLSpace(body[start-1]) {
			continue
		}
		if name := body[start:end]; name == "style" || (len(name) > 2 && strings.HasPrefix(name, "on")) {
			return true
		}
	}
}

func isHTMLSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' // as \s in a regular expression
}

// testActions is the action set every server builds.
var testActions = newActionSet()

// The hygiene check that every page meets must itself find what the CSP
// would block.
func TestThePageHygieneCheckFindsInlineStylesAndEventHandlers(t *testing.T) {
	for body, want := range map[string]bool{
		`<p class="govuk-body">fine</p>`:                false,
		`<p data-style="x" data-onclick="y">`:           false,
		`<a href="/x" title="on="></a>`:                 false,
		`<p style="color:red">`:                         true,
		"<p\tstyle=\"color:red\">":                      true,
		`<button onclick="go()">`:                       true,
		"<body\nonload=\"go()\">":                       true,
		`<p class="a" onmouseover="x" data-x="1">`:      true,
		`<p xstyle="a" aonclick="b" on="c" style-x="">`: false,
	} {
		if got := blockedAttribute(body); got != want {
			t.Errorf("%s: blocked %v, want %v", body, got, want)
		}
	}
}
