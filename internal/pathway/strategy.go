package pathway

import (
	"slices"
	"strings"
	"time"

	"waymark"
)

// StrategyState is what the strategy discussion and the Section 47 enquiry
// have recorded: the people around the child, the discussions held, the
// interviews planned and the child's interpreters (§6.7, §7.5).
type StrategyState struct {
	LinkedPeople []LinkedPerson       `json:"linkedPeople,omitempty"`
	Discussions  []StrategyDiscussion `json:"discussions,omitempty"`
	Interviews   []InterviewPlan      `json:"interviews,omitempty"`
	Interpreters []InterpreterBooking `json:"interpreters,omitempty"` // oldest first; the last is the child's interpreter now
	Section47    []Section47Enquiry   `json:"section47,omitempty"`    // oldest first (section47.go)
}

// The strategy area makes nobody a member of the case: linked people are
// data about the child, not users (§6.5).
func (s *StrategyState) members(c *Case) []Member { return nil }

func (s *StrategyState) flags(c *Case, now time.Time, f *Flags) {}

// Event types of the strategy discussion, interviews and interpreters.
const (
	EventLinkedPersonRecorded       = "linked_person_recorded"
	EventStrategyDiscussionRecorded = "strategy_discussion_recorded"
	EventInterviewPlanned           = "interview_planned"
	EventInterpreterBooked          = "interpreter_booked"
)

// strategyEvents lists the event types of linked people, the strategy discussion and interviews.
func strategyEvents() []eventDecoder {
	return []eventDecoder{
		decoderOf[LinkedPersonRecorded](),
		decoderOf[StrategyDiscussionRecorded](),
		decoderOf[InterviewPlanned](),
		decoderOf[InterpreterBooked](),
	}
}

// Relationships a linked person can have to the child.
const (
	RelationshipParent             = "parent"
	RelationshipCarer              = "carer"
	RelationshipSponsor            = "sponsor"
	RelationshipClaimedRelative    = "claimed-relative" // an adult who says they are a relative (§6.7)
	RelationshipSuspectedExploiter = "suspected-exploiter"
	RelationshipSibling            = "sibling"
	RelationshipOther              = "other"
)

var relationships = []struct{ Value, Text string }{
	{RelationshipParent, "Parent"},
	{RelationshipCarer, "Carer"},
	{RelationshipSponsor, "Sponsor"},
	{RelationshipClaimedRelative, "Adult claiming to be a relative"},
	{RelationshipSuspectedExploiter, "Suspected exploiter"},
	{RelationshipSibling, "Brother or sister"},
	{RelationshipOther, "Someone else found with the child"},
}

// Relationships lists how a person can be linked to the child.
func Relationships() []struct{ Value, Text string } { return relationships }

// RelationshipLabel is the relationship in words; an unknown value comes back unchanged.
func RelationshipLabel(r string) string {
	for _, rel := range relationships {
		if rel.Value == r {
			return rel.Text
		}
	}
	return r
}

// relationshipPhrase is the relationship as it reads in a sentence: "X is recorded as …".
func relationshipPhrase(r string) string {
	switch r {
	case RelationshipParent:
		return "a parent of the child"
	case RelationshipCarer:
		return "the child's carer"
	case RelationshipSponsor:
		return "the child's sponsor"
	case RelationshipClaimedRelative:
		return "an adult claiming to be the child's relative"
	case RelationshipSuspectedExploiter:
		return "a suspected exploiter of the child"
	case RelationshipSibling:
		return "a brother or sister of the child"
	}
	return "someone found with the child"
}

// keptOutOfInterviews: parents, carers, sponsors, adults claiming to be
// relatives and suspected exploiters are never present when the child is
// interviewed (§6.7, §7.4, §7.6).
func keptOutOfInterviews(relationship string) bool {
	switch relationship {
	case RelationshipParent, RelationshipCarer, RelationshipSponsor, RelationshipClaimedRelative, RelationshipSuspectedExploiter:
		return true
	}
	return false
}

// LinkedPerson is someone around the child: family, a carer, a sponsor, an
// adult found with them. They are recorded to protect the child from them,
// never as users of Waymark (§1.2, §6.7).
type LinkedPerson struct {
	Seq          int       `json:"seq"`
	Name         string    `json:"name"`
	Relationship string    `json:"relationship"`
	Notes        string    `json:"notes,omitempty"`
	RecordedAt   time.Time `json:"recordedAt"`
	RecordedBy   Party     `json:"recordedBy"`
}

// RelationshipLabel is the person's relationship to the child in words.
func (p LinkedPerson) RelationshipLabel() string { return RelationshipLabel(p.Relationship) }

// KeptOutOfInterviews reports whether the person may never be present when the child is interviewed.
func (p LinkedPerson) KeptOutOfInterviews() bool { return keptOutOfInterviews(p.Relationship) }

// StrategyParticipant is one person who took part in a strategy discussion.
type StrategyParticipant struct {
	Name         string `json:"name"`
	Organisation string `json:"organisation"`
}

// StrategyDiscussion is one strategy discussion and what it decided (§6.7).
type StrategyDiscussion struct {
	Seq            int                   `json:"seq"`
	HeldAt         time.Time             `json:"heldAt"`
	Participants   []StrategyParticipant `json:"participants"`
	Section47      bool                  `json:"section47"`
	JointInterview bool                  `json:"jointInterview"`
	Notes          string                `json:"notes,omitempty"`
	RecordedBy     Party                 `json:"recordedBy"`
}

// LatestDiscussion is the most recent strategy discussion, if any was held.
func (s StrategyState) LatestDiscussion() *StrategyDiscussion {
	if len(s.Discussions) == 0 {
		return nil
	}
	d := s.Discussions[len(s.Discussions)-1]
	return &d
}

// LinkedPersonRecorded adds a person to those linked to the child.
type LinkedPersonRecorded struct {
	Person LinkedPerson `json:"person"`
}

// StrategyDiscussionRecorded records a strategy discussion and its decisions (§6.7).
type StrategyDiscussionRecorded struct {
	Discussion StrategyDiscussion `json:"discussion"`
}

func (LinkedPersonRecorded) eventType() string       { return EventLinkedPersonRecorded }
func (StrategyDiscussionRecorded) eventType() string { return EventStrategyDiscussionRecorded }

func (d LinkedPersonRecorded) apply(c *Case, e Event) {
	p := d.Person
	p.Seq, p.RecordedAt, p.RecordedBy = e.Seq, e.At, e.Actor
	c.Strategy.LinkedPeople = append(slices.Clip(c.Strategy.LinkedPeople), p)
}

func (d StrategyDiscussionRecorded) apply(c *Case, e Event) {
	sd := d.Discussion
	sd.Seq, sd.RecordedBy = e.Seq, e.Actor
	c.Strategy.Discussions = append(slices.Clip(c.Strategy.Discussions), sd)
}

// The timeline names the relationship, never the person: a suspected
// exploiter's name stays in the team's view of the case (§6.5).
func (d LinkedPersonRecorded) summary(e Event) string {
	return "Person linked to the child recorded: " + strings.ToLower(RelationshipLabel(d.Person.Relationship))
}

func (d StrategyDiscussionRecorded) summary(e Event) string {
	s47 := "no Section 47 enquiry"
	if d.Discussion.Section47 {
		s47 = "Section 47 enquiry to start"
	}
	joint := "no joint interview"
	if d.Discussion.JointInterview {
		joint = "joint interview agreed"
	}
	return "Strategy discussion held: " + s47 + "; " + joint
}

// RecordLinkedPerson records a person linked to the child.
type RecordLinkedPerson struct {
	Name         string `json:"name"`
	Relationship string `json:"relationship"`
	Notes        string `json:"notes"`
}

// RecordStrategyDiscussion records a strategy discussion that was held (§6.7).
type RecordStrategyDiscussion struct {
	HeldAt         time.Time `json:"heldAt"`
	Participants   []string  `json:"participants"` // one per line: "name, organisation"
	Section47      bool      `json:"section47"`
	JointInterview bool      `json:"jointInterview"`
	Notes          string    `json:"notes"`
}

func (RecordLinkedPerson) commandName() string       { return "record linked person" }
func (RecordStrategyDiscussion) commandName() string { return "record strategy discussion" }

// onlyTheTeamRecordsPeopleAroundTheChild: the people around a child, and the
// interviews planned with them kept out, are for those working the case (§6.5).
func onlyTheTeamRecordsPeopleAroundTheChild(c Case, a Actor) error {
	if strategyTeamMember(c, a) {
		return nil
	}
	return waymark.Errorf(waymark.EFORBIDDEN, "Only the people working this case can record this. Tell the case's social worker what you know so they can record it.")
}

// onlyChildrensServicesLeadTheStrategy: the strategy discussion, Section 47
// enquiry and the child's interpreter are Children's Services' to arrange,
// with the workers they assign (§6.7).
func onlyChildrensServicesLeadTheStrategy(c Case, a Actor) error {
	if a.InChildrensServices || strategyAssignedWorker(c, a) {
		return nil
	}
	return waymark.Errorf(waymark.EFORBIDDEN, "Only Children's Services or a worker assigned to this case can record this (§6.7). Ask the case's social worker to record it.")
}

func strategyAssignedWorker(c Case, a Actor) bool {
	for _, w := range c.Workers {
		if w.UserID != "" && w.UserID == a.UserID {
			return true
		}
	}
	return false
}

// strategyTeamMember reports whether the actor works the case: Children's
// Services, an assigned worker, the lead First Responder or the partnership lead.
func strategyTeamMember(c Case, a Actor) bool {
	for _, m := range Members(c) {
		switch m.Role {
		case MemberChildrensServices, MemberWorker, MemberFirstResponder, MemberPartnership:
		default:
			continue
		}
		if m.Covers(a.UserID, a.OrgID) {
			return true
		}
	}
	return false
}

// samePerson compares names as people write them: case, spacing and
// surrounding blanks do not make a different person.
func samePerson(a, b string) bool {
	na, nb := personKey(a), personKey(b)
	return na != "" && na == nb
}

func personKey(name string) string {
	return strings.ToLower(strings.Join(strings.Fields(name), " "))
}

// linkedPersonNamed returns the linked people whose name is name.
func (s StrategyState) linkedPersonNamed(name string) []LinkedPerson {
	var out []LinkedPerson
	for _, p := range s.LinkedPeople {
		if samePerson(p.Name, name) {
			out = append(out, p)
		}
	}
	return out
}

// guard says who may give RecordLinkedPerson and whether the case allows it now.
func (RecordLinkedPerson) guard(p *Pathway, c Case, a Actor, now time.Time) error {
	if err := onlyTheTeamRecordsPeopleAroundTheChild(c, a); err != nil {
		return err
	}
	return notClosed(c)
}

func (cmd RecordLinkedPerson) decide(p *Pathway, c Case, a Actor, now time.Time) ([]Event, error) {
	name := strings.Join(strings.Fields(cmd.Name), " ")
	notes := strings.TrimSpace(cmd.Notes)
	var probs waymark.Problems
	if name == "" {
		probs.Add("name", "Enter the person's name, or the name they gave")
	}
	checkLength(&probs, "name", "The name", name, MaxShortText)
	if RelationshipLabel(cmd.Relationship) == cmd.Relationship {
		probs.Add("relationship", "Select how the person is linked to the child")
	}
	checkLength(&probs, "notes", "The notes", notes, MaxNarrative)
	if err := probs.Err(); err != nil {
		return nil, err
	}
	for _, lp := range c.Strategy.linkedPersonNamed(name) {
		if lp.Relationship == cmd.Relationship {
			return nil, waymark.Invalid([]waymark.FieldError{{Field: "name", Message: lp.Name + " is already recorded as " + relationshipPhrase(lp.Relationship) + ". Add anything new as a case note instead"}})
		}
	}
	return []Event{newEvent(LinkedPersonRecorded{Person: LinkedPerson{Name: name, Relationship: cmd.Relationship, Notes: notes}})}, nil
}

// guard says who may give RecordStrategyDiscussion and whether the case allows it now.
func (RecordStrategyDiscussion) guard(p *Pathway, c Case, a Actor, now time.Time) error {
	if err := onlyChildrensServicesLeadTheStrategy(c, a); err != nil {
		return err
	}
	return notClosed(c)
}

func (cmd RecordStrategyDiscussion) decide(p *Pathway, c Case, a Actor, now time.Time) ([]Event, error) {
	notes := strings.TrimSpace(cmd.Notes)
	var probs waymark.Problems
	switch {
	case cmd.HeldAt.IsZero():
		probs.Add("heldAt", "Enter the date and time the strategy discussion was held")
	case cmd.HeldAt.After(now):
		probs.Add("heldAt", "The strategy discussion must already have taken place: record it once it has been held")
	case cmd.HeldAt.Before(c.Concern.IdentifiedAt):
		probs.Add("heldAt", "The strategy discussion cannot be before the child was identified on %s", c.Concern.IdentifiedAt.In(London).Format("2 January 2006 at 3:04pm"))
	}
	participants := parseStrategyParticipants(&probs, cmd.Participants)
	checkLength(&probs, "notes", "The notes", notes, MaxNarrative)
	if err := probs.Err(); err != nil {
		return nil, err
	}
	return []Event{newEvent(StrategyDiscussionRecorded{Discussion: StrategyDiscussion{
		HeldAt: cmd.HeldAt.UTC(), Participants: participants, Section47: cmd.Section47, JointInterview: cmd.JointInterview, Notes: notes,
	}})}, nil
}

// parseStrategyParticipants reads "name, organisation" lines: a strategy
// discussion is between agencies, so each participant names theirs (§6.7).
func parseStrategyParticipants(probs *waymark.Problems, lines []string) []StrategyParticipant {
	var out []StrategyParticipant
	if checkItems(probs, "participants", "Participants", lines); probs.Has("participants") {
		return nil
	}
	for _, l := range trimList(lines) {
		name, org, ok := strings.Cut(l, ",")
		name, org = strings.TrimSpace(name), strings.TrimSpace(org)
		if !ok || name == "" || org == "" {
			probs.Add("participants", "Write each participant as name, organisation – for example 'Sam Social, Northshire Children's Services'. Check '%s'", clip(l))
			return nil
		}
		if len([]rune(l)) > MaxShortText {
			probs.Add("participants", "Each participant must be %d characters or fewer", MaxShortText)
			return nil
		}
		out = append(out, StrategyParticipant{Name: name, Organisation: org})
	}
	switch {
	case len(out) < 2:
		probs.Add("participants", "List everyone who took part, one on each line as name, organisation: a strategy discussion is held between at least two people")
	case len(out) > 2*MaxListItems:
		probs.Add("participants", "List no more than %d participants", 2*MaxListItems)
	}
	return out
}
