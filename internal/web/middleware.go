package web

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"
	"strings"
	"time"

	"waymark"
	"waymark/internal/access"
	"waymark/internal/audit"
	"waymark/internal/casework"
	"waymark/internal/store"
)

type ctxKey int

const (
	keyRequestID ctxKey = iota
	keyViewer
	keySession
	keyToken
	keyWho
)

func requestID(ctx context.Context) string {
	id, _ := ctx.Value(keyRequestID).(string)
	return id
}

// saneRequestID reports whether an incoming X-Request-Id may be taken as
// this request's id: 1 to 128 visible ASCII characters, no spaces, so that
// it cannot break a log line, a header or an audit row. Otherwise a new id
// is made.
func saneRequestID(id string) bool {
	if id == "" || len(id) > 128 {
		return false
	}
	for i := 0; i < len(id); i++ {
		if id[i] <= ' ' || id[i] > '~' {
			return false
		}
	}
	return true
}

func newRequestID() string {
	b := make([]byte, 8)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// requestWho is filled in by whatever signs the request in (page, the
// API's bearer check, the sign-in steps), for the request's log line.
type requestWho struct {
	userID, orgID string
}

// noteViewer records who a request acts for, by id only: the log never
// carries names or email addresses.
func noteViewer(ctx context.Context, v casework.Viewer) {
	if who, ok := ctx.Value(keyWho).(*requestWho); ok {
		who.userID = v.User.ID
		who.orgID = v.User.OrgID
		if v.Client != nil {
			who.orgID = v.Client.OrgID
		}
	}
}

// middleware wraps every request: request id, security headers, body limit,
// rate limits, cross-origin protection, panic recovery, metrics and a
// structured log line.
func (s *Server) middleware(next http.Handler) http.Handler {
	cop := http.NewCrossOriginProtection()
	cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.fail(w, r, http.StatusForbidden, "This request came from another site and was refused. Go back to Waymark and try again.")
	}))
	protected := cop.Handler(next)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		// An id the proxy or the caller gave is kept, so one id follows the
		// request through every log; it reaches the audit entries written
		// for the request too (audit.WithRequestID).
		rid := r.Header.Get("X-Request-Id")
		if !saneRequestID(rid) {
			rid = newRequestID()
		}
		who := &requestWho{}
		ctx := context.WithValue(r.Context(), keyRequestID, rid)
		ctx = context.WithValue(ctx, keyWho, who)
		ctx = audit.WithRequestID(ctx, rid)
		ctx, hashed := access.WithHashTime(ctx)
		r = r.WithContext(ctx)
		h := w.Header()
		h.Set("X-Request-Id", rid)
		h.Set("Content-Security-Policy", "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()")
		if s.secure || r.TLS != nil {
			h.Set("Strict-Transport-Security", "max-age=63072000; includeSubDomains")
		}
		if !strings.HasPrefix(r.URL.Path, "/assets/") {
			h.Set("Cache-Control", "no-store")
		}
		r.Body = http.MaxBytesReader(w, r.Body, s.bodyLimit(r)) // documents.go: an upload's is larger
		rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
		if s.hashTiming {
			rec.hashed = hashed
		}
		defer func() {
			if p := recover(); p != nil {
				s.log.Error("panic", "request_id", rid, "panic", p, "stack", string(debug.Stack()))
				if !rec.wrote {
					s.fail(rec, r, http.StatusInternalServerError, "")
				}
			}
			d := time.Since(start)
			route := r.Pattern
			if route == "" {
				route = "unmatched"
			}
			s.metrics.observe(route, rec.status, d)
			// One line per request. The route is the pattern, never the
			// path, which can carry a case id; people appear by id only.
			attrs := []slog.Attr{slog.String("request_id", rid), slog.String("method", r.Method), slog.String("route", route),
				slog.Int("status", rec.status), slog.Duration("duration", d),
				slog.String("user_id", who.userID), slog.String("org_id", who.orgID), slog.String("client_ip", s.clientIP(r))}
			if h := hashed.Duration(); h > 0 {
				attrs = append(attrs, slog.Duration("password_hash", h))
			}
			s.log.LogAttrs(r.Context(), slog.LevelInfo, "request", attrs...)
		}()
		if s.refuseOddAddress(rec, r) { // address.go: NUL, controls, not UTF-8
			return
		}
		if s.rateLimited(rec, r) { // ratelimit.go: sign-in per address, API per token
			return
		}
		r = r.WithContext(casework.WithSource(r.Context(), s.clientIP(r))) // for the sign-in throttle
		protected.ServeHTTP(rec, r)
		s.signInSucceeded(rec.status, r) // ratelimit.go: a successful sign-in step gives its request back
	})
}

type statusRecorder struct {
	http.ResponseWriter
	status int
	wrote  bool
	hashed *access.HashTime // the request's password hashes, said in Server-Timing; nil unless Config.HashTiming
}

func (r *statusRecorder) WriteHeader(code int) {
	if !r.wrote {
		r.status, r.wrote = code, true
		r.timing()
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *statusRecorder) Write(b []byte) (int, error) {
	if !r.wrote {
		r.wrote = true
		r.timing()
	}
	return r.ResponseWriter.Write(b)
}

// timing says, in a Server-Timing header, how long the request spent on
// password hashes (a sign-in's deliberate cost, waiting for a hash slot
// included), when it ran any and Config.HashTiming asks for it: a load run
// subtracts it to time the rest of the sign-in (docs/performance.md). Not
// on a service others can reach: without the hash's long and varying time,
// the small difference in the rest between a known and an unknown email
// stands out, and the wait for a slot says how many others are signing in.
func (r *statusRecorder) timing() {
	if h := r.hashed.Duration(); h > 0 {
		r.Header().Set("Server-Timing", fmt.Sprintf("hash;dur=%.3f", float64(h)/float64(time.Millisecond)))
	}
}

func (r *statusRecorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

// sessionCookie is the session cookie's name; served over TLS it is
// __Host-waymark_session (cookies.go).
const sessionCookie = "waymark_session"

var errNoSession = errors.New("no session cookie")

// viewerFrom returns the signed-in viewer, if any.
func viewerFrom(ctx context.Context) (casework.Viewer, bool) {
	v, ok := ctx.Value(keyViewer).(casework.Viewer)
	return v, ok
}

func sessionFrom(ctx context.Context) store.Session {
	s, _ := ctx.Value(keySession).(store.Session)
	return s
}

// page wraps an HTML handler that needs a signed-in user. Without one, a GET
// goes to the sign-in page and comes back afterwards; a POST shows the sign-in
// page carrying the answers, so an expired session loses nothing.
func (s *Server) page(h func(w http.ResponseWriter, r *http.Request, v casework.Viewer)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		token := s.cookieValue(r, sessionCookie)
		var v casework.Viewer
		var sess store.Session
		var err error = errNoSession
		if token != "" {
			v, sess, err = s.svc.Authenticate(r.Context(), token)
		}
		if waymark.ErrorCode(err) == waymark.EBUSY {
			// Noting the session's use is a write, and the database was
			// too busy to take it: the session stands, so the person is
			// not signed out, and a form's answers come back on the busy
			// page (busyAgain). Signing out clears the browser's cookie
			// all the same (handleSignOut).
			if r.Method == http.MethodPost && r.URL.Path == "/sign-out" {
				s.signOutBrowser(w, r, err)
				return
			}
			s.failErr(w, r, err)
			return
		}
		if err != nil {
			s.clearSessionCookie(w)
			s.signInAgain(w, r, sess.UserID) // the ended session's person, if the store still knew it
			return
		}
		noteViewer(r.Context(), v) // for the request's log line
		// An upload's handler reads its token as the body streams (documents.go).
		if r.Method == http.MethodPost && !streamsItsBody(r) {
			if err := r.ParseForm(); err != nil {
				var mbe *http.MaxBytesError
				if errors.As(err, &mbe) {
					s.fail(w, r, http.StatusRequestEntityTooLarge, "What you sent is too long to save. Go back, shorten the longest answers and try again.")
					return
				}
				s.fail(w, r, http.StatusBadRequest, "The answers could not be read. Go back and try again.")
				return
			}
		}
		if r.Method == http.MethodPost && !streamsItsBody(r) && r.PostFormValue("csrf_token") != sess.CSRFToken {
			s.fail(w, r, http.StatusForbidden, "This form has expired. Go back, reload the page and try again: your saved answers are kept.")
			return
		}
		if r.Method == http.MethodPost && !checksItsOwnText[r.Pattern] {
			// Every form of every page, before any handler reads it (input.go).
			if probs := formProblems(r.PostForm); len(probs) > 0 {
				s.refuseAnswers(w, r, probs)
				return
			}
		}
		ctx := context.WithValue(r.Context(), keyViewer, v)
		ctx = context.WithValue(ctx, keySession, sess)
		ctx = context.WithValue(ctx, keyToken, token)
		ctx = s.restoreAnswers(ctx, r, v) // answers kept across signing in again (answers.go)
		// Counted from here: only the handler's own writes, not the
		// session's or the kept answers', say its change went in (failErr).
		ctx = store.NoteCommits(ctx)
		h(w, r.WithContext(ctx), v)
	})
}

func (s *Server) setSessionCookie(w http.ResponseWriter, token string, expires time.Time) {
	s.setCookie(w, sessionCookie, token, http.SameSiteStrictMode, expires, 0)
}

func (s *Server) clearSessionCookie(w http.ResponseWriter) {
	s.clearCookie(w, sessionCookie, http.SameSiteStrictMode)
}
