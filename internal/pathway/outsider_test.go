package pathway_test

import (
	"testing"
	"time"

	"waymark/internal/pathway"
)

// §6.5: a referrer outside the team sees their concern, the reference and the
// outcome, not the team's notes, people or other deadlines.
func TestOutsidersDoNotSeeTheTeamsWork(t *testing.T) {
	c := raisedCase(t)
	c, _ = mustDecide(t, c, frontDoor, pathway.AddNote{Text: "Spoke to the police about the man at the gate."}, now)
	c, _ = mustDecide(t, c, frontDoor, pathway.ReportMissing{StartedAt: now.Add(-time.Hour), Circumstances: "Left school at lunch", PoliceInformed: true}, now)
	c, _ = mustDecide(t, c, frontDoor, pathway.RecordFound{EndedAt: now.Add(-time.Minute), WhereFound: "Town centre"}, now)
	seen := c.ForOutsider(teacher.UserID)
	if len(seen.Notes) != 0 || len(seen.Safety.Missing) != 0 {
		t.Fatalf("the referrer sees notes %v and missing episodes %v", seen.Notes, seen.Safety.Missing)
	}
	for _, cl := range seen.Clocks {
		if cl.Kind != pathway.ClockNotifyChildrensServices && cl.Kind != pathway.ClockOutcomeToReferrer {
			t.Errorf("the referrer sees the team's deadline %q", cl.Label)
		}
	}
	if seen.Concern.Summary != c.Concern.Summary || seen.Version != c.Version {
		t.Fatal("the referrer lost sight of their own concern or of the case version")
	}
}
