package pathway_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"waymark"
	"waymark/internal/pathway"
)

// annex step 1: the contact and its outcome belong to Children's Services,
// not to the referrer nor to another First Responder such as the police.
func TestOnlyChildrensServicesRecordContactAndOutcome(t *testing.T) {
	for _, actor := range []pathway.Actor{teacher, policeLead} {
		t.Run(actor.OrgName, func(t *testing.T) {
			p := pathway.New(cat)
			_, err := p.Decide(raisedCase(t), actor, pathway.RecordContact{Reference: "CS-2026-000001", Method: "phone"}, now)
			wantRefused(t, err, waymark.EFORBIDDEN, "", "Only Children's Services")

			_, err = p.Decide(contactedCase(t), actor, pathway.RecordOutcome{Decision: "strategy-discussion", NextStep: "Strategy discussion tomorrow"}, now.Add(2*time.Hour))
			wantRefused(t, err, waymark.EFORBIDDEN, "", "Only Children's Services")
		})
	}
	c, _ := mustDecide(t, raisedCase(t), frontDoor, pathway.RecordContact{Reference: "CS-2026-000001", Method: "phone"}, now)
	mustDecide(t, c, frontDoor, pathway.RecordOutcome{Decision: "strategy-discussion", NextStep: "Strategy discussion tomorrow"}, now)
}

// annex step 1: the referrer needs the reference before the outcome.
func TestOutcomeNeedsContactFirst(t *testing.T) {
	_, err := pathway.New(cat).Decide(raisedCase(t), frontDoor, pathway.RecordOutcome{Decision: "assessment", NextStep: "Assessment"}, now)
	wantRefused(t, err, waymark.EINVALID, "", "Record the contact first")
}

// annex step 1: one contact, one unique reference.
func TestContactIsRecordedOnlyOnce(t *testing.T) {
	_, err := pathway.New(cat).Decide(contactedCase(t), frontDoor, pathway.RecordContact{Reference: "CS-2026-000002", Method: "email"}, now.Add(2*time.Hour))
	wantRefused(t, err, waymark.ECONFLICT, "", "CS-2026-000001")
}

func TestOutcomeIsRecordedOnlyOnce(t *testing.T) {
	c, _ := mustDecide(t, contactedCase(t), frontDoor, pathway.RecordOutcome{Decision: "assessment", NextStep: "Child and family assessment"}, now.Add(2*time.Hour))
	_, err := pathway.New(cat).Decide(c, frontDoor, pathway.RecordOutcome{Decision: "advice-given", NextStep: "None"}, now.Add(3*time.Hour))
	wantRefused(t, err, waymark.ECONFLICT, "", "already given")
}

func TestContactNeedsAKnownMethodAndABoundedNote(t *testing.T) {
	p := pathway.New(cat)
	_, err := p.Decide(raisedCase(t), frontDoor, pathway.RecordContact{Reference: "CS-2026-000001", Method: "carrier-pigeon"}, now)
	wantRefused(t, err, waymark.EINVALID, "method")

	note := strings.Repeat("n", pathway.MaxNarrative)
	mustDecide(t, raisedCase(t), frontDoor, pathway.RecordContact{Reference: "CS-2026-000001", Method: "phone", Note: note}, now)
	_, err = p.Decide(raisedCase(t), frontDoor, pathway.RecordContact{Reference: "CS-2026-000001", Method: "phone", Note: note + "n"}, now)
	wantRefused(t, err, waymark.EINVALID, "note", fmt.Sprint(pathway.MaxNarrative))
}

func TestOutcomeNeedsAKnownDecisionAndANextStep(t *testing.T) {
	p := pathway.New(cat)
	c := contactedCase(t)
	_, err := p.Decide(c, frontDoor, pathway.RecordOutcome{Decision: "shrug", NextStep: "Wait"}, now)
	wantRefused(t, err, waymark.EINVALID, "decision")

	_, err = p.Decide(c, frontDoor, pathway.RecordOutcome{Decision: "assessment", NextStep: ""}, now)
	wantRefused(t, err, waymark.EINVALID, "nextStep")

	step := strings.Repeat("s", pathway.MaxNarrative)
	mustDecide(t, c, frontDoor, pathway.RecordOutcome{Decision: "assessment", NextStep: step}, now)
	_, err = p.Decide(c, frontDoor, pathway.RecordOutcome{Decision: "assessment", NextStep: step + "s"}, now)
	wantRefused(t, err, waymark.EINVALID, "nextStep", fmt.Sprint(pathway.MaxNarrative))
}

func clockOf(t *testing.T, c pathway.Case, kind pathway.ClockKind) pathway.Clock {
	t.Helper()
	var found []pathway.Clock
	for _, cl := range c.Clocks {
		if cl.Kind == kind {
			found = append(found, cl)
		}
	}
	if len(found) != 1 {
		t.Fatalf("case has %d %s clocks, want 1: %+v", len(found), kind, c.Clocks)
	}
	return found[0]
}

// §8.5: Children's Services must know within 24 hours of the child being
// identified — not of the concern being typed in.
func TestNotifyClockStartsAtIdentificationAndIsDue24HoursLater(t *testing.T) {
	c := raisedCase(t)
	identified := validConcern().IdentifiedAt
	cl := clockOf(t, c, pathway.ClockNotifyChildrensServices)
	if !cl.StartedAt.Equal(identified) || !cl.DueAt.Equal(identified.Add(24*time.Hour)) {
		t.Fatalf("notify clock runs %s → %s, want %s → %s", cl.StartedAt, cl.DueAt, identified, identified.Add(24*time.Hour))
	}
	if cl.Section != "§8.5" {
		t.Errorf("notify clock cites %q, want §8.5", cl.Section)
	}
	if got := cl.Status(now); got != pathway.ClockRunning {
		t.Fatalf("status at raising = %s, want running", got)
	}
	if got := cl.Remaining(now); got != 22*time.Hour {
		t.Fatalf("remaining at raising = %s, want 22h (identified 2h before)", got)
	}
	if got := cl.Status(identified.Add(24*time.Hour + time.Second)); got != pathway.ClockOverdue {
		t.Fatalf("status a second after due = %s, want overdue", got)
	}
}

func TestNotifyClockIsStoppedByTheContact(t *testing.T) {
	identified := validConcern().IdentifiedAt
	for _, tc := range []struct {
		name      string
		contactAt time.Time
		want      pathway.ClockStatus
	}{
		{"within 24 hours", now.Add(time.Hour), pathway.ClockMet},
		{"after 24 hours", identified.Add(30 * time.Hour), pathway.ClockLate},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, _ := mustDecide(t, raisedCase(t), frontDoor, pathway.RecordContact{Reference: "CS-2026-000001", Method: "phone"}, tc.contactAt)
			cl := clockOf(t, c, pathway.ClockNotifyChildrensServices)
			if cl.Running() || cl.StoppedAt == nil || !cl.StoppedAt.Equal(tc.contactAt) {
				t.Fatalf("notify clock stopped at %v, want %s", cl.StoppedAt, tc.contactAt)
			}
			if got := cl.Status(tc.contactAt.Add(72 * time.Hour)); got != tc.want {
				t.Fatalf("status = %s, want %s", got, tc.want)
			}
			if _, running := c.RunningClock(pathway.ClockNotifyChildrensServices); running {
				t.Fatal("notify clock still reported running")
			}
		})
	}
}

// annex step 1: the outcome is due to the referrer within 24 hours of the contact.
func TestOutcomeClockStartsAtContactAndIsDue24HoursLater(t *testing.T) {
	raised := raisedCase(t)
	if _, running := raised.RunningClock(pathway.ClockOutcomeToReferrer); running {
		t.Fatal("outcome clock runs before any contact")
	}
	contactAt := now.Add(time.Hour)
	cl := clockOf(t, contactedCase(t), pathway.ClockOutcomeToReferrer)
	if !cl.StartedAt.Equal(contactAt) || !cl.DueAt.Equal(contactAt.Add(24*time.Hour)) {
		t.Fatalf("outcome clock runs %s → %s, want %s → %s", cl.StartedAt, cl.DueAt, contactAt, contactAt.Add(24*time.Hour))
	}
	if got := cl.Status(contactAt.Add(time.Hour)); got != pathway.ClockRunning {
		t.Fatalf("status = %s, want running", got)
	}
}

func TestOutcomeClockIsStoppedByTheOutcome(t *testing.T) {
	contactAt := now.Add(time.Hour)
	for _, tc := range []struct {
		name      string
		outcomeAt time.Time
		want      pathway.ClockStatus
	}{
		{"within 24 hours", contactAt.Add(5 * time.Hour), pathway.ClockMet},
		{"exactly at 24 hours", contactAt.Add(24 * time.Hour), pathway.ClockMet},
		{"after 24 hours", contactAt.Add(25 * time.Hour), pathway.ClockLate},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, _ := mustDecide(t, contactedCase(t), frontDoor, pathway.RecordOutcome{Decision: "strategy-discussion", NextStep: "Strategy discussion"}, tc.outcomeAt)
			cl := clockOf(t, c, pathway.ClockOutcomeToReferrer)
			if cl.StoppedAt == nil || !cl.StoppedAt.Equal(tc.outcomeAt) {
				t.Fatalf("outcome clock stopped at %v, want %s", cl.StoppedAt, tc.outcomeAt)
			}
			if got := cl.Status(tc.outcomeAt.Add(time.Hour)); got != tc.want {
				t.Fatalf("status = %s, want %s", got, tc.want)
			}
			if len(c.Clocks) != 2 {
				t.Fatalf("case has %d clocks, want 2 (notify and outcome)", len(c.Clocks))
			}
		})
	}
}

// PATHWAY.md §5: clock lengths are configuration, not code.
func TestClockLengthsComeFromConfiguration(t *testing.T) {
	p := pathway.New(cat)
	p.Clocks = pathway.ClockConfig{NotifyChildrensServices: 12 * time.Hour, OutcomeToReferrer: 48 * time.Hour}
	events, err := p.Decide(pathway.Case{}, teacher, pathway.RaiseConcern{CaseID: "case-1", Concern: validConcern(), ChildrensServicesOrg: "org-cs"}, now)
	if err != nil {
		t.Fatal(err)
	}
	c := pathway.Apply(pathway.Case{}, events[0])
	if got := clockOf(t, c, pathway.ClockNotifyChildrensServices); got.DueAt.Sub(got.StartedAt) != 12*time.Hour {
		t.Fatalf("notify clock length %s, want 12h", got.DueAt.Sub(got.StartedAt))
	}
	events, err = p.Decide(c, frontDoor, pathway.RecordContact{Reference: "CS-2026-000001", Method: "phone"}, now)
	if err != nil {
		t.Fatal(err)
	}
	c = pathway.Apply(c, events[0])
	if got := clockOf(t, c, pathway.ClockOutcomeToReferrer); got.DueAt.Sub(got.StartedAt) != 48*time.Hour {
		t.Fatalf("outcome clock length %s, want 48h", got.DueAt.Sub(got.StartedAt))
	}
}

// A clock that runs out is overdue, never silently closed (PATHWAY.md §5).
func TestClockStatus(t *testing.T) {
	start := now
	due := start.Add(24 * time.Hour)
	at := func(d time.Duration) *time.Time { t := start.Add(d); return &t }
	for _, tc := range []struct {
		name    string
		stopped *time.Time
		at      time.Time
		want    pathway.ClockStatus
	}{
		{"running, before due", nil, start.Add(time.Hour), pathway.ClockRunning},
		{"running, at the due instant", nil, due, pathway.ClockRunning},
		{"not stopped, past due", nil, due.Add(time.Second), pathway.ClockOverdue},
		{"stopped before due", at(23 * time.Hour), due.Add(100 * time.Hour), pathway.ClockMet},
		{"stopped at the due instant", at(24 * time.Hour), due.Add(time.Hour), pathway.ClockMet},
		{"stopped after due", at(24*time.Hour + time.Second), due.Add(time.Hour), pathway.ClockLate},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cl := pathway.Clock{StartedAt: start, DueAt: due, StoppedAt: tc.stopped}
			if got := cl.Status(tc.at); got != tc.want {
				t.Fatalf("status = %q, want %q", got, tc.want)
			}
		})
	}
}
