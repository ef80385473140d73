package pathway_test

import (
	"slices"
	"testing"
	"time"

	"waymark"
	"waymark/internal/pathway"
)

func outstandingIDs(c pathway.Case) []string {
	var out []string
	for _, s := range pathway.OutstandingImmediateActions(cat, c) {
		out = append(out, s.ID)
	}
	return out
}

// §6.4: every immediate action not ticked on the concern stays outstanding on
// the case until someone records it done, or not needed with the reason.
func TestUntickedImmediateActionsStayOutstandingUntilRecorded(t *testing.T) {
	c := supCase(t)
	ticked := validConcern().ImmediateActions[0]
	out := outstandingIDs(c)
	if len(out) != len(cat.ImmediateActions)-1 || slices.Contains(out, ticked) {
		t.Fatalf("outstanding = %v, want every action but the ticked %s", out, ticked)
	}
	first, second := out[0], out[1]
	c, e := mustDecide(t, c, frontDoor, pathway.RecordImmediateAction{Action: first, Status: "done", Reason: "Police attended school at 11am"}, now.Add(2*time.Hour))
	c, _ = mustDecide(t, c, teacher, pathway.RecordImmediateAction{Action: second, Status: "not-needed", Reason: "No health needs: seen by the school nurse"}, now.Add(3*time.Hour))
	if got := outstandingIDs(c); slices.Contains(got, first) || slices.Contains(got, second) || len(got) != len(out)-2 {
		t.Errorf("outstanding after two records = %v", got)
	}
	for _, s := range pathway.ImmediateActions(cat, c) {
		if s.ID == second && (s.Status != "not-needed" || s.Reason == "" || s.By == nil || s.By.UserID != teacher.UserID) {
			t.Errorf("the not-needed action reads %+v", s)
		}
		if s.ID == ticked && s.Status != pathway.ImmediateActionTakenOnConcern {
			t.Errorf("the ticked action reads %+v", s)
		}
	}
	if e.Summary() != "Immediate action recorded as done" {
		t.Errorf("timeline says %q", e.Summary())
	}
}

// §6.4: a record names an outstanding action, says done or not needed, and
// gives the reason; only the referrer and Children's Services record them.
func TestImmediateActionNeedsAnOutstandingActionAndAReason(t *testing.T) {
	c := supCase(t)
	p := pathway.New(cat)
	_, err := p.Decide(c, frontDoor, pathway.RecordImmediateAction{Action: validConcern().ImmediateActions[0], Status: "maybe"}, now.Add(2*time.Hour))
	wantRefused(t, err, waymark.EINVALID, "action", "still outstanding")
	wantRefused(t, err, waymark.EINVALID, "status", "done or was not needed")
	_, err = p.Decide(c, frontDoor, pathway.RecordImmediateAction{Action: outstandingIDs(c)[0], Status: "not-needed"}, now.Add(2*time.Hour))
	wantRefused(t, err, waymark.EINVALID, "reason", "why the action is not needed")
	_, err = p.Decide(c, policeLead, pathway.RecordImmediateAction{Action: outstandingIDs(c)[0], Status: "done", Reason: "Done"}, now.Add(2*time.Hour))
	wantRefused(t, err, waymark.EFORBIDDEN, "", "raised the concern or Children's Services")
}

// §6.4: once every action is recorded, nothing is outstanding and the action is no longer offered.
func TestImmediateActionIsNotOfferedOnceNoneIsOutstanding(t *testing.T) {
	c := supCase(t)
	for _, id := range outstandingIDs(c) {
		c, _ = mustDecide(t, c, frontDoor, pathway.RecordImmediateAction{Action: id, Status: "done", Reason: "Done by the front door"}, now.Add(2*time.Hour))
	}
	if got := outstandingIDs(c); len(got) != 0 {
		t.Fatalf("outstanding = %v", got)
	}
	_, err := pathway.New(cat).Decide(c, frontDoor, pathway.RecordImmediateAction{}, now.Add(3*time.Hour))
	wantRefused(t, err, waymark.EINVALID, "", "already recorded")
}
