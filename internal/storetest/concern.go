package storetest

import (
	"time"

	"waymark/internal/pathway"
)

// ValidConcern is a concern that passes every rule at now: a 14-year-old
// identified two hours earlier, with the first indicator, exploitation type
// and immediate action of the shipped catalogue. Tests change one answer to
// see one rule at work.
func ValidConcern(now time.Time) pathway.Concern {
	c := Catalog()
	return pathway.Concern{
		Child: pathway.Child{
			GivenNames:      "Amira",
			FamilyName:      "Example",
			Aliases:         []string{"Mimi"},
			DateOfBirth:     now.In(pathway.London).AddDate(-14, 0, -30).Format("2006-01-02"),
			Gender:          "female",
			Nationality:     "Albanian",
			Languages:       []string{"Albanian", "English"},
			CurrentLocation: "School medical room with the school nurse",
		},
		IdentifiedAt:      now.Add(-2 * time.Hour).UTC(),
		IdentifiedWhere:   "Northfield Academy, Year 9 classroom",
		Summary:           "Arrived with an older man who is not a relative and answered questions for her.",
		ExploitationTypes: []string{c.ExploitationTypes[0].ID},
		Indicators:        []pathway.ObservedIndicator{{ID: c.Indicators[0].ID, Evidence: "Seen being collected by different adults."}},
		ImmediateActions:  []string{c.ImmediateActions[0].ID},
	}
}
