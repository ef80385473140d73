package pathway_test

import (
	"strings"
	"testing"
	"time"

	"waymark"
	"waymark/internal/pathway"
)

// §6.7, §6.8: the Section 47 enquiry's start, completion and outcome are
// recorded, and the meeting shows whether it followed the completion.
func TestSection47IsRecordedAndTheMeetingShowsWhetherItFinishedFirst(t *testing.T) {
	c := strategyCase(t)
	c, e := mustDecide(t, c, mtgSocialWorker, pathway.StartSection47{StartedAt: now.Add(3 * time.Hour)}, now.Add(4*time.Hour))
	if s := e.Summary(); s != "Section 47 enquiry started on 10 March 2026" {
		t.Fatalf("summary %q", s)
	}
	// One enquiry at a time.
	_, err := pathway.New(cat).Decide(c, mtgSocialWorker, pathway.StartSection47{StartedAt: now.Add(3 * time.Hour)}, now.Add(5*time.Hour))
	wantRefused(t, err, waymark.ECONFLICT, "", "already open")

	// A meeting convened while the enquiry is open is warned about.
	c, _ = mustDecide(t, c, mtgSocialWorker, pathway.ConveneMeeting{Kind: pathway.MeetingStrategy, ScheduledFor: now.Add(72 * time.Hour),
		InviteeEmails: []string{"first.responder@police.example"}, Invitees: []pathway.Party{policeLead.Party}}, now.Add(5*time.Hour))
	m := c.Meetings.Meetings[0]
	if text, before := c.Strategy.Section47AtMeeting(m); before || !strings.Contains(text, "not yet completed") {
		t.Fatalf("open enquiry at the meeting: %q %v", text, before)
	}
	if ws := strings.Join(c.MeetingWarnings(m), " "); !strings.Contains(ws, "Section 47 enquiry started on 10 March 2026 is not recorded as completed") {
		t.Fatalf("meeting warnings %q", ws)
	}

	complete := pathway.CompleteSection47{CompletedAt: now.Add(48 * time.Hour), Outcome: pathway.Section47ContinuingRiskOfHarm, Summary: "Exploitation confirmed by police intelligence."}
	_, err = pathway.New(cat).Decide(c, mtgSocialWorker, complete, now.Add(47*time.Hour))
	wantRefused(t, err, waymark.EINVALID, "completedAt", "already be complete")
	bad := complete
	bad.CompletedAt, bad.Outcome = now.Add(2*time.Hour), "maybe"
	_, err = pathway.New(cat).Decide(c, mtgSocialWorker, bad, now.Add(49*time.Hour))
	wantRefused(t, err, waymark.EINVALID, "completedAt", "before it started")
	wantRefused(t, err, waymark.EINVALID, "outcome", "Select what the Section 47 enquiry found")

	done, e := mustDecide(t, c, mtgSocialWorker, complete, now.Add(49*time.Hour))
	if !strings.Contains(e.Summary(), "completed on 12 March 2026: concerns substantiated and the child is judged to be at continuing risk") {
		t.Fatalf("summary %q", e.Summary())
	}
	s := done.Strategy.LatestSection47()
	if s.Open() || s.Outcome != pathway.Section47ContinuingRiskOfHarm || s.Summary == "" || s.CompletedBy.UserID != mtgSocialWorker.UserID {
		t.Fatalf("enquiry %+v", s)
	}
	if text, before := done.Strategy.Section47AtMeeting(m); !before || !strings.Contains(text, "before the meeting") {
		t.Fatalf("completed enquiry at the meeting: %q %v", text, before)
	}
	// Completed after the meeting's time: shown as such.
	late := complete
	late.CompletedAt = now.Add(80 * time.Hour)
	after, _ := mustDecide(t, c, mtgSocialWorker, late, now.Add(81*time.Hour))
	if text, before := after.Strategy.Section47AtMeeting(m); before || !strings.Contains(text, "after the meeting") {
		t.Fatalf("late enquiry at the meeting: %q %v", text, before)
	}
	// Nothing to complete once it is complete.
	_, err = pathway.New(cat).Decide(done, mtgSocialWorker, complete, now.Add(50*time.Hour))
	wantRefused(t, err, waymark.EINVALID, "", "No Section 47 enquiry is open")
}

// §6.7: the Section 47 enquiry is Children's Services' to record.
func TestOnlyChildrensServicesRecordTheSection47Enquiry(t *testing.T) {
	c := strategyCase(t)
	for _, a := range []pathway.Actor{teacher, policeLead} {
		_, err := pathway.New(cat).Decide(c, a, pathway.StartSection47{StartedAt: now.Add(3 * time.Hour)}, now.Add(4*time.Hour))
		wantRefused(t, err, waymark.EFORBIDDEN, "", "§6.7")
	}
	_, err := pathway.New(cat).Decide(c, mtgSocialWorker, pathway.StartSection47{StartedAt: now.Add(-3 * time.Hour)}, now.Add(4*time.Hour))
	wantRefused(t, err, waymark.EINVALID, "startedAt", "before the child was identified")
}

// §6.7, §7.5: when the child's preferred language is not English, an
// interview or meeting still to come without an interpreter is warned about.
func TestInterpreterWarnedWhenChildsLanguageIsNotEnglishAndNoneIsBooked(t *testing.T) {
	withLanguage := func(langs ...string) pathway.Case {
		concern := validConcern()
		concern.Child.Languages = langs
		c, _ := mustDecide(t, pathway.Case{}, teacher, pathway.RaiseConcern{CaseID: "case-1", Concern: concern, ChildrensServicesOrg: "org-cs"}, now)
		c, _ = mustDecide(t, c, frontDoor, pathway.RecordContact{Reference: "CS-2026-000001", Method: "phone"}, now.Add(time.Hour))
		c, _ = mustDecide(t, c, frontDoor, pathway.PlanInterview{PlannedFor: now.Add(48 * time.Hour), Interviewers: []string{"Sam Social"}}, now.Add(2*time.Hour))
		c, _ = mustDecide(t, c, mtgSocialWorker, pathway.ConveneMeeting{Kind: pathway.MeetingStrategy, ScheduledFor: now.Add(72 * time.Hour),
			InviteeEmails: []string{"first.responder@police.example"}, Invitees: []pathway.Party{policeLead.Party}}, now.Add(2*time.Hour))
		return c
	}
	texts := func(ws []pathway.Warning) string {
		var out []string
		for _, w := range ws {
			out = append(out, w.Kind+": "+w.Text)
		}
		return strings.Join(out, " | ")
	}
	for _, langs := range [][]string{nil, {"English"}, {"english (British Sign Language interpreter not needed)"}} {
		if ws := texts(withLanguage(langs...).TeamWarnings(now)); strings.Contains(ws, "interpreter") {
			t.Fatalf("languages %q: warned %s", langs, ws)
		}
	}
	c := withLanguage("Albanian", "English")
	ws := texts(c.TeamWarnings(now))
	if !strings.Contains(ws, "interpreter-needed: The child's language is Albanian and no interpreter is booked for the interview planned for 12 March 2026 at 9:00am") ||
		!strings.Contains(ws, "meeting: The child's language is Albanian and no interpreter is booked for the STRAT meeting") {
		t.Fatalf("warnings %s", ws)
	}
	// An interview already held is past warning.
	if ws := texts(c.TeamWarnings(now.Add(49 * time.Hour))); strings.Contains(ws, "interview planned") {
		t.Fatalf("warned of a past interview: %s", ws)
	}
	// An interpreter booked for the child, and one planned for the interview, end the warnings.
	in := vetted("int-1", "Elira Hoxha")
	c, _ = mustDecide(t, c, frontDoor, booking(in), now.Add(3*time.Hour))
	c, _ = mustDecide(t, c, frontDoor, pathway.PlanInterview{PlannedFor: now.Add(50 * time.Hour), Interviewers: []string{"Sam Social"}, InterpreterID: in.ID, Interpreter: in}, now.Add(3*time.Hour))
	ws = texts(c.TeamWarnings(now.Add(49 * time.Hour)))
	if strings.Contains(ws, "interpreter") {
		t.Fatalf("warned with an interpreter booked: %s", ws)
	}
}
