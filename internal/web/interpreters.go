package web

import (
	"net/http"
	"net/url"
	"strings"

	"waymark"
	"waymark/internal/casework"
	"waymark/internal/pathway"
	"waymark/internal/store"
)

// interpretersPage is the interpreter register kept by administrators (§6.7, §7.5).
type interpretersPage struct {
	Interpreters []store.Interpreter
	Form         map[string]string
	Genders      []map[string]string
	YesNo        []map[string]string
}

func (s *Server) interpretersPageData(list []store.Interpreter, f url.Values) interpretersPage {
	p := interpretersPage{Interpreters: list, Form: map[string]string{}, Genders: optionItems(pathway.InterpreterGenders()),
		YesNo: []map[string]string{{"Value": "yes", "Text": "Yes"}, {"Value": "no", "Text": "No"}}}
	for k, vs := range f {
		if len(vs) > 0 {
			p.Form[k] = vs[0]
		}
	}
	return p
}

const registerKeptByAdministrators = "Only administrators keep the interpreter register. Ask your administrator to add an interpreter."

// handleInterpreters lists the register with the form to add to it.
func (s *Server) handleInterpreters(w http.ResponseWriter, r *http.Request, v casework.Viewer) {
	if !v.KeepsInterpreterRegister() {
		s.fail(w, r, http.StatusForbidden, registerKeptByAdministrators)
		return
	}
	list, err := s.svc.InterpreterRegister(r.Context())
	if err != nil {
		s.failErr(w, r, err)
		return
	}
	flash := ""
	if r.URL.Query().Get("done") == "added" {
		flash = "Interpreter added to the register"
	}
	f := url.Values{"active": {"yes"}}
	if kept := restoredForm(r); len(kept) > 0 { // typed before signing in again (answers.go)
		f = kept
	}
	s.render(w, r, http.StatusOK, "interpreters", Page{Title: "Interpreter register", Flash: flash, Data: s.interpretersPageData(list, f)})
}

// handleInterpreterAdd adds an interpreter to the register: parse, validate, store, respond.
func (s *Server) handleInterpreterAdd(w http.ResponseWriter, r *http.Request, v casework.Viewer) {
	if !v.KeepsInterpreterRegister() {
		s.fail(w, r, http.StatusForbidden, registerKeptByAdministrators)
		return
	}
	if err := r.ParseForm(); err != nil {
		s.fail(w, r, http.StatusBadRequest, "The answers could not be read. Go back and try again.")
		return
	}
	f := r.PostForm
	entry, probs := interpreterEntryFrom(f)
	var err error
	if len(probs) > 0 {
		err = probs.Err()
	} else {
		_, err = s.svc.RegisterInterpreter(r.Context(), v, entry)
	}
	if err == nil {
		http.Redirect(w, r, "/admin/interpreters?done=added", http.StatusSeeOther)
		return
	}
	if waymark.ErrorCode(err) != waymark.EINVALID {
		s.failErr(w, r, err)
		return
	}
	list, lerr := s.svc.InterpreterRegister(r.Context())
	if lerr != nil {
		s.failErr(w, r, lerr)
		return
	}
	fields := waymark.ErrorFields(err)
	if len(fields) == 0 {
		fields = []waymark.FieldError{{Field: "name", Message: waymark.ErrorMessage(err)}}
	}
	s.render(w, r, http.StatusUnprocessableEntity, "interpreters", Page{Title: "Interpreter register", Errors: fields, Data: s.interpretersPageData(list, f)})
}

// interpreterEntryFrom reads the add form, reporting answers that cannot be read.
func interpreterEntryFrom(f url.Values) (casework.InterpreterEntry, waymark.Problems) {
	var probs waymark.Problems
	yes := func(name, question string) bool {
		switch f.Get(name) {
		case "yes":
			return true
		case "no":
		default:
			probs.Add(name, "Select yes or no: %s", question)
		}
		return false
	}
	e := casework.InterpreterEntry{
		Name:      strings.TrimSpace(f.Get("name")),
		Languages: lines(f.Get("languages")),
		Dialects:  lines(f.Get("dialects")),
		Gender:    f.Get("gender"),
	}
	e.Professional = yes("professional", "is this a professional interpreter?")
	e.Approved = yes("approved", "is the interpreter approved?")
	d, ok, msg := parseDateParts(f.Get("dbsCheckedOn-day"), f.Get("dbsCheckedOn-month"), f.Get("dbsCheckedOn-year"))
	switch {
	case !ok:
		probs.Add("dbsCheckedOn", "The date of the DBS check %s", msg)
	case !d.IsZero():
		e.DBSCheckedOn = d.Format("2006-01-02")
	}
	e.Active = yes("active", "can the interpreter be booked now?")
	return e, probs
}
