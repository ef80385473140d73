package web

import (
	"net/http"
	"net/url"
	"testing"

	"waymark/internal/store"
	"waymark/internal/storetest"
)

// An id or search holding a NUL byte, another control character or bytes
// that are not UTF-8 names nothing that exists. It is answered as an unknown
// address (path) or refused naming the parameter (query) on both stores —
// never a 500 on PostgreSQL, which cannot hold such text, and never stored
// on SQLite, which could.
func TestOddCharactersInAddressesAreNotFoundOrRefusedNeverA500(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		id := e.raiseCase()
		tok := e.signInAPI("social.worker@cs.example")
		for _, c := range []struct {
			method, path string
			body         any
			want         int
		}{
			{"GET", "/api/v1/cases/%00abc", nil, http.StatusNotFound},
			{"GET", "/api/v1/cases/%ff%fe", nil, http.StatusNotFound},
			{"GET", "/api/v1/cases/" + id + "%00", nil, http.StatusNotFound},
			{"DELETE", "/api/v1/tokens/%ff", nil, http.StatusNotFound},
			{"DELETE", "/api/v1/tokens/%00", nil, http.StatusNotFound},
			{"POST", "/api/v1/machine-clients/%ff/revoke", map[string]string{}, http.StatusNotFound},
			{"GET", "/api/v1/cases?q=%00", nil, http.StatusUnprocessableEntity},
			{"GET", "/api/v1/cases?q=%ff", nil, http.StatusUnprocessableEntity},
			{"GET", "/api/v1/cases?q=a%1bb", nil, http.StatusUnprocessableEntity},
		} {
			rec := e.api(c.method, c.path, tok, c.body)
			if rec.Code != c.want {
				t.Errorf("%s %s: %d, want %d: %s", c.method, c.path, rec.Code, c.want, rec.Body)
			}
		}
		// Bodies holding the same: refused naming the field, never a 500.
		for _, c := range []struct{ path, body string }{
			{"/api/v1/sessions", `{"email":"social.worker@cs.example\u0000","password":"x","totp":"123456"}`},
			{"/api/v1/tokens", `{"name":"a\u0000b","scopes":["cases:read"],"expiresInDays":5}`},
			{"/api/v1/break-glass", `{"case":"CS-\u0000","reason":"An emergency that needs the case at once"}`},
		} {
			if rec := e.api("POST", c.path, tok, c.body); rec.Code >= 500 || rec.Code < 400 {
				t.Errorf("POST %s %s: %d %s", c.path, c.body, rec.Code, rec.Body)
			}
		}
		b := e.browser()
		b.signIn("social.worker@cs.example")
		for _, path := range []string{"/cases/%00abc", "/cases/%ff/nrm-draft", "/concerns/%ff"} {
			if rec := b.get(path); rec.Code != http.StatusNotFound {
				t.Errorf("GET %s: %d", path, rec.Code)
			}
		}
		csrf := b.csrf("/break-glass")
		if rec := b.post("/break-glass", url.Values{"csrf_token": {csrf}, "case": {"CS-2026-\xff"}, "reason": {"An emergency that needs the case at once"}}); rec.Code >= 500 {
			t.Errorf("POST /break-glass with bytes that are not UTF-8: %d", rec.Code)
		}
	})
}
