package web

import (
	"net/http"
	"net/url"

	"waymark"
	"waymark/internal/casework"
	"waymark/internal/catalog"
	"waymark/internal/store"
)

// An administrator maps each organisation, and the partnership itself, once
// to its entries in the Home Office NRM form's lists, so the NRM draft
// proposes only answers the form accepts (§8.7). Each list is a plain
// select of every entry, which waymark.js turns into a type-ahead.

// hoListsData is the choice of an organisation's, or the partnership's,
// entries in the form's lists.
type hoListsData struct {
	Organisations    []catalog.HOEntry
	LocalAuthorities []catalog.HOEntry
	PoliceForces     []catalog.HOEntry
	Mapping          store.HOListMapping // as saved, or as posted when refused
	Unlisted         store.HOListMapping // the answers posted that are no entry, to show them
	Version          string              // the lists' version
	Action           string              // where the form posts
}

func (s *Server) hoListsData(m store.HOListMapping, action string) *hoListsData {
	l := s.svc.Catalog.HOLists
	if l == nil {
		return nil
	}
	d := &hoListsData{Organisations: l.Entries(catalog.HOOrganisations), LocalAuthorities: l.Entries(catalog.HOLocalAuthorities),
		PoliceForces: l.Entries(catalog.HOPoliceForces), Mapping: m, Version: l.Source.Version(), Action: action}
	unlisted := func(list catalog.HOList, v string) string {
		if v != "" && !l.Has(list, v) {
			return v
		}
		return ""
	}
	d.Unlisted = store.HOListMapping{Organisation: unlisted(catalog.HOOrganisations, m.Organisation),
		LocalAuthority: unlisted(catalog.HOLocalAuthorities, m.LocalAuthority), PoliceForce: unlisted(catalog.HOPoliceForces, m.PoliceForce)}
	return d
}

// postedHOListMapping reads the three choices of the form.
func postedHOListMapping(r *http.Request) store.HOListMapping {
	return store.HOListMapping{Organisation: r.PostFormValue("hoOrganisation"), LocalAuthority: r.PostFormValue("hoLocalAuthority"), PoliceForce: r.PostFormValue("hoPoliceForce"),
		LocalAuthorityPhone: r.PostFormValue("hoLAPhone"), LocalAuthorityEmail: r.PostFormValue("hoLAEmail")}
}

// orgHOLists fills in the organisation page's list mapping, as saved
// unless the page shows a refused answer.
func (s *Server) orgHOLists(r *http.Request, v casework.Viewer, d *organisationData) error {
	if d.HOLists != nil {
		return nil
	}
	orgs, _, err := s.svc.HOListMappings(r.Context(), v)
	if err != nil {
		return err
	}
	d.HOLists = s.hoListsData(orgs[d.Org.ID], "/admin/organisations/"+d.Org.ID+"/ho-lists")
	return nil
}

// handleOrgHOListsSave saves an organisation's entries in the form's lists.
func (s *Server) handleOrgHOListsSave(w http.ResponseWriter, r *http.Request, v casework.Viewer) {
	if !v.ManagesStaff() {
		s.failErr(w, r, casework.ErrStaffAdmin)
		return
	}
	id := r.PathValue("id")
	m := postedHOListMapping(r)
	d := organisationData{HOLists: s.hoListsData(m, "/admin/organisations/"+id+"/ho-lists")}
	again := func(status int, errs []waymark.FieldError) { s.organisationPage(w, r, v, status, d, errs, "") }
	if !s.formConfirm(w, r, v, again) {
		return
	}
	token, _ := r.Context().Value(keyToken).(string)
	err := s.svc.SetHOListMapping(r.Context(), v, token, id, m)
	if s.staffChangeRefused(w, r, err, &d.NeedConfirm, "hoOrganisation", again) {
		return
	}
	http.Redirect(w, r, "/admin/organisations/"+url.PathEscape(id)+"?done=ho-lists", http.StatusSeeOther)
}

// partnershipListsData is the page of the partnership's own entries.
type partnershipListsData struct {
	staffData
	HOLists *hoListsData
}

// partnershipListsPath is the page of the partnership's own entries: under
// the organisations, so the "confirm it is you" form returns to it.
const partnershipListsPath = "/admin/organisations/partnership"

func (s *Server) handlePartnershipLists(w http.ResponseWriter, r *http.Request, v casework.Viewer) {
	flash := ""
	switch r.URL.Query().Get("done") {
	case "ho-lists":
		flash = "The partnership's entries in the Home Office lists are saved"
	case "confirmed":
		flash = "You have confirmed it is you: you can make changes for the next few minutes"
	}
	s.partnershipListsPage(w, r, v, http.StatusOK, partnershipListsData{}, nil, flash)
}

func (s *Server) partnershipListsPage(w http.ResponseWriter, r *http.Request, v casework.Viewer, status int, d partnershipListsData, errs []waymark.FieldError, flash string) {
	if d.HOLists == nil {
		_, p, err := s.svc.HOListMappings(r.Context(), v)
		if err != nil {
			s.failErr(w, r, err)
			return
		}
		d.HOLists = s.hoListsData(p, partnershipListsPath)
	}
	s.staffConfirmation(r, v, &d.staffData, partnershipListsPath)
	s.render(w, r, status, "partnership-lists", Page{Title: "The partnership in the Home Office lists", Errors: errs, Flash: flash, Data: d})
}

// handlePartnershipListsSave saves the partnership's own local authority
// and police force.
func (s *Server) handlePartnershipListsSave(w http.ResponseWriter, r *http.Request, v casework.Viewer) {
	if !v.ManagesStaff() {
		s.failErr(w, r, casework.ErrStaffAdmin)
		return
	}
	m := postedHOListMapping(r)
	m.Organisation = "" // the partnership is not itself a First Responder organisation
	d := partnershipListsData{HOLists: s.hoListsData(m, partnershipListsPath)}
	again := func(status int, errs []waymark.FieldError) { s.partnershipListsPage(w, r, v, status, d, errs, "") }
	if !s.formConfirm(w, r, v, again) {
		return
	}
	token, _ := r.Context().Value(keyToken).(string)
	err := s.svc.SetHOListMapping(r.Context(), v, token, casework.HOListMappingSubjectPartnership, m)
	if s.staffChangeRefused(w, r, err, &d.NeedConfirm, "hoLocalAuthority", again) {
		return
	}
	http.Redirect(w, r, partnershipListsPath+"?done=ho-lists", http.StatusSeeOther)
}
