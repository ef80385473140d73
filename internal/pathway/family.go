package pathway

import (
	"strings"
	"time"

	"waymark"
)

// Family suspected (§1.2, annex): whether the child's family or carers are
// suspected of involvement in the exploitation. The practitioner answers on
// the concern; the case team can set, change or clear the answer at any time
// after it (RecordFamilySuspicion), with a reason. "Not known" is an answer of
// its own, never stored as "no", and is treated with caution where the
// procedure asks for it (familyMayBeInvolved).
//
// The rules that read the answer all ask Case.FamilySuspicion, so a later
// change brings the same blocks and warnings as an answer given on the concern:
//   - no meeting action contacts the family (familyIsNotToldWhileSuspected, annex);
//   - nobody contacts the family to trace it (noTracingContactWhenFamilySuspected, §7.6, annex);
//   - a linked adult's refusal as interpreter says so (interpreterMustNotBeLinkedToTheChild, §1.2);
//   - the case's flags and warnings (Case.Flags, Case.WarningsAt).

// The answers to "are the family or carers suspected of involvement?".
const (
	FamilySuspectedYes     = "yes"
	FamilySuspectedNo      = "no"
	FamilySuspectedUnknown = "unknown" // "I do not know": its own answer, never "no"
)

var familySuspicionAnswers = []struct{ Value, Text string }{
	{FamilySuspectedYes, "Yes, the family or carers are suspected of involvement"},
	{FamilySuspectedNo, "No, the family or carers are not suspected"},
	{FamilySuspectedUnknown, "Not known yet"},
}

// FamilySuspicionAnswers lists the answers to whether the family is suspected.
func FamilySuspicionAnswers() []struct{ Value, Text string } { return familySuspicionAnswers }

// FamilySuspicionLabel is the answer in words; "" reads as not answered.
func FamilySuspicionLabel(v string) string {
	for _, a := range familySuspicionAnswers {
		if a.Value == v {
			return a.Text
		}
	}
	return "Not answered"
}

// FamilyState is the case team's answers after the concern, latest last.
type FamilyState struct {
	Answer  string                  `json:"answer,omitempty"`  // the latest answer; "" when only the concern has answered
	History []FamilySuspicionChange `json:"history,omitempty"` // every answer the team recorded, in order
}

// FamilySuspicionChange is one answer the team recorded, with its reason.
type FamilySuspicionChange struct {
	Seq    int       `json:"seq"`
	At     time.Time `json:"at"`
	By     Party     `json:"by"`
	Answer string    `json:"answer"`
	Reason string    `json:"reason"`
}

// FamilySuspicion is the case's answer now: the team's latest, else the
// concern's. A concern raised before "not known" was kept reads as yes or
// no, as it always did.
func (c Case) FamilySuspicion() string {
	if c.Family.Answer != "" {
		return c.Family.Answer
	}
	return c.Concern.familySuspicion()
}

// familySuspicion is the concern's own answer.
func (cn Concern) familySuspicion() string {
	switch {
	case cn.FamilySuspicion != "":
		return cn.FamilySuspicion
	case cn.FamilySuspected:
		return FamilySuspectedYes
	}
	return FamilySuspectedNo
}

// FamilySuspected says whether the family or carers are suspected now.
func (c Case) FamilySuspected() bool { return c.FamilySuspicion() == FamilySuspectedYes }

// familyMayBeInvolved: nobody has ruled the family out. Where the procedure
// asks for caution before the family is approached (annex; §7.6), "not known"
// is treated as suspected until the team answers.
func (c Case) familyMayBeInvolved() bool { return c.FamilySuspicion() != FamilySuspectedNo }

// EventFamilySuspicionRecorded is the type of FamilySuspicionRecorded.
const EventFamilySuspicionRecorded = "family_suspicion_recorded"

// familyEvents lists the event types of the family-suspected answer.
func familyEvents() []eventDecoder {
	return []eventDecoder{decoderOf[FamilySuspicionRecorded]()}
}

// FamilySuspicionRecorded is the team's answer, after the concern, to
// whether the family or carers are suspected of involvement (§1.2, annex).
type FamilySuspicionRecorded struct {
	Answer string `json:"answer"`
	Reason string `json:"reason"`
}

func (FamilySuspicionRecorded) eventType() string { return EventFamilySuspicionRecorded }

func (d FamilySuspicionRecorded) apply(c *Case, e Event) {
	c.Family.Answer = d.Answer
	c.Family.History = append(c.Family.History, FamilySuspicionChange{Seq: e.Seq, At: e.At, By: e.Actor, Answer: d.Answer, Reason: d.Reason})
}

func (d FamilySuspicionRecorded) summary(e Event) string {
	switch d.Answer {
	case FamilySuspectedYes:
		return "Family or carers now suspected of involvement"
	case FamilySuspectedNo:
		return "Family or carers no longer suspected of involvement"
	}
	return "Whether the family or carers are involved recorded as not known"
}

// RecordFamilySuspicion sets, changes or clears whether the family or carers
// are suspected of involvement, at any point of the case (§1.2, annex).
type RecordFamilySuspicion struct {
	Answer string `json:"answer"`
	Reason string `json:"reason"`
}

func (RecordFamilySuspicion) commandName() string { return "record family suspicion" }

// guard: the Children's Services team keeps the answer, on an open case.
func (RecordFamilySuspicion) guard(p *Pathway, c Case, a Actor, now time.Time) error {
	if err := canManageCase(a); err != nil {
		return err
	}
	return notClosed(c)
}

func (cmd RecordFamilySuspicion) decide(p *Pathway, c Case, a Actor, now time.Time) ([]Event, error) {
	var probs waymark.Problems
	answer := strings.TrimSpace(cmd.Answer)
	if FamilySuspicionLabel(answer) == "Not answered" {
		probs.Add("answer", "Select whether the child's family or carers are suspected of involvement, or that it is not known yet")
	} else if answer == c.FamilySuspicion() {
		probs.Add("answer", "The case already records this answer (%s). Choose a different answer, or add a case note", strings.ToLower(FamilySuspicionLabel(answer)))
	}
	reason := strings.TrimSpace(cmd.Reason)
	if reason == "" {
		probs.Add("reason", "Enter why the answer is changing: what was learnt, and from whom")
	}
	checkLength(&probs, "reason", "The reason", reason, MaxNarrative)
	if err := probs.Err(); err != nil {
		return nil, err
	}
	return []Event{newEvent(FamilySuspicionRecorded{Answer: answer, Reason: reason})}, nil
}

// familyWarning is what every view shows while the family is suspected or
// not known (annex, §1.2); ok is false when the family is ruled out.
func (c Case) familyWarning() (w Warning, ok bool) {
	switch c.FamilySuspicion() {
	case FamilySuspectedYes:
		return Warning{"family-suspected", "Family or carers are suspected of involvement. Do not raise concerns with them or use them to interpret (annex, §1.2)."}, true
	case FamilySuspectedUnknown:
		return Warning{"family-not-known", "It is not known whether the family or carers are involved. Until the team records an answer, do not raise concerns with them or use them to interpret (annex, §1.2)."}, true
	}
	return Warning{}, false
}

// validateFamilySuspicion: the concern's answer, when given as a word, is one
// of the three; "not known" is kept as it is (§1.2).
func validateFamilySuspicion(probs *waymark.Problems, c Concern) {
	if c.FamilySuspicion != "" && FamilySuspicionLabel(c.FamilySuspicion) == "Not answered" {
		probs.Add("familySuspicion", "Select whether you suspect the child's family or carers are involved: yes, no, or not known")
	}
}
