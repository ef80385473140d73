package web

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"waymark/internal/storetest"
)

// /assets/ serves files, never a listing of what is there.
func TestAssetsDoNotListDirectories(t *testing.T) {
	e := newEnv(t, storetest.SQLite(t))
	for _, path := range []string{"/assets/", "/assets/images/", "/assets/images", "/assets/./", "/assets/images/../"} {
		rec := e.serve(httpGet(path))
		if rec.Code == http.StatusOK || strings.Contains(rec.Body.String(), "govuk.css") || strings.Contains(rec.Body.String(), "<pre>") {
			t.Errorf("GET %s: %d, %q: a directory was listed", path, rec.Code, firstLine(rec.Body.String()))
		}
	}
	if rec := e.serve(httpGet("/assets/")); rec.Code != http.StatusNotFound {
		t.Errorf("GET /assets/: %d, want 404", rec.Code)
	}
	if rec := e.serve(httpGet("/assets/govuk.css")); rec.Code != http.StatusOK {
		t.Errorf("GET /assets/govuk.css: %d, want the file", rec.Code)
	}
}

func httpGet(path string) *http.Request {
	r, _ := http.NewRequest("GET", "http://waymark.test"+path, nil)
	return r
}

func firstLine(s string) string {
	l, _, _ := strings.Cut(s, "\n")
	return l
}

// Served over TLS, every cookie Waymark sets is a __Host- cookie (Secure,
// Path=/, no Domain), and only that name is accepted: a cookie planted under
// the plain name by a sibling subdomain or a plain-HTTP page opens nothing.
// On the plain-HTTP demo, where browsers refuse __Host- cookies, the plain
// names stay.
func TestSessionCookieUsesTheHostPrefixWhenSecure(t *testing.T) {
	for _, secure := range []bool{false, true} {
		t.Run(map[bool]string{false: "plain", true: "secure"}[secure], func(t *testing.T) {
			e := newEnv(t, storetest.SQLite(t), func(c *Config) { c.SecureCookie = secure })
			b := e.browser()
			first := b.post("/sign-in", url.Values{"email": {"dsl@northfield.example"}, "password": {storetest.Password}})
			rec := b.post("/sign-in/code", url.Values{"code": {e.code("dsl@northfield.example")}, "next": {"/"}})
			var set []*http.Cookie
			set = append(set, first.Result().Cookies()...)
			set = append(set, rec.Result().Cookies()...)
			prefix := map[bool]string{false: "", true: "__Host-"}[secure]
			names := map[string]bool{}
			for _, c := range set {
				names[c.Name] = true
				if !strings.HasPrefix(c.Name, prefix) || (secure && (!c.Secure || c.Path != "/" || c.Domain != "")) {
					t.Errorf("cookie %s: Secure=%v Path=%q Domain=%q; want the %q prefix, Secure, Path=/ and no Domain", c.Name, c.Secure, c.Path, c.Domain, prefix)
				}
				if !secure && strings.HasPrefix(c.Name, "__Host-") {
					t.Errorf("cookie %s on plain HTTP: browsers would refuse it", c.Name)
				}
			}
			if !names[prefix+sessionCookie] || !names[prefix+challengeCookie] {
				t.Fatalf("cookies set: %v, want %s and %s", names, prefix+sessionCookie, prefix+challengeCookie)
			}
			token := b.cookies[prefix+sessionCookie].Value
			if rec := b.get("/cases"); rec.Code != http.StatusOK {
				t.Fatalf("signed in, /cases answers %d", rec.Code)
			}
			if secure {
				// The same token under the plain name is not read.
				planted := e.browser()
				planted.cookies[sessionCookie] = &http.Cookie{Name: sessionCookie, Value: token}
				if rec := planted.get("/cases"); rec.Code != http.StatusSeeOther {
					t.Errorf("a plain-named session cookie opened /cases: %d", rec.Code)
				}
			}
		})
	}
}
