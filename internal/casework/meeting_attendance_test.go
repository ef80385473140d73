package casework_test

import (
	"strings"
	"testing"
	"time"

	"waymark"
	"waymark/internal/casework"
	"waymark/internal/pathway"
	"waymark/internal/store"
	"waymark/internal/storetest"
)

func warningTexts(view casework.CaseView) string {
	var out []string
	for _, w := range view.Warnings {
		out = append(out, w.Text)
	}
	return strings.Join(out, " | ")
}

// §6.8: who of the invitees and attendees is police or the supervising
// manager is read from the directory; the team is warned of whoever is
// missing, and nobody outside the team is shown the team's warnings (§6.5).
func TestMeetingWarnsTheTeamWhenTheSupervisingManagerIsNotInvited(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		p := newPartnership(t, db)
		id := meetingCase(p)
		convene(p, id, "first.responder@police.example")

		view, _ := seesCase(t, p, p.SocialWorker, id)
		w := warningTexts(view)
		if !strings.Contains(w, "supervising manager is not invited") || strings.Contains(w, "Nobody from the police") {
			t.Fatalf("the team's warnings: %s", w)
		}
		police, _ := seesCase(t, p, p.PoliceLead, id)
		if w := warningTexts(police); strings.Contains(w, "supervising manager") {
			t.Fatalf("an invitee is shown the team's warnings: %s", w)
		}

		// The manager came though not invited: named by email, and known as the manager.
		meetingID := view.Case.Meetings.Meetings[0].ID
		cmd := recordHeld(pathway.NRMDoNotSubmit, "")
		cmd.MeetingID, cmd.Attendees = meetingID, nil
		cmd.AttendeeIDs = []string{pathway.AttendeeUser(p.SocialWorker.User.ID), pathway.AttendeeUser(p.PoliceLead.User.ID)}
		cmd.AttendeeEmails = []string{" manager@cs.example "}
		p.meetingMustAct(p.SocialWorker, id, cmd)
		view, _ = seesCase(t, p, p.SocialWorker, id)
		r := view.Case.Meetings.Meetings[0].Held
		if r.AttendeeRoles == nil || !r.AttendeeRoles.Police || !r.AttendeeRoles.SupervisingManager || len(r.People) != 3 {
			t.Fatalf("who attended: %+v", r)
		}
		if w := view.Case.Meetings.Meetings[0].AttendanceWarnings(); len(w) != 0 {
			t.Fatalf("warned after the manager attended: %q", w)
		}
	})
}

// §6.8: an email that is nobody's on Waymark is refused, naming it.
func TestMeetingAttendeeEmailMustBeSomeonesOnWaymark(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		p := newPartnership(t, db)
		id := meetingCase(p)
		convene(p, id, "first.responder@police.example")
		cmd := recordHeld(pathway.NRMDoNotSubmit, "")
		cmd.Attendees = nil
		cmd.AttendeeIDs = []string{pathway.AttendeeUser(p.SocialWorker.User.ID)}
		cmd.AttendeeEmails = []string{"stranger@example.org"}
		err := p.meetingAct(p.SocialWorker, id, cmd)
		if waymark.ErrorCode(err) != waymark.EINVALID || len(waymark.ErrorFields(err)) == 0 || waymark.ErrorFields(err)[0].Field != "attendeeEmails" ||
			!strings.Contains(waymark.ErrorFields(err)[0].Message, "stranger@example.org") {
			t.Fatalf("err %v %+v", err, waymark.ErrorFields(err))
		}
	})
}

// §6.8: the meeting is recorded as held only once its time has come, by the service's clock.
func TestMeetingCannotBeRecordedBeforeItsTimeByTheServiceClock(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		p := newPartnership(t, db)
		id := meetingCase(p)
		p.meetingMustAct(p.SocialWorker, id, pathway.ConveneMeeting{Kind: pathway.MeetingStrategy, ScheduledFor: p.clock.Now().Add(2 * time.Hour), InviteeEmails: []string{"first.responder@police.example"}})
		err := p.meetingAct(p.SocialWorker, id, recordHeld(pathway.NRMDoNotSubmit, ""))
		if waymark.ErrorCode(err) != waymark.EINVALID || !strings.Contains(waymark.ErrorMessage(err)+errFields(err), "has not happened yet") {
			t.Fatalf("recorded before its time: %v", err)
		}
		p.clock.Advance(2 * time.Hour)
		p.meetingMustAct(p.SocialWorker, id, recordHeld(pathway.NRMDoNotSubmit, ""))
	})
}

func errFields(err error) string {
	var out []string
	for _, f := range waymark.ErrorFields(err) {
		out = append(out, f.Message)
	}
	return strings.Join(out, " ")
}

// §6.7: a child whose language is not English, with an interview planned
// and no interpreter: the case view warns the team, in pages and API alike.
func TestCaseViewWarnsOfAnInterviewWithoutTheInterpreterTheChildNeeds(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, db *store.DB) {
		p := newPartnership(t, db)
		id := meetingCase(p, func(c *pathway.Concern) { c.Child.Languages = []string{"Tigrinya"} })
		p.meetingMustAct(p.SocialWorker, id, pathway.PlanInterview{PlannedFor: p.clock.Now().Add(24 * time.Hour), Interviewers: []string{"Sam Social"}})
		view, _ := seesCase(t, p, p.SocialWorker, id)
		if w := warningTexts(view); !strings.Contains(w, "The child's language is Tigrinya and no interpreter is booked for the interview planned") {
			t.Fatalf("warnings: %s", w)
		}
		teacher, _ := seesCase(t, p, p.Teacher, id)
		if w := warningTexts(teacher); strings.Contains(w, "interpreter") {
			t.Fatalf("the referrer is shown the team's arrangements: %s", w)
		}
	})
}
