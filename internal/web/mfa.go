package web

import (
	"context"
	"html/template"
	"net/http"
	"time"

	"waymark"
	"waymark/internal/access"
	"waymark/internal/casework"
	"waymark/internal/store"
)

// The second step of signing in. Between the password and the code the
// browser holds only a challenge cookie (cookies.go): it is not a session
// and no page but the code and set-up pages accepts it.
const challengeCookie = "waymark_sign_in"

func (s *Server) setChallengeCookie(w http.ResponseWriter, token string) {
	s.setCookie(w, challengeCookie, token, http.SameSiteStrictMode, time.Time{}, 10*time.Minute)
}

func (s *Server) clearChallengeCookie(w http.ResponseWriter) {
	s.clearCookie(w, challengeCookie, http.SameSiteStrictMode)
}

func (s *Server) challengeFrom(r *http.Request) string { return s.cookieValue(r, challengeCookie) }

// codeData is what the code and set-up pages carry through the step.
type codeData struct {
	Next     string
	Resume   string
	Enrol    casework.Enrolment
	Grouped  string       // the secret in groups of four
	Link     template.URL // the otpauth:// URI: a scheme html/template would otherwise blank out
	Recovery []string
}

// secondStep follows an accepted password: the code page, or the set-up
// page the first time. It is shown in answer to the password's POST, so the
// answers carried through sign-in (resume) never go into a URL.
func (s *Server) secondStep(w http.ResponseWriter, r *http.Request, ch casework.Challenge, next, resume string) {
	s.setChallengeCookie(w, ch.Token)
	d := codeData{Next: next, Resume: resume}
	if ch.Kind == store.ChallengeEnrol {
		s.renderSetUp(w, r, ch.Token, http.StatusOK, d, nil)
		return
	}
	s.render(w, r, http.StatusOK, "mfa-code", Page{Title: "Enter the code from your authenticator app", Data: d})
}

func (s *Server) renderSetUp(w http.ResponseWriter, r *http.Request, token string, status int, d codeData, errs []waymark.FieldError) {
	e, err := s.svc.StartEnrolment(r.Context(), token)
	if err != nil {
		s.signInTimedOut(w, r, err, d)
		return
	}
	d.Enrol, d.Grouped = e, access.GroupSecret(e.Secret)
	d.Link = template.URL(e.URI) // built by access.OTPAuthURI from our own values, never from input
	s.render(w, r, status, "mfa-setup", Page{Title: "Set up two-step verification", Errors: errs, Data: d})
}

// signInTimedOut sends the person back to the password when the challenge
// has ended, keeping where they were going and their answers.
func (s *Server) signInTimedOut(w http.ResponseWriter, r *http.Request, err error, d codeData) {
	if code := waymark.ErrorCode(err); code == waymark.EINTERNAL || code == waymark.EBUSY {
		// Busy: the challenge has not ended, so its cookie stays, and the
		// busy page says to try again (a form's answers, but for the
		// code, carried on it: busyAgain).
		s.failErr(w, r, err)
		return
	}
	s.clearChallengeCookie(w)
	s.render(w, r, statusFor(waymark.ErrorCode(err)), "sign-in", Page{Title: "Sign in",
		Data: s.withSSO(signInData{Next: d.Next, Resume: d.Resume, Notice: waymark.ErrorMessage(err)})})
}

func (s *Server) handleCodeForm() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s.challengeFrom(r) == "" {
			http.Redirect(w, r, "/sign-in", http.StatusSeeOther)
			return
		}
		s.render(w, r, http.StatusOK, "mfa-code", Page{Title: "Enter the code from your authenticator app",
			Data: codeData{Next: safeNext(r.URL.Query().Get("next"))}})
	})
}

func (s *Server) handleCode() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		d := codeData{Next: safeNext(r.FormValue("next")), Resume: r.FormValue("resume")}
		token, sess, u, err := s.svc.CompleteSignIn(r.Context(), s.challengeFrom(r), r.FormValue("code"))
		if err != nil {
			setRetryAfter(w, err)
			code := waymark.ErrorCode(err)
			if fields := waymark.ErrorFields(err); len(fields) > 0 && code != waymark.EINTERNAL {
				s.render(w, r, statusFor(code), "mfa-code", Page{Title: "Enter the code from your authenticator app", Errors: fields, Data: d})
				return
			}
			if code == waymark.EBUSY {
				// Nothing was recorded and the challenge stands: the same
				// code, or the next, can be entered again in a moment.
				s.render(w, r, statusFor(code), "mfa-code", Page{Title: "Enter the code from your authenticator app",
					Errors: []waymark.FieldError{{Message: waymark.ErrorMessage(err)}}, Data: d})
				return
			}
			s.signInTimedOut(w, r, err, d)
			return
		}
		s.clearChallengeCookie(w)
		s.finishSignIn(w, r, token, sess, u, d.Next, d.Resume)
	})
}

func (s *Server) handleSetUpForm() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		tok := s.challengeFrom(r)
		if tok == "" {
			http.Redirect(w, r, "/sign-in", http.StatusSeeOther)
			return
		}
		s.renderSetUp(w, r, tok, http.StatusOK, codeData{Next: safeNext(r.URL.Query().Get("next"))}, nil)
	})
}

func (s *Server) handleSetUp() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		d := codeData{Next: safeNext(r.FormValue("next")), Resume: r.FormValue("resume")}
		tok := s.challengeFrom(r)
		token, sess, u, recovery, err := s.svc.ConfirmEnrolment(r.Context(), tok, r.FormValue("code"))
		if waymark.ErrorCode(err) == waymark.EINVALID {
			s.renderSetUp(w, r, tok, http.StatusUnprocessableEntity, d, waymark.ErrorFields(err))
			return
		}
		if err != nil {
			s.signInTimedOut(w, r, err, d)
			return
		}
		s.clearChallengeCookie(w)
		s.setSessionCookie(w, token, sess.ExpiresAt)
		d.Recovery = recovery
		// Shown once: only their hashes are kept. The page is not cached (no-store).
		ctx := r.Context()
		r = r.WithContext(withViewer(ctx, casework.Viewer{User: u}, sess, token))
		s.render(w, r, http.StatusOK, "mfa-recovery", Page{Title: "Save your recovery codes", Data: d})
	})
}

// finishSignIn sets the session cookie and goes where the person was
// going: for a form posted after their session had ended, back to that form.
func (s *Server) finishSignIn(w http.ResponseWriter, r *http.Request, token string, sess store.Session, u store.User, next, resume string) {
	s.setSessionCookie(w, token, sess.ExpiresAt)
	// Answers kept when the session ended are taken, by this person only,
	// on the page they go back to (answers.go).
	http.Redirect(w, r, withRestore(next, resume), http.StatusSeeOther)
}

// withViewer puts a signed-in viewer in the request's context, as page()
// does, for a page shown in the same response that signed them in.
func withViewer(ctx context.Context, v casework.Viewer, sess store.Session, token string) context.Context {
	noteViewer(ctx, v)
	ctx = context.WithValue(ctx, keyViewer, v)
	ctx = context.WithValue(ctx, keySession, sess)
	return context.WithValue(ctx, keyToken, token)
}
