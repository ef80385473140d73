package web

import (
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"waymark/internal/storetest"
)

// browserNormalise is what Chromium does to a URL before it reads it:
// ASCII tab, line feed and carriage return vanish, a backslash is a slash.
func browserNormalise(s string) string {
	return strings.NewReplacer("\t", "", "\n", "", "\r", "", `\`, "/").Replace(s)
}

// onOrigin says whether ref, followed from a page of this site as a browser
// would, stays on this site.
func onOrigin(ref string) bool {
	base, _ := url.Parse("https://waymark.example/sign-in")
	for _, r := range []string{ref, browserNormalise(ref)} {
		u, err := url.Parse(r)
		if err != nil {
			return false
		}
		to := base.ResolveReference(u)
		if to.Host != "waymark.example" || to.Scheme != "https" || to.User != nil {
			return false
		}
	}
	return true
}

var offSiteNexts = []string{
	"/%09/evil.example/x", // the reported payload, as the form field carries it
	"/\t/evil.example/x", "/\n/evil.example", "/\r/evil.example", "\t//evil.example", "/\t\t/evil.example",
	"//evil.example/", "///evil.example", `/\evil.example`, `\\evil.example`, `\/evil.example`, `/\/evil.example`,
	"https://evil.example/", "HTTPS://evil.example", "javascript:alert(1)", " //evil.example", "evil.example",
	"/%2f/evil.example", "/%2F%2Fevil.example", "/%5cevil.example", "/%5C/evil.example",
	"/\x00/evil.example", "/\x7f", "/\u0085//evil.example", "//user@evil.example", "/@evil.example",
	"http:/evil.example", "https:evil.example", "\x0b//evil.example", "",
}

func TestSafeNextKeepsEveryRedirectOnThisSite(t *testing.T) {
	for _, next := range offSiteNexts {
		got := safeNext(next)
		if !onOrigin(got) {
			t.Errorf("safeNext(%q) = %q: leaves the site", next, got)
		}
		if strings.ContainsAny(got, "\t\n\r\\") || strings.HasPrefix(got, "//") {
			t.Errorf("safeNext(%q) = %q", next, got)
		}
	}
	for next, want := range map[string]string{
		"/": "/", "/cases": "/cases", "/cases?q=Amira": "/cases?q=Amira", "/cases/abc?done=note": "/cases/abc?done=note",
		"/break-glass?case=0123": "/break-glass?case=0123", "/cases?q=Amira+Haile": "/cases?q=Amira+Haile",
		"/%09/evil.example/x": "/", "//evil.example": "/", "/\t/evil.example": "/",
	} {
		if got := safeNext(next); got != want {
			t.Errorf("safeNext(%q) = %q, want %q", next, got, want)
		}
	}
}

// A genuine sign-in never ends on another site, whatever next says: through
// the password and code pages, and through single sign-on's return.
func TestSignInNeverRedirectsToAnotherHost(t *testing.T) {
	e := newEnv(t, storetest.SQLite(t))
	for _, next := range offSiteNexts {
		b := e.browser()
		// The payload as it arrives in the query of the sign-in link…
		form := b.get("/sign-in?next=" + url.QueryEscape(next)).Body.String()
		carried := hiddenInput(form, "next")
		if !onOrigin(carried) {
			t.Errorf("next=%q: the sign-in page carries %q", next, carried)
		}
		// …and posted straight to the form.
		rec := b.signInWith(url.Values{"email": {"dsl@northfield.example"}, "password": {storetest.Password}, "next": {next}})
		loc := rec.Header().Get("Location")
		if rec.Code != http.StatusSeeOther || !onOrigin(loc) {
			t.Errorf("next=%q: signed in and sent to %q (%d)", next, loc, rec.Code)
		}
	}
	// The reported payload exactly: GET /sign-in?next=/%09/evil.example/x.
	b := e.browser()
	form := b.get("/sign-in?next=/%09/evil.example/x").Body.String()
	rec := b.signInWith(url.Values{"email": {"dsl@northfield.example"}, "password": {storetest.Password}, "next": {hiddenInput(form, "next")}})
	if loc := rec.Header().Get("Location"); loc != "/" {
		t.Errorf("the reported payload: signed in and sent to %q, want /", loc)
	}
}

func TestSingleSignOnNeverReturnsToAnotherHost(t *testing.T) {
	e, _ := ssoEnv(t, storetest.SQLite(t))
	continueTo := regexp.MustCompile(`<a class="govuk-button"[^>]*href="([^"]*)"`)
	for _, next := range []string{"/%09/evil.example/x", "/\t/evil.example/x", `/\evil.example`, "//evil.example", "/%2f/evil.example"} {
		done := ssoRoundTrip(t, e.browser(), "/sign-in/sso?next="+url.QueryEscape(next))
		m := continueTo.FindStringSubmatch(done.Body.String())
		if done.Code != http.StatusOK || m == nil {
			t.Fatalf("next=%q: callback %d without a continue link", next, done.Code)
		}
		if to := html.UnescapeString(m[1]); to != "/" {
			t.Errorf("next=%q: single sign-on continues to %q", next, to)
		}
	}
}

// FuzzSafeNext holds safeNext to its promise: whatever it is given, what it
// returns keeps a browser on this site, both as net/url resolves it and
// after a browser's own clean-up of tabs, newlines and backslashes.
func FuzzSafeNext(f *testing.F) {
	for _, s := range offSiteNexts {
		f.Add(s)
	}
	for _, s := range []string{"/", "/cases?q=a", "/cases/x/actions/note", "/a//b", "/.//evil.example", "/./%2f/x", "/?next=//evil"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, next string) {
		got := safeNext(next)
		if !onOrigin(got) {
			t.Fatalf("safeNext(%q) = %q leaves the site", next, got)
		}
		if got == "" || got[0] != '/' || strings.HasPrefix(browserNormalise(got), "//") {
			t.Fatalf("safeNext(%q) = %q is not a path on this site", next, got)
		}
		if safeNext(got) != got {
			t.Fatalf("safeNext is not stable: %q → %q → %q", next, got, safeNext(got))
		}
	})
}
