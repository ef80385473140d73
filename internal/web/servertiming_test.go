package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"waymark/internal/store"
	"waymark/internal/storetest"
)

// hashTiming reads the "hash" duration of a Server-Timing header, in ms;
// ok is false when the header names no hash.
func hashTiming(t *testing.T, h http.Header) (ms float64, ok bool) {
	t.Helper()
	v := h.Get("Server-Timing")
	if v == "" {
		return 0, false
	}
	name, dur, found := strings.Cut(v, ";dur=")
	if !found || name != "hash" {
		t.Fatalf("Server-Timing %q: want hash;dur=N", v)
	}
	f, err := strconv.ParseFloat(dur, 64)
	if err != nil || f <= 0 {
		t.Fatalf("Server-Timing %q: the hash's duration is not a positive number", v)
	}
	return f, true
}

// A sign-in's answer says how long its password hash took, so that a load
// run can time the rest of the sign-in (issue 10 leaves the deliberate hash
// out of the sign-in target); answers that ran no hash say nothing.
func TestASignInsAnswerSaysHowLongItsPasswordHashTook(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ok := e.api("POST", "/api/v1/sessions", "", map[string]string{"email": "dsl@northfield.example", "password": storetest.Password, "totp": e.code("dsl@northfield.example")})
		if ok.Code != http.StatusCreated {
			t.Fatalf("sign-in: %d %s", ok.Code, ok.Body)
		}
		if _, said := hashTiming(t, ok.Header()); !said {
			t.Fatalf("a sign-in through the API did not say its hash's time: %v", ok.Header())
		}
		// A wrong password costs the same hash, and says so too.
		wrong := e.api("POST", "/api/v1/sessions", "", map[string]string{"email": "dsl@northfield.example", "password": "not the password", "totp": "123456"})
		if wrong.Code != http.StatusUnauthorized {
			t.Fatalf("a wrong password: %d %s", wrong.Code, wrong.Body)
		}
		if _, said := hashTiming(t, wrong.Header()); !said {
			t.Fatalf("a refused sign-in did not say its hash's time: %v", wrong.Header())
		}
		// The sign-in form, whose answer is the page asking for the code.
		b := e.browser()
		page := b.post("/sign-in", url.Values{"email": {"dsl@northfield.example"}, "password": {storetest.Password}, "next": {"/cases"}})
		if page.Code != http.StatusOK || !strings.Contains(page.Body.String(), `action="/sign-in/code"`) {
			t.Fatalf("the sign-in form: %d", page.Code)
		}
		if _, said := hashTiming(t, page.Header()); !said {
			t.Fatalf("the sign-in form's answer did not say its hash's time: %v", page.Header())
		}
		// Nothing else hashes a password, and says nothing.
		var sess struct{ Token string }
		decodeInto(t, ok, &sess)
		for _, rec := range []*http.Response{
			e.api("GET", "/api/v1/cases", sess.Token, nil).Result(),
			b.get("/sign-in").Result(),
			e.api("POST", "/api/v1/sessions", "", map[string]string{"email": "", "password": ""}).Result(),
		} {
			if _, said := hashTiming(t, rec.Header); said {
				t.Fatalf("%s %s: Server-Timing %q, though no password was hashed", rec.Request.Method, rec.Request.URL, rec.Header.Get("Server-Timing"))
			}
		}
	})
}
