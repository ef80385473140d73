package pathway

// The positions on the pathway (Case.Progress) that a First Responder's
// home lists: where the lead First Responder has work or waits for the
// Home Office.

// AwaitingNRMSubmission: a meeting agreed the organisation as lead and the
// referral is not submitted yet (§8.5).
func AwaitingNRMSubmission() []string { return []string{"Multi-agency meeting held"} }

// AwaitingNRMDecision: the referral is with the Home Office for its
// Reasonable Grounds decision, or after a positive one for the Conclusive
// Grounds decision (§8.7, §8.8).
func AwaitingNRMDecision() []string {
	return []string{"NRM referral submitted", "Reasonable Grounds decision: " + DecisionPositive}
}

// NRMDecisionsToReconsider: a negative decision stands, and any
// organisation on the case may ask the Home Office to reconsider it (§8.9).
func NRMDecisionsToReconsider() []string {
	return []string{"Reasonable Grounds decision: " + DecisionNegative, "Conclusive Grounds decision: " + DecisionNegative}
}
