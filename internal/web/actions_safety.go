package web

import (
	"waymark/internal/pathway"
)

// Missing episodes, closure and corrections (§4.3, §7.1–7.5).
func addSafetyActions(set *actionSet) {
	addAction[pathway.ReportMissing](set, action{
		Slug: "report-missing", Title: "Report the child missing", Section: "§7.1", Group: "Missing episodes",
		Intro:  "A trafficked child who goes missing may have been taken back by their exploiters. Tell the police at once, then record it here: everyone on the case will see the child is missing.",
		Button: "Report missing",
		Fields: []field{
			{Name: "startedAt", Label: "When was the child last seen?", Kind: kindDateTime},
			{Name: "circumstances", Label: "Where and with whom were they last seen?", Hint: "Include anything that may help find them: vehicles, phone numbers, people waiting nearby (§7.3).", Kind: kindTextarea, MaxLength: pathway.MaxNarrative},
			{Name: "policeInformed", Label: "Have the police been told?", Kind: kindYesNo, Required: true},
			{Name: "policeReference", Label: "Police reference (optional)", Kind: kindText},
		},
	})
	addAction[pathway.RecordFound](set, action{
		Slug: "record-found", Title: "Record that the child has been found", Section: "§7.1", Group: "Missing episodes",
		Intro:  "Recording the return starts the 72-hour deadline for the return interview.",
		Button: "Record found",
		Fields: []field{
			{Name: "endedAt", Label: "When was the child found or did they return?", Kind: kindDateTime},
			{Name: "whereFound", Label: "Where were they found?", Kind: kindText},
		},
	})
	addAction[pathway.RecordReturnInterview](set, action{
		Slug: "return-interview", Title: "Record the return interview", Section: "§7.1", Group: "Missing episodes",
		Intro:  "Record what the child told you about where they were and with whom, and what they chose not to talk about.",
		Button: "Save the interview",
		Fields: []field{
			{Name: "heldAt", Label: "When was the interview held?", Kind: kindDateTime},
			{Name: "by", Label: "Who held it?", Kind: kindText},
			{Name: "disclosed", Label: "What the child told you", Kind: kindTextarea, MaxLength: pathway.MaxNarrative},
			{Name: "notDisclosed", Label: "What the child did not want to talk about", Kind: kindTextarea, MaxLength: pathway.MaxNarrative},
		},
	})
	addAction[pathway.CloseCase](set, action{
		Slug: "close", Title: "Close the case", Section: "§7.4", Group: "Closing and corrections",
		Intro:  "Closing keeps everything on record. Say why, and what monitoring carries on.",
		Button: "Close the case",
		Fields: []field{
			{Name: "reason", Label: "Why is the case being closed?", Kind: kindTextarea, MaxLength: pathway.MaxNarrative},
			{Name: "monitoring", Label: "What monitoring continues after closure?", Kind: kindTextarea, MaxLength: pathway.MaxNarrative},
			{Name: "noNrmReason", Label: "Why is the case closing without an NRM referral?",
				Hint: "Every suspected child victim is referred to the NRM (§8.2). Leave this empty if the referral was submitted or a multi-agency meeting recorded a decision not to submit it; otherwise record that decision first, or say why.",
				Kind: kindTextarea, MaxLength: pathway.MaxNarrative, Rows: 3},
		},
	})
	addAction[pathway.ReopenCase](set, action{
		Slug: "reopen", Title: "Reopen the case", Section: "§7.4", Group: "Closing and corrections",
		Button: "Reopen the case",
		Fields: []field{{Name: "reason", Label: "Why is the case being reopened?", Kind: kindTextarea, MaxLength: pathway.MaxNarrative}},
	})
	addAction[pathway.CorrectEntry](set, action{
		Slug: "correct-entry", Title: "Correct an entry", Section: "§7.5", Group: "Closing and corrections",
		Intro:  "Entries are never changed or deleted. A correction is added to the record and shown beside the entry it corrects.",
		Button: "Add the correction",
		Fields: []field{
			{Name: "corrects", Label: "Number of the entry to correct", Hint: "Each entry on the timeline shows its number.", Kind: kindNumber},
			{Name: "what", Label: "What was wrong?", Kind: kindText},
			{Name: "correction", Label: "What is correct?", Kind: kindTextarea, MaxLength: pathway.MaxNarrative},
			{Name: "reason", Label: "Why is it being corrected?", Kind: kindTextarea, MaxLength: pathway.MaxNarrative},
		},
	})
	addAction[pathway.CorrectChildDetails](set, action{
		Slug: "correct-child", Title: "Correct the child's name or date of birth", Section: "§7.5", Group: "Closing and corrections",
		Intro:  "The details first recorded stay in the record; from now on the case uses these.",
		Button: "Save the correction",
		Fields: []field{
			{Name: "givenNames", Label: "Given names", Kind: kindText},
			{Name: "familyName", Label: "Family name", Kind: kindText},
			{Name: "aliases", Label: "Other names (optional)", Hint: "One on each line.", Kind: kindLines},
			{Name: "dateOfBirth", Label: "Date of birth (leave blank to keep the current one)", Kind: kindDate},
			{Name: "reason", Label: "Why are the details being corrected?", Kind: kindTextarea, MaxLength: pathway.MaxNarrative},
		},
	})
}
