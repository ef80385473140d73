package nrm

import (
	"slices"
	"strings"
	"time"

	"waymark/internal/catalog"
)

// Draft is a document prepared from a case: every page and field of the form
// in the form's order, each with the answer Waymark proposes, where in the
// case it came from, and the latest answer the team saved over it.
type Draft struct {
	Kind                Kind      `json:"kind"`
	FormVersion         string    `json:"formVersion"`
	CaseID              string    `json:"caseId"`
	CaseReference       string    `json:"caseReference"` // never the child's name: it names the files
	HomeOfficeReference string    `json:"homeOfficeReference,omitempty"`
	AssembledAt         time.Time `json:"assembledAt"` // also the documents' creation date, so they render the same every time
	Sections            []Section `json:"sections"`
}

// Section is one task of the task list.
type Section struct {
	ID    string `json:"id"`
	Title string `json:"title"`
	Pages []Page `json:"pages"`
}

// Page is one page (step) of the form.
type Page struct {
	Step   int     `json:"step"`
	Path   string  `json:"path,omitempty"`
	Title  string  `json:"title"`
	Note   string  `json:"note,omitempty"`
	Fields []Field `json:"fields"`
}

// Field is one answer of the document.
type Field struct {
	ID       string     `json:"id"`
	Label    string     `json:"label"`
	Hint     string     `json:"hint,omitempty"`
	Type     string     `json:"type"`
	Required bool       `json:"required"` // when shown
	Limit    int        `json:"limit,omitempty"`
	Options  []Option   `json:"options,omitempty"`
	ShowIf   *Condition `json:"showIf,omitempty"`
	List     string     `json:"list,omitempty"`
	Format   string     `json:"format,omitempty"`
	NoLinks  bool       `json:"noLinks,omitempty"`
	thin     int

	Proposed string `json:"proposed"`         // what the case gives
	Source   string `json:"source,omitempty"` // where in the case it came from, or what to find out
	Value    string `json:"value"`            // the answer: the latest saved edit, else the proposal
	Version  int    `json:"version"`          // 0 for the proposal; n after the nth saved edit
	Edited   bool   `json:"edited"`
	History  []Edit `json:"history,omitempty"` // every saved edit, oldest first
	Shown    bool   `json:"shown"`             // on this child's route, given the answers as they stand

	// HOList is a select's list: only its entries' values are answers.
	HOList catalog.HOList `json:"hoList,omitempty"`
	// SetAside: the field has an answer but is not on the route as the
	// answers now stand (the age answer changed, say). The answer is kept
	// and comes back if the route does, but it is not counted, checked or
	// sent, and the documents leave it out.
	SetAside bool `json:"setAside,omitempty"`
	// Suggestion is what the case says when the form would not take it as
	// the answer: for a list question, text that is not an entry of the
	// form's list (Nearest are then up to three entries' values close to
	// it); for other questions, an answer the form's rules refuse. It is
	// never the answer: Proposed and Value stay empty, and Source says why.
	Suggestion string   `json:"suggestion,omitempty"`
	Nearest    []string `json:"nearest,omitempty"`
}

// Edit is one saved version of a field's answer. Edits are never changed or
// removed: a new answer is a new version (§7.5).
type Edit struct {
	Field       string    `json:"field"`
	Version     int       `json:"version"`
	Value       string    `json:"value"`
	SavedAt     time.Time `json:"savedAt"`
	SavedBy     string    `json:"savedBy"`
	SavedByName string    `json:"savedByName"`
}

// Answered reports whether the field has an answer.
func (f Field) Answered() bool { return strings.TrimSpace(f.Value) != "" }

// Counts reports whether the field takes an answer at all: an information
// page (a child's consent) asks nothing.
func (f Field) Counts() bool { return f.Type != TypeInfo }

// OptionText is the words of an option's value, or the value itself.
func (f Field) OptionText(v string) string {
	for _, o := range f.Options {
		if o.Value == v {
			return o.Text
		}
	}
	return v
}

// Choices are the values of a checkbox group's answer, one a line.
func (f Field) Choices() []string { return splitLines(f.Value) }

// Display is the answer as a person reads it: options in words, dates as
// day, month and year.
func (f Field) Display() string {
	switch f.Type {
	case TypeRadio:
		if f.Value == "" {
			return ""
		}
		return f.OptionText(f.Value)
	case TypeCheckboxGroup:
		var out []string
		for _, v := range f.Choices() {
			out = append(out, "Ticked: "+f.OptionText(v))
		}
		return strings.Join(out, "\n")
	case TypeDate:
		if t, err := time.Parse("2006-01-02", f.Value); err == nil {
			return t.Format("2 January 2006") + " (day " + t.Format("2") + ", month " + t.Format("1") + ", year " + t.Format("2006") + ")"
		}
	}
	return f.Value
}

// Field returns the field with id, and whether the draft has it.
func (d *Draft) Field(id string) (*Field, bool) {
	for si := range d.Sections {
		for pi := range d.Sections[si].Pages {
			for fi := range d.Sections[si].Pages[pi].Fields {
				if f := &d.Sections[si].Pages[pi].Fields[fi]; f.ID == id {
					return f, true
				}
			}
		}
	}
	return nil, false
}

// Section returns the section with id.
func (d *Draft) Section(id string) (*Section, bool) {
	for i := range d.Sections {
		if d.Sections[i].ID == id {
			return &d.Sections[i], true
		}
	}
	return nil, false
}

// Fields lists every field in the form's order.
func (d *Draft) Fields() []*Field {
	var out []*Field
	for si := range d.Sections {
		for pi := range d.Sections[si].Pages {
			for fi := range d.Sections[si].Pages[pi].Fields {
				out = append(out, &d.Sections[si].Pages[pi].Fields[fi])
			}
		}
	}
	return out
}

// ApplyEdits lays saved edits over the proposals: each field's answer is its
// latest version, with the whole history kept beside it. The draft is
// copied, never changed in place.
func ApplyEdits(d Draft, edits []Edit) Draft {
	d = d.clone()
	byField := map[string][]Edit{}
	for _, e := range edits {
		byField[e.Field] = append(byField[e.Field], e)
	}
	for _, f := range d.Fields() {
		hist := byField[f.ID]
		if len(hist) == 0 {
			continue
		}
		slices.SortFunc(hist, func(a, b Edit) int { return a.Version - b.Version })
		last := hist[len(hist)-1]
		f.History, f.Value, f.Version, f.Edited = hist, last.Value, last.Version, true
	}
	d.settle()
	return d
}

func (d Draft) clone() Draft {
	d.Sections = slices.Clone(d.Sections)
	for si := range d.Sections {
		d.Sections[si].Pages = slices.Clone(d.Sections[si].Pages)
		for pi := range d.Sections[si].Pages {
			d.Sections[si].Pages[pi].Fields = slices.Clone(d.Sections[si].Pages[pi].Fields)
		}
	}
	return d
}

// settle works out which fields are shown on this child's route from the
// answers as they stand (conditions only look back, so one pass suffices),
// and which answers are set aside because their page is off the route.
func (d *Draft) settle() {
	values := map[string]string{}
	shown := map[string]bool{}
	for _, f := range d.Fields() {
		f.Shown = true
		if c := f.ShowIf; c != nil {
			parent := values[c.Field]
			f.Shown = shown[c.Field] && c.holds(parent)
		}
		f.SetAside = !f.Shown && f.Counts() && f.Answered()
		values[f.ID], shown[f.ID] = f.Value, f.Shown
	}
}

func (c Condition) holds(answer string) bool {
	if c.Filled {
		return strings.TrimSpace(answer) != ""
	}
	for _, v := range splitLines(answer) {
		if slices.Contains(c.In, v) {
			return true
		}
	}
	return false
}

// PageShown reports whether any field of the page is on the route.
func (p Page) PageShown() bool {
	for _, f := range p.Fields {
		if f.Shown {
			return true
		}
	}
	return false
}

// Coverage counts the fields on this child's route that take an answer, and
// how many of them Waymark filled from the case without anyone typing.
func Coverage(d Draft) (fromCase, onRoute int) {
	for _, f := range d.Fields() {
		if !f.Shown || !f.Counts() {
			continue
		}
		onRoute++
		if strings.TrimSpace(f.Proposed) != "" && !f.Edited {
			fromCase++
		}
	}
	return fromCase, onRoute
}

func splitLines(s string) []string {
	var out []string
	for _, l := range strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}
