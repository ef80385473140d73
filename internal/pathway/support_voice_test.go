package pathway_test

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"waymark"
	"waymark/internal/pathway"
)

// §7.6: the child has a voice: their wishes and feelings are kept, dated and
// in their own words, and the timeline does not quote them.
func TestTheChildsWishesAreRecordedInTheirWords(t *testing.T) {
	p := pathway.New(cat)
	c := supCase(t)
	_, err := p.Decide(c, supSocialWorker, pathway.RecordChildsWishes{}, now.Add(2*time.Hour))
	if !hasField(err, "saidOn") || !hasField(err, "words") {
		t.Fatalf("an empty entry: %v", err)
	}
	_, err = p.Decide(c, teacher, pathway.RecordChildsWishes{SaidOn: "2026-03-10", Words: "x"}, now.Add(2*time.Hour))
	wantRefused(t, err, waymark.EFORBIDDEN, "", "Only the team")
	words := "I want to stay with Ana and go to college. I am scared of my uncle."
	c, e := mustDecide(t, c, supSocialWorker, pathway.RecordChildsWishes{SaidOn: "2026-03-10", Words: words, How: "At a visit, with an Albanian interpreter"}, now.Add(2*time.Hour))
	if w := c.Voice().Wishes; len(w) != 1 || w[0].Words != words || w[0].SaidOn != "2026-03-10" {
		t.Errorf("wishes = %+v", w)
	}
	if strings.Contains(e.Summary(), "college") {
		t.Errorf("the timeline quotes the child: %q", e.Summary())
	}
}

// §8.3: the NRM is explained to the child and their guardian; when the
// submission said it was not yet, the team is prompted until an explanation
// – who, when, how it was understood – is recorded.
func TestTheNRMExplanationIsPromptedUntilTheChildAndGuardianAreTold(t *testing.T) {
	p := pathway.New(cat)
	c := raisedCase(t)
	sub := nrmSubmission(now.Add(2 * time.Hour))
	sub.ExplainedToChild, sub.ExplainedToCarer = pathway.ExplainedNotYet, pathway.ExplainedNotYet
	sub.NotExplainedWhy = "The child was asleep after the raid"
	c, _ = mustDecide(t, c, policeLead, sub, now.Add(2*time.Hour))
	if !c.NRMExplanationOwed() {
		t.Fatal("no explanation owed after a submission that said not yet")
	}
	if !p.Expects(c, asMember(c, frontDoor), pathway.RecordNRMExplained{}, now.Add(3*time.Hour)) {
		t.Error("the team is not prompted to explain the NRM")
	}
	_, err := p.Decide(c, frontDoor, pathway.RecordNRMExplained{ExplainedOn: "2026-03-10"}, now.Add(3*time.Hour))
	for _, f := range []string{"explainedBy", "to", "howUnderstood"} {
		if !hasField(err, f) {
			t.Errorf("not refused without %s: %v", f, err)
		}
	}
	c, _ = mustDecide(t, c, frontDoor, pathway.RecordNRMExplained{ExplainedOn: "2026-03-10", ExplainedBy: "Sam Social", To: []string{pathway.ToldChild}, HowUnderstood: "Said back that it means people will help"}, now.Add(3*time.Hour))
	if !c.NRMExplainedTo(pathway.ToldChild) || c.NRMExplainedTo(pathway.ToldGuardian) || !c.NRMExplanationOwed() {
		t.Fatal("telling the child alone settled the guardian too")
	}
	c, e := mustDecide(t, c, frontDoor, pathway.RecordNRMExplained{ExplainedOn: "2026-03-10", ExplainedBy: "Sam Social", To: []string{pathway.ToldGuardian}, HowUnderstood: "The ICTG asked about support"}, now.Add(4*time.Hour))
	if c.NRMExplanationOwed() {
		t.Error("still prompted after both were told")
	}
	if !strings.Contains(e.Summary(), "their parent, guardian or carer") {
		t.Errorf("timeline line %q", e.Summary())
	}
}

// annex, §1.2: when the family is suspected, the NRM is not discussed with them.
func TestTheNRMIsNotDiscussedWithASuspectedFamily(t *testing.T) {
	c := supCase(t, func(cn *pathway.Concern) { cn.FamilySuspected = true })
	_, err := pathway.New(cat).Decide(c, supSocialWorker, pathway.RecordNRMExplained{ExplainedOn: "2026-03-10", ExplainedBy: "Sam", To: []string{pathway.ToldGuardian}, HowUnderstood: "x"}, now.Add(2*time.Hour))
	wantRefused(t, err, waymark.EINVALID, "", "not discussed with them")
}

// §8.3: each NRM decision is told to the child or their guardian; after a
// decision is recorded, the team is prompted until the telling is recorded.
func TestTheOutcomeIsToldToTheChildAfterEachDecision(t *testing.T) {
	p := pathway.New(cat)
	c := nrmSubmittedCase(t)
	_, err := p.Decide(c, policeLead, pathway.RecordNRMOutcomeTold{}, now.Add(3*time.Hour))
	wantRefused(t, err, waymark.EINVALID, "", "No NRM decision is recorded yet")

	c = nrmWithRG(t, c, pathway.DecisionPositive, "2026-03-12")
	if len(c.OutcomesNotTold()) != 1 {
		t.Fatalf("untold decisions = %+v", c.OutcomesNotTold())
	}
	at := nrmAfter("2026-03-12")
	if !p.Expects(c, asMember(c, policeLead), pathway.RecordNRMOutcomeTold{}, at) {
		t.Error("the team is not prompted to tell the child the decision")
	}
	rg := strconv.Itoa(c.NRM.Decisions[0].Seq)
	_, err = p.Decide(c, policeLead, pathway.RecordNRMOutcomeTold{Decision: rg, ToldOn: "2026-03-11", ToldBy: "DC Rowe", To: []string{"child"}, HowUnderstood: "x"}, at)
	wantRefused(t, err, waymark.EINVALID, "toldOn", "before it was made")
	c, e := mustDecide(t, c, policeLead, pathway.RecordNRMOutcomeTold{Decision: rg, ToldOn: "2026-03-12", ToldBy: "DC Rowe", To: []string{"child", "guardian"}, HowUnderstood: "Relieved; asked what happens next"}, at)
	if len(c.OutcomesNotTold()) != 0 || p.Expects(c, asMember(c, policeLead), pathway.RecordNRMOutcomeTold{}, at) {
		t.Error("still prompted after the decision was told")
	}
	if got := e.Summary(); !strings.HasPrefix(got, "Reasonable Grounds: positive decision told to the child and") {
		t.Errorf("timeline line %q", got)
	}
}
