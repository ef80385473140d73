package web

import (
	"net/http"
	"time"
)

// The three cookies Waymark sets: the session (middleware.go), the sign-in
// challenge between password and code (mfa.go), and the single sign-on state
// (oidc.go). Each is HttpOnly, Path=/ and has no Domain.
//
// Served over TLS (Secure on), each name carries the __Host- prefix: a
// browser then takes the cookie only if it is Secure, Path=/ and has no
// Domain, so neither a sibling subdomain nor a plain-HTTP page on the same
// host can plant or shadow one (RFC 6265bis §4.1.3.2). That is why the
// challenge and single sign-on cookies are Path=/ rather than scoped to
// /sign-in: the prefix demands it, and Path was never a security boundary
// (RFC 6265 §8.5); no page but the code page and the callback reads them.
// On the plain-HTTP loopback demo (Secure off) browsers refuse __Host-
// cookies outright, so there the plain name is used; nothing else changes.
// Only the name for the server's own mode is read: a plain-named cookie is
// ignored by a server that is served over TLS.
func (s *Server) cookieName(base string) string {
	if s.secure {
		return "__Host-" + base
	}
	return base
}

func (s *Server) setCookie(w http.ResponseWriter, base, value string, sameSite http.SameSite, expires time.Time, maxAge time.Duration) {
	c := &http.Cookie{Name: s.cookieName(base), Value: value, Path: "/", HttpOnly: true, Secure: s.secure, SameSite: sameSite, Expires: expires}
	if maxAge != 0 {
		c.MaxAge = int(maxAge.Seconds())
	}
	http.SetCookie(w, c)
}

func (s *Server) clearCookie(w http.ResponseWriter, base string, sameSite http.SameSite) {
	http.SetCookie(w, &http.Cookie{Name: s.cookieName(base), Value: "", Path: "/", HttpOnly: true, Secure: s.secure, SameSite: sameSite, MaxAge: -1})
}

func (s *Server) cookieValue(r *http.Request, base string) string {
	if c, err := r.Cookie(s.cookieName(base)); err == nil {
		return c.Value
	}
	return ""
}
