package web

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"waymark"
	"waymark/internal/casework"
	"waymark/internal/catalog"
	"waymark/internal/nrm"
	"waymark/internal/pathway"
)

// The NRM referral and reconsideration drafts (§8.7–8.9): a GOV.UK task
// list of the form's sections, one page per section saved on Continue, a
// copy-ready view of every answer, and the PDF and plain-text documents. The
// same handlers serve both documents; only the path differs.

// nrmPath is where a document's pages live under the case.
func nrmPath(caseID string, kind nrm.Kind) string {
	if kind == nrm.Reconsideration {
		return "/cases/" + caseID + "/nrm-reconsideration"
	}
	return "/cases/" + caseID + "/nrm-draft"
}

type nrmTaskView struct {
	ID, Title, Href string
	Status          string // complete, incomplete, over-limit
	Hints           []string
	More            int // problems not listed
}

type nrmLink struct{ Href, Text string }

type nrmTasksPage struct {
	Base, Heading, Reference, CaseHref string
	IsReferral                         bool
	Answered, OnRoute, Blocking        int
	Tasks                              []nrmTaskView
	Other                              *nrmLink
	Declaration                        *nrm.Declaration  // the referral's: to make, or as recorded (§8.3)
	Warnings                           []pathway.Warning // the case's (§1.2, §7.4, §8.5)
}

func (s *Server) handleNRMTasks(kind nrm.Kind) func(http.ResponseWriter, *http.Request, casework.Viewer) {
	return func(w http.ResponseWriter, r *http.Request, v casework.Viewer) {
		id := r.PathValue("id")
		view, err := s.svc.NRMDraft(r.Context(), v, id, kind, "task list")
		if err != nil {
			s.failErr(w, r, err)
			return
		}
		d := view.Draft
		p := nrmTasksPage{Base: nrmPath(id, kind), Heading: kind.Title() + " draft", Reference: d.CaseReference, CaseHref: "/cases/" + id, IsReferral: kind == nrm.Referral,
			Declaration: d.Declaration, Warnings: view.Warnings}
		for _, f := range d.Fields() {
			if f.Shown && f.Counts() {
				p.OnRoute++
				if f.Answered() {
					p.Answered++
				}
			}
		}
		for _, pr := range view.Problems {
			if pr.Blocking {
				p.Blocking++
			}
		}
		for _, t := range view.Tasks {
			tv := nrmTaskView{ID: t.Section, Title: t.Title, Href: p.Base + "/" + t.Section, Status: t.Status}
			for _, pr := range t.Problems {
				if !pr.Blocking {
					continue
				}
				if len(tv.Hints) < 3 {
					tv.Hints = append(tv.Hints, pr.Message)
				} else {
					tv.More++
				}
			}
			p.Tasks = append(p.Tasks, tv)
		}
		switch {
		case kind == nrm.Referral && view.ReconsiderationOpen:
			p.Other = &nrmLink{nrmPath(id, nrm.Reconsideration), "Draft a request to reconsider the negative decision (§8.9)"}
		case kind == nrm.Reconsideration:
			p.Other = &nrmLink{nrmPath(id, nrm.Referral), "Go to the NRM referral draft"}
		}
		flash := ""
		if r.URL.Query().Get("saved") != "" {
			flash = "Your answers have been saved"
		}
		s.render(w, r, http.StatusOK, "nrm-tasks", Page{Title: p.Heading + " – case " + d.CaseReference, Flash: flash, Data: p})
	}
}

type nrmEditView struct {
	Version int
	When    string
	Who     string
	Value   string
}

type nrmFieldView struct {
	ID, Label, Hint  string
	Kind             string // input, textarea, radios, checkboxes, date, info
	Value            string
	Items            []map[string]string
	Selected         map[string]bool
	Day, Month, Year string
	MaxLength, Rows  int
	Version          int
	ShownHash        string
	Origin           string
	History          []nrmEditView
	ToDo             []string
	SetAside         bool               // answered, but on a page the route no longer takes: kept, not sent
	Contributions    []contributionView // what others told the team for this question (§8.5, nrm_contrib.go)
}

type nrmPageView struct {
	Heading, Note string
	Fields        []nrmFieldView
}

type nrmSectionPage struct {
	Base, Heading, Reference, SectionTitle, Action string
	Number, Of                                     int
	Pages                                          []nrmPageView
	Warnings                                       []pathway.Warning // the case's (§1.2, §7.4, §8.5)
	Threshold                                      *thresholdView    // on the evidence sections (reference.go)
	Cautions                                       []catalog.Caution // where the types of exploitation are ticked (reference.go)
}

func (s *Server) handleNRMSection(kind nrm.Kind) func(http.ResponseWriter, *http.Request, casework.Viewer) {
	return func(w http.ResponseWriter, r *http.Request, v casework.Viewer) {
		id := r.PathValue("id")
		view, err := s.svc.NRMDraft(r.Context(), v, id, kind, "section "+r.PathValue("section"))
		if err != nil {
			s.failErr(w, r, err)
			return
		}
		p, ok := s.nrmSectionPage(view, kind, id, r.PathValue("section"), restoredNRM(r, view, r.PathValue("section")))
		if !ok {
			s.fail(w, r, http.StatusNotFound, "There is no such section of the "+kind.Title()+". Go back to the task list.")
			return
		}
		s.render(w, r, http.StatusOK, "nrm-section", Page{Title: p.SectionTitle + " – " + p.Heading, Data: p})
	}
}

func (s *Server) handleNRMSectionSave(kind nrm.Kind) func(http.ResponseWriter, *http.Request, casework.Viewer) {
	return func(w http.ResponseWriter, r *http.Request, v casework.Viewer) {
		id, section := r.PathValue("id"), r.PathValue("section")
		before, err := s.svc.NRMDraft(r.Context(), v, id, kind, "section "+section+" before saving")
		if err != nil {
			s.failErr(w, r, err)
			return
		}
		sec, ok := before.Draft.Section(section)
		if !ok {
			s.fail(w, r, http.StatusNotFound, "There is no such section of the "+kind.Title()+". Go back to the task list.")
			return
		}
		typed := map[string]string{}
		var saves []casework.NRMFieldSave
		for _, pg := range sec.Pages {
			for _, f := range pg.Fields {
				if _, onPage := r.PostForm["shown-"+f.ID]; !onPage || !f.Counts() {
					continue // not a question of the page that was sent
				}
				value := formAnswer(r, f)
				typed[f.ID] = value
				// Unchanged from what the page showed: not an edit, whatever happened since.
				if answerHash(value) == r.PostFormValue("shown-"+f.ID) {
					continue
				}
				version, err := strconv.Atoi(r.PostFormValue("version-" + f.ID))
				if err != nil {
					version = -1
				}
				saves = append(saves, casework.NRMFieldSave{Field: f.ID, Value: value, ExpectedVersion: version})
			}
		}
		after, err := s.svc.SaveNRMDraft(r.Context(), v, id, kind, saves)
		if r.Header.Get("X-Waymark-Autosave") == "1" {
			s.answerAutosave(w, r, after, kind, id, section, err)
			return
		}
		code := waymark.ErrorCode(err)
		switch {
		case err != nil && code != waymark.EINVALID && code != waymark.ECONFLICT:
			s.failErr(w, r, err)
			return
		case err != nil:
			// Show the page again with what was typed; on a conflict, read
			// the draft afresh so Continue saves over the newer version.
			fresh := before
			if code == waymark.ECONFLICT {
				var rerr error
				if fresh, rerr = s.svc.NRMDraft(r.Context(), v, id, kind, "section "+section+" after a conflict"); rerr != nil {
					s.failErr(w, r, rerr)
					return
				}
			}
			p, _ := s.nrmSectionPage(fresh, kind, id, section, typed)
			fields := waymark.ErrorFields(err)
			if len(fields) == 0 {
				fields = []waymark.FieldError{{Message: waymark.ErrorMessage(err)}}
			}
			s.render(w, r, statusFor(code), "nrm-section", Page{Title: p.SectionTitle + " – " + p.Heading, Errors: fields, Data: p})
			return
		}
		// Saved. An answer still over the form's limit is shown with the
		// page again: it is kept, and must be shortened before transfer.
		var over []waymark.FieldError
		for _, pr := range after.Problems {
			if pr.Section == section && pr.Kind == nrm.ProblemOverLimit {
				over = append(over, waymark.FieldError{Field: pr.Field, Message: pr.Message + " Your answer has been saved."})
			}
		}
		if len(over) > 0 {
			p, _ := s.nrmSectionPage(after, kind, id, section, nil)
			s.render(w, r, http.StatusUnprocessableEntity, "nrm-section", Page{Title: p.SectionTitle + " – " + p.Heading, Errors: over, Data: p})
			return
		}
		http.Redirect(w, r, nrmPath(id, kind)+"?saved=1#task-"+section, http.StatusSeeOther)
	}
}

// answerAutosave answers a save sent by nrm-autosave.js while the user types:
// the new version and shown-hash of every field on the page, so the next save
// (or Continue) builds on it, or a problem saying why nothing was saved.
func (s *Server) answerAutosave(w http.ResponseWriter, r *http.Request, after casework.NRMDraftView, kind nrm.Kind, id, section string, err error) {
	if err != nil {
		if waymark.ErrorCode(err) == waymark.EINTERNAL {
			s.log.Error("autosaving an NRM draft", "err", err, "request_id", requestID(r.Context()))
		}
		s.problemErr(w, r, err)
		return
	}
	p, ok := nrmSection(after, kind, id, section, nil)
	if !ok {
		s.problem(w, r, http.StatusNotFound, "There is no such section.", nil)
		return
	}
	type state struct {
		Version int    `json:"version"`
		Shown   string `json:"shown"`
	}
	fields := map[string]state{}
	for _, pg := range p.Pages {
		for _, f := range pg.Fields {
			fields[f.ID] = state{Version: f.Version, Shown: f.ShownHash}
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"savedAt": s.now().In(pathway.London).Format("15:04"), "fields": fields})
}

// formAnswer reads a field's answer from the posted form.
func formAnswer(r *http.Request, f nrm.Field) string {
	switch f.Type {
	case nrm.TypeCheckboxGroup:
		return strings.Join(r.PostForm[f.ID], "\n")
	case nrm.TypeDate:
		d, m, y := strings.TrimSpace(r.PostFormValue(f.ID+"-day")), strings.TrimSpace(r.PostFormValue(f.ID+"-month")), strings.TrimSpace(r.PostFormValue(f.ID+"-year"))
		if d == "" && m == "" && y == "" {
			return ""
		}
		dn, e1 := strconv.Atoi(d)
		mn, e2 := strconv.Atoi(m)
		yn, e3 := strconv.Atoi(y)
		t := time.Date(yn, time.Month(mn), dn, 0, 0, 0, 0, time.UTC)
		if e1 != nil || e2 != nil || e3 != nil || t.Day() != dn || int(t.Month()) != mn {
			return d + "/" + m + "/" + y // refused as not a real date, and shown again as typed
		}
		return t.Format("2006-01-02")
	}
	return strings.ReplaceAll(r.PostFormValue(f.ID), "\r\n", "\n")
}

// answerHash fingerprints an answer as a page showed it.
func answerHash(v string) string {
	sum := sha256.Sum256([]byte(strings.TrimSpace(strings.ReplaceAll(v, "\r\n", "\n"))))
	return hex.EncodeToString(sum[:12])
}

// nrmSection builds a section's page; typed, when given, replaces the
// answers with what the person typed.
func nrmSection(view casework.NRMDraftView, kind nrm.Kind, caseID, section string, typed map[string]string) (nrmSectionPage, bool) {
	d := view.Draft
	p := nrmSectionPage{Base: nrmPath(caseID, kind), Heading: kind.Title() + " draft", Reference: d.CaseReference, Of: len(d.Sections), Warnings: view.Warnings}
	var sec *nrm.Section
	for i := range d.Sections {
		if d.Sections[i].ID == section {
			sec, p.Number = &d.Sections[i], i+1
		}
	}
	if sec == nil {
		return p, false
	}
	p.SectionTitle, p.Action = sec.Title, p.Base+"/"+sec.ID
	labels := map[string]nrm.Field{}
	for _, f := range d.Fields() {
		labels[f.ID] = *f
	}
	for _, pg := range sec.Pages {
		pv := nrmPageView{Heading: pageHeading(kind, pg), Note: pg.Note}
		for _, f := range pg.Fields {
			fv := nrmFieldView{ID: f.ID, Label: f.Label, Hint: f.Hint, Value: f.Value, Version: f.Version, ShownHash: answerHash(f.Value)}
			fv.SetAside = f.SetAside
			if typed != nil {
				if t, ok := typed[f.ID]; ok {
					fv.Value = t
				}
			}
			if c := f.ShowIf; c != nil {
				parent := labels[c.Field]
				cond := "Only if the answer to '" + parent.Label + "' is "
				if c.Filled {
					cond = "Only if there is an answer to '" + parent.Label + "'."
				} else {
					var words []string
					for _, v := range c.In {
						words = append(words, "'"+parent.OptionText(v)+"'")
					}
					cond += strings.Join(words, " or ") + "."
				}
				fv.Hint = strings.TrimSpace(cond + " " + fv.Hint)
			}
			switch f.Type {
			case nrm.TypeTextarea, nrm.TypeFile:
				fv.Kind, fv.MaxLength, fv.Rows = "textarea", f.Limit, 8
				if f.Type == nrm.TypeFile {
					fv.MaxLength = 0
				} else if f.Limit > 0 {
					fv.Hint = strings.TrimSpace(fv.Hint + " On the form each line break counts as 2 characters.")
				}
			case nrm.TypeRadio:
				fv.Kind = "radios"
				for _, o := range f.Options {
					fv.Items = append(fv.Items, map[string]string{"Value": o.Value, "Text": o.Text})
				}
			case nrm.TypeCheckboxGroup:
				fv.Kind, fv.Selected = "checkboxes", map[string]bool{}
				for _, o := range f.Options {
					fv.Items = append(fv.Items, map[string]string{"Value": o.Value, "Text": o.Text})
				}
				for _, c := range strings.Split(fv.Value, "\n") {
					fv.Selected[strings.TrimSpace(c)] = true
				}
			case nrm.TypeDate:
				fv.Kind = "date"
				if t, err := time.Parse("2006-01-02", fv.Value); err == nil {
					fv.Day, fv.Month, fv.Year = t.Format("2"), t.Format("1"), t.Format("2006")
				} else if parts := strings.Split(fv.Value, "/"); len(parts) == 3 {
					fv.Day, fv.Month, fv.Year = parts[0], parts[1], parts[2]
				}
			case nrm.TypeInfo:
				fv.Kind = "info"
			default:
				fv.Kind = "input"
				if f.Type == nrm.TypeSelect {
					fv.Hint = strings.TrimSpace(fv.Hint + " Type it exactly as the form's list of " + f.List + " has it.")
				}
			}
			switch {
			case f.Edited:
				last := f.History[len(f.History)-1]
				fv.Origin = fmt.Sprintf("Saved by %s on %s (version %d).", last.SavedByName, last.SavedAt.In(pathway.London).Format("2 January 2006 at 3:04pm"), last.Version)
			case f.Proposed != "":
				fv.Origin = "Proposed by Waymark. " + f.Source
			case f.Source != "":
				fv.Origin = f.Source
			}
			for i := len(f.History) - 1; i >= 0; i-- {
				e := f.History[i]
				fv.History = append(fv.History, nrmEditView{Version: e.Version, When: e.SavedAt.In(pathway.London).Format("2 January 2006 at 3:04pm"), Who: e.SavedByName, Value: e.Value})
			}
			if f.Edited && f.Proposed != "" {
				fv.History = append(fv.History, nrmEditView{Version: 0, When: "", Who: "Waymark's proposal from the case", Value: f.Proposed})
			}
			for _, pr := range view.Problems {
				if pr.Field == f.ID {
					fv.ToDo = append(fv.ToDo, pr.Message)
				}
			}
			if kind == nrm.Referral {
				fv.Contributions = contributionViews(view, caseID, f, section)
			}
			pv.Fields = append(pv.Fields, fv)
		}
		p.Pages = append(p.Pages, pv)
	}
	return p, true
}

func pageHeading(kind nrm.Kind, pg nrm.Page) string {
	if kind == nrm.Referral {
		return fmt.Sprintf("Step %d: %s", pg.Step, pg.Title)
	}
	return pg.Title
}

type nrmCopyField struct {
	ID, Label, Facts, Display string
	Page                      string // the form's page, so a copy button says which question it copies
	Optional                  bool
	Choice                    bool // a radio or tick-box answer: chosen, not pasted
	Missing                   bool
	Rows                      int
	Problems                  []string
}

type nrmCopyPage struct {
	ID, Heading, Title, Note string
	Fields                   []nrmCopyField
}

type nrmCopySection struct {
	ID, Title string
	Pages     []nrmCopyPage
}

type nrmCopyView struct {
	Base, Heading, Reference string
	Sections                 []nrmCopySection
	Declaration              *nrm.Declaration
}

func (s *Server) handleNRMCopy(kind nrm.Kind) func(http.ResponseWriter, *http.Request, casework.Viewer) {
	return func(w http.ResponseWriter, r *http.Request, v casework.Viewer) {
		id := r.PathValue("id")
		view, err := s.svc.NRMDraft(r.Context(), v, id, kind, "copy view")
		if err != nil {
			s.failErr(w, r, err)
			return
		}
		d := view.Draft
		cv := nrmCopyView{Base: nrmPath(id, kind), Heading: "Copy the " + kind.Title() + " into the form", Reference: d.CaseReference, Declaration: d.Declaration}
		for _, sec := range d.Sections {
			cs := nrmCopySection{ID: "section-" + sec.ID, Title: sec.Title}
			for i, pg := range sec.Pages {
				if !pg.PageShown() {
					continue
				}
				// The form's own page heading: its step numbers and paths are for the form's authors.
				cp := nrmCopyPage{ID: fmt.Sprintf("page-%s-%d", sec.ID, i+1), Heading: pg.Title, Note: pg.Note}
				for _, f := range pg.Fields {
					if !f.Shown || !f.Counts() {
						continue
					}
					cf := nrmCopyField{ID: f.ID, Label: f.Label, Facts: copyFacts(f), Display: f.Display(), Missing: !f.Answered(),
						Choice: f.Type == nrm.TypeRadio || f.Type == nrm.TypeCheckboxGroup, Page: pg.Title, Optional: !f.Required}
					if f.Type == nrm.TypeDate || f.Type == nrm.TypeSelect {
						cf.Choice = true
					}
					// Tall enough to show the whole answer: its lines, and long
					// lines wrapped at about 70 characters a row.
					rows := 1
					for _, line := range strings.Split(f.Value, "\n") {
						rows += 1 + utf8.RuneCountInString(line)/70
					}
					cf.Rows = min(max(rows, 2), 20)
					for _, pr := range view.Problems {
						if pr.Field == f.ID {
							cf.Problems = append(cf.Problems, pr.Message)
						}
					}
					cp.Fields = append(cp.Fields, cf)
				}
				cs.Pages = append(cs.Pages, cp)
			}
			if len(cs.Pages) > 0 {
				cv.Sections = append(cv.Sections, cs)
			}
		}
		s.render(w, r, http.StatusOK, "nrm-copy", Page{Title: cv.Heading + " – case " + d.CaseReference, Data: cv})
	}
}

// copyFacts says, in plain words, how the answer goes into the form; a
// limit the answer is near or over is among its problems, not said here.
func copyFacts(f nrm.Field) string {
	s := nrm.HowToCopy(f)
	switch f.Type {
	case nrm.TypeRadio:
		s = "Choose this answer on the form"
	case nrm.TypeCheckboxGroup:
		s = "Tick these boxes on the form"
	case nrm.TypeDate:
		s = "Enter the day, month and year"
	case nrm.TypeText, nrm.TypeTextarea:
		s = "Paste into the form"
	}
	if !f.Required {
		s += " (optional)"
	}
	return s
}

// handleNRMDocument serves the PDF or the plain text: a download, or with
// ?print=1 a PDF shown in the browser to print. The file is named by the
// case reference, never the child.
func (s *Server) handleNRMDocument(kind nrm.Kind, format string) func(http.ResponseWriter, *http.Request, casework.Viewer) {
	return func(w http.ResponseWriter, r *http.Request, v casework.Viewer) {
		print := format == casework.NRMFormatPDF && r.URL.Query().Get("print") == "1"
		doc, err := s.svc.NRMDraftDocument(r.Context(), v, r.PathValue("id"), kind, format, print)
		if err != nil {
			s.failErr(w, r, err)
			return
		}
		writeNRMDocument(w, doc, print)
	}
}

func writeNRMDocument(w http.ResponseWriter, doc casework.NRMDocument, inline bool) {
	disposition := "attachment"
	if inline {
		disposition = "inline"
	}
	h := w.Header()
	h.Set("Content-Type", doc.ContentType)
	h.Set("Content-Disposition", disposition+`; filename="`+doc.Name+`"`)
	h.Set("Content-Length", strconv.Itoa(len(doc.Body)))
	w.WriteHeader(http.StatusOK)
	w.Write(doc.Body)
}

// The JSON API over the same use cases.

type apiNRMDraft struct {
	nrm.Draft
	Tasks               []nrm.Task    `json:"tasks"`
	Problems            []nrm.Problem `json:"problems"`
	ReconsiderationOpen bool          `json:"reconsiderationOpen"`
}

func nrmDraftJSON(view casework.NRMDraftView) apiNRMDraft {
	out := apiNRMDraft{Draft: view.Draft, Tasks: view.Tasks, Problems: view.Problems, ReconsiderationOpen: view.ReconsiderationOpen}
	if out.Problems == nil {
		out.Problems = []nrm.Problem{}
	}
	if out.Tasks == nil {
		out.Tasks = []nrm.Task{}
	}
	return out
}

func (s *Server) handleAPINRMDraft(kind nrm.Kind) func(http.ResponseWriter, *http.Request, casework.Viewer) {
	return func(w http.ResponseWriter, r *http.Request, v casework.Viewer) {
		view, err := s.svc.NRMDraft(r.Context(), v, r.PathValue("id"), kind, "api")
		if err != nil {
			s.problemErr(w, r, err)
			return
		}
		writeJSON(w, http.StatusOK, nrmDraftJSON(view))
	}
}

type apiNRMFieldSaved struct {
	Field    nrm.Field     `json:"field"`
	Problems []nrm.Problem `json:"problems"`
}

func (s *Server) handleAPINRMField(kind nrm.Kind) func(http.ResponseWriter, *http.Request, casework.Viewer) {
	return func(w http.ResponseWriter, r *http.Request, v casework.Viewer) {
		var in struct {
			Value           *string `json:"value"`
			ExpectedVersion *int    `json:"expectedVersion"`
		}
		if err := decodeJSON(r, &in); err != nil {
			s.problemErr(w, r, err)
			return
		}
		var missing []waymark.FieldError
		if in.Value == nil {
			missing = append(missing, waymark.FieldError{Field: "value", Message: "Send value: the answer, as text (an empty string clears Waymark's proposal)"})
		}
		if in.ExpectedVersion == nil {
			missing = append(missing, waymark.FieldError{Field: "expectedVersion", Message: "Send expectedVersion: the version of the answer you last read (0 for Waymark's proposal), so a newer answer is not overwritten"})
		}
		if len(missing) > 0 {
			s.problemErr(w, r, waymark.Invalid(missing))
			return
		}
		field := r.PathValue("field")
		view, err := s.svc.SaveNRMDraft(r.Context(), v, r.PathValue("id"), kind, []casework.NRMFieldSave{{Field: field, Value: *in.Value, ExpectedVersion: *in.ExpectedVersion}})
		if err != nil {
			s.problemErr(w, r, err)
			return
		}
		f, _ := view.Draft.Field(field)
		out := apiNRMFieldSaved{Field: *f, Problems: []nrm.Problem{}}
		for _, p := range view.Problems {
			if p.Field == field {
				out.Problems = append(out.Problems, p)
			}
		}
		writeJSON(w, http.StatusOK, out)
	}
}

func (s *Server) handleAPINRMDocument(kind nrm.Kind, format string) func(http.ResponseWriter, *http.Request, casework.Viewer) {
	return func(w http.ResponseWriter, r *http.Request, v casework.Viewer) {
		doc, err := s.svc.NRMDraftDocument(r.Context(), v, r.PathValue("id"), kind, format, false)
		if err != nil {
			s.problemErr(w, r, err)
			return
		}
		writeNRMDocument(w, doc, false)
	}
}
