package nrm

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf16"

	"waymark/internal/catalog"
)

// The honest count of a draft (§8.7, §8.8): how many of the Home Office
// form's inputs on the child's route Waymark answers, without typing, with
// an answer the form accepts (valid) and that is right (correct), judged
// against expected answers written from the child's story, not from what
// the assembler says.
//
// The inputs are the form's own: form/child-route-fields.tsv is a copy of
// the 111 inputs a First Responder can meet on the child route, read from
// the form's public code (see form/README.md). Each input counts once, on
// the route the case takes:
//   - every input on every route counts, including the ten UK towns and ten
//     countries, and a follow-up input counts whatever its parent's answer,
//     even when the parent is blank (some answer leads to it);
//   - the only fork is the where-exploitation-happened answer: the towns
//     page counts for "uk" and "uk-and-overseas", the countries page for
//     "overseas" and "uk-and-overseas", and which it is follows the case's
//     expected answer, never the proposal.

//go:embed form/child-route-fields.tsv
var childRouteTSV string

// HOInput is one input of the Home Office form on the child route.
type HOInput struct {
	Key       string         // the form's input key
	Type      string         // the form's input type: input-text, textarea, radio-group, select, checkbox, input-date, input-file
	Required  bool           // when its page is shown
	MaxLength int            // characters as JavaScript counts them; 0: none
	Email     bool           // an email address
	NotURL    bool           // nothing shaped like a web or email address
	Numeric   bool           // digits only
	Date      bool           // YYYY-MM-DD, before today, after DateAfter
	DateAfter string         // YYYY-MM-DD
	Parent    string         // a follow-up: the input whose answer leads here
	ParentIs  string         // ... and the answer that does
	Options   []string       // a radio group's values
	List      catalog.HOList // a select's list
	Branch    string         // BranchUK or BranchOverseas for the two where-exploitation pages; "" on every route
}

// The two branches of where exploitation happened (the form's step 26).
const (
	BranchUK       = "uk"
	BranchOverseas = "overseas"
	BranchBoth     = "uk-and-overseas"
)

// WhereKey is the input whose answer picks the branch.
const WhereKey = "where-exploitation-happened"

// FollowUp reports whether the input is shown only after a parent's answer.
func (in HOInput) FollowUp() bool { return in.Parent != "" }

var childRoute = parseChildRoute(childRouteTSV)

// ChildRoute is every input of the child route, in the form's order.
func ChildRoute() []HOInput { return slices.Clone(childRoute) }

// RouteFor is the inputs that count on the route where exploitation
// happened takes: where is uk, overseas or uk-and-overseas. Any other
// value counts both branches.
func RouteFor(where string) []HOInput {
	var out []HOInput
	for _, in := range childRoute {
		switch {
		case in.Branch == BranchUK && where == BranchOverseas, in.Branch == BranchOverseas && where == BranchUK:
			continue
		}
		out = append(out, in)
	}
	return out
}

// listsBySize names a select's list by its number of entries, as the TSV
// gives it (the lists at the commit it was read from).
var listsBySize = map[string]catalog.HOList{
	"526": catalog.HOOrganisations, "451": catalog.HOLocalAuthorities, "1622": catalog.HOTowns, "98": catalog.HORegions,
	"196": catalog.HOCountries, "222": catalog.HONationalities, "47": catalog.HOPoliceForces,
}

func parseChildRoute(tsv string) []HOInput {
	var out []HOInput
	for n, line := range strings.Split(strings.TrimRight(tsv, "\n"), "\n") {
		cols := strings.Split(line, "\t")
		if len(cols) != 5 {
			panic(fmt.Sprintf("nrm: child-route-fields.tsv line %d has %d columns", n+1, len(cols)))
		}
		in := HOInput{Key: cols[0], Type: cols[1]}
		for _, v := range strings.Split(cols[2], ",") {
			switch {
			case v == "":
			case v == "required":
				in.Required = true
			case v == "email":
				in.Email = true
			case v == "notUrl":
				in.NotURL = true
			case v == "numeric":
				in.Numeric = true
			case v == "date", v == "before":
				in.Date = true
			case strings.HasPrefix(v, "after(") && strings.HasSuffix(v, ")"):
				in.DateAfter = v[len("after(") : len(v)-1]
			case strings.HasPrefix(v, "maxlength(") && strings.HasSuffix(v, ")"):
				n, err := strconv.Atoi(v[len("maxlength(") : len(v)-1])
				if err != nil {
					panic("nrm: child-route-fields.tsv: " + v)
				}
				in.MaxLength = n
			default:
				panic("nrm: child-route-fields.tsv: unknown validator " + v)
			}
		}
		if c := cols[3]; c != "" {
			kind, cond, _ := strings.Cut(c, " ")
			parent, is, ok := strings.Cut(cond, "=")
			if (kind != "dep" && kind != "link") || !ok {
				panic("nrm: child-route-fields.tsv: condition " + c)
			}
			in.Parent, in.ParentIs = parent, is
		}
		switch opts := cols[4]; {
		case strings.HasSuffix(opts, " entries"):
			in.List = listsBySize[strings.TrimSuffix(opts, " entries")]
			if in.List == "" {
				panic("nrm: child-route-fields.tsv: no list of " + opts)
			}
		case opts != "":
			in.Options = strings.Split(opts, "|")
		}
		switch {
		case strings.HasPrefix(in.Key, WhereKey+"-uk-city-"), in.Key == WhereKey+"-other-uk-other-location":
			in.Branch = BranchUK
		case strings.HasPrefix(in.Key, WhereKey+"-overseas-country-"), in.Key == WhereKey+"-other-overseas-other-location":
			in.Branch = BranchOverseas
		}
		out = append(out, in)
	}
	return out
}

// Waymark's draft keeps the form's own input keys as its field ids, with
// two differences: the ten exploitation tick boxes are one checkbox group
// whose option values are the boxes' names after this prefix, and the
// consent page (an information page for a child) has a field id and no
// input.
const exploitationBoxPrefix = "types-of-exploitation-"

// ExploitationGroup is Waymark's field id for the ten exploitation boxes.
const ExploitationGroup = "types-of-exploitation"

// HOAnswer is the answer the draft proposes for the form's input key, as
// the form would hold it (a ticked box is "true"), and whether the draft has
// a field for it at all.
func HOAnswer(d Draft, key string) (string, bool) {
	if f, ok := d.Field(key); ok {
		if f.Type == TypeCheckboxGroup { // never a form input; kept for symmetry
			return "", false
		}
		return strings.TrimSpace(f.Proposed), true
	}
	if box, ok := strings.CutPrefix(key, exploitationBoxPrefix); ok {
		if g, ok := d.Field(ExploitationGroup); ok {
			if slices.Contains(splitLines(g.Proposed), box) {
				return "true", true
			}
			return "", true
		}
	}
	return "", false
}

// UnmappedInputs are the inputs of the child route the draft has no field
// for, and the draft's fields that are no input of the form (besides the
// exploitation group, which maps to the ten boxes).
func UnmappedInputs(d Draft) (inputsWithoutField, fieldsWithoutInput []string) {
	keys := map[string]bool{}
	for _, in := range childRoute {
		keys[in.Key] = true
		if _, ok := HOAnswer(d, in.Key); !ok {
			inputsWithoutField = append(inputsWithoutField, in.Key)
		}
	}
	for _, f := range d.Fields() {
		if !keys[f.ID] && f.ID != ExploitationGroup {
			fieldsWithoutInput = append(fieldsWithoutInput, f.ID)
		}
	}
	return inputsWithoutField, fieldsWithoutInput
}

// JSLength is an answer's length as the form's server counts it: in UTF-16
// code units (JavaScript's string length, so an emoji counts 2), with each
// line break sent by the browser as CR+LF.
func JSLength(v string) int {
	v = strings.ReplaceAll(v, "\r\n", "\n")
	return len(utf16.Encode([]rune(v))) + strings.Count(v, "\n")
}

// The form's format rules, as its framework (hof) checks them.
var (
	// webShaped is what the framework takes for a web address, anywhere in
	// the text: two or more characters of an address, a full stop and two to
	// six lower-case letters ending a word. "said.then" is one.
	webShaped = regexp.MustCompile(`[-a-zA-Z0-9@:%._+~#=]{2,256}\.[a-z]{2,6}\b`)
	// emailShaped is the framework's email address: a local part of allowed
	// characters with single full stops between them, a domain of letters,
	// digits, hyphens and full stops, and a top-level part starting with a
	// letter, at least two characters long.
	emailShaped  = regexp.MustCompile("^[-!#$%&'*+/0-9=?A-Z^_a-z`{|}~](\\.?[-!#$%&'*+/0-9=?A-Z^_a-z`{|}~])*@[a-zA-Z0-9](-*\\.?[a-zA-Z0-9])*\\.[a-zA-Z](-?[a-zA-Z0-9])+$")
	numericShape = regexp.MustCompile(`^\d*$`)
	dateShaped   = regexp.MustCompile(`\d{4}-\d{2}-\d{2}`)
)

// hofEmail reports whether the form takes v for an email address: one @,
// at most 64 characters before it and 255 after, no part of the domain
// over 63, and the shape above.
func hofEmail(v string) bool {
	account, domain, ok := strings.Cut(v, "@")
	if !ok || strings.Contains(domain, "@") || len(account) > 64 || len(domain) > 255 {
		return false
	}
	for _, part := range strings.Split(domain, ".") {
		if len(part) > 63 {
			return false
		}
	}
	return emailShaped.MatchString(v)
}

// ValidAnswer says why the form would refuse v for the input (nil when it
// accepts it), on the day today. A blank answer is valid here: whether it
// is allowed is a question of the route, and the count never takes a blank
// for a prefilled answer.
func ValidAnswer(in HOInput, v string, lists *catalog.HOLists, today time.Time) error {
	v = strings.TrimSpace(v)
	if v == "" {
		return nil
	}
	switch in.Type {
	case "radio-group":
		if !slices.Contains(in.Options, v) {
			return fmt.Errorf("%q is not one of the form's options %s", v, strings.Join(in.Options, ", "))
		}
	case "select":
		if lists == nil || !lists.Has(in.List, v) {
			return fmt.Errorf("%q is not an entry of the form's %s list", v, in.List)
		}
	case "checkbox":
		if v != "true" {
			return fmt.Errorf("a tick box holds true or nothing, not %q", v)
		}
	case "input-date":
		// The framework compares the date's midnight with the moment of
		// submission: today is before now, tomorrow is not.
		t, err := time.Parse("2006-01-02", v)
		switch {
		case err != nil || !dateShaped.MatchString(v):
			return fmt.Errorf("%q is not a date", v)
		case t.After(time.Date(today.Year(), today.Month(), today.Day(), 0, 0, 0, 0, time.UTC)):
			return fmt.Errorf("%s is in the future", v)
		case in.DateAfter != "" && v <= in.DateAfter:
			return fmt.Errorf("%s is not after %s", v, in.DateAfter)
		}
	}
	if in.MaxLength > 0 && JSLength(v) > in.MaxLength {
		return fmt.Errorf("%d characters as the form counts them, over its %d", JSLength(v), in.MaxLength)
	}
	if in.Email && !hofEmail(v) {
		return fmt.Errorf("%q is not an email address the form accepts", v)
	}
	if in.NotURL && webShaped.MatchString(v) {
		return fmt.Errorf("the form refuses anything shaped like a web or email address")
	}
	if in.Numeric && !numericShape.MatchString(v) {
		return fmt.Errorf("%q is not a number", v)
	}
	return nil
}

// Expected is a case's expected Home Office answers, written from the
// child's story by someone reading it, never from what the assembler
// proposes (testdata/golden/*.json).
type Expected struct {
	Case    string                    `json:"case"`
	Story   string                    `json:"story,omitempty"` // where the story is told
	Answers map[string]ExpectedAnswer `json:"answers"`         // by the form's input key; a key left out expects a blank
}

// ExpectedAnswer is one expected answer. An exact answer (a JSON string) is
// what the form should hold: an option or list value, a date, "true" for a
// ticked box, a name or number; one-line text compares without regard to
// case or runs of spaces, every other type exactly. "" expects the input
// left blank. A free-text answer (a JSON object) is judged by its key
// facts: correct when every fact appears in the proposal, case-insensitively
// and with runs of spaces folded ("a|b": either spelling will do), and none
// of the Not phrases, which would contradict the story or answer another
// question, does.
//
// Unknown marks a question the story does not answer although the form
// needs an answer (a JSON object {"unknown": "why"}): the input counts on
// the route and never as answered, since nothing could show a proposal
// right.
type ExpectedAnswer struct {
	Exact   string   `json:"-"`
	Facts   []string `json:"facts,omitempty"`
	Not     []string `json:"not,omitempty"`
	Unknown string   `json:"unknown,omitempty"`
}

// Blank reports whether the input is expected to be left blank.
func (a ExpectedAnswer) Blank() bool { return a.Exact == "" && len(a.Facts) == 0 && a.Unknown == "" }

// UnmarshalJSON reads a string as an exact answer and an object as facts.
func (a *ExpectedAnswer) UnmarshalJSON(b []byte) error {
	if len(b) > 0 && b[0] == '"' {
		return json.Unmarshal(b, &a.Exact)
	}
	type facts ExpectedAnswer
	var f facts
	if err := json.Unmarshal(b, &f); err != nil {
		return err
	}
	if (len(f.Facts) == 0) == (f.Unknown == "") {
		return fmt.Errorf("an expected answer in braces needs facts, or says why the story does not answer it (unknown)")
	}
	*a = ExpectedAnswer(f)
	return nil
}

// MarshalJSON writes the answer back as it was read.
func (a ExpectedAnswer) MarshalJSON() ([]byte, error) {
	if len(a.Facts) == 0 && a.Unknown == "" {
		return json.Marshal(a.Exact)
	}
	type facts ExpectedAnswer
	return json.Marshal(facts(a))
}

// String is the expected answer in short.
func (a ExpectedAnswer) String() string {
	switch {
	case a.Unknown != "":
		return "unknown: " + a.Unknown
	case len(a.Facts) > 0 && len(a.Not) > 0:
		return "facts: " + strings.Join(a.Facts, "; ") + " (not: " + strings.Join(a.Not, "; ") + ")"
	case len(a.Facts) > 0:
		return "facts: " + strings.Join(a.Facts, "; ")
	case a.Exact == "":
		return "(blank)"
	}
	return strconv.Quote(a.Exact)
}

// ParseExpected reads a case's expected answers and checks every key is an
// input of the child route and every exact answer one the form accepts.
func ParseExpected(data []byte, lists *catalog.HOLists) (Expected, error) {
	var e Expected
	dec := json.NewDecoder(strings.NewReader(string(data)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&e); err != nil {
		return Expected{}, err
	}
	byKey := map[string]HOInput{}
	for _, in := range childRoute {
		byKey[in.Key] = in
	}
	for k, a := range e.Answers {
		in, ok := byKey[k]
		switch {
		case !ok:
			return Expected{}, fmt.Errorf("%s: %q is no input of the child route", e.Case, k)
		case a.Exact != "":
			// The expected answer itself must be one the form accepts (a far future keeps a date of birth in the past).
			if err := ValidAnswer(in, a.Exact, lists, time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC)); err != nil && !in.Date {
				return Expected{}, fmt.Errorf("%s: expected %s: %v", e.Case, k, err)
			}
		}
	}
	switch e.Answers[WhereKey].Exact {
	case BranchUK, BranchOverseas, BranchBoth:
	default:
		return Expected{}, fmt.Errorf("%s: the expected answer to %s picks the route and must be given", e.Case, WhereKey)
	}
	return e, nil
}

// Judged is one input of the route, as the count judged it.
type Judged struct {
	Input         HOInput
	Proposed      string         // what the draft proposes, as the form would hold it
	Expected      ExpectedAnswer // what the story says
	HasField      bool           // the draft has a field for the input
	Valid         bool           // the form would accept the proposal (a blank is valid)
	Correct       bool           // the proposal is the expected answer (a blank is correct when a blank is expected)
	Why           string         // why it does not count, in short
	ExpectedBlank bool           // the story expects the input left blank
}

// Good reports whether the input counts as answered: valid and correct.
func (j Judged) Good() bool { return j.Valid && j.Correct }

// Measurement is the honest count of one case's draft.
type Measurement struct {
	Case   string
	Where  string // the expected where-exploitation-happened answer
	Inputs []Judged
}

// All is the count over every input on the route: inputs answered valid
// and correct (an input expected blank and left blank counts as correct),
// of all inputs on the route.
func (m Measurement) All() (good, total int) {
	for _, j := range m.Inputs {
		total++
		if j.Good() {
			good++
		}
	}
	return good, total
}

// Answerable is the count without the inputs the story expects left blank:
// inputs prefilled valid and correct, of the inputs that should have an
// answer. This is the figure that flatters nothing.
func (m Measurement) Answerable() (good, total int) {
	for _, j := range m.Inputs {
		if j.ExpectedBlank {
			continue
		}
		total++
		if j.Good() {
			good++
		}
	}
	return good, total
}

// Percent is good of total as a whole percentage, rounded down.
func Percent(good, total int) int {
	if total == 0 {
		return 0
	}
	return 100 * good / total
}

// Missed are the inputs that did not count, each with why.
func (m Measurement) Missed() []Judged {
	var out []Judged
	for _, j := range m.Inputs {
		if !j.Good() {
			out = append(out, j)
		}
	}
	return out
}

// Measure judges the draft's proposals against the expected answers, input
// by input on the case's route. today is the day the form would be filled
// (a date of birth must be before it). lists are the form's lists
// (catalog.MustLoad().HOLists).
func Measure(d Draft, want Expected, lists *catalog.HOLists, today time.Time) Measurement {
	m := Measurement{Case: want.Case, Where: want.Answers[WhereKey].Exact}
	for _, in := range RouteFor(m.Where) {
		exp := want.Answers[in.Key]
		got, has := HOAnswer(d, in.Key)
		j := Judged{Input: in, Proposed: got, Expected: exp, HasField: has, Valid: true, ExpectedBlank: exp.Blank()}
		if err := ValidAnswer(in, got, lists, today); err != nil {
			j.Valid, j.Why = false, "not valid: "+err.Error()
		}
		switch {
		case exp.Unknown != "" && got == "":
			j.Why = "left blank; the story does not say either"
		case exp.Unknown != "":
			if j.Why == "" {
				j.Why = "cannot be checked: the story does not say"
			}
		case exp.Blank():
			j.Correct = got == ""
			if !j.Correct && j.Why == "" {
				j.Why = "answered where the story expects a blank"
			}
		case got == "" && !has:
			j.Why = "no field in the draft"
		case got == "":
			j.Why = "left blank"
		default:
			j.Correct = matches(in, got, exp)
			if !j.Correct && j.Why == "" {
				j.Why = "not the expected answer"
			}
		}
		m.Inputs = append(m.Inputs, j)
	}
	return m
}

func matches(in HOInput, got string, exp ExpectedAnswer) bool {
	if len(exp.Facts) == 0 {
		if in.Type == "input-text" {
			return strings.EqualFold(foldSpace(got), foldSpace(exp.Exact))
		}
		return got == strings.TrimSpace(exp.Exact)
	}
	text := strings.ToLower(foldSpace(normaliseDashes(got)))
	for _, fact := range exp.Facts {
		if !slices.ContainsFunc(strings.Split(fact, "|"), func(alt string) bool {
			return strings.Contains(text, strings.ToLower(foldSpace(normaliseDashes(alt))))
		}) {
			return false
		}
	}
	for _, no := range exp.Not {
		if strings.Contains(text, strings.ToLower(foldSpace(normaliseDashes(no)))) {
			return false
		}
	}
	return true
}

func foldSpace(s string) string { return strings.Join(strings.Fields(s), " ") }

// MissedAcross lists, for several cases, each input that did not count in
// at least one of them, with how many and why in short: the list of what a
// case leaves to be typed.
func MissedAcross(ms []Measurement) string {
	type tally struct {
		n    int
		whys []string
	}
	byKey := map[string]*tally{}
	var order []string
	for _, in := range childRoute {
		order = append(order, in.Key)
	}
	for _, m := range ms {
		for _, j := range m.Missed() {
			t := byKey[j.Input.Key]
			if t == nil {
				t = &tally{}
				byKey[j.Input.Key] = t
			}
			t.n++
			why, _, _ := strings.Cut(j.Why, ":")
			if !slices.Contains(t.whys, why) {
				t.whys = append(t.whys, why)
			}
		}
	}
	var b strings.Builder
	fmt.Fprintf(&b, "inputs not answered valid and correct, of %d cases:\n", len(ms))
	for _, k := range order {
		if t := byKey[k]; t != nil {
			fmt.Fprintf(&b, "    %-62s %d: %s\n", k, t.n, strings.Join(t.whys, "; "))
		}
	}
	return b.String()
}
