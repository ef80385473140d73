package pathway

import (
	"strconv"
	"strings"
	"time"

	"waymark"
)

// Who is invited to and attends the multi-agency meeting (§6.8, §7.4): the
// attendees are chosen from the case's people and the people linked to the
// child, never typed; the police and the supervising manager are expected;
// an adult purporting to be the child's parent, sponsor or carer is never
// there; and a meeting is recorded as held only once its time has come.

// MeetingRoles says which of the people §6.8 expects at every meeting a list
// holds: the police and the social worker's supervising manager.
type MeetingRoles struct {
	Police             bool `json:"police"`
	SupervisingManager bool `json:"supervisingManager"`
}

func (r MeetingRoles) with(o MeetingRoles) MeetingRoles {
	return MeetingRoles{Police: r.Police || o.Police, SupervisingManager: r.SupervisingManager || o.SupervisingManager}
}

// StaffAttendee is a member of staff chosen as attending, as the use case
// resolved them from the directory.
type StaffAttendee struct {
	Party
	Roles MeetingRoles
}

// LinkedAttendee is a person linked to the child who attended a meeting.
type LinkedAttendee struct {
	Seq          int    `json:"seq"` // the LinkedPerson's
	Name         string `json:"name"`
	Relationship string `json:"relationship"`
}

// The choices of "Who attended?": a member of staff by user id, a person
// linked to the child by the seq of their record.
const (
	attendeeUserPrefix   = "user:"
	attendeeLinkedPrefix = "linked:"
)

// AttendeeUser is the choice of a member of staff as an attendee.
func AttendeeUser(userID string) string { return attendeeUserPrefix + userID }

// AttendeeLinked is the choice of a person linked to the child as an attendee.
func AttendeeLinked(seq int) string { return attendeeLinkedPrefix + strconv.Itoa(seq) }

// AttendeeUserID is the user id of a staff choice; ok is false for any other.
func AttendeeUserID(choice string) (string, bool) {
	id, ok := strings.CutPrefix(strings.TrimSpace(choice), attendeeUserPrefix)
	return id, ok && id != ""
}

// MeetingPeople are the staff who can be chosen as attending the meeting:
// whoever convened it, its invitees and the workers assigned to the case.
func (c Case) MeetingPeople(m Meeting) []Party {
	var out []Party
	for _, p := range append(append([]Party{m.ConvenedBy}, m.Invitees...), c.Workers...) {
		if p.UserID != "" && !meetingHasParty(out, p.UserID) {
			out = append(out, p)
		}
	}
	return out
}

// LinkedPeopleWhoMayAttend are the people linked to the child who may be at
// a meeting about future action: not a parent, carer, sponsor, adult
// claiming to be a relative or suspected exploiter (§7.4).
func (c Case) LinkedPeopleWhoMayAttend() []LinkedPerson {
	var out []LinkedPerson
	for _, p := range c.Strategy.LinkedPeople {
		if !purportedParentSponsorOrCarer(p.Relationship) {
			out = append(out, p)
		}
	}
	return out
}

// purportedParentSponsorOrCarer: the adult purporting to be the child's
// parent, sponsor or carer is not at interviews or at meetings that discuss
// future action (§7.4), nor is anyone suspected of exploiting the child (§6.7).
func purportedParentSponsorOrCarer(relationship string) bool {
	return keptOutOfInterviews(relationship)
}

// meetingIsHeldOnlyOnceItsTimeHasCome: a meeting cannot be recorded as held
// before the time it was arranged for (§6.8).
func meetingIsHeldOnlyOnceItsTimeHasCome(m Meeting, now time.Time) error {
	if !now.Before(m.ScheduledFor) {
		return nil
	}
	return waymark.Invalid([]waymark.FieldError{{Field: "meetingId", Message: "The " + m.Title() +
		" has not happened yet, so what it agreed cannot be recorded. Record it after the meeting, or convene a new meeting if it was moved earlier (§6.8)"}})
}

// meetingAttendance reads "Who attended?": the staff and linked people
// chosen and anyone else by email; free-text lines, which the API took
// before attendees were chosen, are refused (§6.8, §7.4). It returns the lines the record shows, the
// staff, the linked people and which of §6.8's expected people came.
func meetingAttendance(probs *waymark.Problems, c Case, m Meeting, cmd RecordMeetingHeld) ([]string, []Party, []LinkedAttendee, MeetingRoles) {
	var lines []string
	var staff []Party
	var linked []LinkedAttendee
	var roles MeetingRoles
	addStaff := func(key string) {
		s, ok := cmd.Staff[key]
		if !ok {
			probs.Add("attendeeIds", "Choose the people who attended from the list")
			return
		}
		if meetingHasParty(staff, s.UserID) {
			return
		}
		staff = append(staff, s.Party)
		roles = roles.with(s.Roles)
		line := s.Name
		if s.OrgName != "" {
			line += ", " + s.OrgName
		}
		lines = append(lines, line)
	}
	people := c.MeetingPeople(m)
	for _, choice := range cmd.AttendeeIDs {
		choice = strings.TrimSpace(choice)
		if id, ok := AttendeeUserID(choice); ok {
			if !meetingHasParty(people, id) {
				probs.Add("attendeeIds", "Choose the people who attended from the list. Add anyone else by their email address")
				continue
			}
			addStaff(choice)
			continue
		}
		seqText, ok := strings.CutPrefix(choice, attendeeLinkedPrefix)
		seq, err := strconv.Atoi(seqText)
		lp, found := c.Strategy.linkedPersonBySeq(seq)
		if !ok || err != nil || !found {
			probs.Add("attendeeIds", "Choose the people who attended from the list")
			continue
		}
		if purportedParentSponsorOrCarer(lp.Relationship) {
			probs.Add("attendeeIds", "%s is recorded on this case as %s and cannot attend a meeting that decides future action for the child (§7.4). Remove them, and meet them separately if the plan needs their account", lp.Name, relationshipPhrase(lp.Relationship))
			continue
		}
		linked = append(linked, LinkedAttendee{Seq: lp.Seq, Name: lp.Name, Relationship: lp.Relationship})
		lines = append(lines, lp.Name+" ("+strings.ToLower(RelationshipLabel(lp.Relationship))+")")
	}
	emails := trimList(cmd.AttendeeEmails)
	if len(emails) > MaxInvitees {
		probs.Add("attendeeEmails", "Enter no more than %d email addresses", MaxInvitees)
		emails = nil
	}
	for _, e := range emails {
		if _, ok := cmd.Staff[e]; !ok {
			probs.Add("attendeeEmails", "There is no active Waymark user with the email address %s. Check it, or choose the person from the list", e)
			continue
		}
		addStaff(e)
	}
	// Typed lines are no longer taken: a name typed as free text tells
	// nobody whether the police or the supervising manager came (§6.8) or
	// whether a purported parent did (§7.4). Old events keep theirs.
	if len(trimList(cmd.Attendees)) > 0 {
		probs.Add("attendees", "Choose who attended from the people on the case (attendeeIds) or give their Waymark email addresses (attendeeEmails); typed names are no longer taken")
	}
	switch {
	case len(lines) == 0 && !probs.Has("attendeeIds") && !probs.Has("attendeeEmails") && !probs.Has("attendees"):
		probs.Add("attendeeIds", "Choose who attended the meeting")
	case len(lines) > MaxInvitees*2:
		probs.Add("attendeeIds", "Record no more than %d attendees", MaxInvitees*2)
	}
	return lines, staff, linked, roles
}

func (s StrategyState) linkedPersonBySeq(seq int) (LinkedPerson, bool) {
	for _, p := range s.LinkedPeople {
		if p.Seq == seq {
			return p, true
		}
	}
	return LinkedPerson{}, false
}

// AttendanceWarnings says which of the people §6.8 expects at the meeting
// were neither invited nor, once it was held, present: the police and the
// social worker's supervising manager. A meeting recorded before Waymark
// knew who was who warns of nothing it cannot know.
func (m Meeting) AttendanceWarnings() []string {
	if m.InviteeRoles == nil {
		return nil
	}
	invited := *m.InviteeRoles
	var present MeetingRoles
	if m.Held != nil {
		if m.Held.AttendeeRoles == nil {
			return nil
		}
		present = *m.Held.AttendeeRoles
	}
	var ws []string
	for _, who := range []struct {
		invited, present    bool
		notInvited, neither string
	}{
		{invited.Police, present.Police, "Nobody from the police is invited to", "Nobody from the police was invited to or attended"},
		{invited.SupervisingManager, present.SupervisingManager, "The social worker's supervising manager is not invited to", "The social worker's supervising manager was neither invited to nor at"},
	} {
		switch {
		case who.invited || who.present:
		case m.Held == nil:
			ws = append(ws, who.notInvited+" the "+m.Title()+". Invite them: the meeting involves them (§6.8).")
		default:
			ws = append(ws, who.neither+" the "+m.Title()+". Make sure they agree the plan (§6.8).")
		}
	}
	return ws
}

// MeetingWarnings are what the team must know about a meeting: who §6.8
// expects and is missing, a Section 47 enquiry not completed before it, and
// a child who needs an interpreter when none is booked (§6.7, §6.8).
func (c Case) MeetingWarnings(m Meeting) []string {
	ws := m.AttendanceWarnings()
	if m.Held == nil {
		if s := c.Strategy.LatestSection47(); s != nil && s.Open() {
			ws = append(ws, "The Section 47 enquiry started on "+s.StartedAt.In(London).Format("2 January 2006")+" is not recorded as completed. The "+m.Title()+" should follow its completion (§6.8).")
		}
		if lang, needs := c.childNeedsAnInterpreter(); needs && c.Strategy.CurrentInterpreter() == nil {
			ws = append(ws, "The child's language is "+lang+" and no interpreter is booked for the "+m.Title()+". Book a professional, approved and DBS-checked interpreter (§6.7).")
		}
	}
	return ws
}
