package pathway_test

import (
	"strings"
	"testing"
	"time"

	"waymark"
	"waymark/internal/pathway"
)

// mtgSubmitted is a held meeting that agreed the police submit the NRM,
// with the police's action to do it, and the submission recorded.
func mtgSubmitted(t *testing.T) (pathway.Case, string) {
	t.Helper()
	c, id := mtgHeld(t)
	act := mtgAction(id)
	act.Text = "Submit the NRM referral"
	c, _ = mustDecide(t, c, mtgSocialWorker, act, now.Add(26*time.Hour))
	events, err := pathway.New(cat).Decide(c, asMember(c, policeLead), pathway.SubmitNRMReferral{SubmittedAt: now.Add(27 * time.Hour), Via: "online-form", DeclarationMade: true,
		ExplainedToChild: pathway.ExplainedYes, ExplainedToCarer: pathway.ExplainedYes}, now.Add(28*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range events {
		c = pathway.Apply(c, e)
	}
	return c, id
}

// §8.5, §8.6, §8.9: once the NRM referral is submitted there is no
// disagreement about submitting it left to escalate, for anyone on the
// case: the referrer outside the team is refused too, in words that tell
// them nothing of the team's work (§6.5).
func TestAnEscalationAboutSubmittingIsRefusedOnceTheNRMIsSubmitted(t *testing.T) {
	c, _ := mtgSubmitted(t)
	p := pathway.New(cat)
	for _, who := range []pathway.Actor{mtgSocialWorker, teacher} {
		a := asMember(c, who)
		_, err := p.DecideFor(c, a.Membership, a, pathway.RaiseEscalation{Reason: "The NRM should be submitted."}, now.Add(30*time.Hour))
		if waymark.ErrorCode(err) != waymark.EINVALID {
			t.Fatalf("%s raised an escalation about submitting after the submission: %v", who.Name, err)
		}
		if av := p.Allows(c, a, pathway.RaiseEscalation{}, now.Add(30*time.Hour)); av == nil {
			t.Errorf("%s is offered an escalation about submitting after the submission", who.Name)
		}
		if !a.Membership.Team() && strings.Contains(strings.ToLower(waymark.ErrorMessage(err)), "submitted") {
			t.Errorf("the refusal tells %s, outside the team, of the submission: %v", who.Name, err)
		}
	}
}

// §6.8, §8.5: the meeting's action to submit the NRM is done by the
// submission, also when it is recorded after the submission was.
func TestTheSubmissionCompletesTheMeetingsActionAddedAfterIt(t *testing.T) {
	c, id := mtgSubmitted(t)
	for _, a := range c.Meetings.Actions {
		if !a.Done() {
			t.Fatalf("the action %q stays open after the submission", a.Text)
		}
	}
	late := mtgAction(id)
	late.Text = "Police to make the National Referral Mechanism referral"
	events, err := pathway.New(cat).Decide(c, mtgSocialWorker, late, now.Add(30*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range events {
		c = pathway.Apply(c, e)
	}
	last := c.Meetings.Actions[len(c.Meetings.Actions)-1]
	if last.Text != late.Text || !last.Done() {
		t.Fatalf("the action to submit recorded after the submission is %+v, want it done", last)
	}
	if cl, ok := c.RunningClock(pathway.ClockMeetingAction); ok {
		t.Errorf("its clock %s still runs", cl.ID)
	}
}
