package web

import (
	"net/http"
	"sort"
	"strings"

	"waymark"
	"waymark/internal/pathway"
)

// refuseOddAddress answers a request whose address holds what no id,
// reference or search can contain — a control character (NUL among them),
// a direction override, or bytes that are not UTF-8 — before any handler or
// the database sees it. Such a path names nothing that exists, so it is "not
// found" like any unknown address; such a query value is refused naming the
// parameter. It reports whether it answered.
func (s *Server) refuseOddAddress(w http.ResponseWriter, r *http.Request) bool {
	if pathway.TextProblem(r.URL.Path, false) != "" {
		s.fail(w, r, http.StatusNotFound, "There is nothing at this address. Check the link, or go back to your cases.")
		return true
	}
	q := r.URL.Query()
	keys := make([]string, 0, len(q))
	for k := range q {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var probs []waymark.FieldError
	for _, k := range keys {
		if k == "next" {
			continue // a place to return to: safeNext (next.go) judges it, and drops what it refuses
		}
		field := k
		if pathway.TextProblem(k, false) != "" {
			field = "query"
		}
		for _, v := range append([]string{k}, q[k]...) {
			if msg := pathway.TextProblem(v, false); msg != "" {
				probs = append(probs, waymark.FieldError{Field: field, Message: "The address's " + field + " " + msg})
				break
			}
		}
	}
	if len(probs) == 0 {
		return false
	}
	if strings.HasPrefix(r.URL.Path, "/api/") {
		s.problem(w, r, http.StatusUnprocessableEntity, "The address of this request holds characters that are not allowed: "+probs[0].Message+".", probs)
	} else {
		s.fail(w, r, http.StatusUnprocessableEntity, probs[0].Message+". Go back and search again.")
	}
	return true
}
