package web

import (
	"net/http"
	"time"

	"waymark"
	"waymark/internal/casework"
)

// Single sign-on through the partnership's OpenID Connect provider. The
// state of each round trip is in the database (any replica can finish it)
// and in a cookie that binds it to this browser. That cookie is SameSite=Lax:
// the provider's redirect back is a cross-site navigation, which a Strict
// cookie would not survive.
const oidcCookie = "waymark_sso"

func (s *Server) setOIDCCookie(w http.ResponseWriter, state string) {
	s.setCookie(w, oidcCookie, state, http.SameSiteLaxMode, time.Time{}, 10*time.Minute)
}

func (s *Server) clearOIDCCookie(w http.ResponseWriter) {
	s.clearCookie(w, oidcCookie, http.SameSiteLaxMode)
}

// withSSO adds the single sign-on button to the sign-in page when it is set up.
func (s *Server) withSSO(d signInData) signInData {
	if o := s.svc.Access.OIDC; o != nil {
		d.SSO = o.Label
	}
	return d
}

func (s *Server) handleSSOStart() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		to, state, err := s.svc.StartOIDC(r.Context(), casework.OIDCSignIn, safeNext(r.URL.Query().Get("next")), "")
		if err != nil {
			s.failErr(w, r, err)
			return
		}
		s.setOIDCCookie(w, state)
		http.Redirect(w, r, to, http.StatusSeeOther)
	})
}

// handleSSOConfirm sends a signed-in person to their provider to sign in
// again, for an action that needs a recent proof of who they are.
func (s *Server) handleSSOConfirm(w http.ResponseWriter, r *http.Request, v casework.Viewer) {
	token, _ := r.Context().Value(keyToken).(string)
	to, state, err := s.svc.StartOIDC(r.Context(), casework.OIDCReauth, safeNext(r.URL.Query().Get("next")), token)
	if err != nil {
		s.failErr(w, r, err)
		return
	}
	s.setOIDCCookie(w, state)
	http.Redirect(w, r, to, http.StatusSeeOther)
}

type ssoData struct {
	Heading string
	Message string
	Next    string
}

func (s *Server) handleSSOCallback() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		cookieState := s.cookieValue(r, oidcCookie)
		s.clearOIDCCookie(w)
		if q.Get("error") != "" { // the person cancelled, or the provider refused
			s.render(w, r, http.StatusUnauthorized, "sign-in", Page{Title: "Sign in",
				Data: s.withSSO(signInData{Next: "/", Notice: "Signing in through your organisation was cancelled or refused. Try again, or sign in with your Waymark password."})})
			return
		}
		res, err := s.svc.FinishOIDC(r.Context(), q.Get("state"), cookieState, q.Get("code"))
		if err != nil {
			code := waymark.ErrorCode(err)
			if code == waymark.EINTERNAL {
				s.failErr(w, r, err)
				return
			}
			if code == waymark.EFORBIDDEN {
				s.render(w, r, http.StatusForbidden, "mfa-sso", Page{Title: "You cannot use Waymark with this account",
					Data: ssoData{Heading: "You cannot use Waymark with this account", Message: waymark.ErrorMessage(err)}})
				return
			}
			s.render(w, r, statusFor(code), "sign-in", Page{Title: "Sign in", Data: s.withSSO(signInData{Next: "/", Notice: waymark.ErrorMessage(err)})})
			return
		}
		next := safeNext(res.Next)
		if res.Purpose == casework.OIDCSignIn {
			s.setSessionCookie(w, res.Token, res.Session.ExpiresAt)
		}
		// A page rather than a redirect: the session cookie is SameSite=Strict,
		// and a browser does not send it at the end of a redirect chain that
		// began on the provider's site. Following this link is same-site.
		s.render(w, r, http.StatusOK, "mfa-sso", Page{Title: "Signed in",
			Data: ssoData{Heading: "You are signed in", Message: "Your organisation has confirmed who you are.", Next: next}})
	})
}
