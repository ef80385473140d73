package web

import (
	"strings"

	"waymark/internal/casework"
	"waymark/internal/pathway"
)

// "Who attended?" is chosen, not typed (§6.8, §7.4): the staff of every
// meeting still to be recorded (whoever convened it, its invitees, the
// case's workers) and the people linked to the child who may attend. The
// pathway decides who those are (Case.MeetingPeople,
// Case.LinkedPeopleWhoMayAttend); anyone else is named by email.

// attendeeOptions lists the people who can be chosen as attending.
func attendeeOptions(_ *Server, v casework.CaseView) []option {
	var out []option
	seen := map[string]bool{}
	ms := v.Case.Meetings.Meetings
	for i := len(ms) - 1; i >= 0; i-- {
		if ms[i].Held != nil {
			continue
		}
		for _, p := range v.Case.MeetingPeople(ms[i]) {
			value := pathway.AttendeeUser(p.UserID)
			if seen[value] {
				continue
			}
			seen[value] = true
			text := p.Name
			if p.OrgName != "" {
				text += ", " + p.OrgName
			}
			out = append(out, option{value, text})
		}
	}
	for _, lp := range v.Case.LinkedPeopleWhoMayAttend() {
		out = append(out, option{pathway.AttendeeLinked(lp.Seq), lp.Name + " (" + strings.ToLower(lp.RelationshipLabel()) + ")"})
	}
	return out
}

// expectedAttendees starts "Who attended?" with the people already known to
// be coming (WCAG 3.3.7, redundant entry): whoever convened the meeting the
// form first offers (the newest not yet recorded as held) and everyone
// invited to it. The person recording unticks anyone who did not come.
func expectedAttendees(v casework.CaseView) []string {
	ms := v.Case.Meetings.Meetings
	for i := len(ms) - 1; i >= 0; i-- {
		if ms[i].Held != nil {
			continue
		}
		var out []string
		for _, p := range append([]pathway.Party{ms[i].ConvenedBy}, ms[i].Invitees...) {
			if p.UserID != "" {
				out = append(out, pathway.AttendeeUser(p.UserID))
			}
		}
		return out
	}
	return nil
}
