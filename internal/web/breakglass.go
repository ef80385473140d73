package web

import (
	"errors"
	"net/http"
	"net/url"
	"time"

	"waymark"
	"waymark/internal/casework"
	"waymark/internal/store"
)

// Break-glass (§6.5): emergency access to a case the person is not a member
// of, with a written reason, after confirming who they are again.

type breakGlassData struct {
	Case        string
	Reason      string
	Hours       int
	HasPassword bool // else they confirm through their organisation's sign-in
	SSOConfirm  string
	Active      []store.BreakGlassGrant
	ReasonMin   int
	ReasonMax   int
}

func (s *Server) breakGlassPage(w http.ResponseWriter, r *http.Request, v casework.Viewer, status int, d breakGlassData, errs []waymark.FieldError) {
	d.Hours = int(s.svc.Access.BreakGlassFor / time.Hour)
	d.HasPassword = v.SignsInWithPassword()
	d.ReasonMin, d.ReasonMax = casework.BreakGlassReasonMin, casework.BreakGlassReasonMax
	if s.svc.Access.OIDC != nil {
		d.SSOConfirm = "/sign-in/sso/confirm?next=" + url.QueryEscape("/break-glass?case="+d.Case)
	}
	active, err := s.svc.EmergencyAccess(r.Context(), v)
	if err != nil {
		s.failErr(w, r, err)
		return
	}
	d.Active = active
	s.render(w, r, status, "breakglass", Page{Title: "Emergency access to a case", Errors: errs, Data: d})
}

func (s *Server) handleBreakGlassForm(w http.ResponseWriter, r *http.Request, v casework.Viewer) {
	s.breakGlassPage(w, r, v, http.StatusOK, breakGlassData{Case: r.URL.Query().Get("case"), Reason: restoredForm(r).Get("reason")}, nil)
}

func (s *Server) handleBreakGlass(w http.ResponseWriter, r *http.Request, v casework.Viewer) {
	d := breakGlassData{Case: r.PostFormValue("case"), Reason: r.PostFormValue("reason")}
	token, _ := r.Context().Value(keyToken).(string)
	if confirm := r.PostFormValue("confirm"); confirm != "" {
		if err := s.svc.Reauthenticate(r.Context(), v, token, confirm); err != nil {
			if code := waymark.ErrorCode(err); code == waymark.EINVALID {
				s.breakGlassPage(w, r, v, http.StatusUnprocessableEntity, d, waymark.ErrorFields(err))
				return
			}
			s.failErr(w, r, err)
			return
		}
	}
	caseID, _, err := s.svc.BreakGlass(r.Context(), v, token, d.Case, d.Reason)
	switch {
	case errors.Is(err, casework.ErrReauthenticate):
		s.breakGlassPage(w, r, v, http.StatusForbidden, d, []waymark.FieldError{{Field: "confirm", Message: "Enter your password or a code from your authenticator app to confirm it is you"}})
		return
	case waymark.ErrorCode(err) == waymark.EINVALID:
		s.breakGlassPage(w, r, v, http.StatusUnprocessableEntity, d, waymark.ErrorFields(err))
		return
	case err != nil:
		s.failErr(w, r, err)
		return
	}
	http.Redirect(w, r, "/cases/"+caseID, http.StatusSeeOther)
}

func (s *Server) handleAlerts(w http.ResponseWriter, r *http.Request, v casework.Viewer) {
	alerts, page, err := readPage(r, v, casePaging, s.svc.AlertsPage)
	if waymark.ErrorCode(err) == waymark.EINVALID { // a page link Waymark did not give
		s.render(w, r, http.StatusUnprocessableEntity, "alerts", Page{Title: "Alerts", Errors: linkErrors(err), Data: map[string]any{"Alerts": []store.Alert(nil), "Now": s.now()}})
		return
	}
	if err != nil {
		s.failErr(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "alerts", Page{Title: "Alerts", Data: map[string]any{"Alerts": alerts, "Now": s.now(),
		"Pages": casePaging.links("/alerts", r.URL.Query(), page)}})
}

// handleAPIBreakGlass is break-glass for API clients signed in with a
// session: the body carries the password or an authenticator code.
func (s *Server) handleAPIBreakGlass(w http.ResponseWriter, r *http.Request, v casework.Viewer) {
	var in struct {
		Case     string `json:"case"`
		Reason   string `json:"reason"`
		Password string `json:"password"`
		TOTP     string `json:"totp"`
	}
	if err := decodeJSON(r, &in); err != nil {
		s.problemErr(w, r, err)
		return
	}
	token, _ := r.Context().Value(keyToken).(string)
	confirm := in.TOTP
	if confirm == "" {
		confirm = in.Password
	}
	if confirm != "" {
		if err := s.svc.Reauthenticate(r.Context(), v, token, confirm); err != nil {
			s.problemErr(w, r, err)
			return
		}
	}
	caseID, grant, err := s.svc.BreakGlass(r.Context(), v, token, in.Case, in.Reason)
	if err != nil {
		s.problemErr(w, r, err)
		return
	}
	out := map[string]any{"caseId": caseID}
	if grant.ID != "" {
		out["expiresAt"] = grant.ExpiresAt
	}
	writeJSON(w, http.StatusCreated, out)
}
