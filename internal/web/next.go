package web

import (
	"net/url"
	"strings"
)

// safeNext is the one place that decides where a browser may be sent after
// signing in (password, two-step pages, a form carried through an expired
// session, single sign-on and its re-authentication): only a path on this
// site. Anything else becomes "/".
//
// It judges the address as a browser will read it, not as Go does. Browsers
// drop ASCII tab, line feed and carriage return anywhere in a URL, read a
// backslash as a slash in http(s) URLs, and treat "//host" and "/\host" as
// scheme-relative: "/%09/evil.example" is percent-encoded only on the way in,
// arrives here as "/\t/evil.example" and leaves as "//evil.example". So the
// value is normalised that way first, must then start with exactly one "/"
// followed by something other than "/" (or be "/" itself), must not begin
// with an encoded slash or backslash, must hold no control character, and
// must parse with no scheme, host or user. Only the path and query are
// written back out, re-encoded by net/url, so what is returned is what was
// checked. FuzzSafeNext holds it to this.
func safeNext(next string) string {
	n := strings.Map(func(r rune) rune {
		switch r {
		case '\t', '\n', '\r':
			return -1
		case '\\':
			return '/'
		}
		return r
	}, next)
	if n == "" || n[0] != '/' || (len(n) > 1 && n[1] == '/') {
		return "/"
	}
	if l := strings.ToLower(n); strings.HasPrefix(l, "/%2f") || strings.HasPrefix(l, "/%5c") {
		return "/"
	}
	u, err := url.Parse(n)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || u.Opaque != "" {
		return "/"
	}
	// Control characters, typed or percent-encoded, belong in no address of
	// ours; a decoded path that would read as scheme-relative is refused too.
	if hasControl(n) || hasControl(u.Path) || strings.HasPrefix(u.Path, "//") || strings.HasPrefix(u.Path, `/\`) {
		return "/"
	}
	out := (&url.URL{Path: u.Path, RawPath: u.RawPath, RawQuery: u.RawQuery}).String()
	// Re-serialising must not have made it scheme-relative again (a path
	// such as "/.//x" cleaned elsewhere, or an empty first segment).
	if out == "" || out[0] != '/' || (len(out) > 1 && (out[1] == '/' || out[1] == '\\')) {
		return "/"
	}
	return out
}

func hasControl(s string) bool {
	for _, r := range s {
		if r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) {
			return true
		}
	}
	return false
}
