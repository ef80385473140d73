package pathway

import (
	"fmt"
	"strings"
	"time"

	"waymark"
)

// ConveneMeeting arranges a multi-agency meeting and invites people by email
// (§6.8, annex step 2). The use case resolves the emails into Invitees.
type ConveneMeeting struct {
	Kind          string    `json:"kind"`
	ScheduledFor  time.Time `json:"scheduledFor"`
	InviteeEmails []string  `json:"inviteeEmails"`
	Invitees      []Party   `json:"-"` // filled by the use case from InviteeEmails
	// InviteeRoles says, by user id, who of the invitees is police or a
	// supervising manager (§6.8); filled by the use case.
	InviteeRoles map[string]MeetingRoles `json:"-"`
}

// RecordMeetingHeld records what the meeting agreed (§6.8, §8.5, annex step 3).
// The use case resolves LeadOrgID and says whether it is a First Responder.
type RecordMeetingHeld struct {
	MeetingID string `json:"meetingId"`
	// Who attended, chosen from the meeting's people and the people linked
	// to the child (AttendeeUser, AttendeeLinked), and anyone else on
	// Waymark by email (§6.8, §7.4).
	AttendeeIDs    []string `json:"attendeeIds"`
	AttendeeEmails []string `json:"attendeeEmails"`
	// Attendees are lines typed as free text, as the API took them before
	// attendees were chosen: a new record refuses them (meetingAttendance);
	// old MeetingHeld events keep and show theirs.
	Attendees                   []string `json:"attendees"`
	NRMDecision                 string   `json:"nrmDecision"`
	LeadOrgID                   string   `json:"leadOrgId"`
	ChildProtectionConference   *bool    `json:"childProtectionConference"`
	ChildProtectionPlan         *bool    `json:"childProtectionPlan"`
	InformationSharedWithPolice *bool    `json:"informationSharedWithPolice"`
	Notes                       string   `json:"notes"`

	LeadOrg LeadOrganisation `json:"-"` // filled by the use case from LeadOrgID
	// Staff is every staff choice and email resolved, keyed as given.
	Staff map[string]StaffAttendee `json:"-"`
}

// LeadOrganisation is an organisation a command names as lead First
// Responder, as the directory knows it.
type LeadOrganisation struct {
	ID             string
	Name           string
	FirstResponder bool // designated First Responder (§8.2, annex)
}

// RecordDisruptionPower records one power the meeting considered (§6.8 a–j).
type RecordDisruptionPower struct {
	MeetingID string `json:"meetingId"`
	Power     string `json:"power"`
	Outcome   string `json:"outcome"`
	Reason    string `json:"reason"`
}

func (ConveneMeeting) commandName() string        { return "convene meeting" }
func (RecordMeetingHeld) commandName() string     { return "record meeting held" }
func (RecordDisruptionPower) commandName() string { return "record disruption power" }

// MaxInvitees bounds a meeting's invitation list.
const MaxInvitees = 30

// guard says who may give ConveneMeeting and whether the case allows it now.
func (ConveneMeeting) guard(p *Pathway, c Case, a Actor, now time.Time) error {
	if err := canRecordMeeting(a); err != nil {
		return err
	}
	return notClosed(c)
}

func (cmd ConveneMeeting) decide(p *Pathway, c Case, a Actor, now time.Time) ([]Event, error) {
	var probs waymark.Problems
	if !meetingIsOption(meetingKinds, cmd.Kind) {
		probs.Add("kind", "Select whether this is a STRAT or a MARM meeting")
	}
	switch {
	case cmd.ScheduledFor.IsZero():
		probs.Add("scheduledFor", "Enter the date and time of the meeting")
	case cmd.ScheduledFor.Before(now.AddDate(0, 0, -30)):
		probs.Add("scheduledFor", "The meeting date must be no more than 30 days ago. Record an older meeting in a case note")
	case cmd.ScheduledFor.After(now.AddDate(0, 6, 0)):
		probs.Add("scheduledFor", "The meeting date must be within the next 6 months")
	}
	switch {
	case len(cmd.InviteeEmails) == 0:
		probs.Add("inviteeEmails", "Enter the email address of at least one person to invite, such as the police and the supervising manager (§6.8)")
	case len(cmd.InviteeEmails) > MaxInvitees:
		probs.Add("inviteeEmails", "Invite no more than %d people", MaxInvitees)
	case len(cmd.Invitees) != len(cmd.InviteeEmails):
		return nil, waymark.Errorf(waymark.EINTERNAL, "invitees were not resolved")
	}
	if err := probs.Err(); err != nil {
		return nil, err
	}
	var invitees []Party
	for _, inv := range cmd.Invitees {
		if !meetingHasParty(invitees, inv.UserID) {
			invitees = append(invitees, inv)
		}
	}
	id := fmt.Sprintf("meeting-%d", c.Version+1)
	var roles *MeetingRoles
	if cmd.InviteeRoles != nil {
		// The convener is at their own meeting: a manager who convenes it is there (§6.8).
		r := MeetingRoles{SupervisingManager: a.Role == RoleManager && a.InChildrensServices}
		for _, inv := range invitees {
			r = r.with(cmd.InviteeRoles[inv.UserID])
		}
		roles = &r
	}
	return []Event{newEvent(MeetingConvened{MeetingID: id, Kind: cmd.Kind, ScheduledFor: cmd.ScheduledFor.UTC(), Invitees: invitees, InviteeRoles: roles})}, nil
}

func meetingHasParty(ps []Party, userID string) bool {
	for _, p := range ps {
		if p.UserID == userID {
			return true
		}
	}
	return false
}

// guard says who may give RecordMeetingHeld and whether the case allows it now.
func (RecordMeetingHeld) guard(p *Pathway, c Case, a Actor, now time.Time) error {
	if err := canRecordMeeting(a); err != nil {
		return err
	}
	if err := notClosed(c); err != nil {
		return err
	}
	return c.Meetings.aMeetingAwaitsItsRecord()
}

func (cmd RecordMeetingHeld) decide(p *Pathway, c Case, a Actor, now time.Time) ([]Event, error) {
	m, err := c.Meetings.meetingFor(cmd.MeetingID, false)
	if err != nil {
		return nil, err
	}
	if m.Held != nil {
		return nil, waymark.Errorf(waymark.ECONFLICT, "What the %s agreed was already recorded on %s. Convene a new meeting to review the plan.", m.Title(), m.Held.RecordedAt.In(London).Format("2 January 2006"))
	}
	if err := meetingIsHeldOnlyOnceItsTimeHasCome(m, now); err != nil {
		return nil, err
	}
	var probs waymark.Problems
	attendees, people, linked, present := meetingAttendance(&probs, c, m, cmd)
	roles := &present // every attendee is chosen, so it is known who came
	if !meetingIsOption(meetingNRMDecisions, cmd.NRMDecision) {
		probs.Add("nrmDecision", "Select whether the meeting agreed to submit an NRM referral")
	}
	lead := LeadOrganisation{}
	if cmd.NRMDecision == NRMSubmit {
		var ok bool
		if lead, ok = checkLeadFirstResponder(&probs, "leadOrgId", cmd.LeadOrgID, cmd.LeadOrg); !ok {
			lead = LeadOrganisation{}
		}
	}
	yesNo := func(field string, v *bool, question string) bool {
		if v == nil {
			probs.Add(field, "Select yes or no: %s", question)
			return false
		}
		return *v
	}
	cpc := yesNo("childProtectionConference", cmd.ChildProtectionConference, "is a Child Protection Conference to be held?")
	cpp := yesNo("childProtectionPlan", cmd.ChildProtectionPlan, "is the child to have a child protection plan?")
	police := yesNo("informationSharedWithPolice", cmd.InformationSharedWithPolice, "was information and intelligence shared with the police?")
	checkLength(&probs, "notes", "The notes", cmd.Notes, MaxNarrative)
	if err := probs.Err(); err != nil {
		return nil, err
	}
	return []Event{newEvent(MeetingHeld{
		MeetingID: m.ID, Attendees: attendees, NRMDecision: cmd.NRMDecision, LeadOrgID: lead.ID, LeadOrgName: lead.Name,
		ChildProtectionConference: cpc, ChildProtectionPlan: cpp, InformationSharedWithPolice: police,
		Notes: strings.TrimSpace(cmd.Notes), SharedWith: meetingPartyIDs(m.Invitees),
		People: people, LinkedAttendees: linked, AttendeeRoles: roles,
	})}, nil
}

// checkLeadFirstResponder: only a designated First Responder organisation can
// submit the NRM referral, so only one can be its lead (§8.2, §8.5, annex).
func checkLeadFirstResponder(probs *waymark.Problems, field, id string, org LeadOrganisation) (LeadOrganisation, bool) {
	switch {
	case strings.TrimSpace(id) == "":
		probs.Add(field, "Select the lead First Responder organisation that will submit the NRM referral")
	case org.ID == "":
		probs.Add(field, "Select an organisation from the list")
	case !org.FirstResponder:
		probs.Add(field, "%s is not a designated First Responder, so it cannot submit an NRM referral (§8.2). Select a First Responder organisation, such as the local authority or the police", org.Name)
	default:
		return org, true
	}
	return LeadOrganisation{}, false
}

// guard says who may give RecordDisruptionPower and whether the case allows it now.
func (RecordDisruptionPower) guard(p *Pathway, c Case, a Actor, now time.Time) error {
	if err := canRecordMeeting(a); err != nil {
		return err
	}
	if err := notClosed(c); err != nil {
		return err
	}
	return c.Meetings.aMeetingWasHeld("the powers it considered")
}

func (cmd RecordDisruptionPower) decide(p *Pathway, c Case, a Actor, now time.Time) ([]Event, error) {
	m, err := c.Meetings.meetingFor(cmd.MeetingID, true)
	if err != nil {
		return nil, err
	}
	if m.Held == nil {
		return nil, waymark.Errorf(waymark.EINVALID, "Record what the %s agreed first, then the powers it considered (§6.8).", m.Title())
	}
	var probs waymark.Problems
	if pw, ok := disruptionPower(cmd.Power); !ok || !pw.InForce(now) {
		probs.Add("power", "Select the power the meeting considered")
	}
	if !meetingIsOption(powerOutcomes, cmd.Outcome) {
		probs.Add("outcome", "Select what became of the power")
	}
	if strings.TrimSpace(cmd.Reason) == "" {
		probs.Add("reason", "Enter why the meeting decided this, so others can follow the reasoning later")
	}
	checkLength(&probs, "reason", "The reason", cmd.Reason, MaxNarrative)
	if err := probs.Err(); err != nil {
		return nil, err
	}
	return []Event{newEvent(DisruptionPowerConsidered{MeetingID: m.ID, Power: cmd.Power, Outcome: cmd.Outcome, Reason: strings.TrimSpace(cmd.Reason), SharedWith: meetingPartyIDs(m.Invitees)})}, nil
}
