package pathway

import (
	"strings"
	"time"

	"waymark"
)

// The child's household (§6.8): who the child lives with, whether the child
// is a member of that family, and whether the child is related to anyone
// else in this country (RecordHousehold). When the recorded facts show the
// child is neither, the multi-agency meeting considers whether the child
// must be moved from the household and whether legal advice is sought on a
// separate application for immigration status; the case prompts it until the
// meeting's consideration is recorded (RecordUnrelatedChildConsidered).

// The answers to the household questions.
const (
	HouseholdYes     = "yes"
	HouseholdNo      = "no"
	HouseholdUnknown = "unknown"
)

var householdAnswers = []struct{ Value, Text string }{
	{HouseholdYes, "Yes"},
	{HouseholdNo, "No"},
	{HouseholdUnknown, "Not known yet"},
}

// HouseholdAnswers lists the answers to the household questions (§6.8).
func HouseholdAnswers() []struct{ Value, Text string } { return householdAnswers }

func validHouseholdAnswer(v string) bool {
	for _, a := range householdAnswers {
		if a.Value == v {
			return true
		}
	}
	return false
}

// HouseholdState is what the team recorded of the child's household, and
// what the meeting considered when the child is unrelated to it (§6.8).
type HouseholdState struct {
	Records        []HouseholdRecord           `json:"records,omitempty"`        // latest last
	Considerations []UnrelatedChildConsidering `json:"considerations,omitempty"` // latest last
}

// HouseholdRecord is one record of who the child lives with (§6.8).
type HouseholdRecord struct {
	Seq            int       `json:"seq"`
	At             time.Time `json:"at"`
	By             Party     `json:"by"`
	LivesWith      string    `json:"livesWith"`
	MemberOfFamily string    `json:"memberOfFamily"` // is the child a member of the family they live with?
	RelatedInUK    string    `json:"relatedInUK"`    // is the child related to anyone else in this country?
}

// UnrelatedChildConsidering is what a meeting decided about a child who is
// unrelated to their household (§6.8).
type UnrelatedChildConsidering struct {
	Seq               int       `json:"seq"`
	At                time.Time `json:"at"`
	By                Party     `json:"by"`
	MeetingID         string    `json:"meetingId"`
	Move              string    `json:"move"`              // whether the child needs to be moved from the household, and why
	ImmigrationAdvice string    `json:"immigrationAdvice"` // whether legal advice is sought on a separate immigration application
}

// Household is the latest record of the child's household, if any.
func (s HouseholdState) Household() (HouseholdRecord, bool) {
	if len(s.Records) == 0 {
		return HouseholdRecord{}, false
	}
	return s.Records[len(s.Records)-1], true
}

// UnrelatedToHousehold: the recorded facts show the child is not a member of
// the family they live with and is not related to anyone else in this
// country (§6.8).
func (c Case) UnrelatedToHousehold() bool {
	h, ok := c.Household.Household()
	return ok && h.MemberOfFamily == HouseholdNo && h.RelatedInUK == HouseholdNo
}

// UnrelatedChildAwaitsMeeting: the child is unrelated to their household
// and no meeting has considered it since that was recorded (§6.8).
func (c Case) UnrelatedChildAwaitsMeeting() bool {
	if !c.UnrelatedToHousehold() {
		return false
	}
	h, _ := c.Household.Household()
	for _, k := range c.Household.Considerations {
		if k.Seq > h.Seq {
			return false
		}
	}
	return true
}

// UnrelatedChildPrompt is what the meeting page asks while the meeting has
// still to consider a child unrelated to their household (§6.8); "" otherwise.
func (c Case) UnrelatedChildPrompt() string {
	if !c.UnrelatedToHousehold() || !c.UnrelatedChildAwaitsMeeting() {
		return ""
	}
	return "The child is not a member of the family they live with and is not related to anyone else in this country. The multi-agency meeting should consider whether the child needs to be moved from the household, and whether to seek legal advice on a separate application for immigration status (§6.8)."
}

// Event types of the household.
const (
	EventHouseholdRecorded        = "household_recorded"
	EventUnrelatedChildConsidered = "unrelated_child_considered"
)

// householdEvents lists the event types of the household.
func householdEvents() []eventDecoder {
	return []eventDecoder{decoderOf[HouseholdRecorded](), decoderOf[UnrelatedChildConsidered]()}
}

// HouseholdRecorded is who the child lives with and how they are related (§6.8).
type HouseholdRecorded struct {
	LivesWith      string `json:"livesWith"`
	MemberOfFamily string `json:"memberOfFamily"`
	RelatedInUK    string `json:"relatedInUK"`
}

func (HouseholdRecorded) eventType() string { return EventHouseholdRecorded }

func (d HouseholdRecorded) apply(c *Case, e Event) {
	c.Household.Records = append(c.Household.Records, HouseholdRecord{Seq: e.Seq, At: e.At, By: e.Actor,
		LivesWith: d.LivesWith, MemberOfFamily: d.MemberOfFamily, RelatedInUK: d.RelatedInUK})
}

func (HouseholdRecorded) summary(e Event) string { return "The child's household recorded" }

// UnrelatedChildConsidered is the meeting's consideration of a child
// unrelated to their household (§6.8).
type UnrelatedChildConsidered struct {
	MeetingID         string `json:"meetingId"`
	Move              string `json:"move"`
	ImmigrationAdvice string `json:"immigrationAdvice"`
}

func (UnrelatedChildConsidered) eventType() string { return EventUnrelatedChildConsidered }

func (d UnrelatedChildConsidered) apply(c *Case, e Event) {
	c.Household.Considerations = append(c.Household.Considerations, UnrelatedChildConsidering{Seq: e.Seq, At: e.At, By: e.Actor,
		MeetingID: d.MeetingID, Move: d.Move, ImmigrationAdvice: d.ImmigrationAdvice})
}

func (UnrelatedChildConsidered) summary(e Event) string {
	return "The meeting considered moving the child and a separate immigration application"
}

// RecordHousehold records who the child lives with and how they are related (§6.8).
type RecordHousehold struct {
	LivesWith      string `json:"livesWith"`
	MemberOfFamily string `json:"memberOfFamily"`
	RelatedInUK    string `json:"relatedInUK"`
}

func (RecordHousehold) commandName() string { return "record household" }

// guard: the Children's Services team records the household, on an open case.
func (RecordHousehold) guard(p *Pathway, c Case, a Actor, now time.Time) error {
	if err := canManageCase(a); err != nil {
		return err
	}
	return notClosed(c)
}

func (cmd RecordHousehold) decide(p *Pathway, c Case, a Actor, now time.Time) ([]Event, error) {
	var probs waymark.Problems
	lives := strings.TrimSpace(cmd.LivesWith)
	if lives == "" {
		probs.Add("livesWith", "Enter who the child lives with, and who they say they are to the child")
	}
	checkLength(&probs, "livesWith", "Who the child lives with", lives, MaxNarrative)
	if !validHouseholdAnswer(cmd.MemberOfFamily) {
		probs.Add("memberOfFamily", "Select whether the child is a member of the family they live with, or that it is not known yet")
	}
	if !validHouseholdAnswer(cmd.RelatedInUK) {
		probs.Add("relatedInUK", "Select whether the child is related to anyone else in this country, or that it is not known yet")
	}
	if err := probs.Err(); err != nil {
		return nil, err
	}
	return []Event{newEvent(HouseholdRecorded{LivesWith: lives, MemberOfFamily: cmd.MemberOfFamily, RelatedInUK: cmd.RelatedInUK})}, nil
}

// RecordUnrelatedChildConsidered records what the multi-agency meeting
// decided about a child unrelated to their household (§6.8).
type RecordUnrelatedChildConsidered struct {
	MeetingID         string `json:"meetingId,omitempty"` // the meeting held; empty for the latest
	Move              string `json:"move"`
	ImmigrationAdvice string `json:"immigrationAdvice"`
}

func (RecordUnrelatedChildConsidered) commandName() string {
	return "record unrelated child considered"
}

// guard: the social worker or their manager records what the meeting
// decided (§6.8), once the facts show the child unrelated to the household
// and a meeting was held.
func (RecordUnrelatedChildConsidered) guard(p *Pathway, c Case, a Actor, now time.Time) error {
	if err := canRecordMeeting(a); err != nil {
		return err
	}
	if err := notClosed(c); err != nil {
		return err
	}
	if !c.UnrelatedToHousehold() {
		return waymark.Errorf(waymark.EINVALID, "The case does not record the child as unrelated to the family they live with and to anyone else in this country. Record the child's household first (§6.8).")
	}
	return c.Meetings.aMeetingWasHeld("record what it decided about the child's household")
}

func (cmd RecordUnrelatedChildConsidered) decide(p *Pathway, c Case, a Actor, now time.Time) ([]Event, error) {
	m, err := c.Meetings.meetingFor(cmd.MeetingID, true)
	if err != nil {
		return nil, err
	}
	var probs waymark.Problems
	move, advice := strings.TrimSpace(cmd.Move), strings.TrimSpace(cmd.ImmigrationAdvice)
	if move == "" {
		probs.Add("move", "Enter what the meeting decided about moving the child from the household, and why")
	}
	if advice == "" {
		probs.Add("immigrationAdvice", "Enter what the meeting decided about legal advice on a separate application for immigration status, and why")
	}
	checkLength(&probs, "move", "The decision on moving the child", move, MaxNarrative)
	checkLength(&probs, "immigrationAdvice", "The decision on immigration advice", advice, MaxNarrative)
	if err := probs.Err(); err != nil {
		return nil, err
	}
	return []Event{newEvent(UnrelatedChildConsidered{MeetingID: m.ID, Move: move, ImmigrationAdvice: advice})}, nil
}
