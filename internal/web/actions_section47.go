package web

import "waymark/internal/pathway"

// The Section 47 enquiry: its start, its completion and what it found, so
// that the multi-agency meeting can be seen to follow it (§6.7, §6.8).
func addSection47Actions(set *actionSet) {
	addAction[pathway.StartSection47](set, action{
		Slug: "section47-start", Title: "Record that the Section 47 enquiry started", Section: "§6.7", Group: "Strategy discussion and Section 47",
		Intro:  "Record when the Section 47 enquiry began. The multi-agency meeting follows its completion.",
		Button: "Record the start",
		Fields: []field{
			{Name: "startedAt", Label: "When did the Section 47 enquiry start?", Kind: kindDateTime},
		},
	})
	addAction[pathway.CompleteSection47](set, action{
		Slug: "section47-complete", Title: "Record that the Section 47 enquiry is complete", Section: "§6.7, §6.8", Group: "Strategy discussion and Section 47",
		Intro:  "Record when the enquiry was completed and what it found. The case and the meeting then show whether it finished before the meeting.",
		Button: "Record the completion",
		Fields: []field{
			{Name: "completedAt", Label: "When was the Section 47 enquiry completed?", Kind: kindDateTime},
			{Name: "outcome", Label: "What did the enquiry find?", Kind: kindRadios, Options: strategyOptions(pathway.Section47Outcomes())},
			{Name: "summary", Label: "Summary of the findings (optional)", Kind: kindTextarea, MaxLength: pathway.MaxNarrative, Rows: 5},
		},
	})
}
