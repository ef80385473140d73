package web

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"waymark/internal/access"
	"waymark/internal/store"
	"waymark/internal/storetest"
)

// limiter is a token bucket on the test's clock: burst requests at once,
// then one a minute.
func (e *testEnv) limiter(burst int) *Limiter {
	l := NewLimiter(1, burst)
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

// The header's last entry counts only when it is an address: a value that
// is not one (junk, a trailing comma, kilobytes of text) did not come from
// the proxy, and the connection's address is counted instead, so the
// sender cannot pick a fresh throttle key, or a log field, with each request.
func TestAClientIPHeaderThatIsNotAnAddressCountsTheConnection(t *testing.T) {
	e := newEnv(t, storetest.SQLite(t))
	e.srv.limits.SignInPerIP = e.limiter(1)
	e.srv.limits.ClientIPHeader = "X-Forwarded-For"
	wrong := url.Values{"email": {"nobody@nowhere.example"}, "password": {"a guess"}}
	send := func(xff string) int {
		r := fromAddress(formRequest("/sign-in", wrong), "10.0.0.2")
		r.Header.Set("X-Forwarded-For", xff)
		return e.serve(r).Code
	}
	if c := send("not-an-address"); c != http.StatusUnauthorized {
		t.Fatalf("first: %d", c)
	}
	for _, junk := range []string{"still-not-one", "203.0.113.7, ", strings.Repeat("x", 4000), "10.0.0.2\nforged"} {
		if c := send(junk); c != http.StatusTooManyRequests {
			t.Fatalf("%.40q escaped the limit counted for the connection: %d", junk, c)
		}
	}
	if c := send("203.0.113.8"); c != http.StatusUnauthorized {
		t.Fatalf("an address in the header: %d", c)
	}
}

// signInAttempt is one answer to a password sign-in, page and API alike,
// with what must not differ between accounts made comparable: the email
// typed (the page shows it back) and the request id.
type signInAttempt struct {
	Status     int
	RetryAfter string
	Body       string
	Hashes     int // argon2 comparisons run
}

func (e *testEnv) tryPassword(api bool, addr, email, password string, hashes *atomic.Int64) signInAttempt {
	e.t.Helper()
	before := hashes.Load()
	var r *http.Request
	if api {
		body, _ := json.Marshal(map[string]string{"email": email, "password": password, "totp": "000000"})
		r = httptest.NewRequest("POST", "/api/v1/sessions", bytes.NewReader(body))
		r.Header.Set("Content-Type", "application/json")
	} else {
		r = formRequest("/sign-in", url.Values{"email": {email}, "password": {password}})
	}
	rec := e.serve(fromAddress(r, addr))
	body := strings.ReplaceAll(rec.Body.String(), email, "EMAIL")
	body = strings.ReplaceAll(body, rec.Header().Get("X-Request-Id"), "REQUEST-ID")
	return signInAttempt{Status: rec.Code, RetryAfter: rec.Header().Get("Retry-After"), Body: body, Hashes: int(hashes.Load() - before)}
}

// An unknown email, a wrong password, a disabled account and an account
// others have hammered get the same status and body, on the page and in the
// API, and each runs the same argon2 comparison; once an address is
// throttled, it is throttled the same way for a real account and for an
// address nobody has.
func TestUnknownLockedAndWrongPasswordAnswersAreIdentical(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		var hashes atomic.Int64
		e.svc.PasswordCheck = func(encoded, password string) (bool, error) {
			hashes.Add(1)
			return access.CheckPassword(encoded, password)
		}
		real, nobody := "dsl@northfield.example", "nobody@nowhere.example"
		disabled := e.p.Colleague.User.Email
		if err := db.Update(context.Background(), func(tx *store.Tx) error { return tx.SetDisabled(e.p.Colleague.User.ID, true, time.Now()) }); err != nil {
			t.Fatal(err)
		}
		// Others guess at the real account and the unknown address alike,
		// from several addresses: the account would have been locked before.
		for i := range 2 {
			for _, email := range []string{real, nobody} {
				for range 3 {
					e.tryPassword(false, fmt.Sprintf("203.0.113.%d", i+1), email, "a guess", &hashes)
				}
			}
		}
		for _, api := range []bool{false, true} {
			n := 0
			fresh := func() string { n++; return fmt.Sprintf("198.51.%d.%d", map[bool]int{false: 100, true: 101}[api], n) }
			var answers []signInAttempt
			for _, email := range []string{real, nobody, disabled, "DSL@Northfield.example"} {
				answers = append(answers, e.tryPassword(api, fresh(), email, "not the password", &hashes))
			}
			for i, a := range answers {
				if a.Hashes != 1 {
					t.Fatalf("api %v, answer %d ran %d argon2 comparisons, want 1", api, i, a.Hashes)
				}
				if a != answers[0] {
					t.Fatalf("api %v: answers differ:\n%+v\n%+v", api, answers[0], a)
				}
			}
			// The same address throttled: the right password on the real
			// account and any password for nobody, answered alike.
			realFrom, nobodyFrom := fresh(), fresh()
			for range 5 {
				e.tryPassword(api, realFrom, real, "a guess", &hashes)
				e.tryPassword(api, nobodyFrom, nobody, "a guess", &hashes)
			}
			r, u := e.tryPassword(api, realFrom, real, storetest.Password, &hashes), e.tryPassword(api, nobodyFrom, nobody, "a guess", &hashes)
			if r.Status != http.StatusTooManyRequests || r.RetryAfter != "30" || r.Hashes != 1 || r != u {
				t.Fatalf("api %v: throttled answers differ or are wrong:\n%+v\n%+v", api, r, u)
			}
		}
		// The account's owner is not held back by any of it: a new address
		// waits at most the account-wide ceiling.
		e.clock.Advance(e.svc.Throttle.Account.Max)
		e.browser().signIn(real)
	})
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

func TestLimiterAllowsABurstThenRefillsAtTheRate(t *testing.T) {
	now := time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC)
	l := NewLimiter(6, 3) // one every 10 s, three at once
	l.Now = func() time.Time { return now }
	for i := range 3 {
		if ok, _ := l.Allow("203.0.113.9"); !ok {
			t.Fatalf("request %d of the burst refused", i+1)
		}
	}
	ok, retry := l.Allow("203.0.113.9")
	if ok || retry != 10*time.Second {
		t.Fatalf("fourth request: allowed %v, retry after %v; want refused, 10s", ok, retry)
	}
	if ok, _ := l.Allow("198.51.100.7"); !ok {
		t.Fatal("another key shares the bucket")
	}
	now = now.Add(10 * time.Second)
	if ok, _ := l.Allow("203.0.113.9"); !ok {
		t.Fatal("no token back after 10 s")
	}
	if ok, _ := l.Allow("203.0.113.9"); ok {
		t.Fatal("more than one token back after 10 s")
	}
}

func TestLimiterKeepsABoundedNumberOfBuckets(t *testing.T) {
	now := time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC)
	l := NewLimiter(60, 5)
	l.Now = func() time.Time { return now }
	l.Max = 100
	for i := range 1000 {
		l.Allow(fmt.Sprint("key-", i))
	}
	if n := len(l.keys); n > 100 {
		t.Fatalf("%d buckets kept, limit 100", n)
	}
}

func TestZeroRateMeansNoLimit(t *testing.T) {
	l := NewLimiter(0, 0)
	for range 100 {
		if ok, _ := l.Allow("k"); !ok {
			t.Fatal("a limiter with no rate refused")
		}
	}
	var none *Limiter
	if ok, _ := none.Allow("k"); !ok {
		t.Fatal("a nil limiter refused")
	}
}

// One IPv6 subscriber is given a whole /64 and can change the rest of their
// address at will: the sign-in request limit counts the /64, as the throttle
// does, so walking it gains nothing.
func TestSignInLimitCountsAnIPv6AddressByItsSlash64(t *testing.T) {
	e := newEnv(t, storetest.SQLite(t))
	e.srv.limits.SignInPerIP = e.limiter(3)
	wrong := url.Values{"email": {"nobody@nowhere.example"}, "password": {"a guess"}}
	for i := range 3 {
		addr := "2001:db8:1:2::" + strconv.Itoa(i+1)
		if rec := e.serve(fromIPv6(formRequest("/sign-in", wrong), addr)); rec.Code != http.StatusUnauthorized {
			t.Fatalf("attempt %d from %s: %d", i+1, addr, rec.Code)
		}
	}
	if rec := e.serve(fromIPv6(formRequest("/sign-in", wrong), "2001:db8:1:2:ffff::9")); rec.Code != http.StatusTooManyRequests {
		t.Fatalf("a fourth address in the same /64: %d", rec.Code)
	}
	if rec := e.serve(fromIPv6(formRequest("/sign-in", wrong), "2001:db8:1:3::1")); rec.Code != http.StatusUnauthorized {
		t.Fatalf("the next /64 is held up: %d", rec.Code)
	}
}

func fromIPv6(r *http.Request, ip string) *http.Request {
	r.RemoteAddr = "[" + ip + "]:40000"
	return r
}
