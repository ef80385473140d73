package web

import (
	"waymark/internal/casework"
	"waymark/internal/pathway"
)

// Support and justice, children from abroad, placements and the child's
// whereabouts, and age assessments (§6.9–6.12, §7, §8.3).
func addSupportActions(set *actionSet) {
	fixed := func(opts []struct{ Value, Text string }) func(*Server, casework.CaseView) []option {
		return func(*Server, casework.CaseView) []option { return supportOptions(opts) }
	}

	// Support and justice (§6.9–6.12, §7.4–7.6, §8.3).
	addAction[pathway.RecordSupport](set, action{
		Slug: "record-support", Title: "Record support for the child", Section: "§6.9–6.12, §7.4–7.6, §8.3", Group: "Support and justice",
		Intro:  "Record legal advice, help with criminal proceedings and the services the child needs. Some kinds need more answers: they are marked below.",
		Button: "Record support",
		Fields: []field{
			{Name: "kind", Label: "What kind of support?", Kind: kindRadios, Options: fixed(pathway.SupportKinds())},
			{Name: "status", Label: "Where does it stand?", Kind: kindRadios, Options: fixed(pathway.SupportStatuses())},
			{Name: "provider", Label: "Who provides it (optional)", Hint: "For example, the solicitor's firm, the intermediary or the service.", Kind: kindText, MaxLength: pathway.MaxShortText},
			{Name: "oiscRegulated", Label: "Immigration advice only: is the adviser regulated to give immigration advice?", Hint: "Regulated by the OISC, or a solicitor regulated through the Law Society (§7.5).", Kind: kindYesNo},
			{Name: "consentBy", Label: "Beacon only: who consented to the referral?", Hint: "A Beacon referral needs the consent of the child or their guardian (§8.3).", Kind: kindRadios, Options: fixed(pathway.ConsentGivers())},
			{Name: "consentDate", Label: "Beacon only: when was consent given?", Kind: kindDate},
			{Name: "benefitAgreed", Label: "Beacon only: did the team agree the child would benefit from Beacon's support?", Hint: "The lead organisation refers to Beacon once this is agreed, for example at the multi-agency meeting (annex step 4).", Kind: kindYesNo},
			{Name: "visitorOffer", Label: "Independent visitor only: did the child accept the offer?", Kind: kindRadios, Options: fixed(pathway.VisitorOffers())},
			{Name: "declineReason", Label: "If the child declined, their reasons", Hint: "Required when the child declines an independent visitor (§7.4).", Kind: kindTextarea, MaxLength: pathway.MaxNarrative, Rows: 3},
			{Name: "traffickingSpecialist", Label: "Legal advice and statutory defence only: is the lawyer a trafficking specialist?", Hint: "Seek a solicitor with expertise in trafficking and modern slavery where you can (§6.9).", Kind: kindYesNo},
			{Name: "concernsShared", Label: "Legal advice and statutory defence only: have the trafficking concerns been raised clearly with them?", Hint: "They must know of the concerns, and of a possible statutory defence (§6.9).", Kind: kindYesNo},
			{Name: "notes", Label: "Notes (optional)", Hint: "For a statutory defence, the offence and the stage of the case; record the offence itself under Criminal justice (§6.10).", Kind: kindTextarea, MaxLength: pathway.MaxNarrative, Rows: 4},
		},
	})
	addAction[pathway.UpdateSupport](set, action{
		Slug: "update-support", Title: "Update support for the child", Section: "§6.9–6.12, §7.4–7.6", Group: "Support and justice",
		Intro:  "Record that support is now in place, was declined or has ended.",
		Button: "Update support",
		Fields: []field{
			{Name: "item", Label: "Which support?", Kind: kindSelect, Options: func(_ *Server, v casework.CaseView) []option {
				var out []option
				for _, it := range v.Case.Support.Items {
					out = append(out, option{Value: it.ID, Text: it.KindLabel() + " – " + it.StatusLabel() + " (entry " + it.ID + ")"})
				}
				return out
			}},
			{Name: "status", Label: "Where does it stand now?", Kind: kindRadios, Options: fixed(pathway.SupportStatuses())},
			{Name: "traffickingSpecialist", Label: "Legal advice and statutory defence only: is the lawyer a trafficking specialist?", Kind: kindYesNo},
			{Name: "concernsShared", Label: "Legal advice and statutory defence only: have the trafficking concerns been raised clearly with them?", Hint: "§6.9", Kind: kindYesNo},
			{Name: "declineReason", Label: "If the child declined, their reasons", Kind: kindTextarea, MaxLength: pathway.MaxNarrative, Rows: 3},
			{Name: "notes", Label: "Notes (optional)", Kind: kindTextarea, MaxLength: pathway.MaxNarrative, Rows: 4},
		},
	})

	// Children from abroad (§7.1–7.7).
	addAction[pathway.RecordChildFromAbroad](set, action{
		Slug: "child-from-abroad", Title: "Record details of a child from abroad", Section: "§7.1–7.7", Group: "Child from abroad",
		Intro:  "Immigration status never delays protection (§4.10). Record what has been checked; record again whenever something changes.",
		Button: "Save the details",
		Fields: []field{
			{Name: "uasc", Label: "Is the child an unaccompanied asylum-seeking child (UASC)?", Kind: kindYesNo, Required: true},
			{Name: "accommodationBasis", Label: "On what basis is the child accommodated?", Kind: kindRadios, Options: fixed(pathway.AccommodationBases())},
			{Name: "accommodationOther", Label: "If other, describe it", Kind: kindText, MaxLength: pathway.MaxShortText},
			{Name: "documentsChecked", Label: "Have all the documents held by the child, the family, the referrer and other agencies been checked and copied?", Kind: kindYesNo, Required: true},
			{Name: "photographOnFile", Label: "Is a photograph of the child on the social work file?", Kind: kindYesNo, Required: true},
			{Name: "missingEducationChecked", Label: "Has the children-missing-education contact been checked?", Kind: kindYesNo, Required: true},
			{Name: "immigrationOptions", Label: "Which immigration options are being considered with the child's adviser?", Hint: "Select all that apply (§7.5).", Kind: kindCheckboxes, Options: fixed(pathway.ImmigrationOptions())},
			{Name: "returnSchemeInformed", Label: "Has the child been told about the Assisted Voluntary Return scheme?", Hint: "§7.7. Telling them is not advising return: many trafficked children face re-trafficking if returned.", Kind: kindYesNo, Required: true},
			{Name: "notes", Label: "Notes (optional)", Kind: kindTextarea, MaxLength: pathway.MaxNarrative, Rows: 4},
		},
	})
	addAction[pathway.RecordRepatriationRisk](set, action{
		Slug: "repatriation-risk", Title: "Record a repatriation risk assessment", Section: "§7.6", Group: "Child from abroad",
		Intro:  "Assess the danger the child would face if returned. This must be done before anyone is contacted to trace the family.",
		Button: "Save the assessment",
		Fields: []field{
			{Name: "assessedOn", Label: "When was the assessment made?", Kind: kindDate},
			{Name: "findings", Label: "What did it find?", Kind: kindTextarea, MaxLength: pathway.MaxNarrative, Rows: 6},
		},
	})
	addAction[pathway.RecordFamilyTracing](set, action{
		Slug: "family-tracing", Title: "Record family tracing", Section: "§7.6", Group: "Child from abroad",
		Intro:  "Trace the family with discretion and caution: the family may be linked to the traffickers.",
		Button: "Save",
		Fields: []field{
			{Name: "discreet", Label: "Is the tracing discreet, so that it cannot reveal where the child is?", Kind: kindYesNo, Required: true},
			{Name: "contactMade", Label: "Did it involve contacting anyone to trace the family?", Hint: "A repatriation risk assessment must be recorded first.", Kind: kindYesNo, Required: true},
			{Name: "notes", Label: "What was done, and through whom?", Kind: kindTextarea, MaxLength: pathway.MaxNarrative, Rows: 5},
		},
	})
	addAction[pathway.AgreeCarePlan](set, action{
		Slug: "care-plan", Title: "Agree the care plan", Section: "§7.2", Group: "Placement and whereabouts",
		Intro:  "The care plan says how the child will be kept from anyone trying to exploit them again, and what to do if they go missing.",
		Button: "Agree the plan",
		Fields: []field{
			{Name: "agreedOn", Label: "When was the plan agreed?", Kind: kindDate},
			{Name: "protectionPlan", Label: "How will the child be protected from traffickers?", Kind: kindTextarea, MaxLength: pathway.MaxNarrative, Rows: 6},
			{Name: "missingContingency", Label: "What happens if the child goes missing?", Hint: "Who to call, what to give the police, where to look (§7.2).", Kind: kindTextarea, MaxLength: pathway.MaxNarrative, Rows: 6},
		},
	})
	addAction[pathway.RecordUKVIConcern](set, action{
		Slug: "ukvi-concern", Title: "Record a concern raised by UKVI", Section: "§7.5", Group: "Child from abroad",
		Intro:  "UKVI must confirm its referral to children's social care in writing within 48 hours. Recording the concern starts that deadline.",
		Button: "Record the concern",
		Fields: []field{
			{Name: "raisedAt", Label: "When did UKVI raise the concern?", Kind: kindDateTime},
			{Name: "details", Label: "Who raised it, and what did they say?", Kind: kindTextarea, MaxLength: pathway.MaxNarrative, Rows: 5},
		},
	})
	addAction[pathway.RecordUKVIConfirmation](set, action{
		Slug: "ukvi-confirmation", Title: "Record UKVI's written confirmation", Section: "§7.5", Group: "Child from abroad",
		Button: "Record the confirmation",
		Fields: []field{
			{Name: "receivedAt", Label: "When did the written confirmation arrive?", Kind: kindDateTime},
			{Name: "notes", Label: "Notes (optional)", Kind: kindTextarea, MaxLength: pathway.MaxNarrative, Rows: 3},
		},
	})

	// Placements and the child's whereabouts (§4.3, §6.5, §7.6).
	addAction[pathway.StartPlacement](set, action{
		Slug: "start-placement", Title: "Record a placement", Section: "§4.3, §7.6", Group: "Placement and whereabouts",
		Intro:  "For a child from abroad, the first 72 hours of a placement carry the highest risk of going missing: everyone on the case will see a warning. If the whereabouts are confidential, only you and the people you give access to will see the address.",
		Button: "Record the placement",
		Fields: []field{
			{Name: "startedAt", Label: "When did the placement start?", Kind: kindDateTime},
			{Name: "placementType", Label: "What kind of placement?", Kind: kindRadios, Options: fixed(pathway.PlacementTypes())},
			{Name: "address", Label: "Address of the placement", Kind: kindTextarea, MaxLength: 2 * pathway.MaxShortText, Rows: 3},
			{Name: "whereaboutsConfidential", Label: "Must the child's whereabouts be kept confidential?", Hint: "For example, when the child is a victim of organised trafficking (§7.6).", Kind: kindYesNo, Required: true},
		},
	})
	addAction[pathway.ChangeWhereaboutsConfidentiality](set, action{
		Slug: "whereabouts-confidentiality", Title: "Change whether the child's whereabouts are confidential", Section: "§6.5, §7.6", Group: "Placement and whereabouts",
		Button: "Save",
		Fields: []field{
			{Name: "confidential", Label: "Must the current placement's whereabouts be kept confidential?", Kind: kindYesNo, Required: true},
			{Name: "reason", Label: "Why?", Kind: kindTextarea, MaxLength: pathway.MaxNarrative, Rows: 3},
		},
	})
	addAction[pathway.GrantWhereaboutsAccess](set, action{
		Slug: "grant-whereabouts", Title: "Give someone access to the child's whereabouts", Section: "§6.5, §7.6", Group: "Placement and whereabouts",
		Intro:  "Only people directly involved, who need to know where the child is, should see the address. They must already be involved in the case.",
		Button: "Give access",
		Fields: []field{
			{Name: "email", Label: "Email address of the person", Kind: kindEmail},
			{Name: "reason", Label: "Why do they need to know where the child is?", Kind: kindTextarea, MaxLength: pathway.MaxNarrative, Rows: 3},
		},
	})
	addAction[pathway.RevokeWhereaboutsAccess](set, action{
		Slug: "revoke-whereabouts", Title: "Withdraw access to the child's whereabouts", Section: "§6.5, §7.6", Group: "Placement and whereabouts",
		Button: "Withdraw access",
		Fields: []field{
			{Name: "userId", Label: "Whose access?", Kind: kindSelect, Options: func(_ *Server, v casework.CaseView) []option {
				var out []option
				for _, g := range v.Case.Support.WhereaboutsAccess {
					out = append(out, option{Value: g.User.UserID, Text: g.User.Name + " (" + g.User.OrgName + ")"})
				}
				return out
			}},
			{Name: "reason", Label: "Why (optional)", Kind: kindTextarea, MaxLength: pathway.MaxNarrative, Rows: 3},
		},
	})

	// Age assessments (§7.4): recorded, never waited for.
	addAction[pathway.RequestAgeAssessment](set, action{
		Slug: "request-age-assessment", Title: "Request an age assessment", Section: "§7.4", Group: "Age assessment",
		Intro:  "Assess age only where there is significant reason to doubt the person is a child, never on appearance alone. The person is treated as a child meanwhile, and nothing – the NRM referral above all – waits for the assessment.",
		Button: "Request the assessment",
		Fields: []field{
			{Name: "reason", Label: "What is the significant reason to doubt that they are a child?", Kind: kindTextarea, MaxLength: pathway.MaxNarrative, Rows: 5},
		},
	})
	addAction[pathway.CompleteAgeAssessment](set, action{
		Slug: "complete-age-assessment", Title: "Record the outcome of the age assessment", Section: "§7.4", Group: "Age assessment",
		Intro:  "Age assessments must be Merton-compliant.",
		Button: "Save the outcome",
		Fields: []field{
			{Name: "completedOn", Label: "When was the assessment completed?", Kind: kindDate},
			{Name: "mertonCompliant", Label: "Was the assessment Merton-compliant?", Kind: kindYesNo, Required: true},
			{Name: "outcome", Label: "What did it find?", Kind: kindRadios, Options: fixed(pathway.AgeOutcomes())},
			{Name: "assessedDateOfBirth", Label: "Assessed date of birth", Hint: "Give the date of birth or, if none was assessed, the age below.", Kind: kindDate},
			{Name: "assessedAge", Label: "Assessed age in years", Kind: kindNumber},
			{Name: "notes", Label: "Notes (optional)", Kind: kindTextarea, MaxLength: pathway.MaxNarrative, Rows: 4},
		},
	})
}

func supportOptions(opts []struct{ Value, Text string }) []option {
	out := make([]option, len(opts))
	for i, o := range opts {
		out[i] = option{Value: o.Value, Text: o.Text}
	}
	return out
}
