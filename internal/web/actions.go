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
	"waymark/internal/catalog"
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

	// command is the pathway command's name (pathway.CommandName): the
	// pathway alone says whether the viewer may give it (CaseView.Actions).
	command string
	// area is the pathway area the command belongs to (pathway.NewCatalogue):
	// the case page offers the action on that area's page.
	area    pathway.Area
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
	kindListSelect // one of the Home Office form's lists: → string, or []string with Count > 1 (actions_places.go)
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
	Default   func(v casework.CaseView) string // the answer a new form starts with, so nothing known is asked again (WCAG 3.3.7)

	// A kindListSelect's list, how many boxes it may have (answers up to
	// Count), and the entries a new form starts with (actions_places.go).
	List        catalog.HOList
	Count       int
	ListDefault func(v casework.CaseView) []string
}

type option struct{ Value, Text string }

// actionSet is every action, by slug and in the order the case page lists
// them. The server builds it once (newActionSet).
type actionSet struct {
	bySlug map[string]*action
	order  []string
}

// newActionSet builds every area's actions, in the order the case page lists them.
func newActionSet() *actionSet {
	set := &actionSet{bySlug: map[string]*action{}}
	addPeopleActions(set)
	addClientActions(set)
	addMeetingActions(set)
	addNRMActions(set)
	addNRMContributionActions(set) // nrm_contrib.go
	addSafetyActions(set)
	addStrategyActions(set)
	addSupportActions(set)
	addSupervisionActions(set)
	addPlacesActions(set)
	addSituationActions(set)
	addJusticeActions(set)         // actions_justice.go
	addAbroadRecordActions(set)    // actions_abroad_records.go
	addFamilyActions(set)          // family.go
	addImmediateActionActions(set) // immediate_actions.go
	addHouseholdActions(set)       // household.go
	addSection47Actions(set)       // actions_section47.go
	addEntityActions(set)          // entities.go
	areas := map[string]pathway.Area{}
	for _, e := range pathway.NewCatalogue() {
		areas[e.Name()] = e.Area
	}
	for _, a := range set.bySlug {
		area, ok := areas[a.command]
		if !ok {
			panic("web: the action " + a.Slug + " gives a command the pathway's catalogue does not list: " + a.command)
		}
		a.area = area
	}
	return set
}

// addAction adds an action whose command is T.
func addAction[T pathway.Command](set *actionSet, a action) {
	if _, dup := set.bySlug[a.Slug]; dup {
		panic("web: action added twice: " + a.Slug)
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
	a.command = pathway.CommandName(zero)
	if a.Button == "" {
		a.Button = "Save"
	}
	set.bySlug[a.Slug] = &a
	set.order = append(set.order, a.Slug)
}

func addPeopleActions(set *actionSet) {
	addAction[pathway.AddNote](set, action{
		Slug: "note", Title: "Add a case note", Section: "§7.5", Group: "Notes and people",
		Intro:  "Write what happened, when, and who was there. A child's account often comes in instalments: careful notes protect their credibility later.",
		Button: "Add note",
		Fields: []field{{Name: "text", Label: "Note", Kind: kindTextarea, MaxLength: pathway.MaxNarrative, Rows: 8}},
	})
	addAction[pathway.AssignWorker](set, action{
		Slug: "assign-worker", Title: "Assign a worker", Section: "§6.7", Group: "Notes and people",
		Intro:  "An assigned worker becomes a member of the case and sees all of it.",
		Button: "Assign",
		Fields: []field{{Name: "workerEmail", Label: "Who should be assigned?", Hint: "People of the case's Children's Services team", Kind: kindSelect, Options: assignableOptions}},
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
		case kindListSelect:
			m[fd.Name] = fd.listAnswer(f)
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
		case kindListSelect: // one entry, or several (actions_places.go)
			var vs []string
			if json.Unmarshal(raw, &vs) != nil {
				var v string
				json.Unmarshal(raw, &v)
				vs = []string{v}
			}
			for _, v := range vs {
				if p := pathway.TextProblem(v, false); p != "" {
					probs.Add(fd.Name, "%s %s", label, p)
					break
				}
			}
		}
	}
	return probs.Err()
}

// offered lists the actions the case page offers the viewer, grouped: those
// the pathway says they may give now (CaseView.Actions).
func (s *Server) offered(v casework.CaseView, viewer casework.Viewer) []actionGroup {
	groups := map[string][]*action{}
	var names []string
	for _, slug := range s.actions.order {
		a := s.actions.bySlug[slug]
		if v.Action(a.command).Allowed {
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

// nextStep is the action the procedure expects next from the viewer
// (pathway.NextStep), or nil when nothing waits on them or it has no action
// page of its own (the contact and the outcome have theirs).
func (s *Server) nextStep(v casework.CaseView) *action {
	if !v.HasNextStep {
		return nil
	}
	for _, slug := range s.actions.order {
		if a := s.actions.bySlug[slug]; a.command == v.NextStep.Name {
			return a
		}
	}
	return nil
}

type actionGroup struct {
	Name    string
	Actions []*action
}

type actionPage struct {
	Case    caseData
	Action  *action
	Refused string // why the viewer may not give this action now; the form is not shown
	Version int
	Form    map[string]string
	Checked map[string]map[string]bool
	Options map[string][]map[string]string
	Lists   map[string]listSelectField // kindListSelect fields (actions_places.go)
}

func (s *Server) actionPageData(view casework.CaseView, viewer casework.Viewer, a *action, f url.Values) actionPage {
	p := actionPage{Case: s.caseData(view, viewer), Action: a, Version: view.Case.Version, Form: map[string]string{},
		Checked: map[string]map[string]bool{}, Options: map[string][]map[string]string{}, Lists: map[string]listSelectField{}}
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
		if fd.Default != nil && len(f) == 0 {
			p.Form[fd.Name] = fd.Default(view)
		}
		if fd.Kind == kindYesNo {
			p.Options[fd.Name] = []map[string]string{{"Value": "yes", "Text": "Yes"}, {"Value": "no", "Text": "No"}}
		}
		if fd.Kind == kindListSelect {
			p.Lists[fd.Name] = s.listSelectField(fd, view, f)
		}
		if fd.Kind == kindCheckboxes {
			p.Checked[fd.Name] = map[string]bool{}
			for _, v := range f[fd.Name] {
				p.Checked[fd.Name][v] = true
			}
			if fd.ListDefault != nil && len(f) == 0 { // a new form starts with what is known (WCAG 3.3.7)
				for _, v := range fd.ListDefault(view) {
					p.Checked[fd.Name][v] = true
				}
			}
		}
	}
	return p
}

func (s *Server) handleActionForm(w http.ResponseWriter, r *http.Request, v casework.Viewer) {
	a, ok := s.actions.bySlug[r.PathValue("action")]
	if !ok {
		s.fail(w, r, http.StatusNotFound, "There is no such action.")
		return
	}
	view, err := s.svc.Case(r.Context(), v, r.PathValue("id"))
	if err != nil {
		s.failErr(w, r, err)
		return
	}
	// §6.5: to someone outside the team, an action they may not give
	// answers as an action that does not exist, so its form can name
	// nothing of the team's work and its answer tells them nothing either.
	av := view.Action(a.command)
	if !view.Membership.Team() && !av.Allowed {
		s.fail(w, r, http.StatusNotFound, "There is no such action.")
		return
	}
	p := s.actionPageData(view, v, a, restoredForm(r))
	if !av.Allowed {
		p.Refused = av.Reason // the pathway's reason, in place of a form it would refuse
	}
	s.render(w, r, http.StatusOK, "action", Page{Title: a.Title, Data: p})
}

func (s *Server) handleAction(w http.ResponseWriter, r *http.Request, v casework.Viewer) {
	a, ok := s.actions.bySlug[r.PathValue("action")]
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
	a, ok := s.actions.bySlug[r.PathValue("action")]
	if !ok {
		s.problem(w, r, http.StatusNotFound, fmt.Sprintf("There is no action %q. Actions: %s.", r.PathValue("action"), strings.Join(s.actions.sortedSlugs(), ", ")), nil)
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

func (set *actionSet) sortedSlugs() []string {
	out := append([]string(nil), set.order...)
	sort.Strings(out)
	return out
}

// KindName is the field's kind as the action template names it.
func (f field) KindName() string {
	return [...]string{"text", "textarea", "lines", "email", "number", "date", "datetime", "radios", "select", "checkboxes", "yesno", "listselect"}[f.Kind]
}
