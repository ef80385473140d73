package web

import (
	"net/http"

	"waymark"
	"waymark/internal/casework"
)

// profileData is the page of a person's own work details: what the NRM
// referral asks of the First Responder who submits it (§8.7).
type profileData struct {
	Form map[string]string
}

func profileForm(p casework.Profile) map[string]string {
	return map[string]string{"jobTitle": p.JobTitle, "workPhone": p.WorkPhone, "awayEmail": p.AwayEmail}
}

func profileFrom(f map[string][]string) casework.Profile {
	get := func(k string) string {
		if v := f[k]; len(v) > 0 {
			return v[0]
		}
		return ""
	}
	return casework.Profile{JobTitle: get("jobTitle"), WorkPhone: get("workPhone"), AwayEmail: get("awayEmail")}
}

func (s *Server) handleProfile(w http.ResponseWriter, r *http.Request, v casework.Viewer) {
	p, err := s.svc.MyProfile(r.Context(), v)
	if err != nil {
		s.failErr(w, r, err)
		return
	}
	form := profileForm(p)
	if kept := restoredForm(r); len(kept) > 0 {
		form = profileForm(profileFrom(kept))
	}
	flash := map[string]string{"saved": "Your work details are saved."}[r.URL.Query().Get("done")]
	s.render(w, r, http.StatusOK, "profile", Page{Title: "Your work details", Flash: flash, Data: profileData{Form: form}})
}

func (s *Server) handleProfileSave(w http.ResponseWriter, r *http.Request, v casework.Viewer) {
	in := profileFrom(r.PostForm)
	err := s.svc.SetMyProfile(r.Context(), v, in)
	switch {
	case err == nil:
		http.Redirect(w, r, "/account/profile?done=saved", http.StatusSeeOther)
	case waymark.ErrorCode(err) == waymark.EINVALID:
		s.render(w, r, http.StatusUnprocessableEntity, "profile", Page{Title: "Your work details", Errors: waymark.ErrorFields(err), Data: profileData{Form: profileForm(in)}})
	default:
		s.failErr(w, r, err)
	}
}

// handleAPIProfile returns the person's own work details.
func (s *Server) handleAPIProfile(w http.ResponseWriter, r *http.Request, v casework.Viewer) {
	p, err := s.svc.MyProfile(r.Context(), v)
	if err != nil {
		s.problemErr(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, p)
}

// handleAPIProfileSave replaces the person's own work details.
func (s *Server) handleAPIProfileSave(w http.ResponseWriter, r *http.Request, v casework.Viewer) {
	var in casework.Profile
	if err := decodeJSON(r, &in); err != nil {
		s.problemErr(w, r, err)
		return
	}
	if err := s.svc.SetMyProfile(r.Context(), v, in); err != nil {
		s.problemErr(w, r, err)
		return
	}
	s.handleAPIProfile(w, r, v)
}
