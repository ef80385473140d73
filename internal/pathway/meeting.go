package pathway

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"waymark"
)

// The multi-agency meeting (STRAT or MARM) that agrees the plan after the
// Section 47 enquiry, the actions it sets, and the escalation of a
// disagreement about the NRM (§6.8, §8.5, §8.6, annex steps 2–3).
// Commands are in meeting_commands.go, actions in meeting_actions.go and
// escalations in meeting_escalation.go.

// Event types of this area.
const (
	EventMeetingConvened           = "meeting_convened"
	EventMeetingHeld               = "meeting_held"
	EventDisruptionPowerConsidered = "disruption_power_considered"
	EventMeetingActionAdded        = "meeting_action_added"
	EventMeetingActionDone         = "meeting_action_done"
	EventEscalationRaised          = "escalation_raised"
	EventEscalationMovedUp         = "escalation_moved_up"
	EventEscalationResolved        = "escalation_resolved"
)

// meetingEvents lists the event types of the multi-agency meeting and escalations.
func meetingEvents() []eventDecoder {
	return []eventDecoder{
		decoderOf[MeetingConvened](),
		decoderOf[MeetingHeld](),
		decoderOf[DisruptionPowerConsidered](),
		decoderOf[MeetingActionAdded](),
		decoderOf[MeetingActionDone](),
		decoderOf[EscalationRaised](),
		decoderOf[EscalationMovedUp](),
		decoderOf[EscalationResolved](),
	}
}

// MeetingState holds the multi-agency meetings, their actions and the
// escalations of disagreements about the NRM.
type MeetingState struct {
	Meetings    []Meeting
	Actions     []MeetingAction
	Escalations []Escalation
}

// Meeting is one multi-agency meeting (§6.8, annex step 2).
type Meeting struct {
	ID           string
	Seq          int // the event that convened it
	Kind         string
	ScheduledFor time.Time
	ConvenedBy   Party
	ConvenedAt   time.Time
	Invitees     []Party
	Held         *MeetingRecord
	Powers       []PowerConsidered
	InviteeRoles *MeetingRoles // nil when convened before Waymark knew (meeting_attendance.go)
}

// KindLabel is the meeting's kind in practitioners' words.
func (m Meeting) KindLabel() string { return MeetingKindLabel(m.Kind) }

// Title names the meeting in lists and questions: "STRAT meeting on 12 March 2026 at 10:00am".
func (m Meeting) Title() string {
	return m.KindLabelShort() + " meeting on " + m.ScheduledFor.In(London).Format("2 January 2006 at 3:04pm")
}

// KindLabelShort is STRAT or MARM.
func (m Meeting) KindLabelShort() string { return strings.ToUpper(m.Kind) }

// MeetingRecord is what the meeting agreed (§6.8, §8.5, annex step 3).
type MeetingRecord struct {
	Seq                         int
	RecordedAt                  time.Time
	By                          Party
	Attendees                   []string
	NRMDecision                 string // one of MeetingNRMDecisions
	LeadOrgID                   string // the lead First Responder organisation, when the NRM is to be submitted
	LeadOrgName                 string
	ChildProtectionConference   bool
	ChildProtectionPlan         bool
	InformationSharedWithPolice bool
	Notes                       string
	People                      []Party          // staff chosen as attending (meeting_attendance.go)
	LinkedAttendees             []LinkedAttendee // people linked to the child who attended
	AttendeeRoles               *MeetingRoles    // nil when attendees were typed (meeting_attendance.go)
}

// NRMDecisionLabel is the decision in words.
func (r MeetingRecord) NRMDecisionLabel() string {
	return meetingOptionText(meetingNRMDecisions, r.NRMDecision)
}

// PowerConsidered is one safeguarding or disruption power the meeting
// considered, with what became of it (§6.8 a–j).
type PowerConsidered struct {
	Seq     int
	At      time.Time
	By      Party
	Power   string
	Outcome string
	Reason  string
}

// PowerLabel is the power's name; OutcomeLabel what became of it.
func (p PowerConsidered) PowerLabel() string   { return DisruptionPowerLabel(p.Power) }
func (p PowerConsidered) OutcomeLabel() string { return meetingOptionText(powerOutcomes, p.Outcome) }

// Section is the letter of §6.8's list the power comes from.
func (p PowerConsidered) Section() string {
	for _, dp := range disruptionPowers {
		if dp.Value == p.Power {
			return dp.Section
		}
	}
	return "§6.8"
}

// Meeting kinds (§8.5: the meeting organised by Children's Services is a STRAT or a MARM).
const (
	MeetingStrategy       = "strat"
	MeetingRiskManagement = "marm"
)

var meetingKinds = []struct{ Value, Text string }{
	{MeetingStrategy, "STRAT – strategy meeting"},
	{MeetingRiskManagement, "MARM – multi-agency risk management meeting"},
}

// MeetingKinds lists the kinds of multi-agency meeting.
func MeetingKinds() []struct{ Value, Text string } { return meetingKinds }

// MeetingKindLabel is a meeting kind in words.
func MeetingKindLabel(k string) string { return meetingOptionText(meetingKinds, k) }

// The meeting's NRM decision (§8.5, annex step 3).
const (
	NRMSubmit      = "submit"
	NRMDoNotSubmit = "do-not-submit"
	NRMNotDecided  = "not-decided"
)

var meetingNRMDecisions = []struct{ Value, Text string }{
	{NRMSubmit, "Yes – an NRM referral is to be submitted by the lead First Responder organisation"},
	{NRMDoNotSubmit, "No – an NRM referral is not to be submitted"},
	{NRMNotDecided, "Not decided at this meeting"},
}

// MeetingNRMDecisions lists the answers to "Did the meeting agree to submit an NRM referral?".
func MeetingNRMDecisions() []struct{ Value, Text string } { return meetingNRMDecisions }

// The powers a meeting considers to protect the child and disrupt the
// exploiters (§6.8 a–j) are catalogue data: see disruption_powers.go.

// DisruptionPowers lists the powers of §6.8 a–j, each with its section.
func DisruptionPowers() []struct{ Value, Text, Section string } { return disruptionPowers }

// DisruptionPowerLabel is a power's name; an unknown value comes back unchanged.
func DisruptionPowerLabel(v string) string {
	if p, ok := disruptionPower(v); ok {
		return p.Label
	}
	return v
}

var powerOutcomes = []struct{ Value, Text string }{
	{"to-apply", "To be applied for"},
	{"applied", "Applied for"},
	{"granted", "Granted"},
	{"refused", "Refused"},
	{"not-appropriate", "Considered and not appropriate"},
}

// PowerOutcomes lists what can become of a power the meeting considered.
func PowerOutcomes() []struct{ Value, Text string } { return powerOutcomes }

func meetingOptionText(opts []struct{ Value, Text string }, v string) string {
	for _, o := range opts {
		if o.Value == v {
			return o.Text
		}
	}
	return v
}

func meetingIsOption(opts []struct{ Value, Text string }, v string) bool {
	for _, o := range opts {
		if o.Value == v {
			return true
		}
	}
	return false
}

// Meeting returns the meeting with id.
func (s MeetingState) Meeting(id string) (Meeting, bool) {
	for _, m := range s.Meetings {
		if m.ID == id {
			return m, true
		}
	}
	return Meeting{}, false
}

// NRMDecision is the multi-agency decision on NRM submission as it stands:
// the latest held meeting that decided yes or no, or a later escalation that
// was resolved either way (§8.5, §8.6). Without either, decided is false.
// leadOrgID is the lead First Responder organisation that is to submit the
// referral; it is empty unless submit is true. An escalation still open does
// not change the decision: Flags.OpenEscalations says it is disputed.
func (s MeetingState) NRMDecision() (decided bool, submit bool, leadOrgID string) {
	latest := 0
	for _, m := range s.Meetings {
		if r := m.Held; r != nil && r.Seq > latest && (r.NRMDecision == NRMSubmit || r.NRMDecision == NRMDoNotSubmit) {
			latest, decided, submit, leadOrgID = r.Seq, true, r.NRMDecision == NRMSubmit, r.LeadOrgID
		}
	}
	for _, e := range s.Escalations {
		if r := e.Resolution; r != nil && r.Seq > latest && (r.Outcome == EscalationSubmit || r.Outcome == EscalationDoNotSubmit) {
			latest, decided, submit, leadOrgID = r.Seq, true, r.Outcome == EscalationSubmit, r.LeadOrgID
		}
	}
	if !submit {
		leadOrgID = ""
	}
	return decided, submit, leadOrgID
}

// leadOrg is the organisation last named as lead First Responder.
func (s MeetingState) leadOrg() (id, name string) {
	latest := 0
	for _, m := range s.Meetings {
		if r := m.Held; r != nil && r.LeadOrgID != "" && r.Seq > latest {
			latest, id, name = r.Seq, r.LeadOrgID, r.LeadOrgName
		}
	}
	for _, e := range s.Escalations {
		if r := e.Resolution; r != nil && r.LeadOrgID != "" && r.Seq > latest {
			latest, id, name = r.Seq, r.LeadOrgID, r.LeadOrgName
		}
	}
	return id, name
}

// members: the partnership lead while an escalation is open (§8.6), every
// invitee of a meeting (§6.8, annex: including a referrer who is not a First
// Responder), and every organisation named lead First Responder (§8.5): once
// named, it keeps need to know to receive the Home Office's decisions.
// A person may hold several of these roles, and others, at once (migration 0033).
func (s *MeetingState) members(c *Case) []Member {
	var ms []Member
	for _, e := range s.Escalations {
		if e.Open() {
			for _, p := range e.PartnershipLeads {
				ms = append(ms, Member{Kind: "user", ID: p.UserID, Role: MemberPartnership})
			}
		}
	}
	for _, m := range s.Meetings {
		for _, p := range m.Invitees {
			ms = append(ms, Member{Kind: "user", ID: p.UserID, Role: MemberInvitee})
		}
	}
	for _, m := range s.Meetings {
		if m.Held != nil && m.Held.LeadOrgID != "" {
			ms = append(ms, Member{Kind: "org", ID: m.Held.LeadOrgID, Role: MemberFirstResponder})
		}
	}
	for _, e := range s.Escalations {
		if r := e.Resolution; r != nil && r.LeadOrgID != "" {
			ms = append(ms, Member{Kind: "org", ID: r.LeadOrgID, Role: MemberFirstResponder})
		}
	}
	return dedupeMeetingMembers(ms)
}

func dedupeMeetingMembers(ms []Member) []Member {
	seen := map[string]bool{}
	var out []Member
	for _, m := range ms {
		k := m.Kind + "/" + m.ID + "/" + m.Role // a person may hold several roles (§6.5)
		if m.ID == "" || seen[k] {
			continue
		}
		seen[k] = true
		out = append(out, m)
	}
	return out
}

func (s *MeetingState) flags(c *Case, now time.Time, f *Flags) {
	for _, e := range s.Escalations {
		if e.Open() {
			f.OpenEscalations++
		}
	}
}

// sharedEvent is an event that people outside the team are to see: the
// invitees of the meeting it belongs to, the owner of an action, the person
// who raised an escalation (§6.5 need to know, §6.8).
type sharedEvent interface{ sharedWith() []string }

// sharedWithParticipant reports whether the event is one the viewer takes
// part in, though they are not on the team.
func sharedWithParticipant(e Event, viewerUserID string) bool {
	se, ok := e.Data.(sharedEvent)
	return ok && viewerUserID != "" && slices.Contains(se.sharedWith(), viewerUserID)
}

func meetingPartyIDs(ps ...[]Party) []string {
	var out []string
	for _, list := range ps {
		for _, p := range list {
			if p.UserID != "" && !slices.Contains(out, p.UserID) {
				out = append(out, p.UserID)
			}
		}
	}
	return out
}

// MeetingConvened: the social worker has arranged the meeting and invited people (§6.8).
type MeetingConvened struct {
	MeetingID    string    `json:"meetingId"`
	Kind         string    `json:"kind"`
	ScheduledFor time.Time `json:"scheduledFor"`
	Invitees     []Party   `json:"invitees"`
	// InviteeRoles says whether the police and the supervising manager are
	// among the invitees (§6.8); absent from meetings convened before.
	InviteeRoles *MeetingRoles `json:"inviteeRoles,omitempty"`
}

// MeetingHeld: what the meeting agreed (§6.8, §8.5, annex step 3).
type MeetingHeld struct {
	MeetingID                   string   `json:"meetingId"`
	Attendees                   []string `json:"attendees"`
	NRMDecision                 string   `json:"nrmDecision"`
	LeadOrgID                   string   `json:"leadOrgId"`
	LeadOrgName                 string   `json:"leadOrgName"`
	ChildProtectionConference   bool     `json:"childProtectionConference"`
	ChildProtectionPlan         bool     `json:"childProtectionPlan"`
	InformationSharedWithPolice bool     `json:"informationSharedWithPolice"`
	Notes                       string   `json:"notes"`
	SharedWith                  []string `json:"sharedWith"` // the meeting's invitees
	// The attendees chosen (meeting_attendance.go); Attendees holds them
	// as lines too, as it held the typed lines before.
	People          []Party          `json:"people,omitempty"`
	LinkedAttendees []LinkedAttendee `json:"linkedAttendees,omitempty"`
	AttendeeRoles   *MeetingRoles    `json:"attendeeRoles,omitempty"`
}

// DisruptionPowerConsidered: one power the meeting considered (§6.8 a–j).
type DisruptionPowerConsidered struct {
	MeetingID  string   `json:"meetingId"`
	Power      string   `json:"power"`
	Outcome    string   `json:"outcome"`
	Reason     string   `json:"reason"`
	SharedWith []string `json:"sharedWith"`
}

func (MeetingConvened) eventType() string           { return EventMeetingConvened }
func (MeetingHeld) eventType() string               { return EventMeetingHeld }
func (DisruptionPowerConsidered) eventType() string { return EventDisruptionPowerConsidered }

func (d MeetingConvened) sharedWith() []string           { return meetingPartyIDs(d.Invitees) }
func (d MeetingHeld) sharedWith() []string               { return d.SharedWith }
func (d DisruptionPowerConsidered) sharedWith() []string { return d.SharedWith }

func (d MeetingConvened) apply(c *Case, e Event) {
	s := &c.Meetings
	s.Meetings = append(slices.Clone(s.Meetings), Meeting{
		ID: d.MeetingID, Seq: e.Seq, Kind: d.Kind, ScheduledFor: d.ScheduledFor, ConvenedBy: e.Actor, ConvenedAt: e.At,
		Invitees: slices.Clone(d.Invitees), InviteeRoles: d.InviteeRoles,
	})
}

// updateMeeting changes one meeting in a copy of the list, so the earlier
// state is left as it was (Apply is pure).
func (s *MeetingState) updateMeeting(id string, change func(m *Meeting)) {
	i := slices.IndexFunc(s.Meetings, func(m Meeting) bool { return m.ID == id })
	if i < 0 {
		return
	}
	s.Meetings = slices.Clone(s.Meetings)
	change(&s.Meetings[i])
}

func (d MeetingHeld) apply(c *Case, e Event) {
	c.Meetings.updateMeeting(d.MeetingID, func(m *Meeting) {
		m.Held = &MeetingRecord{
			Seq: e.Seq, RecordedAt: e.At, By: e.Actor, Attendees: slices.Clone(d.Attendees), NRMDecision: d.NRMDecision,
			LeadOrgID: d.LeadOrgID, LeadOrgName: d.LeadOrgName,
			ChildProtectionConference: d.ChildProtectionConference, ChildProtectionPlan: d.ChildProtectionPlan,
			InformationSharedWithPolice: d.InformationSharedWithPolice, Notes: d.Notes,
			People: slices.Clone(d.People), LinkedAttendees: slices.Clone(d.LinkedAttendees), AttendeeRoles: d.AttendeeRoles,
		}
	})
}

func (d DisruptionPowerConsidered) apply(c *Case, e Event) {
	c.Meetings.updateMeeting(d.MeetingID, func(m *Meeting) {
		p := PowerConsidered{Seq: e.Seq, At: e.At, By: e.Actor, Power: d.Power, Outcome: d.Outcome, Reason: d.Reason}
		m.Powers = slices.Clone(m.Powers)
		// A power considered again at the same meeting (applied for, then
		// granted) replaces what was shown; the log keeps every step.
		if i := slices.IndexFunc(m.Powers, func(x PowerConsidered) bool { return x.Power == d.Power }); i >= 0 {
			m.Powers[i] = p
			return
		}
		m.Powers = append(m.Powers, p)
	})
}

func (d MeetingConvened) summary(e Event) string {
	return fmt.Sprintf("%s meeting convened for %s; %s invited", strings.ToUpper(d.Kind),
		d.ScheduledFor.In(London).Format("2 January 2006 at 3:04pm"), meetingPlural(len(d.Invitees), "person", "people"))
}

func (d MeetingHeld) summary(e Event) string {
	switch d.NRMDecision {
	case NRMSubmit:
		return "Multi-agency meeting held: NRM referral to be submitted by " + d.LeadOrgName
	case NRMDoNotSubmit:
		return "Multi-agency meeting held: no NRM referral to be submitted"
	}
	return "Multi-agency meeting held: NRM submission not decided"
}

func (d DisruptionPowerConsidered) summary(e Event) string {
	return "Power considered at the meeting: " + DisruptionPowerLabel(d.Power) + " – " + strings.ToLower(meetingOptionText(powerOutcomes, d.Outcome))
}

func meetingPlural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

// canRecordMeeting: the social worker convenes the meeting and records what
// it agreed, with their supervising manager (§6.8).
func canRecordMeeting(a Actor) error {
	if !a.InChildrensServices || (a.Role != RoleSocialWorker && a.Role != RoleManager) {
		return waymark.Errorf(waymark.EFORBIDDEN, "Only the social worker or their supervising manager in Children's Services can arrange and record the multi-agency meeting (§6.8). Ask the case's social worker.")
	}
	return nil
}

// meetingFor finds the meeting a command names; with no id, the latest that
// fits (held or not, as wanted), so that an API client need not know the id.
func (s MeetingState) meetingFor(id string, held bool) (Meeting, error) {
	if id == "" {
		for i := len(s.Meetings) - 1; i >= 0; i-- {
			if (s.Meetings[i].Held != nil) == held {
				return s.Meetings[i], nil
			}
		}
		if held {
			return Meeting{}, waymark.Errorf(waymark.EINVALID, "No multi-agency meeting has been recorded as held yet. Record what the meeting agreed first (§6.8).")
		}
		return Meeting{}, waymark.Errorf(waymark.EINVALID, "There is no meeting waiting to be recorded. Convene the multi-agency meeting first (§6.8).")
	}
	m, ok := s.Meeting(id)
	if !ok {
		return Meeting{}, waymark.Invalid([]waymark.FieldError{{Field: "meetingId", Message: "Select a meeting of this case"}})
	}
	return m, nil
}

// aMeetingWasHeld: what a meeting agreed comes before its actions and the
// powers it considered (§6.8).
func (s MeetingState) aMeetingWasHeld(what string) error {
	for _, m := range s.Meetings {
		if m.Held != nil {
			return nil
		}
	}
	if len(s.Meetings) == 0 {
		return waymark.Errorf(waymark.EINVALID, "No multi-agency meeting has been convened yet. Convene it, record what it agreed, then %s (§6.8).", what)
	}
	return waymark.Errorf(waymark.EINVALID, "Record what the %s agreed first, then %s (§6.8).", s.Meetings[len(s.Meetings)-1].Title(), what)
}

// aMeetingAwaitsItsRecord: what a meeting agreed is recorded once, after it
// was convened (§6.8, §8.5).
func (s MeetingState) aMeetingAwaitsItsRecord() error {
	if len(s.Meetings) == 0 {
		return waymark.Errorf(waymark.EINVALID, "No multi-agency meeting has been convened yet. Convene it first, then record what it agreed (§6.8).")
	}
	for _, m := range s.Meetings {
		if m.Held == nil {
			return nil
		}
	}
	return waymark.Errorf(waymark.ECONFLICT, "What every meeting on this case agreed is already recorded. Convene a new meeting to review the plan.")
}
