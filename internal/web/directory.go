package web

import (
	"net/http"
	"net/url"

	"waymark"
	"waymark/internal/casework"
	"waymark/internal/catalog"
)

// The partnership's directory of supporting organisations and key contacts
// (issue 13; §6.8, §9.4, §9.5, annex): a page every signed-in person reads
// (it is no case data), and forms with which partnership leads and
// administrators correct an entry, add one, or take one off the directory
// (casework/directory.go decides who, checks and audits).

type directoryHeading struct {
	Text    string
	Entries []casework.DirectoryEntry
}

type directoryPage struct {
	Headings []directoryHeading
	Editor   bool
}

func (s *Server) handleDirectory(w http.ResponseWriter, r *http.Request, v casework.Viewer) {
	all, err := s.svc.Directory(r.Context())
	if err != nil {
		s.failErr(w, r, err)
		return
	}
	p := directoryPage{Editor: v.EditsDirectory()}
	for _, k := range catalog.DirectoryKinds {
		h := directoryHeading{Text: k.Text}
		for _, e := range all {
			if e.Kind == k.Value && (!e.Hidden || p.Editor) {
				h.Entries = append(h.Entries, e)
			}
		}
		if len(h.Entries) > 0 {
			p.Headings = append(p.Headings, h)
		}
	}
	flash := ""
	switch r.URL.Query().Get("done") {
	case "saved":
		flash = "Directory entry saved"
	case "added":
		flash = "Directory entry added"
	}
	s.render(w, r, http.StatusOK, "directory", Page{Title: "Directory of support and key contacts", Flash: flash, Data: p})
}

// directoryFormPage is the form to change or add an entry.
type directoryFormPage struct {
	ID, Name, Action string
	CheckedHint      string // the date question's hint: when the entry was last checked
	Seeded           bool
	Form             map[string]string
	Kinds            []map[string]string
	YesNo            []map[string]string
	Shown            []map[string]string
}

func directoryForm(id, name string, seeded bool, f map[string]string) directoryFormPage {
	action := "/directory"
	if id != "" {
		action = "/directory/" + url.PathEscape(id)
	}
	return directoryFormPage{ID: id, Name: name, Action: action, Seeded: seeded, Form: f, CheckedHint: checkedHint(""), Kinds: optionItems(catalog.DirectoryKinds),
		YesNo: []map[string]string{{"Value": "yes", "Text": "Yes"}, {"Value": "no", "Text": "No"}},
		Shown: []map[string]string{{"Value": "shown", "Text": "Show it in the directory"}, {"Value": "hidden", "Text": "Hide it: it does not apply to this partnership"}}}
}

func directoryFormValues(e casework.DirectoryEntry) map[string]string {
	f := map[string]string{"name": e.Name, "kind": e.Kind, "description": e.Description, "phone": e.Phone, "email": e.Email,
		"website": e.Website, "hours": e.Hours, "area": e.Area, "note": e.Note, "checkBeforeUse": "no", "shown": "shown"}
	if e.CheckBeforeUse {
		f["checkBeforeUse"] = "yes"
	}
	if e.Hidden {
		f["shown"] = "hidden"
	}
	return f
}

func (s *Server) handleDirectoryEdit(w http.ResponseWriter, r *http.Request, v casework.Viewer) {
	if !v.EditsDirectory() {
		s.failErr(w, r, casework.ErrDirectoryEditors)
		return
	}
	id := r.PathValue("id")
	if id == "" { // a new entry
		s.render(w, r, http.StatusOK, "directory-entry", Page{Title: "Add to the directory",
			Data: directoryForm("", "", false, map[string]string{"checkBeforeUse": "no", "shown": "shown"})})
		return
	}
	e, err := s.svc.DirectoryEntryByID(r.Context(), id)
	if err != nil {
		s.failErr(w, r, err)
		return
	}
	p := directoryForm(e.ID, e.Name, e.Seeded, directoryFormValues(e))
	p.CheckedHint = checkedHint(e.LastCheckedText())
	s.render(w, r, http.StatusOK, "directory-entry", Page{Title: "Change " + e.Name, Data: p})
}

// handleDirectorySave changes (or, without an id, adds) an entry: parse, validate, store, respond.
func (s *Server) handleDirectorySave(w http.ResponseWriter, r *http.Request, v casework.Viewer) {
	if !v.EditsDirectory() {
		s.failErr(w, r, casework.ErrDirectoryEditors)
		return
	}
	if err := r.ParseForm(); err != nil {
		s.fail(w, r, http.StatusBadRequest, "The answers could not be read. Go back and try again.")
		return
	}
	id := r.PathValue("id")
	f := r.PostForm
	e, hidden, probs := directoryEntryFrom(f)
	var err error
	if len(probs) > 0 {
		err = probs.Err()
	} else {
		_, err = s.svc.SaveDirectoryEntry(r.Context(), v, id, e, hidden)
	}
	if err == nil {
		done := "saved"
		if id == "" {
			done = "added"
		}
		http.Redirect(w, r, "/directory?done="+done, http.StatusSeeOther)
		return
	}
	if waymark.ErrorCode(err) != waymark.EINVALID {
		s.failErr(w, r, err)
		return
	}
	name, seeded, checked := "", false, ""
	if id != "" {
		old, oerr := s.svc.DirectoryEntryByID(r.Context(), id)
		if oerr != nil {
			s.failErr(w, r, oerr)
			return
		}
		name, seeded, checked = old.Name, old.Seeded, old.LastCheckedText()
	}
	vals := map[string]string{}
	for k, vs := range f {
		if len(vs) > 0 {
			vals[k] = vs[0]
		}
	}
	fields := waymark.ErrorFields(err)
	if len(fields) == 0 {
		fields = []waymark.FieldError{{Field: "name", Message: waymark.ErrorMessage(err)}}
	}
	title := "Add to the directory"
	if id != "" {
		title = "Change " + name
	}
	p := directoryForm(id, name, seeded, vals)
	p.CheckedHint = checkedHint(checked)
	s.render(w, r, http.StatusUnprocessableEntity, "directory-entry", Page{Title: title, Errors: fields, Data: p})
}

// directoryEntryFrom reads the entry form, reporting answers that cannot be read.
func directoryEntryFrom(f url.Values) (catalog.DirectoryEntry, bool, waymark.Problems) {
	var probs waymark.Problems
	e := catalog.DirectoryEntry{Name: f.Get("name"), Kind: f.Get("kind"), Description: f.Get("description"), Phone: f.Get("phone"),
		Email: f.Get("email"), Website: f.Get("website"), Hours: f.Get("hours"), Area: f.Get("area"), Note: f.Get("note")}
	switch f.Get("checkBeforeUse") {
	case "yes":
		e.CheckBeforeUse = true
	case "no":
	default:
		probs.Add("checkBeforeUse", "Select yes if the entry still needs checking before anyone uses it")
	}
	hidden := false
	switch f.Get("shown") {
	case "hidden":
		hidden = true
	case "shown":
	default:
		probs.Add("shown", "Select whether to show the entry in the directory")
	}
	d, ok, msg := parseDateParts(f.Get("lastChecked-day"), f.Get("lastChecked-month"), f.Get("lastChecked-year"))
	switch {
	case !ok:
		probs.Add("lastChecked", "The date the entry was checked %s", msg)
	case d.IsZero():
		probs.Add("lastChecked", "Enter the date you checked the entry, like 4 12 2026")
	default:
		e.LastChecked = d.Format("2006-01-02")
	}
	return e, hidden, probs
}

func checkedHint(last string) string {
	if last == "" {
		return "For example, 4 12 2026"
	}
	return "Last checked: " + last + ". For example, 4 12 2026"
}
