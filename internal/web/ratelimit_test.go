package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"waymark/internal/access"
	"waymark/internal/storetest"
)

// limiter is a token bucket on the test's clock: burst requests at once,
// then one a minute.
func (e *testEnv) limiter(burst int) *access.Limiter {
	l := access.NewLimiter(1, burst)
	l.Now = e.clock.Now
	return l
}

func fromAddress(r *http.Request, ip string) *http.Request {
	r.RemoteAddr = ip + ":40000"
	return r
}

// Guessing from one address meets a limit, with a page that says how long
// to wait; another address is not held up.
func TestSignInIsRateLimitedPerAddress(t *testing.T) {
	e := newEnv(t, storetest.SQLite(t))
	e.srv.limits.SignInPerIP = e.limiter(3)
	wrong := url.Values{"email": {"nobody@nowhere.example"}, "password": {"a guess"}}
	for i := range 3 {
		if rec := e.serve(fromAddress(formRequest("/sign-in", wrong), "203.0.113.7")); rec.Code != http.StatusUnauthorized {
			t.Fatalf("attempt %d: %d", i+1, rec.Code)
		}
	}
	rec := e.serve(fromAddress(formRequest("/sign-in", wrong), "203.0.113.7"))
	if rec.Code != http.StatusTooManyRequests || rec.Header().Get("Retry-After") != "60" || !strings.Contains(rec.Body.String(), "Too many sign-in attempts") {
		t.Fatalf("fourth attempt: %d, Retry-After %q", rec.Code, rec.Header().Get("Retry-After"))
	}
	checkPageHygiene(t, "429 page", rec)
	// The code step counts against the same limit: six digits are guessable.
	if rec := e.serve(fromAddress(formRequest("/sign-in/code", url.Values{"code": {"123456"}}), "203.0.113.7")); rec.Code != http.StatusTooManyRequests {
		t.Fatalf("a code from the limited address: %d", rec.Code)
	}
	if rec := e.serve(fromAddress(formRequest("/sign-in", wrong), "198.51.100.4")); rec.Code != http.StatusUnauthorized {
		t.Fatalf("another address is held up: %d", rec.Code)
	}
	e.clock.Advance(time.Minute)
	if rec := e.serve(fromAddress(formRequest("/sign-in", wrong), "203.0.113.7")); rec.Code != http.StatusUnauthorized {
		t.Fatalf("after waiting a minute: %d", rec.Code)
	}
	// Pages of people signed in are not counted: only the two sign-in steps.
	e.srv.limits.SignInPerIP = e.limiter(2)
	b := e.browser()
	b.signIn("dsl@northfield.example")
	for range 5 {
		if rec := b.get("/cases"); rec.Code != http.StatusOK {
			t.Fatalf("a signed-in page was rate-limited: %d", rec.Code)
		}
	}
}

// Behind a proxy the client's address comes from the configured header
// (its last entry: the one the proxy added), not from the connection.
func TestSignInLimitUsesTheProxysHeaderWhenConfigured(t *testing.T) {
	e := newEnv(t, storetest.SQLite(t))
	e.srv.limits.SignInPerIP = e.limiter(1)
	e.srv.limits.ClientIPHeader = "X-Forwarded-For"
	wrong := url.Values{"email": {"nobody@nowhere.example"}, "password": {"a guess"}}
	send := func(xff string) int {
		r := fromAddress(formRequest("/sign-in", wrong), "10.0.0.2")
		r.Header.Set("X-Forwarded-For", xff)
		return e.serve(r).Code
	}
	if c := send("1.1.1.1, 203.0.113.7"); c != http.StatusUnauthorized {
		t.Fatalf("first: %d", c)
	}
	if c := send("9.9.9.9, 203.0.113.7"); c != http.StatusTooManyRequests {
		t.Fatalf("a forged first entry escaped the limit: %d", c)
	}
	if c := send("203.0.113.8"); c != http.StatusUnauthorized {
		t.Fatalf("another client behind the proxy: %d", c)
	}
}

// One account cannot be guessed at from many addresses faster than its limit.
func TestSignInIsRateLimitedPerAccount(t *testing.T) {
	e := newEnv(t, storetest.SQLite(t))
	e.srv.limits.SignInPerAccount = e.limiter(2)
	wrong := url.Values{"email": {"DSL@northfield.example"}, "password": {"a guess"}}
	for i, ip := range []string{"203.0.113.1", "203.0.113.2"} {
		if rec := e.serve(fromAddress(formRequest("/sign-in", wrong), ip)); rec.Code != http.StatusUnauthorized {
			t.Fatalf("attempt %d: %d", i+1, rec.Code)
		}
	}
	rec := e.serve(fromAddress(formRequest("/sign-in", url.Values{"email": {"dsl@northfield.example"}, "password": {"a guess"}}), "203.0.113.3"))
	if rec.Code != http.StatusTooManyRequests || rec.Header().Get("Retry-After") == "" {
		t.Fatalf("third attempt on the account: %d", rec.Code)
	}
	api := e.api("POST", "/api/v1/sessions", "", map[string]string{"email": "dsl@northfield.example", "password": "a guess"})
	if p := mustProblem(t, api, http.StatusTooManyRequests); !strings.Contains(p.Detail, "this account") {
		t.Fatalf("API attempt on the account: %+v", p)
	}
	checkDocumentedResponse(t, loadOpenAPI(t), "POST /api/v1/sessions", api)
}

// A token that floods the API is slowed down with 429 and Retry-After;
// other tokens are not.
func TestAPIIsRateLimitedPerToken(t *testing.T) {
	e := newEnv(t, storetest.SQLite(t))
	e.srv.limits.APIPerToken = e.limiter(3)
	teacher, cs := e.signInAPI("dsl@northfield.example"), e.signInAPI("front.door@cs.example")
	for i := range 3 {
		if rec := e.api("GET", "/api/v1/cases", teacher, nil); rec.Code != http.StatusOK {
			t.Fatalf("request %d: %d", i+1, rec.Code)
		}
	}
	rec := e.api("GET", "/api/v1/cases", teacher, nil)
	p := mustProblem(t, rec, http.StatusTooManyRequests)
	if secs, err := strconv.Atoi(rec.Header().Get("Retry-After")); err != nil || secs < 1 || !strings.Contains(p.Detail, "token") {
		t.Fatalf("Retry-After %q, detail %q", rec.Header().Get("Retry-After"), p.Detail)
	}
	if rec := e.api("GET", "/api/v1/cases", cs, nil); rec.Code != http.StatusOK {
		t.Fatalf("another token is held up: %d", rec.Code)
	}
}
