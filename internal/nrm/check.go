package nrm

import (
	"fmt"
	"strings"
	"time"
)

// Kinds of problem Check finds.
const (
	ProblemMissing   = "missing"    // a required answer is empty
	ProblemEvidence  = "evidence"   // an indicator without what was seen (§8.8(2))
	ProblemThin      = "thin"       // too short to support a decision (§8.7)
	ProblemOverLimit = "over-limit" // longer than the form takes
	ProblemLink      = "link"       // the form refuses anything shaped like a web or email address
	ProblemInvalid   = "invalid"    // not one of the choices, not a date, not digits, not an email
	ProblemNotListed = "not-listed" // an answer to a list question that is not exactly an entry of the form's list
	ProblemRoute     = "route"      // an answer takes the form down a route this draft does not follow
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
//
// An answer set aside (Field.SetAside: kept, but on a page the route no
// longer takes) is neither checked nor reported. The draft's AssembledAt is
// the day a date of birth must come before.
func Check(d Draft) []Problem {
	form := FormFor(d.Kind)
	var out []Problem
	for _, s := range d.Sections {
		for _, p := range s.Pages {
			for _, f := range p.Fields {
				if f.Shown && f.Counts() {
					out = append(out, checkField(form, s.ID, f, d.AssembledAt)...)
				}
			}
		}
	}
	return out
}

// ProposalRefusals lists what the form would refuse among the answers
// Waymark proposes, on the route or not: a list answer that is not an entry
// of its list, a choice that is not one of the form's, a date, email or
// number the form's rules refuse, a web address where the box refuses one,
// or text over the form's limit. The assembler offers none of these except
// the last (a long answer is the team's to shorten), so on the sample cases
// the list is empty.
func ProposalRefusals(d Draft) []Problem {
	form := FormFor(d.Kind)
	var out []Problem
	for _, s := range d.Sections {
		for _, p := range s.Pages {
			for _, f := range p.Fields {
				if !f.Counts() || f.Proposed == "" {
					continue
				}
				f.Value = f.Proposed
				for _, pr := range checkField(form, s.ID, f, d.AssembledAt) {
					switch pr.Kind {
					case ProblemInvalid, ProblemNotListed, ProblemLink, ProblemOverLimit:
						out = append(out, pr)
					}
				}
			}
		}
	}
	return out
}

// fieldUnderAge is the form's age question: its answer decides the route.
const fieldUnderAge = "pv-under-age"

func checkField(form *Form, section string, f Field, today time.Time) []Problem {
	var out []Problem
	add := func(kind string, blocking bool, format string, args ...any) {
		out = append(out, Problem{Section: section, Field: f.ID, Label: f.Label, Kind: kind, Message: fmt.Sprintf(format, args...), Blocking: blocking})
	}
	v := jsTrim(f.Value)
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
	if msg := invalid(f, v, today); msg != "" {
		add(ProblemInvalid, true, "%s", msg)
	}
	if msg := notListed(f, v); msg != "" {
		add(ProblemNotListed, true, "%s", msg)
	}
	if f.ID == fieldUnderAge && v == "no" && form.Kind == Referral {
		add(ProblemRoute, true, "The answer 'No' takes the form down the adult route: it asks whether they were under 18 when exploited, for their consent and where to send the decision, and not which local authority was contacted. This draft follows the child route: the page about the local authority is off the route, and any answers on it are set aside. Take advice before referring as an adult (§7.4).")
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
	// The names of the documents to upload are not an answer the form
	// takes as text: the form takes the files (§5 of the issue; NRM-FORM.md
	// §5.11), so no text rule applies to them.
	if f.Type == TypeText || f.Type == TypeTextarea {
		sent := FormValue(f.Type, f.Value)
		n := utf16Length(sent)
		switch {
		case f.Limit > 0 && n > f.Limit:
			add(ProblemOverLimit, true, "%s is %s characters and the form takes %s (each line break counts as %d, and so does each emoji). Shorten it by %s.",
				f.Label, thousands(n), thousands(f.Limit), form.LineBreakCounts, thousands(n-f.Limit))
		case f.Limit == form.Limit && n > form.AimFor:
			add(ProblemNearLimit, false, "%s is %s characters, close to the form's limit of %s: aim for %s or fewer to leave room.",
				f.Label, thousands(n), thousands(f.Limit), thousands(form.AimFor))
		}
		if f.NoLinks && LooksLikeURL(sent) {
			add(ProblemLink, true, "The form refuses %s when it holds anything shaped like a web or email address, here %s: a full stop with letters, digits or symbols before it and two to six small letters after it, as in 'www.example.com', 'name@force.police.uk' or 'said.then'. Remove them, or put a space after the full stop.", lowerFirst(f.Label), quoteList(urlsIn(sent)))
		}
		if found := form.rewrittenBy(sent); len(found) > 0 {
			add(ProblemRewritten, false, "The form will change %s in %s: use plain sentences and '-' bullets instead.", quoteList(found), lowerFirst(f.Label))
		}
		if f.Type == TypeText && strings.Contains(v, "\n") {
			add(ProblemOneLine, false, "%s is a one-line box: the form turns line breaks into spaces.", f.Label)
		}
	}
	return out
}

func invalid(f Field, v string, today time.Time) string {
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
		if f.Format == FormatDateOfBirth {
			return DateOfBirthProblem(f.Label, v, today)
		}
		if _, err := time.Parse("2006-01-02", v); err != nil {
			return fmt.Sprintf("%s must be a real date.", f.Label)
		}
	}
	switch f.Format {
	case FormatNumeric:
		if !ValidNumeric(FormValue(TypeText, v)) {
			return fmt.Sprintf("%s must be a number, in digits only.", f.Label)
		}
	case FormatEmail:
		if !ValidEmail(FormValue(TypeText, v)) {
			return fmt.Sprintf("%s must be an email address, like team@example.gov.uk.", f.Label)
		}
	}
	return ""
}

// notListed says why the form refuses an answer to a list question: only
// the exact value of an entry of its list is taken.
func notListed(f Field, v string) string {
	if f.Type != TypeSelect || f.HOList == "" || formLists().Has(f.HOList, v) {
		return ""
	}
	msg := fmt.Sprintf("%s: %q is not an entry of the form's list of %s, and the form takes only its own entries.", f.Label, v, listWords(f.HOList))
	if near := nearestValues(formLists(), f.HOList, v); len(near) > 0 {
		msg += " Nearest: " + quoteList(near) + "."
	} else {
		msg += " Choose the entry from the list."
	}
	return msg
}

func hasOption(f Field, v string) bool {
	for _, o := range f.Options {
		if o.Value == v {
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
