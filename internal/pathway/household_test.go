package pathway_test

import (
	"strings"
	"testing"
	"time"

	"waymark"
	"waymark/internal/pathway"
)

var unrelatedHousehold = pathway.RecordHousehold{LivesWith: "Mr and Mrs Hoxha, who say they are her aunt and uncle", MemberOfFamily: "no", RelatedInUK: "no"}

// unrelatedChildAfterMeeting is a case whose meeting was held and whose
// household was then recorded as unrelated to the child.
func unrelatedChildAfterMeeting(t *testing.T) (pathway.Case, string) {
	t.Helper()
	c, id := mtgHeld(t)
	c, _ = mustDecide(t, c, mtgSocialWorker, unrelatedHousehold, now.Add(26*time.Hour))
	return c, id
}

// §6.8: when the recorded facts show the child unrelated to the household
// and to anyone else in this country, the meeting is prompted to consider
// moving the child and a separate immigration application, and the prompt
// stays until what it decided is recorded.
func TestChildUnrelatedToTheHouseholdPromptsTheMeetingUntilConsidered(t *testing.T) {
	c, id := unrelatedChildAfterMeeting(t)
	if !c.UnrelatedToHousehold() || !strings.Contains(c.UnrelatedChildPrompt(), "moved from the household") || !strings.Contains(c.UnrelatedChildPrompt(), "immigration status") {
		t.Fatalf("prompt = %q", c.UnrelatedChildPrompt())
	}
	next, ok := pathway.New(cat).NextStep(c, asMember(c, mtgSocialWorker), now.Add(27*time.Hour))
	if !ok || next.Name != pathway.CommandName(pathway.RecordUnrelatedChildConsidered{}) {
		t.Errorf("next step = %+v, want the meeting's consideration", next)
	}
	_, err := pathway.New(cat).Decide(c, mtgSocialWorker, pathway.RecordUnrelatedChildConsidered{}, now.Add(27*time.Hour))
	wantRefused(t, err, waymark.EINVALID, "move", "moving the child")
	wantRefused(t, err, waymark.EINVALID, "immigrationAdvice", "immigration status")
	c, _ = mustDecide(t, c, mtgSocialWorker, pathway.RecordUnrelatedChildConsidered{Move: "Move to foster care today: the adults are not family", ImmigrationAdvice: "Refer to an OISC-regulated solicitor for a separate application"}, now.Add(27*time.Hour))
	if c.UnrelatedChildPrompt() != "" || c.UnrelatedChildAwaitsMeeting() {
		t.Errorf("still prompting after the consideration was recorded")
	}
	if k := c.Household.Considerations[0]; k.MeetingID != id || k.By.UserID != mtgSocialWorker.UserID {
		t.Errorf("consideration = %+v, want the held meeting and who recorded it", k)
	}
}

// §6.8: a child related to the household, or whose relationship is not yet
// known, is not prompted for; nor can the consideration be recorded.
func TestChildRelatedToTheHouseholdIsNotPrompted(t *testing.T) {
	for _, h := range []pathway.RecordHousehold{
		{LivesWith: "Her mother", MemberOfFamily: "yes", RelatedInUK: "yes"},
		{LivesWith: "A family friend", MemberOfFamily: "no", RelatedInUK: "unknown"},
	} {
		c, _ := mtgHeld(t)
		c, _ = mustDecide(t, c, mtgSocialWorker, h, now.Add(26*time.Hour))
		if c.UnrelatedChildPrompt() != "" {
			t.Errorf("%+v prompts %q", h, c.UnrelatedChildPrompt())
		}
		_, err := pathway.New(cat).Decide(c, mtgSocialWorker, pathway.RecordUnrelatedChildConsidered{Move: "x", ImmigrationAdvice: "y"}, now.Add(27*time.Hour))
		wantRefused(t, err, waymark.EINVALID, "", "Record the child's household first")
	}
}

// §6.8: the household's answers are checked, and "not known" is kept.
func TestHouseholdAnswersAreChecked(t *testing.T) {
	_, err := pathway.New(cat).Decide(contactedCase(t), frontDoor, pathway.RecordHousehold{MemberOfFamily: "perhaps"}, now.Add(2*time.Hour))
	wantRefused(t, err, waymark.EINVALID, "livesWith", "who the child lives with")
	wantRefused(t, err, waymark.EINVALID, "memberOfFamily", "not known yet")
	wantRefused(t, err, waymark.EINVALID, "relatedInUK", "anyone else in this country")
}
