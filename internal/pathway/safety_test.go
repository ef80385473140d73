package pathway_test

import (
	"strings"
	"testing"
	"time"

	"waymark"
	"waymark/internal/pathway"
)

func refusal(t *testing.T, c pathway.Case, actor pathway.Actor, cmd pathway.Command, at time.Time) *waymark.Error {
	t.Helper()
	_, err := pathway.New(cat).Decide(c, actor, cmd, at)
	if err == nil {
		t.Fatalf("%T was accepted, want a refusal", cmd)
	}
	e, ok := err.(*waymark.Error)
	if !ok {
		t.Fatalf("refusal is %T, want *waymark.Error: %v", err, err)
	}
	return e
}

func missingReport() pathway.ReportMissing {
	return pathway.ReportMissing{StartedAt: now.Add(-time.Hour), Circumstances: "Left the placement at 8am with an unknown man in a grey car.", PoliceInformed: true, PoliceReference: "NP-123"}
}

// §7.1: a missing trafficked child is reported to the police at once.
func TestMissingChildMustBeReportedToThePoliceFirst(t *testing.T) {
	cmd := missingReport()
	cmd.PoliceInformed = false
	e := refusal(t, raisedCase(t), frontDoor, cmd, now)
	if len(e.Fields) == 0 || e.Fields[0].Field != "policeInformed" || !strings.Contains(e.Fields[0].Message, "police") {
		t.Fatalf("refusal %+v does not send the user to the police", e.Fields)
	}
}

// §4.3, §7.1: a missing child is flagged and warned on every view until found.
func TestMissingChildIsFlaggedUntilFound(t *testing.T) {
	c, _ := mustDecide(t, raisedCase(t), frontDoor, missingReport(), now)
	if !c.Flags(now).Missing {
		t.Fatal("a reported missing child is not flagged")
	}
	if ws := c.WarningsAt(now); len(ws) == 0 || ws[0].Kind != "missing" {
		t.Fatalf("first warning is %+v, want the missing warning", ws)
	}
	c, _ = mustDecide(t, c, frontDoor, pathway.RecordFound{EndedAt: now.Add(-10 * time.Minute), WhereFound: "Coach station"}, now)
	if c.Flags(now).Missing {
		t.Fatal("a found child is still flagged missing")
	}
}

func TestASecondEpisodeCannotStartWhileTheChildIsMissing(t *testing.T) {
	c, _ := mustDecide(t, raisedCase(t), frontDoor, missingReport(), now)
	refusal(t, c, frontDoor, missingReport(), now)
}

func TestFoundCannotBeBeforeTheChildWentMissing(t *testing.T) {
	c, _ := mustDecide(t, raisedCase(t), frontDoor, missingReport(), now)
	e := refusal(t, c, frontDoor, pathway.RecordFound{EndedAt: now.Add(-2 * time.Hour), WhereFound: "Home"}, now)
	if e.Fields[0].Field != "endedAt" {
		t.Fatalf("refusal names %q, want endedAt", e.Fields[0].Field)
	}
}

// The return interview is due 72 hours after the child comes back, and
// holding it stops the clock.
func TestReturnInterviewClockRunsFromTheReturn(t *testing.T) {
	c, _ := mustDecide(t, raisedCase(t), frontDoor, missingReport(), now)
	found := now.Add(-10 * time.Minute)
	c, _ = mustDecide(t, c, frontDoor, pathway.RecordFound{EndedAt: found, WhereFound: "Coach station"}, now)
	cl, ok := c.RunningClock(pathway.ClockReturnInterview)
	if !ok || !cl.DueAt.Equal(found.Add(72*time.Hour)) {
		t.Fatalf("return interview clock %+v (running %v), want due %v", cl, ok, found.Add(72*time.Hour))
	}
	later := now.Add(24 * time.Hour)
	c, _ = mustDecide(t, c, frontDoor, pathway.RecordReturnInterview{HeldAt: later.Add(-time.Hour), By: "Grace Adeyemi", Disclosed: "Stayed at a flat in town.", NotDisclosed: "Who drove the car."}, later)
	if _, ok := c.RunningClock(pathway.ClockReturnInterview); ok {
		t.Fatal("the return interview did not stop its clock")
	}
	if iv := c.Safety.Missing[0].Interview; iv == nil || iv.NotDisclosed != "Who drove the car." {
		t.Fatalf("interview not kept with the episode: %+v", iv)
	}
}

func TestReturnInterviewNeedsAnEndedEpisode(t *testing.T) {
	refusal(t, raisedCase(t), frontDoor, pathway.RecordReturnInterview{HeldAt: now, By: "x", Disclosed: "y"}, now)
}

// §7.4: closing records the reason and the monitoring that carries on.
func TestClosureNeedsAReasonAndMonitoring(t *testing.T) {
	e := refusal(t, raisedCase(t), frontDoor, pathway.CloseCase{}, now)
	fields := map[string]bool{}
	for _, f := range e.Fields {
		fields[f.Field] = true
	}
	if !fields["reason"] || !fields["monitoring"] {
		t.Fatalf("refusal names %v, want reason and monitoring", fields)
	}
}

func TestOnlyChildrensServicesCloseACase(t *testing.T) {
	e := refusal(t, raisedCase(t), teacher, pathway.CloseCase{NoNRMReason: "No indicators of exploitation after assessment.", Reason: "Safe", Monitoring: "School DSL"}, now)
	if e.Code != waymark.EFORBIDDEN {
		t.Fatalf("code %s, want forbidden", e.Code)
	}
}

// §7.1: a case stays open while the child is missing.
func TestCaseCannotBeClosedWhileTheChildIsMissing(t *testing.T) {
	c, _ := mustDecide(t, raisedCase(t), frontDoor, missingReport(), now)
	e := refusal(t, c, frontDoor, pathway.CloseCase{NoNRMReason: "No indicators of exploitation after assessment.", Reason: "Moved away", Monitoring: "None"}, now)
	if !strings.Contains(e.Message, "missing") {
		t.Fatalf("message %q does not say the child is missing", e.Message)
	}
}

// Reopening is a new event: the closure stays in the history.
func TestReopeningKeepsTheClosureInTheHistory(t *testing.T) {
	c, _ := mustDecide(t, raisedCase(t), frontDoor, pathway.CloseCase{NoNRMReason: "No indicators of exploitation after assessment.", Reason: "Settled in placement", Monitoring: "Review at 3 months"}, now)
	if !c.Flags(now).Closed {
		t.Fatal("closed case not flagged")
	}
	refusal(t, c, frontDoor, pathway.AssignWorker{Worker: pathway.Party{UserID: "user-new", Name: "New Worker"}}, now) // a closed case takes no new work
	c, _ = mustDecide(t, c, frontDoor, pathway.ReopenCase{Reason: "New disclosure"}, now.Add(time.Hour))
	if c.Flags(now).Closed || len(c.Safety.Closures) != 1 {
		t.Fatalf("after reopening: closed=%v closures=%d", c.Flags(now).Closed, len(c.Safety.Closures))
	}
}

// §7.5: history is never rewritten; a correction points at the entry it corrects.
func TestCorrectionPointsAtTheEntryItCorrectsAndLeavesItUnchanged(t *testing.T) {
	c := raisedCase(t)
	original := c.Concern.Summary
	c2, e := mustDecide(t, c, frontDoor, pathway.CorrectEntry{Corrects: 1, What: "Time identified", Correction: "It was 10:15, not 9:15", Reason: "Checked the register"}, now)
	if e.Corrects != 1 {
		t.Fatalf("correction event corrects %d, want 1", e.Corrects)
	}
	if c2.Concern.Summary != original {
		t.Fatal("a correction changed the original entry")
	}
	if got := c2.Safety.CorrectionsOf(1); len(got) != 1 || got[0].Seq != 2 {
		t.Fatalf("corrections of entry 1: %+v", got)
	}
}

func TestCorrectionMustPointAtARealEntry(t *testing.T) {
	e := refusal(t, raisedCase(t), frontDoor, pathway.CorrectEntry{Corrects: 7, What: "x", Correction: "y", Reason: "z"}, now)
	if e.Fields[0].Field != "corrects" {
		t.Fatalf("refusal names %q, want corrects", e.Fields[0].Field)
	}
}

func TestCorrectedChildDetailsApplyFromNowOnAndPointAtTheConcern(t *testing.T) {
	c, e := mustDecide(t, raisedCase(t), frontDoor, pathway.CorrectChildDetails{GivenNames: "Amina", FamilyName: "Example", Reason: "The child told us her real name"}, now)
	if e.Corrects != 1 || c.Concern.Child.GivenNames != "Amina" {
		t.Fatalf("corrects=%d name=%q", e.Corrects, c.Concern.Child.GivenNames)
	}
}

func TestCorrectedChildDetailsAreValidatedLikeTheConcern(t *testing.T) {
	e := refusal(t, raisedCase(t), frontDoor, pathway.CorrectChildDetails{GivenNames: "Amina", DateOfBirth: "2000-01-01", Reason: "x"}, now)
	if e.Fields[0].Field != "dateOfBirth" {
		t.Fatalf("refusal names %q, want dateOfBirth", e.Fields[0].Field)
	}
}

// A closed case is closed once: closing it again is refused, and the
// pathway no longer offers it (§7.5).
func TestAClosedCaseIsNotClosedAgain(t *testing.T) {
	closed, _ := mustDecide(t, contactedCase(t), frontDoor, pathway.CloseCase{NoNRMReason: "No indicators of exploitation after assessment.", Reason: "No further action", Monitoring: "School monitors attendance."}, now.Add(time.Hour))
	_, err := pathway.New(cat).Decide(closed, frontDoor, pathway.CloseCase{NoNRMReason: "No indicators of exploitation after assessment.", Reason: "Again", Monitoring: "None"}, now.Add(2*time.Hour))
	if waymark.ErrorCode(err) != waymark.EINVALID || !strings.Contains(waymark.ErrorMessage(err), "already closed") {
		t.Fatalf("closing a closed case: %v", err)
	}
	for _, av := range pathway.New(cat).Available(closed, frontDoor, now.Add(2*time.Hour)) {
		if av.Name == pathway.CommandName(pathway.CloseCase{}) && av.Allowed {
			t.Fatal("the pathway offers to close a closed case")
		}
	}
}
