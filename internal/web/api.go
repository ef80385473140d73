package web

import (
	"context"
	"database/sql/driver"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"waymark"
	"waymark/internal/casework"
	"waymark/internal/store"
)

// problemDoc is an RFC 9457 problem document.
type problemDoc struct {
	Type      string               `json:"type"`
	Title     string               `json:"title"`
	Status    int                  `json:"status"`
	Detail    string               `json:"detail,omitempty"`
	Code      string               `json:"code,omitempty"`
	Errors    []waymark.FieldError `json:"errors,omitempty"`
	RequestID string               `json:"requestId,omitempty"`
}

func (s *Server) problem(w http.ResponseWriter, r *http.Request, status int, detail string, fields []waymark.FieldError) {
	if detail == "" {
		detail = waymark.ErrorMessage(errors.New("internal"))
	}
	p := problemDoc{Type: "about:blank", Title: http.StatusText(status), Status: status, Detail: detail, Errors: fields, RequestID: requestID(r.Context())}
	w.Header().Set("Content-Type", "application/problem+json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(p)
}

// problemErr writes err as a problem document; internal errors are logged
// with the request id and never described.
func (s *Server) problemErr(w http.ResponseWriter, r *http.Request, err error) {
	code := waymark.ErrorCode(err)
	if code == waymark.EINTERNAL && s.clientGone(w, r, err) {
		return
	}
	if code == waymark.EINTERNAL {
		s.log.Error("internal error", "err", err, "request_id", requestID(r.Context()), "path", r.URL.Path)
		s.problem(w, r, http.StatusInternalServerError, "", nil)
		return
	}
	var e *waymark.Error
	errors.As(err, &e)
	status := statusFor(code)
	p := problemDoc{Type: "about:blank", Title: http.StatusText(status), Status: status, Detail: e.Message, Code: code, Errors: e.Fields, RequestID: requestID(r.Context())}
	if code == waymark.EBUSY && store.Committed(r.Context()) {
		// The change went in; its answer (the case read back, whose
		// audit entry is a write) could not be given. Sending it again
		// would make it twice: a code of its own says not to.
		p.Code, p.Detail = codeBusySaved, busySavedMessage
	}
	w.Header().Set("Content-Type", "application/problem+json")
	setRetryAfter(w, err)
	if status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Bearer realm="waymark"`)
	}
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(p)
}

// StatusClientClosedRequest is the status logged for a request its client
// gave up on before the answer was ready (nginx's 499): nobody receives it.
const StatusClientClosedRequest = 499

// clientGone answers a request whose client has gone away (its context was
// cancelled: the browser stopped, a load run ended) when that is why err
// happened. It is not an internal error: nothing failed on this side, and
// the one transaction it was in rolled back. It logs it at info level and
// reports true; otherwise it does nothing.
func (s *Server) clientGone(w http.ResponseWriter, r *http.Request, err error) bool {
	if !errors.Is(r.Context().Err(), context.Canceled) {
		return false
	}
	// pgx reports a query its context cut short as a bad connection
	// (database/sql then throws that connection away) rather than as
	// context.Canceled; it is the same event.
	if !errors.Is(err, context.Canceled) && !errors.Is(err, driver.ErrBadConn) {
		return false
	}
	s.log.Info("request cancelled by the client", "request_id", requestID(r.Context()), "path", r.URL.Path)
	w.WriteHeader(StatusClientClosedRequest)
	return true
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	body := encodeAPI(v)
	if checkAPIEncoding != nil {
		checkAPIEncoding(v, body)
	}
	w.Write(body)
}

// checkAPIEncoding, in tests only, is shown every answer's value and the
// body encodeAPI made of it.
var checkAPIEncoding func(v any, body []byte)

// codeTooLarge is the problem code of a request body over the size limit:
// 413 Content Too Large, not 422, since no change to the answers can fix it.
const codeTooLarge = "too_large"

// codeBusySaved is the problem code of a change that was saved but whose
// answer the database was too busy to give (store.Committed): 503, not to
// be sent again.
const codeBusySaved = "busy_saved"

// busySavedMessage says so to the client.
const busySavedMessage = "Your change has been saved, but Waymark was too busy to show what follows it. Do not send the change again: wait a moment, then read it back."

func jsonProblem(err error) error {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		return waymark.Errorf(waymark.EINVALID, "The request body is not valid JSON (at byte %d)", syn.Offset)
	case errors.As(err, &typ):
		field := typ.Field
		if field == "" {
			field = "body"
		}
		return &waymark.Error{Code: waymark.EINVALID, Message: fmt.Sprintf("%s must be %s, not %s", field, jsonKind(typ.Type.String()), typ.Value),
			Fields: []waymark.FieldError{{Field: field, Message: fmt.Sprintf("must be %s, not %s", jsonKind(typ.Type.String()), typ.Value)}}}
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		name := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return &waymark.Error{Code: waymark.EINVALID, Message: fmt.Sprintf("Unknown field %q: check the name against the OpenAPI document", name),
			Fields: []waymark.FieldError{{Field: name, Message: "unknown field"}}}
	case errors.Is(err, io.ErrUnexpectedEOF):
		return waymark.Errorf(waymark.EINVALID, "The JSON in the request body ends too early")
	}
	if strings.Contains(err.Error(), "parsing time") {
		return waymark.Errorf(waymark.EINVALID, "Times must be RFC 3339, for example 2026-11-26T09:30:00Z")
	}
	return waymark.Errorf(waymark.EINVALID, "The request body could not be read as JSON: %v", err)
}

func jsonKind(goType string) string {
	switch {
	case strings.HasPrefix(goType, "[]"):
		return "an array"
	case goType == "string":
		return "a string"
	case goType == "bool":
		return "true or false"
	case strings.HasPrefix(goType, "int"), strings.HasPrefix(goType, "float"):
		return "a number"
	case goType == "time.Time":
		return "an RFC 3339 time string"
	}
	return "an object"
}

// api wraps an API handler that needs a bearer token (a session token from
// POST /api/v1/sessions, a person's own API token, or a machine client's).
func (s *Server) api(h func(w http.ResponseWriter, r *http.Request, v casework.Viewer)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		auth := r.Header.Get("Authorization")
		scheme, token, ok := strings.Cut(auth, " ")
		ok = ok && strings.EqualFold(scheme, "Bearer") // the scheme is case-insensitive (RFC 9110 §11.1)
		if !ok || strings.TrimSpace(token) == "" {
			s.problemErr(w, r, waymark.Errorf(waymark.EUNAUTHORIZED, "Send an Authorization: Bearer header with a token from POST /api/v1/sessions or an API token"))
			return
		}
		if s.bearerLimited(w, r) {
			return
		}
		v, err := s.svc.AuthenticateAPIToken(r.Context(), strings.TrimSpace(token))
		if err != nil {
			if waymark.ErrorCode(err) == waymark.EUNAUTHORIZED {
				s.bearerFailed(r)
			}
			s.problemErr(w, r, err)
			return
		}
		noteViewer(r.Context(), v) // for the request's log line
		if s.tokenLimited(w, r, strings.TrimSpace(token)) {
			return
		}
		ctx := context.WithValue(r.Context(), keyViewer, v)
		ctx = context.WithValue(ctx, keyToken, strings.TrimSpace(token))
		ctx = store.NoteCommits(ctx) // the handler's own writes only (problemErr)
		h(w, r.WithContext(ctx), v)
	})
}
