package web

import (
	"net/http"
	"net/url"

	"waymark"
	"waymark/internal/casework"
	"waymark/internal/store"
)

// organisationRow is one organisation as the administrator's list shows it.
type organisationRow struct {
	store.Organisation
	Designation casework.FirstResponderStatus
}

// organisationData is the organisations list, or one organisation's page
// with the choice of its First Responder designation.
type organisationData struct {
	staffData
	Rows             []organisationRow
	Org              *organisationRow
	DesignationItems []map[string]string
	Selected         string
	HOLists          *hoListsData // the organisation's entries in the form's lists (organisations_holists.go)

	Partnerships *partnershipsData // partnerships_admin.go
}

// notAFirstResponder is the answer "Not a First Responder" on the form.
const notAFirstResponder = "none"

func (s *Server) handleOrganisations(w http.ResponseWriter, r *http.Request, v casework.Viewer) {
	orgs, err := s.svc.StaffOrganisations(r.Context(), v)
	if err != nil {
		s.failErr(w, r, err)
		return
	}
	d := organisationData{}
	for _, o := range orgs {
		d.Rows = append(d.Rows, organisationRow{Organisation: o, Designation: s.svc.FirstResponderStatusOf(o)})
	}
	s.organisationsPage(w, r, v, http.StatusOK, d, nil)
}

func (s *Server) handleOrg(w http.ResponseWriter, r *http.Request, v casework.Viewer) {
	flash := ""
	switch r.URL.Query().Get("done") {
	case "designation":
		flash = "First Responder designation saved"
	case "ho-lists":
		flash = "The entries in the Home Office lists are saved"
	case "partnership":
		flash = "The organisation's partnership is saved"
	case "confirmed":
		flash = "You have confirmed it is you: you can make changes for the next few minutes"
	}
	s.organisationPage(w, r, v, http.StatusOK, organisationData{}, nil, flash)
}

// organisationPage renders one organisation with the choice of its First
// Responder designation, from the catalogue's list (§8.2, annex).
func (s *Server) organisationPage(w http.ResponseWriter, r *http.Request, v casework.Viewer, status int, d organisationData, errs []waymark.FieldError, flash string) {
	orgs, err := s.svc.StaffOrganisations(r.Context(), v)
	if err != nil {
		s.failErr(w, r, err)
		return
	}
	id := r.PathValue("id")
	for _, o := range orgs {
		if o.ID == id {
			d.Org = &organisationRow{Organisation: o, Designation: s.svc.FirstResponderStatusOf(o)}
		}
	}
	if d.Org == nil {
		s.failErr(w, r, waymark.Errorf(waymark.ENOTFOUND, "No such organisation"))
		return
	}
	d.DesignationItems = []map[string]string{{"Value": notAFirstResponder, "Text": "Not a First Responder"}}
	for _, fr := range s.svc.Catalog.FirstResponders {
		hint := ""
		if fr.WalesOnly {
			hint = "Designated in Wales only"
		}
		d.DesignationItems = append(d.DesignationItems, map[string]string{"Value": fr.ID, "Text": fr.Name, "Hint": hint})
	}
	if d.Selected == "" {
		d.Selected = notAFirstResponder
		if !d.Org.Designation.Unlisted && d.Org.Designation.Designation != "" {
			d.Selected = d.Org.Designation.Designation
		}
	}
	if err := s.orgHOLists(r, v, &d); err != nil {
		s.failErr(w, r, err)
		return
	}
	if d.Partnerships, err = s.partnershipsOf(r, v, id); err != nil {
		s.failErr(w, r, err)
		return
	}
	s.staffConfirmation(r, v, &d.staffData, "/admin/organisations/"+id)
	s.render(w, r, status, "organisation", Page{Title: d.Org.Name, Errors: errs, Flash: flash, Data: d})
}

// handleOrgSave saves the First Responder designation an
// administrator chose for an organisation.
func (s *Server) handleOrgSave(w http.ResponseWriter, r *http.Request, v casework.Viewer) {
	if !v.ManagesStaff() {
		s.failErr(w, r, casework.ErrStaffAdmin)
		return
	}
	id := r.PathValue("id")
	d := organisationData{Selected: r.PostFormValue("designation")}
	again := func(status int, errs []waymark.FieldError) { s.organisationPage(w, r, v, status, d, errs, "") }
	if !s.formConfirm(w, r, v, again) {
		return
	}
	designation := d.Selected
	if designation == notAFirstResponder {
		designation = ""
	} else if designation == "" {
		again(http.StatusUnprocessableEntity, []waymark.FieldError{{Field: "designation", Message: "Choose a First Responder designation from the list, or \"Not a First Responder\""}})
		return
	}
	token, _ := r.Context().Value(keyToken).(string)
	err := s.svc.SetFirstResponderDesignation(r.Context(), v, token, id, designation)
	if s.staffChangeRefused(w, r, err, &d.NeedConfirm, "designation", again) {
		return
	}
	http.Redirect(w, r, "/admin/organisations/"+url.PathEscape(id)+"?done=designation", http.StatusSeeOther)
}
