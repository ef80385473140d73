package pathway_test

import (
	"testing"
	"time"

	"waymark"
	"waymark/internal/pathway"
)

// The submission is recorded only with the form's declaration made, and with
// whether the NRM was explained to the child and to their parent, guardian or
// carer; when it was not yet, why not (§8.3).
func TestNRMSubmissionNeedsTheDeclarationAndWhetherTheNRMWasExplained(t *testing.T) {
	p := pathway.New(cat)
	at := now.Add(3 * time.Hour)
	for _, tc := range []struct {
		name, field, says string
		change            func(*pathway.SubmitNRMReferral)
	}{
		{"no declaration", "declarationMade", "declaration", func(s *pathway.SubmitNRMReferral) { s.DeclarationMade = false }},
		{"not said for the child", "explainedToChild", "§8.3", func(s *pathway.SubmitNRMReferral) { s.ExplainedToChild = "" }},
		{"not one of the answers", "explainedToChild", "§8.3", func(s *pathway.SubmitNRMReferral) { s.ExplainedToChild = "maybe" }},
		{"not said for the carer", "explainedToCarer", "parent, guardian or carer", func(s *pathway.SubmitNRMReferral) { s.ExplainedToCarer = "" }},
		{"not yet, without why", "notExplainedWhy", "why", func(s *pathway.SubmitNRMReferral) { s.ExplainedToChild = pathway.ExplainedNotYet }},
		{"carer not yet, without why", "notExplainedWhy", "why", func(s *pathway.SubmitNRMReferral) { s.ExplainedToCarer = pathway.ExplainedNotYet }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sub := nrmSubmission(at)
			tc.change(&sub)
			_, err := p.Decide(raisedCase(t), policeLead, sub, at)
			wantRefused(t, err, waymark.EINVALID, tc.field, tc.says)
		})
	}

	sub := nrmSubmission(at)
	sub.ExplainedToChild, sub.ExplainedToCarer = pathway.ExplainedNotYet, pathway.ExplainedNotSafe
	sub.NotExplainedWhy = "  He was asleep after the police visit; his social worker will explain tomorrow with the interpreter.  "
	c, _ := mustDecide(t, raisedCase(t), policeLead, sub, at)
	d := c.NRM.Submission.Declaration
	if !d.Made || d.ExplainedToChild != pathway.ExplainedNotYet || d.ExplainedToCarer != pathway.ExplainedNotSafe {
		t.Fatalf("recorded %+v, want the declaration made, not yet explained to the child, and the carer not told", d)
	}
	if d.NotExplainedWhy != "He was asleep after the police visit; his social worker will explain tomorrow with the interpreter." {
		t.Errorf("the reason is recorded as %q", d.NotExplainedWhy)
	}
	if got := d.ExplainedToCarerLabel(); got != "No: telling them could put the child at risk" {
		t.Errorf("the carer's answer reads %q", got)
	}

	// A carer who may be involved is not told, and that needs no further reason (annex, §1.2).
	sub = nrmSubmission(at)
	sub.ExplainedToCarer = pathway.ExplainedNotSafe
	mustDecide(t, raisedCase(t), policeLead, sub, at)
}
