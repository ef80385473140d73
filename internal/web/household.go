package web

import (
	"waymark/internal/casework"
	"waymark/internal/pathway"
)

// The child's household and, when the child is unrelated to it, the
// meeting's consideration of moving the child and a separate immigration
// application (§6.8, pathway/household.go). The meetings area prompts it.
func addHouseholdActions(set *actionSet) {
	answers := func(*Server, casework.CaseView) []option {
		var out []option
		for _, o := range pathway.HouseholdAnswers() {
			out = append(out, option{o.Value, o.Text})
		}
		return out
	}
	addAction[pathway.RecordHousehold](set, action{
		Slug: "household", Title: "Record the child's household", Section: "§6.8", Group: "People around the child",
		Intro:  "Record who the child lives with and how they are related. When the child is not a member of that family and is not related to anyone else in this country, the multi-agency meeting considers moving them and a separate immigration application.",
		Button: "Save the household",
		Fields: []field{
			{Name: "livesWith", Label: "Who does the child live with?", Hint: "Names, and who they say they are to the child.", Kind: kindTextarea, MaxLength: pathway.MaxNarrative, Rows: 3},
			{Name: "memberOfFamily", Label: "Is the child a member of the family they live with?", Kind: kindRadios, Options: answers},
			{Name: "relatedInUK", Label: "Is the child related to anyone else in this country?", Kind: kindRadios, Options: answers},
		},
	})
	addAction[pathway.RecordUnrelatedChildConsidered](set, action{
		Slug: "unrelated-child", Title: "Record what the meeting decided about the child's household", Section: "§6.8", Group: groupMeeting,
		Intro:  "The child is not related to the family they live with or to anyone else in this country. Record what the multi-agency meeting decided about moving the child from the household, and about legal advice on a separate application for immigration status.",
		Button: "Save the meeting's decision",
		Fields: []field{
			{Name: "move", Label: "Does the child need to be moved from the household? What was decided, and why?", Kind: kindTextarea, MaxLength: pathway.MaxNarrative, Rows: 4},
			{Name: "immigrationAdvice", Label: "Will legal advice be sought on a separate application for immigration status? What was decided, and why?", Kind: kindTextarea, MaxLength: pathway.MaxNarrative, Rows: 4},
		},
	})
}
