package pathway

import (
	"slices"
	"strings"
	"time"

	"waymark"
)

// InterviewPlan is a planned interview of the child (§6.7, §7.4, §7.6).
type InterviewPlan struct {
	Seq          int                    `json:"seq"`
	PlannedFor   time.Time              `json:"plannedFor"`
	Interviewers []string               `json:"interviewers"`
	Present      []string               `json:"present,omitempty"` // anyone else in the room besides the child
	Interpreter  *RegisteredInterpreter `json:"interpreter,omitempty"`
	PlannedBy    Party                  `json:"plannedBy"`
}

// InterviewPlanned records a planned interview of the child.
type InterviewPlanned struct {
	Interview InterviewPlan `json:"interview"`
}

func (InterviewPlanned) eventType() string { return EventInterviewPlanned }

func (d InterviewPlanned) apply(c *Case, e Event) {
	ip := d.Interview
	ip.Seq, ip.PlannedBy = e.Seq, e.Actor
	c.Strategy.Interviews = append(slices.Clip(c.Strategy.Interviews), ip)
}

// The timeline says when, never who: the names stay in the team's view (§6.5).
func (d InterviewPlanned) summary(e Event) string {
	s := "Interview with the child planned for " + d.Interview.PlannedFor.In(London).Format("2 January 2006 at 3:04pm")
	if d.Interview.Interpreter != nil {
		s += ", with an interpreter"
	}
	return s
}

// PlanInterview plans an interview of the child. The use case fills
// Interpreter from the register when InterpreterID is given.
type PlanInterview struct {
	PlannedFor    time.Time              `json:"plannedFor"`
	Interviewers  []string               `json:"interviewers"`
	Present       []string               `json:"present"`
	InterpreterID string                 `json:"interpreterId"`
	Interpreter   *RegisteredInterpreter `json:"-"` // filled from the register
}

func (PlanInterview) commandName() string { return "plan interview" }

// interviewsArePlannedAtMost is how far ahead an interview can be planned.
const interviewsArePlannedAtMost = 366 * 24 * time.Hour

// guard says who may give PlanInterview and whether the case allows it now.
func (PlanInterview) guard(p *Pathway, c Case, a Actor, now time.Time) error {
	if err := onlyTheTeamRecordsPeopleAroundTheChild(c, a); err != nil {
		return err
	}
	return notClosed(c)
}

func (cmd PlanInterview) decide(p *Pathway, c Case, a Actor, now time.Time) ([]Event, error) {
	interviewers := normalisedNames(cmd.Interviewers)
	present := normalisedNames(cmd.Present)
	var probs waymark.Problems
	switch {
	case cmd.PlannedFor.IsZero():
		probs.Add("plannedFor", "Enter the date and time of the interview")
	case cmd.PlannedFor.Before(c.Concern.IdentifiedAt):
		probs.Add("plannedFor", "The interview cannot be before the child was identified on %s", c.Concern.IdentifiedAt.In(London).Format("2 January 2006 at 3:04pm"))
	case cmd.PlannedFor.After(now.Add(interviewsArePlannedAtMost)):
		probs.Add("plannedFor", "Plan the interview within the next year")
	}
	if len(interviewers) == 0 {
		probs.Add("interviewers", "Enter who will interview the child, one on each line")
	}
	checkNameList(&probs, "interviewers", "interviewers", interviewers)
	checkNameList(&probs, "present", "people present", present)
	if cmd.InterpreterID != "" && cmd.Interpreter == nil {
		probs.Add("interpreterId", "Choose an interpreter from the register, or no interpreter")
	}
	if err := probs.Err(); err != nil {
		return nil, err
	}
	if err := childIsNeverInterviewedWithThoseAroundThem(c, interviewers, present); err != nil {
		return nil, err
	}
	var in *RegisteredInterpreter
	if cmd.Interpreter != nil {
		chosen := *cmd.Interpreter
		if err := interpreterIsVettedAndUnlinked(c, chosen, "interpreterId"); err != nil {
			return nil, err
		}
		if err := interviewUsesTheChildsInterpreter(c, chosen); err != nil {
			return nil, err
		}
		in = &chosen
	}
	return []Event{newEvent(InterviewPlanned{Interview: InterviewPlan{PlannedFor: cmd.PlannedFor.UTC(), Interviewers: interviewers, Present: present, Interpreter: in}})}, nil
}

// childIsNeverInterviewedWithThoseAroundThem: parents, carers, sponsors,
// adults claiming to be relatives and suspected exploiters are never in the
// room when the child is interviewed, whether as interviewer or present
// (§6.7, §7.4, §7.6).
func childIsNeverInterviewedWithThoseAroundThem(c Case, interviewers, present []string) error {
	var probs waymark.Problems
	for _, l := range []struct {
		field string
		names []string
	}{{"interviewers", interviewers}, {"present", present}} {
		for _, name := range l.names {
			for _, lp := range c.Strategy.linkedPersonNamed(name) {
				if lp.KeptOutOfInterviews() && !probs.Has(l.field) {
					probs.Add(l.field, "%s is recorded on this case as %s and must never be present when the child is interviewed (§6.7, §7.6). Remove them; if the child wants a supportive adult with them, ask an independent advocate or appropriate adult instead", lp.Name, relationshipPhrase(lp.Relationship))
				}
			}
		}
	}
	return probs.Err()
}

// interviewUsesTheChildsInterpreter: the child keeps the interpreter they
// know (§7.5). A different one is booked first, recording that the child asked.
func interviewUsesTheChildsInterpreter(c Case, chosen RegisteredInterpreter) error {
	cur := c.Strategy.CurrentInterpreter()
	if cur == nil || cur.Interpreter.ID == chosen.ID || len(c.Strategy.linkedPersonNamed(cur.Interpreter.Name)) > 0 {
		return nil
	}
	return waymark.Invalid([]waymark.FieldError{{Field: "interpreterId", Message: "The child's interpreter is " + cur.Interpreter.Name +
		". Use them for this interview; if the child asked for a different interpreter, book the new one first and record the child's reason (§7.5)"}})
}

// normalisedNames trims each name, collapses its spaces and drops blanks and repeats.
func normalisedNames(in []string) []string {
	var out []string
	for _, n := range in {
		n = strings.Join(strings.Fields(n), " ")
		if n == "" || slices.ContainsFunc(out, func(o string) bool { return samePerson(o, n) }) {
			continue
		}
		out = append(out, n)
	}
	return out
}

func checkNameList(probs *waymark.Problems, field, what string, names []string) {
	if len(names) > MaxListItems {
		probs.Add(field, "List no more than %d %s", MaxListItems, what)
	}
	checkItems(probs, field, "Names", names)
	for _, n := range names {
		if len([]rune(n)) > MaxShortText {
			probs.Add(field, "Each name must be %d characters or fewer", MaxShortText)
			return
		}
	}
}

// Alerts are what later records revealed about earlier arrangements: an
// interpreter or a planned interview that now breaks the rules (§6.7, §7.5, §7.6).
func (s StrategyState) Alerts() []string {
	var out []string
	if cur := s.CurrentInterpreter(); cur != nil {
		if lp := s.linkedPersonNamed(cur.Interpreter.Name); len(lp) > 0 {
			out = append(out, "The child's interpreter, "+cur.Interpreter.Name+", is recorded as "+relationshipPhrase(lp[0].Relationship)+
				". Stop using them at once and book another interpreter (§6.7, §7.5).")
		}
	}
	for _, iv := range s.Interviews {
		when := iv.PlannedFor.In(London).Format("2 January 2006 at 3:04pm")
		for _, name := range append(slices.Clip(iv.Interviewers), iv.Present...) {
			for _, lp := range s.linkedPersonNamed(name) {
				if lp.KeptOutOfInterviews() {
					out = append(out, "The interview planned for "+when+" lists "+lp.Name+", who is recorded as "+
						relationshipPhrase(lp.Relationship)+". Plan the interview again without them (§6.7, §7.6).")
					break
				}
			}
		}
		if iv.Interpreter != nil {
			if lp := s.linkedPersonNamed(iv.Interpreter.Name); len(lp) > 0 {
				out = append(out, "The interpreter for the interview planned for "+when+", "+iv.Interpreter.Name+", is recorded as "+
					relationshipPhrase(lp[0].Relationship)+". Plan the interview again with another interpreter (§6.7, §7.5).")
			}
		}
	}
	return out
}
