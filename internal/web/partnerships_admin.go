package web

import (
	"net/http"
	"net/url"

	"waymark"
	"waymark/internal/casework"
)

// Partnerships as records on the administrator's organisations pages
// (issue 14, "Across areas"; casework/partnerships_admin.go): the list
// names each organisation's partnership and adds a partnership; an
// organisation's page moves it to another partnership.

type partnershipsData struct {
	Names    map[string]string // organisation id -> partnership name
	Items    []option          // the partnerships, for the select
	Selected string            // the organisation's partnership, on its page
	Name     string            // typed into "add a partnership"
	List     []option
}

// partnershipsOf is the partnerships as the pages show them; orgID names
// the organisation whose page it is ("" on the list).
func (s *Server) partnershipsOf(r *http.Request, v casework.Viewer, orgID string) (*partnershipsData, error) {
	d, err := s.svc.Partnerships(r.Context(), v)
	if err != nil {
		return nil, err
	}
	out := &partnershipsData{Names: map[string]string{}, Selected: d.OfOrg[orgID]}
	for id, p := range d.OfOrg {
		out.Names[id] = d.Name(p)
	}
	for _, p := range d.Partnerships {
		out.Items = append(out.Items, option{Value: p.ID, Text: p.Name})
		out.List = append(out.List, option{Value: p.ID, Text: p.Name})
	}
	return out, nil
}

// organisationsPage renders the organisations list with its partnerships.
func (s *Server) organisationsPage(w http.ResponseWriter, r *http.Request, v casework.Viewer, status int, d organisationData, errs []waymark.FieldError) {
	p, err := s.partnershipsOf(r, v, "")
	if err != nil {
		s.failErr(w, r, err)
		return
	}
	if d.Partnerships != nil {
		p.Name = d.Partnerships.Name
	}
	d.Partnerships = p
	s.staffConfirmation(r, v, &d.staffData, "/admin/organisations")
	flash := ""
	if r.URL.Query().Get("done") == "partnership" {
		flash = "Partnership added"
	}
	s.render(w, r, status, "organisations", Page{Title: "Organisations", Errors: errs, Flash: flash, Data: d})
}

// handleCreatePartnership adds a partnership.
func (s *Server) handleCreatePartnership(w http.ResponseWriter, r *http.Request, v casework.Viewer) {
	if !v.ManagesStaff() {
		s.failErr(w, r, casework.ErrStaffAdmin)
		return
	}
	d := organisationData{Partnerships: &partnershipsData{Name: r.PostFormValue("name")}}
	again := func(status int, errs []waymark.FieldError) {
		orgs, err := s.svc.StaffOrganisations(r.Context(), v)
		if err != nil {
			s.failErr(w, r, err)
			return
		}
		for _, o := range orgs {
			d.Rows = append(d.Rows, organisationRow{Organisation: o, Designation: s.svc.FirstResponderStatusOf(o)})
		}
		s.organisationsPage(w, r, v, status, d, errs)
	}
	if !s.formConfirm(w, r, v, again) {
		return
	}
	token, _ := r.Context().Value(keyToken).(string)
	_, err := s.svc.CreatePartnership(r.Context(), v, token, d.Partnerships.Name)
	if s.staffChangeRefused(w, r, err, &d.NeedConfirm, "name", again) {
		return
	}
	http.Redirect(w, r, "/admin/organisations?done=partnership", http.StatusSeeOther)
}

// handleOrgPartnershipSave moves an organisation to a partnership.
func (s *Server) handleOrgPartnershipSave(w http.ResponseWriter, r *http.Request, v casework.Viewer) {
	if !v.ManagesStaff() {
		s.failErr(w, r, casework.ErrStaffAdmin)
		return
	}
	id := r.PathValue("id")
	d := organisationData{}
	again := func(status int, errs []waymark.FieldError) { s.organisationPage(w, r, v, status, d, errs, "") }
	if !s.formConfirm(w, r, v, again) {
		return
	}
	token, _ := r.Context().Value(keyToken).(string)
	err := s.svc.SetOrganisationPartnership(r.Context(), v, token, id, r.PostFormValue("partnership"))
	if s.staffChangeRefused(w, r, err, &d.NeedConfirm, "partnership", again) {
		return
	}
	http.Redirect(w, r, "/admin/organisations/"+url.PathEscape(id)+"?done=partnership", http.StatusSeeOther)
}
