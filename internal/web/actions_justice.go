package web

import (
	"waymark/internal/casework"
	"waymark/internal/pathway"
)

// The child in the criminal justice system (§6.9–6.11, §8.10(5)–(6)): the
// rules and prompts are the pathway's (support_criminal.go); these are the
// question pages and API operations over its commands.
func addJusticeActions(set *actionSet) {
	addAction[pathway.RecordRightsTold](set, action{
		Slug: "rights-told", Title: "Record that the child was told their rights", Section: "§6.9", Group: "Criminal justice",
		Intro:  "Tell the child, in a way they understand, of their right to protection, support and help in any criminal proceedings against the people who exploited them.",
		Button: "Save",
		Fields: []field{
			{Name: "toldOn", Label: "When was the child told?", Kind: kindDate},
			{Name: "toldBy", Label: "Who told them (optional)", Hint: "Leave blank if it was you. Say if an interpreter helped.", Kind: kindText, MaxLength: pathway.MaxShortText},
			{Name: "notes", Label: "Notes (optional)", Hint: "For example, what the child asked.", Kind: kindTextarea, MaxLength: pathway.MaxNarrative, Rows: 3},
		},
	})
	addAction[pathway.RecordVictimLiaisonOfficer](set, action{
		Slug: "victim-liaison-officer", Title: "Record the victim liaison officer", Section: "§6.11", Group: "Criminal justice",
		Intro:  "The victim liaison officer keeps the child informed of the investigation or prosecution of the people who exploited them. Record a new officer whenever they change.",
		Button: "Save the officer",
		Fields: []field{
			{Name: "name", Label: "Officer's name", Kind: kindText, MaxLength: pathway.MaxShortText},
			{Name: "force", Label: "Police force", Kind: kindText, MaxLength: pathway.MaxShortText},
			{Name: "contact", Label: "How to contact them", Hint: "A phone number or email address.", Kind: kindText, MaxLength: pathway.MaxShortText},
			{Name: "notes", Label: "Notes (optional)", Kind: kindTextarea, MaxLength: pathway.MaxNarrative, Rows: 3},
		},
	})
	addAction[pathway.RecordSuspectedOffence](set, action{
		Slug: "suspected-offence", Title: "Record an offence the child is suspected of", Section: "§6.10", Group: "Criminal justice",
		Intro: "A child may have a defence under section 45 of the Modern Slavery Act 2015 when the offence was a direct consequence of their exploitation. " +
			"The defence does not cover the offences in Schedule 4. Waymark's copy of the schedule is incomplete and must be checked against legislation.gov.uk: the child's solicitor decides.",
		Button: "Save the offence",
		Fields: []field{
			{Name: "offence", Label: "What offence is the child suspected or accused of?", Hint: "As the police or the charge describe it.", Kind: kindText, MaxLength: pathway.MaxShortText},
			{Name: "scheduleFour", Label: "Is it one of these Schedule 4 offences?", Hint: "Choose the offence if it is listed. Offences not listed here may still be in the schedule.", Kind: kindSelect,
				Options: func(*Server, casework.CaseView) []option {
					return append([]option{{Value: "", Text: "Choose an answer"}}, supportOptions(pathway.ScheduleFourChoices())...)
				}},
			{Name: "notes", Label: "Notes (optional)", Hint: "For example, the stage of the case and the child's solicitor.", Kind: kindTextarea, MaxLength: pathway.MaxNarrative, Rows: 3},
		},
	})
	addAction[pathway.RecordDefenceTold](set, action{
		Slug: "conclusive-grounds-to-defence", Title: "Record that the Conclusive Grounds decision was passed to the defence", Section: "§6.10, §8.10(5)", Group: "Criminal justice",
		Intro:  "A positive Conclusive Grounds decision supports a section 45 defence, so that the child is treated as a victim rather than an offender.",
		Button: "Save",
		Fields: []field{
			{Name: "passedOn", Label: "When was it passed on?", Kind: kindDate},
			{Name: "passedTo", Label: "Who was it passed to?", Hint: "The child's solicitor or their firm.", Kind: kindText, MaxLength: pathway.MaxShortText},
			{Name: "notes", Label: "Notes (optional)", Kind: kindTextarea, MaxLength: pathway.MaxNarrative, Rows: 3},
		},
	})
	addAction[pathway.RecordCrimeReference](set, action{
		Slug: "crime-reference", Title: "Record the police's crime reference", Section: "§8.10(6)", Group: "Criminal justice",
		Intro:  "Submitting the NRM referral puts the police under a duty to investigate. Ask them for their crime record of the offence against the child.",
		Button: "Save the reference",
		Fields: []field{
			{Name: "reference", Label: "Crime reference", Kind: kindText, MaxLength: pathway.MaxShortText},
			{Name: "force", Label: "Police force that recorded it", Kind: kindText, MaxLength: pathway.MaxShortText},
			{Name: "notes", Label: "Notes (optional)", Kind: kindTextarea, MaxLength: pathway.MaxNarrative, Rows: 3},
		},
	})
}
