package pathway

import (
	"slices"
	"strings"
	"time"

	"waymark"
)

// The Section 47 enquiry: when it started, when it was completed and what it
// found, so that the multi-agency meeting can be seen to follow it (§6.7, §6.8).

// Event types of the Section 47 enquiry.
const (
	EventSection47Started   = "section47_started"
	EventSection47Completed = "section47_completed"
)

// section47Events lists the event types of the Section 47 enquiry.
func section47Events() []eventDecoder {
	return []eventDecoder{
		decoderOf[Section47Started](),
		decoderOf[Section47Completed](),
	}
}

// What a Section 47 enquiry found (§6.7, §6.8).
const (
	Section47NotSubstantiated     = "not-substantiated"
	Section47NoContinuingRisk     = "substantiated-no-continuing-risk"
	Section47ContinuingRiskOfHarm = "continuing-risk"
)

var section47Outcomes = []struct{ Value, Text string }{
	{Section47NotSubstantiated, "Concerns not substantiated"},
	{Section47NoContinuingRisk, "Concerns substantiated, but the child is not judged to be at continuing risk of significant harm"},
	{Section47ContinuingRiskOfHarm, "Concerns substantiated and the child is judged to be at continuing risk of significant harm"},
}

// Section47Outcomes lists what a Section 47 enquiry can find.
func Section47Outcomes() []struct{ Value, Text string } { return section47Outcomes }

// Section47Enquiry is one Section 47 enquiry (§6.7).
type Section47Enquiry struct {
	Seq         int        `json:"seq"`
	StartedAt   time.Time  `json:"startedAt"`
	StartedBy   Party      `json:"startedBy"`
	CompletedAt *time.Time `json:"completedAt,omitempty"`
	CompletedBy *Party     `json:"completedBy,omitempty"`
	Outcome     string     `json:"outcome,omitempty"`
	Summary     string     `json:"summary,omitempty"`
}

// Open reports whether the enquiry has not been completed yet.
func (s Section47Enquiry) Open() bool { return s.CompletedAt == nil }

// OutcomeLabel is what the enquiry found, in words.
func (s Section47Enquiry) OutcomeLabel() string {
	return meetingOptionText(section47Outcomes, s.Outcome)
}

// LatestSection47 is the most recent Section 47 enquiry, if one was started.
func (s StrategyState) LatestSection47() *Section47Enquiry {
	if len(s.Section47) == 0 {
		return nil
	}
	e := s.Section47[len(s.Section47)-1]
	return &e
}

// Section47AtMeeting says where the Section 47 enquiry stood when the meeting
// was (to be) held: a multi-agency meeting follows its completion (§6.8).
// before is true only when an enquiry was completed by the meeting's time.
func (s StrategyState) Section47AtMeeting(m Meeting) (text string, before bool) {
	var last *Section47Enquiry
	for i := range s.Section47 {
		if !s.Section47[i].StartedAt.After(m.ScheduledFor) {
			last = &s.Section47[i]
		}
	}
	day := func(t time.Time) string { return t.In(London).Format("2 January 2006") }
	switch {
	case last == nil && len(s.Section47) > 0:
		return "Started after the meeting, on " + day(s.Section47[0].StartedAt), false
	case last == nil:
		return "No Section 47 enquiry is recorded", false
	case last.CompletedAt == nil:
		return "Started on " + day(last.StartedAt) + " and not yet completed: the meeting should follow its completion (§6.8)", false
	case last.CompletedAt.After(m.ScheduledFor):
		return "Completed on " + day(*last.CompletedAt) + ", after the meeting (§6.8)", false
	}
	return "Completed on " + day(*last.CompletedAt) + ", before the meeting: " + strings.ToLower(last.OutcomeLabel()), true
}

// Section47Started records that a Section 47 enquiry began (§6.7).
type Section47Started struct {
	StartedAt time.Time `json:"startedAt"`
}

// Section47Completed records that the enquiry was completed, and what it found (§6.7, §6.8).
type Section47Completed struct {
	CompletedAt time.Time `json:"completedAt"`
	Outcome     string    `json:"outcome"`
	Summary     string    `json:"summary"`
}

func (Section47Started) eventType() string   { return EventSection47Started }
func (Section47Completed) eventType() string { return EventSection47Completed }

func (d Section47Started) apply(c *Case, e Event) {
	c.Strategy.Section47 = append(slices.Clip(c.Strategy.Section47), Section47Enquiry{Seq: e.Seq, StartedAt: d.StartedAt, StartedBy: e.Actor})
}

func (d Section47Completed) apply(c *Case, e Event) {
	s := &c.Strategy
	if len(s.Section47) == 0 {
		return
	}
	s.Section47 = slices.Clone(s.Section47)
	last := &s.Section47[len(s.Section47)-1]
	at, by := d.CompletedAt, e.Actor
	last.CompletedAt, last.CompletedBy, last.Outcome, last.Summary = &at, &by, d.Outcome, d.Summary
}

func (d Section47Started) summary(e Event) string {
	return "Section 47 enquiry started on " + d.StartedAt.In(London).Format("2 January 2006")
}

func (d Section47Completed) summary(e Event) string {
	return "Section 47 enquiry completed on " + d.CompletedAt.In(London).Format("2 January 2006") + ": " + strings.ToLower(meetingOptionText(section47Outcomes, d.Outcome))
}

// StartSection47 records that a Section 47 enquiry started (§6.7).
type StartSection47 struct {
	StartedAt time.Time `json:"startedAt"`
}

// CompleteSection47 records the enquiry's completion and its outcome (§6.7, §6.8).
type CompleteSection47 struct {
	CompletedAt time.Time `json:"completedAt"`
	Outcome     string    `json:"outcome"`
	Summary     string    `json:"summary"`
}

func (StartSection47) commandName() string    { return "start section 47" }
func (CompleteSection47) commandName() string { return "complete section 47" }

// guard says who may give StartSection47 and whether the case allows it now.
func (StartSection47) guard(p *Pathway, c Case, a Actor, now time.Time) error {
	if err := onlyChildrensServicesLeadTheStrategy(c, a); err != nil {
		return err
	}
	if err := notClosed(c); err != nil {
		return err
	}
	if s := c.Strategy.LatestSection47(); s != nil && s.Open() {
		return waymark.Errorf(waymark.ECONFLICT, "A Section 47 enquiry is already open on this case, started on %s. Record its completion first.", s.StartedAt.In(London).Format("2 January 2006"))
	}
	return nil
}

func (cmd StartSection47) decide(p *Pathway, c Case, a Actor, now time.Time) ([]Event, error) {
	var probs waymark.Problems
	switch {
	case cmd.StartedAt.IsZero():
		probs.Add("startedAt", "Enter the date and time the Section 47 enquiry started")
	case cmd.StartedAt.After(now):
		probs.Add("startedAt", "The Section 47 enquiry must already have started: record it once it has")
	case cmd.StartedAt.Before(c.Concern.IdentifiedAt):
		probs.Add("startedAt", "The Section 47 enquiry cannot start before the child was identified on %s", c.Concern.IdentifiedAt.In(London).Format("2 January 2006 at 3:04pm"))
	}
	if err := probs.Err(); err != nil {
		return nil, err
	}
	return []Event{newEvent(Section47Started{StartedAt: cmd.StartedAt.UTC()})}, nil
}

// guard says who may give CompleteSection47 and whether the case allows it now.
func (CompleteSection47) guard(p *Pathway, c Case, a Actor, now time.Time) error {
	if err := onlyChildrensServicesLeadTheStrategy(c, a); err != nil {
		return err
	}
	if err := notClosed(c); err != nil {
		return err
	}
	if s := c.Strategy.LatestSection47(); s == nil || !s.Open() {
		return waymark.Errorf(waymark.EINVALID, "No Section 47 enquiry is open on this case. Record that it started first (§6.7).")
	}
	return nil
}

func (cmd CompleteSection47) decide(p *Pathway, c Case, a Actor, now time.Time) ([]Event, error) {
	open := c.Strategy.LatestSection47()
	summary := strings.TrimSpace(cmd.Summary)
	var probs waymark.Problems
	switch {
	case cmd.CompletedAt.IsZero():
		probs.Add("completedAt", "Enter the date and time the Section 47 enquiry was completed")
	case cmd.CompletedAt.After(now):
		probs.Add("completedAt", "The Section 47 enquiry must already be complete: record it once it is")
	case open != nil && cmd.CompletedAt.Before(open.StartedAt):
		probs.Add("completedAt", "The enquiry cannot be completed before it started on %s", open.StartedAt.In(London).Format("2 January 2006 at 3:04pm"))
	}
	if !meetingIsOption(section47Outcomes, cmd.Outcome) {
		probs.Add("outcome", "Select what the Section 47 enquiry found")
	}
	checkLength(&probs, "summary", "The summary", summary, MaxNarrative)
	if err := probs.Err(); err != nil {
		return nil, err
	}
	return []Event{newEvent(Section47Completed{CompletedAt: cmd.CompletedAt.UTC(), Outcome: cmd.Outcome, Summary: summary})}, nil
}
