package pathway

import (
	"strings"

	"waymark"
)

// The submission of an NRM referral records two things beside the referral
// itself: that the First Responder made the declaration the Home Office form
// asks for before it is sent, and whether the NRM was explained to the child
// and to their parent, guardian or carer in a way they understand (§8.3).

// NRMDeclarationText is the declaration in Waymark's words: what the First
// Responder confirms on the form's last page, before sending it.
const NRMDeclarationText = "As far as I know, every answer in the referral is right, and the child has been told how the organisations involved will use what it says about them."

// Whether the NRM was explained to someone in a way they understand (§8.3).
const (
	ExplainedYes     = "explained"
	ExplainedNotYet  = "not-yet"
	ExplainedNotSafe = "not-safe" // a parent, guardian or carer who may be involved is not told (annex, §1.2)
	ExplainedNoCarer = "no-carer"
)

var explainedToChild = []struct{ Value, Text string }{
	{ExplainedYes, "Yes, in a way they understood"},
	{ExplainedNotYet, "Not yet"},
}

var explainedToCarer = []struct{ Value, Text string }{
	{ExplainedYes, "Yes, in a way they understood"},
	{ExplainedNotYet, "Not yet"},
	{ExplainedNotSafe, "No: telling them could put the child at risk"},
	{ExplainedNoCarer, "The child has no parent, guardian or carer to tell"},
}

// NRMExplainedToChild lists the answers to whether the NRM was explained to the child (§8.3).
func NRMExplainedToChild() []struct{ Value, Text string } { return explainedToChild }

// NRMExplainedToCarer lists the answers to whether it was explained to their parent, guardian or carer (§8.3).
func NRMExplainedToCarer() []struct{ Value, Text string } { return explainedToCarer }

// NRMDeclaration is what was recorded with the submission. A submission
// recorded before Waymark asked has none (Made is false).
type NRMDeclaration struct {
	Made             bool   `json:"made"`
	ExplainedToChild string `json:"explainedToChild,omitempty"`
	ExplainedToCarer string `json:"explainedToCarer,omitempty"`
	NotExplainedWhy  string `json:"notExplainedWhy,omitempty"`
}

// ExplainedToChildLabel is the answer about the child, in words.
func (d NRMDeclaration) ExplainedToChildLabel() string {
	return optionText(explainedToChild, d.ExplainedToChild)
}

// ExplainedToCarerLabel is the answer about their parent, guardian or carer, in words.
func (d NRMDeclaration) ExplainedToCarerLabel() string {
	return optionText(explainedToCarer, d.ExplainedToCarer)
}

func optionText(opts []struct{ Value, Text string }, v string) string {
	for _, o := range opts {
		if o.Value == v {
			return o.Text
		}
	}
	return v
}

// theDeclarationIsMadeAndTheNRMExplained: a submission is recorded only once
// the First Responder has made the form's declaration, with whether the child
// and their parent, guardian or carer were told what the NRM is and what
// being referred means (§8.3), and why not when they were not.
func theDeclarationIsMadeAndTheNRMExplained(probs *waymark.Problems, cmd SubmitNRMReferral) NRMDeclaration {
	d := NRMDeclaration{Made: cmd.DeclarationMade, ExplainedToChild: strings.TrimSpace(cmd.ExplainedToChild),
		ExplainedToCarer: strings.TrimSpace(cmd.ExplainedToCarer), NotExplainedWhy: strings.TrimSpace(cmd.NotExplainedWhy)}
	if !d.Made {
		probs.Add("declarationMade", "Confirm that you made the declaration on the form's last page before sending it: that as far as you know every answer is right, and that the child has been told how their information will be used. Record the submission once you have")
	}
	if optionText(explainedToChild, d.ExplainedToChild) == d.ExplainedToChild {
		probs.Add("explainedToChild", "Select whether the NRM, and what being referred means for them, was explained to the child in a way they understand (§8.3)")
	}
	if optionText(explainedToCarer, d.ExplainedToCarer) == d.ExplainedToCarer {
		probs.Add("explainedToCarer", "Select whether it was explained to the child's parent, guardian or carer in a way they understand (§8.3)")
	}
	if d.NotExplainedWhy == "" && (d.ExplainedToChild == ExplainedNotYet || d.ExplainedToCarer == ExplainedNotYet) {
		probs.Add("notExplainedWhy", "Say why the NRM has not been explained yet, and when it will be (§8.3)")
	}
	checkLength(probs, "notExplainedWhy", "Why it has not been explained", d.NotExplainedWhy, MaxNarrative)
	return d
}
