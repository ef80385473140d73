package nrm

import (
	"fmt"
	"net/mail"
	"regexp"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Kinds of problem Check finds.
const (
	ProblemMissing   = "missing"    // a required answer is empty
	ProblemEvidence  = "evidence"   // an indicator without what was seen (§8.8(2))
	ProblemThin      = "thin"       // too short to support a decision (§8.7)
	ProblemOverLimit = "over-limit" // longer than the form takes
	ProblemLink      = "link"       // the form refuses anything shaped like a web or email address
	ProblemInvalid   = "invalid"    // not one of the choices, not a date, not digits, not an email
	ProblemNearLimit = "near-limit" // within the margin below the limit
	ProblemRewritten = "rewritten"  // characters the form's sanitiser changes
	ProblemOneLine   = "one-line"   // line breaks in a one-line field become spaces
)

// Problem is one thing that stops a section being ready to transfer
// (Blocking), or that the person transferring it should know.
type Problem struct {
	Section  string `json:"section"`
	Field    string `json:"field"`
	Label    string `json:"label"`
	Kind     string `json:"kind"`
	Message  string `json:"message"`
	Blocking bool   `json:"blocking"`
}

// Check lists every problem of the draft in the form's order: each field on
// the child's route is either answered or reported here.
func Check(d Draft) []Problem {
	form := FormFor(d.Kind)
	var out []Problem
	for _, s := range d.Sections {
		for _, p := range s.Pages {
			for _, f := range p.Fields {
				if f.Shown && f.Counts() {
					out = append(out, checkField(form, s.ID, f)...)
				}
			}
		}
	}
	return out
}

func checkField(form *Form, section string, f Field) []Problem {
	var out []Problem
	add := func(kind string, blocking bool, format string, args ...any) {
		out = append(out, Problem{Section: section, Field: f.ID, Label: f.Label, Kind: kind, Message: fmt.Sprintf(format, args...), Blocking: blocking})
	}
	v := strings.TrimSpace(f.Value)
	if v == "" {
		if f.Required {
			msg := "Not answered: " + f.Label
			if !strings.HasSuffix(msg, "?") {
				msg += "."
			}
			if f.Source != "" {
				msg += " " + f.Source
			}
			add(ProblemMissing, true, "%s", msg)
		}
		return out
	}
	if msg := invalid(f, v); msg != "" {
		add(ProblemInvalid, true, "%s", msg)
	}
	for _, line := range strings.Split(v, "\n") {
		if i := strings.Index(line, evidenceNeeded); i >= 0 {
			indicator := strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(line[:i]), "- ")), ":"))
			add(ProblemEvidence, true, "No evidence is given for the indicator '%s': say what was seen or heard, when, where and by whom (§8.8(2)).", indicator)
		}
	}
	if f.thin > 0 {
		if n := len(strings.Fields(v)); n < f.thin {
			add(ProblemThin, true, "%s is too thin to support a decision: %d words. The Home Office decides on what the form says, so give at least %d (§8.7).", f.Label, n, f.thin)
		}
	}
	if f.Type == TypeText || f.Type == TypeTextarea || f.Type == TypeFile {
		n := FormLength(f.Type, v)
		switch {
		case f.Limit > 0 && n > f.Limit:
			add(ProblemOverLimit, true, "%s is %s characters and the form takes %s (each line break counts as %d). Shorten it by %s.",
				f.Label, thousands(n), thousands(f.Limit), form.LineBreakCounts, thousands(n-f.Limit))
		case f.Limit == form.Limit && n > form.AimFor:
			add(ProblemNearLimit, false, "%s is %s characters, close to the form's limit of %s: aim for %s or fewer to leave room.",
				f.Label, thousands(n), thousands(f.Limit), thousands(form.AimFor))
		}
		if f.NoLinks && looksLikeLink(v) {
			add(ProblemLink, true, "The form refuses %s when it holds anything shaped like a web or email address, including words joined by a full stop with no space (such as 'said.then'). Remove or rewrite them.", lowerFirst(f.Label))
		}
		if found := rewritten(form, v); len(found) > 0 {
			add(ProblemRewritten, false, "The form will change %s in %s: use plain sentences and '-' bullets instead.", quoteList(found), lowerFirst(f.Label))
		}
		if f.Type == TypeText && strings.Contains(v, "\n") {
			add(ProblemOneLine, false, "%s is a one-line box: the form turns line breaks into spaces.", f.Label)
		}
	}
	return out
}

func invalid(f Field, v string) string {
	switch f.Type {
	case TypeRadio:
		if !hasOption(f, v) {
			return fmt.Sprintf("%s: %q is not one of the form's choices.", f.Label, v)
		}
	case TypeCheckboxGroup:
		for _, c := range splitLines(v) {
			if !hasOption(f, c) {
				return fmt.Sprintf("%s: %q is not one of the form's boxes.", f.Label, c)
			}
		}
	case TypeDate:
		t, err := time.Parse("2006-01-02", v)
		switch {
		case err != nil:
			return fmt.Sprintf("%s must be a real date.", f.Label)
		case t.Year() < 1900:
			return fmt.Sprintf("%s must be after 1 January 1900.", f.Label)
		}
	}
	switch f.Format {
	case "digits":
		if strings.TrimFunc(v, unicode.IsDigit) != "" {
			return fmt.Sprintf("%s must be a number, in digits only.", f.Label)
		}
	case "email":
		if a, err := mail.ParseAddress(v); err != nil || a.Address != v || !strings.Contains(v[strings.LastIndex(v, "@"):], ".") {
			return fmt.Sprintf("%s must be an email address, like team@example.gov.uk.", f.Label)
		}
	}
	return ""
}

func hasOption(f Field, v string) bool {
	for _, o := range f.Options {
		if o.Value == v {
			return true
		}
	}
	return false
}

func isDash(r rune) bool {
	switch r {
	case '-', '\u2012', '\u2013', '\u2014', '\u2015', '\u2212':
		return true
	}
	return false
}

// normaliseDashes does what the form does to every answer: en and em dashes
// become '-', and a run of dashes becomes one (NRM-FORM.md §2).
func normaliseDashes(s string) string {
	prev, clean := false, true
	for _, r := range s {
		d := isDash(r)
		if (d && r != '-') || (d && prev) {
			clean = false
			break
		}
		prev = d
	}
	if clean {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	prev = false
	for _, r := range s {
		d := isDash(r)
		switch {
		case d && prev:
		case d:
			b.WriteByte('-')
		default:
			b.WriteRune(r)
		}
		prev = d
	}
	return b.String()
}

// FormLength is the length the form's server checks an answer against:
// after trimming and normalising dashes, with each line break sent by the
// browser as CR+LF, so counting 2 (NRM-FORM.md §2). A one-line box first
// collapses line breaks and runs of spaces into one space.
func FormLength(fieldType, v string) int {
	v = strings.ReplaceAll(v, "\r\n", "\n")
	if fieldType == TypeText {
		v = strings.Join(strings.Fields(v), " ")
	}
	v = strings.TrimSpace(normaliseDashes(v))
	return utf8.RuneCountInString(v) + strings.Count(v, "\n")
}

// looksLikeLink: something the form takes for a web or email address.
var linkShaped = regexp.MustCompile(`(?i)[a-z0-9]@[a-z0-9]|[a-z0-9]\.[a-z]|https?:|www\.`)

func looksLikeLink(v string) bool { return linkShaped.MatchString(v) }

func rewritten(form *Form, v string) []string {
	lower := strings.ToLower(v)
	var found []string
	for _, seq := range form.Rewritten {
		if strings.Contains(lower, strings.ToLower(seq)) && !containsFold(found, seq) {
			found = append(found, seq)
		}
	}
	return found
}

func containsFold(list []string, s string) bool {
	for _, x := range list {
		if strings.EqualFold(x, s) {
			return true
		}
	}
	return false
}

func quoteList(items []string) string {
	q := make([]string, len(items))
	for i, s := range items {
		q[i] = "'" + s + "'"
	}
	return strings.Join(q, ", ")
}

func thousands(n int) string {
	s := fmt.Sprint(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// Task statuses on the task list.
const (
	StatusComplete   = "complete"
	StatusIncomplete = "incomplete"
	StatusOverLimit  = "over-limit"
)

// Task is one section as the task list shows it.
type Task struct {
	Section  string    `json:"section"`
	Title    string    `json:"title"`
	Status   string    `json:"status"`
	Problems []Problem `json:"problems"`
}

// Tasks gives each section its status: over the limit when any answer is
// too long, incomplete when anything else blocks it, complete otherwise.
func Tasks(d Draft, problems []Problem) []Task {
	var out []Task
	for _, s := range d.Sections {
		t := Task{Section: s.ID, Title: s.Title, Status: StatusComplete, Problems: []Problem{}}
		for _, p := range problems {
			if p.Section != s.ID {
				continue
			}
			t.Problems = append(t.Problems, p)
			switch {
			case p.Kind == ProblemOverLimit:
				t.Status = StatusOverLimit
			case p.Blocking && t.Status == StatusComplete:
				t.Status = StatusIncomplete
			}
		}
		out = append(out, t)
	}
	return out
}

// Ready reports whether nothing blocks the draft.
func Ready(problems []Problem) bool {
	for _, p := range problems {
		if p.Blocking {
			return false
		}
	}
	return true
}
