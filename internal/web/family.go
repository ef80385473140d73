package web

import (
	"waymark/internal/casework"
	"waymark/internal/pathway"
)

// Whether the family or carers are suspected of involvement, set, changed or
// cleared by the team at any point after the concern (§1.2, annex;
// pathway/family.go). The case page shows the answer among its flags.
func addFamilyActions(set *actionSet) {
	addAction[pathway.RecordFamilySuspicion](set, action{
		Slug: "family-suspicion", Title: "Are the family or carers suspected of involvement?", Section: "§1.2, annex", Group: "Closing and corrections",
		Intro: "Record what the team now knows: whether the child's family or carers are suspected of involvement in the exploitation. " +
			"While they are suspected, or it is not known, nobody raises the concerns with them or uses them to interpret.",
		Button: "Save the answer",
		Fields: []field{
			{Name: "answer", Label: "Are the family or carers suspected of involvement?", Kind: kindRadios,
				Options: func(*Server, casework.CaseView) []option {
					var out []option
					for _, o := range pathway.FamilySuspicionAnswers() {
						out = append(out, option{o.Value, o.Text})
					}
					return out
				},
				Default: func(v casework.CaseView) string { return v.Case.FamilySuspicion() }},
			{Name: "reason", Label: "Why is the answer changing?", Hint: "What was learnt, and from whom.", Kind: kindTextarea, MaxLength: pathway.MaxNarrative, Rows: 4},
		},
	})
}
