package pathway_test

import (
	"strings"
	"testing"
	"time"

	"waymark"
	"waymark/internal/pathway"
)

// historyCase: raised by the teacher (1), a team note the teacher cannot see
// (2), the contact the teacher can (3), another team note (4).
func historyCase(t *testing.T) (pathway.Case, []pathway.Event) {
	t.Helper()
	var events []pathway.Event
	c, e := mustDecide(t, pathway.Case{}, teacher, pathway.RaiseConcern{CaseID: "case-1", Concern: validConcern(), ChildrensServicesOrg: "org-cs"}, now)
	events = append(events, e)
	c, e = mustDecide(t, c, frontDoor, pathway.AddNote{Text: "Spoke to the police."}, now.Add(time.Minute))
	events = append(events, e)
	c, e = mustDecide(t, c, frontDoor, pathway.RecordContact{Reference: "CS-2026-000001", Method: "phone"}, now.Add(time.Hour))
	events = append(events, e)
	c, e = mustDecide(t, c, frontDoor, pathway.AddNote{Text: "Strategy discussion booked."}, now.Add(2*time.Hour))
	events = append(events, e)
	return c, events
}

var referrerRoles = pathway.Membership{Roles: []string{pathway.MemberReferrer}}

func TestAReferrersHistoryIsNumberedWithoutGapsAndVersionedByWhatTheySee(t *testing.T) {
	c, events := historyCase(t)
	h := pathway.HistoryFor(c, events, referrerRoles, teacher.UserID)
	if h.Version != 2 || len(h.Events) != 2 || h.Events[0].Seq != 1 || h.Events[1].Seq != 2 || h.Events[1].Type != pathway.EventContactRecorded {
		t.Fatalf("the referrer's history: version %d, %+v; want the concern and the contact as 1 and 2", h.Version, h.Events)
	}
	team := pathway.HistoryFor(c, events, pathway.Membership{Roles: []string{pathway.MemberChildrensServices}}, frontDoor.UserID)
	if team.Version != 4 || len(team.Events) != 4 || team.Events[3].Seq != 4 {
		t.Fatalf("the team's history: version %d, %d events", team.Version, len(team.Events))
	}
}

// A correction names an entry by the number its author sees: an entry
// hidden from them is no entry, refused exactly as a number beyond the end.
func TestACorrectionAgainstAHiddenEntryIsRefusedAsNotFound(t *testing.T) {
	c, events := historyCase(t)
	h := pathway.HistoryFor(c, events, referrerRoles, teacher.UserID)
	p := pathway.New(cat)
	correct := func(n int) pathway.Command {
		return pathway.InViewOf(pathway.CorrectEntry{Corrects: n, What: "The time", Correction: "It was 9am", Reason: "Misread"}, h)
	}
	var beyond *waymark.Error
	if _, err := p.Decide(c, teacher, correct(99), now.Add(3*time.Hour)); err == nil {
		t.Fatal("a correction of entry 99 was accepted")
	} else {
		beyond = err.(*waymark.Error)
	}
	// Entries 3 and 4 exist (the team's) but the teacher sees only 1 and 2.
	for _, n := range []int{3, 4, 0, -1} {
		_, err := p.Decide(c, teacher, correct(n), now.Add(3*time.Hour))
		e, ok := err.(*waymark.Error)
		if !ok || e.Code != beyond.Code || len(e.Fields) != 1 || e.Fields[0] != beyond.Fields[0] || e.Message != beyond.Message {
			t.Errorf("correcting entry %d: %v; want exactly the refusal of entry 99 (%v)", n, err, beyond)
		}
	}
	if beyond.Fields[0].Field != "corrects" || !strings.Contains(beyond.Fields[0].Message, "between 1 and 2") {
		t.Errorf("the refusal %+v should name corrects and the referrer's own range", beyond.Fields)
	}
	// The teacher's entry 2 is the contact: stored entry 3, not the hidden note at 2.
	events2, err := p.Decide(c, teacher, correct(2), now.Add(3*time.Hour))
	if err != nil || len(events2) != 1 || events2[0].Corrects != 3 {
		t.Fatalf("correcting the teacher's entry 2: %v, %+v; want a correction of stored entry 3", err, events2)
	}
	// The team, seeing everything, corrects by the stored numbers.
	events2, err = p.Decide(c, frontDoor, pathway.CorrectEntry{Corrects: 2, What: "Who", Correction: "The police lead", Reason: "Wrong name"}, now.Add(3*time.Hour))
	if err != nil || events2[0].Corrects != 2 {
		t.Fatalf("the team correcting entry 2: %v %+v", err, events2)
	}
}
