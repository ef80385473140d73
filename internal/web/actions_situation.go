package web

import (
	"waymark/internal/casework"
	"waymark/internal/pathway"
)

// What the team learns of the child's situation, the exploiters and the
// child's background, where they learn it (§5, §6.7, §6.8, §8.8). The page
// starts with the answers so far; only what changes is recorded.
func addSituationActions(set *actionSet) {
	narrative := func(f pathway.Fact, label, hint string) field {
		return field{Name: string(f), Label: label, Hint: hint, Kind: kindTextarea, MaxLength: pathway.MaxNarrative, Rows: 4, Default: latestFact(f)}
	}
	line := func(f pathway.Fact, label, hint string) field {
		return field{Name: string(f), Label: label, Hint: hint, Kind: kindText, Default: latestFact(f)}
	}
	choice := func(f pathway.Fact, label, hint string, opts []struct{ Value, Text string }) field {
		return field{Name: string(f), Label: label, Hint: hint, Kind: kindRadios, Options: strategyOptions(opts), Default: latestFact(f)}
	}
	addAction[pathway.RecordSituation](set, action{
		Slug: "situation", Title: "Record what we know of the child's situation", Section: "§5, §6.7, §6.8, §8.8", Group: "What the child has told us",
		Intro: "Record what you learn, when you learn it: at the contact, the strategy discussion, an interview or a meeting. " +
			"Leave blank what you do not know. The answers so far are shown; a new answer replaces the old one, which stays in the case's history. " +
			"The NRM referral is drafted from these answers.",
		Button: "Save what we know",
		Fields: []field{
			{Name: "learntAt", Label: "Where did you learn this?", Kind: kindRadios, Options: strategyOptions(pathway.LearntAtOptions())},
			{Name: "toldBy", Label: "Who told you? (optional)", Hint: "For example, the child, their foster carer, or DC Pat Police.", Kind: kindText},
			narrative(pathway.FactLivingConditions, "Where and how did the child live? (optional)", "Sleeping, washing, food, who else lived there."),
			narrative(pathway.FactTreatment, "How did the exploiters treat the child? (optional)", "Violence, threats, debts, control of their phone, money or documents."),
			choice(pathway.FactStillInSituation, "Is the child still in the situation? (optional)", "", pathway.YesNo()),
			narrative(pathway.FactWhatKeepsThem, "What keeps them there? (optional)", "Only if they are still in the situation: debt, fear, threats to family, dependence."),
			narrative(pathway.FactHowTheyLeft, "How and why did they leave? (optional)", "Only if they have left."),
			choice(pathway.FactLastContact, "When did the child last have contact with the exploiters? (optional)", "Contact of any kind, including through someone else.", pathway.LastContactOptions()),
			narrative(pathway.FactLastContactDetail, "What was the last contact? (optional)", "How they communicated, who was involved, any threats, what was done to block contact. Do not write web or email addresses: the NRM form refuses them."),
			narrative(pathway.FactExploitationWhen, "When did the exploitation take place? (optional)", "When it began and, if it has, when it ended, as far as is known."),
			narrative(pathway.FactHowItStarted, "How did the exploitation start? (optional)", "How the child met the exploiters, promises made, any debt."),
			narrative(pathway.FactExploiters, "Who are the exploiters? (optional)", "Names or nicknames, descriptions, how they are linked to the child."),
			choice(pathway.FactExploitersWhere, "Where are the exploiters now? (optional)", "If it is not known where they are now, answer with where they were last known to be.", pathway.ExploitersWhereabouts()),
			narrative(pathway.FactExploitersDetail, "What is known of where they are? (optional)", "Towns, addresses, countries, even if old."),
			choice(pathway.FactOtherVictims, "Are there other potential victims? (optional)", "", pathway.YesNoNotSure()),
			narrative(pathway.FactOtherVictimsInfo, "What is known of the other potential victims? (optional)", "Names are not needed."),
			choice(pathway.FactReportedToPolice, "Has a crime against the child been reported to the police? (optional)", "", pathway.YesNo()),
			line(pathway.FactCrimeReference, "Crime reference (optional)", "The police's crime reference for an offence against the child."),
			choice(pathway.FactReportedBefore, "Was the exploitation reported before, to anyone? (optional)", "For example, to the police, a school or the Home Office.", pathway.YesNoNotSure()),
			narrative(pathway.FactReportedBeforeHow, "What was reported before? (optional)", "When, to whom, and any NRM or Home Office reference."),
			choice(pathway.FactHelpInvestigation, "Is the child willing to help an investigation? (optional)", "Ask the child, with their advocate or guardian.", pathway.YesNoNotSure()),
			narrative(pathway.FactHelpDetails, "How is the child helping, or how will they? (optional)", "Do not write web or email addresses: the NRM form refuses them."),
			choice(pathway.FactHasChildren, "Does the child have children of their own? (optional)", "", pathway.YesNo()),
			{Name: string(pathway.FactNumberOfChildren), Label: "How many children do they have? (optional)", Kind: kindNumber, Default: latestFact(pathway.FactNumberOfChildren)},
			choice(pathway.FactCommunicationNeed, "Does the child need help to communicate, besides an interpreter? (optional)", "", pathway.YesNo()),
			line(pathway.FactCommunicationAid, "What help do they need to communicate? (optional)", "For example, a registered intermediary, British Sign Language, easy-read documents."),
			line(pathway.FactBirthplace, "Where was the child born? (optional)", "Town and country, as the child or a document says."),
			narrative(pathway.FactFamily, "What is known of the child's family? (optional)", "Who they are, where they are, and whether the child is in touch with them."),
			narrative(pathway.FactEducation, "What is known of the child's education? (optional)", "Schools, attendance, and any gaps."),
		},
	})
}

// latestFact starts the answer with what the case holds now.
func latestFact(f pathway.Fact) func(v casework.CaseView) string {
	return func(v casework.CaseView) string {
		r, _ := v.Case.Fact(f)
		return r.Value
	}
}
