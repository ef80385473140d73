package pathway

import "reflect"

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
		{Command: SubmitNRMReferral{}, Field: "explainedToChild", Options: explainedToChild},
		{Command: SubmitNRMReferral{}, Field: "explainedToCarer", Options: explainedToCarer},
		{Command: RecordReasonableGrounds{}, Field: "outcome", Options: DecisionOutcomes()},
		{Command: RecordConclusiveGrounds{}, Field: "outcome", Options: DecisionOutcomes()},
		{Command: RequestNRMReconsideration{}, Field: "decision", Options: nrmGrounds},
		{Command: RecordNRMReconsiderationOutcome{}, Field: "outcome", Options: ReconsiderationOutcomes()},
		{Command: RecordReasonableGrounds{}, Field: "maker", Options: DecisionMakers(), Optional: true},
		{Command: RecordConclusiveGrounds{}, Field: "maker", Options: DecisionMakers(), Optional: true},
		{Command: RecordPanelDecision{}, Field: "grounds", Options: nrmGrounds},
		{Command: RecordPanelDecision{}, Field: "outcome", Options: DecisionOutcomes()},
		{Command: RecordPanelReconsideration{}, Field: "outcome", Options: ReconsiderationOutcomes()},
		{Command: ContributeToNRM{}, Field: "topic", Options: contributionTopicChoices()},
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
		{Command: RecordFamilySuspicion{}, Field: "answer", Options: familySuspicionAnswers},  // family.go
		{Command: RecordImmediateAction{}, Field: "status", Options: immediateActionOutcomes}, // immediate_actions.go
		{Command: RecordOutcome{}, Field: "consulted", Options: consultedParties, Each: true}, // outcome_consulted.go
		{Command: RecordHousehold{}, Field: "memberOfFamily", Options: householdAnswers},      // household.go
		{Command: RecordHousehold{}, Field: "relatedInUK", Options: householdAnswers},         // household.go
		{Command: CompleteAgeAssessment{}, Field: "outcome", Options: ageOutcomes},
		{Command: RecordSituation{}, Field: "learntAt", Options: learntAtOptions},
		{Command: RecordSituation{}, Field: "stillInSituation", Options: yesNo, Optional: true},
		{Command: RecordSituation{}, Field: "lastContact", Options: lastContactOptions, Optional: true},
		{Command: RecordSituation{}, Field: "exploitersWhereabouts", Options: exploitersWhereabouts, Optional: true},
		{Command: RecordSituation{}, Field: "otherVictims", Options: yesNoNotSure, Optional: true},
		{Command: RecordSituation{}, Field: "reportedToPolice", Options: yesNo, Optional: true},
		{Command: RecordSituation{}, Field: "reportedBefore", Options: yesNoNotSure, Optional: true},
		{Command: RecordSituation{}, Field: "helpInvestigation", Options: yesNoNotSure, Optional: true},
		{Command: RecordSituation{}, Field: "hasChildren", Options: yesNo, Optional: true},
		{Command: RecordSituation{}, Field: "communicationNeeds", Options: yesNo, Optional: true},
		{Command: RecordSuspectedOffence{}, Field: "scheduleFour", Options: ScheduleFourChoices()}, // support_criminal.go
		{Command: SharePoliceInformation{}, Field: "topics", Options: policeSharingTopics, Each: true},
		{Command: RecordAgeDecision{}, Field: "decision", Options: ageDecisions},
		{Command: RecordDocumentSeen{}, Field: "kind", Options: documentKinds},
		{Command: RecordDocumentSeen{}, Field: "genuineness", Options: genuineness},
		{Command: RecordNRMExplained{}, Field: "to", Options: toldWhom, Each: true},
		{Command: RecordNRMOutcomeTold{}, Field: "to", Options: toldWhom, Each: true},
		{Command: CompleteSection47{}, Field: "outcome", Options: section47Outcomes},
		{Command: RecordEntity{}, Field: "kind", Options: entityKinds},                // entities.go
		{Command: RecordEntity{}, Field: "role", Options: entityRoles},                // entities.go
		{Command: RecordEntityDisruption{}, Field: "power", Options: disruption},      // entities.go
		{Command: RecordEntityDisruption{}, Field: "outcome", Options: powerOutcomes}, // entities.go
	}
}

// RequiredAnswers names the answers (by JSON name) the pathway refuses a
// command without, whatever the case; ok is false for a command it does not
// know. Answers needed only with certain others (the reason an NRM referral
// goes without a meeting's decision, §8.5) are not listed.
func RequiredAnswers(cmd Command) (fields []string, ok bool) {
	fields, ok = requiredAnswers[reflect.TypeOf(cmd)]
	return fields, ok
}

var requiredAnswers = map[reflect.Type][]string{
	reflect.TypeFor[RecordContact]():                    {"method"},
	reflect.TypeFor[RecordOutcome]():                    {"decision", "nextStep"},
	reflect.TypeFor[AddNote]():                          {"text"},
	reflect.TypeFor[ContributeToNRM]():                  {"text", "topic"},
	reflect.TypeFor[UseNRMContribution]():               {"contribution", "field"},
	reflect.TypeFor[RecordSupervision]():                {"text"},
	reflect.TypeFor[RecordEntity]():                     {"kind", "value", "role"},
	reflect.TypeFor[RemoveEntity]():                     {"entityId", "reason"},
	reflect.TypeFor[RecordEntityDisruption]():           {"entityId", "power", "outcome", "reason"},
	reflect.TypeFor[AssignWorker]():                     {"workerEmail"},
	reflect.TypeFor[GiveClientAccess]():                 {"clientId", "reason"},
	reflect.TypeFor[WithdrawClientAccess]():             {"clientId"},
	reflect.TypeFor[ConveneMeeting]():                   {"kind", "scheduledFor", "inviteeEmails"},
	reflect.TypeFor[RecordMeetingHeld]():                {"attendeeIds", "nrmDecision", "childProtectionConference", "childProtectionPlan", "informationSharedWithPolice"},
	reflect.TypeFor[RecordDisruptionPower]():            {"power", "outcome", "reason"},
	reflect.TypeFor[AddMeetingAction]():                 {"text", "ownerEmail", "dueOn", "contactsFamily"},
	reflect.TypeFor[CompleteMeetingAction]():            {"actionId"},
	reflect.TypeFor[RaiseEscalation]():                  {"reason"},
	reflect.TypeFor[EscalateFurther]():                  {"note"},
	reflect.TypeFor[ResolveEscalation]():                {"outcome", "note"},
	reflect.TypeFor[SubmitNRMReferral]():                {"submittedAt", "via", "declarationMade", "explainedToChild", "explainedToCarer"},
	reflect.TypeFor[RecordHomeOfficeReference]():        {"reference", "receivedOn"},
	reflect.TypeFor[RecordNRMFurtherInformation]():      {"sentOn", "summary"},
	reflect.TypeFor[RecordReasonableGrounds]():          {"outcome", "decidedOn"},
	reflect.TypeFor[RecordConclusiveGrounds]():          {"outcome", "decidedOn"},
	reflect.TypeFor[RequestNRMReconsideration]():        {"decision"},
	reflect.TypeFor[RecordNRMReconsiderationOutcome]():  {"outcome", "decidedOn"},
	reflect.TypeFor[RecordPanelDecision]():              {"grounds", "outcome", "decidedOn", "reasons"},
	reflect.TypeFor[RecordPanelReconsideration]():       {"outcome", "decidedOn", "reasons"},
	reflect.TypeFor[ReportMissing]():                    {"startedAt", "circumstances", "policeInformed"},
	reflect.TypeFor[RecordFound]():                      {"endedAt", "whereFound"},
	reflect.TypeFor[RecordReturnInterview]():            {"heldAt", "by", "disclosed"},
	reflect.TypeFor[CloseCase]():                        {"reason", "monitoring"},
	reflect.TypeFor[ReopenCase]():                       {"reason"},
	reflect.TypeFor[CorrectEntry]():                     {"corrects", "what", "correction", "reason"},
	reflect.TypeFor[CorrectChildDetails]():              {"givenNames", "reason"},
	reflect.TypeFor[RecordLinkedPerson]():               {"name", "relationship"},
	reflect.TypeFor[RecordStrategyDiscussion]():         {"heldAt", "participants"},
	reflect.TypeFor[PlanInterview]():                    {"plannedFor", "interviewers"},
	reflect.TypeFor[BookInterpreter]():                  {"interpreterId", "language", "genderPreference"},
	reflect.TypeFor[StartSection47]():                   {"startedAt"},
	reflect.TypeFor[CompleteSection47]():                {"completedAt", "outcome"},
	reflect.TypeFor[RecordSupport]():                    {"kind", "status"},
	reflect.TypeFor[UpdateSupport]():                    {"item", "status"},
	reflect.TypeFor[RecordChildFromAbroad]():            {"accommodationBasis"},
	reflect.TypeFor[RecordRepatriationRisk]():           {"assessedOn", "findings"},
	reflect.TypeFor[RecordFamilyTracing]():              {"discreet", "notes"},
	reflect.TypeFor[AgreeCarePlan]():                    {"agreedOn", "protectionPlan", "missingContingency"},
	reflect.TypeFor[RecordUKVIConcern]():                {"raisedAt", "details"},
	reflect.TypeFor[RecordUKVIConfirmation]():           {"receivedAt"},
	reflect.TypeFor[StartPlacement]():                   {"startedAt", "placementType", "address"},
	reflect.TypeFor[ChangeWhereaboutsConfidentiality](): {"reason"},
	reflect.TypeFor[GrantWhereaboutsAccess]():           {"email", "reason"},
	reflect.TypeFor[RevokeWhereaboutsAccess]():          {"userId"},
	reflect.TypeFor[RequestAgeAssessment]():             {"reason"},
	reflect.TypeFor[CompleteAgeAssessment]():            {"completedOn", "outcome"},
	reflect.TypeFor[RecordChildOrigin]():                {"nationality"},
	reflect.TypeFor[RecordExploitationPlaces]():         {},
	reflect.TypeFor[RecordWhereChildIsNow]():            {"town", "region"},
	reflect.TypeFor[RecordSituation]():                  {"learntAt"},
	reflect.TypeFor[RecordRightsTold]():                 {"toldOn"},
	reflect.TypeFor[RecordVictimLiaisonOfficer]():       {"name", "force", "contact"},
	reflect.TypeFor[RecordSuspectedOffence]():           {"offence", "scheduleFour"},
	reflect.TypeFor[RecordDefenceTold]():                {"passedOn", "passedTo"},
	reflect.TypeFor[RecordCrimeReference]():             {"reference", "force"},
	reflect.TypeFor[RecordUKVIContact]():                {"contactAt", "with", "about"},
	reflect.TypeFor[SharePoliceInformation]():           {"sharedAt", "topics", "what", "sharedWith", "sharedBy"},
	reflect.TypeFor[RecordAgeDecision]():                {"decision", "reasons"},
	reflect.TypeFor[CommunicateAgeDecision]():           {"communicatedOn", "communicatedTo"},
	reflect.TypeFor[SeekOverseasInformation]():          {"authority", "country", "requestedOn", "asked"},
	reflect.TypeFor[RecordOverseasReply]():              {"request", "repliedOn", "reply"},
	reflect.TypeFor[RecordDocumentSeen]():               {"kind", "seenBy", "seenOn", "genuineness"},
	reflect.TypeFor[NameKeyWorker]():                    {"name", "role", "from"},
	reflect.TypeFor[RecordChildsWishes]():               {"saidOn", "words"},
	reflect.TypeFor[RecordNRMExplained]():               {"explainedOn", "explainedBy", "to", "howUnderstood"},
	reflect.TypeFor[RecordNRMOutcomeTold]():             {"decision", "toldOn", "toldBy", "to", "howUnderstood"},
	reflect.TypeFor[RecordFamilySuspicion]():            {"answer", "reason"},                           // family.go
	reflect.TypeFor[RecordImmediateAction]():            {"action", "status", "reason"},                 // immediate_actions.go
	reflect.TypeFor[RecordHousehold]():                  {"livesWith", "memberOfFamily", "relatedInUK"}, // household.go
	reflect.TypeFor[RecordUnrelatedChildConsidered]():   {"move", "immigrationAdvice"},                  // household.go
}

// Progresses lists every value of Case.Progress, furthest first.
func Progresses() []string {
	out := []string{"Closed"}
	for _, g := range []string{"Conclusive Grounds decision: ", "Reasonable Grounds decision: "} {
		for _, o := range DecisionOutcomes() {
			out = append(out, g+o.Value)
		}
	}
	out = append(out, "NRM referral submitted", "Multi-agency meeting held", "Multi-agency meeting arranged", "Strategy discussion held")
	for _, s := range []Stage{StageOutcomeGiven, StageContactRecorded, StageConcernRaised} {
		out = append(out, s.Label())
	}
	return out
}

// WarningKinds lists every Warning.Kind, in the order WarningsAt gives them.
func WarningKinds() []string {
	return []string{"missing", "high-missing-risk", "immediate-risk", "family-suspected", "family-not-known", "age-uncertain", "whereabouts-confidential", "closed",
		"interpreter-needed", "meeting"} // the last two: TeamWarnings
}

// ClockKinds lists every kind of clock a case can run.
func ClockKinds() []ClockKind {
	return []ClockKind{ClockNotifyChildrensServices, ClockOutcomeToReferrer, ClockMeetingAction, ClockNRMReasonableGrounds,
		ClockNRMEarliestConclusiveGrounds, ClockReturnInterview, ClockUKVIConfirmation, ClockPlacementMissingRisk}
}

// Stages lists every Stage, in the order a case reaches them.
func Stages() []Stage { return []Stage{StageConcernRaised, StageContactRecorded, StageOutcomeGiven} }
