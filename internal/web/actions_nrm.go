package web

import (
	"waymark/internal/casework"
	"waymark/internal/pathway"
)

// nrmGroup is where the case page lists the NRM actions.
const nrmGroup = "National Referral Mechanism (NRM)"

func nrmOptions(opts []struct{ Value, Text string }) func(*Server, casework.CaseView) []option {
	return func(*Server, casework.CaseView) []option {
		var out []option
		for _, o := range opts {
			out = append(out, option{o.Value, o.Text})
		}
		return out
	}
}

// NRM referral, decisions and reconsideration (§8.1–8.10).
func addNRMActions(set *actionSet) {
	addAction[pathway.SubmitNRMReferral](set, action{
		Slug: "nrm-submit", Title: "Record the NRM submission", Section: "§8.1–8.5, §8.7", Group: nrmGroup,
		Intro: "Record that your organisation, as lead First Responder, submitted the child's NRM referral to the Home Office. " +
			"No consent is needed to refer a child (§8.3), and an age assessment still under way never holds the referral up (§7.4).",
		Button: "Record the submission",
		Fields: []field{
			{Name: "submittedAt", Label: "When was the NRM referral submitted?", Kind: kindDateTime},
			{Name: "via", Label: "How was it submitted?", Kind: kindRadios, Options: nrmOptions(pathway.NRMRoutes())},
			{Name: "reasonWithoutMeeting", Label: "If no multi-agency meeting decided to submit, why is it being submitted?",
				Hint: "Leave this blank when a STRAT or MARM meeting agreed to submit the referral (§8.4, §8.5).", Kind: kindTextarea, MaxLength: pathway.MaxNarrative, Rows: 4},
			{Name: "declarationMade", Label: "Did you make the declaration on the form's last page before sending it?",
				Hint: "The declaration, in Waymark's words: " + pathway.NRMDeclarationText, Kind: kindYesNo, Required: true},
			{Name: "explainedToChild", Label: "Was the NRM, and what being referred means for them, explained to the child in a way they understand?",
				Hint: "With an interpreter or other help with communication where they need it (§8.3).", Kind: kindRadios, Options: nrmOptions(pathway.NRMExplainedToChild())},
			{Name: "explainedToCarer", Label: "Was it explained to their parent, guardian or carer in a way they understand?",
				Hint: "Do not tell a parent or carer who may be involved in the exploitation (annex, §1.2).", Kind: kindRadios, Options: nrmOptions(pathway.NRMExplainedToCarer())},
			{Name: "notExplainedWhy", Label: "If it has not been explained yet, why not, and when will it be?", Kind: kindTextarea, MaxLength: pathway.MaxNarrative, Rows: 3},
		},
	})
	addAction[pathway.RecordHomeOfficeReference](set, action{
		Slug: "nrm-reference", Title: "Record the Home Office reference", Section: "§8.7", Group: nrmGroup,
		Intro:  "The Home Office emails a reference number back once it receives the NRM referral.",
		Button: "Save the reference",
		Fields: []field{
			{Name: "reference", Label: "Home Office reference", Kind: kindText},
			{Name: "receivedOn", Label: "When did the reference arrive?", Kind: kindDate},
		},
	})
	addAction[pathway.RecordNRMFurtherInformation](set, action{
		Slug: "nrm-further-information", Title: "Record further information sent to the Home Office", Section: "§8.7", Group: nrmGroup,
		Intro:  "Send the Home Office anything relevant that comes to light after the referral, before or after a decision, then record here what was sent.",
		Button: "Save",
		Fields: []field{
			{Name: "sentOn", Label: "When was it sent?", Kind: kindDate},
			{Name: "summary", Label: "What was sent, and why it matters", Kind: kindTextarea, MaxLength: pathway.MaxNarrative, Rows: 6},
		},
	})
	addAction[pathway.RecordReasonableGrounds](set, action{
		Slug: "nrm-reasonable-grounds", Title: "Record the Reasonable Grounds decision", Section: "national guidance", Group: nrmGroup,
		Intro:  "Use the date on the Home Office's decision letter. A positive decision starts the minimum wait before the Conclusive Grounds decision.",
		Button: "Save the decision",
		Fields: []field{
			{Name: "outcome", Label: "What was the decision?", Kind: kindRadios, Options: nrmOptions(pathway.DecisionOutcomes())},
			{Name: "decidedOn", Label: "Date of the decision", Kind: kindDate},
		},
	})
	addAction[pathway.RecordConclusiveGrounds](set, action{
		Slug: "nrm-conclusive-grounds", Title: "Record the Conclusive Grounds decision", Section: "national guidance", Group: nrmGroup,
		Intro:  "Use the date on the Home Office's decision letter. It comes at least 30 days after the positive Reasonable Grounds decision (45 days for Reasonable Grounds decisions made before 30 January 2023).",
		Button: "Save the decision",
		Fields: []field{
			{Name: "outcome", Label: "What was the decision?", Kind: kindRadios, Options: nrmOptions(pathway.DecisionOutcomes())},
			{Name: "decidedOn", Label: "Date of the decision", Kind: kindDate},
		},
	})
	addAction[pathway.RequestNRMReconsideration](set, action{
		Slug: "nrm-reconsideration", Title: "Ask for a reconsideration of a negative NRM decision", Section: "§8.9", Group: nrmGroup,
		Intro: "Any organisation on the case can ask, when there is new information or a concern about the decision. " +
			"Contact the Single Competent Authority first, then record here what the request said.",
		Button: "Record the request",
		Fields: []field{
			{Name: "decision", Label: "Which decision should be reconsidered?", Kind: kindRadios, Options: nrmDecisionChoices},
			{Name: "eventsSinceReferral", Label: "What has happened since the referral", Kind: kindTextarea, MaxLength: pathway.MaxNarrative, Rows: 5},
			{Name: "guidanceMisapplied", Label: "Guidance the decision misapplied or misunderstood",
				Hint: "For example, how grooming was understood in the decision minutes.", Kind: kindTextarea, MaxLength: pathway.MaxNarrative, Rows: 5},
			{Name: "indicatorsAdded", Label: "Indicators to add", Hint: "Select each indicator the request cites that the referral did not.", Kind: kindCheckboxes, Options: nrmIndicatorChoices},
			{Name: "childsViews", Label: "The child's views to be taken into account", Kind: kindTextarea, MaxLength: pathway.MaxNarrative, Rows: 4},
		},
	})
	addAction[pathway.RecordNRMReconsiderationOutcome](set, action{
		Slug: "nrm-reconsideration-outcome", Title: "Record the outcome of the reconsideration", Section: "§8.9", Group: nrmGroup,
		Intro:  "If the Home Office overturned the decision, it becomes a positive decision from the date of its answer.",
		Button: "Save the outcome",
		Fields: []field{
			{Name: "outcome", Label: "What did the Home Office decide?", Kind: kindRadios, Options: nrmOptions(pathway.ReconsiderationOutcomes())},
			{Name: "decidedOn", Label: "Date of the Home Office's answer", Kind: kindDate},
		},
	})
}

// nrmDecisionChoices lists the decisions on the case, so the person asking
// sees which were negative; the pathway refuses a positive one (§8.9).
func nrmDecisionChoices(_ *Server, v casework.CaseView) []option {
	var out []option
	for _, g := range []string{pathway.ReasonableGrounds, pathway.ConclusiveGrounds} {
		text := pathway.GroundsLabel(g) + " decision"
		if d := v.Case.NRM.Decision(g); d != nil {
			text += " (" + d.Outcome + ", " + d.DecidedOnLabel() + ")"
		} else {
			text += " (not made yet)"
		}
		out = append(out, option{g, text})
	}
	return out
}

// nrmIndicatorChoices are the catalogue's indicators, cited as in the referral form (§8.9).
func nrmIndicatorChoices(s *Server, _ casework.CaseView) []option {
	var out []option
	for _, in := range s.cat.Indicators {
		out = append(out, option{in.ID, in.Label + " (" + in.Section + ")"})
	}
	return out
}
