package web

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"waymark/internal/store"
	"waymark/internal/storetest"
)

// A script's malformed upload is answered with a problem naming the file
// (or, on the page, the form's error summary), never a server error.
func TestAMalformedUploadIsRefusedNotAnError(t *testing.T) {
	t.Parallel() // among the longest here: run beside each other once the rest are done
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		id := e.raiseCase()
		token := e.signInAPI("social.worker@cs.example")
		b := e.browser()
		b.signIn("social.worker@cs.example")
		csrf := b.csrf("/account/profile")
		const bd = "XyZbOuNdArY"
		bigHeader := "--" + bd + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.png\"\r\nX-Pad: " + strings.Repeat("a", 11<<20) + "\r\n\r\nx\r\n--" + bd + "--\r\n"
		manyParts := strings.Repeat("--"+bd+"\r\nContent-Disposition: form-data; name=\"what\"\r\n\r\nx\r\n", 20000) + "--" + bd + "--\r\n"
		truncated := "--" + bd + "\r\nContent-Disposition: form-data; name=\"what\"\r\n\r\nx\r\n--" + bd + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.png\"\r\n\r\n" + string(tinyPNG[:20])
		noHeaderEnd := "--" + bd + "\r\nContent-Disposition: form-data; name=\"what\"\r\n"
		garbage := "this is not multipart at all"
		for _, c := range []struct{ name, ct, body string }{
			{"no boundary", "multipart/form-data", "--x\r\n"},
			{"not multipart", "application/json", `{"file":"x"}`},
			{"huge part header", "multipart/form-data; boundary=" + bd, bigHeader},
			{"many parts", "multipart/form-data; boundary=" + bd, manyParts},
			{"truncated", "multipart/form-data; boundary=" + bd, truncated},
			{"part headers never end", "multipart/form-data; boundary=" + bd, noHeaderEnd},
			{"garbage", "multipart/form-data; boundary=" + bd, garbage},
		} {
			for _, page := range []bool{false, true} {
				body := c.body
				path := "/api/v1/cases/" + id + "/documents"
				if page {
					path = "/cases/" + id + "/documents"
					if strings.HasPrefix(body, "--"+bd) {
						body = "--" + bd + "\r\nContent-Disposition: form-data; name=\"csrf_token\"\r\n\r\n" + csrf + "\r\n" + body
					}
				}
				r := httptest.NewRequest("POST", path, strings.NewReader(body))
				r.Header.Set("Content-Type", c.ct)
				var rec *httptest.ResponseRecorder
				if page {
					rec = b.do(r)
				} else {
					r.Header.Set("Authorization", "Bearer "+token)
					rec = e.serve(r)
				}
				if rec.Code >= 500 || rec.Code < 400 {
					t.Errorf("%s (page %v): %d %.300s", c.name, page, rec.Code, rec.Body)
				}
				if page && rec.Code == http.StatusUnprocessableEntity && !strings.Contains(rec.Body.String(), "govuk-error-summary") {
					t.Errorf("%s: the page has no error summary", c.name)
				}
				if !page && !strings.HasPrefix(rec.Header().Get("Content-Type"), "application/problem+json") {
					t.Errorf("%s: answered as %q", c.name, rec.Header().Get("Content-Type"))
				}
			}
		}
		if n := e.count("case_files"); n != 0 {
			t.Errorf("%d documents kept from malformed uploads", n)
		}
	})
}
