package pathway

import (
	"slices"
	"strings"
	"time"

	"waymark"
)

// RegisteredInterpreter is an entry of the partnership's interpreter
// register as it stood when it was used on the case (§6.7, §7.5). The
// register itself is kept by administrators outside any case.
type RegisteredInterpreter struct {
	ID           string   `json:"id"`
	Name         string   `json:"name"`
	Languages    []string `json:"languages"`
	Dialects     []string `json:"dialects,omitempty"`
	Gender       string   `json:"gender"`
	Professional bool     `json:"professional"`
	Approved     bool     `json:"approved"`
	DBSCheckedOn string   `json:"dbsCheckedOn,omitempty"` // YYYY-MM-DD; empty when never checked
	Active       bool     `json:"active"`
}

// Interpreter genders in the register.
var interpreterGenders = []struct{ Value, Text string }{
	{"female", "Female"},
	{"male", "Male"},
	{"other", "Another gender"},
}

// InterpreterGenders lists the genders the register records.
func InterpreterGenders() []struct{ Value, Text string } { return interpreterGenders }

// The child's choice of their interpreter's gender (§7.5).
var genderPreferences = []struct{ Value, Text string }{
	{"none", "No preference"},
	{"female", "A female interpreter"},
	{"male", "A male interpreter"},
}

// GenderPreferences lists the choices offered to the child.
func GenderPreferences() []struct{ Value, Text string } { return genderPreferences }

func genderPreferenceLabel(v string) string {
	for _, g := range genderPreferences {
		if g.Value == v {
			return g.Text
		}
	}
	return v
}

// InterpreterBooking is an interpreter booked for the child, with the checks
// made when booking (§6.7, §7.5).
type InterpreterBooking struct {
	Seq                 int                   `json:"seq"`
	Interpreter         RegisteredInterpreter `json:"interpreter"`
	Language            string                `json:"language"`
	Dialect             string                `json:"dialect,omitempty"`
	DialectMatches      bool                  `json:"dialectMatches"`
	GenderPreference    string                `json:"genderPreference"`
	GenderPreferenceMet bool                  `json:"genderPreferenceMet"`
	ChildAskedForChange bool                  `json:"childAskedForChange"`
	ChangeReason        string                `json:"changeReason,omitempty"`
	Replaces            string                `json:"replaces,omitempty"` // the register id of the interpreter before
	BookedAt            time.Time             `json:"bookedAt"`
	BookedBy            Party                 `json:"bookedBy"`
}

// GenderPreferenceLabel is the child's choice in words.
func (b InterpreterBooking) GenderPreferenceLabel() string {
	return genderPreferenceLabel(b.GenderPreference)
}

// Warnings are what the booking did not meet and the team must know (§7.5).
func (b InterpreterBooking) Warnings() []string {
	var ws []string
	if b.Dialect == "" {
		ws = append(ws, "The child's dialect was not recorded: double-check the interpreter speaks it (§7.5).")
	} else if !b.DialectMatches {
		ws = append(ws, b.Interpreter.Name+" is not registered for the "+b.Dialect+" dialect: check they understand the child before relying on the interview (§7.5).")
	}
	if !b.GenderPreferenceMet {
		ws = append(ws, "The child asked for "+strings.ToLower(genderPreferenceLabel(b.GenderPreference))+" and this interpreter is not: tell the child and offer to find one (§7.5).")
	}
	return ws
}

// CurrentInterpreter is the interpreter the child works with now, if any.
func (s StrategyState) CurrentInterpreter() *InterpreterBooking {
	if len(s.Interpreters) == 0 {
		return nil
	}
	b := s.Interpreters[len(s.Interpreters)-1]
	return &b
}

// InterpreterBooked books an interpreter for the child (§6.7, §7.5).
type InterpreterBooked struct {
	Booking InterpreterBooking `json:"booking"`
}

func (InterpreterBooked) eventType() string { return EventInterpreterBooked }

func (d InterpreterBooked) apply(c *Case, e Event) {
	b := d.Booking
	b.Seq, b.BookedAt, b.BookedBy = e.Seq, e.At, e.Actor
	c.Strategy.Interpreters = append(slices.Clip(c.Strategy.Interpreters), b)
}

func (d InterpreterBooked) summary(e Event) string {
	b := d.Booking
	s := "Interpreter booked: " + b.Interpreter.Name + " (" + b.Language
	if b.Dialect != "" {
		s += ", " + b.Dialect
	}
	s += ")"
	if b.ChildAskedForChange && b.Replaces != "" {
		s += " at the child's request"
	}
	if b.Dialect != "" && !b.DialectMatches {
		s += ". Warning: dialect not matched"
	}
	if !b.GenderPreferenceMet {
		s += ". Warning: the child's choice of gender is not met"
	}
	return s
}

// BookInterpreter books an interpreter from the register for the child. The
// use case fills Interpreter from the register by InterpreterID.
type BookInterpreter struct {
	InterpreterID       string                 `json:"interpreterId"`
	GenderPreference    string                 `json:"genderPreference"`
	Language            string                 `json:"language"`
	Dialect             string                 `json:"dialect"`
	ChildAskedForChange bool                   `json:"childAskedForChange"`
	ChangeReason        string                 `json:"changeReason"`
	Interpreter         *RegisteredInterpreter `json:"-"` // filled from the register
}

func (BookInterpreter) commandName() string { return "book interpreter" }

// guard says who may give BookInterpreter and whether the case allows it now.
func (BookInterpreter) guard(p *Pathway, c Case, a Actor, now time.Time) error {
	if err := onlyChildrensServicesLeadTheStrategy(c, a); err != nil {
		return err
	}
	return notClosed(c)
}

func (cmd BookInterpreter) decide(p *Pathway, c Case, a Actor, now time.Time) ([]Event, error) {
	language := strings.Join(strings.Fields(cmd.Language), " ")
	dialect := strings.Join(strings.Fields(cmd.Dialect), " ")
	reason := strings.TrimSpace(cmd.ChangeReason)
	var probs waymark.Problems
	if cmd.Interpreter == nil {
		probs.Add("interpreterId", "Choose an interpreter from the register")
	}
	if genderPreferenceLabel(cmd.GenderPreference) == cmd.GenderPreference {
		probs.Add("genderPreference", "Ask the child whether they want a female or male interpreter, and select their answer (§7.5)")
	}
	if language == "" {
		probs.Add("language", "Enter the language the child needs")
	}
	checkLength(&probs, "language", "The language", language, MaxShortText)
	checkLength(&probs, "dialect", "The dialect", dialect, MaxShortText)
	if cmd.ChildAskedForChange && reason == "" {
		probs.Add("changeReason", "Enter why the child asked for a different interpreter")
	}
	checkLength(&probs, "changeReason", "The reason", reason, MaxNarrative)
	if err := probs.Err(); err != nil {
		return nil, err
	}
	in := *cmd.Interpreter
	if err := interpreterIsVettedAndUnlinked(c, in, "interpreterId"); err != nil {
		return nil, err
	}
	if !registerListHas(in.Languages, language) {
		return nil, waymark.Invalid([]waymark.FieldError{{Field: "language", Message: in.Name + " is not registered to interpret " + language + " (they interpret " + strings.Join(in.Languages, ", ") + "). Choose an interpreter registered for the child's language"}})
	}
	cur := c.Strategy.CurrentInterpreter()
	replaces := ""
	if cur != nil {
		if cur.Interpreter.ID == in.ID && strings.EqualFold(cur.Language, language) && strings.EqualFold(cur.Dialect, dialect) {
			return nil, waymark.Invalid([]waymark.FieldError{{Field: "interpreterId", Message: in.Name + " is already the child's interpreter for " + language + ". There is nothing to book"}})
		}
		if cur.Interpreter.ID != in.ID {
			replaces = cur.Interpreter.ID
			if err := keepTheChildsInterpreter(c, *cur, cmd.ChildAskedForChange); err != nil {
				return nil, err
			}
		}
	}
	if replaces == "" {
		cmd.ChildAskedForChange, reason = false, ""
	}
	b := InterpreterBooking{
		Interpreter: in, Language: language, Dialect: dialect,
		DialectMatches:      dialect != "" && registerListHas(in.Dialects, dialect),
		GenderPreference:    cmd.GenderPreference,
		GenderPreferenceMet: cmd.GenderPreference == "none" || cmd.GenderPreference == in.Gender,
		ChildAskedForChange: cmd.ChildAskedForChange, ChangeReason: reason, Replaces: replaces,
	}
	return []Event{newEvent(InterpreterBooked{Booking: b})}, nil
}

// keepTheChildsInterpreter: the child keeps the interpreter they know unless
// they ask for another (§7.5). An interpreter who has since been found to be
// linked to the child is no longer theirs to keep.
func keepTheChildsInterpreter(c Case, cur InterpreterBooking, childAsked bool) error {
	if childAsked || len(c.Strategy.linkedPersonNamed(cur.Interpreter.Name)) > 0 {
		return nil
	}
	return waymark.Invalid([]waymark.FieldError{{Field: "childAskedForChange", Message: "The child already works with " + cur.Interpreter.Name +
		". Keep the same interpreter unless the child asks for a different one (§7.5): if they did, answer yes and give their reason"}})
}

// interpreterIsVettedAndUnlinked checks an interpreter may interpret for the
// child at all: professional, approved and DBS checked (§6.7), active on the
// register, and never anyone linked to the child (§6.7, §7.5).
func interpreterIsVettedAndUnlinked(c Case, in RegisteredInterpreter, field string) error {
	if err := interpreterMustBeProfessionallyVetted(in, field); err != nil {
		return err
	}
	return interpreterMustNotBeLinkedToTheChild(c, in, field)
}

// interpreterMustBeProfessionallyVetted: only professional interpreters who
// are approved and DBS checked interpret for the child (§6.7, §7.5).
func interpreterMustBeProfessionallyVetted(in RegisteredInterpreter, field string) error {
	var missing []string
	if !in.Professional {
		missing = append(missing, "a professional interpreter")
	}
	if !in.Approved {
		missing = append(missing, "approved")
	}
	if in.DBSCheckedOn == "" {
		missing = append(missing, "DBS checked")
	}
	if len(missing) > 0 {
		return waymark.Invalid([]waymark.FieldError{{Field: field, Message: in.Name + " is not recorded in the register as " + strings.Join(missing, ", ") +
			". Only professional, approved and DBS-checked interpreters may interpret for the child (§6.7): choose another, or ask an administrator to update the register"}})
	}
	if !in.Active {
		return waymark.Invalid([]waymark.FieldError{{Field: field, Message: in.Name + " is no longer active on the interpreter register. Choose another interpreter"}})
	}
	return nil
}

// interpreterMustNotBeLinkedToTheChild: the sponsor, family, carers, adults
// claiming to be relatives, suspected exploiters and anyone else found with
// the child never interpret for them (§6.7, §7.5; annex, §1.2 when the
// family is suspected).
func interpreterMustNotBeLinkedToTheChild(c Case, in RegisteredInterpreter, field string) error {
	linked := c.Strategy.linkedPersonNamed(in.Name)
	if len(linked) == 0 {
		return nil
	}
	msg := linked[0].Name + " is recorded on this case as " + relationshipPhrase(linked[0].Relationship) +
		", so they must never interpret for the child (§6.7, §7.5). Choose a professional interpreter from the register who has no link to the child"
	switch c.FamilySuspicion() {
	case FamilySuspectedYes:
		msg += ". The family is suspected of involvement: no family member may interpret (§1.2)"
	case FamilySuspectedUnknown:
		msg += ". It is not known whether the family is involved: no family member may interpret (§1.2)"
	}
	return waymark.Invalid([]waymark.FieldError{{Field: field, Message: msg}})
}

func registerListHas(list []string, v string) bool {
	key := personKey(v)
	for _, s := range list {
		if personKey(s) == key {
			return true
		}
	}
	return false
}
