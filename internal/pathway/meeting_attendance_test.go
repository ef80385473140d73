package pathway_test

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"waymark"
	"waymark/internal/pathway"
)

// mtgStaff resolves the staff choices of a record as the use case does.
func mtgStaff(roles map[string]pathway.MeetingRoles, parties ...pathway.Party) map[string]pathway.StaffAttendee {
	out := map[string]pathway.StaffAttendee{}
	for _, p := range parties {
		out[pathway.AttendeeUser(p.UserID)] = pathway.StaffAttendee{Party: p, Roles: roles[p.UserID]}
	}
	return out
}

// mtgChosen is mtgRecord, whose attendees are chosen, not typed: the social
// worker and the police officer invited.
func mtgChosen(meetingID string) pathway.RecordMeetingHeld { return mtgRecord(meetingID) }

// §6.8: a meeting cannot be recorded as held before the time it was
// arranged for; the clock is the one the command is given at.
func TestMeetingCannotBeHeldBeforeItsTime(t *testing.T) {
	c, _ := mustDecide(t, contactedCase(t), mtgSocialWorker, pathway.ConveneMeeting{
		Kind: pathway.MeetingStrategy, ScheduledFor: now.Add(24 * time.Hour),
		InviteeEmails: []string{"first.responder@police.example"}, Invitees: []pathway.Party{policeLead.Party},
	}, now.Add(time.Hour))
	id := c.Meetings.Meetings[0].ID
	_, err := pathway.New(cat).Decide(c, mtgSocialWorker, mtgChosen(id), now.Add(23*time.Hour))
	wantRefused(t, err, waymark.EINVALID, "meetingId", "has not happened yet", "§6.8")
	// At its time, and after, it can be recorded.
	mustDecide(t, c, mtgSocialWorker, mtgChosen(id), now.Add(24*time.Hour))
}

// §7.4: the adult purporting to be the child's parent, sponsor or carer is
// not at a meeting that discusses future action; a brother or sister may be.
func TestPurportedParentCannotAttendFutureActionMeeting(t *testing.T) {
	for _, rel := range []string{pathway.RelationshipParent, pathway.RelationshipSponsor, pathway.RelationshipCarer, pathway.RelationshipClaimedRelative, pathway.RelationshipSuspectedExploiter} {
		t.Run(rel, func(t *testing.T) {
			c, id := mtgConvened(t)
			c = link(t, c, "Arben Kola", rel)
			seq := c.Strategy.LinkedPeople[0].Seq
			if slices.ContainsFunc(c.LinkedPeopleWhoMayAttend(), func(p pathway.LinkedPerson) bool { return p.Seq == seq }) {
				t.Fatalf("%s offered as an attendee", rel)
			}
			cmd := mtgChosen(id)
			cmd.AttendeeIDs = append(cmd.AttendeeIDs, pathway.AttendeeLinked(seq))
			_, err := pathway.New(cat).Decide(c, mtgSocialWorker, cmd, now.Add(4*time.Hour))
			wantRefused(t, err, waymark.EINVALID, "attendeeIds", "Arben Kola", "cannot attend a meeting that decides future action", "§7.4")
			// Typed by an API client, the name is refused with every typed line.
			typed := mtgRecord(id)
			typed.Attendees = append(typed.Attendees, " arben  kola , uncle")
			_, err = pathway.New(cat).Decide(c, mtgSocialWorker, typed, now.Add(4*time.Hour))
			wantRefused(t, err, waymark.EINVALID, "attendees", "typed names are no longer taken")
		})
	}
	c, id := mtgConvened(t)
	c = link(t, c, "Drita Kola", pathway.RelationshipSibling)
	cmd := mtgChosen(id)
	cmd.AttendeeIDs = append(cmd.AttendeeIDs, pathway.AttendeeLinked(c.Strategy.LinkedPeople[0].Seq))
	held, _ := mustDecide(t, c, mtgSocialWorker, cmd, now.Add(4*time.Hour))
	r := held.Meetings.Meetings[0].Held
	if len(r.LinkedAttendees) != 1 || r.LinkedAttendees[0].Name != "Drita Kola" || !slices.Contains(r.Attendees, "Drita Kola (brother or sister)") {
		t.Fatalf("the sibling's attendance was not recorded: %+v", r)
	}
}

// §6.8: attendees are chosen from the meeting's people and the people linked
// to the child, or named by their Waymark email; the record keeps who they are.
func TestMeetingAttendeesAreChosenFromTheCasesPeople(t *testing.T) {
	c, id := mtgConvened(t)
	cmd := mtgChosen(id)
	cmd.AttendeeIDs = append(cmd.AttendeeIDs, pathway.AttendeeUser("user-stranger"))
	_, err := pathway.New(cat).Decide(c, mtgSocialWorker, cmd, now)
	wantRefused(t, err, waymark.EINVALID, "attendeeIds", "Choose the people who attended from the list")

	cmd = mtgChosen(id)
	cmd.AttendeeIDs = append(cmd.AttendeeIDs, pathway.AttendeeLinked(99))
	_, err = pathway.New(cat).Decide(c, mtgSocialWorker, cmd, now)
	wantRefused(t, err, waymark.EINVALID, "attendeeIds", "from the list")

	cmd = mtgChosen(id)
	cmd.AttendeeEmails = []string{"nobody@example.org"}
	_, err = pathway.New(cat).Decide(c, mtgSocialWorker, cmd, now)
	wantRefused(t, err, waymark.EINVALID, "attendeeEmails", "nobody@example.org")

	cmd = mtgChosen(id)
	cmd.AttendeeEmails = []string{"mo@cs.example"}
	cmd.Staff["mo@cs.example"] = pathway.StaffAttendee{Party: mtgManager.Party, Roles: pathway.MeetingRoles{SupervisingManager: true}}
	held, _ := mustDecide(t, c, mtgSocialWorker, cmd, now)
	r := held.Meetings.Meetings[0].Held
	if want := []string{"Sam Social, Northshire Children's Services", "Pat Police, Northshire Police", "Mo Manager, Northshire Children's Services"}; !slices.Equal(r.Attendees, want) {
		t.Fatalf("attendees %q, want %q", r.Attendees, want)
	}
	if len(r.People) != 3 || r.AttendeeRoles == nil || !r.AttendeeRoles.Police || !r.AttendeeRoles.SupervisingManager {
		t.Fatalf("who attended is not known: %+v", r)
	}
	// Typed lines are refused (TestTypedMeetingAttendeesAreRefused).
}

// §6.8: the police and the social worker's supervising manager are involved
// in the meeting; Waymark warns while neither is invited, and after the
// meeting if neither was invited nor came.
func TestMeetingWarnsWhenPoliceOrSupervisingManagerNeitherInvitedNorPresent(t *testing.T) {
	convene := func(actor pathway.Actor, roles map[string]pathway.MeetingRoles) (pathway.Case, string) {
		cmd := mtgConvene()
		cmd.InviteeRoles = roles
		c, e := mustDecide(t, contactedCase(t), actor, cmd, now.Add(time.Hour))
		return c, e.Data.(pathway.MeetingConvened).MeetingID
	}
	warnings := func(c pathway.Case) string { return strings.Join(c.Meetings.Meetings[0].AttendanceWarnings(), " | ") }

	// The invitees' roles were not resolved (a meeting convened before): no warning.
	c, _ := convene(mtgSocialWorker, nil)
	if w := warnings(c); w != "" {
		t.Fatalf("warned without knowing who was invited: %s", w)
	}
	// The police are invited; the manager is not.
	c, id := convene(mtgSocialWorker, map[string]pathway.MeetingRoles{policeLead.UserID: {Police: true}})
	w := warnings(c)
	if strings.Contains(w, "police") || !strings.Contains(w, "supervising manager is not invited to the STRAT meeting") {
		t.Fatalf("warnings %q", w)
	}
	if ws := c.TeamWarnings(now); !slices.ContainsFunc(ws, func(w pathway.Warning) bool { return strings.Contains(w.Text, "supervising manager") }) {
		t.Fatalf("the case does not warn of the missing manager: %+v", ws)
	}
	// The manager came though not invited: no warning once held.
	cmd := mtgChosen(id)
	cmd.AttendeeIDs = []string{pathway.AttendeeUser(mtgSocialWorker.UserID)}
	cmd.AttendeeEmails = []string{"mo@cs.example"}
	cmd.Staff["mo@cs.example"] = pathway.StaffAttendee{Party: mtgManager.Party, Roles: pathway.MeetingRoles{SupervisingManager: true}}
	held, _ := mustDecide(t, c, mtgSocialWorker, cmd, now.Add(2*time.Hour))
	if w := warnings(held); w != "" {
		t.Fatalf("warned after the manager attended: %s", w)
	}
	// Neither invited nor present: warned after the meeting.
	cmd = mtgChosen(id)
	cmd.AttendeeIDs = []string{pathway.AttendeeUser(mtgSocialWorker.UserID)}
	held, _ = mustDecide(t, c, mtgSocialWorker, cmd, now.Add(2*time.Hour))
	if w := warnings(held); !strings.Contains(w, "supervising manager was neither invited to nor at") || strings.Contains(w, "police") {
		t.Fatalf("warnings after the meeting %q", w)
	}
	// A manager who convenes the meeting is there; nobody from the police is invited.
	c, _ = convene(mtgManager, map[string]pathway.MeetingRoles{})
	if w := warnings(c); !strings.Contains(w, "Nobody from the police is invited") || strings.Contains(w, "manager") {
		t.Fatalf("warnings %q", w)
	}
}

// §6.8, §7.4: a new record takes attendees only as chosen people or Waymark
// emails, since a typed name says nothing of who was police, manager or a
// purported parent; a meeting recorded with typed lines before keeps them.
func TestTypedMeetingAttendeesAreRefused(t *testing.T) {
	c, id := mtgConvened(t)
	typedOnly := mtgRecord(id)
	typedOnly.AttendeeIDs, typedOnly.Staff = nil, nil
	typedOnly.Attendees = []string{"Sam Social, social worker", "Pat Police, Northshire Police"}
	_, err := pathway.New(cat).Decide(c, mtgSocialWorker, typedOnly, now.Add(4*time.Hour))
	wantRefused(t, err, waymark.EINVALID, "attendees", "attendeeIds", "attendeeEmails", "typed names are no longer taken")
	// Alongside chosen attendees, a typed line is refused all the same.
	mixed := mtgRecord(id)
	mixed.Attendees = []string{"Dee Doctor"}
	_, err = pathway.New(cat).Decide(c, mtgSocialWorker, mixed, now.Add(4*time.Hour))
	wantRefused(t, err, waymark.EINVALID, "attendees", "typed names are no longer taken")
	// Blank lines are no typed attendee.
	blank := mtgRecord(id)
	blank.Attendees = []string{" ", ""}
	held, _ := mustDecide(t, c, mtgSocialWorker, blank, now.Add(4*time.Hour))
	if r := held.Meetings.Meetings[0].Held; r == nil || r.AttendeeRoles == nil || !r.AttendeeRoles.Police {
		t.Fatalf("the chosen attendees were not recorded: %+v", r)
	}
	// An old event with typed lines still decodes and shows them.
	raw := []byte(`{"meetingId":"m1","attendees":["Sam Social, social worker"],"nrmDecision":"not-decided"}`)
	var old pathway.MeetingHeld
	if err := json.Unmarshal(raw, &old); err != nil || !slices.Equal(old.Attendees, []string{"Sam Social, social worker"}) || old.AttendeeRoles != nil {
		t.Fatalf("an old record's typed attendees did not decode as before: %+v, %v", old, err)
	}
}
