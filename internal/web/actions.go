package web

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"waymark"
	"waymark/internal/casework"
	"waymark/internal/pathway"
)

// An action is one thing a member can do to a case after the concern: one
// GOV.UK question page (GET/POST /cases/{id}/actions/{slug}) and one API
// operation (POST /api/v1/cases/{id}/actions/{slug}) over the same pathway
// command. Each area of the pathway registers its actions beside its pages.
type action struct {
	Slug    string
	Title   string // the page's heading, e.g. "Record the strategy discussion"
	Section string // the procedure section it implements
	Intro   string
	Button  string
	Group   string // heading it is listed under on the case page
	Fields  []field
	// Offer says whether the case page offers this action to the viewer.
	// The pathway's rules still decide whether the command is allowed.
	Offer func(v casework.CaseView, viewer casework.Viewer) bool

	decode  func([]byte) (pathway.Command, error)
	example any
}

type fieldKind int

const (
	kindText fieldKind = iota
	kindTextarea
	kindLines // textarea, one item per line → []string
	kindEmail
	kindNumber
	kindDate     // → "YYYY-MM-DD"
	kindDateTime // → RFC 3339
	kindRadios
	kindSelect
	kindCheckboxes // → []string
	kindYesNo      // → bool
)

// field is one answer on an action's page; Name is the command's JSON name.
type field struct {
	Name      string
	Label     string
	Hint      string
	Kind      fieldKind
	Options   func(s *Server, v casework.CaseView) []option
	Required  bool // for yes/no questions, whose "no answer" cannot reach the pathway
	MaxLength int
	Rows      int
}

type option struct{ Value, Text string }

var actions = map[string]*action{}
var actionOrder []string

// registerAction adds an action whose command is T.
func registerAction[T pathway.Command](a action) {
	if _, dup := actions[a.Slug]; dup {
		panic("web: action registered twice: " + a.Slug)
	}
	a.decode = func(b []byte) (pathway.Command, error) {
		var cmd T
		if err := decodeJSONBytes(b, &cmd); err != nil {
			return nil, err
		}
		return cmd, a.checkLines(b)
	}
	var zero T
	a.example = zero
	if a.Button == "" {
		a.Button = "Save"
	}
	actions[a.Slug] = &a
	actionOrder = append(actionOrder, a.Slug)
}

func init() {
	registerAction[pathway.AddNote](action{
		Slug: "note", Title: "Add a case note", Section: "§7.5", Group: "Notes and people",
		Intro:  "Write what happened, when, and who was there. A child's account often comes in instalments: careful notes protect their credibility later.",
		Button: "Add note",
		Fields: []field{{Name: "text", Label: "Note", Kind: kindTextarea, MaxLength: pathway.MaxNarrative, Rows: 8}},
		Offer:  func(v casework.CaseView, viewer casework.Viewer) bool { return true },
	})
	registerAction[pathway.AssignWorker](action{
		Slug: "assign-worker", Title: "Assign a worker", Section: "§6.7", Group: "Notes and people",
		Intro:  "An assigned worker becomes a member of the case and sees all of it.",
		Button: "Assign",
		Fields: []field{{Name: "workerEmail", Label: "Who should be assigned?", Hint: "People of the case's Children's Services team", Kind: kindSelect, Options: assignableOptions}},
		Offer: func(v casework.CaseView, viewer casework.Viewer) bool {
			return viewer.User.Org.ChildrensServices && v.Membership.Team()
		},
	})
}

// formToJSON turns a page's answers into the command's JSON, reporting
// answers that cannot be read (a date that is not a date).
func (a *action) formToJSON(f url.Values) ([]byte, waymark.Problems) {
	var probs waymark.Problems
	m := map[string]any{}
	for _, fd := range a.Fields {
		// Text the rule refuses is named with the question's label (a
		// page's form has been checked as a whole already: input.go).
		multi := fd.Kind == kindTextarea || fd.Kind == kindLines
		if p := pathway.TextProblem(f.Get(fd.Name), multi); p != "" {
			probs.Add(fd.Name, "%s %s", strings.TrimSuffix(fd.Label, "?"), p)
			continue
		}
		switch fd.Kind {
		case kindText, kindTextarea, kindEmail, kindRadios, kindSelect:
			m[fd.Name] = strings.TrimSpace(f.Get(fd.Name))
		case kindLines:
			m[fd.Name] = lines(f.Get(fd.Name))
		case kindCheckboxes:
			vals := f[fd.Name]
			if vals == nil {
				vals = []string{}
			}
			m[fd.Name] = vals
		case kindYesNo:
			switch f.Get(fd.Name) {
			case "yes":
				m[fd.Name] = true
			case "no":
				m[fd.Name] = false
			default:
				if fd.Required {
					probs.Add(fd.Name, "Select yes or no: %s", strings.TrimSuffix(fd.Label, "?")+"?")
				}
			}
		case kindNumber:
			if v := strings.TrimSpace(f.Get(fd.Name)); v != "" {
				n, err := strconv.Atoi(v)
				if err != nil {
					probs.Add(fd.Name, "%s must be a whole number", fd.Label)
				} else {
					m[fd.Name] = n
				}
			}
		case kindDate:
			d, ok, msg := parseDateParts(f.Get(fd.Name+"-day"), f.Get(fd.Name+"-month"), f.Get(fd.Name+"-year"))
			switch {
			case !ok:
				probs.Add(fd.Name, "%s %s", fd.Label, msg)
			case !d.IsZero():
				m[fd.Name] = d.Format("2006-01-02")
			}
		case kindDateTime:
			d, ok, msg := parseDateParts(f.Get(fd.Name+"-day"), f.Get(fd.Name+"-month"), f.Get(fd.Name+"-year"))
			switch {
			case !ok:
				probs.Add(fd.Name, "%s %s", fd.Label, msg)
			case !d.IsZero():
				h, mi, tok := parseTimeOfDay(f.Get(fd.Name + "-time"))
				if !tok {
					probs.Add(fd.Name, "Enter the time for '%s', like 14:30 or 2:30pm", fd.Label)
					break
				}
				m[fd.Name] = time.Date(d.Year(), d.Month(), d.Day(), h, mi, 0, 0, pathway.London).UTC().Format(time.RFC3339)
			}
		}
	}
	b, _ := json.Marshal(m)
	return b, probs
}

// checkLines holds the action's one-line answers (text, email, choices, and
// each item of a list) to the single-line rule, naming each by its label;
// decodeJSONBytes has already held every string to the multi-line rule.
func (a *action) checkLines(b []byte) error {
	var m map[string]json.RawMessage
	if json.Unmarshal(b, &m) != nil {
		return nil // decoding has already said what is wrong
	}
	var probs waymark.Problems
	for _, fd := range a.Fields {
		raw, ok := m[fd.Name]
		if !ok {
			continue
		}
		label := strings.TrimSuffix(fd.Label, "?")
		switch fd.Kind {
		case kindText, kindEmail, kindRadios, kindSelect:
			var v string
			if json.Unmarshal(raw, &v) == nil {
				if p := pathway.TextProblem(v, false); p != "" {
					probs.Add(fd.Name, "%s %s", label, p)
				}
			}
		case kindLines, kindCheckboxes:
			var vs []string
			if json.Unmarshal(raw, &vs) == nil {
				for _, v := range vs {
					if p := pathway.TextProblem(v, false); p != "" {
						probs.Add(fd.Name, "%s: one of them %s", label, p)
						break
					}
				}
			}
		}
	}
	return probs.Err()
}

// offered lists the actions the case page offers the viewer, grouped.
func offered(v casework.CaseView, viewer casework.Viewer) []actionGroup {
	groups := map[string][]*action{}
	var names []string
	for _, slug := range actionOrder {
		a := actions[slug]
		if a.Offer != nil && a.Offer(v, viewer) {
			if groups[a.Group] == nil {
				names = append(names, a.Group)
			}
			groups[a.Group] = append(groups[a.Group], a)
		}
	}
	var out []actionGroup
	for _, n := range names {
		out = append(out, actionGroup{Name: n, Actions: groups[n]})
	}
	return out
}

type actionGroup struct {
	Name    string
	Actions []*action
}

type actionPage struct {
	Case    caseData
	Action  *action
	Version int
	Form    map[string]string
	Checked map[string]map[string]bool
	Options map[string][]map[string]string
}

func (s *Server) actionPageData(view casework.CaseView, viewer casework.Viewer, a *action, f url.Values) actionPage {
	p := actionPage{Case: s.caseData(view, viewer), Action: a, Version: view.Case.Version, Form: map[string]string{},
		Checked: map[string]map[string]bool{}, Options: map[string][]map[string]string{}}
	for k, vs := range f {
		if len(vs) > 0 {
			p.Form[k] = vs[0]
		}
	}
	for _, fd := range a.Fields {
		if fd.Options != nil {
			for _, o := range fd.Options(s, view) {
				p.Options[fd.Name] = append(p.Options[fd.Name], map[string]string{"Value": o.Value, "Text": o.Text})
			}
		}
		if fd.Kind == kindYesNo {
			p.Options[fd.Name] = []map[string]string{{"Value": "yes", "Text": "Yes"}, {"Value": "no", "Text": "No"}}
		}
		if fd.Kind == kindCheckboxes {
			p.Checked[fd.Name] = map[string]bool{}
			for _, v := range f[fd.Name] {
				p.Checked[fd.Name][v] = true
			}
		}
	}
	return p
}

func (s *Server) handleActionForm(w http.ResponseWriter, r *http.Request, v casework.Viewer) {
	a, ok := actions[r.PathValue("action")]
	if !ok {
		s.fail(w, r, http.StatusNotFound, "There is no such action.")
		return
	}
	view, err := s.svc.Case(r.Context(), v, r.PathValue("id"))
	if err != nil {
		s.failErr(w, r, err)
		return
	}
	// §6.5: to someone outside the team, an action they are not offered
	// answers as an action that does not exist, so its form can name
	// nothing of the team's work and its answer tells them nothing either.
	if !view.Membership.Team() && (a.Offer == nil || !a.Offer(view, v)) {
		s.fail(w, r, http.StatusNotFound, "There is no such action.")
		return
	}
	s.render(w, r, http.StatusOK, "action", Page{Title: a.Title, Data: s.actionPageData(view, v, a, url.Values{})})
}

func (s *Server) handleAction(w http.ResponseWriter, r *http.Request, v casework.Viewer) {
	a, ok := actions[r.PathValue("action")]
	if !ok {
		s.fail(w, r, http.StatusNotFound, "There is no such action.")
		return
	}
	id := r.PathValue("id")
	if err := r.ParseForm(); err != nil {
		s.fail(w, r, http.StatusBadRequest, "The answers could not be read. Go back and try again.")
		return
	}
	body, probs := a.formToJSON(r.PostForm)
	var err error
	if len(probs) > 0 {
		err = probs.Err()
	} else {
		var cmd pathway.Command
		cmd, err = a.decode(body)
		if err == nil {
			err = s.svc.Act(r.Context(), v, id, formVersion(r), cmd)
		}
	}
	if err == nil {
		http.Redirect(w, r, "/cases/"+id+"?done="+url.QueryEscape(a.Slug), http.StatusSeeOther)
		return
	}
	first := ""
	if len(a.Fields) > 0 {
		first = a.Fields[0].Name
	}
	s.afterCaseForm(w, r, v, err, "action", a.Title, first, func(view casework.CaseView) any {
		return s.actionPageData(view, v, a, r.PostForm)
	})
}

func (s *Server) handleAPIAction(w http.ResponseWriter, r *http.Request, v casework.Viewer) {
	a, ok := actions[r.PathValue("action")]
	if !ok {
		s.problem(w, r, http.StatusNotFound, fmt.Sprintf("There is no action %q. Actions: %s.", r.PathValue("action"), strings.Join(sortedActionSlugs(), ", ")), nil)
		return
	}
	var raw map[string]json.RawMessage
	if err := decodeJSON(r, &raw); err != nil {
		s.problemErr(w, r, err)
		return
	}
	var version *int
	if ev, ok := raw["expectedVersion"]; ok {
		if err := json.Unmarshal(ev, &version); err != nil {
			s.problemErr(w, r, waymark.Invalid([]waymark.FieldError{{Field: "expectedVersion", Message: "must be a whole number"}}))
			return
		}
		delete(raw, "expectedVersion")
	}
	if version == nil {
		s.problemErr(w, r, waymark.Invalid([]waymark.FieldError{{Field: "expectedVersion", Message: "Send expectedVersion: the case version you last read, so a concurrent change is not overwritten"}}))
		return
	}
	rest, _ := json.Marshal(raw)
	cmd, err := a.decode(rest)
	if err != nil {
		s.problemErr(w, r, err)
		return
	}
	if err := s.svc.Act(r.Context(), v, r.PathValue("id"), *version, cmd); err != nil {
		s.problemErr(w, r, err)
		return
	}
	s.writeCase(w, r, v, r.PathValue("id"), http.StatusOK)
}

func sortedActionSlugs() []string {
	out := append([]string(nil), actionOrder...)
	sort.Strings(out)
	return out
}

// KindName is the field's kind as the action template names it.
func (f field) KindName() string {
	return [...]string{"text", "textarea", "lines", "email", "number", "date", "datetime", "radios", "select", "checkboxes", "yesno"}[f.Kind]
}
