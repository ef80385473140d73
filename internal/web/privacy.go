package web

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"waymark"
	"waymark/internal/casework"
	"waymark/internal/pathway"
	"waymark/internal/store"
)

// Retention reviews and data-subject rights (casework/privacy.go): the
// review list for partnership leads and administrators, and the subject
// access export and lawful erasure for partnership leads.

type retentionRow struct {
	casework.ReviewItem
	KindLabel string
	Age       string
}

type retentionData struct {
	Cases, Drafts, Audit []retentionRow
	Policy               casework.RetentionPolicy
	Lead                 bool
	Form                 map[string]string
	FormError            string
	// The pages either side of each list ("" when there is none), and the
	// cursors of the pages shown, which the forms carry so that a refused
	// form shows the same pages again.
	CasesPrev, CasesNext, DraftsPrev, DraftsNext string
	CasesAt, DraftsAt                            string
	First                                        string // after a bad page link: where the lists start
}

// retentionCursors reads the review's two cursors: "cases" for the closed
// cases and "drafts" for the concerns never sent (store.ParseCursor). A bad
// one is EINVALID naming its field.
func retentionCursors(q url.Values) (cases, drafts *store.Cursor, err error) {
	read := func(name string) (*store.Cursor, error) {
		if !q.Has(name) {
			return nil, nil
		}
		c, err := store.ParseCursor("cursor", q.Get(name))
		if err != nil {
			return nil, err
		}
		return &c, nil
	}
	if cases, err = read("cases"); err != nil {
		return nil, nil, err
	}
	if drafts, err = read("drafts"); err != nil {
		return nil, nil, err
	}
	return cases, drafts, nil
}

// retentionURL is the review page with the list name moved to cursor c
// and the other list where it is; "" when there is no such page.
func retentionURL(q url.Values, name string, c *store.Cursor) string {
	if c == nil {
		return ""
	}
	keep := url.Values{}
	for _, k := range []string{"cases", "drafts"} {
		if q.Has(k) {
			keep.Set(k, q.Get(k))
		}
	}
	keep.Set(name, c.String())
	return "/admin/retention?" + keep.Encode()
}

func reviewKindLabel(kind string) string {
	switch kind {
	case casework.ReviewClosedCase:
		return "Closed case"
	case casework.ReviewUnsentDraft:
		return "Concern never sent"
	case casework.ReviewAuditLog:
		return "Audit log entries"
	}
	return kind
}

// retentionData is one page of the review; q holds its cursors (the page's
// query, or a refused form's hidden fields).
func (s *Server) retentionData(r *http.Request, v casework.Viewer, q url.Values, form map[string]string) (retentionData, error) {
	casesAt, draftsAt, err := retentionCursors(q)
	if err != nil {
		return retentionData{}, err
	}
	page, err := s.svc.RetentionReviewPage(r.Context(), v, casesAt, draftsAt)
	if err != nil {
		return retentionData{}, err
	}
	d := retentionData{Policy: s.svc.Retention, Lead: v.User.Role == pathway.RolePartnershipLead, Form: form,
		CasesPrev: retentionURL(q, "cases", page.Cases.Prev), CasesNext: retentionURL(q, "cases", page.Cases.Next),
		DraftsPrev: retentionURL(q, "drafts", page.Drafts.Prev), DraftsNext: retentionURL(q, "drafts", page.Drafts.Next)}
	if casesAt != nil {
		d.CasesAt = casesAt.String()
	}
	if draftsAt != nil {
		d.DraftsAt = draftsAt.String()
	}
	for _, it := range page.Items {
		row := retentionRow{ReviewItem: it, KindLabel: reviewKindLabel(it.Kind), Age: humanDuration(s.now().Sub(it.Since))}
		switch it.Kind {
		case casework.ReviewClosedCase:
			d.Cases = append(d.Cases, row)
		case casework.ReviewUnsentDraft:
			d.Drafts = append(d.Drafts, row)
		default:
			d.Audit = append(d.Audit, row)
		}
	}
	return d, nil
}

// handleRetention shows what is past its retention period, for a person to
// decide: a page of each list.
func (s *Server) handleRetention(w http.ResponseWriter, r *http.Request, v casework.Viewer) {
	d, err := s.retentionData(r, v, r.URL.Query(), map[string]string{})
	if waymark.ErrorCode(err) == waymark.EINVALID {
		// A page link that is not one Waymark made: say so, and offer the
		// first page; nothing is listed.
		errs := waymark.ErrorFields(err)
		for i := range errs {
			errs[i].Field = "" // no field on the page holds the cursor
		}
		s.render(w, r, http.StatusUnprocessableEntity, "retention", Page{Title: "Retention review", Errors: errs,
			Data: retentionData{Policy: s.svc.Retention, First: "/admin/retention"}})
		return
	}
	if err != nil {
		s.failErr(w, r, err)
		return
	}
	flash := map[string]string{"kept": "Kept for another retention period", "deleted": "The unsent draft was deleted"}[r.URL.Query().Get("done")]
	s.render(w, r, http.StatusOK, "retention", Page{Title: "Retention review", Flash: flash, Data: d})
}

// handleRetentionKeep records a decision to keep a record for longer.
func (s *Server) handleRetentionKeep(w http.ResponseWriter, r *http.Request, v casework.Viewer) {
	f := r.PostForm
	err := s.svc.KeepRecord(r.Context(), v, f.Get("kind"), f.Get("id"), f.Get("note"))
	if err == nil {
		http.Redirect(w, r, "/admin/retention?done=kept", http.StatusSeeOther)
		return
	}
	if waymark.ErrorCode(err) != waymark.EINVALID {
		s.failErr(w, r, err)
		return
	}
	d, derr := s.retentionData(r, v, f, map[string]string{"id": f.Get("id"), "note": f.Get("note")})
	if derr != nil {
		s.failErr(w, r, derr)
		return
	}
	fields := waymark.ErrorFields(err)
	for i := range fields {
		fields[i].Field = "note-" + f.Get("id")
	}
	s.render(w, r, http.StatusUnprocessableEntity, "retention", Page{Title: "Retention review", Errors: fields, Data: d})
}

// handleRetentionDeleteDraft deletes an unsent draft after review.
func (s *Server) handleRetentionDeleteDraft(w http.ResponseWriter, r *http.Request, v casework.Viewer) {
	if err := s.svc.DeleteUnsentDraft(r.Context(), v, r.PathValue("id")); err != nil {
		s.failErr(w, r, err)
		return
	}
	http.Redirect(w, r, "/admin/retention?done=deleted", http.StatusSeeOther)
}

// handleAPIRetentionReview is one page of the review list as JSON: the
// closed cases from ?cases= and the drafts from ?drafts= (the cursors an
// earlier response gave), the first page of each without them.
func (s *Server) handleAPIRetentionReview(w http.ResponseWriter, r *http.Request, v casework.Viewer) {
	casesAt, draftsAt, err := retentionCursors(r.URL.Query())
	if err != nil {
		s.problemErr(w, r, err)
		return
	}
	page, err := s.svc.RetentionReviewPage(r.Context(), v, casesAt, draftsAt)
	if err != nil {
		s.problemErr(w, r, err)
		return
	}
	items := page.Items
	if items == nil {
		items = []casework.ReviewItem{}
	}
	p := s.svc.Retention
	out := map[string]any{"items": items, "policy": map[string]int{
		"closedCaseYears": p.ClosedCaseYears, "unsentDraftDays": p.UnsentDraftDays, "auditYears": p.AuditYears}}
	for name, c := range map[string]*store.Cursor{"nextCasesCursor": page.Cases.Next, "prevCasesCursor": page.Cases.Prev,
		"nextDraftsCursor": page.Drafts.Next, "prevDraftsCursor": page.Drafts.Prev} {
		if c != nil {
			out[name] = c.String()
		}
	}
	writeJSON(w, http.StatusOK, out)
}

type subjectData struct {
	Query      string
	Case       *store.CaseRow
	Known      bool // the case was looked up (not only named by the id in the address)
	Erased     bool
	Form       map[string]string
	Formats    []map[string]string
	LegalBases []map[string]string
}

func (s *Server) subjectData(q string, row *store.CaseRow, form map[string]string) subjectData {
	d := subjectData{Query: q, Case: row, Form: form,
		Formats: []map[string]string{{"Value": "json", "Text": "JSON (every field, for processing)"}, {"Value": "text", "Text": "Plain text (for reading and printing)"}}}
	for _, b := range casework.LegalBases {
		d.LegalBases = append(d.LegalBases, map[string]string{"Value": b.Code, "Text": b.Label})
	}
	if form["format"] == "" {
		form["format"] = "json"
	}
	return d
}

// handleSubjectAccess finds a case by reference for a request about a child.
func (s *Server) handleSubjectAccess(w http.ResponseWriter, r *http.Request, v casework.Viewer) {
	if v.User.Role != pathway.RolePartnershipLead {
		s.fail(w, r, http.StatusForbidden, "Only a partnership lead can export or erase a case.")
		return
	}
	q := strings.TrimSpace(r.URL.Query().Get("case"))
	d := s.subjectData(q, nil, map[string]string{})
	var errs []waymark.FieldError
	status := http.StatusOK
	if q != "" {
		row, err := s.svc.ResolveCase(r.Context(), v, q)
		switch waymark.ErrorCode(err) {
		case "":
			d.Case, d.Known = &row, true
		case waymark.ENOTFOUND:
			status, errs = http.StatusNotFound, []waymark.FieldError{{Field: "case", Message: "There is no case with that reference or id"}}
		default:
			s.failErr(w, r, err)
			return
		}
	}
	flash := ""
	if r.URL.Query().Get("done") == "erased" {
		flash = "The case was erased. Its events are kept as ciphertext that can no longer be read."
	}
	s.render(w, r, status, "subject-access", Page{Title: "Requests about a child's case", Flash: flash, Errors: errs, Data: d})
}

// sessionToken is the signed-in browser's session token, for re-authentication.
func sessionToken(r *http.Request) string {
	token, _ := r.Context().Value(keyToken).(string) // set by page() from the session cookie
	return token
}

// The export and erasure pages look the case up only once the lead has
// confirmed who they are: before that they answer the same for any id, so
// they tell nobody whether a case exists.

// handleSubjectExport downloads everything held about a case.
func (s *Server) handleSubjectExport(w http.ResponseWriter, r *http.Request, v casework.Viewer) {
	id, f := r.PathValue("id"), r.PostForm
	x, err := s.svc.ExportCase(r.Context(), v, sessionToken(r), f.Get("confirm"), id)
	if err != nil {
		if waymark.ErrorCode(err) != waymark.EINVALID {
			s.failErr(w, r, err)
			return
		}
		s.render(w, r, http.StatusUnprocessableEntity, "subject-access", Page{Title: "Requests about a child's case", Errors: waymark.ErrorFields(err),
			Data: s.subjectData("", &store.CaseRow{ID: id}, map[string]string{"format": f.Get("format")})})
		return
	}
	name := "waymark-case-" + strings.ReplaceAll(firstNonEmpty(x.Reference, x.CaseID), "/", "-") + "-" + x.GeneratedAt.Format("20060102-1504")
	var body []byte
	switch f.Get("format") {
	case "text":
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		name += ".txt"
		body = []byte(x.Text())
	default:
		w.Header().Set("Content-Type", "application/json")
		name += ".json"
		body, _ = json.MarshalIndent(x, "", "  ")
	}
	w.Header().Set("Content-Disposition", fmt.Sprintf("attachment; filename=%q", name))
	w.Write(body)
}

func firstNonEmpty(s ...string) string {
	for _, x := range s {
		if x != "" {
			return x
		}
	}
	return ""
}

// handleErasureForm asks for the reason, the legal basis and the lead's password.
func (s *Server) handleErasureForm(w http.ResponseWriter, r *http.Request, v casework.Viewer) {
	if v.User.Role != pathway.RolePartnershipLead {
		s.fail(w, r, http.StatusForbidden, "Only a partnership lead can export or erase a case.")
		return
	}
	id := r.PathValue("id")
	f := restoredForm(r) // typed before signing in again (answers.go)
	s.render(w, r, http.StatusOK, "subject-erase", Page{Title: "Erase a case", Data: s.subjectData("", &store.CaseRow{ID: id}, map[string]string{"reason": f.Get("reason"), "legalBasis": f.Get("legalBasis")})})
}

// handleErasure erases the case and says so.
func (s *Server) handleErasure(w http.ResponseWriter, r *http.Request, v casework.Viewer) {
	id, f := r.PathValue("id"), r.PostForm
	err := s.svc.EraseCase(r.Context(), v, sessionToken(r), f.Get("confirm"), id, f.Get("reason"), f.Get("legalBasis"))
	if err == nil {
		http.Redirect(w, r, "/subject-access?done=erased&case="+url.QueryEscape(id), http.StatusSeeOther)
		return
	}
	if waymark.ErrorCode(err) != waymark.EINVALID {
		s.failErr(w, r, err)
		return
	}
	s.render(w, r, http.StatusUnprocessableEntity, "subject-erase", Page{Title: "Erase a case", Errors: waymark.ErrorFields(err),
		Data: s.subjectData("", &store.CaseRow{ID: id}, map[string]string{"reason": f.Get("reason"), "legalBasis": f.Get("legalBasis")})})
}
