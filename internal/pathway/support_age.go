package pathway

import (
	"slices"
	"strings"
	"time"

	"waymark"
)

// Age assessments (§7.4). A person whose age is uncertain is treated as a
// child until an assessment says otherwise, and an assessment never holds up
// anything: no rule of the pathway reads an open assessment to refuse a
// command, and the state exposes no flag that could.

// Event types for age assessments.
const (
	EventAgeAssessmentRequested = "age_assessment_requested"
	EventAgeAssessmentCompleted = "age_assessment_completed"
)

// ageEvents lists the event types of age assessment.
func ageEvents() []eventDecoder {
	return []eventDecoder{
		decoderOf[AgeAssessmentRequested](),
		decoderOf[AgeAssessmentCompleted](),
	}
}

var ageOutcomes = []struct{ Value, Text string }{
	{"child", "A child (under 18)"},
	{"adult", "An adult (18 or over)"},
}

// AgeOutcomes lists what an age assessment can conclude.
func AgeOutcomes() []struct{ Value, Text string } { return ageOutcomes }

// AgeAssessment is one age assessment, from the request to its outcome.
type AgeAssessment struct {
	Seq                 int       `json:"seq"`
	Reason              string    `json:"reason"`
	RequestedAt         time.Time `json:"requestedAt"`
	RequestedBy         Party     `json:"requestedBy"`
	Completed           bool      `json:"completed"`
	CompletedOn         string    `json:"completedOn,omitempty"`
	MertonCompliant     bool      `json:"mertonCompliant"`
	Outcome             string    `json:"outcome,omitempty"`
	AssessedDateOfBirth string    `json:"assessedDateOfBirth,omitempty"`
	AssessedAge         int       `json:"assessedAge,omitempty"`
	Notes               string    `json:"notes,omitempty"`
}

// OutcomeLabel is the outcome in words.
func (a AgeAssessment) OutcomeLabel() string { return supportLabel(ageOutcomes, a.Outcome) }

// OpenAgeAssessment is the requested assessment not yet completed, if any.
// It is shown to the team; nothing waits for it (§7.4).
func (s SupportState) OpenAgeAssessment() *AgeAssessment {
	for i := range s.AgeAssessments {
		if !s.AgeAssessments[i].Completed {
			return &s.AgeAssessments[i]
		}
	}
	return nil
}

// AgeAssessmentRequested: Children's Services decided an assessment is needed (§7.4).
type AgeAssessmentRequested struct {
	Reason string `json:"reason"`
}

// AgeAssessmentCompleted records the assessment's outcome (§7.4).
type AgeAssessmentCompleted struct {
	Assessment          int    `json:"assessment"` // seq of the request
	CompletedOn         string `json:"completedOn"`
	MertonCompliant     bool   `json:"mertonCompliant"`
	Outcome             string `json:"outcome"`
	AssessedDateOfBirth string `json:"assessedDateOfBirth,omitempty"`
	AssessedAge         int    `json:"assessedAge,omitempty"`
	Notes               string `json:"notes,omitempty"`
}

func (AgeAssessmentRequested) eventType() string { return EventAgeAssessmentRequested }
func (AgeAssessmentCompleted) eventType() string { return EventAgeAssessmentCompleted }

func (d AgeAssessmentRequested) apply(c *Case, e Event) {
	c.Support.AgeAssessments = append(c.Support.AgeAssessments, AgeAssessment{Seq: e.Seq, Reason: d.Reason, RequestedAt: e.At, RequestedBy: e.Actor})
}

func (d AgeAssessmentCompleted) apply(c *Case, e Event) {
	// AgeAssessments is shared with the state before this event: copy before writing.
	c.Support.AgeAssessments = slices.Clone(c.Support.AgeAssessments)
	for i := range c.Support.AgeAssessments {
		if as := &c.Support.AgeAssessments[i]; as.Seq == d.Assessment {
			as.Completed, as.CompletedOn, as.MertonCompliant, as.Outcome = true, d.CompletedOn, d.MertonCompliant, d.Outcome
			as.AssessedDateOfBirth, as.AssessedAge, as.Notes = d.AssessedDateOfBirth, d.AssessedAge, d.Notes
		}
	}
}

func (AgeAssessmentRequested) summary(e Event) string {
	return "Age assessment requested – the child is treated as a child meanwhile"
}

func (d AgeAssessmentCompleted) summary(e Event) string {
	s := "Age assessment completed: " + strings.ToLower(supportLabel(ageOutcomes, d.Outcome))
	if !d.MertonCompliant {
		s += " – not Merton-compliant"
	}
	return s
}

// RequestAgeAssessment records the decision that an age assessment is needed (§7.4).
type RequestAgeAssessment struct {
	Reason string `json:"reason"`
}

// CompleteAgeAssessment records the outcome of the open age assessment (§7.4).
type CompleteAgeAssessment struct {
	CompletedOn         string `json:"completedOn"` // YYYY-MM-DD
	MertonCompliant     bool   `json:"mertonCompliant"`
	Outcome             string `json:"outcome"`
	AssessedDateOfBirth string `json:"assessedDateOfBirth"` // YYYY-MM-DD, or
	AssessedAge         int    `json:"assessedAge"`         // years
	Notes               string `json:"notes"`
}

func (RequestAgeAssessment) commandName() string  { return "request age assessment" }
func (CompleteAgeAssessment) commandName() string { return "complete age assessment" }

// guard says who may give RequestAgeAssessment and whether the case allows it now.
func (RequestAgeAssessment) guard(p *Pathway, c Case, a Actor, now time.Time) error {
	if err := childrensServicesDecides(a, "an age assessment"); err != nil {
		return err
	}
	if err := notClosed(c); err != nil {
		return err
	}
	if err := ageIsInDoubt(c); err != nil {
		return err
	}
	if c.Support.OpenAgeAssessment() != nil {
		return waymark.Errorf(waymark.EINVALID, "An age assessment is already open. Record its outcome before asking for another.")
	}
	return nil
}

func (cmd RequestAgeAssessment) decide(p *Pathway, c Case, a Actor, now time.Time) ([]Event, error) {
	var probs waymark.Problems
	reason := strings.TrimSpace(cmd.Reason)
	if reason == "" {
		probs.Add("reason", "Enter the significant reason to doubt that the person is a child (§7.4); appearance or manner alone is not enough")
	}
	checkLength(&probs, "reason", "The reason", reason, MaxNarrative)
	if err := probs.Err(); err != nil {
		return nil, err
	}
	return []Event{newEvent(AgeAssessmentRequested{Reason: reason})}, nil
}

// guard says who may give CompleteAgeAssessment and whether the case allows it now.
func (CompleteAgeAssessment) guard(p *Pathway, c Case, a Actor, now time.Time) error {
	if err := childrensServicesDecides(a, "an age assessment"); err != nil {
		return err
	}
	if c.Support.OpenAgeAssessment() == nil {
		return waymark.Errorf(waymark.EINVALID, "No age assessment is open. Record the request for an assessment, with its reason, first.")
	}
	return nil
}

func (cmd CompleteAgeAssessment) decide(p *Pathway, c Case, a Actor, now time.Time) ([]Event, error) {
	open := c.Support.OpenAgeAssessment()
	var probs waymark.Problems
	completed := supportPastDay(&probs, "completedOn", "the date the assessment was completed", cmd.CompletedOn, now)
	y, m, d := open.RequestedAt.In(London).Date()
	if !completed.IsZero() && completed.Before(time.Date(y, m, d, 0, 0, 0, 0, London)) {
		probs.Add("completedOn", "The assessment cannot be completed before it was requested (%s)", open.RequestedAt.In(London).Format("2 January 2006"))
	}
	if !supportValid(ageOutcomes, cmd.Outcome) {
		probs.Add("outcome", "Select whether the assessment found the person to be a child or an adult")
	}
	age := assessedAge(&probs, cmd, completed)
	if age >= 0 {
		switch {
		case cmd.Outcome == "child" && age >= 18:
			probs.Add("outcome", "The assessed age is %d, which is not a child. Check the outcome and the age", age)
		case cmd.Outcome == "adult" && age < 18:
			probs.Add("outcome", "The assessed age is %d, which is a child. Check the outcome and the age", age)
		}
	}
	notes := strings.TrimSpace(cmd.Notes)
	checkLength(&probs, "notes", "The notes", notes, MaxNarrative)
	if err := probs.Err(); err != nil {
		return nil, err
	}
	return []Event{newEvent(AgeAssessmentCompleted{Assessment: open.Seq, CompletedOn: cmd.CompletedOn, MertonCompliant: cmd.MertonCompliant, Outcome: cmd.Outcome,
		AssessedDateOfBirth: cmd.AssessedDateOfBirth, AssessedAge: cmd.AssessedAge, Notes: notes})}, nil
}

// assessedAge is the age the assessment found on the day it was completed,
// from the date of birth or the age given; -1 when it cannot be told.
func assessedAge(probs *waymark.Problems, cmd CompleteAgeAssessment, on time.Time) int {
	dob, ok := supportDay(cmd.AssessedDateOfBirth)
	switch {
	case !ok:
		probs.Add("assessedDateOfBirth", "The assessed date of birth must be a real date, like 2009-06-01")
		return -1
	case !dob.IsZero() && cmd.AssessedAge != 0:
		probs.Add("assessedAge", "Enter either the assessed date of birth or the assessed age, not both")
		return -1
	case !dob.IsZero():
		if !on.IsZero() && dob.After(on) {
			probs.Add("assessedDateOfBirth", "The assessed date of birth must be before the assessment")
			return -1
		}
		if on.IsZero() {
			return -1
		}
		return AgeOn(dob, on)
	case cmd.AssessedAge < 0 || cmd.AssessedAge > 40:
		probs.Add("assessedAge", "Enter the assessed age in years, between 1 and 40")
		return -1
	case cmd.AssessedAge == 0:
		probs.Add("assessedDateOfBirth", "Enter the assessed date of birth, or the assessed age")
		return -1
	}
	return cmd.AssessedAge
}

// ageIsInDoubt: an age is assessed only when there is reason to doubt it
// (§7.4): it was recorded as uncertain, no date of birth is known, or an
// assessment was already asked for.
func ageIsInDoubt(c Case) error {
	ch := c.Concern.Child
	if ch.AgeUncertain || ch.DateOfBirth == "" || len(c.Support.AgeAssessments) > 0 {
		return nil
	}
	return waymark.Errorf(waymark.EINVALID, "The child's date of birth is recorded and their age was not recorded as uncertain, so no age assessment applies (§7.4). If there is now significant reason to doubt it, add a case note saying why.")
}
