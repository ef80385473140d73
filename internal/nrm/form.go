// Package nrm prepares the documents that carry a child's case into the
// National Referral Mechanism: the referral, page by page and field by field
// in the order of the Home Office online form (procedure §8.7, §8.8), and the
// request to reconsider a negative decision (§8.9).
//
// Everything here is pure: Assemble proposes an answer for every field from
// what the case already holds, ApplyEdits lays the team's saved answers over
// the proposals, Check says what is still missing, and Text and PDF render
// the result. The form itself is versioned data (form/*.json).
package nrm

import (
	"embed"
	"encoding/json"
	"fmt"
	"slices"

	"waymark/internal/catalog"
)

//go:embed form/*.json
var forms embed.FS

// Kind is which document a draft is.
type Kind string

// The two documents.
const (
	Referral        Kind = "referral"        // the NRM referral (§8.7, §8.8)
	Reconsideration Kind = "reconsideration" // a request to reconsider a negative decision (§8.9)
)

// Valid reports whether k names a document.
func (k Kind) Valid() bool { return k == Referral || k == Reconsideration }

// Title names the document in words.
func (k Kind) Title() string {
	if k == Reconsideration {
		return "NRM reconsideration request"
	}
	return "NRM referral"
}

// Field types, as the online form has them (NRM-FORM.md §1).
const (
	TypeText          = "text"           // one line: line breaks and runs of spaces collapse to one space
	TypeTextarea      = "textarea"       // several lines, kept
	TypeRadio         = "radio"          // one choice
	TypeCheckboxGroup = "checkbox-group" // several choices, one a line in Value
	TypeSelect        = "select"         // a type-ahead list the value must match exactly
	TypeDate          = "date"           // YYYY-MM-DD, entered as day, month and year
	TypeFile          = "file"           // the documents to upload, one a line
	TypeInfo          = "info"           // a page with no question (a child's consent, §8.3)
)

// The form's own rules for some fields, beyond their type (formrules.go).
const (
	FormatEmail       = "email"         // the form's email rule
	FormatNumeric     = "numeric"       // the form's numeric rule: ASCII digits only
	FormatDateOfBirth = "date-of-birth" // a real date, before today and after 1 January 1900
)

// Whether a field must be answered before the form lets you continue.
const (
	RequiredYes = "yes" // whenever the field is shown
	RequiredNo  = "no"
)

// Option is one answer to a radio or checkbox question.
type Option struct {
	Value string `json:"value"`
	Text  string `json:"text"`
}

// Condition says when a field is shown: when the answer to Field is one of
// In (for a checkbox group, when any ticked box is), or when Filled, when
// Field has any answer.
type Condition struct {
	Field  string   `json:"field"`
	In     []string `json:"in,omitempty"`
	Filled bool     `json:"filled,omitempty"`
}

// FormField is one field of the form as the catalogue describes it.
type FormField struct {
	ID        string     `json:"id"` // the form's own field key
	Type      string     `json:"type"`
	Required  string     `json:"required"`
	Limit     *int       `json:"limit,omitempty"` // characters; nil: the form's limit; 0: none
	Label     string     `json:"label"`
	Hint      string     `json:"hint,omitempty"`
	Options   []Option   `json:"options,omitempty"`
	ShowIf    *Condition `json:"showIf,omitempty"`
	List      string     `json:"list,omitempty"`      // the list a select must match
	Format    string     `json:"format,omitempty"`    // FormatEmail, FormatNumeric or FormatDateOfBirth
	NoLinks   bool       `json:"noLinks,omitempty"`   // the form refuses anything shaped like a web or email address
	ThinBelow int        `json:"thinBelow,omitempty"` // fewer words than this is too thin to support a decision

	// HOList is a select's list (catalog.HOLists): the form takes only the
	// value of one of its entries.
	HOList catalog.HOList `json:"holist,omitempty"`
}

// FormPage is one page (step) of the form.
type FormPage struct {
	Step   int         `json:"step"`
	Path   string      `json:"path,omitempty"`
	Title  string      `json:"title"`
	Note   string      `json:"note,omitempty"`
	Fields []FormField `json:"fields"`
}

// FormSection groups pages into one task of the task list.
type FormSection struct {
	ID    string     `json:"id"`
	Title string     `json:"title"`
	Pages []FormPage `json:"pages"`
}

// SkippedPage is a page of the online form that a child never sees.
type SkippedPage struct {
	Step int    `json:"step"`
	Path string `json:"path"`
	Why  string `json:"why"`
}

// Form is one version of a document's fields, limits and character rules.
type Form struct {
	Kind            Kind          `json:"form"`
	Version         string        `json:"version"`
	Title           string        `json:"title"`
	Source          string        `json:"source"`
	Limit           int           `json:"limit"`           // characters in any text answer
	AimFor          int           `json:"aimFor"`          // a margin below the limit
	LineBreakCounts int           `json:"lineBreakCounts"` // browsers send a line break as CR+LF
	Rewritten       []string      `json:"rewritten"`       // sequences the form's sanitiser rewrites
	NotForChildren  []SkippedPage `json:"notForChildren,omitempty"`
	Sections        []FormSection `json:"sections"`
}

// LimitOf is the character limit of a field; 0 means none.
func (f *Form) LimitOf(ff FormField) int {
	if ff.Limit != nil {
		return *ff.Limit
	}
	switch ff.Type {
	case TypeText, TypeTextarea:
		return f.Limit
	}
	return 0 // a file's name is not text the form takes
}

// Field finds a field of the form by its id.
func (f *Form) Field(id string) (FormField, bool) {
	for _, s := range f.Sections {
		for _, p := range s.Pages {
			for _, ff := range p.Fields {
				if ff.ID == id {
					return ff, true
				}
			}
		}
	}
	return FormField{}, false
}

// loaded is each document's form, parsed once from the build.
var loaded = loadForms(Referral, Reconsideration)

func loadForms(kinds ...Kind) map[Kind]*Form {
	out := map[Kind]*Form{}
	for _, k := range kinds {
		f, err := parseForm(k)
		if err != nil {
			panic(err) // the forms are part of the build: a bad one is a programming mistake
		}
		out[k] = f
	}
	return out
}

// FormFor returns the current version of the document's form.
func FormFor(k Kind) *Form { return loaded[k] }

func parseForm(k Kind) (*Form, error) {
	data, err := forms.ReadFile("form/" + string(k) + ".json")
	if err != nil {
		return nil, fmt.Errorf("nrm: reading the %s form: %w", k, err)
	}
	var f Form
	if err := json.Unmarshal(data, &f); err != nil {
		return nil, fmt.Errorf("nrm: parsing the %s form: %w", k, err)
	}
	if f.Kind != k || f.Version == "" || f.Limit <= 0 || f.AimFor <= 0 || f.AimFor > f.Limit || f.LineBreakCounts < 1 {
		return nil, fmt.Errorf("nrm: the %s form's heading is incomplete", k)
	}
	for i, key := range f.Rewritten {
		if _, ok := sanitiser[key]; !ok || slices.Contains(f.Rewritten[:i], key) {
			return nil, fmt.Errorf("nrm: %s form: %q is not a rule of the form's sanitiser, or is named twice", k, key)
		}
	}
	seen := map[string]bool{}
	types := []string{TypeText, TypeTextarea, TypeRadio, TypeCheckboxGroup, TypeSelect, TypeDate, TypeFile, TypeInfo}
	for _, s := range f.Sections {
		if s.ID == "" || s.ID == "copy" || s.Title == "" || len(s.Pages) == 0 {
			return nil, fmt.Errorf("nrm: %s form: section %q needs an id (not 'copy'), a title and pages", k, s.ID)
		}
		for _, p := range s.Pages {
			for _, ff := range p.Fields {
				switch {
				case ff.ID == "" || seen[ff.ID]:
					return nil, fmt.Errorf("nrm: %s form: field id %q is empty or used twice", k, ff.ID)
				case !slices.Contains(types, ff.Type):
					return nil, fmt.Errorf("nrm: %s form: field %s has unknown type %q", k, ff.ID, ff.Type)
				case ff.Required != RequiredYes && ff.Required != RequiredNo:
					return nil, fmt.Errorf("nrm: %s form: field %s: required must be yes or no", k, ff.ID)
				case (ff.Type == TypeRadio || ff.Type == TypeCheckboxGroup) && len(ff.Options) == 0:
					return nil, fmt.Errorf("nrm: %s form: field %s has no options", k, ff.ID)
				case ff.ShowIf != nil && !seen[ff.ShowIf.Field]:
					return nil, fmt.Errorf("nrm: %s form: field %s depends on %q, which must come before it", k, ff.ID, ff.ShowIf.Field)
				case ff.Type == TypeSelect && !slices.Contains(catalog.HOListNames, ff.HOList):
					return nil, fmt.Errorf("nrm: %s form: select %s names no Home Office list (holist %q)", k, ff.ID, ff.HOList)
				case ff.Type != TypeSelect && ff.HOList != "":
					return nil, fmt.Errorf("nrm: %s form: field %s is not a select but names a list", k, ff.ID)
				case ff.Format != "" && !slices.Contains([]string{FormatEmail, FormatNumeric, FormatDateOfBirth}, ff.Format):
					return nil, fmt.Errorf("nrm: %s form: field %s has unknown format %q", k, ff.ID, ff.Format)
				case ff.Format == FormatDateOfBirth && ff.Type != TypeDate:
					return nil, fmt.Errorf("nrm: %s form: field %s: only a date can be a date of birth", k, ff.ID)
				}
				seen[ff.ID] = true
			}
		}
	}
	return &f, nil
}
