package web

import (
	"errors"
	"net/http"
	"net/url"
	"strings"

	"waymark"
	"waymark/internal/casework"
	"waymark/internal/pathway"
)

// Staff accounts: administrators list people (by organisation and status),
// add them, change their role, disable, enable and unlock them, disable
// several at once, and list the organisations (casework/staff.go decides
// who may and audits each change). The pages show names, addresses, roles,
// organisations and statuses: never a case, nor a count of anyone's cases.
// Every change asks the administrator to have confirmed who they are in the
// last few minutes, as machine clients do. They work without JavaScript.

type staffData struct {
	NeedConfirm bool // changes need the administrator to confirm who they are first
	HasPassword bool
	SSOConfirm  string
	Next        string // where the confirmation form returns to
	Staff       []casework.StaffMember
	Person      *casework.StaffMember
	Filter      casework.StaffFilter
	OrgItems    []map[string]string // for the filter
	StatusItems []map[string]string
	FormOrgs    []map[string]string // for adding a person
	RoleItems   []map[string]string
	Form        map[string]string
	Selected    map[string]bool
	CanInvite   bool // links to set a first password can be emailed
	// Profile is the person's work details (profile.go).
	Profile casework.Profile
}

func roleItems() []map[string]string {
	out := make([]map[string]string, 0, len(pathway.Roles))
	for _, r := range pathway.Roles {
		out = append(out, map[string]string{"Value": r, "Text": pathway.RoleLabel(r)})
	}
	return out
}

// staffConfirmation fills in whether the administrator must confirm who
// they are before changing anything, and how.
func (s *Server) staffConfirmation(r *http.Request, v casework.Viewer, d *staffData, next string) {
	token, _ := r.Context().Value(keyToken).(string)
	d.HasPassword = v.SignsInWithPassword()
	d.Next = next
	if s.svc.Access.OIDC != nil {
		d.SSOConfirm = "/sign-in/sso/confirm?next=" + url.QueryEscape(next)
	}
	if !d.NeedConfirm {
		d.NeedConfirm = errors.Is(s.svc.RequireRecentAuth(r.Context(), token, s.svc.Access.ReauthWithin), casework.ErrReauthenticate)
	}
}

// staffListPage renders the list of people with the filter and the bulk
// form.
func (s *Server) staffListPage(w http.ResponseWriter, r *http.Request, v casework.Viewer, status int, d staffData, errs []waymark.FieldError, flash string) {
	q := r.URL.Query()
	if r.Method == http.MethodGet {
		d.Filter = casework.StaffFilter{OrgID: q.Get("organisation"), Status: q.Get("status")}
	}
	staff, err := s.svc.Staff(r.Context(), v, d.Filter)
	if waymark.ErrorCode(err) == waymark.EINVALID {
		errs = append(errs, waymark.ErrorFields(err)...)
		d.Filter.Status = ""
		staff, err = s.svc.Staff(r.Context(), v, d.Filter)
	}
	if err != nil {
		s.failErr(w, r, err)
		return
	}
	orgs, err := s.svc.StaffOrganisations(r.Context(), v)
	if err != nil {
		s.failErr(w, r, err)
		return
	}
	d.Staff = staff
	d.OrgItems = []map[string]string{{"Value": "", "Text": "All organisations"}}
	for _, o := range orgs {
		d.OrgItems = append(d.OrgItems, map[string]string{"Value": o.ID, "Text": o.Name})
	}
	d.StatusItems = []map[string]string{{"Value": "", "Text": "Any status"}, {"Value": "active", "Text": "Active"}, {"Value": "disabled", "Text": "Disabled"}, {"Value": "locked", "Text": "Locked by failed sign-ins"}}
	s.staffConfirmation(r, v, &d, "/admin/staff")
	s.render(w, r, status, "staff", Page{Title: "Staff accounts", Errors: errs, Flash: flash, Data: d})
}

// staffPage shows a staff page to someone who manages staff, with the
// message its done= answer names among flashes, or that they have just
// confirmed it is them.
func (s *Server) staffPage(w http.ResponseWriter, r *http.Request, v casework.Viewer,
	page func(w http.ResponseWriter, r *http.Request, v casework.Viewer, status int, d staffData, errs []waymark.FieldError, flash string), flashes map[string]string) {
	if !v.ManagesStaff() {
		s.failErr(w, r, casework.ErrStaffAdmin)
		return
	}
	done := r.URL.Query().Get("done")
	flash := flashes[done]
	if done == "confirmed" {
		flash = "You have confirmed it is you: you can make changes for the next few minutes"
	}
	page(w, r, v, http.StatusOK, staffData{}, nil, flash)
}

func (s *Server) handleStaff(w http.ResponseWriter, r *http.Request, v casework.Viewer) {
	s.staffPage(w, r, v, s.staffListPage, map[string]string{
		"disabled": "The selected accounts are disabled: their sessions and API tokens have ended",
	})
}

// formConfirm re-authenticates with the form's "confirm" answer, if any;
// a wrong answer goes back to the form through again. It reports false when
// it has answered the request itself.
func (s *Server) formConfirm(w http.ResponseWriter, r *http.Request, v casework.Viewer, again func(status int, errs []waymark.FieldError)) bool {
	confirm := r.PostFormValue("confirm")
	if confirm == "" {
		return true
	}
	token, _ := r.Context().Value(keyToken).(string)
	if err := s.svc.Reauthenticate(r.Context(), v, token, confirm); err != nil {
		if waymark.ErrorCode(err) == waymark.EINVALID {
			again(http.StatusUnprocessableEntity, waymark.ErrorFields(err))
			return false
		}
		s.failErr(w, r, err)
		return false
	}
	return true
}

// handleStaffConfirm is the answer of the "Confirm it is you" form.
func (s *Server) handleStaffConfirm(w http.ResponseWriter, r *http.Request, v casework.Viewer) {
	if !v.ManagesStaff() {
		s.failErr(w, r, casework.ErrStaffAdmin)
		return
	}
	next := r.PostFormValue("next")
	if next != "/admin/staff" && next != "/admin/staff/new" && !(strings.HasPrefix(next, "/admin/staff/") && !strings.ContainsAny(next[len("/admin/staff/"):], "/?#\\")) &&
		!(strings.HasPrefix(next, "/admin/organisations/") && !strings.ContainsAny(next[len("/admin/organisations/"):], "/?#\\")) {
		next = "/admin/staff"
	}
	// A refused confirmation shows again the page it was asked on, so the
	// person stays where they were.
	again := func(status int, errs []waymark.FieldError) {
		switch d := (staffData{NeedConfirm: true}); {
		case next == "/admin/staff/new":
			s.staffAddPage(w, r, v, status, d, errs)
		case strings.HasPrefix(next, "/admin/organisations/"):
			r.SetPathValue("id", strings.TrimPrefix(next, "/admin/organisations/"))
			s.organisationPage(w, r, v, status, organisationData{staffData: d}, errs, "")
		case next != "/admin/staff":
			r.SetPathValue("id", strings.TrimPrefix(next, "/admin/staff/"))
			s.staffPersonPage(w, r, v, status, d, errs, "")
		default:
			s.staffListPage(w, r, v, status, d, errs, "")
		}
	}
	if r.PostFormValue("confirm") == "" {
		again(http.StatusUnprocessableEntity, errConfirmFirst)
		return
	}
	if !s.formConfirm(w, r, v, again) {
		return
	}
	sep := "?"
	if strings.Contains(next, "?") {
		sep = "&"
	}
	http.Redirect(w, r, next+sep+"done=confirmed", http.StatusSeeOther)
}

// handleStaffBulkDisable disables the people ticked in the list.
func (s *Server) handleStaffBulkDisable(w http.ResponseWriter, r *http.Request, v casework.Viewer) {
	if !v.ManagesStaff() {
		s.failErr(w, r, casework.ErrStaffAdmin)
		return
	}
	ids := r.PostForm["users"]
	d := staffData{Selected: map[string]bool{}, Filter: casework.StaffFilter{OrgID: r.PostFormValue("organisation"), Status: r.PostFormValue("status")}}
	for _, id := range ids {
		d.Selected[id] = true
	}
	again := func(status int, errs []waymark.FieldError) { s.staffListPage(w, r, v, status, d, errs, "") }
	if !s.formConfirm(w, r, v, again) {
		return
	}
	token, _ := r.Context().Value(keyToken).(string)
	_, err := s.svc.SetStaffDisabled(r.Context(), v, token, ids, true)
	if s.staffChangeRefused(w, r, err, &d.NeedConfirm, "users", again) {
		return
	}
	http.Redirect(w, r, "/admin/staff?done=disabled", http.StatusSeeOther)
}

// staffChangeRefused answers a change to staff accounts that err refused:
// the form again, through again, for what the administrator can put right
// (confirm it is them first, which sets needConfirm; a value refused; a
// clash with another write at the same moment, on no field; any other
// conflict, named on conflictField), or the failure. It reports false, and
// answers nothing, when err is nil.
func (s *Server) staffChangeRefused(w http.ResponseWriter, r *http.Request, err error, needConfirm *bool, conflictField string, again func(status int, errs []waymark.FieldError)) bool {
	switch {
	case err == nil:
		return false
	case errors.Is(err, casework.ErrReauthenticate):
		*needConfirm = true
		again(http.StatusForbidden, errConfirmFirst)
	case waymark.ErrorCode(err) == waymark.EINVALID:
		again(http.StatusUnprocessableEntity, waymark.ErrorFields(err))
	case waymark.IsClash(err):
		// Another write clashed with this one at the same moment: nothing
		// typed is wrong, so no field is marked (as on the sign-in page).
		again(http.StatusConflict, []waymark.FieldError{{Message: waymark.ErrorMessage(err)}})
	case waymark.ErrorCode(err) == waymark.ECONFLICT:
		again(http.StatusConflict, []waymark.FieldError{{Field: conflictField, Message: waymark.ErrorMessage(err)}})
	default:
		s.failErr(w, r, err)
	}
	return true
}

// staffAddPage renders the form to add a person.
func (s *Server) staffAddPage(w http.ResponseWriter, r *http.Request, v casework.Viewer, status int, d staffData, errs []waymark.FieldError) {
	orgs, err := s.svc.StaffOrganisations(r.Context(), v)
	if err != nil {
		s.failErr(w, r, err)
		return
	}
	d.FormOrgs = []map[string]string{{"Value": "", "Text": "Choose an organisation"}}
	for _, o := range orgs {
		d.FormOrgs = append(d.FormOrgs, map[string]string{"Value": o.ID, "Text": o.Name})
	}
	d.RoleItems = roleItems()
	if d.Form == nil {
		d.Form = map[string]string{}
	}
	s.staffConfirmation(r, v, &d, "/admin/staff/new")
	s.render(w, r, status, "staff-add", Page{Title: "Add a person", Errors: errs, Data: d})
}

func (s *Server) handleStaffAddForm(w http.ResponseWriter, r *http.Request, v casework.Viewer) {
	if !v.ManagesStaff() {
		s.failErr(w, r, casework.ErrStaffAdmin)
		return
	}
	f := restoredForm(r) // typed before signing in again (answers.go)
	s.staffAddPage(w, r, v, http.StatusOK, staffData{Form: map[string]string{"email": f.Get("email"), "name": f.Get("name"), "organisation": f.Get("organisation"), "role": f.Get("role")}}, nil)
}

func (s *Server) handleStaffAdd(w http.ResponseWriter, r *http.Request, v casework.Viewer) {
	if !v.ManagesStaff() {
		s.failErr(w, r, casework.ErrStaffAdmin)
		return
	}
	f := r.PostForm
	d := staffData{Form: map[string]string{"email": f.Get("email"), "name": f.Get("name"), "organisation": f.Get("organisation"), "role": f.Get("role"),
		"jobTitle": f.Get("jobTitle"), "workPhone": f.Get("workPhone"), "awayEmail": f.Get("awayEmail")}}
	again := func(status int, errs []waymark.FieldError) { s.staffAddPage(w, r, v, status, d, errs) }
	if !s.formConfirm(w, r, v, again) {
		return
	}
	token, _ := r.Context().Value(keyToken).(string)
	m, err := s.svc.AddStaff(r.Context(), v, token, casework.NewStaff{Email: f.Get("email"), Name: f.Get("name"), Role: f.Get("role"), OrgID: f.Get("organisation"),
		Profile: profileFrom(f)})
	switch {
	case errors.Is(err, casework.ErrReauthenticate):
		d.NeedConfirm = true
		again(http.StatusForbidden, errConfirmFirst)
	case waymark.ErrorCode(err) == waymark.EINVALID || waymark.ErrorCode(err) == waymark.ECONFLICT:
		fields := waymark.ErrorFields(err)
		if len(fields) == 0 {
			fields = []waymark.FieldError{{Field: "email", Message: waymark.ErrorMessage(err)}}
		}
		again(statusFor(waymark.ErrorCode(err)), fields)
	case err != nil:
		s.failErr(w, r, err)
	default:
		http.Redirect(w, r, "/admin/staff/"+url.PathEscape(m.ID)+"?done=added", http.StatusSeeOther)
	}
}

// staffPersonPage renders one person's account and the changes that can be
// made to it.
func (s *Server) staffPersonPage(w http.ResponseWriter, r *http.Request, v casework.Viewer, status int, d staffData, errs []waymark.FieldError, flash string) {
	id := r.PathValue("id")
	all, err := s.svc.Staff(r.Context(), v, casework.StaffFilter{})
	if err != nil {
		s.failErr(w, r, err)
		return
	}
	for i := range all {
		if all[i].ID == id {
			d.Person = &all[i]
		}
	}
	if d.Person == nil {
		s.fail(w, r, http.StatusNotFound, "There is no account with that id.")
		return
	}
	d.RoleItems = roleItems()
	if d.Form == nil {
		d.Form = map[string]string{"role": d.Person.Role}
	}
	if d.Profile, err = s.svc.StaffProfile(r.Context(), v, id); err != nil {
		s.failErr(w, r, err)
		return
	}
	for k, val := range profileForm(d.Profile) {
		if _, given := d.Form[k]; !given {
			d.Form[k] = val
		}
	}
	d.CanInvite = s.svc.CanInvite()
	s.staffConfirmation(r, v, &d, "/admin/staff/"+id)
	s.render(w, r, status, "staff-person", Page{Title: d.Person.Name, Errors: errs, Flash: flash, Data: d})
}

func (s *Server) handleStaffPerson(w http.ResponseWriter, r *http.Request, v casework.Viewer) {
	added := "Account added. They sign in through their organisation's account, or you send them a link below to set their own password: you never see it."
	if !s.svc.CanInvite() {
		added = "Account added. They sign in through their organisation's account, or the person who runs Waymark for your partnership (usually IT) gives them a first password: you never see it."
	}
	s.staffPage(w, r, v, s.staffPersonPage, map[string]string{
		"added":    added,
		"role":     "Role changed",
		"disabled": "Account disabled: their sessions and API tokens have ended",
		"enabled":  "Account enabled: they can sign in again",
		"unlocked": "Failed sign-ins cleared: they can try again now with the same password",
		"invited":  "A link to set their password has been emailed to them. It works once, for 72 hours.",
	})
}

// handleStaffChange makes one change to one person: "role", "disable",
// "enable" or "unlock".
func (s *Server) handleStaffChange(change string) func(w http.ResponseWriter, r *http.Request, v casework.Viewer) {
	return func(w http.ResponseWriter, r *http.Request, v casework.Viewer) {
		if !v.ManagesStaff() {
			s.failErr(w, r, casework.ErrStaffAdmin)
			return
		}
		id := r.PathValue("id")
		d := staffData{}
		switch change {
		case "role":
			d.Form = map[string]string{"role": r.PostFormValue("role")}
		case "profile":
			d.Form = profileForm(profileFrom(r.PostForm))
		}
		again := func(status int, errs []waymark.FieldError) { s.staffPersonPage(w, r, v, status, d, errs, "") }
		if !s.formConfirm(w, r, v, again) {
			return
		}
		token, _ := r.Context().Value(keyToken).(string)
		var err error
		done := change
		switch change {
		case "role":
			err = s.svc.ChangeStaffRole(r.Context(), v, token, id, r.PostFormValue("role"))
		case "disable":
			_, err = s.svc.SetStaffDisabled(r.Context(), v, token, []string{id}, true)
			done = "disabled"
		case "enable":
			_, err = s.svc.SetStaffDisabled(r.Context(), v, token, []string{id}, false)
			done = "enabled"
		case "unlock":
			err = s.svc.UnlockStaff(r.Context(), v, token, id)
			done = "unlocked"
		case "invite":
			err = s.svc.InviteStaff(r.Context(), v, token, id)
			done = "invited"
		case "profile":
			err = s.svc.SetStaffProfile(r.Context(), v, token, id, profileFrom(r.PostForm))
		}
		conflictField := ""
		if change == "role" {
			conflictField = "role"
		}
		switch {
		case s.staffChangeRefused(w, r, err, &d.NeedConfirm, conflictField, again):
		case change == "disable" && id == v.User.ID:
			// Disabling yourself ends your own session.
			http.Redirect(w, r, "/sign-in", http.StatusSeeOther)
		default:
			http.Redirect(w, r, "/admin/staff/"+url.PathEscape(id)+"?done="+done, http.StatusSeeOther)
		}
	}
}

// API.

type apiStaffMember struct {
	ID               string `json:"id"`
	Name             string `json:"name"`
	Email            string `json:"email"`
	Role             string `json:"role"`
	OrganisationID   string `json:"organisationId"`
	Organisation     string `json:"organisation"`
	Disabled         bool   `json:"disabled"`
	Locked           bool   `json:"locked"`
	SingleSignOnOnly bool   `json:"singleSignOnOnly"`
}

func staffJSON(m casework.StaffMember) apiStaffMember {
	return apiStaffMember{ID: m.ID, Name: m.Name, Email: m.Email, Role: m.Role, OrganisationID: m.OrgID, Organisation: m.OrgName,
		Disabled: m.Disabled, Locked: m.Locked, SingleSignOnOnly: m.SingleSignOnOnly}
}

type apiOrganisation struct {
	ID                string `json:"id"`
	Name              string `json:"name"`
	Kind              string `json:"kind"`
	FirstResponder    bool   `json:"firstResponder"`
	ChildrensServices bool   `json:"childrensServices"`
	// FirstResponderDesignation is the catalogue's id the organisation is
	// mapped to, null for none; firstResponder is false when the
	// catalogue no longer lists it.
	FirstResponderDesignation *string `json:"firstResponderDesignation"`
}

func (s *Server) handleAPIStaff(w http.ResponseWriter, r *http.Request, v casework.Viewer) {
	q := r.URL.Query()
	staff, err := s.svc.Staff(r.Context(), v, casework.StaffFilter{OrgID: q.Get("organisation"), Status: q.Get("status")})
	if err != nil {
		s.problemErr(w, r, err)
		return
	}
	out := make([]apiStaffMember, 0, len(staff))
	for _, m := range staff {
		out = append(out, staffJSON(m))
	}
	writeJSON(w, http.StatusOK, map[string]any{"staff": out})
}

func (s *Server) handleAPIOrganisations(w http.ResponseWriter, r *http.Request, v casework.Viewer) {
	orgs, err := s.svc.StaffOrganisations(r.Context(), v)
	if err != nil {
		s.problemErr(w, r, err)
		return
	}
	out := make([]apiOrganisation, 0, len(orgs))
	for _, o := range orgs {
		a := apiOrganisation{ID: o.ID, Name: o.Name, Kind: o.Kind, FirstResponder: casework.IsFirstResponder(s.svc.Catalog, o), ChildrensServices: o.ChildrensServices}
		if o.FirstResponderDesignation != "" {
			a.FirstResponderDesignation = &o.FirstResponderDesignation
		}
		out = append(out, a)
	}
	writeJSON(w, http.StatusOK, map[string]any{"organisations": out})
}

func (s *Server) handleAPIStaffAdd(w http.ResponseWriter, r *http.Request, v casework.Viewer) {
	var in struct {
		Email          string `json:"email"`
		Name           string `json:"name"`
		Role           string `json:"role"`
		OrganisationID string `json:"organisationId"`
		confirmation
	}
	token, ok := s.confirmed(w, r, v, &in, managesStaff)
	if !ok {
		return
	}
	m, err := s.svc.AddStaff(r.Context(), v, token, casework.NewStaff{Email: in.Email, Name: in.Name, Role: in.Role, OrgID: in.OrganisationID})
	if err != nil {
		s.problemErr(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, staffJSON(m))
}

func (s *Server) handleAPIStaffRole(w http.ResponseWriter, r *http.Request, v casework.Viewer) {
	var in struct {
		Role string `json:"role"`
		confirmation
	}
	token, ok := s.confirmed(w, r, v, &in, managesStaff)
	if !ok {
		return
	}
	if err := s.svc.ChangeStaffRole(r.Context(), v, token, r.PathValue("id"), in.Role); err != nil {
		s.problemErr(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// handleAPIStaffSetDisabled disables or enables the listed accounts, all or none.
func (s *Server) handleAPIStaffSetDisabled(disabled bool) func(w http.ResponseWriter, r *http.Request, v casework.Viewer) {
	return func(w http.ResponseWriter, r *http.Request, v casework.Viewer) {
		var in struct {
			Users []string `json:"users"`
			confirmation
		}
		token, ok := s.confirmed(w, r, v, &in, managesStaff)
		if !ok {
			return
		}
		n, err := s.svc.SetStaffDisabled(r.Context(), v, token, in.Users, disabled)
		if err != nil {
			s.problemErr(w, r, err)
			return
		}
		writeJSON(w, http.StatusOK, map[string]int{"changed": n})
	}
}

func (s *Server) handleAPIStaffUnlock(w http.ResponseWriter, r *http.Request, v casework.Viewer) {
	var in confirmation
	token, ok := s.confirmed(w, r, v, &in, managesStaff)
	if !ok {
		return
	}
	if err := s.svc.UnlockStaff(r.Context(), v, token, r.PathValue("id")); err != nil {
		s.problemErr(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// handleSSOBackChannelLogout is the provider's back-channel logout
// (OpenID Connect Back-Channel Logout 1.0 §2.5): a form POST with
// logout_token, server to server, no cookie. 200 when done, 400 with an
// OAuth error when the token does not verify (casework.BackChannelLogout).
func (s *Server) handleSSOBackChannelLogout() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-store")
		err := s.svc.BackChannelLogout(r.Context(), r.PostFormValue("logout_token"))
		switch {
		case err == nil:
			w.WriteHeader(http.StatusOK)
		case waymark.ErrorCode(err) == waymark.EINVALID:
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid_request", "error_description": waymark.ErrorMessage(err)})
		case waymark.ErrorCode(err) == waymark.ENOTFOUND:
			writeJSON(w, http.StatusNotFound, map[string]string{"error": "invalid_request", "error_description": waymark.ErrorMessage(err)})
		case waymark.ErrorCode(err) == waymark.EBUSY:
			// Nothing was ended yet: the provider is to send it again.
			s.log.Warn("back-channel logout refused as busy", "err", err, "request_id", requestID(r.Context()))
			setRetryAfter(w, err)
			writeJSON(w, http.StatusServiceUnavailable, map[string]string{"error": "temporarily_unavailable", "error_description": waymark.ErrorMessage(err)})
		default:
			s.log.Error("back-channel logout", "err", err, "request_id", requestID(r.Context()))
			writeJSON(w, http.StatusInternalServerError, map[string]string{"error": "server_error"})
		}
	})
}

type firstPasswordData struct {
	Token string
	Done  bool
}

// handleFirstPasswordForm is the page a person's emailed link opens: set a
// first password. Nobody is signed in; the token is the link's.
func (s *Server) handleFirstPasswordForm() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.render(w, r, http.StatusOK, "first-password", Page{Title: "Set your password", Data: firstPasswordData{Token: r.URL.Query().Get("token")}})
	})
}

// handleFirstPassword sets the password (casework.SetFirstPassword).
func (s *Server) handleFirstPassword() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		d := firstPasswordData{Token: r.PostFormValue("token")}
		err := s.svc.SetFirstPassword(r.Context(), d.Token, r.PostFormValue("password"), r.PostFormValue("confirmPassword"))
		switch {
		case err == nil:
			s.render(w, r, http.StatusOK, "first-password", Page{Title: "Your password is set", Data: firstPasswordData{Done: true}})
		case waymark.ErrorCode(err) == waymark.EINVALID:
			s.render(w, r, http.StatusUnprocessableEntity, "first-password", Page{Title: "Set your password", Errors: waymark.ErrorFields(err), Data: d})
		default:
			s.failErr(w, r, err)
		}
	})
}
