package pathway

// Choice is an answer to a command that must be one of a closed list: the
// pathway refuses any other value. The API's description lists the values
// from here, so the two cannot drift apart.
type Choice struct {
	Command Command // the command, as its zero value
	Field   string  // the answer's JSON name
	Options []struct{ Value, Text string }
	// Optional answers may be left empty when they do not apply (a Beacon
	// referral's consent, an independent visitor's offer).
	Optional bool
	// Each marks a list answer ([]string): each item is one of Options.
	Each bool
}

// nrmGrounds are the two NRM decisions a reconsideration can be about (§8.9).
var nrmGrounds = []struct{ Value, Text string }{
	{ReasonableGrounds, "Reasonable Grounds"},
	{ConclusiveGrounds, "Conclusive Grounds"},
}

// NRMGrounds lists the NRM decisions a reconsideration can be asked of.
func NRMGrounds() []struct{ Value, Text string } { return nrmGrounds }

// Choices lists every answer of every command that the pathway checks
// against a closed list.
func Choices() []Choice {
	disruption := make([]struct{ Value, Text string }, len(disruptionPowers))
	for i, p := range disruptionPowers {
		disruption[i] = struct{ Value, Text string }{p.Value, p.Text}
	}
	return []Choice{
		{Command: RecordContact{}, Field: "method", Options: contactMethods},
		{Command: RecordOutcome{}, Field: "decision", Options: outcomes},
		{Command: ConveneMeeting{}, Field: "kind", Options: meetingKinds},
		{Command: RecordMeetingHeld{}, Field: "nrmDecision", Options: meetingNRMDecisions},
		{Command: RecordDisruptionPower{}, Field: "power", Options: disruption},
		{Command: RecordDisruptionPower{}, Field: "outcome", Options: powerOutcomes},
		{Command: ResolveEscalation{}, Field: "outcome", Options: escalationOutcomes},
		{Command: SubmitNRMReferral{}, Field: "via", Options: nrmRoutes},
		{Command: RecordReasonableGrounds{}, Field: "outcome", Options: DecisionOutcomes()},
		{Command: RecordConclusiveGrounds{}, Field: "outcome", Options: DecisionOutcomes()},
		{Command: RequestNRMReconsideration{}, Field: "decision", Options: nrmGrounds},
		{Command: RecordNRMReconsiderationOutcome{}, Field: "outcome", Options: ReconsiderationOutcomes()},
		{Command: RecordLinkedPerson{}, Field: "relationship", Options: relationships},
		{Command: BookInterpreter{}, Field: "genderPreference", Options: genderPreferences},
		{Command: RecordSupport{}, Field: "kind", Options: supportKinds},
		{Command: RecordSupport{}, Field: "status", Options: supportStatuses},
		{Command: RecordSupport{}, Field: "consentBy", Options: consentGivers, Optional: true},
		{Command: RecordSupport{}, Field: "visitorOffer", Options: visitorOffers, Optional: true},
		{Command: UpdateSupport{}, Field: "status", Options: supportStatuses},
		{Command: RecordChildFromAbroad{}, Field: "accommodationBasis", Options: accommodationBases},
		{Command: RecordChildFromAbroad{}, Field: "immigrationOptions", Options: immigrationOptions, Each: true},
		{Command: StartPlacement{}, Field: "placementType", Options: placementTypes},
		{Command: CompleteAgeAssessment{}, Field: "outcome", Options: ageOutcomes},
	}
}
